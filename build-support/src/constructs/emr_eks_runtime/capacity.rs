//! Capacity outside Auto Mode: the managed add-ons EKS would otherwise not run (VPC CNI,
//! CoreDNS, kube-proxy, the Pod Identity agent, EBS CSI with a role of its own), a tooling
//! node group (Bottlerocket, IMDSv2 launch template) for them and for Karpenter, the
//! crate's node groups, and Karpenter's AWS side: the controller's role through Pod
//! Identity, its interruption queue, and the EventBridge rules DSF got wrong (defect 17:
//! `aws.heatlh`, `detail` for `detail-type`, no Spot-interruption or rebalance rules).

use super::cluster::{aws_policy, NetworkRefs};
use super::model::{Capacity, EmrEksRuntime, NodeGroup};
use super::Ids;
use crate::synth::iam::{document, statement};
use crate::synth::{att, r#ref, sub, Template};
use serde_json::{json, Value as Json};

/// Karpenter's namespace and service account (its chart's defaults since v1).
pub const KARPENTER_NAMESPACE: &str = "kube-system";
pub const KARPENTER_SERVICE_ACCOUNT: &str = "karpenter";

pub fn synth(r: &EmrEksRuntime, ids: &Ids, net: &NetworkRefs, t: &mut Template) {
    if r.capacity == Capacity::Auto {
        return;
    }
    launch_template(ids, t);
    let tooling = NodeGroup {
        name: "tooling".into(),
        instance_types: vec!["t3.medium".into()],
        min_size: 2,
        max_size: 2,
        desired_size: 2,
        spot: false,
        ami_type: "BOTTLEROCKET_x86_64".into(),
        labels: vec![("role".into(), "tooling".into())],
        taints: Vec::new(),
    };
    node_group(&ids.tooling_node_group, &tooling, ids, net, t);
    for g in &r.node_groups {
        node_group(&ids.node_group(&g.name), g, ids, net, t);
    }
    addons(r, ids, t);
    if r.capacity == Capacity::Karpenter {
        karpenter(r, ids, t);
    }
}

/// IMDSv2 only, with a hop limit that lets pods reach it through the node (DSF's settings).
fn launch_template(ids: &Ids, t: &mut Template) {
    t.resource(
        &ids.launch_template,
        "AWS::EC2::LaunchTemplate",
        json!({ "LaunchTemplateData": { "MetadataOptions": {
            "HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 2, "HttpProtocolIpv6": "disabled",
        } } }),
    );
}

fn node_group(id: &str, g: &NodeGroup, ids: &Ids, net: &NetworkRefs, t: &mut Template) {
    let mut props = json!({
        "ClusterName": r#ref(&ids.cluster),
        "NodeRole": att(&ids.node_role, "Arn"),
        "Subnets": net.private_subnets,
        "InstanceTypes": g.instance_types,
        "AmiType": g.ami_type,
        "CapacityType": if g.spot { "SPOT" } else { "ON_DEMAND" },
        "ScalingConfig": { "MinSize": g.min_size, "MaxSize": g.max_size, "DesiredSize": g.desired_size },
        "LaunchTemplate": { "Id": r#ref(&ids.launch_template), "Version": att(&ids.launch_template, "LatestVersionNumber") },
        "NodeRepairConfig": { "Enabled": true },
        "UpdateConfig": { "MaxUnavailable": 1 },
    });
    if !g.labels.is_empty() {
        props["Labels"] = Json::Object(g.labels.iter().map(|(k, v)| (k.clone(), json!(v))).collect());
    }
    if !g.taints.is_empty() {
        props["Taints"] = Json::Array(
            g.taints
                .iter()
                .map(|x| {
                    let effect = match x.effect {
                        "NoExecute" => "NO_EXECUTE",
                        "PreferNoSchedule" => "PREFER_NO_SCHEDULE",
                        _ => "NO_SCHEDULE",
                    };
                    json!({ "Key": x.key, "Value": x.value, "Effect": effect })
                })
                .collect(),
        );
    }
    t.resource(id, "AWS::EKS::Nodegroup", props);
}

/// A role only EKS Pod Identity may assume, for one service account of this cluster.
pub fn pod_identity_trust(r: &EmrEksRuntime, namespace: &str, service_account: &str) -> Json {
    document(vec![json!({
        "Effect": "Allow",
        "Principal": { "Service": "pods.eks.amazonaws.com" },
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": { "StringEquals": {
            "aws:RequestTag/eks-cluster-name": r.cluster_name,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": service_account,
        } },
    })])
}

