//! The sparkform macros: a shim over `sparkform-build`, which parses and checks each body
//! with the same code build.rs runs, reports every problem on its token, and expands to a
//! typed handle (`static NAME: sparkform::...`), so references between constructs are
//! checked by rustc and `cargo run` code can use them. One function per row of the
//! construct table (`sparkform_build::constructs::TABLE`).

use proc_macro::TokenStream;

fn run(macro_name: &str, input: TokenStream) -> TokenStream {
    sparkform_build::expand::macro_call(macro_name, input.into()).into()
}

/// Declares an EMR Serverless runtime (DSF's `SparkEmrServerlessRuntime`): the application,
/// a VPC unless `network` is given, an execution role and start-job grants.
///
/// ```text
/// spark_serverless_runtime!(pub SPARK_RUNTIME {
///     name: "spark-serverless-demo",
///     release_label: "emr-7.9.0",
///     execution_role: {
///         statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::my-bucket/*"] }],
///     },
///     start_job_roles: [{ id: "JobTrigger", assumed_by: "lambda.amazonaws.com" }],
/// });
/// ```
/// Every field is documented in the README's DSL reference.
#[proc_macro]
pub fn spark_serverless_runtime(input: TokenStream) -> TokenStream {
    run("spark_serverless_runtime", input)
}

/// Declares an EMR on EKS runtime (DSF's `SparkEmrContainersRuntime`) in native
/// CloudFormation: an EKS cluster (Auto Mode by default, or Karpenter or node groups),
/// virtual clusters, Pod Identity execution roles, pod templates, interactive endpoints and
/// start-job grants; namespaces and node pools are applied by `cargo run -- deploy`.
///
/// ```text
/// emr_eks_runtime!(pub EKS {
///     admin_role: "arn:aws:iam::123456789012:role/eks-admin",
///     public_access_cidrs: ["203.0.113.0/24"],
///     virtual_clusters: [{ name: "dailyjob", namespace: "dailyjobns" }],
///     execution_roles: [{ name: "s3ReadExecRole", namespace: "dailyjobns",
///         statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::my-bucket/*"] }] }],
/// });
/// ```
#[proc_macro]
pub fn emr_eks_runtime(input: TokenStream) -> TokenStream {
    run("emr_eks_runtime", input)
}

/// Declares a Spark job (DSF's `SparkEmrServerlessJob` and `SparkEmrContainersJob`): a Step
/// Functions state machine that starts the job and waits for it, with logs and a schedule.
///
/// ```text
/// spark_job!(pub NIGHTLY {
///     name: "nightly-aggregation",
///     runtime: SPARK_RUNTIME,
///     entry_point: "s3://my-bucket/jobs/aggregate.py",
///     timeout_minutes: 15,
///     schedule: "cron(0 2 * * ? *)",
/// });
/// ```
#[proc_macro]
pub fn spark_job(input: TokenStream) -> TokenStream {
    run("spark_job", input)
}

/// Declares a PySpark application package (DSF's `PySparkApplicationPackage`): the entry
/// point and, with `dependencies`, a virtualenv archive built in Docker, both uploaded by
/// `cargo run -- deploy` under content-hashed keys to a secure artifacts bucket.
///
/// ```text
/// pyspark_package!(pub NIGHTLY_PKG {
///     name: "nightly-job-aggregation",
///     entrypoint: "spark/src/entrypoint.py",
///     dependencies: "spark",
/// });
/// ```
#[proc_macro]
pub fn pyspark_package(input: TokenStream) -> TokenStream {
    run("pyspark_package", input)
}

/// Declares a job execution role shared by several runtimes and jobs (DSF's
/// `createExecutionRole` and static `grantStartJobExecution`): EMR Serverless may assume it
/// for the applications that use it.
///
/// ```text
/// execution_role!(pub ANALYTICS_ROLE {
///     statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::my-data/*"] }],
/// });
/// spark_serverless_runtime!(pub RUNTIME { name: "analytics", execution_role: ANALYTICS_ROLE });
/// ```
#[proc_macro]
pub fn execution_role(input: TokenStream) -> TokenStream {
    run("execution_role", input)
}

/// Declares the app's CI/CD pipeline (DSF's `SparkEmrCICDPipeline`) in native
/// CloudFormation: a connection source, a build stage (unit tests in EMR's Spark image, then
/// `cargo build` of the app), its own update, and one stage per environment (cross-account
/// through roles sparkform synthesizes), with integration tests fed by stack outputs.
///
/// ```text
/// cicd_pipeline!(pub PIPELINE {
///     name: "SparkTest",
///     repository: "owner/weekly-job",
///     branch: "mainline",
///     spark_path: "spark",
///     integ_test: { script: "spark/integ.sh", env: { STEP_FUNCTION_ARN: NIGHTLY.state_machine_arn } },
/// });
/// ```
/// The other constructs take per-stage values with `by_stage({ prod: ..., default: ... })`.
#[proc_macro]
pub fn cicd_pipeline(input: TokenStream) -> TokenStream {
    run("cicd_pipeline", input)
}

/// Declares any CloudFormation resource beside the constructs (CDK's L1 constructs), checked
/// against the resource schemas: the type, property names, required properties, kinds,
/// enums and patterns; read-only properties are refused.
///
/// ```text
/// cfn_resource!(pub ALERTS {
///     type: "AWS::SNS::Topic",
///     properties: { TopicName: "spark-alerts", KmsMasterKeyId: "alias/aws/sns" },
///     exports: { TopicArn: "team-spark-alerts" },
/// });
/// ```
/// Other declarations name it `ALERTS` (its `Ref`), `ALERTS.TopicArn` or `"${ALERTS.TopicArn}"`.
#[proc_macro]
pub fn cfn_resource(input: TokenStream) -> TokenStream {
    run("cfn_resource", input)
}
