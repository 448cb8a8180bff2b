//! Deployed values in the app's own code: a [`Context`] (AWS clients and the stack outputs,
//! read once per stack for the run) that handles resolve their attributes through, e.g.
//! `SPARK_RUNTIME.application_id(&ctx).await?`, and [`main_with`], the CLI with the app's
//! own subcommands beside sparkform's (`sparkform::main!(Ops => handle)`).

use crate::assembly::Assembly;
use crate::aws::Aws;
use crate::deploy::api::CloudFormation;
use crate::deploy::sdk::Sdk;
use crate::handles::{CfnResource, ExecutionRole, PySparkPackage, SparkJob, SparkServerlessRuntime};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Mutex;

/// What the app's own code returns: any error, shown as `error: <message>` with exit code 1.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// A boxed future, for handlers of the app's own subcommands.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The deployed app, as the app's own code sees it.
pub struct Context {
    pub assembly: Assembly,
    /// The AWS clients sparkform uses (standard environment, `AWS_ENDPOINT_URL` honoured).
    pub aws: Aws,
    /// `--json` was given: keep stdout for machine-readable results.
    pub json: bool,
    /// `--yes` was given.
    pub yes: bool,
    outputs: Mutex<BTreeMap<String, BTreeMap<String, String>>>,
}

/// A value a deployed stack does not have.
#[derive(Debug)]
pub struct NotDeployed(String);

impl std::fmt::Display for NotDeployed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotDeployed {}

impl Context {
    /// Loads the AWS configuration (credentials resolved once, with clear errors).
    pub async fn load(assembly: Assembly) -> Result<Context, Error> {
        let aws = Aws::load().await?;
        Ok(Context {
            assembly,
            aws,
            json: false,
            yes: false,
            outputs: Mutex::new(BTreeMap::new()),
        })
    }

    /// Output `output` of deployed stack `stack`; the stack's outputs are read once a run.
    pub async fn output(&self, stack: &str, output: &str) -> Result<String, Error> {
        let cached = self.outputs.lock().ok().and_then(|m| m.get(stack).cloned());
        let outputs = match cached {
            Some(o) => o,
            None => {
                let info = Sdk(self.aws.cfn.clone()).describe(stack).await?.ok_or_else(|| {
                    NotDeployed(format!(
                        "stack {stack} is not deployed: deploy it first (`cargo run -- deploy {stack}`)"
                    ))
                })?;
                if let Ok(mut m) = self.outputs.lock() {
                    m.insert(stack.to_string(), info.outputs.clone());
                }
                info.outputs
            }
        };
        if let Some(v) = outputs.get(output) {
            return Ok(v.clone());
        }
        let cfn = Sdk(self.aws.cfn.clone());
        if let Some(v) = crate::deploy::outputs::ref_fallback(&self.assembly, &cfn, stack, output).await? {
            if let Ok(mut m) = self.outputs.lock() {
                m.entry(stack.to_string())
                    .or_default()
                    .insert(output.to_string(), v.clone());
            }
            return Ok(v);
        }
        Err(NotDeployed(format!(
            "stack {stack} has no output {output}: it was deployed from another version of this app; deploy it again (`cargo run -- deploy {stack}`)"
        ))
        .into())
    }

    /// Attribute `name` of a handle (its stack and attribute table).
    pub async fn attribute(
        &self,
        handle: &str,
        stack: &str,
        attributes: &[(&str, &str)],
        name: &str,
    ) -> Result<String, Error> {
        let Some((_, output)) = attributes.iter().find(|(a, _)| *a == name) else {
            let known: Vec<&str> = attributes.iter().map(|(a, _)| *a).collect();
            return Err(NotDeployed(format!(
                "`{handle}` has no attribute `{name}`; its attributes are: {}",
                known.join(", ")
            ))
            .into());
        };
        self.output(stack, output).await
    }

    /// Starts a job through its state machine, with `input` as the execution's input (the
    /// state machine passes it on); returns the execution ARN.
    pub async fn start(&self, job: &SparkJob, input: serde_json::Value) -> Result<String, Error> {
        let arn = job.state_machine_arn(self).await?;
        let out = self
            .aws
            .sfn
            .start_execution()
            .state_machine_arn(&arn)
            .input(input.to_string())
            .send()
            .await
            .map_err(|e| crate::aws::explain(&format!("cannot start the state machine of {}", job.name), &e))?;
        Ok(out.execution_arn().to_string())
    }
}

/// Accessors for every attribute of a handle type, resolved from its deployed stack.
macro_rules! accessors {
    ($ty:ty: $($name:ident),* $(,)?) => {
        impl $ty {
            /// Attribute `name` of the deployed declaration (see the README's attribute lists).
            pub async fn attribute(&self, ctx: &Context, name: &str) -> Result<String, Error> {
                ctx.attribute(self.handle, self.stack, self.attributes, name).await
            }
            $(
                #[doc = concat!("`", stringify!($name), "` of the deployed declaration.")]
                pub async fn $name(&self, ctx: &Context) -> Result<String, Error> {
                    self.attribute(ctx, stringify!($name)).await
                }
            )*
        }
    };
}

accessors!(SparkServerlessRuntime: application_id, application_arn, execution_role_arn, execution_role_name,
    vpc_id, private_subnet_ids, security_group_id, s3_endpoint_id, flow_log_group_name, flow_log_key_arn, flow_log_role_arn);
accessors!(SparkJob: state_machine_arn, state_machine_name, state_machine_log_group_name, state_machine_log_group_arn,
    log_bucket_name);
accessors!(PySparkPackage: artifacts_bucket_name, entrypoint_uri, venv_archive_uri, spark_venv_conf,
    access_logs_bucket_name);
accessors!(ExecutionRole: role_arn, role_name);
accessors!(CfnResource:);

/// A handler of the app's own subcommands (see [`crate::main!`]).
pub type Handler<U> = for<'a> fn(&'a Context, U) -> BoxFuture<'a, Result<(), Error>>;

/// The CLI with the app's own subcommands `U` beside sparkform's: `U`'s subcommands run
/// `handler` with a [`Context`]; everything else is sparkform's CLI.
pub fn main_with<U: clap::Subcommand>(json: &str, handler: Handler<U>) -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let assembly = match Assembly::from_embedded(json) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let ours = crate::cli::Cli::command();
    let clash: Vec<String> = ours
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|n| U::has_subcommand(n))
        .collect();
    if !clash.is_empty() {
        eprintln!(
            "error: the app's subcommand {} has the name of one of sparkform's: rename it (`#[command(name = \"...\")]`)",
            clash.join(", ")
        );
        return ExitCode::from(2);
    }
    let matches = match U::augment_subcommands(ours).try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let user = matches.subcommand_name().is_some_and(U::has_subcommand);
    if !user {
        return match crate::cli::Cli::from_arg_matches(&matches) {
            Ok(cli) => crate::cli::finish(crate::cli::run(&cli, &assembly)),
            Err(e) => {
                let _ = e.print();
                ExitCode::from(2)
            }
        };
    }
    let command = match U::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(2);
        }
    };
    crate::aws::set_verbose(matches.get_flag("verbose"));
    let result: Result<(), Error> = (|| {
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        rt.block_on(async {
            let mut ctx = Context::load(assembly).await?;
            ctx.json = matches.get_flag("json");
            ctx.yes = matches.get_flag("yes");
            handler(&ctx, command).await
        })
    })();
    crate::cli::finish(result.map_err(|e| e.to_string()))
}
