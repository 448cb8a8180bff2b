"""Pure transformations of taxi trips: DataFrames in, DataFrames out, no I/O."""

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

TRIP_SCHEMA = StructType(
    [
        StructField("trip_id", StringType()),
        StructField("pickup_zone", StringType()),
        StructField("dropoff_zone", StringType()),
        StructField("distance_miles", DoubleType()),
        StructField("fare_usd", DoubleType()),
        StructField("tip_usd", DoubleType()),
    ]
)


def read_trips(spark: SparkSession, path: str) -> DataFrame:
    """Trips from a CSV file (or folder) with a header line, typed by TRIP_SCHEMA."""
    return spark.read.csv(path, header=True, schema=TRIP_SCHEMA)


def clean_trips(trips: DataFrame) -> DataFrame:
    """Drops trips without a pickup zone, with no distance or with a negative fare or tip."""
    return trips.where(
        (F.trim(F.col("pickup_zone")) != "")
        & (F.col("distance_miles") > 0)
        & (F.col("fare_usd") >= 0)
        & (F.col("tip_usd") >= 0)
    )


def revenue_by_zone(trips: DataFrame) -> DataFrame:
    """Per pickup zone: trips, revenue (fares plus tips) and the average tip as a share of the
    fare, highest revenue first (ties by zone name)."""
    return (
        trips.groupBy(F.col("pickup_zone").alias("zone"))
        .agg(
            F.count("*").alias("trips"),
            F.round(F.sum(F.col("fare_usd") + F.col("tip_usd")), 2).alias("revenue_usd"),
            F.round(F.avg(F.when(F.col("fare_usd") > 0, F.col("tip_usd") / F.col("fare_usd") * 100)), 1).alias(
                "avg_tip_pct"
            ),
        )
        .orderBy(F.col("revenue_usd").desc(), F.col("zone"))
    )


def top_zones(by_zone: DataFrame, n: int) -> DataFrame:
    """The first n zones of revenue_by_zone's result."""
    return by_zone.limit(n)
