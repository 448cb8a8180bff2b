//! Deploy, redeploy, update, run and destroy against moto server, through the app's own
//! binary (the CLI contract) and through the library.

mod support;

use serde_json::Value;
use sparkform::aws::{is_read, Aws};
use sparkform::deploy::{
    self, api::CloudFormation, sdk::Sdk, stack::StackOutcome, ui::Ui, DeployRun, Deployed, Deployer, Removed, Step,
};
use sparkform::Assembly;
use std::process::{Command, Output};
use support::*;

fn example_binary() -> std::path::PathBuf {
    let status = Command::new(env!("CARGO"))
        .current_dir(workspace())
        .args(["build", "--quiet", "-p", "existing-application"])
        .status()
        .unwrap();
    assert!(status.success());
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| workspace().join("target"));
    target.join("debug/existing-application")
}

fn cli(bin: &std::path::Path, args: &[&str], call_log: Option<&std::path::Path>) -> Output {
    let mut cmd = Command::new(bin);
    cmd.args(args).envs(services()).env("SPARKFORM_POLL_MS", "50");
    if let Some(p) = call_log {
        cmd.env("SPARKFORM_CALL_LOG", p);
    }
    let out = cmd.output().unwrap();
    eprintln!(
        "$ {} {}\n{}{}",
        bin.display(),
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_deploys_skips_unchanged_runs_and_destroys() {
    let _serial = support::one_at_a_time().await;
    services();
    ensure_job_role();
    let bin = example_binary();
    // A known start: no stack.
    assert!(cli(&bin, &["destroy", "--yes"], None).status.success());
    // The app's own subcommand reads deployed values through a handle: none yet.
    let early = cli(&bin, &["backfill", "--from", "2024-01-01"], None);
    assert_eq!(early.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&early.stderr).contains("stack existing-application is not deployed: deploy it first"),
        "{}",
        String::from_utf8_lossy(&early.stderr)
    );

    let first = cli(&bin, &["deploy", "--yes"], None);
    assert!(first.status.success());
    assert!(
        stdout(&first).contains("existing-application: created"),
        "{}",
        stdout(&first)
    );

    let log = call_log_path("redeploy");
    let again = cli(&bin, &["deploy", "--yes", "--json"], Some(&log));
    assert!(again.status.success());
    let v: Value = serde_json::from_str(stdout(&again).trim()).expect("--json prints JSON");
    assert_eq!(v["stacks"][0]["result"], "no changes");
    let calls: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert!(!calls.is_empty(), "the call log recorded nothing");
    let writes: Vec<&String> = calls.iter().filter(|c| !is_read(c)).collect();
    assert!(writes.is_empty(), "an unchanged redeploy made write calls: {writes:?}");

    // run --direct --wait on an application moto has (its id overrides the job's own).
    let aws = Aws::load().await.unwrap();
    let app = aws
        .emr
        .create_application()
        .name("tests")
        .release_label("emr-7.9.0")
        .r#type("SPARK")
        .send()
        .await
        .unwrap()
        .application_id()
        .to_string();
    let run = cli(
        &bin,
        &[
            "run",
            "DAILY_REPORT",
            "--direct",
            "--wait",
            "--application-id",
            &app,
            "--json",
        ],
        None,
    );
    assert!(run.status.success());
    let v: Value = serde_json::from_str(stdout(&run).trim()).unwrap();
    assert_eq!(v["state"], "SUCCESS");
    assert_eq!(v["application_id"], app.as_str());
    let id = v["job_run_id"].as_str().unwrap().to_string();
    let jr = aws
        .emr
        .get_job_run()
        .application_id(&app)
        .job_run_id(&id)
        .send()
        .await
        .unwrap();
    let jr = jr.job_run().unwrap();
    assert_eq!(jr.name(), Some("daily-report"));
    assert_eq!(
        jr.execution_role(),
        "arn:aws:iam::123456789012:role/emr-serverless-job-role"
    );

    // The job through its state machine (moto keeps executions RUNNING, so no --wait).
    let sm = cli(&bin, &["run", "daily-report", "--json"], None);
    assert!(sm.status.success());
    assert!(stdout(&sm).contains("execution_arn"));

    // The app's own subcommand, with the state machine ARN read through the job's handle.
    let backfill = cli(
        &bin,
        &["backfill", "--from", "2024-01-01", "--days", "2", "--json"],
        None,
    );
    assert!(backfill.status.success());
    let v: Value = serde_json::from_str(stdout(&backfill).trim()).unwrap();
    // (moto reports no outputs after a change set: the handle's read falls back to the Ref.)
    let machine = v["state_machine"].as_str().unwrap();
    assert!(
        machine.starts_with("arn:aws:states:us-east-1:123456789012:stateMachine:")
            && machine.contains("DailyReportStateMachine"),
        "{machine}"
    );
    assert_eq!(v["executions"].as_array().unwrap().len(), 2);
    assert_eq!(
        cli(&bin, &["backfill"], None).status.code(),
        Some(2),
        "its usage errors are usage errors"
    );

    // Usage errors exit 2, failures exit 1 with what to do.
    assert_eq!(cli(&bin, &["run"], None).status.code(), Some(2));
    let unknown = cli(&bin, &["run", "NO_SUCH_JOB"], None);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("DAILY_REPORT"),
        "the error lists the jobs"
    );

    // destroy removes the stack and keeps (and names) the retained data.
    let destroy = cli(&bin, &["destroy", "--yes", "--json"], None);
    assert!(destroy.status.success());
    let v: Value = serde_json::from_str(stdout(&destroy).trim()).unwrap();
    assert_eq!(v["stacks"][0]["deleted"], true);
    let kept: Vec<&str> = v["stacks"][0]["kept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["logical_id"].as_str().unwrap())
        .collect();
    assert!(
        kept.contains(&"DailyReportLogBucket") && kept.contains(&"DailyReportStateMachineLogs"),
        "{kept:?}"
    );
    assert!(Sdk(aws.cfn.clone())
        .describe("existing-application")
        .await
        .unwrap()
        .is_none());
    let buckets = aws.s3.list_buckets().send().await.unwrap();
    assert!(
        buckets.buckets().iter().any(|b| b
            .name()
            .unwrap_or("")
            .starts_with("existing-application-dailyreportlogbucket")),
        "the retained log bucket must survive destroy"
    );
}

fn test_ui() -> Ui {
    Ui {
        poll: std::time::Duration::from_millis(20),
        ..Ui::new(true, true)
    }
}

/// Deploys every step of `asm` and returns the run, failing on any failed step.
async fn deploy_all(aws: &Aws, cfn: &Sdk, asm: &Assembly, ui: &Ui) -> (DeployRun, sparkform::assets::Counts) {
    let mut d = Deployer::new(asm, cfn, ui);
    d.s3 = Some(&aws.s3);
    let run = d.deploy(&[], std::future::pending()).await.unwrap();
    let failures: Vec<String> = run.failed().map(|(s, e)| format!("{s}: {e}")).collect();
    assert!(failures.is_empty(), "{failures:?}");
    let counts = d.stats.snapshot();
    (run, counts)
}

fn stack_outcome<'r>(run: &'r DeployRun, stack: &str) -> &'r StackOutcome {
    match run.get(&Step::Stack(stack.into())) {
        Some(deploy::StepResult::Done(Deployed::Stack(r))) => &r.outcome,
        other => panic!("stack {stack}: {other:?}"),
    }
}

