//! Macro expansion, shared by every construct: a checked declaration becomes a `static`
//! handle (each construct's `expand`); a failed one becomes its errors plus a placeholder
//! handle, so the rest of the crate still type-checks and only the real problems show.
//! `sparkform-macros` is a thin shim over [`macro_call`].

use crate::constructs::{self, ConstructDef};
use crate::model::Context;
use crate::value::PathValue;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

/// Expands one call of the macro `macro_name` (a row of the construct table).
pub fn macro_call(macro_name: &str, tokens: TokenStream) -> TokenStream {
    let Some(def) = constructs::find(macro_name) else {
        let msg = format!("sparkform has no macro `{macro_name}!`");
        return quote!(::core::compile_error!(#msg););
    };
    let ctx = Context::from_env();
    match constructs::parse_and_check(def, tokens.clone(), &ctx) {
        Ok((decl, construct)) => construct.expand(&decl),
        Err(errors) => failed(def, &tokens, errors),
    }
}

/// `::sparkform::<Type>` of a row.
pub fn handle_type(def: &ConstructDef) -> TokenStream {
    let ty = Ident::new(def.handle_type, Span::call_site());
    quote!(::sparkform::#ty)
}

/// `let local: &'static sparkform::Type = &HANDLE;`, spanned at the user's token: a wrong or
/// unknown handle is one rustc error, on that token (not on the whole macro call). Locals
/// are `mixed_site` and named `__sparkform_*` (a let binding may not share a static's name).
pub fn handle_ref(local: &Ident, p: &PathValue, ty: &str) -> TokenStream {
    let span = p.span();
    let path = &p.tokens;
    let ty = Ident::new(ty, span);
    quote_spanned!(span=> let #local: &'static ::sparkform::#ty = &#path;)
}

/// A local for `handle_ref`, invisible to user code.
pub fn local(name: &str) -> Ident {
    Ident::new(&format!("__sparkform_{name}"), Span::mixed_site())
}

/// `Some("...")` or `None`.
pub fn opt(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

/// `&[("attribute", "OutputId"), ...]`: where the runtime reads each attribute of the handle.
pub fn attribute_table(c: &dyn crate::constructs::Construct) -> TokenStream {
    let pairs = c.attributes().into_iter().map(|a| {
        let (name, output) = (a.name, a.output);
        quote!((#name, #output))
    });
    quote!(&[#(#pairs),*])
}

/// `include_bytes!` of every file a construct read: rustc rebuilds when one changes.
pub fn track_files(files: &[std::path::PathBuf]) -> TokenStream {
    files
        .iter()
        .map(|f| {
            let f = f.display().to_string();
            quote!(
                const _: &[u8] = include_bytes!(#f);
            )
        })
        .collect()
}

/// The handle name when the body did not parse: the first identifier after the visibility.
fn fallback_name(tokens: &TokenStream) -> Option<(TokenStream, Ident)> {
    let mut vis = TokenStream::new();
    let mut iter = tokens.clone().into_iter().peekable();
    while let Some(tt) = iter.next() {
        match &tt {
            proc_macro2::TokenTree::Ident(i) if i == "pub" => {
                vis.extend([tt.clone()]);
                if let Some(proc_macro2::TokenTree::Group(g)) = iter.peek() {
                    if g.delimiter() == proc_macro2::Delimiter::Parenthesis {
                        vis.extend(iter.next());
                    }
                }
            }
            proc_macro2::TokenTree::Ident(i) => return Some((vis, i.clone())),
            _ => return None,
        }
    }
    None
}

/// The handle name of a call, parsed or not (build.rs records failed declarations by it).
pub fn declared_name(tokens: &TokenStream) -> Option<String> {
    fallback_name(tokens).map(|(_, i)| i.to_string())
}

/// The errors of a failed declaration, and a placeholder handle of the right type.
pub fn failed(def: &ConstructDef, tokens: &TokenStream, errors: Vec<syn::Error>) -> TokenStream {
    let mut out: TokenStream = errors.into_iter().map(|e| e.to_compile_error()).collect();
    if let Some((vis, name)) = fallback_name(tokens) {
        let ty = handle_type(def);
        let name = format_ident!("{}", name, span = name.span());
        out.extend(quote! {
            #[allow(dead_code)]
            #vis static #name: #ty = #ty::PLACEHOLDER;
        });
    }
    out
}
