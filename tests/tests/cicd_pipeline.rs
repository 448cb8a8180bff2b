//! `cicd_pipeline!`'s structure, on what the compiler really synthesizes: stage and action
//! order, each action's role, only real IAM actions and no `*` action beyond the key
//! policy's administrator statement, the cross-account trust, the integration test's
//! variables from the deploy actions' outputs; and the whole-app checks (stage names of
//! `by_stage`, attributes of other constructs, in every stage).

use serde_json::Value;
use sparkform_build::app::{synthesize_sources, Synthesis};
use sparkform_build::checks::iam::check_action;
use sparkform_build::model::Context;
use sparkform_tests::{examples, workspace};
use std::collections::BTreeMap;

fn example() -> BTreeMap<String, Value> {
    templates(&clean(examples(), "cicd-pipeline"))
}

/// The app `name` of `apps`, synthesized without errors.
fn clean(apps: Vec<sparkform_tests::App>, name: &str) -> Synthesis {
    let app = apps.into_iter().find(|a| a.name == name).expect("the app exists");
    let s = app.synthesize();
    assert!(
        s.macro_errors.is_empty() && s.app_errors.is_empty(),
        "{:?} {:?}",
        s.macro_errors,
        s.app_errors
    );
    s
}

fn templates(s: &Synthesis) -> BTreeMap<String, Value> {
    s.assembly
        .templates
        .iter()
        .map(|(k, v)| {
            (
                k.trim_end_matches(".template.json").to_string(),
                serde_json::from_str(v).unwrap(),
            )
        })
        .collect()
}

/// An app of one source file next to the example's Spark project.
fn app(source: &str) -> Synthesis {
    let dir = workspace().join("examples/cicd-pipeline");
    let ctx = Context::from_manifest_dir(&dir, "cicd-app");
    synthesize_sources(&ctx, &[("src/main.rs".into(), source.into())])
}

fn pipeline(t: &Value) -> &Value {
    t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::CodePipeline::Pipeline")
        .expect("a pipeline")
}

fn stages(t: &Value) -> &Vec<Value> {
    pipeline(t)["Properties"]["Stages"].as_array().unwrap()
}

fn stage<'a>(t: &'a Value, name: &str) -> &'a Vec<Value> {
    stages(t).iter().find(|s| s["Name"] == name).unwrap()["Actions"]
        .as_array()
        .unwrap()
}

fn names(actions: &[Value]) -> Vec<(String, u64)> {
    actions
        .iter()
        .map(|a| (a["Name"].as_str().unwrap().to_string(), a["RunOrder"].as_u64().unwrap()))
        .collect()
}

fn sub(v: &Value) -> &str {
    v["Fn::Sub"].as_str().unwrap_or_else(|| v.as_str().unwrap_or_default())
}

#[test]
fn stages_and_actions_run_in_order() {
    let t = &example()["spark-test-pipeline"];
    let order: Vec<&str> = stages(t).iter().map(|s| s["Name"].as_str().unwrap()).collect();
    assert_eq!(order, ["Source", "Build", "UpdatePipeline", "staging", "prod"]);
    let p = &pipeline(t)["Properties"];
    assert_eq!(
        (p["PipelineType"].as_str(), p["ExecutionMode"].as_str()),
        (Some("V2"), Some("QUEUED"))
    );
    assert_eq!(
        p["Triggers"][0]["GitConfiguration"]["Push"][0]["Branches"]["Includes"],
        serde_json::json!(["mainline"])
    );
    let owned = |v: &[(&str, u64)]| v.iter().map(|(n, r)| (n.to_string(), *r)).collect::<Vec<_>>();
    assert_eq!(
        names(stage(t, "UpdatePipeline")),
        owned(&[
            ("Prepare-Pipeline", 1),
            ("Deploy-Pipeline", 2),
            ("ContinueOnNewDefinition", 3)
        ])
    );
    assert_eq!(
        names(stage(t, "staging")),
        owned(&[
            ("Prepare-Support", 1),
            ("Deploy-Support", 2),
            ("Prepare-emr-application", 3),
            ("Deploy-emr-application", 4),
            ("PublishAssets", 5),
            ("IntegrationTest", 6),
        ])
    );
    // prod: an approval first, no integration test.
    assert_eq!(names(stage(t, "prod"))[0], ("Approve".to_string(), 1));
    assert!(!names(stage(t, "prod")).iter().any(|(n, _)| n == "IntegrationTest"));
    // Replace then execute, on the stage's own (prefixed) stacks.
    for a in stage(t, "staging")
        .iter()
        .filter(|a| a["ActionTypeId"]["Provider"] == "CloudFormation")
    {
        let c = &a["Configuration"];
        assert!(c["StackName"].as_str().unwrap().starts_with("staging-"), "{a}");
        let mode = c["ActionMode"].as_str().unwrap();
        assert_eq!(
            a["Name"].as_str().unwrap().starts_with("Prepare-"),
            mode == "CHANGE_SET_REPLACE",
            "{a}"
        );
        assert!(["CHANGE_SET_REPLACE", "CHANGE_SET_EXECUTE"].contains(&mode));
    }
}

