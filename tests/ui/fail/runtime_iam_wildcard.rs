use sparkform::prelude::*;

spark_serverless_runtime!(pub RUNTIME {
    name: "demo",
    execution_role: {
        statements: [{
            actions: ["*", "s3:*", "s3:Get*"],
            resources: ["arn:aws:s3:::my-bucket/*"],
        }],
    },
});

fn main() {}
