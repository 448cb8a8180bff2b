//! The pipeline's manifest entry: what `pipeline status`, `pipeline build-local` and
//! `pipeline publish` need, and each stage's stacks as the pipeline deploys them.

use super::buildspec::{join, synth_commands, unit_test_commands};
use super::model::{CicdPipeline, EnvValue, Source};
use super::names::{target_stack, ARTIFACT_DIR, PIPELINE_ACCOUNT_PARAMETER};
use super::support::{needs_support, support_stack};
use super::synth::{spark_image, stage_app, target_accounts};
use crate::assembly::stack_entry;
use crate::constructs::index::attribute_of;
use crate::constructs::Index;
use sparkform_assembly::pipeline::{Build, IntegTest, Pipeline, Source as SourceEntry, Stage, TargetStack};
use sparkform_assembly::ValueRef;

pub fn entry(p: &CicdPipeline, index: &Index) -> Pipeline {
    let ids = p.ids();
    let mut ignored = Vec::new();
    // (The pipeline deploys its stages' stacks and never destroys them: no bucket to empty.)
    let stages = p
        .stages
        .iter()
        .map(|s| {
            let app = stage_app(index, &s.name);
            let assets = app.map(|a| a.parts.assets.clone()).unwrap_or_default();
            let stacks = app
                .map(|a| {
                    a.stacks
                        .iter()
                        .map(|(name, t)| stack_entry(false, name, t, &a.declared, &mut ignored).0)
                        .collect()
                })
                .unwrap_or_default();
            let support_stack = needs_support(s, !assets.is_empty()).then(|| {
                let t = support_stack(p, s, !assets.is_empty());
                stack_entry(false, &t.stack, &t, &[], &mut ignored).0
            });
            let integ_test = s.integ_test.as_ref().map(|t| IntegTest {
                script: join(&p.app_path, &t.script),
                env: t
                    .env
                    .iter()
                    .filter_map(|(k, v)| {
                        let value = match v {
                            EnvValue::Literal(l) => ValueRef::literal(l),
                            EnvValue::Attribute(path) => {
                                let c = index.construct(path)?;
                                let a = attribute_of(c, path).ok()?;
                                ValueRef::output(crate::stages::stage_stack(&s.name, &c.handle().stack), a.output)
                            }
                        };
                        Some((k.clone(), value))
                    })
                    .collect(),
            });
            Stage {
                name: s.name.clone(),
                account: s.account.clone(),
                region: s.region.clone(),
                approval: s.approval,
                stacks,
                support_stack,
                assets,
                integ_test,
                kubernetes: app.map(|a| a.parts.kubernetes.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let source = match &p.source {
        Source::Connection {
            repository,
            branch,
            connection_arn,
            ..
        } => SourceEntry::Connection {
            repository: repository.clone(),
            branch: branch.clone(),
            connection: match connection_arn {
                Some(a) => ValueRef::literal(a),
                None => ValueRef::output(&p.handle.stack, &ids.out_connection),
            },
            created: connection_arn.is_none(),
        },
        Source::CodeCommit { repository, branch } => SourceEntry::CodeCommit {
            repository: repository.clone(),
            branch: branch.clone(),
        },
    };
    let target_stacks = target_accounts(p)
        .into_iter()
        .map(|(account, stages)| {
            let stack = target_stack(p, account);
            TargetStack {
                account: account.to_string(),
                region: stages.iter().find_map(|s| s.region.clone()),
                template: format!("{stack}.template.json"),
                stack,
                stages: stages.iter().map(|s| s.name.clone()).collect(),
                pipeline_account_parameter: PIPELINE_ACCOUNT_PARAMETER.into(),
            }
        })
        .collect();
    Pipeline {
        handle: p.handle.ident.clone(),
        name: p.name.clone(),
        stack: p.handle.stack.clone(),
        name_output: ids.out_name,
        arn_output: ids.out_arn,
        source,
        build: Build {
            spark_image: spark_image(p, index),
            unit_test_commands: unit_test_commands(p),
            synth_commands: synth_commands(p, &p.crate_name),
            artifact_dir: ARTIFACT_DIR.into(),
            app_path: p.app_path.clone(),
        },
        stages,
        target_stacks,
    }
}
