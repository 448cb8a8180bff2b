//! `cfn_resource!`: any CloudFormation resource beside the constructs (CDK's L1
//! constructs), checked against the resource schemas cfn-lint ships: the type, property
//! names, required properties, kinds, enums and patterns, read-only properties refused
//! (`checks::cfn_schema`). References to other handles use one syntax: `HANDLE`,
//! `HANDLE.Attr`, `"${HANDLE.Attr}"`; across stacks they become exports and imports.

pub mod json;

use super::attributes::IndexRefs;
use super::{AppProblem, Attribute, Construct, ConstructDef, Index};
use crate::checks::cfn_schema::{self, AnyReference, Checker, ResourceType};
use crate::diag::Diags;
use crate::expand::handle_type;
use crate::model::common::{Context, Handle, Removal};
use crate::reader::Fields;
use crate::synth::{att, r#ref, Linker};
use crate::value::{Declaration, Object, PathValue, ValueKind};
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::json;

/// What `outputs`/`exports` and `HANDLE.attr` may name is the type's: checked here, not from
/// the row (see `model::common`).
pub const TYPE_ATTRIBUTES: &[&str] = &["*"];

pub static DEF: ConstructDef = ConstructDef {
    macro_name: "cfn_resource",
    what: "cfn_resource!",
    handle_type: "CfnResource",
    fields: &[
        "stack",
        "outputs",
        "exports",
        "type",
        "properties",
        "depends_on",
        "removal_policy",
        "metadata",
    ],
    attributes: TYPE_ATTRIBUTES,
    // Its properties are written directly; `removal_policy` and `metadata` cover the rest.
    targets: &[],
    example: r#"pub ALERTS {
        type: "AWS::SNS::Topic",
        properties: { TopicName: "spark-alerts", KmsMasterKeyId: "alias/aws/sns", Tags: [{ Key: "team", Value: "analytics" }] },
        outputs: [TopicArn],
    }"#,
    check: |decl, ctx, diags| check(decl, ctx, diags).map(|r| Box::new(r) as Box<dyn Construct>),
};

/// Types that hold data: retained on stack deletion unless the crate opts in, like the
/// constructs' buckets, keys and log groups.
pub const DATA_TYPES: &[&str] = &[
    "AWS::S3::Bucket",
    "AWS::KMS::Key",
    "AWS::Logs::LogGroup",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::EFS::FileSystem",
    "AWS::ECR::Repository",
    "AWS::Kinesis::Stream",
    "AWS::SQS::Queue",
    "AWS::Glue::Database",
    "AWS::Glue::Table",
    "AWS::SecretsManager::Secret",
];

#[derive(Clone, Debug)]
pub struct CfnResource {
    pub handle: Handle,
    pub ty: &'static ResourceType,
    pub properties: Option<Object>,
    pub depends_on: Vec<PathValue>,
    /// `None`: CloudFormation's default (data types: retained).
    pub removal: Option<Removal>,
    pub metadata: Option<Object>,
}

fn check(decl: &Declaration, ctx: &Context, diags: &mut Diags) -> Option<CfnResource> {
    let mut f = Fields::top(&decl.body, &DEF, diags);
    let handle = Handle::read(decl, &mut f, ctx, diags);
    let ty = f
        .require("type", diags, "\"AWS::SNS::Topic\"")
        .and_then(|v| v.string(diags))
        .and_then(|t| cfn_schema::check_type(&t.value, t.span, diags));
    let properties = f.object("properties", diags).cloned();
    let depends_on: Vec<PathValue> = f
        .list("depends_on", diags)
        .map(|l| {
            l.iter()
                .filter_map(|v| v.handle(diags).cloned().or_else(|| not_a_handle(v, diags)))
                .collect()
        })
        .unwrap_or_default();
    let removal = f
        .get("removal_policy")
        .is_some()
        .then(|| Removal::read(&mut f, ctx, diags));
    let metadata = f.object("metadata", diags).cloned();
    f.finish(diags);
    let ty = ty?;
    let handle_text = handle.ident.clone();
    let checker = Checker {
        ty,
        handle: &handle_text,
        refs: &AnyReference,
    };
    match &properties {
        Some(p) => checker.check_properties(p, diags),
        None => {
            // Required properties still apply to a resource written without any.
            checker.check_properties(
                &Object {
                    entries: Vec::new(),
                    span: decl.body.span,
                },
                diags,
            )
        }
    }
    for e in &handle.exports {
        if let Err((m, h)) = check_attribute(ty, &e.attribute) {
            diags.error_help(e.span, m, h);
        }
    }
    Some(CfnResource {
        handle,
        ty,
        properties,
        depends_on,
        removal,
        metadata,
    })
}

fn not_a_handle(v: &crate::value::Value, diags: &mut Diags) -> Option<PathValue> {
    if v.path().is_none() {
        diags.error_help(
            v.span,
            format!("expected a handle, found {}", v.kind.describe()),
            "`depends_on` lists cfn_resource! handles of the same stack, e.g. `[BUCKET]`",
        );
    }
    None
}

/// `Ref` or one of the type's `Fn::GetAtt` names.
fn check_attribute(ty: &ResourceType, attr: &str) -> Result<(), (String, String)> {
    if attr == "Ref" {
        return Ok(());
    }
    ty.check_attribute(attr)
}

impl CfnResource {
    fn logical_id(&self) -> &str {
        &self.handle.prefix
    }