fn addons(r: &EmrEksRuntime, ids: &Ids, t: &mut Template) {
    t.resource(
        &ids.ebs_csi_role,
        "AWS::IAM::Role",
        json!({
            "AssumeRolePolicyDocument": pod_identity_trust(r, "kube-system", "ebs-csi-controller-sa"),
            "ManagedPolicyArns": [aws_policy("service-role/AmazonEBSCSIDriverPolicy")],
        }),
    );
    let addons: [(&str, &str, bool); 5] = [
        ("VpcCni", "vpc-cni", false),
        ("KubeProxy", "kube-proxy", false),
        ("PodIdentityAgent", "eks-pod-identity-agent", false),
        // Deployments: they report healthy only once nodes run them.
        ("CoreDns", "coredns", true),
        ("EbsCsiDriver", "aws-ebs-csi-driver", true),
    ];
    for (part, name, needs_nodes) in addons {
        let id = ids.addon(part);
        let mut props =
            json!({ "ClusterName": r#ref(&ids.cluster), "AddonName": name, "ResolveConflicts": "OVERWRITE" });
        if name == "aws-ebs-csi-driver" {
            props["PodIdentityAssociations"] =
                json!([{ "ServiceAccount": "ebs-csi-controller-sa", "RoleArn": att(&ids.ebs_csi_role, "Arn") }]);
        }
        let res = t.resource(&id, "AWS::EKS::Addon", props);
        if needs_nodes {
            res.insert("DependsOn".into(), json!([ids.tooling_node_group]));
        }
    }
}

/// `arn:<partition>:<service>:<region>:<account>:<rest>` with `*` where written.
fn arn(service: &str, region: bool, account: &str, rest: &str) -> Json {
    let region = if region { "${AWS::Region}" } else { "" };
    sub(&format!("arn:${{AWS::Partition}}:{service}:{region}:{account}:{rest}"))
}

fn karpenter(r: &EmrEksRuntime, ids: &Ids, t: &mut Template) {
    let name = &r.cluster_name;
    t.resource(
        &ids.interruption_queue,
        "AWS::SQS::Queue",
        json!({ "MessageRetentionPeriod": 300, "SqsManagedSseEnabled": true }),
    );
    t.skip_check(
        &ids.interruption_queue,
        "CKV_AWS_27",
        "Encrypted with SSE-SQS (SqsManagedSseEnabled). EventBridge cannot deliver to a queue under the AWS-managed KMS key, and the messages (interruption notices) live 5 minutes.",
    );
    let queue_arn = att(&ids.interruption_queue, "Arn");
    t.resource(
        &format!("{}Policy", ids.interruption_queue),
        "AWS::SQS::QueuePolicy",
        json!({
            "Queues": [r#ref(&ids.interruption_queue)],
            "PolicyDocument": document(vec![
                json!({
                    "Sid": "EventBridgeDelivers",
                    "Effect": "Allow",
                    "Principal": { "Service": ["events.amazonaws.com", "sqs.amazonaws.com"] },
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                }),
                json!({
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": { "AWS": "*" },
                    "Action": "sqs:*",
                    "Resource": queue_arn,
                    "Condition": { "Bool": { "aws:SecureTransport": "false" } },
                }),
            ]),
        }),
    );
    let rules: [(&str, &str, &str); 4] = [
        ("ScheduledChange", "aws.health", "AWS Health Event"),
        ("SpotInterruption", "aws.ec2", "EC2 Spot Instance Interruption Warning"),
        ("Rebalance", "aws.ec2", "EC2 Instance Rebalance Recommendation"),
        (
            "InstanceStateChange",
            "aws.ec2",
            "EC2 Instance State-change Notification",
        ),
    ];
    for (part, source, detail_type) in rules {
        t.resource(
            &ids.karpenter_rule(part),
            "AWS::Events::Rule",
            json!({
                "Description": format!("Karpenter of EKS cluster {name}: {detail_type}"),
                "EventPattern": { "source": [source], "detail-type": [detail_type] },
                "State": "ENABLED",
                "Targets": [{ "Id": "InterruptionQueue", "Arn": queue_arn }],
            }),
        );
    }

    let owned = format!("aws:ResourceTag/kubernetes.io/cluster/{name}");
    let req_owned = format!("aws:RequestTag/kubernetes.io/cluster/{name}");
    let created =
        |kinds: &[&str]| -> Vec<Json> { kinds.iter().map(|k| arn("ec2", true, "*", &format!("{k}/*"))).collect() };
    let launched = created(&[
        "fleet",
        "instance",
        "volume",
        "network-interface",
        "launch-template",
        "spot-instances-request",
    ]);
    let profiles = arn("iam", false, "${AWS::AccountId}", "instance-profile/*");
    let nodepool_like = json!({ "aws:ResourceTag/karpenter.sh/nodepool": "*" });
    let statements = vec![
        statement(
            true,
            &["ec2:RunInstances", "ec2:CreateFleet"],
            vec![
                arn("ec2", true, "", "image/*"),
                arn("ec2", true, "", "snapshot/*"),
                arn("ec2", true, "*", "security-group/*"),
                arn("ec2", true, "*", "subnet/*"),
                arn("ec2", true, "*", "capacity-reservation/*"),
            ],
            None,
        ),
        statement(
            true,
            &["ec2:RunInstances", "ec2:CreateFleet"],
            vec![arn("ec2", true, "*", "launch-template/*")],
            Some(json!({ "StringEquals": { owned.clone(): "owned" }, "StringLike": nodepool_like })),
        ),
        statement(
            true,
            &["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            launched.clone(),
            Some(
                json!({ "StringEquals": { req_owned.clone(): "owned", "aws:RequestTag/eks:eks-cluster-name": name },
                         "StringLike": { "aws:RequestTag/karpenter.sh/nodepool": "*" } }),
            ),
        ),
        statement(
            true,
            &["ec2:CreateTags"],
            launched,
            Some(
                json!({ "StringEquals": { req_owned.clone(): "owned", "aws:RequestTag/eks:eks-cluster-name": name,
                                           "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"] },
                         "StringLike": { "aws:RequestTag/karpenter.sh/nodepool": "*" } }),
            ),
        ),
        statement(
            true,
            &["ec2:CreateTags"],
            vec![arn("ec2", true, "*", "instance/*")],
            Some(
                json!({ "StringEquals": { owned.clone(): "owned" }, "StringLike": { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
                         "StringEqualsIfExists": { "aws:RequestTag/eks:eks-cluster-name": name },
                         "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] } }),
            ),
        ),
        statement(
            true,
            &["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            vec![
                arn("ec2", true, "*", "instance/*"),
                arn("ec2", true, "*", "launch-template/*"),
            ],
            Some(
                json!({ "StringEquals": { owned.clone(): "owned" }, "StringLike": { "aws:ResourceTag/karpenter.sh/nodepool": "*" } }),
            ),
        ),
        statement(
            true,
            &[
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeCapacityReservations",
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSpotPriceHistory",
                "ec2:DescribeSubnets",
            ],
            vec![json!("*")],
            Some(json!({ "StringEquals": { "aws:RequestedRegion": r#ref("AWS::Region") } })),
        ),
        statement(
            true,
            &["ssm:GetParameter"],
            vec![arn("ssm", true, "", "parameter/aws/service/*")],
            None,
        ),
        statement(true, &["pricing:GetProducts"], vec![json!("*")], None),
        statement(
            true,
            &["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            vec![queue_arn],
            None,
        ),
        statement(
            true,
            &["iam:PassRole"],
            vec![att(&ids.node_role, "Arn")],
            Some(json!({ "StringEquals": { "iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"] } })),
        ),
        statement(
            true,
            &["iam:CreateInstanceProfile"],
            vec![profiles.clone()],
            Some(
                json!({ "StringEquals": { req_owned.clone(): "owned", "aws:RequestTag/eks:eks-cluster-name": name,
                                           "aws:RequestTag/topology.kubernetes.io/region": r#ref("AWS::Region") },
                         "StringLike": { "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" } }),
            ),
        ),
        statement(
            true,
            &["iam:TagInstanceProfile"],
            vec![profiles.clone()],
            Some(
                json!({ "StringEquals": { owned.clone(): "owned", "aws:ResourceTag/topology.kubernetes.io/region": r#ref("AWS::Region"),
                                           req_owned: "owned", "aws:RequestTag/eks:eks-cluster-name": name,
                                           "aws:RequestTag/topology.kubernetes.io/region": r#ref("AWS::Region") },
                         "StringLike": { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*", "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" } }),
            ),
        ),
        statement(
            true,
            &[
                "iam:AddRoleToInstanceProfile",
                "iam:RemoveRoleFromInstanceProfile",
                "iam:DeleteInstanceProfile",
            ],
            vec![profiles.clone()],
            Some(
                json!({ "StringEquals": { owned: "owned", "aws:ResourceTag/topology.kubernetes.io/region": r#ref("AWS::Region") },
                         "StringLike": { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*" } }),
            ),
        ),
        statement(true, &["iam:GetInstanceProfile"], vec![profiles], None),
        statement(true, &["iam:ListInstanceProfiles"], vec![json!("*")], None),
        statement(true, &["eks:DescribeCluster"], vec![att(&ids.cluster, "Arn")], None),
    ];
    t.resource(
        &ids.karpenter_role,
        "AWS::IAM::Role",
        json!({
            "AssumeRolePolicyDocument": pod_identity_trust(r, KARPENTER_NAMESPACE, KARPENTER_SERVICE_ACCOUNT),
            "Policies": [{ "PolicyName": "KarpenterController", "PolicyDocument": document(statements) }],
        }),
    );
    t.resource(
        &format!("{}Association", ids.karpenter_role),
        "AWS::EKS::PodIdentityAssociation",
        json!({
            "ClusterName": r#ref(&ids.cluster),
            "Namespace": KARPENTER_NAMESPACE,
            "ServiceAccount": KARPENTER_SERVICE_ACCOUNT,
            "RoleArn": att(&ids.karpenter_role, "Arn"),
        }),
    );
}
