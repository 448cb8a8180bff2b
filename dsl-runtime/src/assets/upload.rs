//! Uploads of assets to S3 under content-hash keys: a key that exists already holds the same
//! bytes, so an unchanged asset costs one HeadObject and no upload.

use super::{AssetError, Stats};
use crate::aws::AwsError;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::{ByteStream, Length};
use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
use futures_util::StreamExt;
use std::path::Path;

/// Files from this size on go as multipart uploads.
pub const MULTIPART_THRESHOLD: u64 = 16 * 1024 * 1024;
/// The part size of multipart uploads.
pub const PART_SIZE: u64 = 8 * 1024 * 1024;
/// The object metadata key holding the file's hex SHA-256.
pub const SHA256_METADATA: &str = "sparkform-sha256";
/// Parts in flight at once.
const PARTS_IN_FLIGHT: usize = 4;

/// What [`upload_if_absent`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upload {
    /// The object was written.
    Uploaded,
    /// The key existed already (same hash, same bytes): nothing was sent.
    AlreadyThere,
}

/// Uploads `file` to `s3://bucket/key` unless the key exists. The key is expected to contain
/// the content hash, so an existing object is the same asset. Small files go in one
/// PutObject; files of [`MULTIPART_THRESHOLD`] or more in [`PART_SIZE`] parts, and a failed
/// multipart upload is aborted so that no partial upload lingers. The object's metadata
/// `sparkform-sha256` holds the file's SHA-256.
pub async fn upload_if_absent(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    file: &Path,
    stats: &Stats,
) -> Result<Upload, AssetError> {
    Stats::bump(&stats.head_checks);
    match s3.head_object().bucket(bucket).key(key).send().await {
        Ok(_) => {
            Stats::bump(&stats.skipped_uploads);
            return Ok(Upload::AlreadyThere);
        }
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {}
        // Without s3:ListBucket, S3 answers 403 for a missing key: try the upload, which
        // says clearly whether we may write.
        Err(e) if status(&e) == Some(403) => {}
        Err(e) => return Err(s3_error(e, bucket, key, "HeadObject")),
    }

    let size = tokio::fs::metadata(file)
        .await
        .map_err(|e| AssetError::io("read", file, e))?
        .len();
    let path = file.to_path_buf();
    let sha256 = tokio::task::spawn_blocking(move || super::sha256_file(&path))
        .await
        .map_err(|e| AssetError::InvalidInput(format!("hashing {} failed: {e}", file.display())))?
        .map_err(|e| AssetError::io("read", file, e))?;

    if size < MULTIPART_THRESHOLD {
        let body = ByteStream::from_path(file).await.map_err(|e| AssetError::Io {
            action: "read".into(),
            path: file.to_path_buf(),
            source: std::io::Error::other(e),
        })?;
        s3.put_object()
            .bucket(bucket)
            .key(key)
            .metadata(SHA256_METADATA, &sha256)
            .body(body)
            .send()
            .await
            .map_err(|e| s3_error(e, bucket, key, "PutObject"))?;
    } else {
        multipart(s3, bucket, key, file, size, &sha256).await?;
        Stats::bump(&stats.multipart_uploads);
    }
    Stats::bump(&stats.uploads);
    Ok(Upload::Uploaded)
}

async fn multipart(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    file: &Path,
    size: u64,
    sha256: &str,
) -> Result<(), AssetError> {
    let created = s3
        .create_multipart_upload()
        .bucket(bucket)
        .key(key)
        .metadata(SHA256_METADATA, sha256)
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .send()
        .await
        .map_err(|e| s3_error(e, bucket, key, "CreateMultipartUpload"))?;
    let Some(upload_id) = created.upload_id().map(str::to_string) else {
        return Err(AssetError::S3 {
            bucket: bucket.into(),
            key: key.into(),
            action: "CreateMultipartUpload".into(),
            detail: "the answer had no upload id".into(),
        });
    };

    let result = upload_parts(s3, bucket, key, file, size, &upload_id).await;
    let result = match result {
        Ok(parts) => s3
            .complete_multipart_upload()
            .bucket(bucket)
            .key(key)
            .upload_id(&upload_id)
            .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| s3_error(e, bucket, key, "CompleteMultipartUpload")),
        Err(e) => Err(e),
    };
    if result.is_err() {
        // Best effort: the upload's error is the one worth reporting.
        let _ = s3
            .abort_multipart_upload()
            .bucket(bucket)
            .key(key)
            .upload_id(&upload_id)
            .send()
            .await;
    }
    result
}

async fn upload_parts(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    file: &Path,
    size: u64,
    upload_id: &str,
) -> Result<Vec<CompletedPart>, AssetError> {
    let count = size.div_ceil(PART_SIZE);
    let parts = futures_util::stream::iter(0..count)
        .map(|i| async move {
            let offset = i * PART_SIZE;
            let length = PART_SIZE.min(size - offset);
            let number = i32::try_from(i + 1).unwrap_or(i32::MAX);
            let body = ByteStream::read_from()
                .path(file)
                .offset(offset)
                .length(Length::Exact(length))
                .build()
                .await
                .map_err(|e| AssetError::Io {
                    action: "read".into(),
                    path: file.to_path_buf(),
                    source: std::io::Error::other(e),
                })?;
            let out = s3
                .upload_part()
                .bucket(bucket)
                .key(key)
                .upload_id(upload_id)
                .part_number(number)
                .content_length(length as i64)
                .checksum_algorithm(ChecksumAlgorithm::Crc32)
                .body(body)
                .send()
                .await
                .map_err(|e| s3_error(e, bucket, key, "UploadPart"))?;
            Ok::<_, AssetError>(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(out.e_tag().map(str::to_string))
                    .set_checksum_crc32(out.checksum_crc32().map(str::to_string))
                    .build(),
            )
        })
        .buffered(PARTS_IN_FLIGHT);
    futures_util::pin_mut!(parts);
    let mut done = Vec::with_capacity(count as usize);
    while let Some(part) = parts.next().await {
        done.push(part?);
    }
    Ok(done)
}

fn status<E>(e: &SdkError<E>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

fn s3_error<E>(e: SdkError<E>, bucket: &str, key: &str, action: &str) -> AssetError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let Some(code) = e.code().map(str::to_string) else {
        // Not an answer of S3 (no credentials, no network): say that, in a line or two.
        return match status(&e) {
            Some(403) => AssetError::AccessDenied {
                bucket: bucket.into(),
                key: key.into(),
                action: action.into(),
                detail: "HTTP 403".into(),
            },
            _ => AssetError::Aws(AwsError::from_sdk(format!("{action} s3://{bucket}/{key}"), &e)),
        };
    };
    let detail = match e.message() {
        Some(m) => format!("{code}: {m}"),
        None => code.clone(),
    };
    match (code.as_str(), status(&e)) {
        ("NoSuchBucket", _) => AssetError::BucketMissing { bucket: bucket.into() },
        ("AccessDenied" | "AllAccessDisabled" | "InvalidAccessKeyId" | "SignatureDoesNotMatch", _) | (_, Some(403)) => {
            AssetError::AccessDenied {
                bucket: bucket.into(),
                key: key.into(),
                action: action.into(),
                detail,
            }
        }
        _ => AssetError::S3 {
            bucket: bucket.into(),
            key: key.into(),
            action: action.into(),
            detail,
        },
    }
}
