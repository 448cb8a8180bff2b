//! Emptying a bucket before its stack is deleted (DSF's `autoDeleteObjects`, without a
//! Lambda): CloudFormation cannot delete a bucket that holds objects, and a versioned
//! bucket holds every old version and delete marker too. Pages of ListObjectVersions, each
//! removed with one DeleteObjects call (at most 1000 keys, S3's limit).

use super::ui::Ui;
use crate::aws::AwsError;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};

/// S3's limit of keys per DeleteObjects call (and per ListObjectVersions page).
const BATCH: usize = 1000;

/// What emptying one bucket removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Emptied {
    pub logical_id: String,
    pub bucket: String,
    /// Object versions removed (the current ones included).
    pub versions: u64,
    pub delete_markers: u64,
}

impl Emptied {
    pub fn objects(&self) -> u64 {
        self.versions + self.delete_markers
    }
}

/// Removes every object version and delete marker of `bucket`. A bucket that is gone
/// already is empty.
pub async fn empty_bucket(
    s3: &aws_sdk_s3::Client,
    logical_id: &str,
    bucket: &str,
    ui: &Ui,
) -> Result<Emptied, AwsError> {
    let mut out = Emptied {
        logical_id: logical_id.into(),
        bucket: bucket.into(),
        ..Default::default()
    };
    let action = || format!("empty bucket {bucket}");
    let (mut key_marker, mut version_marker) = (None::<String>, None::<String>);
    let mut announced = false;
    loop {
        let page = match s3
            .list_object_versions()
            .bucket(bucket)
            .max_keys(BATCH as i32)
            .set_key_marker(key_marker.clone())
            .set_version_id_marker(version_marker.clone())
            .send()
            .await
        {
            Ok(p) => p,
            Err(e) => {
                let e = AwsError::from_sdk(action(), &e);
                if e.code() == Some("NoSuchBucket") {
                    return Ok(out);
                }
                return Err(e);
            }
        };
        let mut ids: Vec<ObjectIdentifier> = page
            .versions()
            .iter()
            .filter_map(|v| identifier(v.key(), v.version_id()))
            .collect();
        let versions = ids.len() as u64;
        ids.extend(
            page.delete_markers()
                .iter()
                .filter_map(|m| identifier(m.key(), m.version_id())),
        );
        if !ids.is_empty() && !announced {
            ui.say(format!("emptying bucket {bucket} ({logical_id}): every object version"));
            announced = true;
        }
        for batch in ids.chunks(BATCH) {
            delete_batch(s3, bucket, batch).await?;
        }
        out.versions += versions;
        out.delete_markers += ids.len() as u64 - versions;
        if !page.is_truncated().unwrap_or(false) {
            break;
        }
        key_marker = page.next_key_marker().map(str::to_string);
        version_marker = page.next_version_id_marker().map(str::to_string);
        if key_marker.is_none() && version_marker.is_none() {
            break;
        }
        ui.say(format!("emptying bucket {bucket}: {} removed so far", out.objects()));
    }
    Ok(out)
}

/// The key and version of a listed entry (S3 lists none without a key).
fn identifier(key: Option<&str>, version: Option<&str>) -> Option<ObjectIdentifier> {
    ObjectIdentifier::builder()
        .key(key?)
        .set_version_id(version.map(str::to_string))
        .build()
        .ok()
}

/// One DeleteObjects call; any key S3 could not delete fails the whole emptying, with S3's
/// reason for the first (an object lock, a denied permission).
async fn delete_batch(s3: &aws_sdk_s3::Client, bucket: &str, batch: &[ObjectIdentifier]) -> Result<(), AwsError> {
    let action = format!("empty bucket {bucket}");
    let delete = Delete::builder()
        .set_objects(Some(batch.to_vec()))
        .quiet(true)
        .build()
        .map_err(|e| AwsError::Other {
            action: action.clone(),
            message: "the DeleteObjects request could not be built".into(),
            detail: e.to_string(),
        })?;
    let out = s3
        .delete_objects()
        .bucket(bucket)
        .delete(delete)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(action.clone(), &e))?;
    if let Some(e) = out.errors().first() {
        let errors = out.errors().len();
        return Err(AwsError::from_code(
            action,
            e.code().unwrap_or("DeleteObjects").to_string(),
            format!(
                "{} of {} keys were not deleted; the first, `{}`: {}",
                errors,
                batch.len(),
                e.key().unwrap_or_default(),
                e.message().unwrap_or_default()
            ),
            String::new(),
        ));
    }
    Ok(())
}
