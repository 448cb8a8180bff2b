//! The deploy graph: typed steps and what each must wait for, derived from the manifest, so
//! the runtime needs no other knowledge of which construct needs what. Destroy walks the
//! same graph in reverse.

use crate::manifest::Manifest;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One unit of deploy (or destroy) work.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(tag = "step", content = "of", rename_all = "kebab-case")]
pub enum Step {
    /// Deploy (or delete) a CloudFormation stack.
    Stack(String),
    /// Build and upload the assets whose bucket is in this stack.
    Assets(String),
    /// Apply (or delete) one group of Kubernetes objects (by group id).
    Kubernetes(String),
}

impl Step {
    /// The stack a step belongs to, for selecting steps by stack name.
    fn stack<'a>(&'a self, m: &'a Manifest) -> Option<&'a str> {
        match self {
            Step::Stack(s) | Step::Assets(s) => Some(s),
            Step::Kubernetes(id) => m
                .kubernetes
                .iter()
                .find(|g| &g.id == id)
                .map(|g| g.after_stack.as_str()),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Stack(s) => write!(f, "stack {s}"),
            Step::Assets(s) => write!(f, "assets of {s}"),
            Step::Kubernetes(g) => write!(f, "Kubernetes objects {g}"),
        }
    }
}

/// Steps and, for each, the steps it waits for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graph {
    pub after: BTreeMap<Step, BTreeSet<Step>>,
}

/// The graph has a cycle through these steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle(pub Vec<Step>);

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.0.iter().map(Step::to_string).collect();
        write!(f, "these steps wait for each other in a cycle: {}", names.join(", "))
    }
}

impl Graph {
    /// The deploy graph of a manifest:
    /// - a stack after the stacks it imports from, and after the Kubernetes groups it needs;
    /// - assets after the stack holding their bucket;
    /// - a Kubernetes group after the stack that creates its cluster.
    pub fn deploy(m: &Manifest) -> Graph {
        let mut g = Graph::default();
        for s in &m.stacks {
            let deps = g.node(Step::Stack(s.name.clone()));
            deps.extend(s.depends_on.iter().map(|d| Step::Stack(d.clone())));
        }
        for k in &m.kubernetes {
            g.node(Step::Kubernetes(k.id.clone()))
                .insert(Step::Stack(k.after_stack.clone()));
            for s in &k.before_stacks {
                g.node(Step::Stack(s.clone())).insert(Step::Kubernetes(k.id.clone()));
            }
        }
        for a in &m.assets {
            g.node(Step::Assets(a.stack.clone()))
                .insert(Step::Stack(a.stack.clone()));
        }
        g
    }

    fn node(&mut self, step: Step) -> &mut BTreeSet<Step> {
        self.after.entry(step).or_default()
    }

    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.after.keys()
    }

    /// The steps for these stacks and everything they wait for (all steps when `stacks` is
    /// empty). Unknown stack names are the caller's to report.
    pub fn select(&self, m: &Manifest, stacks: &[String]) -> Graph {
        if stacks.is_empty() {
            return self.clone();
        }
        let mut keep: BTreeSet<Step> = self
            .after
            .keys()
            .filter(|s| s.stack(m).is_some_and(|n| stacks.iter().any(|x| x == n)))
            .cloned()
            .collect();
        let mut todo: Vec<Step> = keep.iter().cloned().collect();
        while let Some(s) = todo.pop() {
            for d in self.after.get(&s).into_iter().flatten() {
                if keep.insert(d.clone()) {
                    todo.push(d.clone());
                }
            }
        }
        self.restricted(&keep)
    }

    /// Only these steps, with the edges between them.
    pub fn restricted(&self, keep: &BTreeSet<Step>) -> Graph {
        Graph {
            after: self
                .after
                .iter()
                .filter(|(s, _)| keep.contains(*s))
                .map(|(s, d)| (s.clone(), d.iter().filter(|x| keep.contains(*x)).cloned().collect()))
                .collect(),
        }
    }

    /// The same steps with every edge turned around: what destroy walks.
    pub fn reversed(&self) -> Graph {
        let mut r = Graph::default();
        for (s, deps) in &self.after {
            r.node(s.clone());
            for d in deps {
                r.node(d.clone()).insert(s.clone());
            }
        }
        r
    }

    /// The steps in levels: every step's dependencies are in earlier levels.
    pub fn levels(&self) -> Result<Vec<Vec<Step>>, Cycle> {
        let mut placed: BTreeSet<&Step> = BTreeSet::new();
        let mut out = Vec::new();
        while placed.len() < self.after.len() {
            let level: Vec<&Step> = self
                .after
                .iter()
                .filter(|(s, deps)| {
                    !placed.contains(s) && deps.iter().all(|d| placed.contains(d) || !self.after.contains_key(d))
                })
                .map(|(s, _)| s)
                .collect();
            if level.is_empty() {
                let rest = self.after.keys().filter(|s| !placed.contains(s)).cloned().collect();
                return Err(Cycle(rest));
            }
            placed.extend(level.iter().copied());
            out.push(level.into_iter().cloned().collect());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assets::{Asset, AssetSource};
    use crate::kubernetes::KubeGroup;
    use crate::manifest::{Stack, MANIFEST_VERSION};
    use crate::value_ref::ValueRef;

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

    fn manifest() -> Manifest {
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
            assets: vec![Asset {
                id: "A".into(),
                package: "P".into(),
                source: AssetSource::File { source: "a.py".into() },
                hash: "h".into(),
                bucket: ValueRef::output("jobs", "B"),
                key: "k".into(),
                stack: "jobs".into(),
            }],
            kubernetes: vec![KubeGroup {
                id: "EksObjects".into(),
                construct: "EKS".into(),
                cluster: ValueRef::output("cluster", "Name"),
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
            pipeline: None,
        }
    }

    fn st(s: &str) -> Step {
        Step::Stack(s.into())
    }

    #[test]
    fn kubernetes_objects_sit_between_the_cluster_and_the_virtual_clusters() {
        let m = manifest();
        let levels = Graph::deploy(&m).levels().unwrap();
        assert_eq!(
            levels,
            vec![
                vec![st("cluster"), st("other")],
                vec![Step::Kubernetes("EksObjects".into())],
                vec![st("vcs")],
                vec![st("jobs")],
                vec![Step::Assets("jobs".into())],
            ]
        );
        let destroy = Graph::deploy(&m).reversed().levels().unwrap();
        assert_eq!(destroy[0], vec![st("other"), Step::Assets("jobs".into())]);
        assert_eq!(destroy.last().unwrap(), &vec![st("cluster")]);
    }

    #[test]
    fn selecting_a_stack_brings_what_it_waits_for() {
        let m = manifest();
        let g = Graph::deploy(&m).select(&m, &["vcs".into()]);
        let steps: Vec<_> = g.steps().cloned().collect();
        assert_eq!(
            steps,
            vec![st("cluster"), st("vcs"), Step::Kubernetes("EksObjects".into())]
        );
    }

    #[test]
    fn cycles_are_reported() {
        let mut m = manifest();
        m.stacks[0].depends_on.push("jobs".into());
        assert!(Graph::deploy(&m).levels().is_err());
    }
}
