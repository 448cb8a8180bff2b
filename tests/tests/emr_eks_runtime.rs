//! `emr_eks_runtime!` as synthesized for its example and scenarios: native CloudFormation
//! only (no custom resource, Lambda or nested stack), every Kubernetes object accepted by
//! the real judges (kubernetes-validate --strict, the Karpenter v1 validators, the Auto Mode
//! NodeClass fields), the deploy order (cluster, objects, virtual clusters, jobs), and
//! DSF's defects left out.

use serde_json::Value;
use sparkform_build::app::Synthesis;
use sparkform_tests::kube_validate::assert_valid;
use sparkform_tests::{all_apps, App};
use std::collections::BTreeMap;

fn eks_apps() -> Vec<(App, Synthesis)> {
    let apps: Vec<(App, Synthesis)> = all_apps()
        .into_iter()
        .map(|a| {
            let s = a.synthesize();
            (a, s)
        })
        .filter(|(_, s)| !s.assembly.manifest.kubernetes.is_empty())
        .collect();
    let names: Vec<&str> = apps.iter().map(|(a, _)| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["emr-eks", "eks-auto", "eks-node-groups", "eks-pipeline"],
        "the apps with an emr_eks_runtime! that applies objects"
    );
    apps
}

fn template(s: &Synthesis, stack: &str) -> Value {
    let file = format!("{stack}.template.json");
    serde_json::from_str(s.assembly.templates.get(&file).unwrap_or_else(|| panic!("no {file}"))).unwrap()
}

fn types(t: &Value) -> Vec<String> {
    t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| r["Type"].as_str().unwrap().to_string())
        .collect()
}

/// Sample deployed values for the objects' `${Name}`s, as the runtime fills them.
fn sample_values(names: impl Iterator<Item = String>) -> BTreeMap<String, String> {
    names
        .map(|n| {
            let v = match n.as_str() {
                "NodeRole" => "data-platform-NodeRole-1A2B3C".to_string(),
                "InterruptionQueue" => "emr-eks-data-platform-InterruptionQueue-4D5E6F".to_string(),
                z if z.starts_with("Zone") => {
                    format!("us-east-1{}", (b'a' + z[4..].parse::<u8>().unwrap() - 1) as char)
                }
                other => panic!("no sample for ${{{other}}}"),
            };
            (n, v)
        })
        .collect()
}

#[test]
fn native_cloudformation_only() {
    for app in all_apps() {
        let s = app.synthesize();
        let m = &s.assembly.manifest;
        if !m
            .stacks
            .iter()
            .flat_map(|s| &s.constructs)
            .any(|c| c.kind == "emr_eks_runtime")
        {
            continue;
        }
        for (file, body) in &s.assembly.templates {
            let t: Value = serde_json::from_str(body).unwrap();
            for ty in types(&t) {
                assert!(
                    !ty.starts_with("Custom::")
                        && ty != "AWS::CloudFormation::CustomResource"
                        && ty != "AWS::CloudFormation::Stack"
                        && ty != "AWS::Lambda::Function",
                    "{}/{file} has a {ty}",
                    app.name
                );
            }
        }
    }
}

#[test]
fn every_kubernetes_object_passes_the_judges() {
    let mut objects = Vec::new();
    for (app, s) in eks_apps() {
        for g in &s.assembly.manifest.kubernetes {
            let filled = g.filled(&sample_values(g.values.keys().cloned())).unwrap();
            let text = serde_json::to_string(&filled).unwrap();
            assert!(
                !text.contains("${"),
                "{}: a value was left unfilled in {text}",
                app.name
            );
            objects.extend(filled);
        }
    }
    // Namespaces, network policies, quota and limit range, node classes and pools of both
    // modes, the crate's own pool, and Karpenter's controller.
    let kinds: std::collections::BTreeSet<String> = objects
        .iter()
        .map(|o| format!("{} {}", o["apiVersion"].as_str().unwrap(), o["kind"].as_str().unwrap()))
        .collect();
    for k in [
        "v1 Namespace",
        "networking.k8s.io/v1 NetworkPolicy",
        "v1 ResourceQuota",
        "v1 LimitRange",
        "karpenter.sh/v1 NodePool",
        "karpenter.k8s.aws/v1 EC2NodeClass",
        "eks.amazonaws.com/v1 NodeClass",
        "v1 ServiceAccount",
        "v1 Service",
        "rbac.authorization.k8s.io/v1 ClusterRole",
        "rbac.authorization.k8s.io/v1 ClusterRoleBinding",
        "rbac.authorization.k8s.io/v1 Role",
        "rbac.authorization.k8s.io/v1 RoleBinding",
        "policy/v1 PodDisruptionBudget",
        "apps/v1 Deployment",
    ] {
        assert!(kinds.contains(k), "no {k} among {kinds:?}");
    }
    sparkform_tests::services();
    assert_valid(&objects);
}

