//! XML responses in the shape of the AWS Query protocol.
//!
//! A successful call returns `<ActionResponse xmlns=…><ActionResult>…</ActionResult>
//! <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></ActionResponse>`. Lists wrap
//! each item in `<member>` and maps each pair in `<entry><key>…</key><value>…</value></entry>`.
//! A failure returns `<ErrorResponse>` with `Type`, `Code`, `Message` and the request id.

use std::borrow::Cow;

use jiff::Timestamp;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::ApiError;

/// The characters AWS leaves unescaped in URL-encoded policy documents: RFC 3986's unreserved
/// set.
const POLICY_DOCUMENT_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One value in a response: text, a structure, a list or a map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Text content, escaped when written.
    Text(String),
    /// Named members in output order.
    Structure(Fields),
    /// Items, each written inside `<member>`.
    List(Vec<Node>),
    /// Key and value pairs, each written as `<entry><key>…</key><value>…</value></entry>`.
    Map(Vec<(String, Node)>),
}

/// The members of a structure in output order, built with chained calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    members: Vec<(&'static str, Node)>,
}

impl Fields {
    /// Creates a structure with no members.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text member.
    pub fn text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.members.push((name, Node::Text(value.into())));
        self
    }

    /// Adds a text member when `value` is present.
    pub fn optional_text(self, name: &'static str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(value) => self.text(name, value),
            None => self,
        }
    }

    /// Adds a timestamp member in ISO 8601 form with whole seconds, such as
    /// `2026-01-02T03:04:05Z`.
    pub fn timestamp(self, name: &'static str, value: Timestamp) -> Self {
        self.text(name, format_timestamp(value))
    }

    /// Adds a timestamp member when `value` is present.
    pub fn optional_timestamp(self, name: &'static str, value: Option<Timestamp>) -> Self {
        match value {
            Some(value) => self.timestamp(name, value),
            None => self,
        }
    }

    /// Adds a boolean member written as `true` or `false`.
    pub fn boolean(self, name: &'static str, value: bool) -> Self {
        self.text(name, if value { "true" } else { "false" })
    }

    /// Adds an integer member.
    pub fn integer(self, name: &'static str, value: i64) -> Self {
        self.text(name, value.to_string())
    }

    /// Adds a policy document member, URL-encoded as AWS sends every policy document.
    pub fn policy_document(self, name: &'static str, document: &str) -> Self {
        self.text(name, encode_policy_document(document))
    }

    /// Adds a nested structure.
    pub fn structure(mut self, name: &'static str, fields: Fields) -> Self {
        self.members.push((name, Node::Structure(fields)));
        self
    }

    /// Adds a nested structure when `fields` is present.
    pub fn optional_structure(self, name: &'static str, fields: Option<Fields>) -> Self {
        match fields {
            Some(fields) => self.structure(name, fields),
            None => self,
        }
    }

    /// Adds a list member; each item is written inside `<member>`.
    pub fn list(mut self, name: &'static str, items: impl IntoIterator<Item = Node>) -> Self {
        self.members
            .push((name, Node::List(items.into_iter().collect())));
        self
    }

    /// Adds a map member.
    pub fn map(mut self, name: &'static str, entries: Vec<(String, Node)>) -> Self {
        self.members.push((name, Node::Map(entries)));
        self
    }

    /// Adds the `IsTruncated` and, when truncated, `Marker` members of a paginated list.
    pub fn pagination(self, marker: Option<String>) -> Self {
        let fields = self.boolean("IsTruncated", marker.is_some());
        fields.optional_text("Marker", marker)
    }

    /// Returns the members in output order.
    pub fn members(&self) -> &[(&'static str, Node)] {
        &self.members
    }
}

