//! The handle index: every construct of the app by handle name, resolved once, by kind. A
//! handle whose declaration failed its own checks is known too, so a reference to it is
//! neither an error nor synthesized: the macro of that declaration reports the real problem,
//! on its token, and nothing else is said about it.

use super::{Construct, ConstructDef, Reference};
use crate::value::PathValue;
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
    /// A problem with the reference itself: no such handle, or a handle of another kind.
    Problem(String),
}

#[derive(Debug, Default)]
pub struct Index<'a> {
    slots: BTreeMap<String, Slot<'a>>,
}

fn wrong_kind<'a>(ident: &str, def: &ConstructDef, field: &str, kinds: &str) -> Resolved<'a> {
    Resolved::Problem(format!("`{ident}` is a {}, and `{field}` takes a {kinds}", def.what))
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
        Index { slots }
    }

    /// Resolves a reference to one of the kinds it accepts.
    pub fn resolve(&self, r: &Reference) -> Resolved<'a> {
        let ident = ident_of(r.path);
        let kinds = r
            .accepts
            .iter()
            .map(|k| format!("{k}!"))
            .collect::<Vec<_>>()
            .join(" or ");
        match self.slots.get(ident) {
            None => Resolved::Problem(format!(
                "`{ident}` (in `{}`) is not a {kinds} declared in this crate",
                r.field
            )),
            Some(Slot::Failed(def)) if r.accepts.contains(&def.macro_name) => Resolved::Failed,
            Some(Slot::Checked(c)) if r.accepts.contains(&c.def().macro_name) => Resolved::Found(*c),
            Some(Slot::Checked(c)) => wrong_kind(ident, c.def(), r.field, &kinds),
            Some(Slot::Failed(def)) => wrong_kind(ident, def, r.field, &kinds),
        }
    }

    /// The checked construct of type `T` a path names, if there is one.
    pub fn get<T: Construct>(&self, path: &PathValue) -> Option<&'a T> {
        match self.slots.get(ident_of(path)) {
            Some(Slot::Checked(c)) => c.as_any().downcast_ref::<T>(),
            _ => None,
        }
    }

    /// The checked construct a path names, whatever its kind.
    pub fn construct(&self, path: &PathValue) -> Option<&'a dyn Construct> {
        match self.slots.get(ident_of(path)) {
            Some(Slot::Checked(c)) => Some(*c),
            _ => None,
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
