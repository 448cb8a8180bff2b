use sparkform::prelude::*;

spark_job!(pub JOB {
    name: "nightly",
    entry_point: "s3://my-bucket/jobs/job.py",
});

fn main() {}
