//! The executor of the deploy graph with a fake step runner (the real steps are tested against
//! moto and recorded responses): dependency order, concurrency when allowed and not
//! otherwise, a failed step stops its dependents but not independent steps, destroy walks the
//! graph in reverse, and Ctrl-C stops what runs.

use sparkform::deploy::{run_graph, Graph, Step, StepResult, StepRunner};
use sparkform_assembly::{KubeGroup, Manifest, Stack, ValueRef, MANIFEST_VERSION};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Records when each step starts and ends, sleeps a while in each, and fails the steps named.
#[derive(Default)]
struct Fake {
    log: Mutex<Vec<String>>,
    running: AtomicUsize,
    most: AtomicUsize,
    fail: BTreeSet<Step>,
    slow: BTreeMap<Step, Duration>,
}

impl Fake {
    fn failing(steps: &[Step]) -> Fake {
        Fake {
            fail: steps.iter().cloned().collect(),
            ..Fake::default()
        }
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    fn at(&self, entry: &str) -> usize {
        let log = self.log();
        log.iter()
            .position(|e| e == entry)
            .unwrap_or_else(|| panic!("no `{entry}` in {log:?}"))
    }
}

impl StepRunner for Fake {
    type Output = String;
    type Error = String;

    async fn run(&self, step: &Step) -> Result<String, String> {
        self.log.lock().unwrap().push(format!("start {step}"));
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        let pause = self.slow.get(step).copied().unwrap_or(Duration::from_millis(30));
        tokio::time::sleep(pause).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        self.log.lock().unwrap().push(format!("end {step}"));
        if self.fail.contains(step) {
            Err(format!("{step} broke"))
        } else {
            Ok(format!("{step} done"))
        }
    }
}

fn st(s: &str) -> Step {
    Step::Stack(s.into())
}

fn stack(name: &str, deps: &[&str]) -> Stack {
    Stack {
        name: name.into(),
        template: format!("{name}.template.json"),
        template_sha256: String::new(),
        resources: 1,
        depends_on: deps.iter().map(|d| d.to_string()).collect(),
        constructs: Vec::new(),
        outputs: Vec::new(),
        emptied_on_destroy: Vec::new(),
    }
}

/// An EKS app: the cluster's stack, Kubernetes objects on it, virtual clusters that need the
/// objects' namespace, jobs on the virtual clusters, and an independent stack.
fn eks_app() -> Manifest {
    Manifest {
        version: MANIFEST_VERSION,
        crate_name: "app".into(),
        remove_data_on_destroy: false,
        stacks: vec![
            stack("cluster", &[]),
            stack("vcs", &["cluster"]),
            stack("jobs", &["vcs"]),
            stack("other", &[]),
        ],
        crate_dir: String::new(),
        pipeline: None,
        assets: Vec::new(),
        kubernetes: vec![KubeGroup {
            id: "EksObjects".into(),
            construct: "EKS".into(),
            cluster: ValueRef::output("cluster", "ClusterName"),
            after_stack: "cluster".into(),
            before_stacks: vec!["vcs".into()],
            objects: Vec::new(),
            values: Default::default(),
            role: None,
            crds: Vec::new(),
            network: None,
        }],
        jobs: Vec::new(),
        errors: Vec::new(),
    }
}

#[tokio::test]
async fn steps_run_after_what_they_wait_for() {
    let fake = Fake::default();
    let g = Graph::deploy(&eks_app());
    let run = run_graph(&g, &fake, true, std::future::pending()).await.unwrap();
    assert!(run.is_success(), "{run:?}");
    assert_eq!(run.results.len(), 5);
    let k = Step::Kubernetes("EksObjects".into());
    assert!(fake.at("end stack cluster") < fake.at(&format!("start {k}")));
    assert!(fake.at(&format!("end {k}")) < fake.at("start stack vcs"));
    assert!(fake.at("end stack vcs") < fake.at("start stack jobs"));
}

#[tokio::test]
async fn independent_steps_run_at_the_same_time_only_when_allowed() {
    let fake = Fake::default();
    let g = Graph::deploy(&eks_app());
    run_graph(&g, &fake, true, std::future::pending()).await.unwrap();
    assert_eq!(fake.most.load(Ordering::SeqCst), 2, "cluster and other at once");
    assert!(fake.at("start stack other") < fake.at("end stack cluster"));

    // With confirmations to ask: one at a time, in level order.
    let fake = Fake::default();
    let run = run_graph(&g, &fake, false, std::future::pending()).await.unwrap();
    assert!(run.is_success());
    assert_eq!(fake.most.load(Ordering::SeqCst), 1);
    let starts: Vec<String> = fake.log().into_iter().filter(|e| e.starts_with("start")).collect();
    assert_eq!(
        starts,
        [
            "start stack cluster",
            "start stack other",
            "start Kubernetes objects EksObjects",
            "start stack vcs",
            "start stack jobs"
        ]
    );
}

#[tokio::test]
async fn a_failed_step_stops_its_dependents_and_nothing_else() {
    let g = Graph::deploy(&eks_app());
    for concurrent in [true, false] {
        let fake = Fake::failing(&[Step::Kubernetes("EksObjects".into())]);
        let run = run_graph(&g, &fake, concurrent, std::future::pending()).await.unwrap();
        assert!(!run.is_success());
        let failed: Vec<&Step> = run.failed().map(|(s, _)| s).collect();
        assert_eq!(failed, [&Step::Kubernetes("EksObjects".into())]);
        assert!(matches!(run.get(&st("cluster")), Some(StepResult::Done(_))));
        assert!(
            matches!(run.get(&st("other")), Some(StepResult::Done(_))),
            "independent of the failure"
        );
        for s in ["vcs", "jobs"] {
            match run.get(&st(s)) {
                Some(StepResult::Skipped { because }) => {
                    assert_eq!(
                        because,
                        &Step::Kubernetes("EksObjects".into()),
                        "the first failure is named"
                    )
                }
                other => panic!("{s}: {other:?}"),
            }
        }
        assert!(!fake
            .log()
            .iter()
            .any(|e| e.contains("stack vcs") || e.contains("stack jobs")));
    }
}

#[tokio::test]
async fn destroy_walks_the_graph_in_reverse() {
    let fake = Fake::default();
    let g = Graph::deploy(&eks_app()).reversed();
    let run = run_graph(&g, &fake, true, std::future::pending()).await.unwrap();
    assert!(run.is_success());
    let k = Step::Kubernetes("EksObjects".into());
    assert!(fake.at("end stack jobs") < fake.at("start stack vcs"));
    assert!(fake.at("end stack vcs") < fake.at(&format!("start {k}")));
    assert!(
        fake.at(&format!("end {k}")) < fake.at("start stack cluster"),
        "Kubernetes objects are deleted before their cluster's stack"
    );
}

#[tokio::test]
async fn an_interrupt_stops_what_runs_and_starts_nothing_more() {
    let mut fake = Fake::default();
    fake.slow.insert(st("cluster"), Duration::from_secs(30));
    let g = Graph::deploy(&eks_app());
    let run = run_graph(&g, &fake, true, tokio::time::sleep(Duration::from_millis(200)))
        .await
        .unwrap();
    assert!(
        matches!(run.get(&st("other")), Some(StepResult::Done(_))),
        "it ended before the interrupt"
    );
    for s in [
        st("cluster"),
        Step::Kubernetes("EksObjects".into()),
        st("vcs"),
        st("jobs"),
    ] {
        assert!(
            matches!(run.get(&s), Some(StepResult::Interrupted)),
            "{s}: {:?}",
            run.get(&s)
        );
    }
    assert!(
        !fake.log().contains(&"end stack cluster".to_string()),
        "the running step was dropped"
    );
}

#[tokio::test]
async fn a_cycle_is_refused_before_anything_runs() {
    let mut m = eks_app();
    m.stacks[0].depends_on.push("jobs".into());
    let fake = Fake::default();
    let err = run_graph(&Graph::deploy(&m), &fake, true, std::future::pending())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cycle"), "{err}");
    assert!(fake.log().is_empty());
}
