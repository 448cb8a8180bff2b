//! The assets of `pyspark_package!` against real services: virtualenv archives built by the
//! Docker engine from `scripts/test-services` (started here if needed) and uploads to moto's
//! S3. Every "nothing happened" claim is checked with the counters of `Stats`.
#![cfg(feature = "deploy")]

mod support;

use sparkform::assembly::VenvRecipe;
use sparkform::assets::{
    build_venv, upload_if_absent, AssetCache, AssetError, Stats, Upload, VenvBuild, SHA256_METADATA,
};
use std::path::Path;
use support::*;

/// The recipe of a project at `context` (the build context and the crate folder at once).
fn recipe(dockerfile: Option<&str>, archive_path: &str, base_image: &str) -> VenvRecipe {
    VenvRecipe {
        context: ".".into(),
        dockerfile: dockerfile.map(Into::into),
        project_file: dockerfile.is_none().then(|| "pyproject.toml".to_string()),
        base_image: base_image.into(),
        archive_path: archive_path.into(),
    }
}

/// What deploy builds: on the recipe's image (the services' local one), under the hash.
fn venv_build(context: &Path, dockerfile: Option<&str>, archive_path: &str, hash: &str) -> VenvBuild {
    VenvBuild::for_deploy(context, &recipe(dockerfile, archive_path, &base_image()), hash)
}

/// A client for a Docker daemon that is not there (nothing listens on the discard port).
fn no_daemon() -> bollard::Docker {
    sparkform::assets::connect_docker(Some("tcp://127.0.0.1:9")).unwrap()
}