#[test]
fn each_action_runs_with_its_role() {
    let t = &example()["spark-test-pipeline"];
    for s in ["Source", "Build", "UpdatePipeline"] {
        for a in stage(t, s) {
            assert!(a.get("RoleArn").is_none(), "{s}: the pipeline role runs {a}");
        }
    }
    let update = &stage(t, "UpdatePipeline")[0]["Configuration"]["RoleArn"];
    assert_eq!(update["Fn::GetAtt"][0], "PipelineUpdateRole");
    for (s, account) in [("staging", "111111111111"), ("prod", "222222222222")] {
        for a in stage(t, s).iter().filter(|a| a["Name"] != "Approve") {
            assert_eq!(
                sub(&a["RoleArn"]),
                format!("arn:${{AWS::Partition}}:iam::{account}:role/{s}-SparkTest-deploy"),
                "{a}"
            );
            if a["Configuration"]["ActionMode"] == "CHANGE_SET_REPLACE" {
                // CloudFormation's role is in the same account as the action's (a role of
                // another account cannot be passed).
                assert_eq!(
                    sub(&a["Configuration"]["RoleArn"]),
                    format!("arn:${{AWS::Partition}}:iam::{account}:role/{s}-SparkTest-cfn-exec")
                );
            }
        }
    }
}

/// Every IAM policy document of a template, with where it is.
fn documents(t: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (id, r) in t["Resources"].as_object().unwrap() {
        let p = &r["Properties"];
        for pol in p["Policies"].as_array().into_iter().flatten() {
            out.push((format!("{id}.{}", pol["PolicyName"]), pol["PolicyDocument"].clone()));
        }
        for key in ["AssumeRolePolicyDocument", "PolicyDocument", "KeyPolicy"] {
            if p[key].is_object() {
                out.push((format!("{id}.{key}"), p[key].clone()));
            }
        }
    }
    out
}

