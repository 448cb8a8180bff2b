//! Expansion: a checked construct becomes a `static` handle; a failed one becomes its
//! errors plus a placeholder handle, so the rest of the crate still type-checks and the
//! user sees only the real problems.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use sparkform_build::model::spark_job::{Driver, EntryPoint, ExecutionRole, Orchestration, S3Logs, Target};
use sparkform_build::model::{Construct, MacroKind};
use sparkform_build::synth::{pyspark_package, serverless_runtime, spark_job};
use sparkform_build::value::{Declaration, PathValue};

/// `let local: &'static sparkform::Type = &HANDLE;`, spanned at the user's token: a wrong or
/// unknown handle is one rustc error, on that token (not on the whole macro call). Locals
/// are `mixed_site` and named `__sparkform_*` (a let binding may not share a static's name).
fn handle_ref(local: &proc_macro2::Ident, p: &PathValue, ty: &str) -> TokenStream {
    let span = p
        .tokens
        .clone()
        .into_iter()
        .next()
        .map(|t| t.span())
        .unwrap_or_else(proc_macro2::Span::call_site);
    let path = &p.tokens;
    let ty = proc_macro2::Ident::new(ty, span);
    quote_spanned!(span=> let #local: &'static ::sparkform::#ty = &#path;)
}

fn handle_type(kind: MacroKind) -> TokenStream {
    match kind {
        MacroKind::ServerlessRuntime => quote!(::sparkform::SparkServerlessRuntime),
        MacroKind::SparkJob => quote!(::sparkform::SparkJob),
        MacroKind::PySparkPackage => quote!(::sparkform::PySparkPackage),
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
        Construct::SparkJob(j) => {
            let ty = handle_type(MacroKind::SparkJob);
            let ids = spark_job::ids(j);
            // Handle references are typed locals at the user's tokens: one rustc error each, on
            // the token. The role taken from the target reuses the target's local.
            let mut consts = TokenStream::new();
            let target_local = proc_macro2::Ident::new("__sparkform_target", proc_macro2::Span::mixed_site());
            let role_local = proc_macro2::Ident::new("__sparkform_role", proc_macro2::Span::mixed_site());
            let target = match &j.target {
                Target::Runtime(p) => {
                    consts.extend(handle_ref(&target_local, p, "SparkServerlessRuntime"));
                    quote!(::sparkform::JobTarget::Runtime(#target_local))
                }
                Target::ApplicationId(id) => quote!(::sparkform::JobTarget::ApplicationId(#id)),
                Target::VirtualCluster(id) => quote!(::sparkform::JobTarget::VirtualCluster(#id)),
            };
            let role = match (&j.execution_role, &j.target) {
                (ExecutionRole::OfRuntime(p), Target::Runtime(t)) if p.text == t.text => {
                    quote!(::sparkform::JobRole::OfRuntime(#target_local))
                }
                (ExecutionRole::OfRuntime(p), _) => {
                    consts.extend(handle_ref(&role_local, p, "SparkServerlessRuntime"));
                    quote!(::sparkform::JobRole::OfRuntime(#role_local))
                }
                (ExecutionRole::Arn { arn, .. }, _) => quote!(::sparkform::JobRole::Arn(#arn)),
            };
            let (stack, job_name, sm_out) = (&j.handle.stack, &j.name, &ids.out_state_machine_arn);
            let bucket_out = opt(matches!(j.s3_logs, S3Logs::Created { .. }).then_some(ids.out_log_bucket.as_str()));
            let log_uri = spark_job::log_uri(j);
            let log_uri = opt(log_uri.as_deref());
            let package = match &j.driver {
                Driver::Submit {
                    entry_point: EntryPoint::Package(p),
                    ..
                } => {
                    let local = proc_macro2::Ident::new("__sparkform_package", proc_macro2::Span::mixed_site());
                    consts.extend(handle_ref(&local, p, "PySparkPackage"));
                    quote!(::core::option::Option::Some(#local))
                }
                _ => quote!(::core::option::Option::None),
            };
            let timeout = j.timeout_minutes;
            let polling = match j.orchestration {
                Orchestration::Sync => quote!(::core::option::Option::None),
                Orchestration::Polling { interval_seconds } => quote!(::core::option::Option::Some(#interval_seconds)),
            };
            quote! {
                #vis static #name: #ty = { #consts #ty {
                    handle: #ident,
                    stack: #stack,
                    name: #job_name,
                    target: #target,
                    execution_role: #role,
                    state_machine_arn_output: #sm_out,
                    log_bucket_output: #bucket_out,
                    log_uri: #log_uri,
                    timeout_minutes: #timeout,
                    polling_interval_seconds: #polling,
                    package: #package,
                } };
            }
        }
        Construct::PySparkPackage(p) => {
            let ty = handle_type(MacroKind::PySparkPackage);
            let ids = pyspark_package::ids(p);
            let (stack, pkg_name, bucket_out) = (&p.handle.stack, &p.name, &ids.out_bucket);
            let entry_key = p.entrypoint_key();
            let venv_key = opt(p.venv_key().as_deref());
            let conf = pyspark_package::venv_conf(p, false);
            // Every file the package read: rustc rebuilds (and re-hashes) when one changes.
            let tracked = p.tracked.iter().map(|f| {
                let f = f.display().to_string();
                quote!(
                    const _: &[u8] = include_bytes!(#f);
                )
            });
            // The venv is built in Docker: without sparkform's `docker` feature this is a
            // compile error on `dependencies` that says how to enable it.
            let docker = p.venv.as_ref().map(|_| {
                let span = key_span(decl, "dependencies");
                quote_spanned!(span=> ::sparkform::__requires_docker!("`dependencies`");)
            });
            quote! {
                #docker
                #(#tracked)*
                #vis static #name: #ty = #ty {
                    handle: #ident,
                    stack: #stack,
                    name: #pkg_name,
                    bucket_output: #bucket_out,
                    entrypoint_key: #entry_key,
                    venv_key: #venv_key,
                    spark_venv_conf: #conf,
                };
            }
        }
    }
}

/// Where field `key` is written in the body (the macro call when it is not there).
fn key_span(decl: &Declaration, key: &str) -> proc_macro2::Span {
    decl.body
        .entries
        .iter()
        .find(|e| e.key == key)
        .map(|e| e.key_span)
        .unwrap_or_else(proc_macro2::Span::call_site)
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
    out
}
