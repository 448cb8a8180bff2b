//! `cargo run -- pipeline ...`: the app's `cicd_pipeline!` from this side.
//! - `status`: the latest executions, each stage and action with its state;
//! - `build-local`: the build stage's unit tests (in Docker) and synthesis, here, with the
//!   very commands CodeBuild runs (they are in the manifest);
//! - `roles`: how to deploy, once per account, the roles other accounts' stages need;
//! - `publish`: a stage's assets, as the stage's CodeBuild project runs it;
//! - `kubernetes`: a stage's Kubernetes objects, as the stage's project in the cluster's VPC
//!   runs it.

pub mod kube;
pub mod local;
pub mod publish;
#[cfg(feature = "pipeline")]
pub mod status;

use crate::assembly::Assembly;
use crate::cli::Cli;
use clap::Subcommand;
use sparkform_assembly::Pipeline;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The pipeline's latest executions, with each stage and action and its state.
    Status {
        /// How many executions to show.
        #[arg(long, default_value_t = 3)]
        limit: i32,
    },
    /// Run the build stage here, the way CodeBuild will: the Spark project's unit tests in
    /// EMR's Spark image (in Docker), then `cargo build` of the app into the artifact folder.
    #[command(name = "build-local")]
    BuildLocal {
        /// Run the unit tests in this image instead of the pipeline's (e.g. a local one when
        /// no registry is reachable).
        #[arg(long, value_name = "IMAGE")]
        image: Option<String>,
        /// The repository root; default: found from the crate's folder and `app_path`.
        #[arg(long, value_name = "DIR")]
        repo: Option<PathBuf>,
        /// Only the unit tests.
        #[arg(long)]
        unit_tests_only: bool,
    },
    /// Print how to deploy the roles that other accounts' stages need (once per account).
    Roles,
    /// Publish a stage's assets (the stage's CodeBuild project runs this).
    #[command(hide = true)]
    Publish {
        #[arg(long)]
        stage: String,
        /// Where the crate's files are (the source artifact's copy of the crate).
        #[arg(long, value_name = "DIR")]
        crate_dir: Option<PathBuf>,
    },
    /// Apply a stage's Kubernetes objects as this machine's identity (the stage's CodeBuild
    /// project in the cluster's VPC runs this; its role has the cluster's access entry).
    #[command(hide = true)]
    Kubernetes {
        #[arg(long)]
        stage: String,
        /// One group of objects (as the pipeline's action names it); default: every group.
        #[arg(long, value_name = "ID")]
        group: Option<String>,
    },
}

/// A stage of the pipeline by name, or the names there are.
pub fn stage<'a>(p: &'a Pipeline, name: &str) -> Result<&'a sparkform_assembly::pipeline::Stage, String> {
    p.stage(name).ok_or_else(|| {
        let names: Vec<&str> = p.stages.iter().map(|s| s.name.as_str()).collect();
        format!(
            "`{name}` is not a stage of {}; its stages: {}",
            p.name,
            names.join(", ")
        )
    })
}

/// The app's pipeline, or what to do when it has none.
pub fn of(asm: &Assembly) -> Result<&Pipeline, String> {
    asm.manifest.pipeline.as_ref().ok_or_else(|| {
        "this app declares no `cicd_pipeline!`; declare one (see the README's `cicd_pipeline!` section) and run `cargo build`".to_string()
    })
}

pub fn run(cli: &Cli, command: &Command, asm: &Assembly) -> Result<(), String> {
    let p = of(asm)?;
    match command {
        Command::BuildLocal {
            image,
            repo,
            unit_tests_only,
        } => local::build_local(asm, p, image.as_deref(), repo.as_deref(), *unit_tests_only, cli.json),
        Command::Roles => {
            for line in roles(asm, p) {
                println!("{line}");
            }
            Ok(())
        }
        #[cfg(feature = "pipeline")]
        Command::Status { limit } => block_on(status::status(p, *limit, cli.json)),
        #[cfg(not(feature = "pipeline"))]
        Command::Status { .. } => Err(
            "`pipeline status` reads the pipeline's executions with CodePipeline's API, which this app was built without: \
             add `features = [\"pipeline\"]` to the sparkform dependency in Cargo.toml and run it again"
                .into(),
        ),
        Command::Kubernetes { stage, group } => block_on(kube::apply(asm, p, stage, group.as_deref(), cli.json)),
        Command::Publish { stage, crate_dir } => block_on(async {
            publish::publish(asm, p, stage, crate_dir.as_deref(), cli.json)
                .await
                .map(|_| ())
        }),
    }
}

fn block_on<F: std::future::Future<Output = Result<(), String>>>(f: F) -> Result<(), String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?
        .block_on(f)
}

/// The AWS CLI commands that deploy the other accounts' role stacks (run once per account,
/// with that account's credentials, before the pipeline's first run).
pub fn roles(asm: &Assembly, p: &Pipeline) -> Vec<String> {
    if p.target_stacks.is_empty() {
        return vec![format!(
            "every stage of {} deploys in the pipeline's own account: its roles are in the pipeline stack {}",
            p.name, p.stack
        )];
    }
    let dir = PathBuf::from("target/sparkform").join(&asm.manifest.crate_name);
    let mut out = vec![format!(
        "The stages of {} in other accounts deploy through roles there. Deploy each stack once, with that account's credentials (replace PIPELINE_ACCOUNT with the pipeline's account id):",
        p.name
    )];
    for t in &p.target_stacks {
        let region = t
            .region
            .as_deref()
            .map(|r| format!(" --region {r}"))
            .unwrap_or_default();
        out.push(format!("\n# account {} (stages: {})", t.account, t.stages.join(", ")));
        out.push(format!(
            "aws cloudformation deploy --template-file {} --stack-name {} --parameter-overrides {}=PIPELINE_ACCOUNT --capabilities CAPABILITY_NAMED_IAM{region} --profile <profile of {}>",
            dir.join(&t.template).display(),
            t.stack,
            t.pipeline_account_parameter,
            t.account
        ));
    }
    out.push(
        "\nDeploy them again when the app gains a new kind of resource (the CloudFormation role's permissions follow the app's resource types)."
            .into(),
    );
    out
}
