//! `cicd_pipeline!`: DSF's SparkEmrCICDPipeline (spec §5) in native CloudFormation, without
//! what DSF inherits from CDK Pipelines: no custom resource re-running the tests on every
//! deploy, a V2 pipeline, CloudFormation change sets for its own update instead of
//! `cdk deploy`, its own roles instead of `cdk bootstrap`'s, a connection instead of
//! CodeCommit.
//!
//! `model.rs` checks the declaration; `names.rs` holds every name the stacks share;
//! `buildspec.rs` the build commands; `actions.rs` the pipeline's stages; `iam.rs` and
//! `exec_policy.rs` the roles' permissions; `synth.rs` the pipeline stack; `support.rs`
//! the stage support stacks and other accounts' role stacks; `manifest.rs` what the runtime
//! needs.

pub mod actions;
pub mod buildspec;
pub mod exec_policy;
pub mod iam;
pub mod kube;
pub mod manifest;
pub mod model;
pub mod names;
pub mod support;
pub mod synth;

pub use model::CicdPipeline;

use super::overrides::{target, Target};
use super::{AppProblem, Construct, ConstructDef, Index, ManifestParts, Reference};
use crate::expand::handle_type;
use crate::model::Handle;
use crate::synth::Linker;
use crate::value::Declaration;
use model::{EnvValue, SparkImage};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

/// What `overrides` may target in the pipeline's own stack.
const TARGETS: &[Target] = &[
    target("Pipeline", "AWS::CodePipeline::Pipeline"),
    target("PipelineRole", "AWS::IAM::Role"),
    target("ArtifactBucket", "AWS::S3::Bucket"),
    target("ArtifactBucketPolicy", "AWS::S3::BucketPolicy"),
    target("ArtifactKey", "AWS::KMS::Key"),
    target("AccessLogsBucket", "AWS::S3::Bucket"),
    target("AccessLogsBucketPolicy", "AWS::S3::BucketPolicy"),
    target("BuildProject", "AWS::CodeBuild::Project"),
    target("BuildRole", "AWS::IAM::Role"),
    target("BuildLogGroup", "AWS::Logs::LogGroup"),
    target("BuildLogGroupKey", "AWS::KMS::Key"),
    target("CheckProject", "AWS::CodeBuild::Project"),
    target("CheckRole", "AWS::IAM::Role"),
    target("UpdateRole", "AWS::IAM::Role"),
    target("Connection", "AWS::CodeStarConnections::Connection"),
    target("SourceRule", "AWS::Events::Rule"),
    target("SourceRuleRole", "AWS::IAM::Role"),
];

pub static DEF: ConstructDef = ConstructDef {
    macro_name: "cicd_pipeline",
    what: "cicd_pipeline!",
    handle_type: "CicdPipeline",
    fields: &[
        "stack",
        "outputs",
        "exports",
        "overrides",
        "name",
        "repository",
        "branch",
        "connection_arn",
        "connection_provider",
        "file_paths",
        "app_path",
        "spark_path",
        "spark_image",
        "stages",
        "integ_test",
        "build_compute",
        "log_retention_days",
        "removal_policy",
        "tags",
    ],
    attributes: &[],
    targets: &[TARGETS],
    // Paths of examples/pyspark-package, the fuzzer's crate context: its Spark project, and
    // one of its files as the script.
    example: r#"pub PIPELINE {
        name: "SparkTest",
        repository: "owner/weekly-job",
        branch: "mainline",
        spark_path: "spark",
        stages: [
            { name: "staging", account: "111111111111", region: "eu-west-1", integ_test: true },
            { name: "prod", account: "222222222222", region: "eu-west-1", approval: true },
        ],
        integ_test: {
            script: "spark/src/entrypoint.py",
            env: { STEP_FUNCTION_ARN: JOB.state_machine_arn },
            permissions: [{ actions: ["states:StartExecution", "states:DescribeExecution"], resources: ["*"] }],
        },
    }"#,
    check: |decl, ctx, diags| model::check(decl, ctx, diags).map(|p| Box::new(p) as Box<dyn Construct>),
};

impl CicdPipeline {
    /// The attribute references of the integration tests, each once.
    fn attribute_paths(&self) -> Vec<&crate::value::PathValue> {
        let mut out: Vec<&crate::value::PathValue> = Vec::new();
        for s in &self.stages {
            for (_, v) in s.integ_test.iter().flat_map(|t| t.env.iter()) {
                if let EnvValue::Attribute(p) = v {
                    let same = |o: &&crate::value::PathValue| {
                        o.text == p.text && format!("{:?}", o.span()) == format!("{:?}", p.span())
                    };
                    if !out.iter().any(same) {
                        out.push(p);
                    }
                }
            }
        }
        out
    }
}

