//! The deploy graph's Kubernetes step on the `emr-eks` example, with CloudFormation answered
//! as deployed (no Kubernetes API server or EKS cluster can run here): the objects reach the
//! Kubernetes client with their `${Name}` values read from the cluster stack's outputs, as
//! the admin role, after the cluster's stack and before the virtual clusters'.

mod support;

use futures_util::future::BoxFuture;
use sparkform::aws::AwsError;
use sparkform::deploy::api::{ChangeSetInfo, ChangeSetRequest, CloudFormation, Event, Resource, StackInfo};
use sparkform::deploy::kube::{KubeReport, KubeSteps};
use sparkform::deploy::status::StackStatus;
use sparkform::deploy::ui::Ui;
use sparkform::deploy::{Deployed, Deployer, Step};
use sparkform::Assembly;
use sparkform_assembly::KubeGroup;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// Every stack deployed as built, with outputs; no write call is expected.
struct AsBuilt {
    asm: Assembly,
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    writes: Mutex<Vec<String>>,
}

impl CloudFormation for AsBuilt {
    async fn describe(&self, stack: &str) -> Result<Option<StackInfo>, AwsError> {
        let mut tags = BTreeMap::new();
        tags.insert("sparkform:app".to_string(), self.asm.manifest.crate_name.clone());
        Ok(Some(StackInfo {
            status: StackStatus::parse("CREATE_COMPLETE"),
            reason: None,
            outputs: self.outputs.get(stack).cloned().unwrap_or_default(),
            tags,
        }))
    }
    async fn template(&self, stack: &str) -> Result<String, AwsError> {
        Ok(self.asm.template_text(self.asm.stack(stack).unwrap()))
    }
    async fn events(&self, _: &str) -> Result<Vec<Event>, AwsError> {
        Ok(Vec::new())
    }
    async fn resources(&self, _: &str) -> Result<Vec<Resource>, AwsError> {
        Ok(Vec::new())
    }
    async fn create_change_set(&self, req: &ChangeSetRequest) -> Result<(), AwsError> {
        self.writes
            .lock()
            .unwrap()
            .push(format!("CreateChangeSet {}", req.stack));
        Ok(())
    }
    async fn describe_change_set(&self, _: &str, _: &str) -> Result<ChangeSetInfo, AwsError> {
        unreachable!("nothing changed")
    }
    async fn execute_change_set(&self, _: &str, _: &str) -> Result<(), AwsError> {
        unreachable!("nothing changed")
    }
    async fn delete_change_set(&self, _: &str, _: &str) -> Result<(), AwsError> {
        unreachable!("nothing changed")
    }
    async fn delete_stack(&self, _: &str) -> Result<(), AwsError> {
        unreachable!("nothing is deleted")
    }
    async fn continue_update_rollback(&self, _: &str) -> Result<(), AwsError> {
        unreachable!("nothing is rolled back")
    }
}

/// Records the groups it is asked to apply, and the cluster.
#[derive(Default)]
struct Recording {
    applied: Mutex<Vec<(KubeGroup, String)>>,
}

impl KubeSteps for Recording {
    fn apply<'a>(&'a self, group: &'a KubeGroup, cluster: &'a str) -> BoxFuture<'a, Result<KubeReport, String>> {
        Box::pin(async move {
            self.applied.lock().unwrap().push((group.clone(), cluster.to_string()));
            Ok(KubeReport {
                group: group.id.clone(),
                changed: Vec::new(),
                unchanged: group.objects.iter().map(KubeGroup::describe).collect(),
            })
        })
    }
    fn delete<'a>(&'a self, _: &'a KubeGroup, _: &'a str) -> BoxFuture<'a, Result<KubeReport, String>> {
        unreachable!("deploy deletes nothing")
    }
    fn diff<'a>(&'a self, _: &'a KubeGroup, _: &'a str) -> BoxFuture<'a, Result<Vec<String>, String>> {
        unreachable!("deploy does not diff")
    }
}

#[tokio::test]
async fn the_objects_get_the_deployed_values_and_the_admin_role() {
    let asm = support::example_assembly("emr-eks", "emr-eks");
    let cluster_stack = "emr-eks-data-platform";
    let mut outputs = BTreeMap::new();
    outputs.insert(
        cluster_stack.to_string(),
        [
            ("EmrEksNodeRoleName", "emr-eks-data-platform-EmrEksNodeRole-1ABC"),
            ("EmrEksPrivateSubnet1Zone", "eu-west-1a"),
            ("EmrEksPrivateSubnet2Zone", "eu-west-1b"),
            ("EmrEksPrivateSubnet3Zone", "eu-west-1c"),
            (
                "EmrEksInterruptionQueueName",
                "emr-eks-data-platform-EmrEksInterruptionQueue-2DEF",
            ),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into(),
    );
    let cfn = AsBuilt {
        asm: asm.clone(),
        outputs,
        writes: Mutex::new(Vec::new()),
    };
    let ui = Ui {
        poll: Duration::from_millis(1),
        ..Ui::new(true, true)
    };
    let kube = Recording::default();
    let mut d = Deployer::new(&asm, &cfn, &ui);
    d.kube = Some(&kube);
    let run = d
        .deploy(
            &["emr-eks-data-platform-virtual-clusters".into()],
            std::future::pending(),
        )
        .await
        .unwrap();
    assert!(
        cfn.writes.lock().unwrap().is_empty(),
        "{:?}",
        cfn.writes.lock().unwrap()
    );
    let k = Step::Kubernetes("EmrEksObjects".into());
    assert!(
        matches!(
            run.get(&k),
            Some(sparkform::deploy::StepResult::Done(Deployed::Kubernetes(_)))
        ),
        "{:?}",
        run.get(&k)
    );
    let applied = kube.applied.lock().unwrap();
    let [(group, cluster)] = applied.as_slice() else {
        panic!("one group applied: {applied:?}")
    };
    assert_eq!(cluster, "data-platform");
    assert_eq!(
        group.role.as_deref(),
        Some("arn:aws:iam::123456789012:role/role-name-with-path")
    );
    let text = serde_json::to_string(&group.objects).unwrap();
    assert!(!text.contains("${"), "unfilled: {text}");
    let class = group.objects.iter().find(|o| o["kind"] == "EC2NodeClass").unwrap();
    assert_eq!(class["spec"]["role"], "emr-eks-data-platform-EmrEksNodeRole-1ABC");
    let zones: Vec<&str> = group
        .objects
        .iter()
        .filter(|o| o["kind"] == "NodePool")
        .flat_map(|o| o["spec"]["template"]["spec"]["requirements"].as_array().unwrap())
        .filter(|r| r["key"] == "topology.kubernetes.io/zone")
        .map(|r| r["values"][0].as_str().unwrap())
        .collect();
    assert!(
        zones.contains(&"eu-west-1a") && zones.contains(&"eu-west-1c"),
        "{zones:?}"
    );
    // Karpenter's controller gets its queue, and its CRDs travel with the group.
    let controller = group.objects.iter().find(|o| o["kind"] == "Deployment").unwrap();
    let env = controller["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .unwrap();
    let queue = env.iter().find(|e| e["name"] == "INTERRUPTION_QUEUE").unwrap();
    assert_eq!(queue["value"], "emr-eks-data-platform-EmrEksInterruptionQueue-2DEF");
    assert_eq!(group.crds.len(), 5);
}
