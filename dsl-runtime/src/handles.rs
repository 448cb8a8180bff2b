//! Typed handles the macros expand to. They carry what the runtime needs to find the
//! deployed resources (stack name and output names), and they make a reference to a
//! construct that does not exist a rustc error.

/// A `spark_serverless_runtime!` declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SparkServerlessRuntime {
    /// The handle's Rust name, e.g. `SPARK_RUNTIME`.
    pub handle: &'static str,
    /// The stack that holds the application.
    pub stack: &'static str,
    /// The EMR Serverless application name.
    pub name: &'static str,
    pub release_label: &'static str,
    /// Stack output holding the application id.
    pub application_id_output: &'static str,
    /// Stack output holding the application ARN.
    pub application_arn_output: &'static str,
    /// Stack output holding the execution role ARN, when the runtime declares one.
    pub execution_role_arn_output: Option<&'static str>,
    /// The `execution_role!` the runtime runs its jobs as, instead of a role of its own.
    pub shared_role: Option<&'static ExecutionRole>,
    /// (attribute, stack output) for every attribute of the declaration.
    pub attributes: &'static [(&'static str, &'static str)],
}

impl SparkServerlessRuntime {
    /// Stands in for a declaration that failed to compile, so only its real errors show.
    pub const PLACEHOLDER: Self = SparkServerlessRuntime {
        handle: "",
        stack: "",
        name: "",
        release_label: "",
        application_id_output: "",
        application_arn_output: "",
        execution_role_arn_output: None,
        shared_role: None,
        attributes: &[],
    };

    /// The runtime as a job's role (what `execution_role: RUNTIME` expands to).
    pub const fn as_job_role(&'static self) -> JobRole {
        JobRole::OfRuntime(self)
    }
}

/// An `execution_role!` declaration: a job execution role shared by runtimes and jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecutionRole {
    pub handle: &'static str,
    /// The stack that holds the role.
    pub stack: &'static str,
    /// Stack output holding the role ARN.
    pub role_arn_output: &'static str,
    /// Stack output holding the role name.
    pub role_name_output: &'static str,
    /// (attribute, stack output) for every attribute of the declaration.
    pub attributes: &'static [(&'static str, &'static str)],
}

impl ExecutionRole {
    pub const PLACEHOLDER: Self = ExecutionRole {
        handle: "",
        stack: "",
        role_arn_output: "",
        role_name_output: "",
        attributes: &[],
    };

    /// The role as a job's role (what `execution_role: ROLE` expands to).
    pub const fn as_job_role(&'static self) -> JobRole {
        JobRole::Shared(self)
    }
}

/// An `emr_eks_runtime!` declaration: an EKS cluster for EMR on EKS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmrEksRuntime {
    pub handle: &'static str,
    /// The stack that holds the cluster.
    pub stack: &'static str,
    /// The stack that holds the virtual clusters (deployed after the Kubernetes objects).
    pub virtual_cluster_stack: &'static str,
    pub cluster_name: &'static str,
    /// The EMR release jobs and endpoints get unless they name one.
    pub release_label: &'static str,
    pub virtual_clusters: &'static [VirtualClusterHandle],
    pub execution_roles: &'static [EksRoleHandle],
    /// (attribute, stack output) for every attribute of the declaration.
    pub attributes: &'static [(&'static str, &'static str)],
}

/// A virtual cluster of an `emr_eks_runtime!`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VirtualClusterHandle {
    pub name: &'static str,
    pub namespace: &'static str,
    /// Outputs of the virtual clusters' stack with its id and ARN.
    pub id_output: &'static str,
    pub arn_output: &'static str,
}

/// A job execution role of an `emr_eks_runtime!`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EksRoleHandle {
    pub name: &'static str,
    pub namespace: &'static str,
    /// Output of the cluster's stack with the role's ARN.
    pub arn_output: &'static str,
}

impl EmrEksRuntime {
    pub const PLACEHOLDER: Self = EmrEksRuntime {
        handle: "",
        stack: "",
        virtual_cluster_stack: "",
        cluster_name: "",
        release_label: "",
        virtual_clusters: &[],
        execution_roles: &[],
        attributes: &[],
    };

    /// The virtual cluster named `name`.
    pub fn virtual_cluster(&self, name: &str) -> Option<&'static VirtualClusterHandle> {
        self.virtual_clusters.iter().find(|v| v.name == name)
    }
}

