// Attributes published for stacks that are not sparkform's: the VPC and security group under
// names another team's template imports, the application ARN under sparkform's stable name,
// and a job in another stack that imports the runtime (which then uses those same exports).
use sparkform::prelude::*;

spark_serverless_runtime!(pub PLATFORM {
    name: "shared-platform",
    stack: "platform",
    execution_role: { managed_policy_arns: ["arn:${AWS::Partition}:iam::aws:policy/AmazonS3ReadOnlyAccess"] },
    exports: { vpc_id: "analytics-vpc", security_group_id: "analytics-spark-sg", application_id: "analytics-spark-app" },
    outputs: [application_arn],
});

spark_job!(pub REPORT {
    name: "daily-report",
    stack: "reports",
    runtime: PLATFORM,
    entry_point: "s3://reports-bucket/jobs/report.py",
    outputs: [state_machine_arn],
});

fn main() {
    println!("{} {}", PLATFORM.name, REPORT.name);
}
