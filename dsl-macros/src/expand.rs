//! Expansion: a checked construct becomes a `static` handle; a failed one becomes its
//! errors plus a placeholder handle, so the rest of the crate still type-checks and the
//! user sees only the real problems.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use sparkform_build::model::{Construct, MacroKind};
use sparkform_build::synth::serverless_runtime;
use sparkform_build::value::Declaration;

fn handle_type(kind: MacroKind) -> TokenStream {
    match kind {
        MacroKind::ServerlessRuntime => quote!(::sparkform::SparkServerlessRuntime),
    }
}

fn opt(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

pub fn handle(decl: &Declaration, construct: &Construct) -> TokenStream {
    let vis = &decl.vis;
    let name = &decl.name;
    let ident = name.to_string();
    match construct {
        Construct::ServerlessRuntime(r) => {
            let ty = handle_type(MacroKind::ServerlessRuntime);
            let ids = serverless_runtime::ids(r);
            let (stack, app_name, release) = (&r.handle.stack, &r.name, &r.release_label);
            let (id_out, arn_out) = (&ids.out_application_id, &ids.out_application_arn);
            let role_out = opt(r.execution_role.as_ref().map(|_| ids.out_execution_role_arn.as_str()));
            quote! {
                #vis static #name: #ty = #ty {
                    handle: #ident,
                    stack: #stack,
                    name: #app_name,
                    release_label: #release,
                    application_id_output: #id_out,
                    application_arn_output: #arn_out,
                    execution_role_arn_output: #role_out,
                };
            }
        }
    }
}

/// The handle name when the body did not parse: the first identifier after the visibility.
fn fallback_name(tokens: &TokenStream) -> Option<(TokenStream, proc_macro2::Ident)> {
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

pub fn errors(kind: MacroKind, tokens: &TokenStream, errors: Vec<syn::Error>) -> TokenStream {
    let mut out: TokenStream = errors.into_iter().map(|e| e.to_compile_error()).collect();
    if let Some((vis, name)) = fallback_name(tokens) {
        let ty = handle_type(kind);
        let name = format_ident!("{}", name, span = name.span());
        out.extend(quote! {
            #[allow(dead_code)]
            #vis static #name: #ty = #ty::PLACEHOLDER;
        });
    }
    let _ = Span::call_site();
    out
}
