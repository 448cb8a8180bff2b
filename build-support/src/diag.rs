//! Error accumulation (every problem is reported, each on its token) and "did you mean".

use proc_macro2::Span;
use std::fmt::Display;

/// Collects every error found in one declaration, so the user sees them all at once.
#[derive(Default, Debug)]
pub struct Diags {
    errors: Vec<syn::Error>,
}

impl Diags {
    pub fn error(&mut self, span: Span, message: impl Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// An error with a `help:` line telling the user what to write instead.
    pub fn error_help(&mut self, span: Span, message: impl Display, help: impl Display) {
        self.errors
            .push(syn::Error::new(span, format!("{message}\n  = help: {help}")));
    }

    pub fn push(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Every error, in source order (checks run field by field in the checker's order, but
    /// the user reads the declaration top to bottom).
    pub fn into_errors(mut self) -> Vec<syn::Error> {
        self.errors.sort_by_key(|e| {
            let start = e.span().start();
            (start.line, start.column)
        });
        self.errors
    }

    /// `Ok(value)` when nothing was reported, else every error.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<syn::Error>> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self.into_errors())
        }
    }
}

/// The closest candidate to `input`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = input.to_ascii_lowercase();
    let max = (input.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// " did you mean `x`?" or "" — appended to messages.
pub fn suggestion<'a, I>(input: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    match did_you_mean(input, candidates) {
        Some(c) => format!("; did you mean `{c}`?"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["name", "release_label", "architecture"];
        assert_eq!(did_you_mean("nmae", keys), Some("name"));
        assert_eq!(did_you_mean("release_lable", keys), Some("release_label"));
        assert_eq!(did_you_mean("zzzzzz", keys), None);
    }
}
