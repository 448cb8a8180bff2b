"""Unit tests of taxi.transform on a local SparkSession: what the pipeline's test stage and
`cargo run -p quickstart -- test` run."""

from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from taxi.transform import TRIP_SCHEMA, clean_trips, read_trips, revenue_by_zone, top_zones

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "data" / "trips.csv"


@pytest.fixture(scope="session")
def spark():
    session = (
        SparkSession.builder.master("local[1]")
        .appName("taxi-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    yield session
    session.stop()


def trips(spark, rows):
    return spark.createDataFrame(rows, TRIP_SCHEMA)


def test_clean_trips_drops_invalid_rows(spark):
    df = trips(
        spark,
        [
            ("a", "Midtown", "SoHo", 2.0, 10.0, 2.0),
            ("b", "", "SoHo", 2.0, 10.0, 2.0),
            ("c", None, "SoHo", 2.0, 10.0, 2.0),
            ("d", "Midtown", "SoHo", 0.0, 3.0, 0.0),
            ("e", "Midtown", "SoHo", 1.0, -5.0, 0.0),
        ],
    )
    assert [r.trip_id for r in clean_trips(df).collect()] == ["a"]


def test_revenue_by_zone_adds_fares_and_tips(spark):
    df = trips(
        spark,
        [
            ("a", "SoHo", "Midtown", 2.0, 10.0, 2.0),
            ("b", "SoHo", "Chelsea", 1.0, 20.0, 0.0),
            ("c", "Harlem", "Midtown", 3.0, 15.0, 3.0),
        ],
    )
    rows = [r.asDict() for r in revenue_by_zone(df).collect()]
    assert rows == [
        {"zone": "SoHo", "trips": 2, "revenue_usd": 32.0, "avg_tip_pct": 10.0},
        {"zone": "Harlem", "trips": 1, "revenue_usd": 18.0, "avg_tip_pct": 20.0},
    ]


def test_top_zones_breaks_ties_by_name(spark):
    df = trips(
        spark,
        [
            ("a", "SoHo", "Midtown", 1.0, 10.0, 0.0),
            ("b", "Astoria", "Midtown", 1.0, 10.0, 0.0),
            ("c", "Chelsea", "Midtown", 1.0, 5.0, 0.0),
        ],
    )
    assert [r.zone for r in top_zones(revenue_by_zone(df), 2).collect()] == ["Astoria", "SoHo"]


def test_sample_data_top_zones(spark):
    raw = read_trips(spark, str(SAMPLE_DATA))
    assert raw.count() == 203
    cleaned = clean_trips(raw)
    assert cleaned.count() == 200
    top = top_zones(revenue_by_zone(cleaned), 3).collect()
    assert [(r.zone, r.trips, r.revenue_usd) for r in top] == [
        ("JFK Airport", 16, 886.18),
        ("Midtown", 38, 681.96),
        ("LaGuardia Airport", 16, 542.89),
    ]
