"""The weekly job: totals per trip-distance bucket of the trips at the input path."""

import sys

from pyspark.sql import SparkSession

from weekly.distance import weekly_totals


def main(argv):
    source = argv[1] if len(argv) > 1 else "s3://nyc-tlc/trip data/yellow_tripdata_2019-01.parquet"
    spark = SparkSession.builder.appName("SparkTest weekly").getOrCreate()
    weekly_totals(spark.read.parquet(source)).show()
    spark.stop()


if __name__ == "__main__":
    main(sys.argv)
