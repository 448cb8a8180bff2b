//! Bounded fuzzing of the one parser and checker the macros and build.rs share, over every
//! row of the construct table: whatever tokens a user writes, `parse_and_check` returns a
//! construct or errors (each with a message), and a construct it accepts always synthesizes
//! (beside the other rows' examples, so its references resolve) and renders. Nothing
//! panics: a panic in a proc macro is an unreadable compiler error instead of a message.
//!
//! The runs are bounded (a few thousand cases, seconds in debug); raise `FUZZ_CASES` for a
//! longer local run, e.g. `FUZZ_CASES=50000 cargo test -p sparkform-tests --test fuzz`.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use proptest::prelude::*;
use proptest::sample::Index;
use sparkform_build::app::synthesize_sources;
use sparkform_build::constructs::{parse_and_check, serverless_runtime, ConstructDef, TABLE};
use sparkform_build::model::Context;
use sparkform_tests::workspace;

/// The runtime's row: most of the vocabulary below is its.
fn runtime() -> &'static ConstructDef {
    &serverless_runtime::DEF
}

/// Every top-level field of every row, and the nested and near-miss names below.
fn fields() -> &'static [String] {
    static F: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        let mut v: Vec<String> = TABLE
            .iter()
            .flat_map(|d| d.fields.iter().map(|f| f.to_string()))
            .collect();
        v.extend(FIELDS.iter().map(|f| f.to_string()));
        v.sort();
        v.dedup();
        v
    })
}

/// Field names at every depth, the job's and package's values, and a few near misses.
const FIELDS: &[&str] = &[
    "entry_point",
    "entrypoint",
    "runtime",
    "dependencies",
    "prefix",
    "bucket",
    "job_config",
    "stack",
    "name",
    "release_label",
    "architecture",
    "vpc",
    "network",
    "removal_policy",
    "maximum_capacity",
    "initial_capacity",
    "image_uri",
    "worker_images",
    "runtime_configuration",
    "auto_start",
    "auto_stop",
    "interactive",
    "monitoring",
    "scheduler",
    "identity_center_instance_arn",
    "execution_role",
    "start_job_roles",
    "tags",
    "cidr",
    "max_azs",
    "nat_gateways",
    "flow_log_retention_days",
    "subnet_ids",
    "security_group_ids",
    "cpu",
    "memory",
    "disk",
    "driver",
    "executor",
    "workers",
    "disk_type",
    "classification",
    "properties",
    "configurations",
    "enabled",
    "idle_timeout_minutes",
    "livy_endpoint",
    "studio",
    "sessions",
    "s3_log_uri",
    "s3_encryption_key_arn",
    "managed_persistence",
    "prometheus_remote_write_url",
    "cloudwatch_logs",
    "log_group",
    "stream_prefix",
    "encryption_key_arn",
    "log_types",
    "queue_timeout_minutes",
    "max_concurrent_runs",
    "statements",
    "actions",
    "resources",
    "effect",
    "conditions",
    "managed_policy_arns",
    "id",
    "assumed_by",
    "arn",
    "relase_label",
    "nme",
    "Application",
    "PrivateSubnet2",
    "StateMachine",
    "DependsOn",
];

/// Bare words: enum values, calls, keywords, handle-like names.
const WORDS: &[&str] = &[
    "ARM64",
    "X86_64",
    "ARM46",
    "retain",
    "destroy",
    "delete",
    "allow",
    "deny",
    "STANDARD",
    "SHUFFLE_OPTIMIZED",
    "STDOUT",
    "STDERR",
    "unlisted",
    "true",
    "false",
    "pub",
    "crate",
    "self",
    "super",
    "fn",
    "r#type",
    "RUNTIME",
    "OTHER",
    "jobs",
    "_",
];

