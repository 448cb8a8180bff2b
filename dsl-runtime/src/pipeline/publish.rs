//! `pipeline publish --stage <stage>`: what a stage's asset project runs in CodeBuild, in the
//! stage's account, after the stage's stacks deploy. It is `deploy`'s asset step on the
//! stage's assets: content-hashed keys, unchanged ones skipped (HeadObject first), venvs
//! built with Docker (the project is privileged).

use crate::assembly::Assembly;
use crate::assets::upload::Upload;
use sparkform_assembly::Pipeline;
use std::path::Path;

/// The assembly as the stage sees it: its stacks and assets, files under `crate_dir`.
pub fn stage_assembly(asm: &Assembly, p: &Pipeline, stage: &str, crate_dir: Option<&Path>) -> Result<Assembly, String> {
    let s = p.stage(stage).ok_or_else(|| {
        let names: Vec<&str> = p.stages.iter().map(|s| s.name.as_str()).collect();
        format!(
            "`{stage}` is not a stage of {}; its stages: {}",
            p.name,
            names.join(", ")
        )
    })?;
    let mut out = asm.clone();
    let m = &mut out.manifest;
    // The contract's entries and the runtime's are the same JSON.
    m.stacks = convert(stage, serde_json::json!(s.stacks))?;
    m.assets = convert(stage, serde_json::json!(s.assets))?;
    m.jobs.clear();
    if let Some(d) = crate_dir {
        m.crate_dir = d.display().to_string();
    }
    Ok(out)
}

fn convert<T: serde::de::DeserializeOwned>(stage: &str, v: serde_json::Value) -> Result<T, String> {
    serde_json::from_value(v)
        .map_err(|e| format!("the manifest's stage `{stage}` is not readable: {e}; rebuild the app"))
}

/// Uploads the stage's assets that are not there yet; returns what it did for each.
pub async fn publish(
    asm: &Assembly,
    p: &Pipeline,
    stage: &str,
    crate_dir: Option<&Path>,
    json: bool,
) -> Result<Vec<(String, Upload)>, String> {
    let stage_asm = stage_assembly(asm, p, stage, crate_dir)?;
    if stage_asm.manifest.assets.is_empty() {
        eprintln!("stage {stage} has no assets");
        return Ok(Vec::new());
    }
    let aws = crate::aws::Aws::load().await;
    let stats = crate::assets::Stats::new();
    let done = crate::deploy::publish::publish(&aws, &stage_asm, &[], &stats, &|l| eprintln!("{l}")).await?;
    if json {
        let v: Vec<_> = done
            .iter()
            .map(|(id, u)| serde_json::json!({ "asset": id, "uploaded": matches!(u, Upload::Uploaded) }))
            .collect();
        println!("{}", serde_json::json!({ "stage": stage, "assets": v }));
    }
    Ok(done)
}
