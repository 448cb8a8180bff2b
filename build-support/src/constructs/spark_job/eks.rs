//! A job on a virtual cluster of an `emr_eks_runtime!` (`virtual_cluster: EKS.dailyjob`):
//! what it takes from the runtime (the virtual cluster, an execution role of its namespace,
//! the release, a profile's pod templates and Spark defaults), and the checks that need the
//! runtime's declaration.

use super::model::{ExecutionRole, SparkJob, Target};
use crate::constructs::emr_eks_runtime::model::{JobRole, VirtualCluster, POD_IDENTITY_RELEASE};
use crate::constructs::emr_eks_runtime::EmrEksRuntime;
use crate::constructs::{AppProblem, Index};
use crate::diag::suggestion;

/// What a job runs on and as, on an `emr_eks_runtime!`.
pub struct EksTarget<'a> {
    pub runtime: &'a EmrEksRuntime,
    pub virtual_cluster: &'a VirtualCluster,
    pub role: &'a JobRole,
}

impl EksTarget<'_> {
    /// The job's release, or the runtime's.
    pub fn release_label(&self, j: &SparkJob) -> String {
        j.release_label
            .clone()
            .unwrap_or_else(|| self.runtime.release_label.clone())
    }
}

/// The runtime, virtual cluster and role of a job on an `emr_eks_runtime!` (`None` for
/// other jobs, or when [`problems`] has something to say).
pub fn target<'a>(j: &SparkJob, index: &Index<'a>) -> Option<EksTarget<'a>> {
    let Target::Eks {
        runtime,
        virtual_cluster,
        ..
    } = &j.target
    else {
        return None;
    };
    let r = index.get::<EmrEksRuntime>(runtime)?;
    let vc = r.virtual_cluster(virtual_cluster)?;
    let role = match &j.execution_role {
        ExecutionRole::Eks {
            role: Some((name, _)),
            runtime: rr,
        } if rr.text == runtime.text => r.role(name)?,
        ExecutionRole::Eks { role: None, .. } => {
            let mut in_ns = r.roles_in(&vc.namespace);
            let only = in_ns.next()?;
            if in_ns.next().is_some() {
                return None;
            }
            only
        }
        _ => return None,
    };
    Some(EksTarget {
        runtime: r,
        virtual_cluster: vc,
        role,
    })
}

/// What is wrong with a job's use of an `emr_eks_runtime!`, at the token that says it.
pub fn problems(j: &SparkJob, index: &Index) -> Vec<AppProblem> {
    let at = |span, message: String| {
        vec![AppProblem {
            span: Some(span),
            message,
        }]
    };
    if let (ExecutionRole::Eks { runtime, role }, false) = (&j.execution_role, matches!(j.target, Target::Eks { .. })) {
        let span = role.as_ref().map(|(_, s)| *s).unwrap_or_else(|| runtime.span());
        return at(span, format!(
            "`{}` is a role of an emr_eks_runtime!, and job `{}` does not run on one of its virtual clusters: run it with `virtual_cluster: {}.<name>`, or give it a role ARN",
            runtime.text, j.handle.ident, runtime.text
        ));
    }
    let Target::Eks {
        runtime,
        virtual_cluster,
        span,
    } = &j.target
    else {
        return Vec::new();
    };
    let Some(r) = index.get::<EmrEksRuntime>(runtime) else {
        return Vec::new();
    };
    let Some(vc) = r.virtual_cluster(virtual_cluster) else {
        let names: Vec<&str> = r.virtual_clusters.iter().map(|v| v.name.as_str()).collect();
        let list = if names.is_empty() {
            "it declares none".to_string()
        } else {
            format!("its virtual clusters: {}", names.join(", "))
        };
        return at(
            *span,
            format!(
                "`{}` has no virtual cluster `{virtual_cluster}`{}; {list}",
                runtime.text,
                suggestion(virtual_cluster, names.iter().copied())
            ),
        );
    };
    let role = match &j.execution_role {
        ExecutionRole::Eks {
            runtime: rr,
            role: Some((name, rspan)),
        } => {
            if rr.text != runtime.text {
                return at(
                    *rspan,
                    format!(
                        "`{}.{name}` is a role of another runtime than the job's `{}`; use a role of `{}`",
                        rr.text, runtime.text, runtime.text
                    ),
                );
            }
            match r.role(name) {
                None => {
                    let names: Vec<&str> = r.execution_roles.iter().map(|x| x.name.as_str()).collect();
                    return at(
                        *rspan,
                        format!(
                            "`{}` has no execution role `{name}`{}; its roles: {}",
                            runtime.text,
                            suggestion(name, names.iter().copied()),
                            if names.is_empty() {
                                "none".into()
                            } else {
                                names.join(", ")
                            }
                        ),
                    );
                }
                Some(role) if role.namespace != vc.namespace => {
                    return at(*rspan, format!(
                        "`{name}` runs jobs in namespace `{}`, and virtual cluster `{virtual_cluster}` is namespace `{}`: its service accounts would not be found",
                        role.namespace, vc.namespace
                    ));
                }
                Some(role) => role,
            }
        }
        ExecutionRole::Eks { role: None, .. } => {
            let in_ns: Vec<&JobRole> = r.roles_in(&vc.namespace).collect();
            match in_ns.as_slice() {
                [one] => *one,
                [] => {
                    return at(*span, format!(
                        "virtual cluster `{virtual_cluster}` of `{}` has no execution role in its namespace `{}`: add one to the runtime's `execution_roles` (`{{ name: \"...\", namespace: \"{}\", statements: [...] }}`), or give the job `execution_role`",
                        runtime.text, vc.namespace, vc.namespace
                    ))
                }
                many => {
                    let names: Vec<String> = many.iter().map(|x| format!("{}.{}", runtime.text, x.name)).collect();
                    return at(*span, format!(
                        "namespace `{}` of virtual cluster `{virtual_cluster}` has {} execution roles; say which the job runs as: `execution_role: {}`",
                        vc.namespace,
                        many.len(),
                        names.join("` or `")
                    ));
                }
            }
        }
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    let release = j.release_label.clone().unwrap_or_else(|| r.release_label.clone());
    let old = crate::checks::release::version_of(&release).is_some_and(|v| v < POD_IDENTITY_RELEASE);
    if old && !r.needs_irsa(role) {
        out.push(AppProblem {
            span: Some(*span),
            message: format!(
                "{release} takes job credentials through IRSA only (EKS Pod Identity from emr-7.3.0), and role `{}` is trusted through Pod Identity: set `irsa: true` on it, or use emr-7.3.0-latest or later",
                role.name
            ),
        });
    }
    if let Some((p, pspan)) = j.profile {
        if !r.has_profiles() {
            out.push(AppProblem {
                span: Some(pspan),
                message: format!(
                    "`{}` has no default node profiles (`{}`), so there is no `{}` profile: use `capacity: auto` or `karpenter` with the default nodes, or give the job `spark_submit_parameters` with pod templates of your own",
                    runtime.text,
                    if r.capacity == crate::constructs::emr_eks_runtime::model::Capacity::NodeGroups {
                        "capacity: node_groups"
                    } else {
                        "default_nodes: false"
                    },
                    p.name()
                ),
            });
        }
    }
    out
}
