"""The quick start's Spark job: the pickup zones that earn the most, from a CSV of taxi trips.

    spark-submit job.py [--data PATH] [--top N]

--data defaults to the sample data bundled with the project (spark/data/trips.csv), which is
what `cargo run -p quickstart -- run TAXI_JOB --local` reads; on EMR, pass an s3:// path.
"""

import argparse
import sys
from pathlib import Path

from pyspark.sql import SparkSession
from tabulate import tabulate

try:
    from taxi.transform import clean_trips, read_trips, revenue_by_zone, top_zones
except ImportError:  # run as a plain file, without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from taxi.transform import clean_trips, read_trips, revenue_by_zone, top_zones

# spark/src/taxi/job.py -> spark/data/trips.csv
SAMPLE_DATA = Path(__file__).resolve().parents[2] / "data" / "trips.csv"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(SAMPLE_DATA), help="CSV file or folder of trips (default: the sample data)")
    parser.add_argument("--top", type=int, default=5, help="how many zones to show (default: 5)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    spark = SparkSession.builder.appName("TaxiAggregation").getOrCreate()
    try:
        raw = read_trips(spark, args.data)
        trips = clean_trips(raw).cache()
        total, kept = raw.count(), trips.count()
        rows = top_zones(revenue_by_zone(trips), args.top).collect()
        print(f"Top {len(rows)} pickup zones by revenue ({kept} trips; {total - kept} invalid rows dropped):")
        print(
            tabulate(
                [(r.zone, r.trips, r.revenue_usd, r.avg_tip_pct) for r in rows],
                headers=["pickup zone", "trips", "revenue (USD)", "avg tip %"],
                tablefmt="github",
                floatfmt=(".2f", "d", ".2f", ".1f"),
            )
        )
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
