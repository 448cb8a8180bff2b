//! Attributes: the values a construct offers others (DSF's `application.attrArn`,
//! `stateMachine`, `vpc`, ...). Each is an output of the construct's stack, so `status`
//! shows it and the runtime reads it; another sparkform stack imports it through an export,
//! and `outputs`/`exports` publish it under a stable export name for stacks that are not
//! sparkform's. `HANDLE.attribute` in another construct resolves here, checked.

use super::{AppProblem, Construct, Index};
use crate::diag::suggestion;
use crate::synth::Linker;
use crate::value::PathValue;
use serde_json::{json, Value as Json};

/// One attribute of a construct.
#[derive(Clone, Debug)]
pub struct Attribute {
    /// The name in the DSL (`application_arn`).
    pub name: &'static str,
    /// The output's logical ID in the construct's stack.
    pub output: String,
    /// Its value inside that stack.
    pub value: Json,
    pub description: String,
}

impl Attribute {
    pub fn new(
        name: &'static str,
        output: impl Into<String>,
        value: Json,
        description: impl Into<String>,
    ) -> Attribute {
        Attribute {
            name,
            output: output.into(),
            value,
            description: description.into(),
        }
    }
}

/// Adds a construct's attributes as outputs of its stack, with the export names it asked
/// for. Runs before any construct is synthesized, so imports use those names.
pub fn publish(c: &dyn Construct, link: &mut Linker) {
    let h = c.handle();
    let t = link.template(&h.stack);
    for a in c.attributes() {
        let export = h.exports.iter().find(|e| e.attribute == a.name);
        if export.is_none() && !c.publishes_all_attributes() {
            continue;
        }
        t.output(&a.output, a.value, &a.description);
        if let Some(e) = export {
            let name = e.name.clone().unwrap_or_else(|| default_export(&h.stack, &a.output));
            t.outputs.get_mut(&a.output).expect("just added")["Export"] = json!({ "Name": name });
        }
    }
}

/// The export name sparkform uses when none is given.
pub fn default_export(stack: &str, output: &str) -> String {
    format!("{stack}-{output}")
}

/// Attribute `name` of `c` as a value in stack `from`: itself in the same stack, else an
/// import of its output's export. `None` if `c` has no such attribute.
pub fn import(c: &dyn Construct, name: &str, from: &str, link: &mut Linker) -> Option<Json> {
    let a = c.attributes().into_iter().find(|a| a.name == name)?;
    Some(link.value(from, &c.handle().stack, &a.output, a.value))
}

/// Where the runtime reads attribute `name` of `c`: its stack's output.
pub fn output_ref(c: &dyn Construct, name: &str) -> Option<sparkform_assembly::ValueRef> {
    let a = c.attributes().into_iter().find(|a| a.name == name)?;
    Some(sparkform_assembly::ValueRef::output(&c.handle().stack, a.output))
}

/// Resolves `HANDLE.attribute` (one member) for stack `from`, with "did you mean" on an
/// unknown attribute, at its token.
pub fn reference(index: &Index, p: &PathValue, from: &str, link: &mut Linker) -> Result<Json, AppProblem> {
    let c = index.construct(p).ok_or_else(|| AppProblem {
        span: Some(p.span()),
        message: format!("`{}` is not a construct declared in this crate", p.text),
    })?;
    let [member] = p.members.as_slice() else {
        return Err(AppProblem {
            span: Some(p.span()),
            message: format!(
                "write `{}.<attribute>` with one attribute; the attributes of `{}` are: {}",
                p.text,
                p.text,
                names(c).join(", ")
            ),
        });
    };
    import(c, &member.name, from, link).ok_or_else(|| {
        let listed = c.def().attributes.contains(&member.name.as_str());
        let why = if listed {
            " (this declaration does not create it)".to_string()
        } else {
            suggestion(&member.name, c.def().attributes.iter().copied())
        };
        AppProblem {
            span: Some(member.span),
            message: format!(
                "`{}` has no attribute `{}`{why}; its attributes are: {}",
                p.text,
                member.name,
                names(c).join(", ")
            ),
        }
    })
}

fn names(c: &dyn Construct) -> Vec<&'static str> {
    c.attributes().iter().map(|a| a.name).collect()
}

/// The handle references of a CloudFormation property tree, resolved through the index: for
/// the schema checker once the whole app is known (the macro checks with
/// `AnyReference`). A reference to a declaration with errors of its own is let through.
pub struct IndexRefs<'i, 'a>(pub &'i Index<'a>);

impl crate::checks::cfn_schema::References for IndexRefs<'_, '_> {
    fn check(&self, handle: &str, attr: Option<&str>) -> Result<(), crate::checks::cfn_schema::RefProblem> {
        use crate::checks::cfn_schema::RefProblem;
        let c = match self.0.slot(handle) {
            None => {
                return Err(RefProblem::UnknownHandle((
                    format!("`{handle}` is not a construct declared in this crate"),
                    "declare it (e.g. with cfn_resource!), or write a literal value in double quotes".into(),
                )))
            }
            Some(None) => return Ok(()),
            Some(Some(c)) => c,
        };
        let names: Vec<&str> = c.attributes().iter().map(|a| a.name).collect();
        match attr {
            None if names.contains(&"Ref") => Ok(()),
            None => Err(RefProblem::UnknownAttribute((
                format!("`{handle}` is a {}: name one of its attributes", c.def().what),
                format!("write `{handle}.<attribute>`; its attributes are: {}", names.join(", ")),
            ))),
            Some(a) if names.contains(&a) => Ok(()),
            Some(a) => Err(RefProblem::UnknownAttribute((
                format!(
                    "`{handle}` has no attribute `{a}`{}",
                    suggestion(a, names.iter().copied())
                ),
                format!("its attributes are: {}", names.join(", ")),
            ))),
        }
    }
}
