"""Taxi trip aggregation, the sparkform quick start's Spark application."""
