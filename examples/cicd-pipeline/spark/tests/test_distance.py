"""Unit tests, run by the pipeline's build stage before anything is deployed."""

import pytest

from weekly.distance import bucket, weekly_totals


def test_buckets():
    assert bucket(0.5) == "short"
    assert bucket(2.0) == "medium"
    assert bucket(42.0) == "long"


def test_negative_distance_is_an_error():
    with pytest.raises(ValueError):
        bucket(-1.0)


def test_weekly_totals():
    # PySpark comes from EMR's image; elsewhere this test is skipped.
    pyspark = pytest.importorskip("pyspark")
    spark = (
        pyspark.sql.SparkSession.builder.master("local[1]")
        .appName("local-tests")
        .config("spark.submit.deployMode", "client")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    df = spark.createDataFrame([(1.0,), (3.0,), (12.5,), (0.4,)], ["trip_distance"])
    rows = {r["bucket"]: (r["trips"], r["miles"]) for r in weekly_totals(df).collect()}
    assert rows == {"short": (2, 1.4), "medium": (1, 3.0), "long": (1, 12.5)}
    spark.stop()
