//! The handle index: every construct of the app by handle name, resolved once, by kind. A
//! handle whose declaration failed its own checks is known too, so a reference to it is
//! neither an error nor synthesized: the macro of that declaration reports the real problem,
//! on its token, and nothing else is said about it.

use super::{Attribute, Construct, ConstructDef, Reference, Staged};
use crate::diag::suggestion;
use crate::value::PathValue;
use proc_macro2::Span;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug)]
enum Slot<'a> {
    Checked(&'a dyn Construct),
    /// Declared, but its declaration has errors (the macro reports them).
    Failed(&'static ConstructDef),
}

/// What a reference leads to.
#[derive(Debug)]
pub enum Resolved<'a> {
    Found(&'a dyn Construct),
    /// The declaration exists and has errors of its own: say nothing more.
    Failed,
    /// A problem with the reference itself: no such handle, a handle of another kind, or an
    /// attribute the construct does not have (then at the attribute's token).
    Problem {
        span: Option<Span>,
        message: String,
    },
}

#[derive(Debug, Default)]
pub struct Index<'a> {
    slots: BTreeMap<String, Slot<'a>>,
    staged: Option<&'a Staged>,
}

fn problem<'a>(message: String) -> Resolved<'a> {
    Resolved::Problem { span: None, message }
}

fn wrong_kind<'a>(ident: &str, def: &ConstructDef, field: &str, kinds: &str) -> Resolved<'a> {
    problem(format!("`{ident}` is a {}, and `{field}` takes a {kinds}", def.what))
}

/// The attribute a path's member names, or why there is none.
pub fn attribute_of(c: &dyn Construct, path: &PathValue) -> Result<Attribute, (Span, String)> {
    let ident = ident_of(path);
    let Some(m) = path.members.first() else {
        return Err((
            path.span(),
            format!("name an attribute of `{ident}`, e.g. `{ident}.<attribute>`"),
        ));
    };
    if let Some(extra) = path.members.get(1) {
        return Err((extra.span, format!("`{ident}.{}` has no parts of its own", m.name)));
    }
    let attrs = c.attributes();
    match attrs.iter().find(|a| a.name == m.name) {
        Some(a) => Ok(a.clone()),
        None => {
            let names: Vec<&str> = attrs.iter().map(|a| a.name).collect();
            let hint = suggestion(&m.name, names.iter().copied());
            let list = if names.is_empty() {
                format!("{} has no attributes", c.def().what)
            } else {
                format!("its attributes: {}", names.join(", "))
            };
            Err((
                m.span,
                format!(
                    "`{ident}` ({}) has no attribute `{}`{hint}; {list}",
                    c.def().what,
                    m.name
                ),
            ))
        }
    }
}

/// The handle name a path ends with (`jobs::RUNTIME` names `RUNTIME`).
pub fn ident_of(path: &PathValue) -> &str {
    path.text.rsplit("::").next().unwrap_or(&path.text)
}

impl<'a> Index<'a> {
    /// `failed`: (handle name, row) of each declaration that did not check.
    pub fn new(constructs: &'a [Box<dyn Construct>], failed: &[(String, &'static ConstructDef)]) -> Index<'a> {
        let mut slots = BTreeMap::new();
        for (name, def) in failed {
            slots.insert(name.clone(), Slot::Failed(def));
        }
        for c in constructs {
            slots.insert(c.handle().ident.clone(), Slot::Checked(c.as_ref()));
        }
        Index { slots, staged: None }
    }

    /// The index with the app's stages, for the construct that deploys them.
    pub fn with_staged(mut self, staged: &'a Staged) -> Index<'a> {
        self.staged = Some(staged);
        self
    }

    /// The app synthesized once per stage, when a construct deploys it in stages.
    pub fn staged(&self) -> Option<&'a Staged> {
        self.staged
    }

    /// Resolves a reference to one of the kinds it accepts.
    pub fn resolve(&self, r: &Reference) -> Resolved<'a> {
        let ident = ident_of(r.path);
        let kinds = if r.accepts.is_empty() {
            "construct".to_string()
        } else {
            r.accepts
                .iter()
                .map(|k| format!("{k}!"))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        let fits = |kind: &str| r.accepts.is_empty() || r.accepts.contains(&kind);
        match self.slots.get(ident) {
            None => problem(format!(
                "`{ident}` (in `{}`) is not a {kinds} declared in this crate",
                r.field
            )),
            Some(Slot::Failed(def)) if fits(def.macro_name) => Resolved::Failed,
            Some(Slot::Checked(c)) if fits(c.def().macro_name) => {
                if r.path.members.is_empty() {
                    return Resolved::Found(*c);
                }
                match attribute_of(*c, r.path) {
                    Ok(_) => Resolved::Found(*c),
                    Err((span, message)) => Resolved::Problem {
                        span: Some(span),
                        message,
                    },
                }
            }
            Some(Slot::Checked(c)) => wrong_kind(ident, c.def(), r.field, &kinds),
            Some(Slot::Failed(def)) => wrong_kind(ident, def, r.field, &kinds),
        }
    }

    /// The construct a path names, whatever its kind.
    pub fn construct(&self, path: &PathValue) -> Option<&'a dyn Construct> {
        match self.slots.get(ident_of(path)) {
            Some(Slot::Checked(c)) => Some(*c),
            _ => None,
        }
    }

    /// The checked construct of type `T` a path names, if there is one.
    pub fn get<T: Construct>(&self, path: &PathValue) -> Option<&'a T> {
        match self.slots.get(ident_of(path)) {
            Some(Slot::Checked(c)) => c.as_any().downcast_ref::<T>(),
            _ => None,
        }
    }

    /// The declaration named `ident`: `None` when there is none, `Some(None)` when it has
    /// errors of its own (its macro reports them).
    pub fn slot(&self, ident: &str) -> Option<Option<&'a dyn Construct>> {
        match self.slots.get(ident)? {
            Slot::Checked(c) => Some(Some(*c)),
            Slot::Failed(_) => Some(None),
        }
    }

    /// Every checked construct of type `T`.
    pub fn all<T: Construct>(&self) -> impl Iterator<Item = &'a T> + '_ {
        self.slots.values().filter_map(|s| match s {
            Slot::Checked(c) => c.as_any().downcast_ref::<T>(),
            Slot::Failed(_) => None,
        })
    }
}