/// String literal contents that reach every check, valid and not.
const STRINGS: &[&str] = &[
    "",
    "demo",
    "spark demo",
    "emr-7.3.0",
    "emr-7.3",
    "emr-6.8.0",
    "emr-9.1.0",
    "emr-",
    "emr-99999999999.0.0",
    "10.0.0.0/16",
    "10.0.0.1/16",
    "10.0.0.0/29",
    "10.0.0.0/8",
    "255.255.255.255/16",
    "10.0.0/16",
    "10.0.0.0/",
    "10.0.0.0/999",
    "4 vCPU",
    "16 GB",
    "4 cores",
    "99999999999 vCPU",
    "0 GB",
    "s3:GetObject",
    "s3:*",
    "*",
    "s3:Get*",
    "emrserverless:StartJobRun",
    "emr-serverless:DescribeApplication",
    "emr-serverless:",
    ":",
    "arn:aws:s3:::bucket/*",
    "arn:aws:iam::123456789012:role/x",
    "arn:aws:iam::1234:role/x",
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "lambda.amazonaws.com",
    "123456789012",
    "JobTrigger",
    "subnet-0123",
    "sg-0123",
    "spark-defaults",
    "spark-env",
    "export",
    "spark.executor.cores",
    "s3://bucket/logs/",
    "aws:tag",
    "${AWS::Partition}",
    "s3://bucket/jobs/job.py",
    "spark/src/entrypoint.py",
    "spark",
    "/venv-package/pyspark-env.tar.gz",
    "cron(0 2 * * ? *)",
    "rate(1 day)",
    "emr-7.3.0-latest",
    "é∂ unicode ✓",
    "\u{0}\t\n",
];

/// Words that are values: enum words (right and wrong) and handle paths.
const VALUE_WORDS: &[&str] = &[
    "ARM64",
    "X86_64",
    "ARM46",
    "retain",
    "destroy",
    "allow",
    "deny",
    "STANDARD",
    "SHUFFLE_OPTIMIZED",
    "STDOUT",
    "STDERR",
    "true",
    "false",
    "RUNTIME",
    "PKG",
    "JOB",
    "sync",
    "jobs::RUNTIME",
    "crate::jobs::RUNTIME",
    "::x",
];

const INTS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "7",
    "8",
    "30",
    "64",
    "4294967295",
    "4294967296",
    "170141183460469231731687303715884105727",
    "170141183460469231731687303715884105728",
    "340282366920938463463374607431768211455",
    "99999999999999999999999999999999999999999999",
    "0x10",
    "1_000",
    "5u8",
];

const FLOATS: &[&str] = &["1.5", "0.0", "1e999", "2.5e-3", "1.0f32"];

const PUNCT: &[&str] = &[":", ",", "-", "::", ";", "#", "=", ".", "!", "&", "'a", "b\"x\"", "'c'"];

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(list).prop_map(str::to_string)
}

/// One leaf token (as source text).
fn any_field() -> impl Strategy<Value = String> {
    prop::sample::select(fields())
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any_field(),
        2 => pick(WORDS),
        3 => pick(STRINGS).prop_map(|s| format!("{s:?}")),
        1 => "[ -~]{0,12}".prop_map(|s| format!("{s:?}")),
        2 => pick(INTS),
        1 => pick(FLOATS),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        4 => pick(PUNCT),
    ]
}

/// A token tree: a leaf, or a `{}`/`[]`/`()` group of trees, nested a few levels.
fn tree() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 48, 8, |inner| {
        (0..3usize, prop::collection::vec(inner, 0..8)).prop_map(|(d, items)| {
            let (open, close) = [("{", "}"), ("[", "]"), ("(", ")")][d];
            format!("{open} {} {close}", items.join(" "))
        })
    })
}

/// A value that is often well formed: the shape the checker must look into.
fn value() -> impl Strategy<Value = String> {
    let scalar = prop_oneof![
        6 => pick(STRINGS).prop_map(|s| format!("{s:?}")),
        3 => pick(INTS),
        3 => (0i64..5000).prop_map(|n| n.to_string()),
        1 => pick(INTS).prop_map(|i| format!("-{i}")),
        1 => pick(FLOATS),
        4 => pick(VALUE_WORDS),
        1 => pick(WORDS),
        1 => pick(STRINGS).prop_map(|s| format!("unlisted({s:?})")),
    ];
    scalar.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            3 => prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(", "))),
            3 => prop::collection::vec((any_field(), inner.clone()), 0..6).prop_map(|v| {
                let fields: Vec<String> = v.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{ {} }}", fields.join(", "))
            }),
            1 => (pick(VALUE_WORDS), prop::collection::vec(inner, 0..3))
                .prop_map(|(f, a)| format!("{f}({})", a.join(", "))),
        ]
    })
}

