//! `pipeline status`: the latest executions (ListPipelineExecutions), each with its stages'
//! actions and their states (ListActionExecutions), in the pipeline's stage order
//! (GetPipeline).

use crate::aws::explain;
use aws_sdk_codepipeline::types::ActionExecutionFilter;
use serde::Serialize;
use sparkform_assembly::Pipeline;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Execution {
    pub id: String,
    pub status: String,
    pub started: Option<String>,
    pub trigger: Option<String>,
    /// `None` when the actions could not be read (the error says why).
    pub actions: Result<Vec<Action>, String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Action {
    pub stage: String,
    pub action: String,
    pub status: String,
    pub summary: Option<String>,
}

/// Lines for people: each execution, then its actions by stage, in the pipeline's order.
pub fn render(name: &str, stage_order: &[String], executions: &[Execution]) -> Vec<String> {
    if executions.is_empty() {
        return vec![format!(
            "{name}: no executions yet (a push to the branch starts one; the first needs the connection completed)"
        )];
    }
    let mut out = Vec::new();
    for e in executions {
        let trigger = e.trigger.as_deref().map(|t| format!(", {t}")).unwrap_or_default();
        out.push(format!(
            "{name} execution {}: {} (started {}{trigger})",
            e.id,
            e.status,
            e.started.as_deref().unwrap_or("-")
        ));
        match &e.actions {
            Err(why) => out.push(format!("  stages and actions unavailable: {why}")),
            Ok(actions) => {
                let rank = |s: &str| stage_order.iter().position(|x| x == s).unwrap_or(usize::MAX);
                let mut sorted: Vec<&Action> = actions.iter().collect();
                sorted.sort_by_key(|a| rank(&a.stage));
                let mut last = "";
                for a in sorted {
                    if a.stage != last {
                        out.push(format!("  {}", a.stage));
                        last = &a.stage;
                    }
                    let summary = a.summary.as_deref().map(|s| format!("  {s}")).unwrap_or_default();
                    out.push(format!("    {:<28} {}{summary}", a.action, a.status));
                }
            }
        }
    }
    out
}

pub async fn status(p: &Pipeline, limit: i32, json: bool) -> Result<(), String> {
    // The same configuration as every other command: its HTTPS client, retries, and the
    // credential check that names the profile or region that is wrong.
    let aws = crate::aws::Aws::load().await.map_err(|e| e.to_string())?;
    let client = aws_sdk_codepipeline::Client::new(&aws.config);
    let order: Vec<String> = match client.get_pipeline().name(&p.name).send().await {
        Ok(out) => out
            .pipeline()
            .map(|d| d.stages().iter().map(|s| s.name().to_string()).collect())
            .unwrap_or_default(),
        Err(e) => {
            let text = explain(&format!("cannot read pipeline {}", p.name), &e);
            let hint = if text.contains("PipelineNotFound") {
                format!("\n  deploy it first: `cargo run -- deploy {}`", p.stack)
            } else {
                String::new()
            };
            return Err(format!("{text}{hint}"));
        }
    };
    let listed = client
        .list_pipeline_executions()
        .pipeline_name(&p.name)
        .max_results(limit.max(1))
        .send()
        .await
        .map_err(|e| explain(&format!("cannot list the executions of {}", p.name), &e))?;
    let mut executions = Vec::new();
    for s in listed.pipeline_execution_summaries() {
        let id = s.pipeline_execution_id().unwrap_or_default().to_string();
        let actions = client
            .list_action_executions()
            .pipeline_name(&p.name)
            .filter(ActionExecutionFilter::builder().pipeline_execution_id(&id).build())
            .send()
            .await
            .map(|out| {
                out.action_execution_details()
                    .iter()
                    .map(|a| Action {
                        stage: a.stage_name().unwrap_or_default().to_string(),
                        action: a.action_name().unwrap_or_default().to_string(),
                        status: a.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
                        summary: a
                            .output()
                            .and_then(|o| o.execution_result())
                            .and_then(|r| r.external_execution_summary())
                            .map(str::to_string),
                    })
                    .collect()
            })
            .map_err(|e| explain("ListActionExecutions", &e));
        executions.push(Execution {
            id,
            status: s.status().map(|x| x.as_str().to_string()).unwrap_or_default(),
            started: s.start_time().map(|t| t.to_string()),
            trigger: s
                .trigger()
                .map(|t| t.trigger_type().map(|x| x.as_str().to_string()).unwrap_or_default()),
            actions,
        });
    }
    if json {
        println!(
            "{}",
            serde_json::json!({ "pipeline": p.name, "stages": order, "executions": executions })
        );
    } else {
        for line in render(&p.name, &order, &executions) {
            println!("{line}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(stage: &str, action: &str, status: &str) -> Action {
        Action {
            stage: stage.into(),
            action: action.into(),
            status: status.into(),
            summary: None,
        }
    }

    #[test]
    fn actions_are_grouped_by_stage_in_pipeline_order() {
        let order: Vec<String> = ["Source", "Build", "staging"].iter().map(|s| s.to_string()).collect();
        let e = Execution {
            id: "e1".into(),
            status: "Failed".into(),
            started: None,
            trigger: Some("Webhook".into()),
            actions: Ok(vec![
                action("staging", "IntegrationTest", "Failed"),
                action("Source", "Source", "Succeeded"),
                action("Build", "UnitTestsAndSynth", "Succeeded"),
            ]),
        };
        let lines = render("SparkTest", &order, &[e]);
        let stages: Vec<&String> = lines
            .iter()
            .filter(|l| l.starts_with("  ") && !l.starts_with("    "))
            .collect();
        assert_eq!(stages, ["  Source", "  Build", "  staging"]);
        assert!(lines[0].contains("e1: Failed") && lines[0].contains("Webhook"));
        assert!(lines.last().unwrap().contains("IntegrationTest") && lines.last().unwrap().contains("Failed"));
        let none = render("SparkTest", &order, &[]);
        assert!(none[0].contains("no executions yet"));
    }
}
