//! XML responses in the shape of the AWS Query protocol.
//!
//! A successful call returns `<ActionResponse xmlns=…><ActionResult>…</ActionResult>
//! <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></ActionResponse>`. Lists wrap
//! each item in `<member>` and maps each pair in `<entry><key>…</key><value>…</value></entry>`.
//! A failure returns `<ErrorResponse>` with `Type`, `Code`, `Message` and the request id.

use std::borrow::Cow;

use jiff::Timestamp;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

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
    value.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
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
    let mut writer = Writer::new(Vec::with_capacity(512));
    let response_name = format!("{action}Response");
    let result_name = format!("{action}Result");

    write_declaration(&mut writer);
    let root = BytesStart::new(response_name.as_str()).with_attributes([("xmlns", namespace)]);
    write_event(&mut writer, Event::Start(root));
    if let Some(result) = result {
        write_structure(&mut writer, &result_name, result);
    }
    write_request_id(&mut writer, "ResponseMetadata", request_id);
    write_event(
        &mut writer,
        Event::End(BytesEnd::new(response_name.as_str())),
    );
    writer.into_inner()
}

/// Writes an `<ErrorResponse>` for `error`.
pub fn render_error(namespace: &str, error: &ApiError, request_id: &str) -> Vec<u8> {
    let mut writer = Writer::new(Vec::with_capacity(256));
    let kind = if error.code.is_sender_fault() {
        "Sender"
    } else {
        "Receiver"
    };
    let body = Fields::new()
        .text("Type", kind)
        .text("Code", error.code.as_str())
        .text("Message", error.message.as_str());

    write_declaration(&mut writer);
    let root = BytesStart::new("ErrorResponse").with_attributes([("xmlns", namespace)]);
    write_event(&mut writer, Event::Start(root));
    write_structure(&mut writer, "Error", &body);
    write_text(&mut writer, "RequestId", request_id);
    write_event(&mut writer, Event::End(BytesEnd::new("ErrorResponse")));
    writer.into_inner()
}

fn write_declaration(writer: &mut Writer<Vec<u8>>) {
    write_event(
        writer,
        Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)),
    );
    writer.get_mut().push(b'\n');
}

fn write_request_id(writer: &mut Writer<Vec<u8>>, wrapper: &str, request_id: &str) {
    write_event(writer, Event::Start(BytesStart::new(wrapper)));
    write_text(writer, "RequestId", request_id);
    write_event(writer, Event::End(BytesEnd::new(wrapper)));
}

fn write_node(writer: &mut Writer<Vec<u8>>, name: &str, node: &Node) {
    match node {
        Node::Text(text) => write_text(writer, name, text),
        Node::Structure(fields) => write_structure(writer, name, fields),
        Node::List(items) => {
            write_event(writer, Event::Start(BytesStart::new(name)));
            for item in items {
                write_node(writer, "member", item);
            }
            write_event(writer, Event::End(BytesEnd::new(name)));
        }
        Node::Map(entries) => {
            write_event(writer, Event::Start(BytesStart::new(name)));
            for (key, value) in entries {
                write_event(writer, Event::Start(BytesStart::new("entry")));
                write_text(writer, "key", key);
                write_node(writer, "value", value);
                write_event(writer, Event::End(BytesEnd::new("entry")));
            }
            write_event(writer, Event::End(BytesEnd::new(name)));
        }
    }
}

fn write_structure(writer: &mut Writer<Vec<u8>>, name: &str, fields: &Fields) {
    write_event(writer, Event::Start(BytesStart::new(name)));
    for (member, node) in &fields.members {
        write_node(writer, member, node);
    }
    write_event(writer, Event::End(BytesEnd::new(name)));
}

fn write_text(writer: &mut Writer<Vec<u8>>, name: &str, text: &str) {
    write_event(writer, Event::Start(BytesStart::new(name)));
    write_event(writer, Event::Text(BytesText::new(&xml_safe_text(text))));
    write_event(writer, Event::End(BytesEnd::new(name)));
}

/// Replaces each character that XML 1.0 forbids in text with its Rust escape, such as
/// `\u{1}`.
///
/// Error messages echo the client's input, and a single control character there would make
/// the whole response unparsable, so the client would see no error code. XML 1.0 allows tab,
/// line feed, carriage return and every other character except the remaining C0 controls and
/// U+FFFE and U+FFFF. Rust strings contain no surrogates.
fn xml_safe_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_forbidden_in_xml) {
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

fn is_forbidden_in_xml(character: char) -> bool {
    let allowed_control = matches!(character, '\t' | '\n' | '\r');
    let control = character < ' ';
    (control && !allowed_control) || matches!(character, '\u{fffe}' | '\u{ffff}')
}

/// Writes one event into the in-memory buffer.
fn write_event(writer: &mut Writer<Vec<u8>>, event: Event<'_>) {
    // NOTE: Writing into a `Vec<u8>` cannot fail, because quick-xml's writer reports only
    // errors of the underlying `io::Write` and `Vec<u8>`'s implementation returns none.
    let _ = writer.write_event(event);
}

#[cfg(test)]
mod tests;
