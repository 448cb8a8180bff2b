//! EMR configuration classifications (`spark-defaults`, `spark-env`, ...), as runtimes and
//! jobs declare them, and their CloudFormation / API form.

use crate::diag::{suggestion, Diags};
use crate::reader::Fields;
use crate::value::Value;
use serde_json::{json, Map, Value as Json};

#[derive(Clone, Debug)]
pub struct Classification {
    pub classification: String,
    pub properties: Vec<(String, String)>,
    pub configurations: Vec<Classification>,
}

const CLASSIFICATIONS: &[&str] = &[
    "spark-defaults",
    "spark-env",
    "spark-hive-site",
    "spark-driver-log4j2",
    "spark-executor-log4j2",
    "spark-metrics",
    "hive-site",
    "emrfs-site",
    "spark-jdbc-defaults",
];

/// Reads configuration classifications; `nested` allows `export` (inside spark-env).
pub fn read_classifications(list: &[Value], diags: &mut Diags, nested: bool) -> Vec<Classification> {
    let mut out = Vec::new();
    for v in list {
        let Some(o) = v.object(diags) else { continue };
        let mut g = Fields::new(o, "a configuration", diags);
        let class = g
            .require("classification", diags, "\"spark-defaults\"")
            .and_then(|v| v.string(diags));
        let properties = g.string_map("properties", diags).unwrap_or_default();
        let configurations = g
            .list("configurations", diags)
            .map(|l| read_classifications(l, diags, true))
            .unwrap_or_default();
        g.finish(diags);
        let Some(class) = class else { continue };
        let known = CLASSIFICATIONS.contains(&class.value.as_str()) || (nested && class.value == "export");
        if !known {
            diags.error_help(
                class.span,
                format!(
                    "`{}` is not a configuration classification EMR Serverless accepts{}",
                    class.value,
                    suggestion(&class.value, CLASSIFICATIONS.iter().copied())
                ),
                format!("use one of: {}", CLASSIFICATIONS.join(", ")),
            );
        }
        if class.value == "spark-defaults" {
            for (k, _) in &properties {
                if !k.value.starts_with("spark.") {
                    diags.error_help(
                        k.span,
                        format!("`{}` is not a Spark property", k.value),
                        "spark-defaults properties start with `spark.`",
                    );
                }
            }
        }
        out.push(Classification {
            classification: class.value,
            properties: properties.into_iter().map(|(k, v)| (k.value, v.value)).collect(),
            configurations,
        });
    }
    out
}

/// Configuration classifications in CloudFormation/API form (shared with jobs).
pub fn classifications(list: &[Classification]) -> Json {
    Json::Array(
        list.iter()
            .map(|c| {
                let mut o = json!({ "Classification": c.classification });
                if !c.properties.is_empty() {
                    let p: Map<String, Json> = c.properties.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                    o["Properties"] = Json::Object(p);
                }
                if !c.configurations.is_empty() {
                    o["Configurations"] = classifications(&c.configurations);
                }
                o
            })
            .collect(),
    )
}
