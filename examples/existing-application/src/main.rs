//! A job on an EMR Serverless application that already exists (created by another team or
//! another tool): sparkform creates only the job's state machine, its log bucket and its
//! schedule. This is also the app the deploy tests run against moto.
//!
//! It also shows the app's own subcommands beside sparkform's, with deployed values read
//! through the handles: `cargo run -p existing-application -- backfill --from 2024-01-01 --days 3`
//! starts the report's state machine once per day.

use sparkform::prelude::*;

spark_job!(pub DAILY_REPORT {
    name: "daily-report",
    application_id: "00fabcdef1234567",
    execution_role: "arn:aws:iam::123456789012:role/emr-serverless-job-role",
    entry_point: "s3://my-code-bucket/jobs/report.py",
    arguments: ["--day", "yesterday"],
    spark_submit_parameters: "--conf spark.executor.cores=2 --conf spark.executor.memory=4g",
    timeout_minutes: 20,
    s3_logs: { prefix: "daily-report" },
    schedule: "cron(30 3 * * ? *)",
    tags: { "team": "reporting" },
});

// The team's own commands (a doc comment here would replace the CLI's description).
#[derive(clap::Subcommand)]
enum Ops {
    /// Start the daily report for each day from a date on.
    Backfill {
        /// The first day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// How many days.
        #[arg(long, default_value_t = 1)]
        days: u32,
    },
}

async fn ops(ctx: &sparkform::Context, op: Ops) -> Result<(), sparkform::Error> {
    let Ops::Backfill { from, days } = op;
    let start: u32 = from
        .get(8..10)
        .and_then(|d| d.parse().ok())
        .ok_or("--from is YYYY-MM-DD")?;
    let machine = DAILY_REPORT.state_machine_arn(ctx).await?;
    let logs = DAILY_REPORT.log_bucket_name(ctx).await?;
    eprintln!("backfilling {days} day(s) with {machine}; logs in s3://{logs}/");
    let mut runs = Vec::new();
    for d in 0..days {
        let day = format!("{}{:02}", &from[..8], start + d);
        runs.push(ctx.start(&DAILY_REPORT, serde_json::json!({ "day": day })).await?);
    }
    if ctx.json {
        println!(
            "{}",
            serde_json::json!({ "state_machine": machine, "executions": runs })
        );
    } else {
        runs.iter().for_each(|r| println!("{r}"));
    }
    Ok(())
}

sparkform::main!(Ops => ops);
