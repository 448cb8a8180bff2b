//! The real work of each kind of step, for deploy and for destroy: a stack (change sets,
//! or deletion), a stack's assets (built and uploaded, or kept), and a group of Kubernetes
//! objects (applied or deleted, through the [`KubeSteps`] seam).

use super::api::CloudFormation;
use super::empty::{empty_bucket, Emptied};
use super::error::DeployError;
use super::events::failed_resources;
use super::graph::{run_graph, RunReport, StepRunner};
use super::kube::{KubeReport, KubeSteps};
use super::outputs::Outputs;
use super::publish::{publish_stack, AssetReport};
use super::stack::{deploy_stack, follow_delete, now_ms, wait_settled, StackPlan, StackReport};
use super::status::StackStatus;
use super::ui::Ui;
use crate::assembly::{Assembly, KubeGroup};
use crate::assets::Stats;
use sparkform_assembly::steps::Step;
use std::collections::BTreeMap;
use std::future::Future;

/// What a deploy step did.
#[derive(Clone, Debug, PartialEq)]
pub enum Deployed {
    Stack(StackReport),
    Assets(Vec<AssetReport>),
    Kubernetes(KubeReport),
}

/// What a destroy step did.
#[derive(Clone, Debug, PartialEq)]
pub enum Removed {
    Stack(DestroyReport),
    /// Assets stay in their bucket, which is retained (or goes with its stack).
    Assets,
    Kubernetes(KubeReport),
}

/// Result of destroying one stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DestroyReport {
    pub stack: String,
    pub deleted: bool,
    /// (logical id, type) of resources CloudFormation keeps in the account.
    pub kept: Vec<(String, String)>,
    /// The buckets emptied so that CloudFormation could delete them (data removal opted in).
    pub emptied: Vec<Emptied>,
}

pub type DeployRun = RunReport<Deployed, DeployError>;
pub type DestroyRun = RunReport<Removed, DeployError>;

/// Deploys and destroys the steps of an assembly with one CloudFormation, one S3 client
/// (for assets) and, with the `kubernetes` feature, one Kubernetes client.
pub struct Deployer<'a, C> {
    pub asm: &'a Assembly,
    pub cfn: &'a C,
    pub ui: &'a Ui,
    /// For assets steps; a run with assets and no client fails those steps.
    pub s3: Option<&'a aws_sdk_s3::Client>,
    pub kube: Option<&'a dyn KubeSteps>,
    /// Deploy stacks even when their template and tags are unchanged.
    pub force: bool,
    pub stats: Stats,
    pub outputs: Outputs<'a, C>,
}

impl<'a, C: CloudFormation> Deployer<'a, C> {
    pub fn new(asm: &'a Assembly, cfn: &'a C, ui: &'a Ui) -> Self {
        Deployer {
            asm,
            cfn,
            ui,
            s3: None,
            kube: None,
            force: false,
            stats: Stats::new(),
            outputs: Outputs::new(asm, cfn),
        }
    }

    fn plan(&self, stack: &str) -> Result<StackPlan, DeployError> {
        let s = self
            .asm
            .stack(stack)
            .ok_or_else(|| DeployError::Invalid(format!("the manifest has no stack {stack}")))?;
        let mut tags = BTreeMap::new();
        tags.insert("sparkform:app".to_string(), self.asm.manifest.crate_name.clone());
        Ok(StackPlan {
            name: s.name.clone(),
            template: self.asm.template_text(s),
            tags,
            resources: s.resources,
            force: self.force,
        })
    }

