// Paths are relative to the crate (here trybuild's generated project, which has no `spark`).
use sparkform::prelude::*;

pyspark_package!(pub PKG {
    name: "nightly",
    entrypoint: "spark/src/job.py",
});

fn main() {}
