//! The Kubernetes manifest judges: DSF's objects (spec §6 and §6.1) pass, and each judge
//! rejects a bad object of every kind it checks, so a test that uses them can fail.

use serde_json::{json, Value};
use sparkform_tests::kube_validate::{assert_valid, auto_mode, validate, Judge};
use std::time::Instant;

fn fixture(name: &str) -> Vec<Value> {
    let path = sparkform_tests::workspace().join("tests/kube/fixtures").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn dsf_objects_and_an_auto_mode_pool_pass_every_judge() {
    let mut objects = fixture("dsf-namespace.json");
    objects.extend(fixture("dsf-karpenter.json"));
    objects.extend(fixture("auto-mode.json"));
    assert_eq!(objects.len(), 4 + 12 + 2);
    sparkform_tests::services();
    let start = Instant::now();
    assert_valid(&objects);
    eprintln!("validated {} objects in {:?}", objects.len(), start.elapsed());
}

fn node_pool() -> Value {
    fixture("dsf-karpenter.json")[1].clone()
}

fn ec2_node_class() -> Value {
    fixture("dsf-karpenter.json")[0].clone()
}

fn node_class() -> Value {
    fixture("auto-mode.json")[0].clone()
}

#[test]
fn each_judge_rejects_a_bad_object_of_each_kind() {
    let ns = || json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}});
    let mut bad: Vec<(Value, Judge, &str)> = vec![
        (
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "lables": {}}}),
            Judge::Kubernetes,
            "lables",
        ),
        (
            json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "a"}, "spec": {"hardd": {}}}),
            Judge::Kubernetes,
            "hardd",
        ),
        (
            json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "l", "namespace": "a"}, "spec": {"limits": {"type": "Container"}}}),
            Judge::Kubernetes,
            "limits",
        ),
        (
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n", "namespace": "a"}, "spec": {"podSelektor": {}}}),
            Judge::Kubernetes,
            "podSelector",
        ),
        (
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "s", "namespace": "a"}, "automountServiceAccountToken": "yes"}),
            Judge::Kubernetes,
            "yes",
        ),
        (
            json!({"apiVersion": "v1", "kind": "Bogus", "metadata": {"name": "b"}}),
            Judge::Kubernetes,
            "schema",
        ),
    ];
    let mut p = node_pool();
    p["spec"]["template"]["spec"]
        .as_object_mut()
        .unwrap()
        .remove("nodeClassRef");
    bad.push((p, Judge::Karpenter, "nodeClassRef"));
    let mut p = node_pool();
    p["spec"]["disruption"]["consolidationPolicy"] = json!("WhenIdle");
    bad.push((p, Judge::Karpenter, "allowed values"));
    let mut p = node_pool();
    p["spec"]["template"]["spec"]["requirements"][0]["valuez"] = json!(["m6gd"]);
    bad.push((p, Judge::Karpenter, "requirements[0].valuez: unknown field"));
    let mut c = ec2_node_class();
    c["spec"]["metadataOptions"]["httpTokens"] = json!("maybe");
    bad.push((c, Judge::Karpenter, "httpTokens"));
    let mut c = ec2_node_class();
    c["spec"]["subnetSelectorTerm"] = c["spec"]["subnetSelectorTerms"].clone();
    bad.push((c, Judge::Karpenter, "subnetSelectorTerm: unknown field"));
    let mut n = node_class();
    n["spec"]["snatPolicy"] = json!("Always");
    bad.push((n, Judge::AutoMode, "spec.snatPolicy: must be one of Random, Disabled"));
    let mut n = node_class();
    n["spec"]["ephemeralStorage"] = json!({"size": "100Mi", "iops": 99});
    bad.push((n, Judge::AutoMode, "spec.ephemeralStorage.size"));
    let mut n = node_class();
    n["spec"].as_object_mut().unwrap().remove("role");
    bad.push((n, Judge::AutoMode, "exactly one of role and instanceProfile"));
    let mut n = node_class();
    n["spec"]["amiSelectorTerms"] = json!([{"alias": "bottlerocket@latest"}]);
    bad.push((n, Judge::AutoMode, "spec.amiSelectorTerms: unknown field"));
    bad.push((
        json!({"apiVersion": "eks.amazonaws.com/v1", "kind": "NodePool", "metadata": {"name": "x"}}),
        Judge::AutoMode,
        "only eks.amazonaws.com kind",
    ));

    // Good objects between the bad ones stay accepted.
    let mut objects = vec![ns(), node_pool(), node_class()];
    objects.extend(bad.iter().map(|(o, _, _)| o.clone()));
    sparkform_tests::services();
    let start = Instant::now();
    let rejected = validate(&objects);
    eprintln!("judged {} objects in {:?}", objects.len(), start.elapsed());
    let indexes: Vec<usize> = rejected.iter().map(|r| r.index).collect();
    assert_eq!(indexes, (3..objects.len()).collect::<Vec<_>>(), "{rejected:#?}");
    for (r, (_, judge, needle)) in rejected.iter().zip(&bad) {
        assert_eq!(r.judge, *judge, "{r}");
        assert!(r.errors.join("\n").contains(needle), "expected `{needle}` in:\n{r}");
    }
}

#[test]
fn auto_mode_fields_follow_the_documented_ranges() {
    let mut n = node_class();
    for (size, ok) in [
        ("1Gi", true),
        ("59000Gi", true),
        ("59001Gi", false),
        ("64T", true),
        ("58Ti", true),
        ("59Ti", false),
        ("0G", false),
        ("80", false),
    ] {
        n["spec"]["ephemeralStorage"]["size"] = json!(size);
        assert_eq!(
            auto_mode::check(&n).is_empty(),
            ok,
            "{size}: {:?}",
            auto_mode::check(&n)
        );
    }
    let mut n = node_class();
    n["spec"]["podSubnetSelectorTerms"] = json!([{"tags": {"pods": "1"}}]);
    assert!(auto_mode::check(&n).iter().any(|e| e.contains("go together")));
    n["spec"]["podSecurityGroupSelectorTerms"] = json!([{"id": "sg-1"}]);
    n["spec"]["advancedNetworking"] = json!({"ipv4PrefixSize": "32", "associatePublicIPAddress": false});
    n["spec"]["ephemeralStorage"]["kmsKeyID"] = json!("arn:aws:kms:us-east-1:123456789012:key/1");
    assert!(auto_mode::check(&n).is_empty(), "{:?}", auto_mode::check(&n));
    n["spec"]["subnetSelectorTerms"] = json!([{"id": "subnet-1", "tags": {"a": "b"}}]);
    assert!(auto_mode::check(&n).iter().any(|e| e.contains("an id selects alone")));
}
