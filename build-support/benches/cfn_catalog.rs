//! First-use cost of the CloudFormation schema catalog: what a build script pays the first
//! time it meets a raw resource or an override (the index and one type), against parsing
//! every type. Each sample is a fresh process, since the catalog is parsed once per process.
//! `cargo bench -p sparkform-build --bench cfn_catalog` (release);
//! `cargo test -p sparkform-build --bench cfn_catalog` (debug).

use sparkform_build::checks::cfn_schema::{catalog, lookup, AnyReference, Checker};
use sparkform_build::diag::Diags;
use sparkform_build::value::{parse_value, ValueKind};
use std::process::Command;
use std::time::Instant;
use syn::parse::Parser;

const STEPS: [&str; 6] = [
    "index (type names)",
    "+ AWS::SNS::Topic",
    "+ AWS::EMRServerless::Application",
    "+ AWS::WAFv2::WebACL (large)",
    "check 8 SNS properties",
    "+ every other type",
];

fn child() {
    let mut times = Vec::new();
    let mut step = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    };
    step(&mut || {
        assert!(catalog::type_count() > 1500);
    });
    step(&mut || {
        lookup("AWS::SNS::Topic").unwrap();
    });
    step(&mut || {
        lookup("AWS::EMRServerless::Application").unwrap();
    });
    step(&mut || {
        lookup("AWS::WAFv2::WebACL").unwrap();
    });
    let props = parse_value
        .parse_str(
            r#"{ TopicName: "alerts", DisplayName: "Alerts", FifoTopic: false, MaximumMessageSize: 2048,
                 KmsMasterKeyId: "alias/aws/sns", DeliveryStatusLogging: [{ Protocol: "sqs" }],
                 Subscription: [{ Endpoint: "ops@example.com", Protocol: "email" }],
                 Tags: [{ Key: "team", Value: "data" }] }"#,
        )
        .unwrap();
    step(&mut || {
        let ValueKind::Object(o) = &props.kind else { return };
        let mut diags = Diags::default();
        let checker = Checker {
            ty: lookup("AWS::SNS::Topic").unwrap(),
            handle: "ALERTS",
            refs: &AnyReference,
        };
        checker.check_properties(o, &mut diags);
        assert!(diags.is_empty());
    });
    step(&mut || {
        catalog::parse_all().unwrap();
    });
    println!(
        "{}",
        times.iter().map(|t| format!("{t:.3}")).collect::<Vec<_>>().join(" ")
    );
}

fn main() {
    if std::env::var_os("CFN_CATALOG_BENCH_CHILD").is_some() {
        return child();
    }
    let exe = std::env::current_exe().expect("own path");
    let runs = 15;
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); STEPS.len()];
    for _ in 0..runs {
        let out = Command::new(&exe)
            .env("CFN_CATALOG_BENCH_CHILD", "1")
            .output()
            .expect("bench child runs");
        let line = String::from_utf8_lossy(&out.stdout);
        for (i, t) in line.split_whitespace().enumerate() {
            samples[i].push(t.parse().expect("a time"));
        }
    }
    println!(
        "catalog: {} bytes embedded; {runs} fresh processes, median and max in ms",
        catalog::catalog_bytes()
    );
    for (name, mut s) in STEPS.iter().zip(samples) {
        s.sort_by(|a, b| a.total_cmp(b));
        println!("{name:<36} {:>9.3} {:>9.3}", s[s.len() / 2], s[s.len() - 1]);
    }
}