impl Construct for CicdPipeline {
    fn def(&self) -> &'static ConstructDef {
        &DEF
    }

    fn handle(&self) -> &Handle {
        &self.handle
    }

    fn references(&self) -> Vec<Reference<'_>> {
        self.attribute_paths()
            .into_iter()
            .map(|path| Reference {
                field: "integ_test",
                path,
                accepts: &[],
            })
            .collect()
    }

    fn stages(&self) -> Option<Vec<String>> {
        Some(self.stages.iter().map(|s| s.name.clone()).collect())
    }

    /// The unit-test image's release, the stages' resource types, and each attribute an
    /// integration test names existing in the stage it runs in.
    fn check_app(&self, index: &Index) -> Vec<AppProblem> {
        let mut out = Vec::new();
        let releases = synth::runtime_releases(index);
        if matches!(self.spark_image, SparkImage::OfRuntime) && releases.len() > 1 {
            out.push(AppProblem {
                span: None,
                message: format!(
                    "the app's runtimes use {}: the unit tests run in one EMR image; set `spark_image` on `{}` (e.g. \"{}\")",
                    releases.join(" and "),
                    self.handle.ident,
                    releases[0]
                ),
            });
        }
        for stage in &self.stages {
            let Some(app) = synth::stage_app(index, &stage.name) else {
                continue;
            };
            let has_assets = !app.parts.assets.is_empty();
            let support =
                support::needs_support(stage, has_assets).then(|| support::support_stack(self, stage, has_assets));
            let kube = kube::kube_stacks(self, stage, app);
            let types = support::types(app.stacks.values().chain(support.iter()).chain(kube.iter()));
            if let Err(unknown) = exec_policy::statements(&types, &[]) {
                out.push(AppProblem {
                    span: Some(stage.name_span),
                    message: format!(
                        "stage `{}` has resources of types sparkform does not know the deploy permissions of ({}); add them to build-support/src/constructs/cicd_pipeline/exec_policy.rs",
                        stage.name,
                        unknown.join(", ")
                    ),
                });
            }
            for (name, v) in stage.integ_test.iter().flat_map(|t| t.env.iter()) {
                let EnvValue::Attribute(path) = v else { continue };
                let Some(c) = index.construct(path) else { continue };
                let Ok(a) = index::attribute_of(c, path) else { continue };
                let stack = crate::stages::stage_stack(&stage.name, &c.handle().stack);
                // A construct that failed in this stage has its own error from its macro.
                let Some(t) = app.stacks.get(&stack) else { continue };
                if !t.outputs.contains_key(&a.output) {
                    let span = path.members.first().map(|m| m.span).unwrap_or_else(|| path.span());
                    out.push(AppProblem {
                        span: Some(span),
                        message: format!(
                            "`{}.{}` (for `{name}`) is not an output of stack `{stack}` in stage `{}`: its `by_stage` settings leave it out there",
                            path.text, a.name, stage.name
                        ),
                    });
                }
            }
        }
        out
    }

    fn synth(&self, index: &Index, link: &mut Linker) {
        synth::synth(self, index, link);
    }

    fn manifest(&self, index: &Index, parts: &mut ManifestParts) {
        parts.pipeline = Some(manifest::entry(self, index));
    }

    fn expand(&self, decl: &Declaration) -> TokenStream {
        let (vis, name, ident) = (&decl.vis, &decl.name, decl.name.to_string());
        let ty = handle_type(&DEF);
        let ids = self.ids();
        let (stack, pipeline, name_out, arn_out) = (&self.handle.stack, &self.name, &ids.out_name, &ids.out_arn);
        let stages: Vec<&str> = self.stages.iter().map(|s| s.name.as_str()).collect();
        // Each handle an integration test names is a rustc reference at the user's token.
        let refs: TokenStream = self
            .attribute_paths()
            .into_iter()
            .map(|p| {
                let path = &p.tokens;
                quote_spanned!(p.span()=> let _ = &#path;)
            })
            .collect();
        quote! {
            #vis static #name: #ty = { #refs #ty {
                handle: #ident,
                stack: #stack,
                name: #pipeline,
                name_output: #name_out,
                arn_output: #arn_out,
                stages: &[#(#stages),*],
            } };
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

use super::index;