#[test]
fn objects_apply_between_the_cluster_and_the_virtual_clusters() {
    for (app, s) in eks_apps() {
        let m = &s.assembly.manifest;
        let levels = sparkform_assembly::Graph::deploy(m).levels().unwrap();
        let level_of = |step: &sparkform_assembly::Step| levels.iter().position(|l| l.contains(step)).unwrap();
        for g in &m.kubernetes {
            let k = level_of(&sparkform_assembly::Step::Kubernetes(g.id.clone()));
            assert!(
                level_of(&sparkform_assembly::Step::Stack(g.after_stack.clone())) < k,
                "{}",
                app.name
            );
            for vc in &g.before_stacks {
                assert!(
                    k < level_of(&sparkform_assembly::Step::Stack(vc.clone())),
                    "{}",
                    app.name
                );
            }
            // Karpenter's controller first (so it is deleted after the pools it drains), then
            // namespaces, pools after their node classes.
            let is_controller = |o: &Value| o["metadata"]["labels"]["app.kubernetes.io/name"] == "karpenter";
            let controller = g.objects.iter().take_while(|o| is_controller(o)).count();
            assert!(
                g.objects[controller..].iter().all(|o| !is_controller(o)),
                "{}",
                app.name
            );
            assert_eq!(
                controller > 0,
                !g.crds.is_empty(),
                "{}: the controller comes with its CRDs",
                app.name
            );
            let kinds: Vec<&str> = g.objects[controller..]
                .iter()
                .map(|o| o["kind"].as_str().unwrap())
                .collect();
            let first_other = kinds.iter().position(|k| *k != "Namespace").unwrap_or(kinds.len());
            assert!(kinds[first_other..].iter().all(|k| *k != "Namespace"), "{kinds:?}");
            let last_class = kinds.iter().rposition(|k| k.ends_with("NodeClass"));
            let first_pool = kinds.iter().position(|k| *k == "NodePool");
            if let (Some(c), Some(p)) = (last_class, first_pool) {
                assert!(c < p, "{kinds:?}");
            }
            assert!(
                g.role.as_deref().is_some_and(|r| r.contains(":role/")),
                "objects are applied as the admin role"
            );
        }
    }
}

#[test]
fn the_cluster_is_locked_down_as_declared() {
    for (app, s) in eks_apps() {
        let m = &s.assembly.manifest;
        let cluster_stack = &m.kubernetes[0].after_stack;
        let t = template(&s, cluster_stack);
        let (_, cluster) = t["Resources"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(_, r)| r["Type"] == "AWS::EKS::Cluster")
            .unwrap();
        let p = &cluster["Properties"];
        assert_eq!(p["AccessConfig"]["AuthenticationMode"], "API", "{}", app.name);
        assert_eq!(p["AccessConfig"]["BootstrapClusterCreatorAdminPermissions"], false);
        assert_eq!(p["ResourcesVpcConfig"]["EndpointPrivateAccess"], true);
        // DSF's defect 13: its CIDRs went to a security group nothing used.
        let public = p["ResourcesVpcConfig"]["EndpointPublicAccess"].as_bool().unwrap();
        let cidrs = p["ResourcesVpcConfig"]["PublicAccessCidrs"].as_array();
        match app.name.as_str() {
            "emr-eks" => assert_eq!(cidrs.unwrap(), &vec![Value::from("10.0.0.0/32")]),
            "eks-node-groups" => assert_eq!(cidrs.unwrap().len(), 2),
            _ => assert!(!public && cidrs.is_none()),
        }
        assert_eq!(p["EncryptionConfig"][0]["Resources"][0], "secrets");
        assert_eq!(
            p["Logging"]["ClusterLogging"]["EnabledTypes"].as_array().unwrap().len(),
            5
        );
        let tys = types(&t);
        assert_eq!(
            tys.iter().filter(|t| *t == "AWS::EKS::AccessEntry").count(),
            // The admin's, and with Karpenter its nodes'.
            if ["emr-eks", "eks-pipeline"].contains(&app.name.as_str()) {
                2
            } else {
                1
            }
        );
    }
}

