//! DSF's `spark-job-emr-eks` example: a nightly Spark job on an existing EMR on EKS virtual
//! cluster, run as an existing role, with 2 executors of 2 GB and 4 cores.

use sparkform::prelude::*;

spark_job!(pub SPARK_NIGHTLY_JOB {
    name: "daily_job",
    virtual_cluster_id: "exampleId123",
    execution_role: "arn:aws:iam::123456789012:role/role-name-with-path",
    entry_point: "local:///usr/lib/spark/examples/src/main/python/pi.py",
    spark_submit_parameters: "--conf spark.executor.instances=2 --conf spark.executor.memory=2G --conf spark.driver.memory=2G --conf spark.executor.cores=4",
    timeout_minutes: 15,
    s3_logs: { bucket: "emr-job-logs-example", prefix: "logs" },
});

sparkform::main!();
