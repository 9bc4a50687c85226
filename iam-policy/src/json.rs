//! A strict JSON parser (RFC 8259) that records where each value came from.
//!
//! serde_json drops source positions, and every policy finding has to point at its element, so
//! the policy parser reads text through this module instead. Objects keep their members in
//! document order, duplicates included; the policy layer decides what a duplicate key means.

use crate::document::Span;
use crate::error::PolicyError;
use crate::finding::Finding;

/// The largest document accepted, in bytes.
///
/// This is a bound on input, far above every AWS policy quota: the largest AWS managed policy
/// is about 172 KB, and customer policies are capped at 20 KB or less.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// The deepest nesting of arrays and objects accepted. A valid policy nests at most six levels
/// (document, statement list, statement, condition, operator, value list).
pub(crate) const MAX_DEPTH: usize = 32;

/// A JSON value with its position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonValue {
    pub(crate) kind: JsonKind,
    pub(crate) span: Span,
}

/// The variants of a JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsonKind {
    Null,
    Bool(bool),
    /// The literal text of a number, checked against the RFC 8259 grammar.
    Number(String),
    String(String),
    Array(Vec<JsonValue>),
    /// Members in document order; `key_span` is the position of the key string.
    Object(Vec<JsonMember>),
}

/// One member of a JSON object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonMember {
    pub(crate) key: String,
    pub(crate) key_span: Span,
    pub(crate) value: JsonValue,
}

impl JsonKind {
    /// Names the JSON type, for error messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "boolean",
            JsonKind::Number(_) => "number",
            JsonKind::String(_) => "string",
            JsonKind::Array(_) => "array",
            JsonKind::Object(_) => "object",
        }
    }
}

/// Parses one JSON text into a value tree with spans.
///
/// # Errors
///
/// Returns [`PolicyError::DocumentTooLarge`] above [`MAX_DOCUMENT_BYTES`] and a syntax
/// [`PolicyError::Malformed`] for any departure from RFC 8259: trailing commas, comments, single
/// quotes, unescaped control characters, lone surrogates, leading zeros, trailing text, or
/// nesting deeper than 32 levels.
pub(crate) fn parse_json(text: &str) -> Result<JsonValue, PolicyError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(PolicyError::DocumentTooLarge {
            len: text.len(),
            max: MAX_DOCUMENT_BYTES,
        });
    }

    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        offset: 0,
        line: 1,
        column: 1,
        depth: 0,
    };
    parser.skip_whitespace();
    let value = parser.parse_value("$".to_owned())?;
    parser.skip_whitespace();
    if parser.offset < parser.bytes.len() {
        return Err(parser.error("unexpected text after the JSON value", "$"));
    }
    Ok(value)
}

/// Appends an object key to a JSON path: `.Key` for plain names, `['key']` otherwise.
pub(crate) fn path_with_key(path: &str, key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    // Paths are built for every value of a document, so they are assembled by hand: `format!`
    // was a large share of the parse time in a callgrind profile.
    let mut extended = String::with_capacity(path.len() + key.len() + 5);
    extended.push_str(path);
    if plain {
        extended.push('.');
        extended.push_str(key);
    } else {
        extended.push_str("['");
        for character in key.chars() {
            if matches!(character, '\\' | '\'') {
                extended.push('\\');
            }
            extended.push(character);
        }
        extended.push_str("']");
    }
    extended
}

