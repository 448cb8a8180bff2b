//! What build.rs says about jobs on an `emr_eks_runtime!`'s virtual clusters: each problem
//! once, at the token that has it (the virtual cluster's or role's name), with what to do.

use sparkform_build::app::{synthesize_sources, Synthesis};
use sparkform_build::model::Context;

fn synth(job: &str) -> Synthesis {
    let ctx = Context {
        crate_name: "eksjobs".into(),
        ..Context::default()
    };
    let source = format!(
        r#"emr_eks_runtime!(pub EKS {{
    admin_role: "arn:aws:iam::123456789012:role/admin",
    public_access_cidrs: ["203.0.113.0/24"],
    capacity: node_groups,
    node_groups: [{{ name: "spark", instance_types: ["m7g.2xlarge"], min_size: 1, max_size: 4 }}],
    virtual_clusters: [{{ name: "daily", namespace: "daily" }}, {{ name: "adhoc", namespace: "adhoc" }}],
    execution_roles: [
        {{ name: "reader", namespace: "daily" }},
        {{ name: "writer", namespace: "daily" }},
        {{ name: "explorer", namespace: "adhoc" }},
    ],
}});
spark_job!(pub JOB {{ name: "j", stack: "jobs", entry_point: "s3://b/j.py", {job} }});
"#
    );
    synthesize_sources(&ctx, &[("src/main.rs".into(), source)])
}

/// The one app error, with its line and column.
fn only_error(s: &Synthesis) -> (usize, usize, String) {
    assert!(s.macro_errors.is_empty(), "{:?}", s.macro_errors);
    assert_eq!(s.app_errors.len(), 1, "{:?}", s.app_errors);
    let e = &s.app_errors[0];
    (e.loc.line, e.loc.column, e.message.clone())
}

#[test]
fn a_job_takes_the_only_role_of_its_namespace() {
    let s = synth("virtual_cluster: EKS.adhoc");
    assert!(
        s.app_errors.is_empty() && s.macro_errors.is_empty(),
        "{:?} {:?}",
        s.app_errors,
        s.macro_errors
    );
    let job = &s.assembly.manifest.jobs[0];
    assert_eq!(
        serde_json::to_value(&job.execution_role_arn).unwrap()["output"],
        "EksExecutionRoleExplorerArn"
    );
    // The jobs' stack deploys after the virtual clusters' stack, which imports nothing of it.
    let jobs = s.assembly.manifest.stack("jobs").unwrap();
    assert!(
        jobs.depends_on
            .contains(&"eksjobs-data-platform-virtual-clusters".to_string()),
        "{:?}",
        jobs.depends_on
    );
}

#[test]
fn an_unknown_virtual_cluster_is_named_with_the_close_one() {
    let (line, col, m) = only_error(&synth("virtual_cluster: EKS.dayly"));
    assert_eq!((line, col), (13, 97), "at `dayly`: {m}");
    assert!(
        m.contains("no virtual cluster `dayly`; did you mean `daily`?") && m.contains("daily, adhoc"),
        "{m}"
    );
}

#[test]
fn two_roles_in_the_namespace_ask_which() {
    let (_, _, m) = only_error(&synth("virtual_cluster: EKS.daily"));
    assert!(
        m.contains("has 2 execution roles") && m.contains("`execution_role: EKS.reader` or `EKS.writer`"),
        "{m}"
    );
}

#[test]
fn a_role_of_another_namespace_is_refused_at_its_name() {
    let (line, col, m) = only_error(&synth("virtual_cluster: EKS.daily, execution_role: EKS.explorer"));
    assert_eq!((line, col), (13, 124), "at `explorer`: {m}");
    assert!(m.contains("`explorer` runs jobs in namespace `adhoc`"), "{m}");
    let (_, _, m) = only_error(&synth("virtual_cluster: EKS.daily, execution_role: EKS.writr"));
    assert!(m.contains("no execution role `writr`; did you mean `writer`?"), "{m}");
}

#[test]
fn an_old_release_needs_irsa_and_a_profile_needs_the_default_nodes() {
    let (_, _, m) = only_error(&synth(
        "virtual_cluster: EKS.adhoc, release_label: \"emr-6.15.0-latest\"",
    ));
    assert!(m.contains("IRSA only") && m.contains("`irsa: true`"), "{m}");
    let (_, _, m) = only_error(&synth("virtual_cluster: EKS.adhoc, profile: shared"));
    assert!(m.contains("no default node profiles (`capacity: node_groups`)"), "{m}");
}

#[test]
fn a_runtime_role_on_another_target_is_refused() {
    let (_, _, m) = only_error(&synth("virtual_cluster_id: \"abc123\", execution_role: EKS.writer"));
    assert!(m.contains("does not run on one of its virtual clusters"), "{m}");
}