/// A project folder holding only `Dockerfile` with `text` (`{base}` is the base image).
fn dockerfile_project(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), text.replace("{base}", &base_image())).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn generated_dockerfile_builds_a_working_venv_once() {
    let docker = docker();
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = AssetCache::new(cache_dir.path());
    let stats = Stats::new();
    let b = venv_build(
        &fixture(),
        None,
        "/output/pyspark_venv.tar.gz",
        "fixture-generated-0001",
    );

    let archive = build_venv(&docker, &b, &cache, &stats)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        archive,
        cache_dir.path().join("fixture-generated-0001/pyspark_venv.tar.gz")
    );
    assert_eq!(stats.snapshot().docker_builds, 1);
    let out = run_packed_python(
        &archive,
        "import six, spark_app; print(six.__version__, spark_app.greeting('spark'))",
    )
    .unwrap_or_else(|e| panic!("the packed venv's python failed: {e}"));
    assert_eq!(out, "1.17.0 hello, spark");

    // Same inputs (same hash): the cached archive, no build.
    let again = build_venv(&docker, &b, &cache, &stats).await.unwrap();
    assert_eq!(again, archive);
    assert_eq!(stats.snapshot().docker_builds, 1);

    // Not even a Docker call: a cache hit works with no daemon at all.
    let nowhere = no_daemon();
    assert_eq!(build_venv(&nowhere, &b, &cache, &stats).await.unwrap(), archive);
    assert_eq!(stats.snapshot().docker_builds, 1);

    // Nothing but the entry is left in the cache (no temporary files).
    let names: Vec<_> = std::fs::read_dir(cache_dir.path().join("fixture-generated-0001"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names, ["pyspark_venv.tar.gz"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_users_dockerfile_builds_too() {
    // DSF's example layout: the project with its own Dockerfile writing the archive elsewhere.
    let project = tempfile::tempdir().unwrap();
    for name in ["pyproject.toml", "spark_app.py"] {
        std::fs::copy(fixture().join(name), project.path().join(name)).unwrap();
    }
    // The base image comes in as the build argument BASE_IMAGE (overriding a registry
    // default that is unreachable here), as in examples/pyspark-package.
    let dockerfile = "ARG BASE_IMAGE=public.ecr.aws/amazonlinux/amazonlinux:2023\n\
        FROM ${BASE_IMAGE}\n\
        ENV VIRTUAL_ENV=/opt/venv\n\
        RUN python3 -m venv --copies $VIRTUAL_ENV\n\
        ENV PATH=$VIRTUAL_ENV/bin:$PATH PIP_NO_CACHE_DIR=1\n\
        COPY . /app\n\
        WORKDIR /app\n\
        RUN pip install venv-pack==0.2.0 && pip install .\n\
        RUN mkdir /artifacts && venv-pack -o /artifacts/custom_venv.tar.gz\n";
    std::fs::write(project.path().join("Dockerfile"), dockerfile).unwrap();

    let cache_dir = tempfile::tempdir().unwrap();
    let cache = AssetCache::new(cache_dir.path());
    let stats = Stats::new();
    let b = venv_build(
        project.path(),
        Some("Dockerfile"),
        "/artifacts/custom_venv.tar.gz",
        "fixture-user-0001",
    );
    let archive = build_venv(&docker(), &b, &cache, &stats)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(archive.file_name().unwrap(), "custom_venv.tar.gz");
    assert_eq!(stats.snapshot().docker_builds, 1);
    assert_eq!(
        run_packed_python(&archive, "import spark_app; print(spark_app.greeting('user'))").unwrap(),
        "hello, user"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_archive_path_says_where_it_looked() {
    let project = dockerfile_project("FROM {base}\nRUN mkdir -p /output && echo data > /output/other.tar.gz\n");
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = AssetCache::new(cache_dir.path());
    let stats = Stats::new();
    let b = venv_build(
        project.path(),
        Some("Dockerfile"),
        "/output/pyspark_venv.tar.gz",
        "wrong-path-0001",
    );
    let err = build_venv(&docker(), &b, &cache, &stats).await.unwrap_err();
    assert!(
        matches!(&err, AssetError::ArchiveMissing { path, .. } if path == "/output/pyspark_venv.tar.gz"),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("no archive at /output/pyspark_venv.tar.gz") && msg.contains("Dockerfile"),
        "{msg}"
    );
    assert_eq!(cache.get("wrong-path-0001"), None, "nothing is cached after a failure");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_archive_that_is_not_a_tar_gz_is_refused() {
    let project =
        dockerfile_project("FROM {base}\nRUN mkdir -p /output && echo 'not gzip' > /output/pyspark_venv.tar.gz\n");
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = AssetCache::new(cache_dir.path());
    let b = venv_build(
        project.path(),
        Some("Dockerfile"),
        "/output/pyspark_venv.tar.gz",
        "unreadable-0001",
    );
    let err = build_venv(&docker(), &b, &cache, &Stats::new()).await.unwrap_err();
    assert!(matches!(err, AssetError::ArchiveUnreadable { .. }), "{err:?}");
    assert!(err.to_string().contains("not a gzip-compressed tar"), "{err}");
    assert_eq!(cache.get("unreadable-0001"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_step_is_reported_with_its_output() {
    let project = dockerfile_project(
        "FROM {base}\nRUN echo 'resolving spark deps' && echo 'no such package: pyspork' && false\n",
    );
    let cache_dir = tempfile::tempdir().unwrap();
    let b = venv_build(
        project.path(),
        Some("Dockerfile"),
        "/output/pyspark_venv.tar.gz",
        "failing-0001",
    );
    let err = build_venv(&docker(), &b, &AssetCache::new(cache_dir.path()), &Stats::new())
        .await
        .unwrap_err();
    match &err {
        AssetError::BuildFailed { step, message, output } => {
            assert!(step.starts_with("Step 2/2 : RUN echo"), "{step}");
            assert!(message.contains("returned a non-zero code"), "{message}");
            assert!(
                output.iter().any(|l| l.contains("no such package: pyspork")),
                "{output:?}"
            );
        }
        e => panic!("expected BuildFailed, got {e}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_daemon_says_how_to_start_one() {
    let nowhere = no_daemon();
    let cache_dir = tempfile::tempdir().unwrap();
    let stats = Stats::new();
    let b = venv_build(&fixture(), None, "/output/pyspark_venv.tar.gz", "unreachable-0001");
    let err = build_venv(&nowhere, &b, &AssetCache::new(cache_dir.path()), &stats)
        .await
        .unwrap_err();
    assert!(matches!(err, AssetError::DockerUnreachable { .. }), "{err:?}");
    assert!(err.to_string().contains("scripts/test-services start"), "{err}");
    assert_eq!(stats.snapshot().docker_builds, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_skip_existing_keys_and_big_files_go_multipart() {
    let s3 = s3().await;
    let bucket = new_bucket(&s3, "assets").await;
    let stats = Stats::new();
    let dir = tempfile::tempdir().unwrap();

    let small = dir.path().join("entrypoint.py");
    std::fs::write(&small, "print('hello from spark')\n").unwrap();
    let key = "assets/0123abcd/entrypoint.py";
    assert_eq!(
        upload_if_absent(&s3, &bucket, key, &small, &stats).await.unwrap(),
        Upload::Uploaded
    );
    let c = stats.snapshot();
    assert_eq!(
        (c.uploads, c.skipped_uploads, c.head_checks, c.multipart_uploads),
        (1, 0, 1, 0)
    );

    // Unchanged (same key, as the key carries the content hash): one HeadObject, no upload.
    assert_eq!(
        upload_if_absent(&s3, &bucket, key, &small, &stats).await.unwrap(),
        Upload::AlreadyThere
    );
    let c = stats.snapshot();
    assert_eq!((c.uploads, c.skipped_uploads, c.head_checks), (1, 1, 2));

    let head = s3.head_object().bucket(&bucket).key(key).send().await.unwrap();
    let sha = sparkform::assets::sha256_file(&small).unwrap();
    assert_eq!(head.metadata().and_then(|m| m.get(SHA256_METADATA)), Some(&sha));

    // 20 MiB of varied bytes: three parts of a multipart upload, read back identical.
    let big = dir.path().join("pyspark_venv.tar.gz");
    let mut data = Vec::with_capacity(20 << 20);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while data.len() < 20 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data.extend_from_slice(&x.to_le_bytes());
    }
    std::fs::write(&big, &data).unwrap();
    let big_key = "assets/4567cdef/pyspark_venv.tar.gz";
    assert_eq!(
        upload_if_absent(&s3, &bucket, big_key, &big, &stats).await.unwrap(),
        Upload::Uploaded
    );
    let c = stats.snapshot();
    assert_eq!((c.uploads, c.multipart_uploads), (2, 1));
    let got = s3.get_object().bucket(&bucket).key(big_key).send().await.unwrap();
    let meta_sha = got.metadata().and_then(|m| m.get(SHA256_METADATA)).cloned();
    let body = got.body.collect().await.unwrap().into_bytes();
    assert!(
        body.len() == data.len() && body[..] == data[..],
        "the multipart object reads back identical"
    );
    assert_eq!(meta_sha, Some(sparkform::assets::sha256_file(&big).unwrap()));
    let pending = s3.list_multipart_uploads().bucket(&bucket).send().await.unwrap();
    assert!(pending.uploads().is_empty(), "no multipart upload left open");

    assert_eq!(
        upload_if_absent(&s3, &bucket, big_key, &big, &stats).await.unwrap(),
        Upload::AlreadyThere
    );
    assert_eq!(stats.snapshot().uploads, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn uploading_to_a_missing_bucket_says_so() {
    let s3 = s3().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("entrypoint.py");
    std::fs::write(&file, "print(1)\n").unwrap();
    let stats = Stats::new();
    let err = upload_if_absent(&s3, "sparkform-no-such-bucket-here", "a/b.py", &file, &stats)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AssetError::BucketMissing { bucket } if bucket == "sparkform-no-such-bucket-here"),
        "{err:?}"
    );
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert_eq!(stats.snapshot().uploads, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_local_image_builds_under_its_own_key_which_deploy_never_takes() {
    // A package whose own image cannot be pulled here (as EMR's is not, with no registry).
    let aws_image = "registry.invalid/emr/amazonlinux:2023";
    let r = recipe(None, "/output/pyspark_venv.tar.gz", aws_image);
    let hash = "local-override-0001";
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = AssetCache::new(cache_dir.path());
    let stats = Stats::new();

    // `run --local` with SPARKFORM_BASE_IMAGE: the local image, under a key of its own.
    let local = VenvBuild::for_local(fixture(), &r, hash, Some(&base_image()));
    let archive = build_venv(&docker(), &local, &cache, &stats)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        archive.starts_with(cache.entry_dir(&local.key)),
        "{}",
        archive.display()
    );
    assert!(local.key.starts_with(hash) && local.key.contains("local-python-base-bookworm"));
    assert_eq!(cache.get(hash), None, "the key deploy uploads holds nothing");
    assert_eq!(
        run_packed_python(&archive, "import spark_app; print(spark_app.greeting('local'))").unwrap(),
        "hello, local"
    );

    // Deploy's build of the same package: on the package's image, not from the local archive.
    let deploy = VenvBuild::for_deploy(fixture(), &r, hash);
    let err = build_venv(&docker(), &deploy, &cache, &stats).await.unwrap_err();
    match &err {
        AssetError::BuildFailed { step, .. } => {
            assert!(step.contains(&format!("FROM {aws_image}")), "{step}")
        }
        e => panic!("expected the FROM step to fail, got {e}"),
    }
    assert_eq!(cache.get(hash), None);
    assert_eq!(stats.snapshot().docker_builds, 2);
}
