//! DSF's `spark-emr-runtime-serverless-default` example: an EMR Serverless runtime with the
//! default VPC, an execution role that may read one bucket, and a Lambda-assumed role that
//! may start jobs on it. The application ARN and id are stack outputs.

use sparkform::prelude::*;

spark_serverless_runtime!(pub SPARK_RUNTIME {
    name: "spark-serverless-demo",
    execution_role: {
        statements: [{
            actions: ["s3:GetObject"],
            resources: ["arn:${AWS::Partition}:s3:::my-data-bucket/*"],
        }],
    },
    start_job_roles: [{ id: "JobTrigger", assumed_by: "lambda.amazonaws.com" }],
});

sparkform::main!();
