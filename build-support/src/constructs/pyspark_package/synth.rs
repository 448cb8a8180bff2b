//! `pyspark_package!` -> the artifacts bucket (SSE-KMS, public access blocked, TLS only,
//! versioned, server access logs, retained) unless an existing one is named, and DSF's
//! attributes as outputs: entry point URI, venv archive URI and the Spark conf that wires the
//! venv. The files themselves are uploaded by the runtime (no Lambda, unlike DSF).

use super::model::PySparkPackage;
use crate::constructs::Attribute;
use crate::synth::bucket::logged_secure_bucket;
use crate::synth::{r#ref, Template};
use serde_json::json;
use sparkform_assembly::Placeholder;

pub struct PackageIds {
    pub bucket: String,
    pub access_logs: String,
    pub out_bucket: String,
    pub out_entrypoint_uri: String,
    pub out_venv_uri: String,
    pub out_spark_conf: String,
}

pub fn ids(p: &PySparkPackage) -> PackageIds {
    let h = &p.handle;
    PackageIds {
        bucket: h.id("ArtifactsBucket"),
        access_logs: h.id("AccessLogsBucket"),
        out_bucket: h.id("ArtifactsBucketName"),
        out_entrypoint_uri: h.id("EntrypointUri"),
        out_venv_uri: h.id("VenvArchiveUri"),
        out_spark_conf: h.id("SparkVenvConf"),
    }
}

/// The Spark conf that ships and activates the venv; `${ArtifactsBucket}` is the bucket.
/// EMR Serverless sets the Python through its driverEnv/executorEnv settings; EMR on EKS
/// (and plain Spark) through `spark.pyspark.*`. Empty without a venv (DSF wrote
/// `spark.archives=undefined`: defect 10).
pub fn venv_conf(p: &PySparkPackage, eks: bool) -> String {
    let Some(key) = p.venv_key() else { return String::new() };
    let archives = format!(
        "--conf spark.archives=s3://{}/{key}#environment",
        Placeholder::ArtifactsBucket
    );
    if eks {
        format!("{archives} --conf spark.pyspark.python=./environment/bin/python --conf spark.pyspark.driver.python=./environment/bin/python")
    } else {
        format!(
            "{archives} --conf spark.emr-serverless.driverEnv.PYSPARK_DRIVER_PYTHON=./environment/bin/python \
             --conf spark.emr-serverless.driverEnv.PYSPARK_PYTHON=./environment/bin/python \
             --conf spark.executorEnv.PYSPARK_PYTHON=./environment/bin/python"
        )
    }
}

/// The bucket name as a template value (a created bucket's Ref, or the existing name).
pub fn bucket_value(p: &PySparkPackage) -> serde_json::Value {
    match &p.artifacts_bucket {
        Some(name) => json!(name),
        None => r#ref(&ids(p).bucket),
    }
}

pub fn synth(p: &PySparkPackage, t: &mut Template) {
    t.kinds.insert("PySparkApplicationPackage");
    let ids = ids(p);
    if p.artifacts_bucket.is_none() {
        logged_secure_bucket(t, &ids.bucket, &ids.access_logs, "the artifacts bucket", p.removal);
    }
}

/// The package's attributes (DSF's `entrypointUri`, `venvArchiveUri`, `sparkVenvConf`,
/// `artifactsBucket`, `artifactsAccessLogsBucket`).
pub fn attributes(p: &PySparkPackage) -> Vec<Attribute> {
    let ids = ids(p);
    let bucket = bucket_value(p);
    let with_bucket =
        |text: String| json!({ "Fn::Sub": [text, { Placeholder::ArtifactsBucket.name(): bucket.clone() }] });
    let mut out = vec![
        Attribute::new(
            "artifacts_bucket_name",
            &ids.out_bucket,
            bucket.clone(),
            format!("S3 bucket with the artifacts of {}", p.name),
        ),
        Attribute::new(
            "entrypoint_uri",
            &ids.out_entrypoint_uri,
            with_bucket(p.entrypoint_uri()),
            format!("Entry point of {}", p.name),
        ),
    ];
    if let Some(key) = p.venv_key() {
        out.push(Attribute::new(
            "venv_archive_uri",
            &ids.out_venv_uri,
            with_bucket(format!("s3://{}/{key}#environment", Placeholder::ArtifactsBucket)),
            format!("Virtualenv archive of {}", p.name),
        ));
        out.push(Attribute::new(
            "spark_venv_conf",
            &ids.out_spark_conf,
            with_bucket(venv_conf(p, false)),
            format!(
                "Spark conf that activates the virtualenv of {} on EMR Serverless",
                p.name
            ),
        ));
    }
    if p.artifacts_bucket.is_none() {
        out.push(Attribute::new(
            "access_logs_bucket_name",
            p.handle.id("AccessLogsBucketName"),
            r#ref(&ids.access_logs),
            format!("S3 bucket with the access logs of the artifacts bucket of {}", p.name),
        ));
    }
    out
}
