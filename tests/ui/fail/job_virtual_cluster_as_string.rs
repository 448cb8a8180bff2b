// `virtual_cluster` takes a virtual cluster of a runtime, not a string.
use sparkform::prelude::*;

spark_job!(pub JOB {
    name: "nightly",
    virtual_cluster: "dailyjob",
    entry_point: "s3://my-bucket/jobs/job.py",
});

fn main() {}
