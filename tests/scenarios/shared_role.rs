// One execution role for two runtimes and their jobs (DSF's createExecutionRole and
// grantStartJobExecution): EMR Serverless may assume it only for the two applications, and
// an operations role may start jobs on them and on an application outside this crate.
use sparkform::prelude::*;

execution_role!(pub ANALYTICS_ROLE {
    stack: "analytics",
    role_name: "analytics-spark-jobs",
    statements: [{ actions: ["s3:GetObject", "s3:ListBucket"], resources: ["arn:${AWS::Partition}:s3:::analytics-data", "arn:${AWS::Partition}:s3:::analytics-data/*"] }],
    start_job_roles: [{ id: "OpsScheduler", assumed_by: "states.amazonaws.com" }],
    applications: ["00fexternal12345"],
});

spark_serverless_runtime!(pub BATCH {
    name: "analytics-batch",
    stack: "analytics",
    network: { subnet_ids: ["subnet-0123456789abcdef0"], security_group_ids: ["sg-0123456789abcdef0"] },
    execution_role: ANALYTICS_ROLE,
});

spark_serverless_runtime!(pub ADHOC {
    name: "analytics-adhoc",
    stack: "analytics",
    network: { subnet_ids: ["subnet-0123456789abcdef0"], security_group_ids: ["sg-0123456789abcdef0"] },
    execution_role: ANALYTICS_ROLE,
    start_job_roles: [{ arn: "arn:aws:iam::123456789012:role/analysts" }],
});

spark_job!(pub NIGHTLY {
    name: "nightly",
    stack: "analytics-jobs",
    runtime: BATCH,
    entry_point: "s3://analytics-code/jobs/nightly.py",
});

spark_job!(pub BACKFILL {
    name: "backfill",
    stack: "analytics-jobs",
    runtime: ADHOC,
    execution_role: ANALYTICS_ROLE,
    entry_point: "s3://analytics-code/jobs/backfill.py",
});

fn main() {
    println!("{} {}", NIGHTLY.name, BACKFILL.name);
}
