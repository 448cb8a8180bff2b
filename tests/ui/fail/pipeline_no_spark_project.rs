// The build stage runs pip install . in the Spark project: it needs a pyproject.toml or setup.py.
use sparkform::prelude::*;

cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    repository: "owner/weekly-job",
    // trybuild's project folder has a Cargo.toml and no Python project.
    spark_path: ".",
});

fn main() {}
