//! `cicd_pipeline!` from the runtime's side, with real parts:
//! - the build stage's generated commands, run for real: the unit tests in Docker (the local
//!   base image) on the example's Spark project, stopped by a failing test; the synthesis on
//!   the example crate (`pipeline build-local`, through the example's binary);
//! - moto: the stacks whose resource types moto supports (the other accounts' role stacks,
//!   a stage's support stack, a stage's package stack and its asset publishing); the
//!   pipeline's definition created through CodePipeline's API (botocore checks its shape
//!   against the service model), then `pipeline status` on it. moto has no
//!   ListActionExecutions: status says so for the actions; its rendering of actions is a
//!   unit test of `pipeline::status`.

mod support;

use serde_json::{json, Value};
use sparkform::assets::upload::Upload;
use sparkform::deploy::{self, sdk::Sdk, ui::Ui};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::*;

fn example_binary() -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .current_dir(workspace())
        .args(["build", "--quiet", "-p", "cicd-pipeline"])
        .status()
        .unwrap();
    assert!(status.success(), "cargo build -p cicd-pipeline failed");
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace().join("target"));
    target.join("debug/cicd-pipeline")
}

fn cli(args: &[&str]) -> Output {
    let out = Command::new(example_binary())
        .args(args)
        .envs(services())
        .output()
        .unwrap();
    eprintln!(
        "$ cicd-pipeline {}\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let name = e.file_name();
        if [".venv", "__pycache__", ".pytest_cache"].contains(&name.to_str().unwrap_or_default()) {
            continue;
        }
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(&name));
        } else {
            std::fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}

fn local_image() -> String {
    services()["SPARKFORM_BASE_IMAGE"].clone()
}

#[test]
fn the_build_stage_unit_tests_run_in_docker_and_a_failing_test_stops_them() {
    services();
    // A copy of the repository layout the pipeline sees: examples/cicd-pipeline/spark.
    let repo = std::env::temp_dir().join(format!("sparkform-pipeline-repo-{}", std::process::id()));
    let project = repo.join("examples/cicd-pipeline/spark");
    copy_dir(&workspace().join("examples/cicd-pipeline/spark"), &project);
    let repo_arg = repo.display().to_string();
    let image = local_image();
    let args = [
        "pipeline",
        "build-local",
        "--image",
        &image,
        "--repo",
        &repo_arg,
        "--unit-tests-only",
    ];
    let ok = cli(&args);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    let stderr = String::from_utf8_lossy(&ok.stderr);
    assert!(ok.status.success(), "{stderr}");
    assert!(
        stdout.contains("unit tests passed") && stderr.contains("2 passed"),
        "{stdout}{stderr}"
    );

    std::fs::write(
        project.join("tests/test_broken.py"),
        "from weekly.distance import bucket\n\ndef test_broken():\n    assert bucket(3.0) == 'long'\n",
    )
    .unwrap();
    let failed = cli(&args);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("1 failed") && stderr.contains("the unit tests failed"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&repo);
}

