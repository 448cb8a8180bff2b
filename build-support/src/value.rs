//! The value tree every sparkform macro body is made of.
//!
//! All five macros share one surface syntax: a handle name followed by a braced object of
//! `key: value` fields, where a value is a literal, a list, a nested object, a bare path
//! (an enum word such as `ARM64` or a reference to another construct's handle) or a call
//! such as `unlisted("emr-8.0.0")`. Parsing is generic; meaning is given by the checkers,
//! so unknown keys, duplicates and wrong kinds get the same precise errors everywhere.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{braced, bracketed, parenthesized, Ident, LitBool, LitFloat, LitInt, LitStr, Token};

/// One construct declaration: `pub NAME { ... }`.
#[derive(Clone, Debug)]
pub struct Declaration {
    /// The visibility tokens as written (`pub`, `pub(crate)` or nothing).
    pub vis: TokenStream,
    /// The handle name, e.g. `NIGHTLY`.
    pub name: Ident,
    pub body: Object,
}

#[derive(Clone, Debug)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ValueKind {
    Str(String),
    Int(i128),
    Float(f64),
    Bool(bool),
    /// A bare identifier or path: an enum word, or a reference to another handle.
    Path(PathValue),
    List(Vec<Value>),
    Object(Object),
    Call(Call),
}

#[derive(Clone, Debug)]
pub struct PathValue {
    /// The path as written without spaces, e.g. `jobs::RUNTIME`.
    pub text: String,
    /// The tokens, re-emitted as they were so rustc checks the reference at the right span.
    pub tokens: TokenStream,
    /// `.name` parts after the path: a part of another construct (`EKS.dailyjob`) or one of
    /// its attributes (`SPARK_RUNTIME.application_arn`).
    pub members: Vec<Member>,
}

/// One `.name` after a handle.
#[derive(Clone, Debug)]
pub struct Member {
    pub name: String,
    pub span: Span,
}

impl PathValue {
    /// `A.B` of `HANDLE.A.B`, and where it starts; `None` for a handle alone.
    pub fn attribute(&self) -> Option<(String, Span)> {
        let first = self.members.first()?;
        let names: Vec<&str> = self.members.iter().map(|m| m.name.as_str()).collect();
        Some((names.join("."), first.span))
    }

    /// Where the path starts: errors about the reference point here.
    pub fn span(&self) -> Span {
        self.tokens
            .clone()
            .into_iter()
            .next()
            .map(|t| t.span())
            .unwrap_or_else(Span::call_site)
    }
}

#[derive(Clone, Debug)]
pub struct Call {
    pub name: String,
    pub name_span: Span,
    pub args: Vec<Value>,
}

#[derive(Clone, Debug)]
pub struct Object {
    pub entries: Vec<Entry>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Value,
}

impl ValueKind {
    /// How the kind is named in error messages ("expected a string, found a list").
    pub fn describe(&self) -> &'static str {
        match self {
            ValueKind::Str(_) => "a string",
            ValueKind::Int(_) => "an integer",
            ValueKind::Float(_) => "a number",
            ValueKind::Bool(_) => "a boolean",
            ValueKind::Path(_) => "a name",
            ValueKind::List(_) => "a list",
            ValueKind::Object(_) => "an object",
            ValueKind::Call(_) => "a call",
        }
    }
}

impl Parse for Declaration {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let vis: syn::Visibility = input.parse()?;
        let vis = quote_tokens(&vis);
        if input.is_empty() {
            return Err(input.error("expected a handle name and a body, e.g. `pub NIGHTLY { name: \"nightly\", ... }`"));
        }
        let name: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected the handle name (an identifier such as `SPARK_RUNTIME`) before the `{ ... }` body",
            )
        })?;
        if !input.peek(syn::token::Brace) {
            return Err(input.error(format!(
                "expected `{{` after `{name}`: the fields go in braces, e.g. `{name} {{ name: \"...\" }}`"
            )));
        }
        let body = parse_object(input)?;
        if !input.is_empty() {
            let _ = input.parse::<Token![;]>();
            if !input.is_empty() {
                return Err(input.error("unexpected tokens after the declaration body; one declaration per macro call"));
            }
        }
        Ok(Declaration { vis, name, body })
    }
}

fn quote_tokens(v: &syn::Visibility) -> TokenStream {
    let mut ts = TokenStream::new();
    quote::ToTokens::to_tokens(v, &mut ts);
    ts
}

