"""Nightly aggregation: reads trips (CSV or Parquet) and writes daily totals."""
import sys

from pyspark.sql import SparkSession

from nightly.aggregate import daily_totals


def main(argv):
    source = argv[1] if len(argv) > 1 else "s3://nyc-tlc/trip data/"
    spark = SparkSession.builder.appName("nightly-job-aggregation").getOrCreate()
    trips = spark.read.option("header", True).option("inferSchema", True).csv(source)
    daily_totals(trips).show(truncate=False)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv)