    fn group(&self, id: &str) -> Result<&'a KubeGroup, DeployError> {
        self.asm
            .manifest
            .kubernetes
            .iter()
            .find(|g| g.id == id)
            .ok_or_else(|| DeployError::Invalid(format!("the manifest has no Kubernetes group {id}")))
    }

    /// Deploys the named stacks (all when none) with what they wait for and their assets:
    /// independent steps at the same time with `--yes`, until `interrupt` completes.
    pub async fn deploy(&self, only: &[String], interrupt: impl Future<Output = ()>) -> Result<DeployRun, DeployError> {
        super::kube::check(&self.asm.manifest, self.kube).map_err(DeployError::Invalid)?;
        let graph = super::deploy_graph(self.asm, only)?;
        run_graph(&graph, &DeploySteps(self), self.ui.concurrent(), interrupt)
            .await
            .map_err(|c| DeployError::Invalid(c.to_string()))
    }

    /// Deletes the named stacks (all when none), dependents first and Kubernetes objects
    /// before their cluster, after one confirmation. Retained data stays, and is listed.
    pub async fn destroy(
        &self,
        only: &[String],
        interrupt: impl Future<Output = ()>,
    ) -> Result<DestroyRun, DeployError> {
        super::kube::check(&self.asm.manifest, self.kube).map_err(DeployError::Invalid)?;
        let graph = super::destroy_graph(self.asm, only)?;
        let names: Vec<&str> = super::stacks_of(self.asm, &graph)
            .into_iter()
            .map(|s| s.name.as_str())
            .collect();
        let emptied: Vec<String> = super::stacks_of(self.asm, &graph)
            .into_iter()
            .filter(|_| self.asm.manifest.remove_data_on_destroy)
            .flat_map(|s| s.emptied_on_destroy.iter().map(move |b| format!("{}/{b}", s.name)))
            .collect();
        let data = if emptied.is_empty() {
            String::new()
        } else {
            format!(
                "; the buckets {} are emptied of every object version and deleted (removal_policy: destroy)",
                emptied.join(", ")
            )
        };
        if !self.ui.confirm(&format!(
            "delete the stacks {}? (retained data is kept{data})",
            names.join(", ")
        )) {
            return Err(DeployError::Declined {
                stack: names.join(", "),
                action: "deleted".into(),
            });
        }
        run_graph(&graph, &DestroySteps(self), self.ui.concurrent(), interrupt)
            .await
            .map_err(|c| DeployError::Invalid(c.to_string()))
    }

    #[cfg(feature = "kubernetes")]
    async fn kube_step(&self, id: &str, delete: bool) -> Result<KubeReport, DeployError> {
        let group = self.group(id)?;
        let client = self
            .kube
            .ok_or_else(|| DeployError::Invalid(super::kube::check(&self.asm.manifest, None).unwrap_err()))?;
        let cluster = self.outputs.resolve(&group.cluster).await?;
        let result = if delete {
            client.delete(group, &cluster).await
        } else {
            let filled = super::kube::filled(&self.outputs, group).await?;
            client.apply(&filled, &cluster).await
        };
        result.map_err(|message| DeployError::Kubernetes {
            group: id.into(),
            message,
        })
    }

    #[cfg(not(feature = "kubernetes"))]
    async fn kube_step(&self, id: &str, _delete: bool) -> Result<KubeReport, DeployError> {
        self.group(id)?;
        Err(DeployError::Invalid(
            super::kube::check(&self.asm.manifest, None).err().unwrap_or_default(),
        ))
    }

    async fn destroy_stack(&self, name: &str) -> Result<DestroyReport, DeployError> {
        let s = self
            .asm
            .stack(name)
            .ok_or_else(|| DeployError::Invalid(format!("the manifest has no stack {name}")))?;
        let ui = self.ui;
        let Some(info) = self.cfn.describe(name).await? else {
            ui.say(format!("{name}: not deployed"));
            return Ok(DestroyReport {
                stack: name.into(),
                deleted: false,
                kept: Vec::new(),
                emptied: Vec::new(),
            });
        };
        if !info.status.is_settled() {
            ui.say(format!(
                "{name}: {}: waiting for the operation in progress to finish",
                info.status
            ));
            wait_settled(self.cfn, name, ui).await?;
        }
        let deployed = self.cfn.template(name).await.unwrap_or_default();
        let kept = super::retained(&deployed);
        let mut buckets = self.buckets_to_empty(name, &kept).await?;
        let mut emptied: Vec<Emptied> = Vec::new();
        let mut attempt = 0;
        let (started, end) = loop {
            attempt += 1;
            self.empty_buckets(name, &buckets, &mut emptied).await?;
            let started = now_ms() - 1000;
            self.cfn.delete_stack(name).await?;
            let end = follow_delete(self.cfn, name, s.resources as u64, started, ui).await?;
            if end.status == StackStatus::DeleteComplete || buckets.is_empty() || attempt == 3 {
                break (started, end);
            }
            // Objects that arrived after the emptying (S3 delivers access logs late) fail
            // the bucket's deletion: empty those buckets again and delete again.
            let events = self.cfn.events(name).await.unwrap_or_default();
            let failed = failed_resources(name, &events, started);
            buckets.retain(|(id, _)| failed.iter().any(|f| f.logical_id == *id));
            if buckets.is_empty() {
                break (started, end);
            }
            ui.say(format!(
                "{name}: {} was written to after it was emptied; emptying it again",
                buckets.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(", ")
            ));
        };
        if end.status != StackStatus::DeleteComplete {
            let events = self.cfn.events(name).await.unwrap_or_default();
            return Err(DeployError::Failed {
                stack: name.into(),
                resources: failed_resources(name, &events, started),
                next: end.status.next_step().into(),
                status: end.status,
                reason: end.reason,
            });
        }
        for (id, ty) in &kept {
            ui.say(format!("{name}: kept {id} ({ty})"));
        }
        ui.say(format!("{name}: deleted"));
        Ok(DestroyReport {
            stack: name.into(),
            deleted: true,
            kept,
            emptied,
        })
    }

    /// (logical id, bucket name) of the buckets the manifest says to empty before stack
    /// `name` is deleted, among those CloudFormation deletes with the deployed stack (a
    /// bucket it keeps is never emptied) and that exist.
    async fn buckets_to_empty(
        &self,
        name: &str,
        kept: &[(String, String)],
    ) -> Result<Vec<(String, String)>, DeployError> {
        let listed = match self.asm.stack(name) {
            Some(s) if self.asm.manifest.remove_data_on_destroy => &s.emptied_on_destroy,
            _ => return Ok(Vec::new()),
        };
        let wanted: Vec<&String> = listed.iter().filter(|id| !kept.iter().any(|(k, _)| k == *id)).collect();
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let resources = self.cfn.resources(name).await?;
        Ok(wanted
            .into_iter()
            .filter_map(|id| {
                let r = resources.iter().find(|r| r.logical_id == *id)?;
                Some((id.clone(), r.physical_id.clone()?))
            })
            .collect())
    }

    /// Empties `buckets` of stack `name`, adding what was removed to `emptied`.
    async fn empty_buckets(
        &self,
        name: &str,
        buckets: &[(String, String)],
        emptied: &mut Vec<Emptied>,
    ) -> Result<(), DeployError> {
        if buckets.is_empty() {
            return Ok(());
        }
        let s3 = self.s3.ok_or_else(|| {
            DeployError::Invalid(format!(
                "{name} has buckets to empty before it is deleted, and this destroy has no S3 client"
            ))
        })?;
        for (id, bucket) in buckets {
            let e = empty_bucket(s3, id, bucket, self.ui).await?;
            self.ui.say(format!(
                "{name}: emptied {bucket} ({id}): {} and {} removed",
                counted(e.versions, "object version"),
                counted(e.delete_markers, "delete marker")
            ));
            match emptied.iter_mut().find(|x| x.logical_id == *id) {
                Some(x) => {
                    x.versions += e.versions;
                    x.delete_markers += e.delete_markers;
                }
                None => emptied.push(e),
            }
        }
        Ok(())
    }
}