fn parse_object(input: ParseStream) -> syn::Result<Object> {
    let content;
    let brace = braced!(content in input);
    let mut entries = Vec::new();
    while !content.is_empty() {
        let (key, key_span) = if content.peek(LitStr) {
            let lit: LitStr = content.parse()?;
            (lit.value(), lit.span())
        } else if content.peek(Ident::peek_any) {
            let id: Ident = Ident::parse_any(&content)?;
            (id.to_string(), id.span())
        } else {
            return Err(content.error("expected a field name, e.g. `name: \"...\"`"));
        };
        if !content.peek(Token![:]) || content.peek(Token![::]) {
            return Err(syn::Error::new(
                key_span,
                format!("expected `:` after `{key}`; fields are written `{key}: value`"),
            ));
        }
        content.parse::<Token![:]>()?;
        if content.is_empty() || content.peek(Token![,]) {
            return Err(syn::Error::new(key_span, format!("`{key}` has no value after `:`")));
        }
        let value = parse_value(&content)?;
        if !content.is_empty() && !content.peek(Token![,]) {
            return Err(content.error(format!(
                "expected `,` after the value of `{key}`; fields are separated by commas"
            )));
        }
        entries.push(Entry { key, key_span, value });
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(Object {
        entries,
        span: brace.span.join(),
    })
}

/// Parses one value; lists and objects nest to any depth the token tree has.
pub fn parse_value(input: ParseStream) -> syn::Result<Value> {
    let lookahead = input.lookahead1();
    if input.peek(syn::token::Brace) {
        let obj = parse_object(input)?;
        let span = obj.span;
        return Ok(Value {
            kind: ValueKind::Object(obj),
            span,
        });
    }
    if input.peek(syn::token::Bracket) {
        let content;
        let bracket = bracketed!(content in input);
        let mut items = Vec::new();
        while !content.is_empty() {
            items.push(parse_value(&content)?);
            if content.is_empty() {
                break;
            }
            if !content.peek(Token![,]) {
                return Err(content.error("expected `,` between list items"));
            }
            content.parse::<Token![,]>()?;
        }
        return Ok(Value {
            kind: ValueKind::List(items),
            span: bracket.span.join(),
        });
    }
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        return Ok(Value {
            kind: ValueKind::Str(lit.value()),
            span: lit.span(),
        });
    }
    if input.peek(LitBool) {
        let lit: LitBool = input.parse()?;
        return Ok(Value {
            kind: ValueKind::Bool(lit.value),
            span: lit.span(),
        });
    }
    if input.peek(Token![-]) || input.peek(LitInt) || input.peek(LitFloat) {
        return parse_number(input);
    }
    if input.peek(Ident::peek_any) || input.peek(Token![::]) || input.peek(Token![crate]) {
        return parse_path_or_call(input);
    }
    Err(lookahead.error()).map_err(|e: syn::Error| {
        syn::Error::new(
            e.span(),
            "expected a value: a string, number, `true`/`false`, a name, `[list]` or `{ object }`",
        )
    })
}

fn parse_number(input: ParseStream) -> syn::Result<Value> {
    let neg = input.parse::<Option<Token![-]>>()?;
    let sign = if neg.is_some() { -1 } else { 1 };
    if input.peek(LitInt) {
        let lit: LitInt = input.parse()?;
        if !lit.suffix().is_empty() {
            return Err(syn::Error::new(lit.span(), "write the number without a type suffix"));
        }
        let n: i128 = lit
            .base10_parse()
            .map_err(|_| syn::Error::new(lit.span(), "this integer is too large"))?;
        return Ok(Value {
            kind: ValueKind::Int(sign * n),
            span: lit.span(),
        });
    }
    if input.peek(LitFloat) {
        let lit: LitFloat = input.parse()?;
        let n: f64 = lit
            .base10_parse()
            .map_err(|_| syn::Error::new(lit.span(), "this is not a valid number"))?;
        return Ok(Value {
            kind: ValueKind::Float(sign as f64 * n),
            span: lit.span(),
        });
    }
    Err(input.error("expected a number after `-`"))
}

fn parse_path_or_call(input: ParseStream) -> syn::Result<Value> {
    let path: syn::Path = input.call(syn::Path::parse_mod_style)?;
    let span = path_span(&path);
    let text = path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::");
    let text = if path.leading_colon.is_some() {
        format!("::{text}")
    } else {
        text
    };
    if input.peek(syn::token::Paren) {
        let content;
        parenthesized!(content in input);
        let mut args = Vec::new();
        while !content.is_empty() {
            args.push(parse_value(&content)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        return Ok(Value {
            kind: ValueKind::Call(Call {
                name: text,
                name_span: span,
                args,
            }),
            span,
        });
    }
    let mut tokens = TokenStream::new();
    quote::ToTokens::to_tokens(&path, &mut tokens);
    let mut members = Vec::new();
    while input.peek(Token![.]) && !input.peek(Token![..]) {
        let dot: Token![.] = input.parse()?;
        let id = Ident::parse_any(input).map_err(|_| {
            syn::Error::new(
                dot.span,
                format!("expected an attribute name after `{text}.`, e.g. `{text}.Arn`"),
            )
        })?;
        members.push(Member {
            name: id.to_string(),
            span: id.span(),
        });
    }
    Ok(Value {
        kind: ValueKind::Path(PathValue { text, tokens, members }),
        span,
    })
}

fn path_span(path: &syn::Path) -> Span {
    let first = path
        .segments
        .first()
        .map(|s| s.ident.span())
        .unwrap_or_else(Span::call_site);
    let last = path.segments.last().map(|s| s.ident.span()).unwrap_or(first);
    first.join(last).unwrap_or(first)
}

/// Parses a macro body from tokens (the macros and build.rs both call this).
pub fn parse_declaration(tokens: TokenStream) -> syn::Result<Declaration> {
    syn::parse2(tokens)
}
