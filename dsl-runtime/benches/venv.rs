//! `cargo bench -p sparkform --bench venv`: the PySpark virtualenv asset of the fixture
//! project (dsl-runtime/tests/fixtures/spark-app), measured against the local services
//! (`scripts/test-services start` runs first):
//! - cold build: a fresh cache, so a full Docker build (pip downloads included);
//! - unchanged inputs: the same hash again, answered by the cache with no Docker call;
//! - first upload of the archive to moto's S3, the unchanged re-upload (one HeadObject), and
//!   a 40 MiB multipart upload.

#[path = "../tests/support/mod.rs"]
mod support;

use sparkform::assembly::VenvRecipe;
use sparkform::assets::{build_venv, upload_if_absent, AssetCache, Stats, Upload, VenvBuild};
use std::time::{Duration, Instant};

fn ms(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    }
}

fn main() {
    // `cargo bench` passes `--bench`; this benchmark takes no options.
    let services_start = Instant::now();
    let _ = support::services();
    let services_time = services_start.elapsed();
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
    rt.block_on(run(services_time));
}

async fn run(services_time: Duration) {
    let docker = support::docker();
    let cold_runs = std::env::var("SPARKFORM_BENCH_COLD_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2u32);
    let mut cold = Vec::new();
    let mut archive = None;
    let cache_dir = tempfile::tempdir().unwrap();
    for run in 0..cold_runs {
        // A fresh cache each time, and a hash never seen before.
        let cache = AssetCache::new(cache_dir.path().join(format!("cold-{run}")));
        let stats = Stats::new();
        let recipe = VenvRecipe {
            context: ".".into(),
            dockerfile: None,
            project_file: Some("pyproject.toml".into()),
            base_image: support::base_image(),
            archive_path: "/output/pyspark_venv.tar.gz".into(),
        };
        let b = VenvBuild::for_deploy(
            support::fixture(),
            &recipe,
            &format!("bench-{}-{run}", std::process::id()),
        );
        let t = Instant::now();
        let path = build_venv(&docker, &b, &cache, &stats)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        cold.push(t.elapsed());
        assert_eq!(stats.snapshot().docker_builds, 1);
        archive = Some((b, cache, path));
    }
    let (b, cache, path) = archive.expect("at least one cold run");

    let stats = Stats::new();
    let warm_runs = 200u32;
    let t = Instant::now();
    for _ in 0..warm_runs {
        build_venv(&docker, &b, &cache, &stats).await.unwrap();
    }
    let warm = t.elapsed() / warm_runs;
    assert_eq!(stats.snapshot().docker_builds, 0);

    let s3 = support::s3().await;
    let bucket = support::new_bucket(&s3, "bench").await;
    let key = format!("assets/{}/pyspark_venv.tar.gz", b.key);
    let size = std::fs::metadata(&path).unwrap().len();
    let t = Instant::now();
    assert_eq!(
        upload_if_absent(&s3, &bucket, &key, &path, &stats).await.unwrap(),
        Upload::Uploaded
    );
    let first_upload = t.elapsed();
    let t = Instant::now();
    let skip_runs = 20u32;
    for _ in 0..skip_runs {
        assert_eq!(
            upload_if_absent(&s3, &bucket, &key, &path, &stats).await.unwrap(),
            Upload::AlreadyThere
        );
    }
    let skipped = t.elapsed() / skip_runs;

    // A bigger archive (real PySpark dependencies often make 100+ MiB): multipart.
    let big = cache_dir.path().join("big.tar.gz");
    let mut data = Vec::with_capacity(40 << 20);
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    while data.len() < 40 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data.extend_from_slice(&x.to_le_bytes());
    }
    std::fs::write(&big, &data).unwrap();
    let big_key = format!("assets/big-{}/big.tar.gz", std::process::id());
    let t = Instant::now();
    assert_eq!(
        upload_if_absent(&s3, &bucket, &big_key, &big, &stats).await.unwrap(),
        Upload::Uploaded
    );
    let multipart = t.elapsed();
    assert_eq!(stats.snapshot().multipart_uploads, 1);

    println!("services ready (scripts/test-services start): {}", ms(services_time));
    for (i, d) in cold.iter().enumerate() {
        println!("cold build #{} (fresh cache, full Docker build): {}", i + 1, ms(*d));
    }
    println!("archive: {:.1} MiB", size as f64 / (1 << 20) as f64);
    println!(
        "unchanged inputs (cache hit, no Docker call), mean of {warm_runs}: {}",
        ms(warm)
    );
    println!(
        "first upload to moto ({}): {}",
        if size >= sparkform::assets::MULTIPART_THRESHOLD {
            "multipart"
        } else {
            "PutObject"
        },
        ms(first_upload)
    );
    println!(
        "unchanged upload (one HeadObject), mean of {skip_runs}: {}",
        ms(skipped)
    );
    println!("first upload to moto of 40 MiB (multipart, 5 parts): {}", ms(multipart));
}