#[test]
fn the_build_stage_synthesizes_the_example_into_its_artifact() {
    services();
    let image = local_image();
    let out = cli(&["pipeline", "build-local", "--image", &image, "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    let dir = PathBuf::from(v["artifact_dir"].as_str().unwrap());
    assert_eq!(dir, workspace().join("sparkform.out"));
    for f in [
        "app",
        "manifest.json",
        "spark-test-pipeline.template.json",
        "staging-emr-application.template.json",
        "prod-spark-test-pipeline-support.template.json",
    ] {
        assert!(dir.join(f).is_file(), "the artifact lacks {f}");
    }
    // The artifact's binary is the app: it knows its pipeline.
    let roles = Command::new(dir.join("app"))
        .args(["pipeline", "roles"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&roles.stdout).contains("spark-test-pipeline-roles-111111111111"));
    eprintln!(
        "build-local: unit tests {:.1} s, synthesis {:.1} s",
        v["unit_tests_seconds"].as_f64().unwrap(),
        v["synth_seconds"].as_f64().unwrap()
    );
    let _ = std::fs::remove_dir_all(dir);
}

fn example_templates() -> (sparkform::Assembly, Value) {
    let asm = example_assembly("cicd-pipeline", "cicd-pipeline");
    let p = serde_json::to_value(asm.manifest.pipeline.clone().unwrap()).unwrap();
    (asm, p)
}

/// Creates a stack with boto3 (the role stacks take a parameter, which `deploy` does not
/// pass: people deploy them with the AWS CLI) and returns its status.
fn create_stack(name: &str, body: &str, region: &str) -> String {
    let file = std::env::temp_dir().join(format!("{name}-{}.json", std::process::id()));
    std::fs::write(&file, body).unwrap();
    let status = python(&format!(
        "import boto3, os\n\
         cfn = boto3.client('cloudformation', region_name='{region}', endpoint_url=os.environ['AWS_ENDPOINT_URL'])\n\
         iam = boto3.client('iam', endpoint_url=os.environ['AWS_ENDPOINT_URL'])\n\
         try:\n    cfn.delete_stack(StackName='{name}')\nexcept Exception:\n    pass\n\
         # Named roles of an earlier run.\n\
         for r in iam.list_roles()['Roles']:\n\
         \x20   if r['RoleName'].endswith(('-SparkTest-deploy', '-SparkTest-cfn-exec', '-SparkTest-assets', '-SparkTest-integ')):\n\
         \x20       for p in iam.list_role_policies(RoleName=r['RoleName'])['PolicyNames']:\n\
         \x20           iam.delete_role_policy(RoleName=r['RoleName'], PolicyName=p)\n\
         \x20       iam.delete_role(RoleName=r['RoleName'])\n\
         cfn.create_stack(StackName='{name}', TemplateBody=open('{}').read(), Parameters=[{{'ParameterKey': 'PipelineAccountId', 'ParameterValue': '123456789012'}}], Capabilities=['CAPABILITY_NAMED_IAM'])\n\
         print(cfn.describe_stacks(StackName='{name}')['Stacks'][0]['StackStatus'])",
        file.display()
    ));
    let _ = std::fs::remove_file(file);
    status
}

fn role(name: &str) -> Value {
    let out = python(&format!(
        "import boto3, os, json\n\
         iam = boto3.client('iam', endpoint_url=os.environ['AWS_ENDPOINT_URL'])\n\
         r = iam.get_role(RoleName='{name}')['Role']\n\
         names = iam.list_role_policies(RoleName='{name}')['PolicyNames']\n\
         print(json.dumps({{'trust': r['AssumeRolePolicyDocument'], 'policies': names}}, default=str))"
    ));
    serde_json::from_str(&out).unwrap()
}

#[test]
fn moto_creates_the_role_and_support_stacks() {
    services();
    let (asm, p) = example_templates();
    let text = |file: &str| serde_json::to_string_pretty(&asm.templates[file]).unwrap();
    let target = &p["target_stacks"][0];
    let status = create_stack(
        target["stack"].as_str().unwrap(),
        &text(target["template"].as_str().unwrap()),
        "eu-west-1",
    );
    assert_eq!(status, "CREATE_COMPLETE");
    let deploy = role("staging-SparkTest-deploy");
    let trust = deploy["trust"].to_string();
    assert!(
        trust.contains("arn:aws:iam::123456789012:root") && trust.contains("role/SparkTest-pipeline"),
        "{trust}"
    );
    assert_eq!(deploy["policies"], json!(["DeployStage"]));
    let exec = role("staging-SparkTest-cfn-exec");
    assert!(exec["trust"].to_string().contains("cloudformation.amazonaws.com"));
    // The stage's support stack, which the pipeline deploys in the stage's account.
    let support = p["stages"][0]["support_stack"]["template"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        create_stack("staging-spark-test-pipeline-support", &text(&support), "eu-west-1"),
        "CREATE_COMPLETE"
    );
    let integ = role("staging-SparkTest-integ");
    assert_eq!(integ["policies"], json!(["IntegrationTest"]));
    assert!(role("staging-SparkTest-assets")["trust"]
        .to_string()
        .contains("codebuild.amazonaws.com"));
}

/// `{"Ref": x}` and friends with values moto accepts; keys in the API's camelCase, except
/// inside an action's `configuration`, whose keys are the action's own.
fn api_shape(v: &Value, role_arn: &str, in_configuration: bool) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 && m.contains_key("Fn::GetAtt") => {
            let target = m["Fn::GetAtt"][0].as_str().unwrap();
            if target.ends_with("PipelineRole") {
                json!(role_arn)
            } else {
                json!(format!("arn:aws:iam::123456789012:role/{target}"))
            }
        }
        Value::Object(m) if m.len() == 1 && m.contains_key("Ref") => {
            json!(format!("ref-{}", m["Ref"].as_str().unwrap()))
        }
        Value::Object(m) if m.len() == 1 && m.contains_key("Fn::Sub") => json!(m["Fn::Sub"]
            .as_str()
            .unwrap()
            .replace("${AWS::Partition}", "aws")
            .replace("${AWS::AccountId}", "123456789012")
            .replace("${AWS::Region}", "us-east-1")),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = if in_configuration {
                        k.clone()
                    } else {
                        let mut c = k.chars();
                        c.next()
                            .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
                            .unwrap_or_default()
                    };
                    (key, api_shape(v, role_arn, k == "Configuration"))
                })
                .collect(),
        ),
        Value::Array(l) => Value::Array(l.iter().map(|x| api_shape(x, role_arn, false)).collect()),
        other => other.clone(),
    }
}

