//! Deploy, redeploy, update, run and destroy against moto server, through the app's own
//! binary (the CLI contract) and through the library.

mod support;

use serde_json::Value;
use sparkform::aws::{is_read, Aws};
use sparkform::deploy::{self, api::CloudFormation, sdk::Sdk, stack::Outcome, ui::Ui};
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
    services();
    ensure_job_role();
    let bin = example_binary();
    // A known start: no stack.
    assert!(cli(&bin, &["destroy", "--yes"], None).status.success());

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
    let aws = Aws::load().await;
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
    assert!(Sdk(&aws.cfn).describe("existing-application").await.unwrap().is_none());
    let buckets = aws.s3.list_buckets().send().await.unwrap();
    assert!(
        buckets.buckets().iter().any(|b| b
            .name()
            .unwrap_or("")
            .starts_with("existing-application-dailyreportlogbucket")),
        "the retained log bucket must survive destroy"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_template_deploys_through_an_update_change_set() {
    services();
    ensure_job_role();
    let stack = format!("update-test-{}", std::process::id());
    let mut asm = example_assembly("existing-application", &stack);
    let aws = Aws::load().await;
    let cfn = Sdk(&aws.cfn);
    let ui = Ui {
        poll: std::time::Duration::from_millis(20),
        ..Ui::new(true, true)
    };

    let r = deploy::deploy(&cfn, &asm, &[], &ui, false).await.unwrap();
    assert_eq!(r[0].outcome, Outcome::Created);
    let r = deploy::deploy(&cfn, &asm, &[], &ui, false).await.unwrap();
    assert_eq!(r[0].outcome, Outcome::Unchanged);

    // Change the state machine's log retention, as an edited macro would.
    let file = asm.manifest.stacks[0].template.clone();
    let t = asm.templates.get_mut(&file).unwrap();
    t["Resources"]["DailyReportStateMachineLogs"]["Properties"]["RetentionInDays"] = Value::from(30);
    let before = sparkform::aws::calls().len();
    let r = deploy::deploy(&cfn, &asm, &[], &ui, false).await.unwrap();
    assert_eq!(r[0].outcome, Outcome::Updated);
    let modified: Vec<&str> = r[0]
        .changes
        .iter()
        .filter(|c| c.action == "Modify")
        .map(|c| c.logical_id.as_str())
        .collect();
    assert!(modified.contains(&"DailyReportStateMachineLogs"), "{:?}", r[0].changes);
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

    let d = deploy::destroy(&cfn, &asm, &[], &ui).await.unwrap();
    assert!(d[0].deleted);
}

async fn diff_is_empty(cfn: &Sdk<'_>, asm: &sparkform::Assembly) -> bool {
    let s = &asm.manifest.stacks[0];
    let deployed = cfn.template(&s.name).await.unwrap();
    deploy::diff::local_changes(Some(&deployed), &asm.template_text(s)).is_empty()
}

#[tokio::test(flavor = "multi_thread")]
async fn package_assets_upload_once_and_redeploys_write_nothing() {
    services();
    let name = format!("pkg-test-{}", std::process::id());
    let source = r#"
        pyspark_package!(pub PKG { name: "nightly", entrypoint: "spark/src/entrypoint.py" });
    "#;
    let asm = assembly_from_source(&workspace().join("examples/pyspark-package"), &name, source);
    let aws = Aws::load().await;
    let cfn = Sdk(&aws.cfn);
    let ui = Ui {
        poll: std::time::Duration::from_millis(20),
        ..Ui::new(true, true)
    };
    let stats = sparkform::assets::Stats::new();
    let quiet = |_: String| {};

    let r = deploy::deploy(&cfn, &asm, &[], &ui, false).await.unwrap();
    assert_eq!(r[0].outcome, Outcome::Created);
    let up = deploy::publish::publish(&aws, &asm, std::slice::from_ref(&name), &stats, &quiet)
        .await
        .unwrap();
    assert_eq!(up.len(), 1);
    assert_eq!(stats.snapshot().uploads, 1);

    let before = sparkform::aws::calls().len();
    let r = deploy::deploy(&cfn, &asm, &[], &ui, false).await.unwrap();
    assert_eq!(r[0].outcome, Outcome::Unchanged);
    deploy::publish::publish(&aws, &asm, std::slice::from_ref(&name), &stats, &quiet)
        .await
        .unwrap();
    let counts = stats.snapshot();
    assert_eq!(
        (counts.uploads, counts.skipped_uploads, counts.docker_builds),
        (1, 1, 0),
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
    let bucket = sparkform::jobs::Outputs::new(&asm)
        .resolve(&aws, &a.bucket)
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
    deploy::destroy(&cfn, &asm, &[], &ui).await.unwrap();
}
