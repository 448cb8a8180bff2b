import pytest
from pyspark.sql import SparkSession

from nightly.aggregate import daily_totals, day_of


@pytest.fixture(scope="session")
def spark():
    s = SparkSession.builder.master("local[1]").appName("tests").getOrCreate()
    yield s
    s.stop()


def test_day_of_reads_common_formats():
    assert day_of("2024-03-01 23:59:00") == "2024-03-01"
    assert day_of("03/02/2024 00:10") == "2024-03-02"


def test_daily_totals(spark):
    trips = spark.createDataFrame(
        [("2024-03-01 08:00:00", 2.5, 10.0), ("2024-03-01 09:00:00", 1.5, 7.5), ("2024-03-02 10:00:00", 4.0, 15.0)],
        ["pickup_time", "distance", "fare"],
    )
    rows = [r.asDict() for r in daily_totals(trips).collect()]
    assert rows == [
        {"day": "2024-03-01", "trips": 2, "distance": 4.0, "fares": 17.5},
        {"day": "2024-03-02", "trips": 1, "distance": 4.0, "fares": 15.0},
    ]