/// Appends an array index to a JSON path.
pub(crate) fn path_with_index(path: &str, index: usize) -> String {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = index;
    loop {
        start -= 1;
        // The remainder is below 10, so the cast cannot truncate.
        if let Some(digit) = digits.get_mut(start) {
            *digit = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let digits = std::str::from_utf8(digits.get(start..).unwrap_or_default()).unwrap_or("0");

    let mut extended = String::with_capacity(path.len() + digits.len() + 2);
    extended.push_str(path);
    extended.push('[');
    extended.push_str(digits);
    extended.push(']');
    extended
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    offset: usize,
    line: u32,
    column: u32,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.offset).copied()
    }

    /// Advances past one byte, counting lines and columns. A column counts characters, so
    /// UTF-8 continuation bytes do not move it.
    fn bump(&mut self) {
        if let Some(byte) = self.peek() {
            self.offset += 1;
            if byte == b'\n' {
                self.line += 1;
                self.column = 1;
            } else if byte & 0xC0 != 0x80 {
                self.column += 1;
            }
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.bump();
        }
    }

    fn start_span(&self, path: String) -> Span {
        Span {
            offset: self.offset,
            len: 0,
            line: self.line,
            column: self.column,
            path,
        }
    }

    fn error(&self, message: &str, path: &str) -> PolicyError {
        let found = match self
            .text
            .get(self.offset..)
            .and_then(|rest| rest.chars().next())
        {
            Some(character) => format!("`{}`", character.escape_debug()),
            None => "the end of the text".to_owned(),
        };
        let span = Span {
            offset: self.offset,
            len: 0,
            line: self.line,
            column: self.column,
            path: path.to_owned(),
        };
        Finding::syntax(format!("invalid JSON: {message}, found {found}"), &span).into()
    }

    fn expect(&mut self, byte: u8, message: &str, path: &str) -> Result<(), PolicyError> {
        if self.peek() == Some(byte) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(message, path))
        }
    }

    fn parse_value(&mut self, path: String) -> Result<JsonValue, PolicyError> {
        let mut span = self.start_span(path);
        let kind = match self.peek() {
            Some(b'{') => self.parse_object(&span.path)?,
            Some(b'[') => self.parse_array(&span.path)?,
            Some(b'"') => JsonKind::String(self.parse_string(&span.path)?),
            Some(b'-' | b'0'..=b'9') => JsonKind::Number(self.parse_number(&span.path)?),
            Some(b't') => self.parse_literal("true", JsonKind::Bool(true), &span.path)?,
            Some(b'f') => self.parse_literal("false", JsonKind::Bool(false), &span.path)?,
            Some(b'n') => self.parse_literal("null", JsonKind::Null, &span.path)?,
            _ => return Err(self.error("expected a JSON value", &span.path)),
        };
        span.len = self.offset - span.offset;
        Ok(JsonValue { kind, span })
    }

    fn parse_literal(
        &mut self,
        literal: &str,
        kind: JsonKind,
        path: &str,
    ) -> Result<JsonKind, PolicyError> {
        for expected in literal.bytes() {
            if self.peek() != Some(expected) {
                return Err(self.error(&format!("expected `{literal}`"), path));
            }
            self.bump();
        }
        Ok(kind)
    }

    fn enter(&mut self, path: &str) -> Result<(), PolicyError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(&format!("nesting deeper than {MAX_DEPTH} levels"), path));
        }
        Ok(())
    }

    fn parse_object(&mut self, path: &str) -> Result<JsonKind, PolicyError> {
        self.enter(path)?;
        self.bump();
        self.skip_whitespace();

        let mut members = Vec::new();
        if self.peek() == Some(b'}') {
            self.bump();
            self.depth -= 1;
            return Ok(JsonKind::Object(members));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key", path));
            }
            let mut key_span = self.start_span(path.to_owned());
            let key = self.parse_string(path)?;
            key_span.len = self.offset - key_span.offset;
            key_span.path = path_with_key(path, &key);

            self.skip_whitespace();
            self.expect(b':', "expected `:` after an object key", path)?;
            self.skip_whitespace();
            let value = self.parse_value(key_span.path.clone())?;
            members.push(JsonMember {
                key,
                key_span,
                value,
            });

            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.bump();
                    self.skip_whitespace();
                }
                Some(b'}') => {
                    self.bump();
                    break;
                }
                _ => return Err(self.error("expected `,` or `}` in an object", path)),
            }
        }
        self.depth -= 1;
        Ok(JsonKind::Object(members))
    }

    fn parse_array(&mut self, path: &str) -> Result<JsonKind, PolicyError> {
        self.enter(path)?;
        self.bump();
        self.skip_whitespace();

        let mut elements = Vec::new();
        if self.peek() == Some(b']') {
            self.bump();
            self.depth -= 1;
            return Ok(JsonKind::Array(elements));
        }
        loop {
            let element = self.parse_value(path_with_index(path, elements.len()))?;
            elements.push(element);

            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.bump();
                    self.skip_whitespace();
                }
                Some(b']') => {
                    self.bump();
                    break;
                }
                _ => return Err(self.error("expected `,` or `]` in an array", path)),
            }
        }
        self.depth -= 1;
        Ok(JsonKind::Array(elements))
    }

    fn parse_string(&mut self, path: &str) -> Result<String, PolicyError> {
        self.bump();
        let mut value = String::new();
        self.take_plain_run(&mut value);
        if self.peek() == Some(b'"') {
            // Most strings have no escapes: one run, allocated once at its exact size.
            self.bump();
            return Ok(value);
        }
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.bump();
                    return Ok(value);
                }
                Some(b'\\') => {
                    self.bump();
                    let character = self.parse_escape(path)?;
                    value.push(character);
                }
                Some(_) => {
                    return Err(self.error("unescaped control character in a string", path));
                }
                None => return Err(self.error("unterminated string", path)),
            }
            self.take_plain_run(&mut value);
        }
    }

    /// Appends the characters up to the next quote, backslash or control character, moving
    /// the column once for the whole run. The run contains no line break, since a line feed is
    /// a control character.
    fn take_plain_run(&mut self, value: &mut String) {
        let rest = self.bytes.get(self.offset..).unwrap_or_default();
        let run_len = rest
            .iter()
            .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20)
            .unwrap_or(rest.len());
        // INVARIANT (char boundaries): the run stops only at an ASCII byte or at the end of the
        // text, so both ends fall on character boundaries of the original `&str`.
        if let Some(run) = self.text.get(self.offset..self.offset + run_len) {
            if value.is_empty() {
                value.reserve_exact(run.len());
            }
            value.push_str(run);
            let characters = run.chars().count();
            self.column = self
                .column
                .saturating_add(u32::try_from(characters).unwrap_or(u32::MAX));
        }
        self.offset += run_len;
    }

    fn parse_escape(&mut self, path: &str) -> Result<char, PolicyError> {
        let character = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.bump();
                return self.parse_unicode_escape(path);
            }
            _ => return Err(self.error("invalid escape sequence", path)),
        };
        self.bump();
        Ok(character)
    }

    /// Decodes the digits after `\u`, joining a UTF-16 surrogate pair into one character.
    fn parse_unicode_escape(&mut self, path: &str) -> Result<char, PolicyError> {
        let first = self.parse_hex4(path)?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if self.peek() != Some(b'\\') {
                return Err(self.error("unpaired UTF-16 surrogate in a `\\u` escape", path));
            }
            self.bump();
            if self.peek() != Some(b'u') {
                return Err(self.error("unpaired UTF-16 surrogate in a `\\u` escape", path));
            }
            self.bump();
            let second = self.parse_hex4(path)?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("unpaired UTF-16 surrogate in a `\\u` escape", path));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code)
            .ok_or_else(|| self.error("unpaired UTF-16 surrogate in a `\\u` escape", path))
    }

    fn parse_hex4(&mut self, path: &str) -> Result<u32, PolicyError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|byte| char::from(byte).to_digit(16))
                .ok_or_else(|| self.error("expected four hex digits after `\\u`", path))?;
            code = code * 16 + digit;
            self.bump();
        }
        Ok(code)
    }

    /// Reads a number per RFC 8259: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn parse_number(&mut self, path: &str) -> Result<String, PolicyError> {
        let start = self.offset;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => self.bump(),
            Some(b'1'..=b'9') => self.skip_digits(),
            _ => return Err(self.error("expected a digit in a number", path)),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit after the decimal point", path));
            }
            self.skip_digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit in the exponent", path));
            }
            self.skip_digits();
        }
        if matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error("leading zeros are not allowed in a number", path));
        }
        Ok(self
            .text
            .get(start..self.offset)
            .unwrap_or_default()
            .to_owned())
    }

    fn skip_digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.bump();
        }
    }
}

#[cfg(test)]
mod tests;