fn actions(s: &Value) -> Vec<String> {
    match &s["Action"] {
        Value::String(a) => vec![a.clone()],
        Value::Array(l) => l.iter().map(|a| a.as_str().unwrap().to_string()).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn only_real_actions_and_no_star_beyond_what_the_services_require() {
    let all = example();
    let mut checked = 0;
    for (stack, t) in &all {
        for (place, doc) in documents(t) {
            for s in doc["Statement"].as_array().unwrap() {
                for a in actions(s) {
                    checked += 1;
                    if a == "sts:AssumeRole" {
                        continue;
                    }
                    let deny_insecure = s["Effect"] == "Deny" && a == "s3:*";
                    // A key policy's statement for the key's own account (KMS's default;
                    // without it the key cannot be managed).
                    let own_root = sub(&s["Principal"]["AWS"]).ends_with(":iam::${AWS::AccountId}:root");
                    let key_admin = place.ends_with("KeyPolicy") && a == "kms:*" && own_root;
                    if deny_insecure || key_admin {
                        continue;
                    }
                    assert!(check_action(&a).is_ok(), "{stack} {place}: {a}: {:?}", check_action(&a));
                }
            }
        }
    }
    assert!(checked > 200, "only {checked} actions found");
    // IAM writes of a stage's CloudFormation role are scoped to the stage's names.
    let roles = &all["spark-test-pipeline-roles-111111111111"]["Resources"]["StagingExecRole"];
    for s in roles["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
    {
        if actions(s).iter().any(|a| a.starts_with("iam:")) {
            for r in s["Resource"].as_array().unwrap() {
                let arn = sub(r);
                // Service-linked roles: created only for the services the stage's types
                // need (EMR Serverless here), by the condition on the service name.
                let linked = arn.ends_with(":role/aws-service-role/*")
                    && s["Condition"]["StringEquals"]["iam:AWSServiceName"]
                        == serde_json::json!(["ops.emr-serverless.amazonaws.com"]);
                assert!(arn.contains(":role/staging-") || linked, "{arn} {s}");
            }
        }
    }
}

#[test]
fn other_accounts_trust_only_the_pipeline_role() {
    let all = example();
    let roles = &all["spark-test-pipeline-roles-111111111111"];
    assert!(roles["Parameters"]["PipelineAccountId"]["AllowedPattern"].is_string());
    assert_eq!(
        roles["Rules"]["StagesRegion"]["Assertions"][0]["Assert"]["Fn::Equals"][1],
        "eu-west-1"
    );
    let deploy = &roles["Resources"]["StagingDeployRole"]["Properties"];
    assert_eq!(deploy["RoleName"], "staging-SparkTest-deploy");
    let trust = &deploy["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(
        sub(&trust["Principal"]["AWS"]),
        "arn:${AWS::Partition}:iam::${PipelineAccountId}:root"
    );
    assert_eq!(
        sub(&trust["Condition"]["ArnEquals"]["aws:PrincipalArn"]),
        "arn:${AWS::Partition}:iam::${PipelineAccountId}:role/SparkTest-pipeline"
    );
    let exec = &roles["Resources"]["StagingExecRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(exec["Principal"]["Service"], "cloudformation.amazonaws.com");
    // The pipeline account lets exactly those accounts' stage roles read the artifacts.
    let p = &all["spark-test-pipeline"]["Resources"];
    let key = p["PipelineArtifactKey"]["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .unwrap();
    let staging = key.iter().find(|s| s["Sid"] == "StagesOf111111111111Read").unwrap();
    assert_eq!(actions(staging), ["kms:Decrypt", "kms:DescribeKey"]);
    let readers: Vec<&str> = staging["Condition"]["ArnEquals"]["aws:PrincipalArn"]
        .as_array()
        .unwrap()
        .iter()
        .map(sub)
        .collect();
    assert!(
        readers
            .iter()
            .all(|r| r.contains("iam::111111111111:role/staging-SparkTest-")),
        "{readers:?}"
    );
    assert!(readers.iter().any(|r| r.ends_with("-integ")));
    let bucket = p["PipelineArtifactBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    assert!(bucket
        .iter()
        .any(|s| s["Sid"] == "StagesOf222222222222Read" && actions(s) == ["s3:GetObject", "s3:GetObjectVersion"]));
    let bucket_props = &p["PipelineArtifactBucket"]["Properties"];
    assert!(
        bucket_props["LoggingConfiguration"].is_object() && bucket_props["PublicAccessBlockConfiguration"].is_object()
    );
    assert_eq!(p["PipelineArtifactKey"]["Properties"]["EnableKeyRotation"], true);
    assert_eq!(p["PipelineArtifactBucket"]["DeletionPolicy"], "Retain");
    assert_eq!(p["PipelineBuildLogGroup"]["Properties"]["RetentionInDays"], 731);
    // The pipeline role may assume exactly the stages' deploy roles.
    let pipeline_role = &p["PipelinePipelineRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    let assume = pipeline_role
        .as_array()
        .unwrap()
        .iter()
        .find(|s| actions(s) == ["sts:AssumeRole"])
        .unwrap();
    let targets: Vec<&str> = assume["Resource"].as_array().unwrap().iter().map(sub).collect();
    assert_eq!(
        targets,
        [
            "arn:${AWS::Partition}:iam::111111111111:role/staging-SparkTest-deploy",
            "arn:${AWS::Partition}:iam::222222222222:role/prod-SparkTest-deploy"
        ]
    );
}

#[test]
fn the_integration_test_reads_the_deployed_stack_outputs() {
    let all = example();
    let t = &all["spark-test-pipeline"];
    let staging = stage(t, "staging");
    let test = staging.iter().find(|a| a["Name"] == "IntegrationTest").unwrap();
    let env: Value = serde_json::from_str(test["Configuration"]["EnvironmentVariables"].as_str().unwrap()).unwrap();
    let value = env[0]["value"].as_str().unwrap();
    assert_eq!(env[0]["name"], "STEP_FUNCTION_ARN");
    let (ns, output) = value
        .trim_start_matches("#{")
        .trim_end_matches('}')
        .split_once('.')
        .unwrap();
    let deploy = staging
        .iter()
        .find(|a| a["Namespace"] == ns)
        .expect("a deploy action with that namespace");
    assert_eq!(deploy["Configuration"]["ActionMode"], "CHANGE_SET_EXECUTE");
    assert!(deploy["RunOrder"].as_u64() < test["RunOrder"].as_u64());
    let stack = deploy["Configuration"]["StackName"].as_str().unwrap();
    assert!(
        all[stack]["Outputs"][output].is_object(),
        "{stack} has no output {output}"
    );
    // The integration test runs in the stage's account with the declared permissions.
    let support = &all["staging-spark-test-pipeline-support"]["Resources"];
    let policy = &support["IntegRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    assert!(policy
        .as_array()
        .unwrap()
        .iter()
        .any(|s| actions(s) == ["states:StartExecution", "states:DescribeExecution"]));
    assert_eq!(support["IntegProject"]["Properties"]["Name"], "staging-SparkTest-integ");
}

#[test]
fn stages_differ_by_value() {
    let all = example();
    let rules = |stack: &str| {
        all[stack]["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::Events::Rule")
            .count()
    };
    // The schedule is prod's only; the app a developer deploys has none either.
    assert_eq!(
        (
            rules("staging-emr-application"),
            rules("prod-emr-application"),
            rules("emr-application")
        ),
        (0, 1, 0)
    );
    let capacity = |stack: &str| {
        all[stack]["Resources"]["SparkRuntimeApplication"]["Properties"]["MaximumCapacity"]["Cpu"].clone()
    };
    assert_eq!(capacity("staging-emr-application"), "16 vCPU");
    assert_eq!(capacity("prod-emr-application"), "400 vCPU");
}

const JOB: &str = r#"
spark_serverless_runtime!(pub RUNTIME {
    name: "r",
    execution_role: { statements: [{ actions: ["s3:GetObject"], resources: ["arn:${AWS::Partition}:s3:::data/*"] }] },
});
spark_job!(pub JOB {
    name: "job",
    runtime: RUNTIME,
    entry_point: "s3://bucket/job.py",
    s3_logs: by_stage({ prod: false, default: { prefix: "logs" } }),
    schedule: by_stage({ prd: "rate(1 day)" }),
});
"#;

fn errors(s: &Synthesis) -> Vec<String> {
    s.app_errors.iter().map(|e| e.to_string()).collect()
}

#[test]
fn stage_names_and_attributes_are_checked_against_the_app() {
    let pipeline = r#"
cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    repository: "owner/weekly-job",
    spark_path: "spark",
    integ_test: {
        script: "spark/integ.sh",
        env: { A: JOB.state_machine_arn, B: JOB.log_bucket_name },
    },
    stages: [{ name: "staging" }, { name: "prod", integ_test: true }],
});
"#;
    let s = app(&format!("{JOB}{pipeline}"));
    let e = errors(&s);
    assert!(s.macro_errors.is_empty(), "{:?}", s.macro_errors);
    let has = |text: &str| e.iter().any(|m| m.contains(text));
    assert!(
        has("`prd` is not a stage of this app's pipeline; did you mean `prod`? (its stages: staging, prod)"),
        "{e:#?}"
    );
    assert!(
        has("`JOB.log_bucket_name` (for `B`) is not an output of stack `prod-cicd-app` in stage `prod`"),
        "{e:#?}"
    );
    assert_eq!(e.len(), 2, "{e:#?}");
    // Each error is at its token: file:line:col of the stage key, of the attribute.
    assert!(e.iter().any(|m| m.starts_with("src/main.rs:11:26:")), "{e:#?}");
    assert!(e.iter().any(|m| m.starts_with("src/main.rs:20:49:")), "{e:#?}");
    // An attribute the construct does not have, with a did-you-mean.
    let s = app(&format!(
        "{JOB}{}",
        pipeline.replace("B: JOB.log_bucket_name", "C: JOB.state_machine")
    ));
    let e = errors(&s);
    assert!(
        e.iter()
            .any(|m| m
                .contains("`JOB` (spark_job!) has no attribute `state_machine`; did you mean `state_machine_arn`?")),
        "{e:#?}"
    );
    // No templates behind errors.
    assert!(s.assembly.templates.is_empty());
    // Without a pipeline, a stage name has nothing to be checked against.
    let e = errors(&app(JOB));
    assert!(e.iter().any(|m| m.contains("declares no `cicd_pipeline!`")), "{e:#?}");
}

#[test]
fn one_pipeline_per_app() {
    let p =
        |h: &str| format!("cicd_pipeline!(pub {h} {{ name: \"{h}\", repository: \"o/r\", spark_path: \"spark\" }});\n");
    let e = errors(&app(&format!("{}{}", p("ONE"), p("TWO"))));
    assert!(
        e.iter().any(|m| m.contains("`TWO` is a second cicd_pipeline!")),
        "{e:#?}"
    );
}

/// The pipeline's own account for every stage, a created connection with a path filter, and
/// a CodeCommit source: linted, and their shape checked.
#[test]
fn same_account_and_codecommit_pipelines() {
    let connection = r#"
cicd_pipeline!(pub PIPELINE {
    name: "Weekly",
    repository: "owner/weekly-job",
    connection_provider: GitLab,
    file_paths: ["spark/**", "src/**"],
    spark_path: "spark",
    integ_test: { script: "spark/integ.sh", env: { ARN: JOB.state_machine_arn, MODE: "smoke" } },
});
"#;
    let s = app(&format!("{}{connection}", JOB.replace("prd", "prod")));
    assert!(
        s.macro_errors.is_empty() && s.app_errors.is_empty(),
        "{:?} {:?}",
        s.macro_errors,
        s.app_errors
    );
    let all = templates(&s);
    let t = &all["cicd-app-pipeline"];
    let r = &t["Resources"];
    assert_eq!(r["PipelineConnection"]["Properties"]["ProviderType"], "GitLab");
    assert!(r["PipelineStagingDeployRole"].is_object() && r["PipelineProdExecRole"].is_object());
    assert!(
        !all.keys().any(|k| k.contains("-roles-")),
        "no other account, no role stack"
    );
    let push = &pipeline(t)["Properties"]["Triggers"][0]["GitConfiguration"]["Push"][0];
    assert_eq!(push["FilePaths"]["Includes"], serde_json::json!(["spark/**", "src/**"]));
    assert!(sub(&t["Outputs"]["PipelineConnectionStatus"]["Value"]).contains("PENDING"));
    let deploy_trust = &r["PipelineStagingDeployRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(
        deploy_trust["Principal"]["AWS"]["Fn::GetAtt"][0],
        "PipelinePipelineRole"
    );
    let staging = stage(t, "staging");
    let test = staging.iter().find(|a| a["Name"] == "IntegrationTest").unwrap();
    assert!(test["Configuration"]["EnvironmentVariables"]
        .as_str()
        .unwrap()
        .contains("\"value\":\"smoke\""));
    assert!(
        stage(t, "prod").iter().all(|a| a["Name"] != "IntegrationTest"),
        "as DSF: staging only"
    );
    let codecommit = connection
        .replace(
            "repository: \"owner/weekly-job\",",
            "repository: codecommit(\"weekly-job\"),",
        )
        .replace("connection_provider: GitLab,\n", "")
        .replace("file_paths: [\"spark/**\", \"src/**\"],\n", "");
    let s = app(&format!("{}{codecommit}", JOB.replace("prd", "prod")));
    assert!(
        s.macro_errors.is_empty() && s.app_errors.is_empty(),
        "{:?} {:?}",
        s.macro_errors,
        s.app_errors
    );
    let cc = templates(&s);
    let t = &cc["cicd-app-pipeline"];
    assert_eq!(t["Resources"]["PipelineSourceRule"]["Type"], "AWS::Events::Rule");
    assert!(pipeline(t)["Properties"].get("Triggers").is_none());
    lint(
        all.into_iter()
            .chain(cc.into_iter().map(|(k, v)| (format!("cc-{k}"), v)))
            .collect(),
    );
}

fn lint(templates: BTreeMap<String, Value>) {
    let dir = std::env::temp_dir().join(format!("sparkform-pipeline-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<_> = templates
        .iter()
        .filter(|(k, _)| k.as_str() != "manifest")
        .map(|(k, v)| {
            let f = dir.join(format!("{k}.json"));
            std::fs::write(&f, serde_json::to_string_pretty(v).unwrap()).unwrap();
            f
        })
        .collect();
    let out = std::process::Command::new(&sparkform_tests::services()["CFN_LINT"])
        .args(["--format", "parseable"])
        .args(&files)
        .output()
        .expect("cfn-lint runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "cfn-lint: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(files.len() >= 8, "{} templates", files.len());
}

#[test]
fn a_broken_construct_is_reported_once_by_its_macro() {
    // The job has an error of its own; the pipeline's reference to it says nothing more.
    let broken = JOB.replace("prd", "prod").replace("entry_point:", "entry_pont:");
    let pipeline = r#"
cicd_pipeline!(pub PIPELINE {
    name: "SparkTest",
    repository: "owner/weekly-job",
    spark_path: "spark",
    integ_test: { script: "spark/integ.sh", env: { A: JOB.state_machine_arn } },
});
"#;
    let s = app(&format!("{broken}{pipeline}"));
    assert!(s.app_errors.is_empty(), "{:?}", s.app_errors);
    assert!(
        s.macro_errors
            .iter()
            .any(|e| e.message.contains("did you mean `entry_point`?")),
        "{:?}",
        s.macro_errors
    );
}

#[test]
fn the_unit_test_image_follows_the_runtime_release() {
    let runtime = |h: &str, release: &str| {
        format!("spark_serverless_runtime!(pub {h} {{ name: \"{h}\", release_label: \"{release}\" }});\n")
    };
    let pipeline =
        "cicd_pipeline!(pub PIPELINE { name: \"SparkTest\", repository: \"o/r\", spark_path: \"spark\" });\n";
    let s = app(&format!("{}{pipeline}", runtime("A", "emr-7.5.0")));
    assert!(s.app_errors.is_empty(), "{:?}", s.app_errors);
    let image = &s.assembly.manifest.pipeline.as_ref().unwrap().build.spark_image;
    assert_eq!(image, "public.ecr.aws/emr-on-eks/spark/emr-7.5.0:latest");
    let e = errors(&app(&format!(
        "{}{}{pipeline}",
        runtime("A", "emr-7.5.0"),
        runtime("B", "emr-7.9.0")
    )));
    assert!(
        e.iter()
            .any(|m| m.contains("emr-7.5.0 and emr-7.9.0") && m.contains("set `spark_image`")),
        "{e:#?}"
    );
}

fn eks_pipeline() -> (Synthesis, BTreeMap<String, Value>) {
    let s = clean(sparkform_tests::scenarios(), "eks-pipeline");
    let t = templates(&s);
    (s, t)
}

/// EMR on EKS through a pipeline: the Kubernetes objects are applied by a CodeBuild project
/// in the cluster's VPC, after the cluster's stack and before the virtual clusters'.
#[test]
fn eks_objects_are_applied_between_the_cluster_and_the_virtual_clusters() {
    let (s, all) = eks_pipeline();
    let t = &all["platform-pipeline"];
    for stage_name in ["staging", "prod"] {
        let steps = stage(t, stage_name);
        let run = |name: &str| -> u64 {
            steps
                .iter()
                .find(|a| a["Name"] == name)
                .unwrap_or_else(|| panic!("no {name} in {:?}", names(steps)))["RunOrder"]
                .as_u64()
                .unwrap()
        };
        let cluster = run("Deploy-eks-pipeline-platform");
        let step = run("Deploy-eks-pipeline-platform-kubernetes");
        let apply = run("Kubernetes-PlatformObjects");
        let vcs = run("Prepare-eks-pipeline-platform-virtual-clusters");
        assert!(cluster < step && step < apply && apply < vcs, "{:?}", names(steps));
        let build = steps
            .iter()
            .find(|a| a["Name"] == "Kubernetes-PlatformObjects")
            .unwrap();
        let project = format!("{stage_name}-eks-pipeline-platform-kubernetes");
        assert_eq!(build["Configuration"]["ProjectName"], project.as_str());
        assert_eq!(build["ActionTypeId"]["Provider"], "CodeBuild");
        // In the stage's account, through its deploy role (which may start `<stage>-*`).
        assert!(
            sub(&build["RoleArn"]).contains(&format!("role/{stage_name}-Platform-deploy")),
            "{build}"
        );
        // The network comes from the cluster stack's deploy action's variables.
        let prepare = steps
            .iter()
            .find(|a| a["Name"] == "Prepare-eks-pipeline-platform-kubernetes")
            .unwrap();
        let params: Value = serde_json::from_str(sub(&prepare["Configuration"]["ParameterOverrides"])).unwrap();
        let ns = format!("{stage_name}-eks-pipeline-platform");
        assert_eq!(params["SubnetIds"], format!("#{{{ns}.PlatformPrivateSubnetIds}}"));
        assert_eq!(
            params["SecurityGroupId"],
            format!("#{{{ns}.PlatformClusterSecurityGroupId}}")
        );
        assert_eq!(params["VpcId"], format!("#{{{ns}.PlatformVpcId}}"));
        let cluster_t = &all[&ns];
        for o in [
            "PlatformPrivateSubnetIds",
            "PlatformClusterSecurityGroupId",
            "PlatformVpcId",
        ] {
            assert!(cluster_t["Outputs"][o].is_object(), "{ns} has no output {o}");
        }

        // The step's stack: the project in the VPC, its role an admin of this cluster only.
        let k = &all[&project];
        let p = &k["Resources"]["KubernetesProject"];
        assert_eq!(p["Properties"]["Name"], project.as_str());
        assert_eq!(
            p["Properties"]["VpcConfig"]["Subnets"],
            serde_json::json!({ "Ref": "SubnetIds" })
        );
        assert_eq!(p["DependsOn"], serde_json::json!(["KubernetesAccess"]));
        let spec = p["Properties"]["Source"]["BuildSpec"].as_str().unwrap();
        assert!(
            spec.contains(&format!(
                "pipeline kubernetes --stage '{stage_name}' --group 'PlatformObjects'"
            )),
            "{spec}"
        );
        let access = &k["Resources"]["KubernetesAccess"]["Properties"];
        let cluster_name = format!("{stage_name}-platform");
        assert_eq!(access["ClusterName"], cluster_name.as_str());
        assert_eq!(
            access["PrincipalArn"],
            serde_json::json!({ "Fn::GetAtt": ["KubernetesRole", "Arn"] })
        );
        let statements = k["Resources"]["KubernetesRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap();
        let describe = statements
            .iter()
            .find(|s| actions(s) == ["eks:DescribeCluster"])
            .unwrap();
        assert!(sub(&describe["Resource"][0]).ends_with(&format!(":cluster/{cluster_name}")));

        // The runtime gets the stage's groups, named as the action names them.
        let entry = s
            .assembly
            .manifest
            .pipeline
            .as_ref()
            .unwrap()
            .stage(stage_name)
            .unwrap();
        let ids: Vec<&str> = entry.kubernetes.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(ids, ["PlatformObjects"]);
        assert_eq!(entry.kubernetes[0].crds.len(), 5, "Karpenter's CRDs");
    }
    // The stage's CloudFormation role may create what EKS needs, and its linked roles only.
    let roles = &all["platform-pipeline-roles-111111111111"]["Resources"]["StagingExecRole"];
    let statements = roles["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    let linked = statements
        .iter()
        .find(|s| actions(s) == ["iam:CreateServiceLinkedRole"])
        .unwrap();
    assert_eq!(
        linked["Condition"]["StringEquals"]["iam:AWSServiceName"],
        serde_json::json!([
            "eks-nodegroup.amazonaws.com",
            "eks.amazonaws.com",
            "emr-containers.amazonaws.com"
        ])
    );
    let all_actions: Vec<String> = statements.iter().flat_map(actions).collect();
    for a in [
        "eks:CreateCluster",
        "eks:CreateAccessEntry",
        "emr-containers:CreateVirtualCluster",
        "codebuild:CreateProject",
    ] {
        assert!(all_actions.iter().any(|x| x == a), "no {a}");
    }
}

/// In a stage, every role and EKS cluster the app names is `<stage>-<name>`: the stage's
/// CloudFormation role may only create roles named so, and stages may share an account.
#[test]
fn names_in_a_stage_start_with_the_stage() {
    let (_, all) = eks_pipeline();
    let mut checked = 0;
    for (stack, t) in &all {
        let Some(stage_name) = ["staging", "prod"]
            .into_iter()
            .find(|s| stack.starts_with(&format!("{s}-")))
        else {
            continue;
        };
        for r in t["Resources"].as_object().unwrap().values() {
            let name = match r["Type"].as_str().unwrap() {
                "AWS::IAM::Role" => &r["Properties"]["RoleName"],
                "AWS::EKS::Cluster" => &r["Properties"]["Name"],
                _ => continue,
            };
            if let Some(n) = name.as_str() {
                checked += 1;
                assert!(n.starts_with(&format!("{stage_name}-")), "{stack}: {n}");
            }
        }
    }
    assert!(checked >= 4, "only {checked} names");

    // A name that fits alone but not with the stage's prefix is refused at its token.
    let s = app(r#"
use sparkform::prelude::*;
execution_role!(pub ROLE { role_name: "a-role-name-of-exactly-sixty-one-characters-long-xxxxxxxxxxxx" });
cicd_pipeline!(pub PIPELINE {
    name: "P",
    repository: "owner/repo",
    branch: "main",
    connection_arn: "arn:aws:codeconnections:eu-west-1:123456789012:connection/aEXAMPLE-8aad-4d5d-8878-dfcab0bc441f",
    app_path: "examples/cicd-pipeline",
    spark_path: "spark",
    stages: [{ name: "staging" }],
});
fn main() {}
"#);
    let text = format!("{:?}", s.app_errors);
    assert!(
        text.contains("in stage `staging` this role is named `staging-a-role-name-of-exactly-sixty-one-characters-long-xxxxxxxxxxxx`, 69 characters: IAM allows 64"),
        "{text} {:?}",
        s.macro_errors
    );
}
