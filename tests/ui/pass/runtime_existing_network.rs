// `network` (existing subnets), an unlisted release, no execution role, string-form words.
use sparkform::prelude::*;

spark_serverless_runtime!(EXISTING {
    name: "existing-net",
    release_label: unlisted("emr-8.0.0"),
    architecture: "x86_64",
    network: {
        subnet_ids: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        security_group_ids: ["sg-0123456789abcdef0"],
    },
    "removal_policy": "RETAIN",
});

mod nested {
    use sparkform::prelude::*;
    spark_serverless_runtime!(pub DEFAULTS { name: "defaults" });
}

fn main() {
    assert_eq!(EXISTING.handle, "EXISTING");
    assert_eq!(EXISTING.release_label, "emr-8.0.0");
    assert!(!EXISTING.stack.is_empty(), "the default stack is named after the crate");
    assert_eq!(EXISTING.execution_role_arn_output, None);
    assert_eq!(EXISTING.application_id_output, "ExistingApplicationId");
    // The defaults: release emr-7.9.0 and the crate's stack.
    assert_eq!(nested::DEFAULTS.release_label, "emr-7.9.0");
    assert_eq!(nested::DEFAULTS.stack, EXISTING.stack);
    let copy: SparkServerlessRuntime = nested::DEFAULTS;
    assert_eq!(copy, nested::DEFAULTS);
}
