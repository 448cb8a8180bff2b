//! DSF's `SparkEmrContainersRuntime` default example in sparkform: an EKS cluster whose public
//! API endpoint only 10.0.0.0/32 may reach (DSF left it open to 0.0.0.0/0), the virtual
//! cluster `dailyjob` in the namespace `dailyjobns`, the execution role `s3ReadExecRole`
//! reading `aws-data-analytics-workshops`, EMR's service-linked role, the default nodes with
//! their pod templates (outputs), and an interactive endpoint. Plus a nightly job on the
//! virtual cluster, on the shared profile's nodes.
//!
//! Interactive endpoints need managed or Karpenter nodes, so this runtime uses Karpenter;
//! leave `capacity` out for EKS Auto Mode.

use sparkform::prelude::*;

emr_eks_runtime!(pub EMR_EKS {
    admin_role: "arn:aws:iam::123456789012:role/role-name-with-path",
    public_access_cidrs: ["10.0.0.0/32"],
    capacity: karpenter,
    create_service_linked_role: true,
    virtual_clusters: [{ name: "dailyjob", namespace: "dailyjobns" }],
    execution_roles: [{
        name: "s3ReadExecRole",
        namespace: "dailyjobns",
        statements: [{
            actions: ["s3:GetObject", "s3:ListBucket"],
            resources: [
                "arn:${AWS::Partition}:s3:::aws-data-analytics-workshops",
                "arn:${AWS::Partition}:s3:::aws-data-analytics-workshops/*",
            ],
        }],
    }],
    interactive_endpoints: [{
        name: "interactiveSession",
        virtual_cluster: "dailyjob",
        execution_role: "s3ReadExecRole",
    }],
    start_job_roles: [{ id: "StartJobRole", assumed_by: "states.amazonaws.com" }],
    outputs: [critical_driver_pod_template, critical_executor_pod_template],
});

spark_job!(pub NIGHTLY {
    name: "nightly-pi",
    virtual_cluster: EMR_EKS.dailyjob,
    profile: shared,
    entry_point: "local:///usr/lib/spark/examples/src/main/python/pi.py",
    arguments: ["1000"],
    timeout_minutes: 60,
    schedule: "cron(0 2 * * ? *)",
});

sparkform::main!();