/// Formats a timestamp the way IAM and STS do: ISO 8601, UTC, whole seconds.
pub fn format_timestamp(value: Timestamp) -> String {
    let time = jiff::tz::Offset::UTC.to_datetime(value);
    let Ok(year) = u16::try_from(time.year()) else {
        return value.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    };
    // Written digit by digit, because `strftime` costs several times more on every response
    // that carries a date.
    let mut text = String::with_capacity(20);
    push_digits(&mut text, year.into(), 4);
    text.push('-');
    push_digits(&mut text, time.month().unsigned_abs().into(), 2);
    text.push('-');
    push_digits(&mut text, time.day().unsigned_abs().into(), 2);
    text.push('T');
    push_digits(&mut text, time.hour().unsigned_abs().into(), 2);
    text.push(':');
    push_digits(&mut text, time.minute().unsigned_abs().into(), 2);
    text.push(':');
    push_digits(&mut text, time.second().unsigned_abs().into(), 2);
    text.push('Z');
    text
}

/// Appends the last `width` decimal digits of `value`, padded with zeros.
fn push_digits(text: &mut String, value: u32, width: u32) {
    for position in (0..width).rev() {
        let digit = value / 10_u32.pow(position) % 10;
        text.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

/// Percent-encodes a policy document as IAM returns it.
pub fn encode_policy_document(document: &str) -> String {
    utf8_percent_encode(document, POLICY_DOCUMENT_ESCAPES).to_string()
}

/// Writes a successful response for `action` with an optional result.
pub fn render_response(
    namespace: &str,
    action: &str,
    result: Option<&Fields>,
    request_id: &str,
) -> Vec<u8> {
    let mut writer = Writer::with_declaration(1024);
    writer.start_with_namespace(&[action, "Response"], namespace);
    if let Some(result) = result {
        writer.start(&[action, "Result"]);
        writer.members(result);
        writer.end(&[action, "Result"]);
    }
    writer.start(&["ResponseMetadata"]);
    writer.text("RequestId", request_id);
    writer.end(&["ResponseMetadata"]);
    writer.end(&[action, "Response"]);
    writer.buffer
}

/// Writes an `<ErrorResponse>` for `error`.
pub fn render_error(namespace: &str, error: &ApiError, request_id: &str) -> Vec<u8> {
    let kind = if error.code.is_sender_fault() {
        "Sender"
    } else {
        "Receiver"
    };

    let mut writer = Writer::with_declaration(512);
    writer.start_with_namespace(&["ErrorResponse"], namespace);
    writer.start(&["Error"]);
    writer.text("Type", kind);
    writer.text("Code", error.code.as_str());
    writer.text("Message", &error.message);
    writer.end(&["Error"]);
    writer.text("RequestId", request_id);
    writer.end(&["ErrorResponse"]);
    writer.buffer
}

/// Writes XML elements straight into a byte buffer.
///
/// Element names come from this crate (action names and botocore member names), so they are
/// written as they are. Text and attribute values are escaped.
struct Writer {
    buffer: Vec<u8>,
}

impl Writer {
    /// Starts a document with the XML declaration and a line break, as AWS sends it.
    fn with_declaration(capacity: usize) -> Self {
        let mut buffer = Vec::with_capacity(capacity);
        buffer.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        Self { buffer }
    }

    /// Opens an element whose name is the concatenation of `name_parts`.
    fn start(&mut self, name_parts: &[&str]) {
        self.buffer.push(b'<');
        self.name(name_parts);
        self.buffer.push(b'>');
    }

    /// Opens the root element with its `xmlns` attribute.
    fn start_with_namespace(&mut self, name_parts: &[&str], namespace: &str) {
        self.buffer.push(b'<');
        self.name(name_parts);
        self.buffer.extend_from_slice(b" xmlns=\"");
        self.escaped(namespace);
        self.buffer.extend_from_slice(b"\">");
    }

    fn end(&mut self, name_parts: &[&str]) {
        self.buffer.extend_from_slice(b"</");
        self.name(name_parts);
        self.buffer.push(b'>');
    }

    fn name(&mut self, name_parts: &[&str]) {
        for part in name_parts {
            self.buffer.extend_from_slice(part.as_bytes());
        }
    }

    /// Writes `<name>text</name>`.
    fn text(&mut self, name: &str, text: &str) {
        self.start(&[name]);
        self.escaped(&xml_safe_text(text));
        self.end(&[name]);
    }

    fn members(&mut self, fields: &Fields) {
        for (member, node) in &fields.members {
            self.node(member, node);
        }
    }

    fn node(&mut self, name: &str, node: &Node) {
        match node {
            Node::Text(text) => self.text(name, text),
            Node::Structure(fields) => {
                self.start(&[name]);
                self.members(fields);
                self.end(&[name]);
            }
            Node::List(items) => {
                self.start(&[name]);
                for item in items {
                    self.node("member", item);
                }
                self.end(&[name]);
            }
            Node::Map(entries) => {
                self.start(&[name]);
                for (key, value) in entries {
                    self.start(&["entry"]);
                    self.text("key", key);
                    self.node("value", value);
                    self.end(&["entry"]);
                }
                self.end(&[name]);
            }
        }
    }

    /// Writes text with `<`, `>`, `&`, both quotes and carriage return replaced by character
    /// references. A carriage return is escaped because XML parsers turn a literal one into a
    /// line feed.
    fn escaped(&mut self, text: &str) {
        // Every special character is ASCII, and a byte below 0x80 is never part of a
        // multi-byte UTF-8 sequence, so the text is scanned as bytes.
        let mut rest = text.as_bytes();
        while let Some(position) = rest
            .iter()
            .position(|byte| matches!(byte, b'<' | b'>' | b'&' | b'\'' | b'"' | b'\r'))
        {
            let (plain, special) = rest.split_at(position);
            self.buffer.extend_from_slice(plain);
            let Some((first, after)) = special.split_first() else {
                break;
            };
            let reference: &[u8] = match first {
                b'<' => b"&lt;",
                b'>' => b"&gt;",
                b'&' => b"&amp;",
                b'\'' => b"&apos;",
                b'"' => b"&quot;",
                _ => b"&#13;",
            };
            self.buffer.extend_from_slice(reference);
            rest = after;
        }
        self.buffer.extend_from_slice(rest);
    }
}

/// Replaces each character that XML 1.0 forbids in text with its Rust escape, such as
/// `\u{1}`.
///
/// Error messages echo the client's input, and a single control character there would make
/// the whole response unparsable, so the client would see no error code. XML 1.0 allows tab,
/// line feed, carriage return and every other character except the remaining C0 controls and
/// U+FFFE and U+FFFF. Rust strings contain no surrogates.
fn xml_safe_text(text: &str) -> Cow<'_, str> {
    if !contains_forbidden_in_xml(text) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        if is_forbidden_in_xml(character) {
            safe.extend(character.escape_unicode());
        } else {
            safe.push(character);
        }
    }
    Cow::Owned(safe)
}

/// Returns whether `text` contains a character that XML 1.0 forbids, escaped or not.
pub(crate) fn contains_forbidden_in_xml(text: &str) -> bool {
    // Forbidden characters are C0 controls, whose bytes are below 0x20, and U+FFFE and U+FFFF,
    // whose UTF-8 encodings start with 0xEF. Text without such bytes needs no decoding.
    let suspect = |byte: &u8| *byte < b' ' || *byte == 0xef;
    text.as_bytes().iter().any(suspect) && text.chars().any(is_forbidden_in_xml)
}

/// Returns whether XML 1.0 forbids `character` in text, escaped or not.
pub(crate) fn is_forbidden_in_xml(character: char) -> bool {
    let allowed_control = matches!(character, '\t' | '\n' | '\r');
    let control = character < ' ';
    (control && !allowed_control) || matches!(character, '\u{fffe}' | '\u{ffff}')
}

#[cfg(test)]
mod tests;