    /// Whether the resource keeps its data on deletion (and on replacement).
    fn retained(&self) -> Option<&'static str> {
        match self.removal {
            Some(Removal::Retain) => Some("Retain"),
            Some(Removal::Destroy) => Some("Delete"),
            None if DATA_TYPES.contains(&self.ty.name()) => Some("Retain"),
            None => None,
        }
    }
}

impl Construct for CfnResource {
    fn def(&self) -> &'static ConstructDef {
        &DEF
    }

    fn handle(&self) -> &Handle {
        &self.handle
    }

    /// `Ref` and every `Fn::GetAtt` name of the type (`*` patterns left out).
    fn attributes(&self) -> Vec<Attribute> {
        let id = self.logical_id();
        let mut out = vec![Attribute::new(
            "Ref",
            format!("{id}Ref"),
            r#ref(id),
            format!("{} {}", self.ty.name(), id),
        )];
        for a in self.ty.attributes().filter(|a| !a.contains('*')) {
            let output: String = format!("{id}{a}").chars().filter(char::is_ascii_alphanumeric).collect();
            out.push(Attribute::new(a, output, att(id, a), format!("{a} of {id}")));
        }
        out
    }

    /// Only the attributes the app exports or imports are outputs (a type may have dozens).
    fn publishes_all_attributes(&self) -> bool {
        false
    }

    fn check_app(&self, index: &Index) -> Vec<AppProblem> {
        let mut diags = Diags::default();
        let refs = IndexRefs(index);
        let checker = Checker {
            ty: self.ty,
            handle: &self.handle.ident,
            refs: &refs,
        };
        if let Some(p) = &self.properties {
            checker.check_properties(p, &mut diags);
        }
        for d in &self.depends_on {
            let ok = match index.slot(super::index::ident_of(d)) {
                Some(Some(c)) => c.def().macro_name == DEF.macro_name && c.handle().stack == self.handle.stack,
                Some(None) => true,
                None => false,
            };
            if !ok {
                diags.error_help(
                    d.span(),
                    format!("`{}` is not a cfn_resource! of stack `{}`", d.text, self.handle.stack),
                    "`depends_on` orders resources of one stack; a reference to another stack's resource already deploys that stack first",
                );
            }
        }
        diags
            .into_errors()
            .into_iter()
            .map(|e| AppProblem {
                span: Some(e.span()),
                message: e.to_string(),
            })
            .collect()
    }

    fn synth(&self, index: &Index, link: &mut Linker) {
        let stack = self.handle.stack.clone();
        let props = match &self.properties {
            Some(p) => json::to_json(
                &crate::value::Value {
                    kind: ValueKind::Object(p.clone()),
                    span: p.span,
                },
                index,
                &stack,
                link,
            ),
            None => json!({}),
        };
        let metadata = self.metadata.as_ref().map(|m| {
            json::to_json(
                &crate::value::Value {
                    kind: ValueKind::Object(m.clone()),
                    span: m.span,
                },
                index,
                &stack,
                link,
            )
        });
        let t = link.template(&stack);
        t.kinds.insert("CfnResource");
        let r = t.resource(self.logical_id(), self.ty.name(), props);
        if let Some(policy) = self.retained() {
            r.insert("DeletionPolicy".into(), json!(policy));
            r.insert("UpdateReplacePolicy".into(), json!(policy));
        }
        // A reference in the properties already orders the two; repeating it is cfn-lint's W3005.
        let mut referenced = Vec::new();
        if let Some(p) = &self.properties {
            handle_paths(p, &mut referenced);
        }
        let ids: Vec<String> = self
            .depends_on
            .iter()
            .filter(|d| {
                !referenced
                    .iter()
                    .any(|p| super::index::ident_of(p) == super::index::ident_of(d))
            })
            .filter_map(|d| index.construct(d))
            .map(|c| c.handle().prefix.clone())
            .collect();
        if !ids.is_empty() {
            r.insert("DependsOn".into(), json!(ids));
        }
        if let Some(m) = metadata {
            r.insert("Metadata".into(), m);
        }
    }

    fn expand(&self, decl: &Declaration) -> TokenStream {
        let (vis, name, ident) = (&decl.vis, &decl.name, decl.name.to_string());
        let ty = handle_type(&DEF);
        let (stack, logical, rtype) = (&self.handle.stack, self.logical_id(), self.ty.name());
        let attributes = crate::expand::attribute_table(self);
        // Each handle the resource names is a rustc reference at the user's token.
        let mut paths = Vec::new();
        if let Some(p) = &self.properties {
            handle_paths(p, &mut paths);
        }
        paths.extend(self.depends_on.iter().cloned());
        let refs: TokenStream = paths
            .iter()
            .map(|p| {
                let path = &p.tokens;
                quote::quote_spanned!(p.span()=> let _ = &#path;)
            })
            .collect();
        quote! {
            #vis static #name: #ty = { #refs #ty {
                handle: #ident,
                stack: #stack,
                logical_id: #logical,
                resource_type: #rtype,
                attributes: #attributes,
            } };
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The handle paths a property tree names (bare or with an attribute).
fn handle_paths(o: &Object, out: &mut Vec<PathValue>) {
    fn walk(v: &crate::value::Value, out: &mut Vec<PathValue>) {
        match &v.kind {
            ValueKind::Path(p) => out.push(p.clone()),
            ValueKind::List(items) => items.iter().for_each(|i| walk(i, out)),
            ValueKind::Object(o) => o.entries.iter().for_each(|e| walk(&e.value, out)),
            _ => {}
        }
    }
    o.entries.iter().for_each(|e| walk(&e.value, out));
}
