//! Server-side apply of a group's objects in order, and their deletion in reverse.

use super::cluster::Session;
use super::kinds::{self, Target};
use super::objects::Object;
use super::KubeError;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use serde::Serialize;
use sparkform_assembly::KubeGroup;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The field manager that owns what sparkform applies.
pub const FIELD_MANAGER: &str = "sparkform";

/// Retry and wait settings.
#[derive(Clone, Debug)]
pub struct Options {
    /// Attempts of one apply while the API answers 409 Conflict.
    pub attempts: u32,
    /// The first wait after a conflict; doubled each time.
    pub backoff: Duration,
    /// How often a deleted object is checked for being gone.
    pub poll: Duration,
    /// How long deletion may take (finalizers: Karpenter drains the nodes of a NodePool).
    pub delete_timeout: Duration,
    /// How long a new CRD may take to be served.
    pub establish_timeout: Duration,
    /// Where pinned downloads (upstream CRDs) are cached.
    pub downloads: PathBuf,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            attempts: 6,
            backoff: Duration::from_millis(500),
            poll: Duration::from_secs(2),
            delete_timeout: Duration::from_secs(15 * 60),
            establish_timeout: Duration::from_secs(2 * 60),
            downloads: super::download::default_dir(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Configured,
    Unchanged,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outcome::Created => "created",
            Outcome::Configured => "configured",
            Outcome::Unchanged => "unchanged",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectReport {
    /// `Kind/namespace/name`.
    pub object: String,
    pub outcome: Outcome,
    /// 409 answers that were retried.
    pub conflicts: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApplyReport {
    pub group: String,
    pub cluster: String,
    pub objects: Vec<ObjectReport>,
}

impl ApplyReport {
    /// Whether anything was created or changed.
    pub fn changed(&self) -> bool {
        self.objects.iter().any(|o| o.outcome != Outcome::Unchanged)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Removal {
    Deleted,
    /// Not there (never applied, already deleted, or its kind is not served).
    Absent,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeleteReport {
    pub group: String,
    pub cluster: String,
    /// In the order they were deleted (the group's reverse).
    pub objects: Vec<(String, Removal)>,
}

/// The full chain of an error, for messages (a connection error's cause sits deep inside).
pub fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// A kube error for `object` as a [`KubeError`] that says what to do.
pub fn api_error(cluster: &str, object: &Object, err: kube::Error) -> KubeError {
    let what = object.describe();
    match &err {
        kube::Error::Api(s) => match s.code {
            401 => KubeError::Unauthorized {
                cluster: cluster.to_string(),
                message: s.message.clone(),
            },
            403 => KubeError::Forbidden {
                object: what,
                message: s.message.clone(),
            },
            404 if s.details.as_ref().is_some_and(|d| d.kind == "namespaces") => KubeError::NamespaceMissing {
                object: what,
                namespace: object.namespace.clone().unwrap_or_default(),
            },
            404 => KubeError::NotServed {
                object: what,
                api_version: object.api_version.clone(),
                kind: object.kind.clone(),
                hint: kinds::not_served_hint(&object.api_version).to_string(),
            },
            409 => KubeError::Conflict {
                object: what,
                attempts: 1,
                message: s.message.clone(),
            },
            400 | 422 => KubeError::Invalid {
                object: what,
                message: s.message.clone(),
            },
            code => KubeError::Api {
                object: what,
                code,
                message: s.message.clone(),
            },
        },
        _ => KubeError::Unreachable {
            cluster: cluster.to_string(),
            endpoint: String::new(),
            reason: chain(&err),
        },
    }
}

/// The object's API: at its namespace's path when the kind is namespaced.
fn check_scope(group: &KubeGroup, index: usize, target: &Target, object: &Object) -> Result<(), KubeError> {
    let bad = |reason: String| KubeError::BadObject {
        group: group.id.clone(),
        index,
        reason,
    };
    match (&object.namespace, target.namespaced) {
        (Some(_), true) | (None, false) => Ok(()),
        (None, true) => Err(bad(format!("{} is namespaced: set metadata.namespace", object.kind))),
        (Some(_), false) => Err(bad(format!(
            "{} is cluster-scoped: remove metadata.namespace",
            object.kind
        ))),
    }
}

/// A connection error names the endpoint.
fn with_endpoint(session: &Session, e: KubeError) -> KubeError {
    match e {
        KubeError::Unreachable { cluster, reason, .. } => KubeError::Unreachable {
            cluster,
            endpoint: session.cluster().endpoint.to_string(),
            reason,
        },
        e => e,
    }
}

/// One object of a group with where it lives in the API.
pub(crate) struct Step<'a> {
    pub object: Object<'a>,
    pub target: Target,
}

impl Step<'_> {
    /// Its API with the session's current client (whose token is fresh).
    pub(crate) async fn api(&self, session: &Session) -> Result<Api<DynamicObject>, KubeError> {
        let client = session.client().await?;
        Ok(match &self.object.namespace {
            Some(ns) => Api::namespaced_with(client, ns, &self.target.resource),
            None => Api::all_with(client, &self.target.resource),
        })
    }

    fn error(&self, session: &Session, e: kube::Error) -> KubeError {
        with_endpoint(session, api_error(&session.cluster().name, &self.object, e))
    }
}

pub(crate) async fn step<'a>(
    session: &Session,
    group: &KubeGroup,
    index: usize,
    value: &'a serde_json::Value,
) -> Result<Step<'a>, KubeError> {
    let object = Object::parse(group, index, value)?;
    let client = session.client().await?;
    let target = kinds::resolve(&client, &object, &session.cluster().name)
        .await
        .map_err(|e| with_endpoint(session, e))?;
    check_scope(group, index, &target, &object)?;
    Ok(Step { object, target })
}

/// The live object, or None when it does not exist.
pub(crate) async fn get_live(session: &Session, s: &Step<'_>) -> Result<Option<DynamicObject>, KubeError> {
    match s.api(session).await?.get(&s.object.name).await {
        Ok(o) => Ok(Some(o)),
        Err(kube::Error::Api(st)) if st.code == 404 => Ok(None),
        Err(e) => Err(s.error(session, e)),
    }
}

/// Server-side apply, retried with backoff while the API answers 409.
pub(crate) async fn patch(
    session: &Session,
    s: &Step<'_>,
    params: &PatchParams,
    options: &Options,
) -> Result<(DynamicObject, u32), KubeError> {
    let mut conflicts = 0;
    let mut wait = options.backoff;
    loop {
        let api = s.api(session).await?;
        match api.patch(&s.object.name, params, &Patch::Apply(s.object.value)).await {
            Ok(o) => return Ok((o, conflicts)),
            Err(kube::Error::Api(st)) if st.code == 409 && conflicts + 1 < options.attempts => {
                conflicts += 1;
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            Err(e) => {
                return Err(match s.error(session, e) {
                    KubeError::Conflict { object, message, .. } => KubeError::Conflict {
                        object,
                        attempts: conflicts + 1,
                        message,
                    },
                    e => e,
                })
            }
        }
    }
}

/// Server-side apply as sparkform's field manager, taking over fields others set
/// (`force`), and refusing unknown or duplicate fields instead of dropping them.
pub(crate) fn apply_params() -> PatchParams {
    PatchParams::apply(FIELD_MANAGER)
        .force()
        .validation(kube::api::ValidationDirective::Strict)
}

/// Server-side apply of one object: whether it was created, changed or left as it was
/// (its resourceVersion unmoved), and how many conflicts were retried.
pub(crate) async fn apply_one(session: &Session, s: &Step<'_>, options: &Options) -> Result<(Outcome, u32), KubeError> {
    let before = get_live(session, s).await?;
    let (after, conflicts) = patch(session, s, &apply_params(), options).await?;
    let outcome = match before {
        None => Outcome::Created,
        Some(b) if b.metadata.resource_version == after.metadata.resource_version => Outcome::Unchanged,
        Some(_) => Outcome::Configured,
    };
    Ok((outcome, conflicts))
}

/// What applying an object did, also said on `progress`.
pub(crate) fn report(
    group: &str,
    s: &Step<'_>,
    (outcome, conflicts): (Outcome, u32),
    progress: &(dyn Fn(&str) + Sync),
) -> ObjectReport {
    let object = s.object.describe();
    progress(&format!("{group}: {object} {outcome}"));
    ObjectReport {
        object,
        outcome,
        conflicts,
    }
}

/// Applies the group's CRDs, then its objects, in order. Idempotent: an object already as
/// desired is reported unchanged (server-side apply leaves its resourceVersion alone).
pub async fn apply(
    session: &Session,
    group: &KubeGroup,
    progress: &(dyn Fn(&str) + Sync),
    options: &Options,
) -> Result<ApplyReport, KubeError> {
    let mut objects = super::crds::apply(session, group, progress, options).await?;
    for (index, value) in group.objects.iter().enumerate() {
        let s = step(session, group, index, value).await?;
        let applied = apply_one(session, &s, options).await?;
        objects.push(report(&group.id, &s, applied, progress));
    }
    Ok(ApplyReport {
        group: group.id.clone(),
        cluster: session.cluster().name.clone(),
        objects,
    })
}

/// Deletes the group's objects in reverse order, then its CRDs, each waited for until it is
/// gone (so a NodePool's nodes are drained before its cluster is deleted, while the
/// controller that drains them still runs). Missing ones are fine.
pub async fn delete(
    session: &Session,
    group: &KubeGroup,
    progress: &(dyn Fn(&str) + Sync),
    options: &Options,
) -> Result<DeleteReport, KubeError> {
    let mut objects = Vec::new();
    for (index, value) in group.objects.iter().enumerate().rev() {
        let s = match step(session, group, index, value).await {
            Ok(s) => s,
            // A kind the cluster does not serve has no objects left to delete.
            Err(KubeError::NotServed { object, .. }) => {
                progress(&format!("{}: {object} absent", group.id));
                objects.push((object, Removal::Absent));
                continue;
            }
            Err(e) => return Err(e),
        };
        let removal = delete_one(session, &s, options, progress, &group.id).await?;
        objects.push((s.object.describe(), removal));
    }
    objects.extend(super::crds::delete(session, group, progress, options).await?);
    Ok(DeleteReport {
        group: group.id.clone(),
        cluster: session.cluster().name.clone(),
        objects,
    })
}

/// Deletes one object and waits until it is gone; says which on `progress`.
pub(crate) async fn delete_one(
    session: &Session,
    s: &Step<'_>,
    options: &Options,
    progress: &(dyn Fn(&str) + Sync),
    group: &str,
) -> Result<Removal, KubeError> {
    let api = s.api(session).await?;
    let removal = match api.delete(&s.object.name, &DeleteParams::background()).await {
        Ok(_) => {
            wait_gone(session, s, options, progress, group).await?;
            Removal::Deleted
        }
        Err(kube::Error::Api(st)) if st.code == 404 => Removal::Absent,
        Err(e) => return Err(s.error(session, e)),
    };
    let word = match removal {
        Removal::Deleted => "deleted",
        Removal::Absent => "absent",
    };
    progress(&format!("{group}: {} {word}", s.object.describe()));
    Ok(removal)
}

async fn wait_gone(
    session: &Session,
    s: &Step<'_>,
    options: &Options,
    progress: &(dyn Fn(&str) + Sync),
    group: &str,
) -> Result<(), KubeError> {
    let start = Instant::now();
    let mut said = false;
    while get_live(session, s).await?.is_some() {
        if start.elapsed() >= options.delete_timeout {
            return Err(KubeError::DeleteTimeout {
                object: s.object.describe(),
                seconds: options.delete_timeout.as_secs(),
            });
        }
        if !said {
            progress(&format!("{group}: {}: waiting for its finalizers", s.object.describe()));
            said = true;
        }
        tokio::time::sleep(options.poll).await;
    }
    Ok(())
}
