use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "a-very-long-application-name-that-goes-on-and-on-past-the-limit-of-64",
});

fn main() {}
