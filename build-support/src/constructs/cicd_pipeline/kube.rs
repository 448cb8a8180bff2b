//! A stage's Kubernetes step, for each group of objects of an `emr_eks_runtime!`: a stack the
//! pipeline deploys after the cluster's stack (a CodeBuild project inside the cluster's VPC,
//! so a private endpoint works, whose role has an EKS access entry of its own), then a build
//! of that project that applies the objects (`pipeline kubernetes`), then the stacks that
//! need them (the virtual clusters). The VPC, subnets and security group come from the
//! cluster stack's outputs through its deploy action's variables.

use super::buildspec::kube_spec;
use super::iam::{logs, role, service_trust, stage_stacks, Artifacts};
use super::model::{CicdPipeline, Stage};
use super::names::PIPELINE_ACCOUNT_PARAMETER;
use super::support::{account_parameter, log_group, Project};
use crate::synth::iam::statement;
use crate::synth::{att, sub, Template};
use serde_json::{json, Value as Json};
use sparkform_assembly::{KubeGroup, ValueRef};

/// The stack (and project) of a group's step: named after the cluster's stack, so it
/// starts with the stage as the stage's roles require.
pub fn stack_name(group: &KubeGroup) -> String {
    format!("{}-kubernetes", group.after_stack)
}

/// The template's parameters other than the pipeline's account: (name, type).
pub const NETWORK_PARAMETERS: [(&str, &str); 3] = [
    ("VpcId", "AWS::EC2::VPC::Id"),
    ("SubnetIds", "List<AWS::EC2::Subnet::Id>"),
    ("SecurityGroupId", "AWS::EC2::SecurityGroup::Id"),
];

/// The cluster's name, as the group states it (sparkform writes it literally).
fn cluster_name(group: &KubeGroup) -> String {
    match &group.cluster {
        ValueRef::Literal { value } => value.clone(),
        ValueRef::Output { output, .. } => {
            panic!("emr_eks_runtime! names its cluster literally, not by output {output}")
        }
    }
}

fn statements(stage: &Stage, group: &KubeGroup, artifacts: &Artifacts) -> Vec<Json> {
    let mut s = vec![logs("BuildLogs")];
    s.extend(artifacts.read());
    s.push(statement(
        true,
        &["eks:DescribeCluster"],
        vec![sub(&format!(
            "arn:${{AWS::Partition}}:eks:${{AWS::Region}}:${{AWS::AccountId}}:cluster/{}",
            cluster_name(group)
        ))],
        None,
    ));
    // The `${Name}` values of the objects are the stage's stack outputs.
    s.push(statement(
        true,
        &["cloudformation:DescribeStacks"],
        vec![stage_stacks(&stage.name)],
        None,
    ));
    // A project in a VPC: CodeBuild makes its network interfaces as this role.
    s.push(statement(
        true,
        &[
            "ec2:CreateNetworkInterface",
            "ec2:DeleteNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeDhcpOptions",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeVpcs",
        ],
        vec![json!("*")],
        None,
    ));
    s.push(statement(
        true,
        &["ec2:CreateNetworkInterfacePermission"],
        vec![sub(
            "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*",
        )],
        Some(json!({ "StringEquals": { "ec2:AuthorizedService": "codebuild.amazonaws.com" } })),
    ));
    s
}

/// The step's stack for `group` in `stage`.
pub fn kube_stack(p: &CicdPipeline, stage: &Stage, group: &KubeGroup) -> Template {
    let name = stack_name(group);
    let mut t = Template::new(&name);
    t.kinds.insert("SparkEmrCICDPipeline Kubernetes step");
    account_parameter(&mut t);
    for (param, ty) in NETWORK_PARAMETERS {
        t.parameters.insert(
            param.into(),
            json!({ "Type": ty, "Description": format!("{param} of EKS cluster {}", cluster_name(group)) }),
        );
    }
    let artifacts = Artifacts::of_account(p, &format!("${{{PIPELINE_ACCOUNT_PARAMETER}}}"));
    log_group(&mut t, p, "BuildLogs");
    t.resource(
        "KubernetesRole",
        "AWS::IAM::Role",
        role(
            None,
            service_trust("codebuild.amazonaws.com"),
            "ApplyKubernetesObjects",
            statements(stage, group, &artifacts),
        ),
    );
    t.skip_check(
        "KubernetesRole",
        "CKV_AWS_111",
        "CodeBuild creates and deletes the network interfaces of a project in a VPC as the project's role, on interfaces that do not exist yet (AWS's documented policy for VPC projects); permissions on interfaces are limited to CodeBuild by ec2:AuthorizedService.",
    );
    // The objects include CRDs and cluster roles: cluster-wide admin, for this role only.
    t.resource(
        "KubernetesAccess",
        "AWS::EKS::AccessEntry",
        json!({
            "ClusterName": cluster_name(group),
            "PrincipalArn": att("KubernetesRole", "Arn"),
            "Type": "STANDARD",
            "AccessPolicies": [{
                "PolicyArn": sub("arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"),
                "AccessScope": { "Type": "cluster" },
            }],
        }),
    );
    let project = Project {
        name: Some(&name),
        role: "KubernetesRole",
        spec: kube_spec(&stage.name, &group.id),
        privileged: false,
        compute: "BUILD_GENERAL1_SMALL",
        log_group: "BuildLogs",
        timeout_minutes: 60,
        encryption_key: None,
        env: Vec::new(),
        description: format!(
            "Applies the Kubernetes objects {} to EKS cluster {} in the {} stage of pipeline {}",
            group.id,
            cluster_name(group),
            stage.name,
            p.name
        ),
    };
    let mut props = project.properties();
    props["VpcConfig"] = json!({
        "VpcId": { "Ref": "VpcId" },
        "Subnets": { "Ref": "SubnetIds" },
        "SecurityGroupIds": [{ "Ref": "SecurityGroupId" }],
    });
    // The build starts only once the role may reach the cluster.
    t.resource("KubernetesProject", "AWS::CodeBuild::Project", props)
        .insert("DependsOn".into(), json!(["KubernetesAccess"]));
    t
}

/// The values CodePipeline passes to the step's stack: the cluster stack's outputs as its
/// deploy action's variables (`#{namespace.Output}`), literals as they are.
pub fn parameter_overrides(group: &KubeGroup) -> Json {
    let network = group
        .network
        .as_ref()
        .expect("emr_eks_runtime! states its cluster's network");
    let value = |v: &ValueRef| match v {
        ValueRef::Literal { value } => value.clone(),
        ValueRef::Output { stack, output } => format!("#{{{}.{output}}}", super::actions::namespace(stack)),
    };
    let mut m = serde_json::Map::new();
    m.insert(PIPELINE_ACCOUNT_PARAMETER.into(), json!("${AWS::AccountId}"));
    m.insert("VpcId".into(), json!(value(&network.vpc_id)));
    m.insert("SubnetIds".into(), json!(value(&network.subnet_ids)));
    m.insert("SecurityGroupId".into(), json!(value(&network.security_group_id)));
    sub(&Json::Object(m).to_string())
}

/// The step stacks of a stage's app, one per group of Kubernetes objects.
pub fn kube_stacks(p: &CicdPipeline, stage: &Stage, app: &crate::constructs::StageApp) -> Vec<Template> {
    app.parts.kubernetes.iter().map(|g| kube_stack(p, stage, g)).collect()
}
