//! Policy variables: `${aws:username}` and friends in `Resource` and condition values.
//!
//! A value is split once into a [`Template`] of text and variables. Substitution replaces each
//! variable with the single value of its context key, with its default (`${key, 'text'}`)
//! when the key is absent, and fails when neither exists: a failed value matches nothing.
//! `${*}`, `${?}` and `${$}` stand for the literal characters, and substituted values are
//! literal too, so a `*` inside a tag value is never a wildcard. Only `2012-10-17` documents
//! have variables; in a `2008-10-17` document `${…}` is plain text.

use crate::context::{ContextKeys, ContextValue, RequestContext};
use crate::glob::{Case, Glob, GlobPart};

#[cfg(test)]
mod tests;

/// A value split into text and policy variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    segments: Vec<Segment>,
}

/// One piece of a [`Template`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Text as written, where `*` and `?` keep their wildcard meaning.
    Text(String),
    /// Text that is compared literally: an escape such as `${*}`.
    Literal(String),
    /// A variable, with its key in lowercase and its default value.
    Variable {
        /// The context key, lowercase.
        key: String,
        /// The text used when the key is absent.
        default: Option<String>,
    },
}

/// A source of values for substituting variables.
pub trait VariableSource {
    /// Returns the value of `key` (lowercase) when it has exactly one, `Err(Unbound)` when the
    /// key is known to be absent, and `Err(Deferred)` when this source cannot tell yet.
    fn lookup(&self, key: &str) -> Result<&str, Unresolved>;
}

/// Why a variable has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unresolved {
    /// The key is absent or has several values, and the variable has no default.
    Unbound,
    /// The value comes from the request and is not known while compiling.
    Deferred,
}

impl VariableSource for ContextKeys {
    fn lookup(&self, key: &str) -> Result<&str, Unresolved> {
        single_value(self.get_lowercase(key))
    }
}

impl VariableSource for RequestContext {
    fn lookup(&self, key: &str) -> Result<&str, Unresolved> {
        single_value(self.key_lowercase(key))
    }
}

/// Returns the one value of a key that has exactly one and was not given as a list.
fn single_value(value: Option<&ContextValue>) -> Result<&str, Unresolved> {
    let value = value.ok_or(Unresolved::Unbound)?;
    let mut values = value.values();
    match (values.next(), values.next(), value.is_multi()) {
        (Some(single), None, false) => Ok(single),
        _ => Err(Unresolved::Unbound),
    }
}

impl Template {
    /// Splits `text` into text and variables. `variables` is false for `2008-10-17` documents.
    ///
    /// A `${` without a closing `}`, an empty name or a badly quoted default stays text, as
    /// AWS leaves such a value unreplaced.
    pub fn parse(text: &str, variables: bool) -> Self {
        if !variables || !text.contains("${") {
            return Self {
                segments: vec![Segment::Text(text.to_owned())],
            };
        }

        let mut segments = Vec::new();
        let mut pending = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let (before, after_dollar) = rest.split_at(start);
            pending.push_str(before);
            let body_and_rest = after_dollar.get(2..).unwrap_or_default();
            let parsed = body_and_rest
                .find('}')
                .and_then(|end| Some((parse_variable(body_and_rest.get(..end)?)?, end)));
            match parsed {
                Some((segment, end)) => {
                    if !pending.is_empty() {
                        segments.push(Segment::Text(std::mem::take(&mut pending)));
                    }
                    segments.push(segment);
                    rest = body_and_rest.get(end + 1..).unwrap_or_default();
                }
                None => {
                    pending.push_str("${");
                    rest = body_and_rest;
                }
            }
        }
        pending.push_str(rest);
        if !pending.is_empty() || segments.is_empty() {
            segments.push(Segment::Text(pending));
        }
        Self { segments }
    }

    /// The pieces of the template, in order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Tells whether the template has any variable or escape.
    pub fn has_variables(&self) -> bool {
        self.segments
            .iter()
            .any(|segment| !matches!(segment, Segment::Text(_)))
    }

    /// Returns the lowercase keys of the template's variables.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|segment| match segment {
            Segment::Variable { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }

    /// Substitutes every variable from `source` and compiles the result into a [`Glob`] in
    /// which only the template's own text has wildcards.
    ///
    /// # Errors
    ///
    /// Returns [`Unresolved`] for the first variable that has no value and no default.
    pub fn to_glob(&self, source: &dyn VariableSource, case: Case) -> Result<Glob, Unresolved> {
        let parts = self.resolve_parts(source)?;
        let parts: Vec<GlobPart<'_>> = parts
            .iter()
            .map(|(text, wildcards)| match wildcards {
                true => GlobPart::Pattern(text),
                false => GlobPart::Literal(text),
            })
            .collect();
        Ok(Glob::from_parts(&parts, case))
    }

    /// Substitutes every variable from `source` and returns the text, with `*` and `?` left
    /// as plain characters.
    ///
    /// # Errors
    ///
    /// Returns [`Unresolved`] for the first variable that has no value and no default.
    pub fn to_text(&self, source: &dyn VariableSource) -> Result<String, Unresolved> {
        let parts = self.resolve_parts(source)?;
        Ok(parts.into_iter().map(|(text, _)| text).collect())
    }

    /// Resolves each segment into text and whether its `*` and `?` are wildcards.
    fn resolve_parts<'a>(
        &'a self,
        source: &'a dyn VariableSource,
    ) -> Result<Vec<(&'a str, bool)>, Unresolved> {
        self.segments
            .iter()
            .map(|segment| match segment {
                Segment::Text(text) => Ok((text.as_str(), true)),
                Segment::Literal(text) => Ok((text.as_str(), false)),
                Segment::Variable { key, default } => match (source.lookup(key), default) {
                    (Ok(value), _) => Ok((value, false)),
                    (Err(Unresolved::Unbound), Some(default)) => Ok((default.as_str(), false)),
                    (Err(reason), _) => Err(reason),
                },
            })
            .collect()
    }
}

/// Parses the text between `${` and `}`.
fn parse_variable(body: &str) -> Option<Segment> {
    let body = body.trim();
    match body {
        "*" | "?" | "$" => return Some(Segment::Literal(body.to_owned())),
        "" => return None,
        _ => {}
    }
    let (key, default) = match body.split_once(',') {
        Some((key, default)) => (key.trim(), Some(parse_default(default.trim())?)),
        None => (body, None),
    };
    if key.is_empty() || key.contains(char::is_whitespace) {
        return None;
    }
    Some(Segment::Variable {
        key: key.to_ascii_lowercase(),
        default,
    })
}

/// Parses a default written in single quotes, where `''` stands for one quote.
fn parse_default(quoted: &str) -> Option<String> {
    let inner = quoted.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut text = String::with_capacity(inner.len());
    let mut characters = inner.chars().peekable();
    while let Some(character) = characters.next() {
        if character == '\'' {
            // A lone quote inside the default ends it early, which makes the variable invalid.
            if characters.next() != Some('\'') {
                return None;
            }
        }
        text.push(character);
    }
    Some(text)
}
