//! `pipeline kubernetes --stage <stage> --group <id>`: what a stage's Kubernetes project runs
//! in CodeBuild, inside the cluster's VPC, after the cluster's stack deploys: the group's
//! objects with their values from the stage's stack outputs, applied as the project's own
//! role (its access entry is in the step's stack), not the cluster's admin role.

use crate::assembly::Assembly;
use sparkform_assembly::{KubeGroup, Pipeline};

/// The stage's groups to apply: `group` alone, or all of them.
pub fn groups<'a>(p: &'a Pipeline, stage: &str, group: Option<&str>) -> Result<Vec<&'a KubeGroup>, String> {
    let s = super::stage(p, stage)?;
    match group {
        None => Ok(s.kubernetes.iter().collect()),
        Some(id) => s
            .kubernetes
            .iter()
            .find(|g| g.id == id)
            .map(|g| vec![g])
            .ok_or_else(|| {
                let ids: Vec<&str> = s.kubernetes.iter().map(|g| g.id.as_str()).collect();
                format!(
                    "stage {stage} has no Kubernetes group `{id}`; its groups: {}",
                    if ids.is_empty() {
                        "none".to_string()
                    } else {
                        ids.join(", ")
                    }
                )
            }),
    }
}

/// Applies the groups; each object's outcome is printed as it goes.
#[cfg(feature = "kubernetes")]
pub async fn apply(asm: &Assembly, p: &Pipeline, stage: &str, group: Option<&str>, json: bool) -> Result<(), String> {
    let groups = groups(p, stage, group)?;
    if groups.is_empty() {
        eprintln!("stage {stage} has no Kubernetes objects");
        return Ok(());
    }
    let stage_asm = super::publish::stage_assembly(asm, p, stage, None)?;
    let aws = crate::aws::Aws::load().await.map_err(|e| e.to_string())?;
    let cfn = crate::deploy::sdk::Sdk(aws.cfn.clone());
    let outputs = crate::deploy::outputs::Outputs::new(&stage_asm, &cfn);
    let mut reports = Vec::new();
    for g in groups {
        let cluster = outputs.resolve(&g.cluster).await.map_err(|e| e.to_string())?;
        let filled = crate::deploy::kube::filled(&outputs, g)
            .await
            .map_err(|e| e.to_string())?;
        let own = KubeGroup { role: None, ..filled };
        let r = crate::kubernetes::apply_group(&aws.eks, &own, &cluster, &|l| eprintln!("{l}"))
            .await
            .map_err(|e| e.to_string())?;
        reports.push(r);
    }
    if json {
        println!("{}", serde_json::json!({ "stage": stage, "kubernetes": reports }));
    }
    Ok(())
}

/// Without the `kubernetes` feature there is no Kubernetes client; an app with an
/// `emr_eks_runtime!` always has it, so this only answers a hand-made call.
#[cfg(not(feature = "kubernetes"))]
pub async fn apply(_: &Assembly, p: &Pipeline, stage: &str, group: Option<&str>, _: bool) -> Result<(), String> {
    match groups(p, stage, group)?.is_empty() {
        true => Ok(()),
        false => Err("applying Kubernetes objects needs sparkform's `kubernetes` feature".into()),
    }
}
