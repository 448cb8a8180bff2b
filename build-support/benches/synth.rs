//! Synthesis speed: the whole build.rs pipeline (find macros in the sources, parse, check,
//! synthesize, render templates and manifest) on each example app, without rustc.
//! `cargo bench -p sparkform-build --bench synth`; prints the median and p90 per app.
//! Bar (issue 2): under 5 ms for the serverless-runtime example.

use sparkform_build::app::{read_sources, synthesize_sources};
use sparkform_build::model::Context;
use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut names: Vec<_> = std::fs::read_dir(&examples)
        .expect("examples/")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    println!(
        "{:<22} {:>8} {:>10} {:>10} {:>10}",
        "app", "stacks", "resources", "median", "p90"
    );
    for name in names {
        let root = examples.join(&name);
        if !root.join("Cargo.toml").is_file() {
            continue;
        }
        let ctx = Context::from_manifest_dir(&root, &name);
        let sources = read_sources(&root, &root.join("src"));
        let first = synthesize_sources(&ctx, &sources);
        assert!(
            first.macro_errors.is_empty() && first.app_errors.is_empty(),
            "{name} has errors"
        );
        let resources: usize = first.assembly.manifest.stacks.iter().map(|s| s.resources).sum();
        let mut times: Vec<Duration> = (0..200)
            .map(|_| {
                let t = Instant::now();
                let s = synthesize_sources(&ctx, &sources);
                // Rendering the embedded form is part of what build.rs does.
                std::hint::black_box(s.assembly.embedded_json());
                t.elapsed()
            })
            .collect();
        times.sort();
        let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1e3);
        println!(
            "{:<22} {:>8} {:>10} {:>10} {:>10}",
            name,
            first.assembly.manifest.stacks.len(),
            resources,
            ms(times[100]),
            ms(times[180])
        );
    }
}