/// A `spark_job!` declaration.
#[derive(Debug, Clone, Copy)]
pub struct SparkJob {
    pub handle: &'static str,
    pub stack: &'static str,
    /// The job run name.
    pub name: &'static str,
    pub target: JobTarget,
    pub execution_role: JobRole,
    /// Stack output holding the state machine ARN.
    pub state_machine_arn_output: &'static str,
    /// Stack output holding the log bucket the job created, if it created one.
    pub log_bucket_output: Option<&'static str>,
    /// `s3://bucket/prefix/` of the logs (`${LogBucket}` stands for a created bucket).
    pub log_uri: Option<&'static str>,
    pub timeout_minutes: u32,
    /// How the state machine waits: `None` is the optimized `.sync` integration,
    /// `Some(n)` polls every `n` seconds.
    pub polling_interval_seconds: Option<u32>,
    /// The package whose entry point the job runs, if any.
    pub package: Option<&'static PySparkPackage>,
    /// (attribute, stack output) for every attribute of the declaration.
    pub attributes: &'static [(&'static str, &'static str)],
}

/// Where a job runs.
#[derive(Debug, Clone, Copy)]
pub enum JobTarget {
    Runtime(&'static SparkServerlessRuntime),
    ApplicationId(&'static str),
    VirtualCluster(&'static str),
    /// A virtual cluster (by name) of an `emr_eks_runtime!`.
    OnEks(&'static EmrEksRuntime, &'static str),
}

/// The role a job runs as.
#[derive(Debug, Clone, Copy)]
pub enum JobRole {
    /// The execution role declared by this runtime.
    OfRuntime(&'static SparkServerlessRuntime),
    /// An `execution_role!`.
    Shared(&'static ExecutionRole),
    Arn(&'static str),
    /// An execution role (by name) of an `emr_eks_runtime!`; empty: the one role of the
    /// job's virtual cluster's namespace.
    OfEks(&'static EmrEksRuntime, &'static str),
}

impl SparkJob {
    pub const PLACEHOLDER: Self = SparkJob {
        handle: "",
        stack: "",
        name: "",
        target: JobTarget::ApplicationId(""),
        execution_role: JobRole::Arn(""),
        state_machine_arn_output: "",
        log_bucket_output: None,
        log_uri: None,
        timeout_minutes: 0,
        polling_interval_seconds: None,
        package: None,
        attributes: &[],
    };
}

/// A `pyspark_package!` declaration.
#[derive(Debug, Clone, Copy)]
pub struct PySparkPackage {
    pub handle: &'static str,
    pub stack: &'static str,
    /// The application name (the S3 prefix under `emr-artifacts/`).
    pub name: &'static str,
    /// Stack output holding the artifacts bucket name.
    pub bucket_output: &'static str,
    /// S3 key of the entry point (it contains a hash of the file).
    pub entrypoint_key: &'static str,
    /// S3 key of the venv archive, when the package has dependencies.
    pub venv_key: Option<&'static str>,
    /// The Spark conf that activates the venv on EMR Serverless (`${ArtifactsBucket}` is the
    /// bucket); empty without dependencies.
    pub spark_venv_conf: &'static str,
    /// (attribute, stack output) for every attribute of the declaration.
    pub attributes: &'static [(&'static str, &'static str)],
}

impl PySparkPackage {
    pub const PLACEHOLDER: Self = PySparkPackage {
        handle: "",
        stack: "",
        name: "",
        bucket_output: "",
        entrypoint_key: "",
        venv_key: None,
        spark_venv_conf: "",
        attributes: &[],
    };
}

/// A `cicd_pipeline!` declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CicdPipeline {
    pub handle: &'static str,
    /// The stack that holds the pipeline.
    pub stack: &'static str,
    /// The CodePipeline pipeline's name.
    pub name: &'static str,
    /// Stack outputs holding the pipeline's name and ARN.
    pub name_output: &'static str,
    pub arn_output: &'static str,
    /// The stages, in the order the pipeline deploys them.
    pub stages: &'static [&'static str],
}

impl CicdPipeline {
    pub const PLACEHOLDER: Self = CicdPipeline {
        handle: "",
        stack: "",
        name: "",
        name_output: "",
        arn_output: "",
        stages: &[],
    };
}

/// A `cfn_resource!` declaration: a raw CloudFormation resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CfnResource {
    pub handle: &'static str,
    pub stack: &'static str,
    /// Its logical ID in the stack's template.
    pub logical_id: &'static str,
    /// `AWS::SNS::Topic`.
    pub resource_type: &'static str,
    /// (attribute, stack output) of `Ref` and each `Fn::GetAtt` name. Only the attributes the
    /// app exports or imports across stacks are outputs of the deployed stack.
    pub attributes: &'static [(&'static str, &'static str)],
}

impl CfnResource {
    pub const PLACEHOLDER: Self = CfnResource {
        handle: "",
        stack: "",
        logical_id: "",
        resource_type: "",
        attributes: &[],
    };
}