/// `pub NAME { key: value, ... }` with the occasional stray token between fields.
fn declaration() -> impl Strategy<Value = String> {
    let entry = prop_oneof![
        30 => (any_field(), value()).prop_map(|(k, v)| format!("{k}: {v},")),
        1 => tree(),
        1 => (any_field(), value()).prop_map(|(k, v)| format!("{k} {v}")),
    ];
    (
        prop::sample::select(&["pub", "", "pub(crate)"][..]),
        prop::sample::select(&["RUNTIME", "r#type", "x", "SPARK_RUNTIME_2"][..]),
        prop::collection::vec(entry, 0..10),
    )
        .prop_map(|(vis, name, entries)| format!("{vis} {name} {{ {} }}", entries.join(" ")))
}

/// Every field set to a valid value (default VPC): the body the mutations start from.
const VALID: &str = r#"pub EVERYTHING {
    name: "everything-runtime",
    stack: "spark-platform",
    release_label: "emr-7.5.0",
    architecture: ARM64,
    vpc: { cidr: "10.20.0.0/16", max_azs: 2, nat_gateways: 1, flow_log_retention_days: 30 },
    removal_policy: retain,
    maximum_capacity: { cpu: "400 vCPU", memory: "3000 GB", disk: "20000 GB" },
    initial_capacity: {
        driver: { workers: 1, cpu: "4 vCPU", memory: "16 GB", disk: "20 GB" },
        executor: { workers: 4, cpu: "4 vCPU", memory: "16 GB", disk: "500 GB", disk_type: SHUFFLE_OPTIMIZED },
    },
    image_uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/spark:latest",
    worker_images: { driver: "img-driver", executor: "img-executor" },
    runtime_configuration: [
        { classification: "spark-defaults", properties: { "spark.executor.cores": "4" } },
        { classification: "spark-env", configurations: [{ classification: "export", properties: { "A": "b" } }] },
    ],
    auto_start: true,
    auto_stop: { enabled: true, idle_timeout_minutes: 30 },
    interactive: { livy_endpoint: true, studio: false, sessions: true },
    monitoring: {
        s3_log_uri: "s3://my-log-bucket/emr-serverless/",
        managed_persistence: true,
        cloudwatch_logs: { enabled: true, log_group: "/aws/emr", log_types: { driver: [STDOUT, STDERR], executor: ["STDERR"] } },
    },
    scheduler: { queue_timeout_minutes: 60, max_concurrent_runs: 10 },
    identity_center_instance_arn: "arn:aws:sso:::instance/ssoins-0123456789abcdef",
    execution_role: {
        statements: [
            { actions: ["s3:GetObject", "s3:List*"], resources: ["arn:${AWS::Partition}:s3:::my-data-bucket/*"] },
            { effect: deny, actions: ["s3:DeleteObject"], resources: ["*"], conditions: { StringEquals: { "aws:RequestedRegion": ["us-east-1"] } } },
        ],
        managed_policy_arns: ["arn:${AWS::Partition}:iam::aws:policy/AmazonS3ReadOnlyAccess"],
    },
    start_job_roles: [
        { id: "JobTrigger", assumed_by: "lambda.amazonaws.com" },
        { arn: "arn:aws:iam::123456789012:role/ops/existing-trigger" },
    ],
    tags: { "team": "analytics" },
}"#;

/// Also valid: existing network instead of a VPC, an unlisted release.
const VALID_NETWORK: &str = r#"RUNTIME {
    name: "existing-net",
    release_label: unlisted("emr-8.0.0"),
    network: { subnet_ids: ["subnet-0123456789abcdef0"], security_group_ids: ["sg-0123456789abcdef0"] },
    execution_role: { managed_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
    start_job_roles: [{ id: "Scheduler", assumed_by: ["states.amazonaws.com", "123456789012"] }],
}"#;

fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config(default_cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(default_cases),
        // Shrinking a failure is worth it; a long search for one is not.
        max_shrink_iters: 2048,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Runs the checker of row `def` (and, on success, synthesis and rendering) on `text`;
/// returns whether the text lexed. Panics (the property) only if something inside sparkform
/// panics or an error has no message.
fn exercise(def: &'static ConstructDef, text: &str, destroy_opt_in: bool) -> bool {
    let Ok(tokens) = text.parse::<TokenStream>() else {
        return false;
    };
    let ctx = context("fuzz-app", destroy_opt_in);
    check_tokens(def, tokens, &ctx);
    true
}

/// A crate context, built the way build.rs and the macros build it (from Cargo.toml text).
/// Files that packages name are those of `examples/pyspark-package`.
fn context(crate_name: &str, destroy_opt_in: bool) -> Context {
    let manifest = format!("[package.metadata.sparkform]\nremove-data-on-destroy = {destroy_opt_in}\n");
    let mut ctx = Context::from_manifest(&manifest, crate_name);
    assert_eq!(ctx.remove_data_on_destroy, destroy_opt_in);
    ctx.crate_dir = workspace().join("examples/pyspark-package");
    ctx
}

/// Checks `tokens` as a `def!` body; when it checks, synthesizes it in an app beside the
/// other rows' examples (which it may reference) and renders every template.
fn check_tokens(def: &'static ConstructDef, tokens: TokenStream, ctx: &Context) -> bool {
    match parse_and_check(def, tokens.clone(), ctx) {
        Ok((decl, construct)) => {
            assert_eq!(construct.handle().ident, decl.name.to_string());
            let mut source: String = TABLE
                .iter()
                .filter(|d| d.macro_name != def.macro_name)
                .map(|d| format!("{}!({});\n", d.macro_name, d.example))
                .collect();
            source.push_str(&format!("{}!({tokens});\n", def.macro_name));
            let s = synthesize_sources(ctx, &[("src/main.rs".into(), source)]);
            assert!(s.macro_errors.is_empty(), "{:?}", s.macro_errors);
            for e in &s.app_errors {
                assert!(!e.message.trim().is_empty(), "an error without a message");
            }
            if s.app_errors.is_empty() {
                assert!(
                    s.assembly
                        .manifest
                        .stacks
                        .iter()
                        .any(|st| st.name == construct.handle().stack),
                    "the construct's stack was synthesized"
                );
                for text in s.assembly.templates.values() {
                    let parsed: serde_json::Value = serde_json::from_str(text).expect("rendered templates are JSON");
                    assert!(parsed["Resources"].as_object().is_some_and(|r| !r.is_empty()));
                }
            }
            true
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "a failure reports at least one error");
            for e in &errors {
                for part in e.clone() {
                    assert!(!part.to_string().trim().is_empty(), "an error without a message");
                }
            }
            false
        }
    }
}

/// The source text of a token stream as a flat list of lexemes, with delimiters as their
/// own entries and joint punctuation (`::`) kept together.
fn lexemes(ts: TokenStream, out: &mut Vec<String>) {
    let mut joint = String::new();
    for tt in ts {
        match tt {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::None => ("", ""),
                };
                out.push(open.into());
                lexemes(g.stream(), out);
                out.push(close.into());
            }
            TokenTree::Punct(p) => {
                joint.push(p.as_char());
                if p.spacing() == Spacing::Alone {
                    out.push(std::mem::take(&mut joint));
                }
            }
            other => out.push(other.to_string()),
        }
    }
    if !joint.is_empty() {
        out.push(joint);
    }
}

fn is_delimiter(s: &str) -> bool {
    matches!(s, "{" | "}" | "[" | "]" | "(" | ")")
}

/// The index of the delimiter that closes (or opens) the one at `i`.
fn matching(lex: &[String], i: usize) -> Option<usize> {
    let opening = matches!(lex[i].as_str(), "{" | "[" | "(");
    let mut depth = 0i32;
    let range: Box<dyn Iterator<Item = usize>> = if opening {
        Box::new(i..lex.len())
    } else {
        Box::new((0..=i).rev())
    };
    for j in range {
        match lex[j].as_str() {
            "{" | "[" | "(" => depth += if opening { 1 } else { -1 },
            "}" | "]" | ")" => depth += if opening { -1 } else { 1 },
            _ => {}
        }
        if depth == 0 {
            return Some(j);
        }
    }
    None
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete(Index),
    Duplicate(Index),
    Swap(Index, Index),
    Replace(Index, String),
    Insert(Index, String),
    /// Deletes a whole group, or a single token when `Index` lands on one.
    DeleteGroup(Index),
    DuplicateGroup(Index),
    /// Field-level edits, which keep the syntax and so reach the checks: the value after
    /// a `:` replaced, a whole `key: value,` removed or repeated, two values exchanged.
    ReplaceValue(Index, String),
    DeleteField(Index),
    DuplicateField(Index),
    SwapValues(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => any::<Index>().prop_map(Mutation::Delete),
        2 => any::<Index>().prop_map(Mutation::Duplicate),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        4 => (any::<Index>(), leaf()).prop_map(|(a, t)| Mutation::Replace(a, t)),
        2 => (any::<Index>(), tree()).prop_map(|(a, t)| Mutation::Insert(a, t)),
        1 => any::<Index>().prop_map(Mutation::DeleteGroup),
        1 => any::<Index>().prop_map(Mutation::DuplicateGroup),
        8 => (any::<Index>(), value()).prop_map(|(a, v)| Mutation::ReplaceValue(a, v)),
        6 => any::<Index>().prop_map(Mutation::DeleteField),
        2 => any::<Index>().prop_map(Mutation::DuplicateField),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapValues(a, b)),
    ]
}

