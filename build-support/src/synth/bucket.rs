//! A secure bucket: SSE-KMS with a bucket key, public access blocked, owner-enforced
//! objects, TLS-only policy, versioned with old versions expired, incomplete uploads cleaned
//! up, retained unless opted in.

use super::{att, r#ref, sub, Template};
use crate::model::Removal;
use serde_json::{json, Value as Json};

/// Adds `<id>` and `<id>Policy`; `kms_key_arn` None means the AWS-managed `aws/s3` key.
pub fn secure_bucket(t: &mut Template, id: &str, kms_key_arn: Option<&str>, removal: Removal) {
    let mut default = json!({ "SSEAlgorithm": "aws:kms" });
    if let Some(k) = kms_key_arn {
        default["KMSMasterKeyID"] = json!(k);
    }
    t.data_resource(
        id,
        "AWS::S3::Bucket",
        json!({
            "BucketEncryption": { "ServerSideEncryptionConfiguration": [{ "ServerSideEncryptionByDefault": default, "BucketKeyEnabled": true }] },
            "PublicAccessBlockConfiguration": block_public_access(),
            "OwnershipControls": owner_enforced(),
            "VersioningConfiguration": { "Status": "Enabled" },
            "LifecycleConfiguration": lifecycle(),
        }),
        removal,
    );
    bucket_policy(t, id, vec![deny_insecure_transport(id)]);
}

/// `<id>Policy`: the bucket policy of bucket `id`.
pub fn bucket_policy(t: &mut Template, id: &str, statements: Vec<Json>) {
    t.resource(
        &format!("{id}Policy"),
        "AWS::S3::BucketPolicy",
        json!({ "Bucket": r#ref(id), "PolicyDocument": { "Version": "2012-10-17", "Statement": statements } }),
    );
}

/// Days an overwritten or deleted object's old version is kept before S3 expires it.
pub const NONCURRENT_VERSION_DAYS: u32 = 30;

/// Lifecycle of a versioned bucket: an overwritten or deleted object stays recoverable for
/// [`NONCURRENT_VERSION_DAYS`], then its old version (and a delete marker left with no
/// versions) goes, so versions never pile up; incomplete uploads go after a day.
pub fn lifecycle() -> Json {
    json!({ "Rules": [
        { "Id": "AbortIncompleteUploads", "Status": "Enabled", "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": 1 } },
        {
            "Id": "ExpireOldVersions",
            "Status": "Enabled",
            "NoncurrentVersionExpiration": { "NoncurrentDays": NONCURRENT_VERSION_DAYS },
            "ExpiredObjectDeleteMarker": true,
        },
    ] })
}

/// Every public-access block on.
pub fn block_public_access() -> Json {
    json!({ "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true })
}

/// Objects belong to the bucket owner; ACLs are off.
pub fn owner_enforced() -> Json {
    json!({ "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }] })
}

/// The bucket-policy statement that refuses every request not made over TLS.
pub fn deny_insecure_transport(id: &str) -> Json {
    json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": { "AWS": "*" },
        "Action": "s3:*",
        "Resource": [att(id, "Arn"), bucket_objects(id)],
        "Condition": { "Bool": { "aws:SecureTransport": "false" } },
    })
}

/// `arn:...:bucket/*` of a bucket in this template.
pub fn bucket_objects(id: &str) -> Json {
    json!({ "Fn::Sub": format!("${{{id}.Arn}}/*") })
}

/// A [`secure_bucket`] whose server access logs go to a bucket of their own (`logs_id`);
/// `what` names the bucket in the log bucket's checkov reason ("the artifacts bucket").
pub fn logged_secure_bucket(t: &mut Template, id: &str, logs_id: &str, what: &str, removal: Removal) {
    access_logs_bucket(t, logs_id, id, what, removal);
    secure_bucket(t, id, None, removal);
    if let Some(b) = t.resources.get_mut(id) {
        b["Properties"]["LoggingConfiguration"] =
            json!({ "DestinationBucketName": r#ref(logs_id), "LogFilePrefix": "access-logs/" });
    }
}

/// The target of a bucket's server access logs. S3 writes access logs only
/// with SSE-S3, so this bucket uses it; the log service may write only for the source bucket.
/// Versioned like every bucket: a deleted log stays recoverable for a while.
pub fn access_logs_bucket(t: &mut Template, id: &str, source: &str, what: &str, removal: Removal) {
    t.data_resource(
        id,
        "AWS::S3::Bucket",
        json!({
            "BucketEncryption": { "ServerSideEncryptionConfiguration": [{ "ServerSideEncryptionByDefault": { "SSEAlgorithm": "AES256" } }] },
            "PublicAccessBlockConfiguration": block_public_access(),
            "OwnershipControls": owner_enforced(),
            "VersioningConfiguration": { "Status": "Enabled" },
            "LifecycleConfiguration": lifecycle(),
        }),
        removal,
    );
    t.skip_check(
        id,
        "CKV_AWS_18",
        &format!("This bucket receives {what}'s access logs; logging its own accesses to itself would log every log delivery without end."),
    );
    let delivery = json!({
        "Sid": "AllowAccessLogDelivery",
        "Effect": "Allow",
        "Principal": { "Service": "logging.s3.amazonaws.com" },
        "Action": "s3:PutObject",
        "Resource": sub(&format!("${{{id}.Arn}}/access-logs/*")),
        "Condition": {
            "ArnLike": { "aws:SourceArn": att(source, "Arn") },
            "StringEquals": { "aws:SourceAccount": r#ref("AWS::AccountId") },
        },
    });
    bucket_policy(t, id, vec![deny_insecure_transport(id), delivery]);
}

/// The buckets of `t` that `destroy` empties before deleting its stack: those CloudFormation
/// deletes with it (their removal is `destroy`, which needs the crate's opt-in). An existing
/// bucket a construct names is no resource of the template, so it is never among them.
pub fn emptied_on_destroy(t: &Template) -> Vec<String> {
    t.resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::S3::Bucket" && r["DeletionPolicy"] == "Delete")
        .map(|(id, _)| id.clone())
        .collect()
}
