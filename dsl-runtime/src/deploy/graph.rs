//! Runs a graph of typed steps ([`sparkform_assembly::steps::Graph`]): each step once the
//! steps it waits for succeeded, independent steps at the same time when allowed, one at a
//! time otherwise. A failed step stops what depends on it, and nothing else. The same
//! executor deploys (the graph) and destroys (the graph reversed).

use futures_util::stream::{FuturesUnordered, StreamExt};
use sparkform_assembly::steps::{Cycle, Graph, Step};
use std::collections::BTreeMap;
use std::future::Future;

/// Does the work of one step: the real deployer, or a fake in tests.
#[allow(async_fn_in_trait)]
pub trait StepRunner {
    type Output;
    type Error;
    async fn run(&self, step: &Step) -> Result<Self::Output, Self::Error>;
}

/// How one step ended.
#[derive(Debug)]
pub enum StepResult<T, E> {
    Done(T),
    Failed(E),
    /// Not run, because this step (which it waits for, directly or not) failed.
    Skipped {
        because: Step,
    },
    /// Running, or not started yet, when the run was interrupted.
    Interrupted,
}

impl<T, E> StepResult<T, E> {
    pub fn is_done(&self) -> bool {
        matches!(self, StepResult::Done(_))
    }
}

/// Every step of a run and how it ended, in the order the steps ended (those skipped or
/// interrupted last, in graph order).
#[derive(Debug)]
pub struct RunReport<T, E> {
    pub results: Vec<(Step, StepResult<T, E>)>,
}

impl<T, E> RunReport<T, E> {
    pub fn get(&self, step: &Step) -> Option<&StepResult<T, E>> {
        self.results.iter().find(|(s, _)| s == step).map(|(_, r)| r)
    }

    /// The steps that succeeded, with what they did.
    pub fn done(&self) -> impl Iterator<Item = (&Step, &T)> {
        self.results.iter().filter_map(|(s, r)| match r {
            StepResult::Done(t) => Some((s, t)),
            _ => None,
        })
    }

    /// The steps that failed, with why.
    pub fn failed(&self) -> impl Iterator<Item = (&Step, &E)> {
        self.results.iter().filter_map(|(s, r)| match r {
            StepResult::Failed(e) => Some((s, e)),
            _ => None,
        })
    }

    pub fn is_success(&self) -> bool {
        self.results.iter().all(|(_, r)| r.is_done())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    Running,
    Succeeded,
    /// Failed or skipped: its dependents are skipped.
    Stopped,
}

/// Runs every step of `graph` with `runner`. With `concurrent`, every step whose
/// dependencies succeeded starts at once; without, one step at a time, in level order. When
/// `interrupt` completes, running steps are dropped (they stop being watched) and nothing
/// else starts. A cycle in the graph is an error before anything runs.
pub async fn run_graph<R: StepRunner>(
    graph: &Graph,
    runner: &R,
    concurrent: bool,
    interrupt: impl Future<Output = ()>,
) -> Result<RunReport<R::Output, R::Error>, Cycle> {
    let order: Vec<Step> = graph.levels()?.into_iter().flatten().collect();
    let mut state: BTreeMap<&Step, State> = order.iter().map(|s| (s, State::Waiting)).collect();
    let mut results = Vec::new();
    let mut skipped: BTreeMap<&Step, Step> = BTreeMap::new();
    let mut running = FuturesUnordered::new();
    let interrupt = futures_util::FutureExt::fuse(interrupt);
    futures_util::pin_mut!(interrupt);
    let mut interrupted = false;
    loop {
        // In level order, so a skip reaches the dependents of dependents in one pass.
        for step in &order {
            if state[step] != State::Waiting {
                continue;
            }
            let deps = graph
                .after
                .get(step)
                .into_iter()
                .flatten()
                .filter(|d| state.contains_key(d));
            let mut stopped_by = None;
            let mut ready = true;
            for d in deps {
                match state[d] {
                    State::Succeeded => {}
                    State::Stopped => {
                        stopped_by = Some(skipped.get(d).cloned().unwrap_or_else(|| d.clone()));
                        break;
                    }
                    _ => ready = false,
                }
            }
            if let Some(because) = stopped_by {
                state.insert(step, State::Stopped);
                skipped.insert(step, because);
            } else if ready && (concurrent || running.is_empty()) {
                state.insert(step, State::Running);
                running.push(async move { (step, runner.run(step).await) });
            }
        }
        if running.is_empty() {
            break;
        }
        tokio::select! {
            biased;
            _ = &mut interrupt => {
                interrupted = true;
                break;
            }
            Some((step, result)) = running.next() => {
                let (s, r) = match result {
                    Ok(out) => (State::Succeeded, StepResult::Done(out)),
                    Err(e) => (State::Stopped, StepResult::Failed(e)),
                };
                state.insert(step, s);
                results.push((step.clone(), r));
            }
        }
    }
    drop(running);
    for step in &order {
        if let Some(because) = skipped.get(step) {
            results.push((
                step.clone(),
                StepResult::Skipped {
                    because: because.clone(),
                },
            ));
        } else if interrupted && matches!(state[step], State::Waiting | State::Running) {
            results.push((step.clone(), StepResult::Interrupted));
        }
    }
    Ok(RunReport { results })
}