/// The lexemes of the value that starts at `start`: up to the next `,` or closing
/// delimiter at its own depth.
fn value_end(lex: &[String], start: usize) -> usize {
    let mut depth = 0i32;
    for (j, t) in lex.iter().enumerate().skip(start) {
        match t.as_str() {
            "{" | "[" | "(" => depth += 1,
            "}" | "]" | ")" if depth == 0 => return j,
            "}" | "]" | ")" => depth -= 1,
            "," if depth == 0 => return j,
            _ => {}
        }
    }
    lex.len()
}

/// Applies a mutation. Single-token edits never touch a delimiter, so most mutants still
/// lex and reach the checker; groups are edited whole.
fn apply(lex: &mut Vec<String>, m: &Mutation) {
    if lex.is_empty() {
        return;
    }
    let plain: Vec<usize> = (0..lex.len()).filter(|&i| !is_delimiter(&lex[i])).collect();
    let plain_at = |ix: &Index| (!plain.is_empty()).then(|| plain[ix.index(plain.len())]);
    let colons: Vec<usize> = (1..lex.len()).filter(|&i| lex[i] == ":").collect();
    let colon_at = |ix: &Index| (!colons.is_empty()).then(|| colons[ix.index(colons.len())]);
    // `key: value` and its trailing comma, if any.
    let field = |lex: &[String], c: usize| {
        let end = value_end(lex, c + 1);
        let end = if lex.get(end).is_some_and(|t| t == ",") {
            end + 1
        } else {
            end
        };
        (c - 1, end)
    };
    match m {
        Mutation::ReplaceValue(ix, v) => {
            if let Some(c) = colon_at(ix) {
                let end = value_end(lex, c + 1);
                lex.splice(c + 1..end, [v.clone()]);
            }
        }
        Mutation::DeleteField(ix) => {
            if let Some(c) = colon_at(ix) {
                let (lo, hi) = field(lex, c);
                lex.drain(lo..hi);
            }
        }
        Mutation::DuplicateField(ix) => {
            if let Some(c) = colon_at(ix) {
                let (lo, hi) = field(lex, c);
                let mut copy: Vec<String> = lex[lo..hi].to_vec();
                if copy.last().is_none_or(|t| t != ",") {
                    copy.push(",".into());
                    lex.splice(lo..lo, copy);
                } else {
                    lex.splice(hi..hi, copy);
                }
            }
        }
        Mutation::SwapValues(a, b) => {
            if let (Some(c1), Some(c2)) = (colon_at(a), colon_at(b)) {
                let (c1, c2) = (c1.min(c2), c1.max(c2));
                let e1 = value_end(lex, c1 + 1);
                let e2 = value_end(lex, c2 + 1);
                // Only disjoint values (not one nested in the other).
                if c1 != c2 && e1 <= c2 {
                    let v1: Vec<String> = lex[c1 + 1..e1].to_vec();
                    let v2: Vec<String> = lex[c2 + 1..e2].to_vec();
                    lex.splice(c2 + 1..e2, v1);
                    lex.splice(c1 + 1..e1, v2);
                }
            }
        }
        Mutation::Delete(ix) => {
            if let Some(i) = plain_at(ix) {
                lex.remove(i);
            }
        }
        Mutation::Duplicate(ix) => {
            if let Some(i) = plain_at(ix) {
                let t = lex[i].clone();
                lex.insert(i, t);
            }
        }
        Mutation::Swap(a, b) => {
            if let (Some(i), Some(j)) = (plain_at(a), plain_at(b)) {
                lex.swap(i, j);
            }
        }
        Mutation::Replace(ix, t) => {
            if let Some(i) = plain_at(ix) {
                lex[i] = t.clone();
            }
        }
        Mutation::Insert(ix, t) => {
            let i = ix.index(lex.len() + 1);
            lex.insert(i, t.clone());
        }
        Mutation::DeleteGroup(ix) | Mutation::DuplicateGroup(ix) => {
            let i = ix.index(lex.len());
            let (lo, hi) = if is_delimiter(&lex[i]) {
                match matching(lex, i) {
                    Some(j) => (i.min(j), i.max(j)),
                    None => return,
                }
            } else {
                (i, i)
            };
            if matches!(m, Mutation::DeleteGroup(_)) {
                lex.drain(lo..=hi);
            } else {
                let copy: Vec<String> = lex[lo..=hi].to_vec();
                lex.splice(hi + 1..hi + 1, copy);
            }
        }
    }
}

