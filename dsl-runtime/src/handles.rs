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
    };
}
