//! The cluster: its VPC (or an existing one), the secrets key, the cluster role, the
//! `AWS::EKS::Cluster` itself (authentication mode API, no creator admin, restricted public
//! endpoint, private endpoint, encrypted secrets, control-plane logs), the admin's access
//! entry and, when asked, EMR's service-linked role and the IAM OIDC provider for IRSA.

use super::model::{Capacity, EmrEksRuntime, Network};
use super::Ids;
use crate::synth::iam::{document, statement};
use crate::synth::{att, r#ref, sub, tags, vpc, Template};
use serde_json::{json, Value as Json};

/// What the rest of the construct needs from the network.
pub struct NetworkRefs {
    pub vpc_id: Json,
    /// Private subnets (nodes, control-plane ENIs), one per zone.
    pub private_subnets: Vec<Json>,
}

/// A managed policy of AWS, in the stack's partition.
pub fn aws_policy(name: &str) -> Json {
    sub(&format!("arn:${{AWS::Partition}}:iam::aws:policy/{name}"))
}

/// Appends tags to a resource's `Tags`.
fn add_tags(t: &mut Template, id: &str, pairs: &[(&str, &str)]) {
    let Some(props) = t.resources.get_mut(id).and_then(|r| r.get_mut("Properties")) else {
        return;
    };
    let list = props
        .as_object_mut()
        .expect("resources have object properties")
        .entry("Tags")
        .or_insert_with(|| json!([]));
    if let Some(items) = list.as_array_mut() {
        items.extend(pairs.iter().map(|(k, v)| json!({ "Key": k, "Value": v })));
    }
}

/// The VPC (tagged for EKS load balancers, Karpenter discovery and EMR's managed policies)
/// or the existing network.
pub fn network(r: &EmrEksRuntime, t: &mut Template) -> NetworkRefs {
    match &r.network {
        Network::Existing { vpc_id, subnet_ids } => NetworkRefs {
            vpc_id: json!(vpc_id),
            private_subnets: subnet_ids.iter().map(|s| json!(s)).collect(),
        },
        Network::DefaultVpc(spec) => {
            let p = &r.handle.prefix;
            let desc = format!(
                "Additional security group of the control plane of EKS cluster {}",
                r.cluster_name
            );
            let refs = vpc::synth(t, p, spec, r.removal, &desc);
            let owned = format!("kubernetes.io/cluster/{}", r.cluster_name);
            let emr = ("for-use-with-amazon-emr-managed-policies", "true");
            add_tags(t, &format!("{p}Vpc"), &[emr]);
            for n in 1..=spec.azs {
                add_tags(
                    t,
                    &format!("{p}PublicSubnet{n}"),
                    &[("kubernetes.io/role/elb", "1"), emr],
                );
                let mut private = vec![
                    ("kubernetes.io/role/internal-elb", "1"),
                    emr,
                    (owned.as_str(), "shared"),
                ];
                if r.capacity == Capacity::Karpenter {
                    private.push(("karpenter.sh/discovery", r.cluster_name.as_str()));
                }
                add_tags(t, &format!("{p}PrivateSubnet{n}"), &private);
            }
            NetworkRefs {
                vpc_id: refs.vpc,
                private_subnets: refs.private_subnets,
            }
        }
    }
}

/// The secrets key, the cluster role and the cluster.
pub fn cluster(r: &EmrEksRuntime, ids: &Ids, net: &NetworkRefs, t: &mut Template) {
    let key_policy = document(vec![json!({
        "Sid": "AccountAdministersKey",
        "Effect": "Allow",
        "Principal": { "AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root") },
        "Action": "kms:*",
        "Resource": "*",
    })]);
    t.data_resource(
        &ids.secrets_key,
        "AWS::KMS::Key",
        json!({
            "Description": format!("Encrypts the Kubernetes secrets of EKS cluster {}", r.cluster_name),
            "EnableKeyRotation": true,
            "KeyPolicy": key_policy,
        }),
        r.removal,
    );

    let auto = r.capacity == Capacity::Auto;
    let mut managed = vec![aws_policy("AmazonEKSClusterPolicy")];
    if auto {
        for p in [
            "AmazonEKSComputePolicy",
            "AmazonEKSBlockStoragePolicy",
            "AmazonEKSLoadBalancingPolicy",
            "AmazonEKSNetworkingPolicy",
        ] {
            managed.push(aws_policy(p));
        }
    }
    // Auto Mode tags the sessions it opens with this role: `sts:TagSession` besides AssumeRole.
    let trust = document(vec![json!({
        "Effect": "Allow",
        "Principal": { "Service": "eks.amazonaws.com" },
        "Action": ["sts:AssumeRole", "sts:TagSession"],
    })]);
    t.resource(
        &ids.cluster_role,
        "AWS::IAM::Role",
        json!({
            "AssumeRolePolicyDocument": trust,
            "ManagedPolicyArns": managed,
            "Policies": [{
                "PolicyName": "SecretsEncryption",
                "PolicyDocument": document(vec![
                    statement(true, &["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], vec![att(&ids.secrets_key, "Arn")], None),
                    statement(true, &["kms:CreateGrant"], vec![att(&ids.secrets_key, "Arn")],
                        Some(json!({ "Bool": { "kms:GrantIsForAWSResource": "true" } }))),
                ]),
            }],
        }),
    );

    let mut vpc_config = json!({
        "SubnetIds": net.private_subnets,
        "EndpointPrivateAccess": true,
        "EndpointPublicAccess": r.endpoint.public,
    });
    if r.endpoint.public {
        vpc_config["PublicAccessCidrs"] = json!(r.endpoint.public_access_cidrs);
    }
    if matches!(r.network, Network::DefaultVpc(_)) {
        vpc_config["SecurityGroupIds"] = json!([r#ref(&format!("{}SecurityGroup", r.handle.prefix))]);
    }
    let mut props = json!({
        "Name": r.cluster_name,
        "Version": r.kubernetes_version,
        "RoleArn": att(&ids.cluster_role, "Arn"),
        "ResourcesVpcConfig": vpc_config,
        // Access entries only (no aws-auth ConfigMap); whoever runs CloudFormation does not
        // become an admin behind the app's back: the admin role does, explicitly.
        "AccessConfig": { "AuthenticationMode": "API", "BootstrapClusterCreatorAdminPermissions": false },
        "EncryptionConfig": [{ "Provider": { "KeyArn": att(&ids.secrets_key, "Arn") }, "Resources": ["secrets"] }],
        "Logging": { "ClusterLogging": { "EnabledTypes": [
            { "Type": "api" }, { "Type": "audit" }, { "Type": "authenticator" },
            { "Type": "controllerManager" }, { "Type": "scheduler" },
        ] } },
    });
    if auto {
        props["ComputeConfig"] = json!({
            "Enabled": true,
            "NodePools": ["general-purpose", "system"],
            "NodeRoleArn": att(&ids.node_role, "Arn"),
        });
        props["StorageConfig"] = json!({ "BlockStorage": { "Enabled": true } });
        props["KubernetesNetworkConfig"] = json!({ "ElasticLoadBalancing": { "Enabled": true } });
        props["BootstrapSelfManagedAddons"] = json!(false);
    }
    if !r.tags.is_empty() {
        props["Tags"] = tags(&r.tags);
    }
    t.resource(&ids.cluster, "AWS::EKS::Cluster", props);

    node_role(r, ids, t);
    t.resource(
        &ids.admin_access,
        "AWS::EKS::AccessEntry",
        json!({
            "ClusterName": r#ref(&ids.cluster),
            "PrincipalArn": r.admin_role.arn,
            "Type": "STANDARD",
            "AccessPolicies": [{
                "PolicyArn": sub("arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"),
                "AccessScope": { "Type": "cluster" },
            }],
        }),
    );
    if r.create_service_linked_role {
        t.resource(
            &ids.service_linked_role,
            "AWS::IAM::ServiceLinkedRole",
            json!({ "AWSServiceName": "emr-containers.amazonaws.com", "Description": "EMR on EKS service-linked role" }),
        );
    }
    if r.needs_oidc() {
        t.resource(
            &ids.oidc_provider,
            "AWS::IAM::OIDCProvider",
            json!({ "Url": att(&ids.cluster, "OpenIdConnectIssuerUrl"), "ClientIdList": ["sts.amazonaws.com"] }),
        );
    }
}

/// The role of the nodes: Auto Mode's minimal node policies, or the classic worker-node
/// policies for managed node groups and Karpenter (which also get an access entry).
fn node_role(r: &EmrEksRuntime, ids: &Ids, t: &mut Template) {
    let managed: Vec<Json> = match r.capacity {
        Capacity::Auto => vec![
            aws_policy("AmazonEKSWorkerNodeMinimalPolicy"),
            aws_policy("AmazonEC2ContainerRegistryPullOnly"),
        ],
        _ => vec![
            aws_policy("AmazonEKSWorkerNodePolicy"),
            aws_policy("AmazonEKS_CNI_Policy"),
            aws_policy("AmazonEC2ContainerRegistryPullOnly"),
            aws_policy("AmazonSSMManagedInstanceCore"),
        ],
    };
    let trust = document(vec![json!({
        "Effect": "Allow",
        "Principal": { "Service": "ec2.amazonaws.com" },
        "Action": "sts:AssumeRole",
    })]);
    t.resource(
        &ids.node_role,
        "AWS::IAM::Role",
        json!({ "AssumeRolePolicyDocument": trust, "ManagedPolicyArns": managed }),
    );
    if r.capacity == Capacity::Karpenter {
        // Managed node groups get theirs from EKS; Karpenter's nodes join through this one.
        t.resource(
            &ids.node_access,
            "AWS::EKS::AccessEntry",
            json!({ "ClusterName": r#ref(&ids.cluster), "PrincipalArn": att(&ids.node_role, "Arn"), "Type": "EC2_LINUX" }),
        );
    }
}
