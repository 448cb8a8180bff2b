// tests/Cargo.toml depends on sparkform without its `docker` feature: a package with
// `dependencies` (a virtualenv built in Docker) is an error on that field, naming the feature.
// tests/ui.rs writes `venv-project/` into trybuild's crate, where the paths are resolved.
use sparkform::prelude::*;

pyspark_package!(pub PKG {
    name: "nightly",
    entrypoint: "venv-project/job.py",
    dependencies: "venv-project",
});

fn main() {}
