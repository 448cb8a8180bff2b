//! Wall time of an unchanged redeploy against moto: in process (library) and through the
//! app's binary (a fresh process: config loading included). Also counts the calls, to show
//! that an unchanged redeploy writes nothing.
//! `cargo bench -p sparkform --bench redeploy` (starts moto itself).

#[path = "../tests/support/mod.rs"]
mod support;

use sparkform::aws::{calls, is_read, Aws};
use sparkform::deploy::{sdk::Sdk, ui::Ui, Deployer};
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
        let aws = Aws::load().await.unwrap();
        let cfn = Sdk(aws.cfn.clone());
        let ui = Ui {
            poll: Duration::from_millis(20),
            ..Ui::new(true, true)
        };
        let t = Instant::now();
        let d = Deployer::new(&asm, &cfn, &ui);
        assert!(d.deploy(&[], std::future::pending()).await.unwrap().is_success());
        println!(
            "first deploy (create through a change set): {:>8.1} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
        let before = calls().len();
        let times: Vec<Duration> = (0..20)
            .map(|_| {
                let t = Instant::now();
                let run = futures_block(d.deploy(&[], std::future::pending())).expect("redeploy");
                assert!(run.is_success());
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
        assert!(d.destroy(&[], std::future::pending()).await.unwrap().is_success());
    });
}

/// Runs a future to completion on the current runtime from inside `block_on`.
fn futures_block<F: std::future::Future>(f: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f))
}
