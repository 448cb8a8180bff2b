//! A runtime in one stack and a job in another: the job imports the runtime's exports and
//! its stack deploys after the runtime's.
use sparkform::prelude::*;

spark_serverless_runtime!(pub SHARED_RUNTIME {
    name: "shared",
    stack: "platform",
    network: { subnet_ids: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"], security_group_ids: ["sg-0123456789abcdef0"] },
    execution_role: { managed_policy_arns: ["arn:${AWS::Partition}:iam::aws:policy/AmazonS3ReadOnlyAccess"] },
    start_job_roles: [
        { id: "Scheduler", assumed_by: ["states.amazonaws.com", "123456789012"] },
        { arn: "arn:aws:iam::123456789012:role/ops/existing-trigger" },
    ],
});

spark_job!(pub TEAM_JOB {
    name: "team-job",
    stack: "team-jobs",
    runtime: SHARED_RUNTIME,
    entry_point: "s3://my-code-bucket/jobs/team.py",
});

fn main() {}
