// The runtime handle is checked by rustc: an unknown name is its own error, at the name.
use sparkform::prelude::*;

spark_job!(pub JOB {
    name: "nightly",
    runtime: NO_SUCH_RUNTIME,
    entry_point: "s3://my-bucket/jobs/job.py",
});

fn main() {}
