//! The app's command line (DESIGN.md: output and CLI contract). Exit codes: 0 success,
//! 1 failure (the message says what failed and what to do), 2 usage error. Progress goes to
//! stderr; results (and `--json`) to stdout.

use crate::assembly::Assembly;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    about = "Synthesize, check and deploy this crate's Spark-on-AWS stacks, and run its jobs",
    long_about = "Synthesize, check and deploy this crate's Spark-on-AWS stacks, and run its jobs.\n\n\
        The templates were synthesized and checked when this binary was built (`cargo build` \
        writes them to target/sparkform/<crate>/). AWS access uses the standard environment: \
        AWS_PROFILE, AWS_REGION, SSO, and AWS_ENDPOINT_URL for local stand-ins.",
    disable_help_subcommand = true
)]
pub struct Cli {
    /// Print machine-readable JSON on stdout (progress goes to stderr).
    #[arg(long, global = true)]
    pub json: bool,
    /// Answer yes to every confirmation (for CI and scripts).
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// Show the AWS SDK's full error details (the cause chain) with each error.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write the cloud assembly (manifest.json and one template per stack) to a folder.
    Synth {
        /// Where to write; default target/sparkform/<crate>.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// List the stacks, their constructs, jobs and resource counts.
    List,
    /// Show what a deploy would change, resource by resource (makes no change).
    #[cfg(feature = "deploy")]
    Diff {
        /// Stacks to compare; default all.
        stacks: Vec<String>,
    },
    /// Deploy stacks through change sets; unchanged stacks are skipped with no write call.
    #[cfg(feature = "deploy")]
    Deploy {
        /// Stacks to deploy (with the stacks they depend on); default all.
        stacks: Vec<String>,
        /// Create a change set even when the template and tags are unchanged.
        #[arg(long)]
        force: bool,
    },
    /// Delete stacks (dependents first). Retained data (keys, log groups, buckets) is kept and listed.
    #[cfg(feature = "deploy")]
    Destroy {
        /// Stacks to delete; default all.
        stacks: Vec<String>,
    },
    /// Start a job: through its state machine, straight on EMR (Serverless or on EKS) with
    /// --direct, or on this machine with --local.
    #[cfg(feature = "deploy")]
    #[command(after_help = "Examples:\n  \
        run TAXI_JOB --local                    run the job with Spark in local mode (no AWS account)\n  \
        run TAXI_JOB --local -- --data x.csv    the same, with more arguments for the entry point\n  \
        run TAXI_JOB --wait                     start it through its state machine and follow it\n  \
        run TAXI_JOB --direct --wait            start it on EMR itself (no state machine) and follow it")]
    Run {
        /// The job's handle (PI_JOB) or name (PiCalculation).
        job: String,
        /// Follow the run to its end; exit 1 if it fails (--local always does).
        #[arg(long)]
        wait: bool,
        /// Start the job run on EMR directly (EMR Serverless, or EMR on EKS with the
        /// `kubernetes` feature), without the state machine.
        #[arg(long)]
        direct: bool,
        /// Run the job's PySpark entry point on this machine, with Spark in local mode, in the
        /// job's packaged virtualenv. Installs PySpark into ~/.cache/sparkform on first use;
        /// needs Java, and Docker when the package has dependencies. No AWS account needed.
        #[arg(long, conflicts_with_all = ["direct", "application_id", "virtual_cluster_id"])]
        local: bool,
        /// With --direct: run on this EMR Serverless application instead of the job's own.
        #[arg(long, value_name = "ID", requires = "direct")]
        application_id: Option<String>,
        /// With --direct: run on this EMR on EKS virtual cluster instead of the job's own.
        #[arg(long, value_name = "ID", requires = "direct", conflicts_with = "application_id")]
        virtual_cluster_id: Option<String>,
        /// With --local: more arguments for the entry point, after the job's own (after `--`).
        #[arg(last = true, value_name = "ARGS", requires = "local")]
        args: Vec<String>,
    },
    /// Run the Spark project's pytest suite the way the CI/CD pipeline does: `pip install` of
    /// the project with pytest and PySpark into a cached venv, then `python -m pytest`.
    #[cfg(feature = "deploy")]
    Test {
        /// Arguments for pytest (after `--`), e.g. `-- -k revenue -x`.
        #[arg(last = true, value_name = "PYTEST_ARGS")]
        pytest_args: Vec<String>,
    },
    /// Show the stacks' states and outputs, and each job's recent runs.
    #[cfg(feature = "deploy")]
    Status,
    /// The app's CI/CD pipeline: `status`, `build-local`, `roles`.
    #[cfg(feature = "deploy")]
    #[command(subcommand)]
    Pipeline(crate::pipeline::Command),
    /// Print the driver's stdout and stderr of a job's latest run (or of --run-id) from S3.
    #[cfg(feature = "deploy")]
    Logs {
        /// The job's handle or name.
        job: String,
        /// The job run id; default the latest run of this job.
        #[arg(long, value_name = "ID")]
        run_id: Option<String>,
    },
}

/// Reads the embedded assembly and runs the CLI; an assembly this sparkform cannot read
/// (another manifest version) is an error with what to do, exit code 1.
pub fn main_embedded(json: &str) -> ExitCode {
    match Assembly::from_embedded(json) {
        Ok(assembly) => main(assembly),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Runs the CLI on this process's arguments.
pub fn main(assembly: Assembly) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    finish(run(&cli, &assembly))
}

/// The exit code of a command, after its message (and the call log tests read).
pub fn finish(result: Result<(), String>) -> ExitCode {
    #[cfg(feature = "deploy")]
    crate::aws::flush_call_log();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

pub fn run(cli: &Cli, assembly: &Assembly) -> Result<(), String> {
    #[cfg(feature = "deploy")]
    crate::aws::set_verbose(cli.verbose);
    if !assembly.manifest.errors.is_empty() {
        return Err(format!(
            "this build has errors, so there is nothing to deploy:\n  {}\nfix them and run `cargo build` again",
            assembly.manifest.errors.join("\n  ")
        ));
    }
    match &cli.command {
        Command::Synth { out } => synth(cli, assembly, out.clone()),
        Command::List => {
            list(cli, assembly);
            Ok(())
        }
        #[cfg(feature = "deploy")]
        Command::Run {
            job, local: true, args, ..
        } => run_local(cli, assembly, job, args),
        #[cfg(feature = "deploy")]
        Command::Test { pytest_args } => crate::local::test(assembly, pytest_args),
        #[cfg(feature = "deploy")]
        Command::Pipeline(c) => crate::pipeline::run(cli, c, assembly),
        #[cfg(feature = "deploy")]
        other => remote::run(cli, other, assembly),
    }
}

/// `run <job> --local`: no AWS, no async runtime (unless the package's venv must be built).
#[cfg(feature = "deploy")]
fn run_local(cli: &Cli, assembly: &Assembly, job: &str, args: &[String]) -> Result<(), String> {
    let j = crate::jobs::find(assembly, job)?;
    let report = crate::local::run_job(assembly, j, args, cli.json)?;
    if cli.json {
        println!(
            "{}",
            serde_json::json!({ "job": report.job, "mode": "local", "state": "SUCCESS", "seconds": report.seconds, "python": report.python.display().to_string() })
        );
    }
    Ok(())
}

fn synth(cli: &Cli, assembly: &Assembly, out: Option<PathBuf>) -> Result<(), String> {
    let dir = out.unwrap_or_else(|| PathBuf::from("target/sparkform").join(&assembly.manifest.crate_name));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for stack in &assembly.manifest.stacks {
        let path = dir.join(&stack.template);
        std::fs::write(&path, assembly.template_text(stack))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    if cli.json {
        let files: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        println!(
            "{}",
            serde_json::json!({ "dir": dir.display().to_string(), "templates": files })
        );
    } else {
        for (p, s) in written.iter().zip(&assembly.manifest.stacks) {
            println!("{}  ({} resources)", p.display(), s.resources);
        }
    }
    Ok(())
}

fn list(cli: &Cli, assembly: &Assembly) {
    let m = &assembly.manifest;
    if cli.json {
        let stacks: Vec<_> = m
            .stacks
            .iter()
            .map(|s| {
                serde_json::json!({
                    "name": s.name,
                    "resources": s.resources,
                    "depends_on": s.depends_on,
                    "constructs": s.constructs.iter().map(|c| serde_json::json!({"kind": c.kind, "handle": c.handle, "source": c.source})).collect::<Vec<_>>(),
                    "outputs": s.outputs,
                })
            })
            .collect();
        let jobs: Vec<_> = m
            .jobs
            .iter()
            .map(|j| serde_json::json!({ "handle": j.handle, "name": j.name, "stack": j.stack }))
            .collect();
        println!("{}", serde_json::json!({ "stacks": stacks, "jobs": jobs }));
        return;
    }
    for s in &m.stacks {
        let deps = if s.depends_on.is_empty() {
            String::new()
        } else {
            format!(", after {}", s.depends_on.join(", "))
        };
        println!("{} ({} resources{deps})", s.name, s.resources);
        for c in &s.constructs {
            println!("  {}! {}  ({})", c.kind, c.handle, c.source);
        }
    }
}

/// The commands that talk to AWS.
#[cfg(feature = "deploy")]
mod remote {
    use super::{Cli, Command};
    use crate::assembly::Assembly;
    use crate::aws::Aws;
    use crate::deploy::{
        self, api::CloudFormation, sdk::Sdk, ui::Ui, DeployError, DeployRun, Deployed, Deployer, DestroyRun, Removed,
        RunReport, Step, StepResult,
    };
    use crate::jobs;
    use serde_json::{json, Value};

    pub fn run(cli: &Cli, command: &Command, asm: &Assembly) -> Result<(), String> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        rt.block_on(async {
            match command {
                // These stop their steps themselves on Ctrl-C and report what was running.
                Command::Deploy { .. } | Command::Destroy { .. } => dispatch(cli, command, asm).await,
                _ => tokio::select! {
                    r = dispatch(cli, command, asm) => r,
                    _ = ctrl_c() => Err("interrupted; nothing is left half done: run the same command again".into()),
                },
            }
        })
    }

    /// Completes on Ctrl-C (never, where signals cannot be watched).
    async fn ctrl_c() {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    async fn dispatch(cli: &Cli, command: &Command, asm: &Assembly) -> Result<(), String> {
        let aws = Aws::load().await.map_err(|e| e.to_string())?;
        let ui = Ui::new(cli.yes, cli.json);
        let cfn = Sdk(aws.cfn.clone());
        #[cfg(feature = "kubernetes")]
        let kube = crate::deploy::kube::client(&aws);
        let mut deployer = Deployer::new(asm, &cfn, &ui);
        deployer.s3 = Some(&aws.s3);
        #[cfg(feature = "kubernetes")]
        {
            deployer.kube = kube.as_deref();
        }
        match command {
            Command::Deploy { stacks, force } => {
                deployer.force = *force;
                let run = deployer.deploy(stacks, ctrl_c()).await.map_err(|e| e.to_string())?;
                let order = step_order(asm, stacks, false);
                print_deploy(cli, &run, &order, &deployer);
                outcome(&run)
            }
            Command::Destroy { stacks } => {
                let run = deployer.destroy(stacks, ctrl_c()).await.map_err(|e| e.to_string())?;
                let order = step_order(asm, stacks, true);
                print_destroy(cli, &run, &order);
                outcome(&run)
            }
            Command::Diff { stacks } => {
                let graph = deploy::deploy_graph(asm, stacks).map_err(|e| e.to_string())?;
                let mut any = false;
                for s in deploy::stacks_of(asm, &graph) {
                    let new = asm.template_text(s);
                    let deployed = match cfn.describe(&s.name).await.map_err(|e| e.to_string())? {
                        Some(_) => Some(cfn.template(&s.name).await.map_err(|e| e.to_string())?),
                        None => None,
                    };
                    let changes = deploy::diff::local_changes(deployed.as_deref(), &new);
                    any |= !changes.is_empty();
                    if cli.json {
                        let v: Vec<_> = changes
                            .iter()
                            .map(|c| json!({ "action": c.action, "logical_id": c.logical_id, "type": c.resource_type }))
                            .collect();
                        println!(
                            "{}",
                            json!({ "stack": s.name, "deployed": deployed.is_some(), "changes": v })
                        );
                    } else if changes.is_empty() {
                        println!("{}: no changes", s.name);
                    } else {
                        println!(
                            "{}: {} change(s){}",
                            s.name,
                            changes.len(),
                            if deployed.is_none() { " (not deployed yet)" } else { "" }
                        );
                        for line in deploy::diff::describe_changes(&changes, deployed.as_deref(), &new) {
                            println!("  {line}");
                        }
                    }
                }
                #[cfg(feature = "kubernetes")]
                if let Some(client) = deployer.kube {
                    for g in asm.manifest.kubernetes.iter() {
                        let cluster = deployer.outputs.resolve(&g.cluster).await.map_err(|e| e.to_string())?;
                        // Before the cluster's stack exists its values are unknown, and every object is new.
                        let filled = deploy::kube::filled(&deployer.outputs, g)
                            .await
                            .unwrap_or_else(|_| g.clone());
                        let lines = client.diff(&filled, &cluster).await?;
                        any |= !lines.is_empty();
                        for line in lines {
                            println!("{}: {line}", g.id);
                        }
                    }
                }
                if !any && !cli.json {
                    eprintln!("everything is deployed as built");
                }
                Ok(())
            }
            Command::Run {
                job,
                wait,
                direct,
                application_id,
                virtual_cluster_id,
                ..
            } => {
                let j = jobs::find(asm, job)?;
                let say = |l: String| eprintln!("{l}");
                let end = if *direct {
                    let target = jobs::direct_target(j, application_id.as_deref(), virtual_cluster_id.as_deref())?;
                    let d = jobs::start_direct(&aws, asm, j, target).await?;
                    eprintln!(
                        "started {} on {} {}: job run {}",
                        j.name,
                        d.target_kind(),
                        d.target,
                        d.run
                    );
                    let mut out = json!({ d.target_key(): d.target, "job_run_id": d.run });
                    if !*wait {
                        if cli.json {
                            println!("{out}");
                        }
                        return Ok(());
                    }
                    let end = jobs::wait_direct(&aws, &d, &say).await?;
                    if cli.json {
                        out["state"] = json!(end.state);
                        out["details"] = json!(end.details);
                        println!("{out}");
                    }
                    end
                } else {
                    let execution = jobs::start_state_machine(&aws, asm, j).await?;
                    eprintln!("started {}: execution {execution}", j.name);
                    if !*wait {
                        if cli.json {
                            println!("{}", json!({ "execution_arn": execution }));
                        }
                        return Ok(());
                    }
                    let end = jobs::wait_state_machine(&aws, &execution, &say).await?;
                    if cli.json {
                        println!(
                            "{}",
                            json!({ "execution_arn": execution, "state": end.state, "details": end.details })
                        );
                    }
                    end
                };
                if end.succeeded {
                    if !cli.json {
                        println!("{}: {}", j.name, end.state);
                    }
                    Ok(())
                } else {
                    Err(format!(
                        "{} ended {}{}",
                        j.name,
                        end.state,
                        end.details.map(|d| format!(": {d}")).unwrap_or_default()
                    ))
                }
            }
            Command::Status => {
                let outputs = jobs::Outputs::new(asm, &cfn);
                let mut report = Vec::new();
                for s in &asm.manifest.stacks {
                    let info = cfn.describe(&s.name).await.map_err(|e| e.to_string())?;
                    let status = info
                        .as_ref()
                        .map(|i| i.status.to_string())
                        .unwrap_or_else(|| "NOT_DEPLOYED".into());
                    if !cli.json {
                        println!("{}: {status}", s.name);
                        for (k, v) in info.iter().flat_map(|i| i.outputs.iter()) {
                            println!("  {k} = {v}");
                        }
                    }
                    report.push(json!({ "stack": s.name, "status": status, "outputs": info.map(|i| i.outputs).unwrap_or_default() }));
                }
                let mut runs = Vec::new();
                for j in &asm.manifest.jobs {
                    match jobs::recent_executions(&aws, j, &outputs).await {
                        Ok(list) => {
                            if !cli.json {
                                println!("job {} ({}): {} recent run(s)", j.handle, j.name, list.len());
                                for (name, status, start) in &list {
                                    println!("  {start}  {status:<10} {name}");
                                }
                            }
                            runs.push(json!({ "job": j.handle, "runs": list.iter().map(|(n, s, t)| json!({"name": n, "status": s, "start": t})).collect::<Vec<_>>() }));
                        }
                        Err(e) => {
                            if !cli.json {
                                println!("job {} ({}): {e}", j.handle, j.name);
                            }
                        }
                    }
                }
                if cli.json {
                    println!("{}", json!({ "stacks": report, "jobs": runs }));
                }
                Ok(())
            }
            Command::Logs { job, run_id } => {
                let j = jobs::find(asm, job)?;
                for (stream, text) in jobs::driver_logs(&aws, asm, j, run_id.as_deref()).await? {
                    if cli.json {
                        println!("{}", json!({ "stream": stream, "text": text }));
                    } else {
                        println!("==> driver {stream} <==\n{text}");
                    }
                }
                Ok(())
            }
            Command::Synth { .. } | Command::List | Command::Test { .. } => unreachable!("handled without AWS"),
            Command::Pipeline(_) => unreachable!("handled by the pipeline module"),
        }
    }

    /// The steps in the order the graph runs them, for results printed in a stable order.
    fn step_order(asm: &Assembly, stacks: &[String], destroy: bool) -> Vec<Step> {
        let g = if destroy {
            deploy::destroy_graph(asm, stacks)
        } else {
            deploy::deploy_graph(asm, stacks)
        };
        g.ok()
            .and_then(|g| g.levels().ok())
            .map(|l| l.into_iter().flatten().collect())
            .unwrap_or_default()
    }

    fn in_order<'r, T, E>(
        run: &'r RunReport<T, E>,
        order: &'r [Step],
    ) -> impl Iterator<Item = (&'r Step, &'r StepResult<T, E>)> {
        order.iter().filter_map(|s| run.get(s).map(|r| (s, r)))
    }

    fn print_deploy(cli: &Cli, run: &DeployRun, order: &[Step], d: &Deployer<'_, Sdk>) {
        let mut stacks = Vec::new();
        let mut assets = Vec::new();
        let mut kube = Vec::new();
        for (_, r) in in_order(run, order) {
            match r {
                StepResult::Done(Deployed::Stack(s)) => {
                    if !cli.json {
                        println!("{}: {}", s.stack, s.outcome.as_str());
                        for (k, v) in s.outcome.outputs() {
                            println!("  {k} = {v}");
                        }
                    }
                    stacks.push(
                        json!({ "stack": s.stack, "result": s.outcome.as_str(), "outputs": s.outcome.outputs() }),
                    );
                }
                StepResult::Done(Deployed::Assets(list)) => {
                    for a in list {
                        assets.push(json!({ "asset": a.id, "uri": a.uri, "uploaded": matches!(a.upload, crate::assets::Upload::Uploaded) }));
                    }
                }
                StepResult::Done(Deployed::Kubernetes(k)) => {
                    if !cli.json {
                        println!(
                            "{}: applied ({} changed, {} unchanged)",
                            k.group,
                            k.changed.len(),
                            k.unchanged.len()
                        );
                    }
                    kube.push(json!({ "group": k.group, "changed": k.changed, "unchanged": k.unchanged }));
                }
                _ => {}
            }
        }
        if cli.json {
            let counts = d.stats.snapshot();
            let mut v = json!({ "stacks": stacks, "assets": assets, "docker_builds": counts.docker_builds, "uploads": counts.uploads });
            if !kube.is_empty() {
                v["kubernetes"] = Value::from(kube);
            }
            add_failures(&mut v, run, order);
            println!("{v}");
        }
    }

    fn print_destroy(cli: &Cli, run: &DestroyRun, order: &[Step]) {
        if !cli.json {
            return;
        }
        let stacks: Vec<_> = in_order(run, order)
            .filter_map(|(_, r)| match r {
                StepResult::Done(Removed::Stack(d)) => Some(json!({
                    "stack": d.stack,
                    "deleted": d.deleted,
                    "kept": d.kept.iter().map(|(id, ty)| json!({"logical_id": id, "type": ty})).collect::<Vec<_>>(),
                    "emptied": d.emptied.iter().map(|e| json!({
                        "logical_id": e.logical_id,
                        "bucket": e.bucket,
                        "versions": e.versions,
                        "delete_markers": e.delete_markers,
                    })).collect::<Vec<_>>(),
                })),
                _ => None,
            })
            .collect();
        let mut v = json!({ "stacks": stacks });
        add_failures(&mut v, run, order);
        println!("{v}");
    }

    /// `failed` and `skipped` in the JSON result of a run that did not fully succeed.
    fn add_failures<T>(v: &mut Value, run: &RunReport<T, DeployError>, order: &[Step]) {
        if run.is_success() {
            return;
        }
        let mut failed = Vec::new();
        let mut skipped = Vec::new();
        for (step, r) in in_order(run, order) {
            match r {
                StepResult::Failed(e) => failed.push(json!({ "step": step.to_string(), "error": e.to_string() })),
                StepResult::Skipped { because } => {
                    skipped.push(json!({ "step": step.to_string(), "because": because.to_string() }))
                }
                StepResult::Interrupted => skipped.push(json!({ "step": step.to_string(), "because": "interrupted" })),
                StepResult::Done(_) => {}
            }
        }
        v["failed"] = Value::from(failed);
        v["skipped"] = Value::from(skipped);
    }

    /// Success, or every failure (and what was skipped because of it) as the error.
    fn outcome<T>(run: &RunReport<T, DeployError>) -> Result<(), String> {
        if run.is_success() {
            return Ok(());
        }
        let mut lines: Vec<String> = run.failed().map(|(_, e)| e.to_string()).collect();
        let interrupted: Vec<String> = run
            .results
            .iter()
            .filter(|(_, r)| matches!(r, StepResult::Interrupted))
            .map(|(s, _)| s.to_string())
            .collect();
        if !interrupted.is_empty() {
            lines.push(
                DeployError::Interrupted {
                    step: interrupted.join(", "),
                }
                .to_string(),
            );
        }
        for (step, r) in &run.results {
            if let StepResult::Skipped { because } = r {
                lines.push(format!("not done: {step}, because {because} did not succeed"));
            }
        }
        Err(lines.join("\n"))
    }
}
