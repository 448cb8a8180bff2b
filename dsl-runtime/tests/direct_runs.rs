//! `run --direct` and `logs` against moto, for both targets: a job on an existing EMR on EKS
//! virtual cluster and one on an existing EMR Serverless application, started from the
//! request their state machines send, followed to a final state, and their driver's output
//! read from the newest run's S3 log location. (moto keeps runs RUNNING until cancelled, so
//! the final state here is CANCELLED.)

mod support;

use aws_sdk_emrcontainers::types::{ContainerInfo, ContainerProvider, ContainerProviderType, EksInfo};
use sparkform::assembly::Service;
use sparkform::aws::Aws;
use sparkform::jobs;
use std::io::Write;
use std::sync::Mutex;
use support::*;

fn gzip(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

async fn put(aws: &Aws, bucket: &str, key: &str, text: &str) {
    aws.s3
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(gzip(text).into())
        .send()
        .await
        .unwrap();
}

fn source(target: &str, bucket: &str) -> String {
    format!(
        r#"
use sparkform::prelude::*;
spark_job!(pub NIGHTLY {{
    name: "nightly",
    {target},
    execution_role: "arn:aws:iam::123456789012:role/job-role",
    entry_point: "s3://code/main.py",
    arguments: ["--date", "2026-12-06"],
    spark_submit_parameters: "--conf spark.executor.instances=2",
    s3_logs: {{ bucket: "{bucket}", prefix: "logs" }},
}});
"#
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn eks_jobs_start_directly_wait_and_show_the_newest_runs_driver_output() {
    services();
    let aws = Aws::load().await.unwrap();
    let bucket = new_bucket(&aws.s3, "eks-logs").await;
    let namespace = format!("direct-{}", std::process::id());
    let vc = aws
        .emr_containers
        .create_virtual_cluster()
        .name(&namespace)
        .container_provider(
            ContainerProvider::builder()
                .r#type(ContainerProviderType::Eks)
                .id("data-platform")
                .info(ContainerInfo::EksInfo(EksInfo::builder().namespace(&namespace).build()))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .id()
        .unwrap()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let asm = assembly_from_source(
        dir.path(),
        "direct-eks",
        &source(&format!("virtual_cluster_id: \"{vc}\""), &bucket),
    );
    let job = jobs::find(&asm, "NIGHTLY").unwrap();

    // --application-id is for EMR Serverless jobs; --virtual-cluster-id overrides the job's.
    assert_eq!(
        jobs::direct_target(job, Some("app"), None).unwrap_err(),
        "NIGHTLY runs on EMR on EKS: give --virtual-cluster-id, not --application-id"
    );
    assert_eq!(jobs::direct_target(job, None, Some("other")).unwrap(), Some("other"));
    let d = jobs::start_direct(&aws, &asm, job, None).await.unwrap();
    assert_eq!((d.service, d.target.as_str()), (Service::EmrContainers, vc.as_str()));
    assert_eq!(
        (d.target_kind(), d.target_key()),
        ("virtual cluster", "virtual_cluster_id")
    );

    // EMR got the job's own request: name, role, release, driver, log location.
    let run = aws
        .emr_containers
        .describe_job_run()
        .virtual_cluster_id(&vc)
        .id(&d.run)
        .send()
        .await
        .unwrap();
    let run = run.job_run().unwrap();
    assert_eq!(run.name(), Some("nightly"));
    assert_eq!(
        run.execution_role_arn(),
        Some("arn:aws:iam::123456789012:role/job-role")
    );
    assert_eq!(run.release_label(), Some("emr-7.9.0-latest"));
    let driver = run.job_driver().unwrap().spark_submit_job_driver().unwrap();
    assert_eq!(driver.entry_point(), "s3://code/main.py");
    assert_eq!(driver.entry_point_arguments(), ["--date", "2026-12-06"]);
    assert_eq!(
        driver.spark_submit_parameters(),
        Some("--conf spark.executor.instances=2")
    );
    let logs = run
        .configuration_overrides()
        .and_then(|o| o.monitoring_configuration())
        .and_then(|m| m.s3_monitoring_configuration())
        .map(|s| s.log_uri().to_string());
    assert_eq!(logs.as_deref(), Some(format!("s3://{bucket}/logs/").as_str()));

    // Followed to its end: cancelled here, with EMR's details.
    aws.emr_containers
        .cancel_job_run()
        .virtual_cluster_id(&vc)
        .id(&d.run)
        .send()
        .await
        .unwrap();
    let said = Mutex::new(Vec::new());
    let end = jobs::wait_direct(&aws, &d, &|l| said.lock().unwrap().push(l))
        .await
        .unwrap();
    assert_eq!((end.state.as_str(), end.succeeded), ("CANCELLED", false));
    assert_eq!(end.details.as_deref(), Some("JobRun CANCELLED successfully."));
    assert_eq!(*said.lock().unwrap(), [format!("{}: CANCELLED", d.run)]);

    // `logs NIGHTLY` finds that run by name and reads where EMR on EKS writes the driver.
    let base = format!(
        "logs/{vc}/jobs/{run}/containers/spark-{run}/spark-{run}-driver",
        run = d.run
    );
    put(&aws, &bucket, &format!("{base}/stdout.gz"), "Pi is roughly 3.14\n").await;
    let out = jobs::driver_logs(&aws, &asm, job, None).await.unwrap();
    assert_eq!(out, [("stdout".to_string(), "Pi is roughly 3.14\n".to_string())]);
}

#[tokio::test(flavor = "multi_thread")]
async fn serverless_logs_read_the_newest_runs_driver_output() {
    services();
    let aws = Aws::load().await.unwrap();
    let bucket = new_bucket(&aws.s3, "serverless-logs").await;
    let app = aws
        .emr
        .create_application()
        .name("direct-runs")
        .release_label("emr-7.9.0")
        .r#type("SPARK")
        .send()
        .await
        .unwrap()
        .application_id()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let asm = assembly_from_source(
        dir.path(),
        "direct-serverless",
        &source(&format!("application_id: \"{app}\""), &bucket),
    );
    let job = jobs::find(&asm, "nightly").unwrap();
    assert_eq!(
        jobs::direct_target(job, None, Some("vc")).unwrap_err(),
        "NIGHTLY runs on EMR Serverless: give --application-id, not --virtual-cluster-id"
    );
    let d = jobs::start_direct(&aws, &asm, job, None).await.unwrap();
    assert_eq!((d.service, d.target.as_str()), (Service::EmrServerless, app.as_str()));

    // No output yet: says where it looked and what to do.
    let err = jobs::driver_logs(&aws, &asm, job, Some(&d.run)).await.unwrap_err();
    let base = format!("logs/applications/{app}/jobs/{}/SPARK_DRIVER", d.run);
    assert!(
        err.starts_with(&format!("no driver logs yet under s3://{bucket}/{base}/")),
        "{err}"
    );

    put(&aws, &bucket, &format!("{base}/stderr.gz"), "WARN something\n").await;
    let out = jobs::driver_logs(&aws, &asm, job, None).await.unwrap();
    assert_eq!(out, [("stderr".to_string(), "WARN something\n".to_string())]);
}
