// Paths are relative to the crate, here trybuild's generated project, where no file exists:
// the entry point is reported missing too.
use sparkform::prelude::*;

pyspark_package!(pub PKG {
    name: "nightly",
    entrypoint: "spark/src/job.py",
    base_image: "public.ecr.aws/amazonlinux/amazonlinux:2023",
});

fn main() {}
