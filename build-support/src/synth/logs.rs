//! A CloudWatch Logs group encrypted with a KMS key of its own, whose policy lets the
//! CloudWatch Logs service use it for that group only. Both are data: kept unless opted in.

use super::iam::document;
use super::{att, r#ref, sub, Template};
use crate::model::Removal;
use serde_json::{json, Value as Json};

/// What CloudWatch Logs does with a group's key (AWS's documented key-policy statement).
pub const LOGS_KEY_ACTIONS: [&str; 5] = [
    "kms:Encrypt*",
    "kms:Decrypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Describe*",
];

/// A group name that is new for each creation of the stack, so a retained group never
/// blocks the next deploy: `<base>/<stack>-<tag>-<the stack id's uuid>`.
pub fn unique_name(base: &str, tag: &str) -> Json {
    json!({ "Fn::Join": ["", [
        format!("{base}/"), r#ref("AWS::StackName"), format!("-{tag}-"),
        { "Fn::Select": [2, { "Fn::Split": ["/", r#ref("AWS::StackId")] }] },
    ]] })
}

/// Adds log group `id` named `name` with retention `days`, and its key `key_id`.
pub fn encrypted_log_group(
    t: &mut Template,
    id: &str,
    key_id: &str,
    name: Json,
    days: u32,
    removal: Removal,
    description: &str,
) {
    // The group's ARN as the logs service puts it in the encryption context; built from the
    // name, because the key must exist before the group.
    let group_arn = json!({ "Fn::Join": ["", [
        sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"), name.clone(),
    ]] });
    // The account-root statement keeps the key manageable through IAM.
    let key_policy = document(vec![
        json!({
            "Sid": "AccountAdministersKey",
            "Effect": "Allow",
            "Principal": { "AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root") },
            "Action": "kms:*",
            "Resource": "*",
        }),
        json!({
            "Sid": "LogsEncryptThisGroup",
            "Effect": "Allow",
            "Principal": { "Service": sub("logs.${AWS::Region}.amazonaws.com") },
            "Action": LOGS_KEY_ACTIONS,
            "Resource": "*",
            "Condition": { "ArnEquals": { "kms:EncryptionContext:aws:logs:arn": group_arn } },
        }),
    ]);
    t.data_resource(
        key_id,
        "AWS::KMS::Key",
        json!({ "Description": description, "EnableKeyRotation": true, "KeyPolicy": key_policy }),
        removal,
    );
    t.data_resource(
        id,
        "AWS::Logs::LogGroup",
        json!({ "LogGroupName": name, "RetentionInDays": days, "KmsKeyId": att(key_id, "Arn") }),
        removal,
    );
}
