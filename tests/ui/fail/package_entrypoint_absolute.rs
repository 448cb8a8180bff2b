use sparkform::prelude::*;

pyspark_package!(pub PKG {
    name: "nightly",
    entrypoint: "/home/me/spark/src/job.py",
});

fn main() {}