/// The bodies the mutations start from: the runtime's two, and every row's example.
fn valid_bodies() -> Vec<(&'static ConstructDef, &'static str)> {
    let mut v = vec![(runtime(), VALID), (runtime(), VALID_NETWORK)];
    v.extend(TABLE.iter().map(|d| (*d, d.example)));
    v
}

#[test]
fn the_valid_bodies_are_valid() {
    let ctx = context("fuzz-app", false);
    for (def, body) in valid_bodies() {
        let tokens: TokenStream = body.parse().unwrap();
        assert!(check_tokens(def, tokens, &ctx), "{}: {body}", def.what);
        // Flattening and re-joining the lexemes gives the same declaration.
        let mut lex = Vec::new();
        lexemes(body.parse().unwrap(), &mut lex);
        let tokens: TokenStream = lex.join(" ").parse().unwrap();
        assert!(check_tokens(def, tokens, &ctx), "{}", def.what);
    }
}

fn row() -> impl Strategy<Value = &'static ConstructDef> {
    prop::sample::select(TABLE.to_vec())
}

proptest! {
    #![proptest_config(config(2000))]

    /// (a) Random token sequences from the DSL's vocabulary, bare or inside a declaration,
    /// given to every row's checker.
    #[test]
    fn random_tokens_never_panic(
        def in row(),
        raw in prop::collection::vec(tree(), 0..24),
        decl in declaration(),
        opt_in in any::<bool>(),
    ) {
        exercise(def, &raw.join(" "), opt_in);
        exercise(def, &decl, opt_in);
    }
}

proptest! {
    #![proptest_config(config(1000))]

    /// (b) Mutants of the valid bodies of every row: deleted, duplicated, swapped, replaced
    /// and inserted tokens and groups. (c) Mutants that still check are synthesized and
    /// rendered.
    #[test]
    fn mutated_valid_bodies_never_panic(
        which in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
        opt_in in any::<bool>(),
    ) {
        let bodies = valid_bodies();
        let (def, body) = bodies[which.index(bodies.len())];
        let mut lex = Vec::new();
        lexemes(body.parse().unwrap(), &mut lex);
        for m in &mutations {
            apply(&mut lex, m);
        }
        exercise(def, &lex.join(" "), opt_in);
    }
}

