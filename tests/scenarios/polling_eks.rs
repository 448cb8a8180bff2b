//! An EMR on EKS job with the polling loop, retries and CloudWatch logs.
use sparkform::prelude::*;

spark_job!(pub EKS_POLLING {
    name: "eks-polling",
    virtual_cluster_id: "abcdef0123456789",
    execution_role: "arn:aws:iam::123456789012:role/emr-eks-job-role",
    release_label: "emr-7.3.0-latest",
    entry_point: "s3://my-code-bucket/jobs/report.py",
    max_retries: 2,
    orchestration: polling(60),
    cloudwatch_logs: { log_group: "/emr-on-eks/jobs" },
    schedule: "cron(0/30 8-18 ? * MON-FRI *)",
});

fn main() {}