async fn destroy_all(cfn: &Sdk, asm: &Assembly, ui: &Ui) -> Vec<deploy::DestroyReport> {
    let run = Deployer::new(asm, cfn, ui)
        .destroy(&[], std::future::pending())
        .await
        .unwrap();
    assert!(run.is_success(), "{run:?}");
    run.done()
        .filter_map(|(_, r)| match r {
            Removed::Stack(d) => Some(d.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_template_deploys_through_an_update_change_set() {
    let _serial = support::one_at_a_time().await;
    services();
    ensure_job_role();
    let stack = format!("update-test-{}", std::process::id());
    let mut asm = example_assembly("existing-application", &stack);
    let aws = Aws::load().await.unwrap();
    let cfn = Sdk(aws.cfn.clone());
    let ui = test_ui();

    let (r, _) = deploy_all(&aws, &cfn, &asm, &ui).await;
    assert!(matches!(stack_outcome(&r, &stack), StackOutcome::Created { .. }));
    let (r, _) = deploy_all(&aws, &cfn, &asm, &ui).await;
    assert!(matches!(stack_outcome(&r, &stack), StackOutcome::NoChanges { .. }));

    // Change the state machine's log retention, as an edited macro would.
    let file = asm.manifest.stacks[0].template.clone();
    let t = asm.templates.get_mut(&file).unwrap();
    t["Resources"]["DailyReportStateMachineLogs"]["Properties"]["RetentionInDays"] = Value::from(30);
    let before = sparkform::aws::calls().len();
    let (r, _) = deploy_all(&aws, &cfn, &asm, &ui).await;
    let outcome = stack_outcome(&r, &stack);
    assert!(matches!(outcome, StackOutcome::Updated { .. }), "{outcome:?}");
    let modified: Vec<&str> = outcome
        .changes()
        .iter()
        .filter(|c| c.action == "Modify")
        .map(|c| c.logical_id.as_str())
        .collect();
    assert!(
        modified.contains(&"DailyReportStateMachineLogs"),
        "{:?}",
        outcome.changes()
    );
    let calls = sparkform::aws::calls()[before..].to_vec();
    assert!(
        calls.contains(&"cloudformation:CreateChangeSet".to_string())
            && calls.contains(&"cloudformation:ExecuteChangeSet".to_string()),
        "{calls:?}"
    );
    assert!(
        !calls
            .iter()
            .any(|c| c.ends_with(":UpdateStack") || c.ends_with(":CreateStack")),
        "deploys go through change sets: {calls:?}"
    );
    assert!(
        diff_is_empty(&cfn, &asm).await,
        "after the update, the deployed template is the built one"
    );

    let d = destroy_all(&cfn, &asm, &ui).await;
    assert!(d[0].deleted);
}

async fn diff_is_empty(cfn: &Sdk, asm: &Assembly) -> bool {
    let s = &asm.manifest.stacks[0];
    let deployed = cfn.template(&s.name).await.unwrap();
    deploy::diff::local_changes(Some(&deployed), &asm.template_text(s)).is_empty()
}

#[tokio::test(flavor = "multi_thread")]
async fn package_assets_upload_once_and_redeploys_write_nothing() {
    let _serial = support::one_at_a_time().await;
    services();
    let name = format!("pkg-test-{}", std::process::id());
    let source = r#"
        pyspark_package!(pub PKG { name: "nightly", entrypoint: "spark/src/entrypoint.py" });
    "#;
    let asm = assembly_from_source(&workspace().join("examples/pyspark-package"), &name, source);
    let aws = Aws::load().await.unwrap();
    let cfn = Sdk(aws.cfn.clone());
    let ui = test_ui();

    // The stack, then its assets (the graph orders them).
    let (r, counts) = deploy_all(&aws, &cfn, &asm, &ui).await;
    assert!(matches!(stack_outcome(&r, &name), StackOutcome::Created { .. }));
    let order: Vec<String> = r.results.iter().map(|(s, _)| s.to_string()).collect();
    assert_eq!(order, [format!("stack {name}"), format!("assets of {name}")]);
    assert_eq!(counts.uploads, 1);

    let before = sparkform::aws::calls().len();
    let (r, counts) = deploy_all(&aws, &cfn, &asm, &ui).await;
    assert!(matches!(stack_outcome(&r, &name), StackOutcome::NoChanges { .. }));
    assert_eq!(
        (counts.uploads, counts.skipped_uploads, counts.docker_builds),
        (0, 1, 0),
        "{counts:?}"
    );
    let writes: Vec<String> = sparkform::aws::calls()[before..]
        .iter()
        .filter(|c| !is_read(c))
        .cloned()
        .collect();
    assert!(writes.is_empty(), "an unchanged redeploy wrote: {writes:?}");

    // The entry point is in the bucket under its content-hashed key, byte for byte.
    let a = &asm.manifest.assets[0];
    let bucket = sparkform::jobs::Outputs::new(&asm, &cfn)
        .resolve(&a.bucket)
        .await
        .unwrap();
    let obj = aws.s3.get_object().bucket(&bucket).key(&a.key).send().await.unwrap();
    let body = obj.body.collect().await.unwrap().into_bytes();
    assert_eq!(
        &body[..],
        std::fs::read(workspace().join("examples/pyspark-package/spark/src/entrypoint.py"))
            .unwrap()
            .as_slice()
    );
    destroy_all(&cfn, &asm, &ui).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deploy_builds_the_venv_on_the_packages_image_never_the_local_one() {
    let _serial = support::one_at_a_time().await;
    services();
    // The quick start's package declares no `base_image`: its recipe is EMR's default image.
    // The services set SPARKFORM_BASE_IMAGE (a local Debian image) in this process, as
    // `eval "$(scripts/test-services env)"` does in a shell.
    let local_image = base_image();
    assert_eq!(
        std::env::var("SPARKFORM_BASE_IMAGE").as_deref(),
        Ok(local_image.as_str())
    );
    let name = format!("venv-image-test-{}", std::process::id());
    let source = r#"
        pyspark_package!(pub PKG { name: "taxi", entrypoint: "spark/src/taxi/job.py", dependencies: "spark" });
    "#;
    let crate_dir = workspace().join("examples/quickstart");
    let asm = assembly_from_source(&crate_dir, &name, source);
    let venv = asm
        .manifest
        .assets
        .iter()
        .find(|a| matches!(a.source, sparkform::assembly::AssetSource::Venv(_)))
        .expect("a venv asset");
    let sparkform::assembly::AssetSource::Venv(recipe) = &venv.source else {
        unreachable!()
    };
    assert_eq!(recipe.base_image, "public.ecr.aws/amazonlinux/amazonlinux:2023");

    // What `run --local` would have cached: built on the local image, under its own key.
    let local = sparkform::assets::VenvBuild::for_local(&crate_dir, recipe, &venv.hash, Some(&local_image));
    assert_ne!(local.key, venv.hash);
    let cache = sparkform::assets::AssetCache::from_env();
    let tmp = cache.temp_path(&local.key, local.archive_name()).unwrap();
    std::fs::write(&tmp, b"a venv built on Debian, for this machine only").unwrap();
    let local_archive = cache.commit(&tmp, &local.key, local.archive_name()).unwrap();

    let aws = Aws::load().await.unwrap();
    let cfn = Sdk(aws.cfn.clone());
    let ui = test_ui();
    let mut d = Deployer::new(&asm, &cfn, &ui);
    d.s3 = Some(&aws.s3);
    let run = d.deploy(&[], std::future::pending()).await.unwrap();
    assert!(matches!(stack_outcome(&run, &name), StackOutcome::Created { .. }));
    let bucket = sparkform::jobs::Outputs::new(&asm, &cfn)
        .resolve(&venv.bucket)
        .await
        .unwrap();
    let uploaded = aws.s3.get_object().bucket(&bucket).key(&venv.key).send().await;
    match run.get(&Step::Assets(name.clone())).unwrap() {
        // No image registry here: the build on EMR's image fails at its FROM step, and
        // nothing is uploaded under the venv's key.
        deploy::StepResult::Failed(e) => {
            let text = e.to_string();
            assert!(
                text.contains("FROM public.ecr.aws/amazonlinux/amazonlinux:2023"),
                "deploy builds on EMR's image: {text}"
            );
            assert!(!text.contains(&local_image), "{text}");
            assert!(uploaded.is_err(), "nothing may be uploaded under the venv's key");
        }
        // With a registry: the upload is the build on EMR's image, not the local archive.
        deploy::StepResult::Done(_) => {
            let body = uploaded.unwrap().body.collect().await.unwrap().into_bytes();
            assert_ne!(&body[..], std::fs::read(&local_archive).unwrap().as_slice());
        }
        other => panic!("{other:?}"),
    }
    let _ = std::fs::remove_dir_all(cache.entry_dir(&local.key));
    destroy_all(&cfn, &asm, &ui).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_that_fails_in_moto_is_never_reported_created() {
    let _serial = support::one_at_a_time().await;
    // moto answers a resource's failure as the error of ExecuteChangeSet and leaves the new
    // stack in REVIEW_IN_PROGRESS; sparkform used to print "created" on every later deploy.
    services();
    let name = format!("review-test-{}", std::process::id());
    let mut asm = example_assembly("existing-application", &name);
    let file = asm.manifest.stacks[0].template.clone();
    asm.manifest.stacks[0].resources = 1;
    let machine = |role: &str| {
        serde_json::json!({ "Resources": { "Machine": { "Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "RoleArn": role,
            "DefinitionString": "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        } } } })
    };
    asm.templates.insert(file.clone(), machine("not-an-arn"));
    let aws = Aws::load().await.unwrap();
    let cfn = Sdk(aws.cfn.clone());
    let ui = test_ui();
    async fn deploy(cfn: &Sdk, ui: &Ui, asm: &Assembly) -> DeployRun {
        Deployer::new(asm, cfn, ui)
            .deploy(&[], std::future::pending())
            .await
            .unwrap()
    }
    let failure = |run: &DeployRun| match run.get(&Step::Stack(name.clone())) {
        Some(deploy::StepResult::Failed(e)) => e.to_string(),
        other => panic!("expected a failure, got {other:?}"),
    };

    let first = failure(&deploy(&cfn, &ui, &asm).await);
    assert!(first.contains("failed: REVIEW_IN_PROGRESS"), "{first}");
    assert!(
        first.contains("ExecuteChangeSet: InvalidArn: Invalid Role Arn: 'not-an-arn'"),
        "the cause is shown: {first}"
    );
    let info = cfn.describe(&name).await.unwrap().unwrap();
    assert_eq!(info.status.as_str(), "REVIEW_IN_PROGRESS");

    // Without consent: blocked, left as it is.
    let asking = Ui {
        yes: false,
        ..test_ui()
    };
    let blocked = failure(&deploy(&cfn, &asking, &asm).await);
    assert!(
        blocked.contains("is REVIEW_IN_PROGRESS and was left as it is") && blocked.contains("--yes"),
        "{blocked}"
    );

    // With consent: deleted and created again, which fails again (same template): no "created".
    let before = sparkform::aws::calls().len();
    let again = failure(&deploy(&cfn, &ui, &asm).await);
    assert!(again.contains("failed: REVIEW_IN_PROGRESS"), "{again}");
    let calls = sparkform::aws::calls()[before..].to_vec();
    assert!(calls.contains(&"cloudformation:DeleteStack".to_string()), "{calls:?}");

    // Fixed: deleted, created, and created for real.
    asm.templates
        .insert(file, machine("arn:aws:iam::123456789012:role/state-machine"));
    let run = deploy(&cfn, &ui, &asm).await;
    assert!(matches!(stack_outcome(&run, &name), StackOutcome::Created { .. }));
    let info = cfn.describe(&name).await.unwrap().unwrap();
    assert_eq!(info.status.as_str(), "CREATE_COMPLETE");
    destroy_all(&cfn, &asm, &ui).await;
}
