//! sparkform's quick start: a PySpark job that aggregates taxi trips by pickup zone, packaged
//! with its Python dependency (`tabulate`) and run on EMR Serverless.
//!
//! - `cargo build -p quickstart` synthesizes and checks the templates
//!   (`target/sparkform/quickstart/`).
//! - `cargo run -p quickstart -- run TAXI_JOB --local` builds the package's virtualenv in
//!   Docker and runs the job with Spark in local mode on the sample data in `spark/data/`.
//! - `cargo run -p quickstart -- test` runs the Spark project's pytest suite (`spark/tests/`).
//! - `cargo run -p quickstart -- deploy`, then `run TAXI_JOB --wait`, on AWS (pass the data
//!   there with `arguments: ["--data", "s3://..."]`).

use sparkform::prelude::*;

spark_serverless_runtime!(pub SPARK_RUNTIME {
    name: "quickstart-runtime",
    execution_role: {
        statements: [{
            actions: ["s3:GetObject", "s3:ListBucket"],
            resources: ["arn:${AWS::Partition}:s3:::quickstart-taxi-data", "arn:${AWS::Partition}:s3:::quickstart-taxi-data/*"],
        }],
    },
});

pyspark_package!(pub TAXI_PKG {
    name: "taxi-aggregation",
    entrypoint: "spark/src/taxi/job.py",
    dependencies: "spark",
});

spark_job!(pub TAXI_JOB {
    name: "TaxiAggregation",
    runtime: SPARK_RUNTIME,
    entry_point: TAXI_PKG,
    arguments: ["--top", "5"],
    timeout_minutes: 30,
});

sparkform::main!();