struct DeploySteps<'d, 'a, C>(&'d Deployer<'a, C>);

impl<C: CloudFormation> StepRunner for DeploySteps<'_, '_, C> {
    type Output = Deployed;
    type Error = DeployError;

    async fn run(&self, step: &Step) -> Result<Deployed, DeployError> {
        let d = self.0;
        match step {
            Step::Stack(name) => {
                let report = deploy_stack(d.cfn, &d.plan(name)?, d.ui).await?;
                d.outputs.seed(name, report.outcome.outputs());
                Ok(Deployed::Stack(report))
            }
            Step::Assets(stack) => {
                let s3 = d.s3.ok_or_else(|| {
                    DeployError::Invalid(format!(
                        "the assets of {stack} need an S3 client, and this deploy has none"
                    ))
                })?;
                Ok(Deployed::Assets(
                    publish_stack(d.asm, s3, &d.outputs, stack, &d.stats, d.ui).await?,
                ))
            }
            Step::Kubernetes(id) => Ok(Deployed::Kubernetes(d.kube_step(id, false).await?)),
        }
    }
}

struct DestroySteps<'d, 'a, C>(&'d Deployer<'a, C>);

impl<C: CloudFormation> StepRunner for DestroySteps<'_, '_, C> {
    type Output = Removed;
    type Error = DeployError;

    async fn run(&self, step: &Step) -> Result<Removed, DeployError> {
        let d = self.0;
        match step {
            Step::Stack(name) => Ok(Removed::Stack(d.destroy_stack(name).await?)),
            Step::Assets(_) => Ok(Removed::Assets),
            Step::Kubernetes(id) => {
                let group = d.group(id)?;
                // Objects go with their cluster when its stack is gone already.
                if let Some(stack) = group.cluster.stack() {
                    if d.cfn.describe(stack).await?.is_none() {
                        d.ui.say(format!("{id}: the cluster's stack {stack} is not deployed"));
                        return Ok(Removed::Kubernetes(KubeReport {
                            group: id.clone(),
                            ..Default::default()
                        }));
                    }
                }
                Ok(Removed::Kubernetes(d.kube_step(id, true).await?))
            }
        }
    }
}

/// `1 object version`, `2 object versions`.
fn counted(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