/// Creates the pipeline `name` in moto from `definition`, with its role `role` first, then
/// runs `then` (Python, with `p` the created pipeline and `cp` the client); returns what that
/// prints. botocore checks the definition against CodePipeline's service model.
fn moto_pipeline(definition: &Value, role: &str, name: &str, then: &str) -> String {
    let file = std::env::temp_dir().join(format!("pipeline-{name}-{}.json", std::process::id()));
    std::fs::write(&file, definition.to_string()).unwrap();
    let out = python(&format!(
        "import boto3, os, json\n\
         e = os.environ['AWS_ENDPOINT_URL']\n\
         iam = boto3.client('iam', endpoint_url=e)\n\
         cp = boto3.client('codepipeline', endpoint_url=e)\n\
         try:\n    iam.create_role(RoleName='{role}', AssumeRolePolicyDocument=json.dumps({{'Version': '2012-10-17', 'Statement': [{{'Effect': 'Allow', 'Principal': {{'Service': 'codepipeline.amazonaws.com'}}, 'Action': 'sts:AssumeRole'}}]}}))\n\
         except iam.exceptions.EntityAlreadyExistsException:\n    pass\n\
         try:\n    cp.delete_pipeline(name='{name}')\nexcept Exception:\n    pass\n\
         p = cp.create_pipeline(pipeline=json.load(open('{}')))['pipeline']\n\
         {then}",
        file.display()
    ));
    let _ = std::fs::remove_file(file);
    out
}

