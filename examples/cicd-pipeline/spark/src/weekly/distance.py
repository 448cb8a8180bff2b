"""Trip-distance buckets and their weekly totals."""

BUCKETS = [(0.0, "short"), (2.0, "medium"), (10.0, "long")]


def bucket(miles):
    """The bucket of a trip distance in miles; negative distances are data errors."""
    if miles < 0:
        raise ValueError(f"negative trip distance: {miles}")
    name = BUCKETS[0][1]
    for start, label in BUCKETS:
        if miles >= start:
            name = label
    return name


def weekly_totals(df):
    """Trips and miles per bucket of a DataFrame with a `trip_distance` column."""
    from pyspark.sql import functions as F

    label = F.when(F.col("trip_distance") >= 10.0, "long").when(F.col("trip_distance") >= 2.0, "medium").otherwise("short")
    return (
        df.withColumn("bucket", label)
        .groupBy("bucket")
        .agg(F.count("*").alias("trips"), F.round(F.sum("trip_distance"), 2).alias("miles"))
        .orderBy("bucket")
    )
