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
    let s = super::stage(p, stage)?;
    let mut out = asm.clone();
    let m = &mut out.manifest;
    m.stacks = s.stacks.clone();
    m.assets = s.assets.clone();
    m.jobs.clear();
    if let Some(d) = crate_dir {
        m.crate_dir = d.display().to_string();
    }
    Ok(out)
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
    let aws = crate::aws::Aws::load().await.map_err(|e| e.to_string())?;
    let stats = crate::assets::Stats::new();
    let cfn = crate::deploy::sdk::Sdk(aws.cfn.clone());
    let outputs = crate::deploy::outputs::Outputs::new(&stage_asm, &cfn);
    let ui = crate::deploy::ui::Ui::new(true, json);
    let mut stacks: Vec<&str> = stage_asm.manifest.assets.iter().map(|a| a.stack.as_str()).collect();
    stacks.dedup();
    let mut done = Vec::new();
    for stack in stacks {
        let reports = crate::deploy::publish::publish_stack(&stage_asm, &aws.s3, &outputs, stack, &stats, &ui)
            .await
            .map_err(|e| e.to_string())?;
        done.extend(reports.into_iter().map(|r| (r.id, r.upload)));
    }
    if json {
        let v: Vec<_> = done
            .iter()
            .map(|(id, u)| serde_json::json!({ "asset": id, "uploaded": matches!(u, Upload::Uploaded) }))
            .collect();
        println!("{}", serde_json::json!({ "stage": stage, "assets": v }));
    }
    Ok(done)
}
