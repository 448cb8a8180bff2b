//! `destroy` and a package's buckets against moto: with the crate's data-removal opt-in and
//! `removal_policy: destroy`, it empties them (every version and delete marker) and
//! CloudFormation deletes them; without the opt-in, they stay, objects and all, and are
//! listed as kept.

mod support;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use sparkform::aws::Aws;
use sparkform::deploy::{sdk::Sdk, ui::Ui, Deployer, DestroyReport, Removed, StepResult};
use sparkform::Assembly;
use support::*;

fn test_ui() -> Ui {
    Ui {
        poll: std::time::Duration::from_millis(20),
        ..Ui::new(true, true)
    }
}

fn package(removal: &str) -> String {
    format!(r#"pyspark_package!(pub PKG {{ name: "nightly", entrypoint: "spark/src/entrypoint.py"{removal} }});"#)
}

/// Deploys the stack and its assets (the entry point, uploaded to the artifacts bucket).
async fn deploy(aws: &Aws, cfn: &Sdk, asm: &Assembly, ui: &Ui) {
    let mut d = Deployer::new(asm, cfn, ui);
    d.s3 = Some(&aws.s3);
    let run = d.deploy(&[], std::future::pending()).await.unwrap();
    let failures: Vec<String> = run.failed().map(|(s, e)| format!("{s}: {e}")).collect();
    assert!(failures.is_empty(), "{failures:?}");
}

async fn destroy<C: sparkform::deploy::api::CloudFormation>(
    aws: &Aws,
    cfn: &C,
    asm: &Assembly,
    ui: &Ui,
) -> DestroyReport {
    let mut d = Deployer::new(asm, cfn, ui);
    d.s3 = Some(&aws.s3);
    let run = d.destroy(&[], std::future::pending()).await.unwrap();
    let reports: Vec<&DestroyReport> = run
        .results
        .iter()
        .filter_map(|(_, r)| match r {
            StepResult::Done(Removed::Stack(d)) => Some(d),
            _ => None,
        })
        .collect();
    assert!(run.is_success(), "{:?}", run.results);
    reports[0].clone()
}

/// The physical names of the stack's buckets, by logical id.
async fn buckets(cfn: &Sdk, stack: &str) -> Vec<(String, String)> {
    use sparkform::deploy::api::CloudFormation;
    cfn.resources(stack)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.resource_type == "AWS::S3::Bucket")
        .map(|r| (r.logical_id, r.physical_id.unwrap()))
        .collect()
}

/// Fills the artifacts bucket with versions: `data/a.txt` written twice, `data/b.txt`
/// written and deleted (a delete marker), besides the uploaded entry point; and one log
/// object in the access-log bucket. moto's CloudFormation leaves `VersioningConfiguration`
/// out, so versioning is turned on here, as the template turns it on in AWS.
/// Deploys the package's stack `name` and fills its two buckets: (artifacts, access logs).
async fn deployed_and_filled(aws: &Aws, cfn: &Sdk, asm: &Assembly, ui: &Ui, name: &str) -> (String, String) {
    deploy(aws, cfn, asm, ui).await;
    let b = buckets(cfn, name).await;
    let physical = |id: &str| b.iter().find(|(l, _)| l == id).unwrap().1.clone();
    let (artifacts, logs) = (physical("PkgArtifactsBucket"), physical("PkgAccessLogsBucket"));
    fill(&aws.s3, &artifacts, &logs).await;
    (artifacts, logs)
}