#[test]
fn moto_takes_the_pipeline_definition_and_status_reads_its_executions() {
    services();
    let (asm, _) = example_templates();
    let t = &asm.templates["spark-test-pipeline.template.json"];
    let mut props = t["Resources"]["PipelinePipeline"]["Properties"].clone();
    props.as_object_mut().unwrap().remove("RestartExecutionOnUpdate");
    let role_arn = "arn:aws:iam::123456789012:role/SparkTest-pipeline";
    let definition = api_shape(&props, role_arn, false);
    let created = moto_pipeline(
        &definition,
        "SparkTest-pipeline",
        "SparkTest",
        "cp.start_pipeline_execution(name='SparkTest')\n\
         print(json.dumps([s['name'] for s in p['stages']]))",
    );
    let stages: Vec<String> = serde_json::from_str(&created).unwrap();
    assert_eq!(stages, ["Source", "Build", "UpdatePipeline", "staging", "prod"]);
    let out = cli(&["pipeline", "status", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert_eq!(v["stages"], json!(stages));
    let e = &v["executions"][0];
    assert_eq!(e["status"], "Succeeded");
    // moto does not implement ListActionExecutions; status says so instead of failing.
    assert!(
        e["actions"]["Err"].as_str().is_some() || e["actions"]["Ok"].is_array(),
        "{e}"
    );
    let text = cli(&["pipeline", "status"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("SparkTest execution"));
}

#[tokio::test(flavor = "multi_thread")]
async fn moto_publishes_a_stage_assets_once() {
    services();
    let crate_dir = workspace().join("examples/cicd-pipeline");
    let source = r#"
pyspark_package!(pub PKG { name: "weekly-publish", entrypoint: "spark/src/entrypoint.py" });
cicd_pipeline!(pub PIPELINE { name: "Publish", repository: "owner/weekly-job", spark_path: "spark" });
"#;
    let crate_name = format!("publish-{}", std::process::id());
    let asm = assembly_from_source(&crate_dir, &crate_name, source);
    let p = asm.manifest.pipeline.clone().unwrap();
    let staging = sparkform::pipeline::publish::stage_assembly(&asm, &p, "staging", None).unwrap();
    assert_eq!(staging.manifest.stacks[0].name, format!("staging-{crate_name}"));
    let aws = sparkform::aws::Aws::load().await.unwrap();
    let ui = Ui::new(true, true);
    let cfn = Sdk(aws.cfn.clone());
    // The stacks only (the publish step below is what is under test).
    let mut stacks_only = staging.clone();
    stacks_only.manifest.assets.clear();
    deploy::Deployer::new(&stacks_only, &cfn, &ui)
        .deploy(&[], std::future::pending())
        .await
        .unwrap();
    for round in 0..2 {
        let done = sparkform::pipeline::publish::publish(&asm, &p, "staging", None, true)
            .await
            .unwrap();
        let uploaded: Vec<bool> = done.iter().map(|(_, u)| matches!(u, Upload::Uploaded)).collect();
        assert_eq!(
            uploaded,
            [round == 0],
            "round {round}: uploaded once, then skipped as unchanged"
        );
        let key = &staging.manifest.assets[0].key;
        // moto leaves the outputs of a stack made by a change set empty; the runtime's
        // reader falls back to the resource's physical id.
        let bucket = deploy::outputs::Outputs::new(&staging, &cfn)
            .get(&staging.manifest.stacks[0].name, "PkgArtifactsBucketName")
            .await
            .unwrap();
        let head = aws.s3.head_object().bucket(&bucket).key(key).send().await;
        assert!(head.is_ok(), "round {round}: s3://{bucket}/{key} is missing");
    }
    assert!(sparkform::pipeline::publish::stage_assembly(&asm, &p, "qa", None)
        .unwrap_err()
        .contains("its stages: staging, prod"));
}

fn eks_pipeline_assembly() -> sparkform::Assembly {
    let dir = workspace().join("tests/scenarios/eks");
    let source = std::fs::read_to_string(dir.join("eks_pipeline.rs")).unwrap();
    assembly_from_source(&dir, "eks-pipeline", &source)
}

/// `pipeline kubernetes` (what a stage's Kubernetes project runs) finds the group the
/// action names, with the stage's cluster, or says what there is.
#[test]
fn the_kubernetes_step_finds_its_group_or_says_what_there_is() {
    let asm = eks_pipeline_assembly();
    let p = sparkform::pipeline::of(&asm).unwrap();
    let groups = sparkform::pipeline::kube::groups(p, "prod", Some("PlatformObjects")).unwrap();
    let [g] = groups.as_slice() else { panic!("{groups:?}") };
    assert_eq!(g.cluster, sparkform_assembly::ValueRef::literal("prod-platform"));
    assert_eq!(g.after_stack, "prod-eks-pipeline-platform");
    assert!(
        g.objects.iter().any(|o| o["kind"] == "Deployment"),
        "Karpenter's controller"
    );
    assert_eq!(sparkform::pipeline::kube::groups(p, "staging", None).unwrap().len(), 1);
    assert_eq!(
        sparkform::pipeline::kube::groups(p, "dev", None).unwrap_err(),
        "`dev` is not a stage of Platform; its stages: staging, prod"
    );
    assert_eq!(
        sparkform::pipeline::kube::groups(p, "prod", Some("Other")).unwrap_err(),
        "stage prod has no Kubernetes group `Other`; its groups: PlatformObjects"
    );
}

/// CodePipeline (moto, with botocore's service model) takes the definition with its
/// Kubernetes actions, in order.
#[test]
fn moto_takes_the_eks_pipeline_definition() {
    services();
    let asm = eks_pipeline_assembly();
    let t = &asm.templates["platform-pipeline.template.json"];
    let (_, pipeline) = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, r)| r["Type"] == "AWS::CodePipeline::Pipeline")
        .unwrap();
    let mut props = pipeline["Properties"].clone();
    props.as_object_mut().unwrap().remove("RestartExecutionOnUpdate");
    let definition = api_shape(&props, "arn:aws:iam::123456789012:role/Platform-pipeline", false);
    let created = moto_pipeline(
        &definition,
        "Platform-pipeline",
        "Platform",
        "print(json.dumps([[a['name'] for a in s['actions']] for s in p['stages'] if s['name'] == 'staging'][0]))",
    );
    let actions: Vec<String> = serde_json::from_str(&created).unwrap();
    let at = |name: &str| {
        actions
            .iter()
            .position(|a| a == name)
            .unwrap_or_else(|| panic!("{name}: {actions:?}"))
    };
    assert!(at("Deploy-eks-pipeline-platform") < at("Kubernetes-PlatformObjects"));
    assert!(at("Kubernetes-PlatformObjects") < at("Prepare-eks-pipeline-platform-virtual-clusters"));
}
