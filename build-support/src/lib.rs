//! sparkform's compiler, shared by the macros (`sparkform-macros`) and the user's `build.rs`.
//!
//! - [`value`] and [`reader`]: the one parser: macro tokens to a value tree with spans, and
//!   typed access to its fields with errors on exact tokens.
//! - [`constructs`]: the construct table, one row and one folder per macro (check,
//!   synthesize, manifest, expand), and the handle index that resolves references.
//! - [`model`], [`checks`] and [`synth`]: pieces the constructs share (handles, IAM, VPC,
//!   value checks, templates, buckets).
//! - [`app`] and [`assembly`]: whole-app synthesis from the crate's sources, written to
//!   `target/sparkform/<crate>/` in the layout of the contract crate `sparkform-assembly`.
//! - [`stages`]: per-stage values (`by_stage`), resolved before any checker reads a body.
//! - [`expand`]: what a macro call expands to (`sparkform-macros` is a shim over it).
//!
//! A user crate's `build.rs` is one line: `fn main() { sparkform_build::synthesize(); }`.

pub mod app;
pub mod assembly;
pub mod checks;
pub mod constructs;
pub mod diag;
pub mod expand;
pub mod model;
pub mod reader;
pub mod stages;
pub mod synth;
pub mod value;

use std::path::{Path, PathBuf};

/// The file in `OUT_DIR` that the binary embeds (`sparkform::embedded_assembly!()`).
pub use sparkform_assembly::EMBEDDED_FILE;

/// Synthesizes the crate being built: call it from `build.rs`.
///
/// Writes `target/sparkform/<crate>/` and `$OUT_DIR/sparkform-assembly.json`. Problems inside
/// one macro call are left to the macro, which reports them on the exact token; problems only
/// the whole app shows are reported as `file:line:col` build errors (see [`app`]).
pub fn synthesize() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo::rerun-if-changed=src");
    println!("cargo::rerun-if-changed=Cargo.toml");
    println!("cargo::rerun-if-env-changed=SPARKFORM_OUT_DIR");
    let ctx = model::Context::from_env();
    let sources = app::read_sources(&manifest_dir, &manifest_dir.join("src"));
    let synthesis = app::synthesize_sources(&ctx, &sources);
    for e in synthesis.build_errors() {
        // One `cargo::error=` per line: a hint on its own line stays readable.
        let mut lines = e.to_string();
        lines = lines.replace('\n', "\ncargo::error=");
        println!("cargo::error={lines}");
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let embedded = out_dir.join(EMBEDDED_FILE);
    if let Err(e) = assembly::write_if_changed(&embedded, &synthesis.assembly.embedded_json()) {
        println!("cargo::error=sparkform: cannot write {}: {e}", embedded.display());
    }
    let dir = assembly_dir(&out_dir, &ctx.crate_name);
    if let Err(e) = synthesis.assembly.write_to(&dir) {
        println!(
            "cargo::error=sparkform: cannot write the cloud assembly to {}: {e}",
            dir.display()
        );
    }
}

/// `target/sparkform/<crate>/`, found from `OUT_DIR` (`target/<profile>/build/<pkg>/out`,
/// or one level deeper with `--target`); `SPARKFORM_OUT_DIR` overrides the parent.
pub fn assembly_dir(out_dir: &Path, crate_name: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("SPARKFORM_OUT_DIR") {
        return PathBuf::from(dir).join(crate_name);
    }
    let target = out_dir
        .ancestors()
        .find(|a| a.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
        .or_else(|| out_dir.ancestors().nth(4).map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("sparkform").join(crate_name)
}