/// Inputs that once were (or could be) trouble: each must give errors with messages, and
/// never a panic.
#[test]
fn every_error_has_a_message() {
    let bad: &[&str] = &[
        "",
        "pub",
        "pub RUNTIME",
        "RUNTIME { }",
        "RUNTIME { name }",
        "RUNTIME { name: }",
        "RUNTIME { name:: \"x\" }",
        "RUNTIME { name: \"x\" } extra",
        "RUNTIME { name: \"x\" }; RUNTIME2 {}",
        "RUNTIME { 42: \"x\" }",
        "RUNTIME { name: \"\" }",
        "RUNTIME { name: - }",
        "RUNTIME { name: - \"x\" }",
        "RUNTIME { name: 5u8 }",
        "RUNTIME { name: 99999999999999999999999999999999999999999999 }",
        "RUNTIME { name: 'c' }",
        "RUNTIME { name: \"x\", release_label: unlisted() }",
        "RUNTIME { name: \"x\", release_label: unlisted(1) }",
        "RUNTIME { name: \"x\", release_label: unlisted(\"emr-8\") }",
        "RUNTIME { name: \"x\", release_label: unlisted(\"emr-6.5.0\") }",
        "RUNTIME { name: \"x\", release_label: a::b(\"emr-8.0.0\") }",
        "RUNTIME { name: \"x\", release_label: unlisted(\"emr-8.0.0\" \"x\") }",
        "RUNTIME { name: \"x\", vpc: { flow_log_retention_days: -170141183460469231731687303715884105727 } }",
        "RUNTIME { name: \"x\", vpc: { flow_log_retention_days: 170141183460469231731687303715884105727 } }",
        "RUNTIME { name: \"x\", vpc: { max_azs: -170141183460469231731687303715884105727 } }",
        "RUNTIME { name: \"x\", vpc: { cidr: \"0.0.0.0/0\" } }",
        "RUNTIME { name: \"x\", vpc: { cidr: \"255.255.255.255/32\" } }",
        "RUNTIME { name: \"x\", vpc: { cidr: \"1.2.3.4/16/3\" } }",
        "RUNTIME { name: \"x\", vpc: {}, network: {} }",
        "RUNTIME { name: \"x\", network: {} }",
        "RUNTIME { name: \"x\", network: [] }",
        "RUNTIME { name: \"x\", maximum_capacity: { cpu: \"4294967296 vCPU\", memory: \"é GB\" } }",
        "RUNTIME { name: \"x\", initial_capacity: { driver: {} } }",
        "RUNTIME { name: \"x\", initial_capacity: { driver: { workers: 0, cpu: \"3 vCPU\", memory: \"1 GB\", disk: \"9999 GB\" } } }",
        "RUNTIME { name: \"x\", execution_role: { statements: [{}] } }",
        "RUNTIME { name: \"x\", execution_role: { statements: [{ actions: [], resources: [] }] } }",
        "RUNTIME { name: \"x\", execution_role: { statements: [{ actions: [\":\", \"s3:\", \"é:x\"], resources: [\"x\"] }] } }",
        "RUNTIME { name: \"x\", execution_role: { statements: [{ actions: [\"s3:GetObject\"], resources: [\"*\"], conditions: { A: 1, B: { c: {} } } }] } }",
        "RUNTIME { name: \"x\", start_job_roles: [{}, { id: \"\" }, { id: \"x\", arn: \"y\" }, 5] }",
        "RUNTIME { name: \"x\", tags: { \"\": \"v\", \"aws:x\": \"v\", k: [1] } }",
        "RUNTIME { name: \"x\", runtime_configuration: [{ classification: \"export\" }, 1, {}] }",
        "RUNTIME { name: \"x\", removal_policy: destroy }",
        "RUNTIME { name: \"x\", stack: \"\" }",
        "r#type { name: \"x\", r#type: 1 }",
        "pub(crate) _ { name: \"x\" }",
        "pub(in crate::x) X { name: \"x\", stack: 1 }",
    ];
    let mut failures = 0;
    for text in bad {
        let lexed = exercise(runtime(), text, false);
        assert!(lexed, "does not lex: {text}");
        let tokens: TokenStream = text.parse().unwrap();
        if parse_and_check(runtime(), tokens, &Context::default()).is_err() {
            failures += 1;
        } else {
            panic!("accepted: {text}");
        }
    }
    assert_eq!(failures, bad.len());
}

/// `removal_policy: destroy` is accepted with the crate-wide opt-in (UI tests cannot set it).
#[test]
fn destroy_needs_the_opt_in() {
    let text = "RUNTIME { name: \"x\", removal_policy: destroy }";
    let no = Context::default();
    let yes = context("app", true);
    let errors = parse_and_check(runtime(), text.parse().unwrap(), &no).unwrap_err();
    assert!(errors[0].to_string().contains("has not opted in"), "{}", errors[0]);
    assert!(parse_and_check(runtime(), text.parse().unwrap(), &yes).is_ok());
    let source = format!("spark_serverless_runtime!({text});");
    let s = synthesize_sources(&yes, &[("src/main.rs".into(), source)]);
    let rendered: String = s.assembly.templates.values().cloned().collect();
    assert!(rendered.contains("\"DeletionPolicy\": \"Delete\""));
    assert!(!rendered.contains("\"DeletionPolicy\": \"Retain\""));
}
