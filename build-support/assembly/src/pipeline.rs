//! A `cicd_pipeline!`: the pipeline stack and, for each stage, the stacks the pipeline deploys
//! there, the assets it publishes, the integration test it runs, and the build commands that
//! CodeBuild and `pipeline build-local` both run.

use crate::assets::Asset;
use crate::manifest::Stack;
use crate::value_ref::ValueRef;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Pipeline {
    /// The `cicd_pipeline!` handle.
    pub handle: String,
    /// The CodePipeline pipeline's name.
    pub name: String,
    /// The stack that holds the pipeline (one of the manifest's `stacks`).
    pub stack: String,
    /// Stack outputs of the pipeline stack: its name and ARN.
    pub name_output: String,
    pub arn_output: String,
    pub source: Source,
    pub build: Build,
    /// In the order the pipeline deploys them.
    pub stages: Vec<Stage>,
    /// Stacks of roles to deploy once in each other account (the replacement for
    /// `cdk bootstrap --trust`); deployed by hand with the AWS CLI, never by the pipeline.
    pub target_stacks: Vec<TargetStack>,
}

/// Where the pipeline gets the code.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// A CodeConnections connection (GitHub, GitLab, Bitbucket...).
    Connection {
        repository: String,
        branch: String,
        /// The connection's ARN: declared, or the pipeline stack's output.
        connection: ValueRef,
        /// Whether the pipeline stack creates the connection (it stays PENDING until someone
        /// completes it in the console).
        created: bool,
    },
    /// An existing CodeCommit repository.
    #[serde(rename = "codecommit")]
    CodeCommit { repository: String, branch: String },
}

/// The build stage: unit tests, then synthesis; what the artifact holds.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Build {
    /// The image the unit tests run in (EMR's Spark image), `$SPARK_IMAGE` in the commands.
    pub spark_image: String,
    /// Shell lines, run from the repository root with bash: `pip install .` and `pytest` of
    /// the Spark project in the Spark image, in Docker.
    pub unit_test_commands: Vec<String>,
    /// Shell lines: `cargo build` of the app crate, then the artifact folder.
    pub synth_commands: Vec<String>,
    /// The folder (relative to the repository root) the synthesis leaves the artifact in.
    pub artifact_dir: String,
    /// The app crate, relative to the repository root.
    pub app_path: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Stage {
    pub name: String,
    /// The account it deploys to; `None`: the pipeline's own.
    pub account: Option<String>,
    pub region: Option<String>,
    /// A manual approval before the stage deploys.
    pub approval: bool,
    /// The app's stacks in this stage (names prefixed with the stage), with their templates.
    pub stacks: Vec<Stack>,
    /// The stack of CodeBuild projects the pipeline deploys in the stage's account before
    /// the app (asset publishing, integration test), when the stage needs one.
    pub support_stack: Option<Stack>,
    /// The assets published after the stage's stacks deploy.
    pub assets: Vec<Asset>,
    pub integ_test: Option<IntegTest>,
    /// The stage's Kubernetes objects, each group applied by a CodeBuild project in its
    /// cluster's VPC (`pipeline kubernetes --stage S --group G`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kubernetes: Vec<crate::KubeGroup>,
}

/// An integration test: a script run by CodeBuild in the stage's account after it deploys.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct IntegTest {
    /// Relative to the repository root.
    pub script: String,
    /// Environment variables: literal values or the stage's stack outputs.
    pub env: Vec<(String, ValueRef)>,
}

/// The roles the pipeline assumes in another account.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TargetStack {
    pub account: String,
    pub region: Option<String>,
    /// The stack name to deploy it as, and its template file in the assembly.
    pub stack: String,
    pub template: String,
    /// The stages that deploy to this account.
    pub stages: Vec<String>,
    /// The template's parameter that takes the pipeline's account id.
    pub pipeline_account_parameter: String,
}

impl Pipeline {
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }
}
