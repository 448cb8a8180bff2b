//! Wall time of an unchanged redeploy against moto: in process (library) and through the
//! app's binary (a fresh process: config loading included). Also counts the calls, to show
//! that an unchanged redeploy writes nothing.
//! `cargo bench -p sparkform --bench redeploy` (starts moto itself).

#[path = "../tests/support/mod.rs"]
mod support;

use sparkform::aws::{calls, is_read, Aws};
use sparkform::deploy::{self, sdk::Sdk, ui::Ui};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    support::services();
    support::ensure_job_role();
    let stack = format!("bench-redeploy-{}", std::process::id());
    let asm = support::example_assembly("existing-application", &stack);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let aws = Aws::load().await;
        let cfn = Sdk(&aws.cfn);
        let ui = Ui {
            poll: Duration::from_millis(20),
            ..Ui::new(true, true)
        };
        let t = Instant::now();
        deploy::deploy(&cfn, &asm, &[], &ui, false).await.unwrap();
        println!(
            "first deploy (create through a change set): {:>8.1} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
        let before = calls().len();
        let times: Vec<Duration> = (0..20)
            .map(|_| {
                let t = Instant::now();
                futures_block(deploy::deploy(&cfn, &asm, &[], &ui, false)).expect("redeploy");
                t.elapsed()
            })
            .collect();
        let made = calls()[before..].to_vec();
        let writes = made.iter().filter(|c| !is_read(c)).count();
        println!(
            "unchanged redeploy, in process:             {:>8.1} ms median of 20 ({} calls each, {} writes in all)",
            median(times).as_secs_f64() * 1e3,
            made.len() / 20,
            writes
        );
        deploy::destroy(&cfn, &asm, &[], &ui).await.unwrap();
    });
}

/// Runs a future to completion on the current runtime from inside `block_on`.
fn futures_block<F: std::future::Future>(f: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f))
}