#[test]
fn karpenter_rules_are_the_ones_dsf_meant() {
    let (_, s) = eks_apps().into_iter().find(|(a, _)| a.name == "emr-eks").unwrap();
    let t = template(&s, "emr-eks-data-platform");
    let mut patterns: Vec<(String, String)> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::Events::Rule")
        .map(|r| {
            let p = &r["Properties"]["EventPattern"];
            assert!(
                p.get("detail").is_none(),
                "DSF's `detail` for `detail-type` (defect 17)"
            );
            (
                p["source"][0].as_str().unwrap().into(),
                p["detail-type"][0].as_str().unwrap().into(),
            )
        })
        .collect();
    patterns.sort();
    assert_eq!(
        patterns,
        [
            ("aws.ec2", "EC2 Instance Rebalance Recommendation"),
            ("aws.ec2", "EC2 Instance State-change Notification"),
            ("aws.ec2", "EC2 Spot Instance Interruption Warning"),
            ("aws.health", "AWS Health Event"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

#[test]
fn jobs_get_their_virtual_cluster_role_release_and_profile() {
    let (_, s) = eks_apps().into_iter().find(|(a, _)| a.name == "eks-auto").unwrap();
    let jobs = &s.assembly.manifest.jobs;
    let curate = jobs.iter().find(|j| j.handle == "CURATE").unwrap();
    assert_eq!(curate.request["ReleaseLabel"], "emr-7.5.0-latest");
    let props = &curate.request["ConfigurationOverrides"]["ApplicationConfiguration"][0]["Properties"];
    assert!(props["spark.kubernetes.driver.podTemplateFile"]
        .as_str()
        .unwrap()
        .starts_with("s3://${PodTemplateBucket}/pod-templates/"));
    assert!(props["spark.kubernetes.driver.podTemplateFile"]
        .as_str()
        .unwrap()
        .ends_with("critical-driver.yaml"));
    assert_eq!(
        serde_json::to_value(&curate.execution_role_arn).unwrap()["output"],
        "PlatformExecutionRoleEtlWriterArn"
    );
    assert!(curate.pod_template_bucket.is_some());
    let explore = jobs.iter().find(|j| j.handle == "EXPLORE").unwrap();
    // The runtime's release, and the one role of the namespace.
    assert_eq!(explore.request["ReleaseLabel"], "emr-7.9.0-latest");
    assert_eq!(
        serde_json::to_value(&explore.execution_role_arn).unwrap()["output"],
        "PlatformExecutionRoleAdhocRoleArn"
    );
    assert!(explore.request["ConfigurationOverrides"]
        .get("ApplicationConfiguration")
        .is_none());
    assert_eq!(
        serde_json::to_value(&explore.target_id).unwrap()["stack"],
        "eks-auto-analytics-virtual-clusters"
    );
}

/// The controller the runtime installs is the one its AWS side was made for: the service
/// account of the Pod Identity association, this cluster, this queue; an image and CRDs
/// pinned by digest.
#[test]
fn karpenter_controller_matches_its_aws_side() {
    let (_, s) = eks_apps().into_iter().find(|(a, _)| a.name == "emr-eks").unwrap();
    let t = template(&s, "emr-eks-data-platform");
    let association = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::EKS::PodIdentityAssociation" && r["Properties"]["ServiceAccount"] == "karpenter")
        .expect("the controller's Pod Identity association");
    let g = &s.assembly.manifest.kubernetes[0];
    let find = |kind: &str| g.objects.iter().find(|o| o["kind"] == kind).unwrap();
    let sa = find("ServiceAccount");
    assert_eq!(sa["metadata"]["namespace"], association["Properties"]["Namespace"]);
    assert_eq!(sa["metadata"]["name"], association["Properties"]["ServiceAccount"]);
    let deployment = find("Deployment");
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], sa["metadata"]["name"]);
    assert_eq!(deployment["metadata"]["namespace"], sa["metadata"]["namespace"]);
    let env: std::collections::BTreeMap<&str, &Value> = pod["containers"][0]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), &e["value"]))
        .collect();
    assert_eq!(env["CLUSTER_NAME"], "data-platform");
    assert_eq!(env["INTERRUPTION_QUEUE"], "${InterruptionQueue}");
    let queue = &g.values["InterruptionQueue"];
    assert_eq!(
        serde_json::to_value(queue).unwrap(),
        serde_json::json!({"stack": "emr-eks-data-platform", "output": "EmrEksInterruptionQueueName"}),
    );
    assert!(t["Outputs"]["EmrEksInterruptionQueueName"].is_object());
    let image = pod["containers"][0]["image"].as_str().unwrap();
    assert!(
        image.starts_with("public.ecr.aws/karpenter/controller:") && image.contains("@sha256:"),
        "{image}"
    );
    // Never scheduled on the nodes it launches.
    assert_eq!(
        pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
            ["matchExpressions"][0],
        serde_json::json!({"key": "karpenter.sh/nodepool", "operator": "DoesNotExist"})
    );
    let crds: Vec<&str> = g.crds.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        crds,
        [
            "nodepools.karpenter.sh",
            "nodeclaims.karpenter.sh",
            "ec2nodeclasses.karpenter.k8s.aws",
            "nodeoverlays.karpenter.sh",
            "capacitybuffers.autoscaling.x-k8s.io"
        ]
    );
    // The other modes install no controller.
    for (app, s) in eks_apps()
        .into_iter()
        .filter(|(a, _)| !["emr-eks", "eks-pipeline"].contains(&a.name.as_str()))
    {
        assert!(
            s.assembly.manifest.kubernetes.iter().all(|g| g.crds.is_empty()),
            "{}",
            app.name
        );
    }
}