async fn fill(s3: &aws_sdk_s3::Client, artifacts: &str, logs: &str) {
    for bucket in [artifacts, logs] {
        s3.put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    for (key, body) in [("data/a.txt", "one"), ("data/a.txt", "two"), ("data/b.txt", "three")] {
        s3.put_object()
            .bucket(artifacts)
            .key(key)
            .body(ByteStream::from_static(body.as_bytes()))
            .send()
            .await
            .unwrap();
    }
    s3.delete_object()
        .bucket(artifacts)
        .key("data/b.txt")
        .send()
        .await
        .unwrap();
    s3.put_object()
        .bucket(logs)
        .key("access-logs/2024-01-01")
        .body(ByteStream::from_static(b"log"))
        .send()
        .await
        .unwrap();
    let listed = s3.list_object_versions().bucket(artifacts).send().await.unwrap();
    assert_eq!(
        (listed.versions().len(), listed.delete_markers().len()),
        (4, 1),
        "the entry point, two versions of a.txt, b.txt and its delete marker"
    );
}

async fn bucket_exists(s3: &aws_sdk_s3::Client, bucket: &str) -> bool {
    s3.head_bucket().bucket(bucket).send().await.is_ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_opt_in_destroy_empties_the_buckets_and_leaves_nothing() {
    services();
    let name = format!("data-destroy-{}", std::process::id());
    let crate_dir = workspace().join("examples/pyspark-package");
    let asm = assembly_with_opt_in(&crate_dir, &name, &package(", removal_policy: destroy"), true);
    assert_eq!(
        asm.manifest.stacks[0].emptied_on_destroy,
        ["PkgAccessLogsBucket", "PkgArtifactsBucket"],
        "the manifest names the buckets to empty"
    );
    let aws = Aws::load().await.unwrap();
    let cfn = Sdk(aws.cfn.clone());
    let ui = test_ui();
    let (artifacts, logs) = deployed_and_filled(&aws, &cfn, &asm, &ui, &name).await;

    let report = destroy(&aws, &cfn, &asm, &ui).await;
    assert!(report.deleted);
    let emptied: Vec<(&str, u64, u64)> = report
        .emptied
        .iter()
        .map(|e| (e.logical_id.as_str(), e.versions, e.delete_markers))
        .collect();
    assert_eq!(emptied, [("PkgAccessLogsBucket", 1, 0), ("PkgArtifactsBucket", 4, 1)]);
    assert!(
        !report.kept.iter().any(|(_, ty)| ty == "AWS::S3::Bucket"),
        "{:?}",
        report.kept
    );
    use sparkform::deploy::api::CloudFormation;
    assert!(cfn.describe(&name).await.unwrap().is_none(), "the stack is gone");
    for bucket in [&artifacts, &logs] {
        assert!(!bucket_exists(&aws.s3, bucket).await, "{bucket} is gone");
    }
    let all = aws.s3.list_buckets().send().await.unwrap();
    assert!(
        !all.buckets().iter().any(|x| x.name().unwrap_or("").starts_with(&name)),
        "nothing of the app is left"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_opt_in_destroy_keeps_the_buckets_and_their_objects() {
    services();
    let name = format!("data-keep-{}", std::process::id());
    let crate_dir = workspace().join("examples/pyspark-package");
    let asm = assembly_with_opt_in(&crate_dir, &name, &package(""), false);
    assert!(asm.manifest.stacks[0].emptied_on_destroy.is_empty());
    let aws = Aws::load().await.unwrap();
    let cfn = Sdk(aws.cfn.clone());
    let ui = test_ui();
    let (artifacts, logs) = deployed_and_filled(&aws, &cfn, &asm, &ui, &name).await;

    let report = destroy(&aws, &cfn, &asm, &ui).await;
    assert!(report.deleted && report.emptied.is_empty(), "{report:?}");
    let kept: Vec<&str> = report.kept.iter().map(|(id, _)| id.as_str()).collect();
    assert!(
        kept.contains(&"PkgArtifactsBucket") && kept.contains(&"PkgAccessLogsBucket"),
        "{kept:?}"
    );
    let listed = aws.s3.list_object_versions().bucket(&artifacts).send().await.unwrap();
    assert_eq!((listed.versions().len(), listed.delete_markers().len()), (4, 1));
    assert!(bucket_exists(&aws.s3, &logs).await);
    // Clean up what the test kept, so moto does not fill up across runs.
    for bucket in [&artifacts, &logs] {
        sparkform::deploy::empty::empty_bucket(&aws.s3, "kept", bucket, &ui)
            .await
            .unwrap();
        aws.s3.delete_bucket().bucket(bucket).send().await.unwrap();
    }
}

/// moto's CloudFormation, except that the first DeleteStack goes the way CloudFormation's
/// does when S3 delivers an object to a bucket after it was emptied (late access logs): the
/// object lands, the bucket fails to delete and the stack reads DELETE_FAILED. (moto itself
/// never fails there: it leaves a non-empty bucket behind without a word.)
struct LateDelivery {
    moto: Sdk,
    s3: aws_sdk_s3::Client,
    bucket: String,
    failed_at: std::sync::Mutex<Option<i64>>,
}

impl LateDelivery {
    fn failed_at(&self) -> Option<i64> {
        *self.failed_at.lock().unwrap()
    }
}

impl sparkform::deploy::api::CloudFormation for LateDelivery {
    async fn describe(
        &self,
        stack: &str,
    ) -> Result<Option<sparkform::deploy::api::StackInfo>, sparkform::aws::AwsError> {
        let info = self.moto.describe(stack).await?;
        Ok(match (self.failed_at(), info) {
            (Some(_), Some(mut i)) => {
                i.status = sparkform::deploy::status::StackStatus::parse("DELETE_FAILED");
                i.reason = Some("The following resource(s) failed to delete: [PkgAccessLogsBucket]. ".into());
                Some(i)
            }
            (_, info) => info,
        })
    }
    async fn template(&self, stack: &str) -> Result<String, sparkform::aws::AwsError> {
        self.moto.template(stack).await
    }
    async fn events(&self, stack: &str) -> Result<Vec<sparkform::deploy::api::Event>, sparkform::aws::AwsError> {
        let mut events = self.moto.events(stack).await?;
        if let Some(t) = self.failed_at() {
            events.insert(
                0,
                sparkform::deploy::api::Event {
                    id: "late-delivery".into(),
                    time_ms: t,
                    logical_id: "PkgAccessLogsBucket".into(),
                    resource_type: "AWS::S3::Bucket".into(),
                    status: "DELETE_FAILED".into(),
                    reason: Some("The bucket you tried to delete is not empty. You must delete all versions in the bucket. (Service: S3, Status Code: 409)".into()),
                },
            );
        }
        Ok(events)
    }
    async fn resources(&self, stack: &str) -> Result<Vec<sparkform::deploy::api::Resource>, sparkform::aws::AwsError> {
        self.moto.resources(stack).await
    }
    async fn create_change_set(
        &self,
        req: &sparkform::deploy::api::ChangeSetRequest,
    ) -> Result<(), sparkform::aws::AwsError> {
        self.moto.create_change_set(req).await
    }
    async fn describe_change_set(
        &self,
        stack: &str,
        name: &str,
    ) -> Result<sparkform::deploy::api::ChangeSetInfo, sparkform::aws::AwsError> {
        self.moto.describe_change_set(stack, name).await
    }
    async fn execute_change_set(&self, stack: &str, name: &str) -> Result<(), sparkform::aws::AwsError> {
        self.moto.execute_change_set(stack, name).await
    }
    async fn delete_change_set(&self, stack: &str, name: &str) -> Result<(), sparkform::aws::AwsError> {
        self.moto.delete_change_set(stack, name).await
    }
    async fn delete_stack(&self, stack: &str) -> Result<(), sparkform::aws::AwsError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        // The first call fails (and is marked failed); the next one deletes for real.
        let first = {
            let mut failed = self.failed_at.lock().unwrap();
            let first = failed.take().is_none();
            if first {
                *failed = Some(now);
            }
            first
        };
        if !first {
            return self.moto.delete_stack(stack).await;
        }
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key("access-logs/late")
            .body(ByteStream::from_static(b"late"))
            .send()
            .await
            .unwrap();
        Ok(())
    }
    async fn continue_update_rollback(&self, stack: &str) -> Result<(), sparkform::aws::AwsError> {
        self.moto.continue_update_rollback(stack).await
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bucket_written_after_its_emptying_is_emptied_again_and_the_stack_deleted() {
    services();
    let name = format!("data-late-{}", std::process::id());
    let crate_dir = workspace().join("examples/pyspark-package");
    let asm = assembly_with_opt_in(&crate_dir, &name, &package(", removal_policy: destroy"), true);
    let aws = Aws::load().await.unwrap();
    let moto = Sdk(aws.cfn.clone());
    let ui = test_ui();
    let (artifacts, logs) = deployed_and_filled(&aws, &moto, &asm, &ui, &name).await;
    let late = LateDelivery {
        moto: moto.clone(),
        s3: aws.s3.clone(),
        bucket: logs.clone(),
        failed_at: std::sync::Mutex::new(None),
    };

    let report = destroy(&aws, &late, &asm, &ui).await;
    assert!(report.deleted);
    let logs_emptied = report
        .emptied
        .iter()
        .find(|e| e.logical_id == "PkgAccessLogsBucket")
        .unwrap();
    assert_eq!(logs_emptied.versions, 2, "the log object, then the late one");
    use sparkform::deploy::api::CloudFormation;
    assert!(moto.describe(&name).await.unwrap().is_none());
    for bucket in [&artifacts, &logs] {
        assert!(!bucket_exists(&aws.s3, bucket).await, "{bucket} is gone");
    }
}
