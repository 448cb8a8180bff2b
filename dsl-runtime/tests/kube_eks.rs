//! eks:DescribeCluster through the runtime's EKS client, against moto.

mod support;

use sparkform::aws::Aws;
use sparkform::kubernetes::{self, cluster, KubeError};
use sparkform_assembly::{KubeGroup, ValueRef};

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

#[tokio::test]
async fn describe_cluster_gives_the_endpoint_and_ca_or_says_the_cluster_is_missing() {
    let _serial = support::one_at_a_time().await;
    support::services();
    let name = unique("sparkform-kube");
    let endpoint = support::python(&format!(
        "import boto3, os\n\
         eks = boto3.client('eks', endpoint_url=os.environ['AWS_ENDPOINT_URL'])\n\
         c = eks.create_cluster(name='{name}', roleArn='arn:aws:iam::123456789012:role/eks', \
             resourcesVpcConfig={{'subnetIds': ['subnet-1']}})['cluster']\n\
         print(c['endpoint'])"
    ));
    let aws = Aws::load().await.unwrap();
    let before = sparkform::aws::calls().len();
    let info = cluster::describe(&aws.eks, &name).await.unwrap();
    assert_eq!(info.name, name);
    assert_eq!(info.status, "ACTIVE");
    assert_eq!(info.endpoint.as_deref(), Some(endpoint.as_str()));
    assert!(info.certificate_authority.as_deref().is_some_and(|d| !d.is_empty()));
    assert_eq!(&sparkform::aws::calls()[before..], ["eks:DescribeCluster"]);

    // moto's certificate authority is random text, not PEM: connecting says so.
    let err = kubernetes::Session::connect(&aws.eks, &name, None).await.err().unwrap();
    assert!(matches!(err, KubeError::BadCluster { .. }), "{err}");
    assert!(err.to_string().contains("certificate authority"), "{err}");

    // A cluster that is not there.
    let missing = unique("sparkform-kube-missing");
    let err = cluster::describe(&aws.eks, &missing).await.unwrap_err();
    assert!(matches!(&err, KubeError::ClusterNotFound(n) if *n == missing), "{err}");
    assert!(
        err.to_string().contains("deploy the stack that creates it first"),
        "{err}"
    );

    // Before the cluster exists, diff shows every object as new and destroy has nothing to do.
    let group = KubeGroup {
        id: "EksManifests".into(),
        construct: "EMR_EKS".into(),
        cluster: ValueRef::literal(&missing),
        after_stack: "cluster".into(),
        before_stacks: vec![],
        objects: vec![
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}),
            serde_json::json!({"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "b"}}),
        ],
        values: Default::default(),
        role: None,
        crds: Vec::new(),
        network: None,
    };
    let d = kubernetes::diff_group(&aws.eks, &group, &missing).await.unwrap();
    assert_eq!(
        d.to_string(),
        "EksManifests: + Namespace/a (create)\nEksManifests: + NodePool/b (create)\n"
    );
    let removed = kubernetes::delete_group(&aws.eks, &group, &missing, &|_| {})
        .await
        .unwrap();
    assert_eq!(removed.objects.len(), 2);
    assert_eq!(removed.objects[0].0, "NodePool/b");
    let err = kubernetes::apply_group(&aws.eks, &group, &missing, &|_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, KubeError::ClusterNotFound(_)), "{err}");
}

/// Kubernetes objects are applied as the cluster's admin role: a session of it through
/// sts:AssumeRole, or the deployer's own credentials when it already is that role.
#[tokio::test]
async fn objects_are_applied_as_the_admin_role() {
    let _serial = support::one_at_a_time().await;
    use aws_credential_types::provider::ProvideCredentials;
    support::services();
    let aws = Aws::load().await.unwrap();
    let own = aws
        .eks
        .credentials
        .clone()
        .unwrap()
        .provide_credentials()
        .await
        .unwrap();

    let before = sparkform::aws::calls().len();
    let admin = "arn:aws:iam::123456789012:role/eks-admin";
    let creds = aws.eks.credentials_for(Some(admin)).await.unwrap();
    let session = creds.provide_credentials().await.unwrap();
    assert_ne!(
        session.access_key_id(),
        own.access_key_id(),
        "a session of the admin role"
    );
    assert!(session.session_token().is_some());
    let calls = sparkform::aws::calls()[before..].to_vec();
    assert!(calls.contains(&"sts:GetCallerIdentity".to_string()), "{calls:?}");

    // A deployer that already is the admin role (a CI job running as it) keeps its own
    // credentials: no second AssumeRole.
    let fixed = aws_credential_types::provider::SharedCredentialsProvider::new(session.clone());
    let config = aws.eks.config.to_builder().credentials_provider(fixed).build();
    let as_admin = sparkform::kubernetes::Eks::new(&config);
    let before = sparkform::aws::calls().len();
    let again = as_admin.credentials_for(Some(admin)).await.unwrap();
    assert_eq!(
        again.provide_credentials().await.unwrap().access_key_id(),
        session.access_key_id()
    );
    assert_eq!(sparkform::aws::calls()[before..], ["sts:GetCallerIdentity"]);
    // No role: the deployer's own.
    let creds = aws.eks.credentials_for(None).await.unwrap();
    assert_eq!(
        creds.provide_credentials().await.unwrap().access_key_id(),
        own.access_key_id()
    );
}
