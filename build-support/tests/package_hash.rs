//! A package's venv key is a hash of exactly what deploy builds: the project files Docker
//! gets (the one ignore list: `dist/`, `build/`, caches and venvs left out) and the recipe,
//! base image included, so another image is another key.

use sparkform_build::app::synthesize_sources;
use sparkform_build::model::Context;
use std::path::{Path, PathBuf};

fn project(files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sparkform-hash-{}-{}", std::process::id(), files.len()));
    let _ = std::fs::remove_dir_all(&dir);
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn venv_key(dir: &Path, base_image: Option<&str>) -> String {
    let image = base_image.map(|i| format!("base_image: \"{i}\",")).unwrap_or_default();
    let src = format!(
        r#"pyspark_package!(pub PKG {{ name: "nightly", entrypoint: "spark/job.py", dependencies: "spark", {image} }});"#
    );
    let ctx = Context {
        crate_name: "hash".into(),
        crate_dir: dir.to_path_buf(),
        ..Context::default()
    };
    let s = synthesize_sources(&ctx, &[("src/main.rs".into(), src)]);
    assert!(
        s.macro_errors.is_empty() && s.app_errors.is_empty(),
        "{:?} {:?}",
        s.macro_errors,
        s.app_errors
    );
    let venv = s
        .assembly
        .manifest
        .assets
        .iter()
        .find(|a| a.id.ends_with("Venv"))
        .unwrap();
    venv.key.clone()
}

#[test]
fn the_key_covers_the_image_and_only_the_files_docker_gets() {
    let files = [("spark/job.py", "print(1)\n"), ("spark/requirements.txt", "tabulate\n")];
    let dir = project(&files);
    let key = venv_key(&dir, None);
    assert_eq!(venv_key(&dir, None), key, "the same inputs, the same key");

    let amazon = venv_key(&dir, Some("public.ecr.aws/amazonlinux/amazonlinux:2023"));
    assert_eq!(amazon, key, "the default image, written out");
    let other = venv_key(&dir, Some("public.ecr.aws/emr-on-eks/spark/emr-7.9.0:latest"));
    assert_ne!(other, key, "another image builds another venv");

    for (name, text) in [
        ("spark/dist/app-0.1-py3-none-any.whl", "wheel"),
        ("spark/build/lib/job.py", "copy"),
        ("spark/__pycache__/job.cpython-311.pyc", "bytecode"),
        ("spark/.venv/bin/python", "venv"),
    ] {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        assert_eq!(venv_key(&dir, None), key, "{name} is not sent to Docker, so not hashed");
    }
    std::fs::write(dir.join("spark/requirements.txt"), "tabulate==0.9\n").unwrap();
    assert_ne!(venv_key(&dir, None), key, "a changed requirement is a new venv");
    std::fs::remove_dir_all(&dir).unwrap();
}
