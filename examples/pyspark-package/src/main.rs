//! DSF's `pyspark-application-emr-serverless` example: a PySpark application whose
//! dependencies are packed into a virtualenv by its own Dockerfile, uploaded with the entry
//! point to a secure artifacts bucket, and run nightly on EMR Serverless. The job's entry
//! point is the package: sparkform adds the Spark conf that activates the virtualenv.

use sparkform::prelude::*;

spark_serverless_runtime!(pub SPARK_RUNTIME {
    name: "nightly-aggregation",
    execution_role: {
        statements: [{
            actions: ["s3:GetObject", "s3:ListBucket"],
            resources: ["arn:${AWS::Partition}:s3:::nyc-tlc", "arn:${AWS::Partition}:s3:::nyc-tlc/*"],
        }],
    },
});

pyspark_package!(pub NIGHTLY_PKG {
    name: "nightly-job-aggregation",
    entrypoint: "spark/src/entrypoint.py",
    dependencies: "spark",
    venv_archive_path: "/venv-package/pyspark-env.tar.gz",
});

spark_job!(pub NIGHTLY_JOB {
    name: "nightly_job",
    runtime: SPARK_RUNTIME,
    entry_point: NIGHTLY_PKG,
    spark_submit_parameters: "--conf spark.executor.instances=2 --conf spark.executor.memory=4g",
    timeout_minutes: 60,
    schedule: "cron(0 1 * * ? *)",
});

sparkform::main!();
