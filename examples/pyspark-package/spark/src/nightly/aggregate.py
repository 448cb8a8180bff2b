"""Pure transformations of the nightly job, tested without a cluster."""
from dateutil import parser
from pyspark.sql import DataFrame, functions as F


def day_of(timestamp: str) -> str:
    """The calendar day of a timestamp in any common format."""
    return parser.parse(timestamp).date().isoformat()


def daily_totals(trips: DataFrame) -> DataFrame:
    """Trips, distance and fares per day."""
    day = F.udf(day_of)
    return (
        trips.withColumn("day", day(F.col("pickup_time")))
        .groupBy("day")
        .agg(F.count("*").alias("trips"), F.round(F.sum("distance"), 2).alias("distance"), F.round(F.sum("fare"), 2).alias("fares"))
        .orderBy("day")
    )
