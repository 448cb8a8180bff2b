// `overrides` maps targets to `{ "path": value }` objects.
use sparkform::prelude::*;

spark_job!(pub JOB {
    name: "nightly",
    application_id: "00fabcdef1234567",
    execution_role: "arn:aws:iam::123456789012:role/job",
    entry_point: "s3://my-bucket/jobs/job.py",
    overrides: { StateMachine: "Properties.TracingConfiguration" },
});

pyspark_package!(pub PKG {
    name: "nightly",
    entrypoint: "venv-project/job.py",
    overrides: ["ArtifactsBucket"],
});

fn main() {}
