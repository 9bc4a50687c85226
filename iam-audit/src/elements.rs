//! Request parameters and response elements encoded straight to JSON and redacted as they are
//! written, for events built without a tree of JSON values.

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use crate::AuditError;
use crate::redact::{REDACTED, is_secret_field};

/// A JSON object of request parameters or response elements, encoded once, in which the value
/// of every member with a secret name ([`is_secret_field`]) is [`REDACTED`].
///
/// It serializes as its JSON text, so it belongs in events encoded with `serde_json`, which
/// is what [`EncodedEvent::new`](crate::EncodedEvent::new) uses.
#[derive(Debug, Clone)]
pub struct Elements(Box<RawValue>);

impl Elements {
    /// Encodes the members that `write` adds as one JSON object, in the order they are added.
    ///
    /// # Errors
    ///
    /// Returns [`AuditError::Encode`] when the text is not valid JSON, which the writers
    /// rule out by escaping every string and closing every object and list they open.
    pub fn build(write: impl FnOnce(&mut ObjectWriter<'_>)) -> Result<Self, AuditError> {
        let mut json = Vec::with_capacity(256);
        ObjectWriter::write(&mut json, write);
        serde_json::from_slice(&json)
            .map(Self)
            .map_err(AuditError::Encode)
    }

    /// Returns the JSON text of the object.
    pub fn as_json(&self) -> &str {
        self.0.get()
    }
}

impl Serialize for Elements {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Writes the members of one JSON object of [`Elements`].
///
/// A member whose name is secret gets the string [`REDACTED`] as its value, whatever the caller
/// passes, so a secret nested in an object or list under a secret name is left out too.
#[derive(Debug)]
pub struct ObjectWriter<'a> {
    json: &'a mut Vec<u8>,
    empty: bool,
}

impl ObjectWriter<'_> {
    /// Adds a member with a string value.
    pub fn string(&mut self, name: &str, value: &str) {
        if self.open_member(name) {
            write_string(self.json, value);
        }
    }

    /// Adds a member whose value is an object with the members that `write` adds.
    pub fn object(&mut self, name: &str, write: impl FnOnce(&mut ObjectWriter<'_>)) {
        if self.open_member(name) {
            ObjectWriter::write(self.json, write);
        }
    }

    /// Adds a member whose value is a list of the items that `write` adds.
    pub fn list(&mut self, name: &str, write: impl FnOnce(&mut ListWriter<'_>)) {
        if self.open_member(name) {
            ListWriter::write(self.json, write);
        }
    }

    fn write(json: &mut Vec<u8>, write: impl FnOnce(&mut ObjectWriter<'_>)) {
        json.push(b'{');
        write(&mut ObjectWriter { json, empty: true });
        json.push(b'}');
    }

    /// Writes the member's name and returns whether the caller writes its value, which is
    /// false when the name is secret and the value was written as [`REDACTED`].
    fn open_member(&mut self, name: &str) -> bool {
        if !self.empty {
            self.json.push(b',');
        }
        self.empty = false;
        write_string(self.json, name);
        self.json.push(b':');
        if is_secret_field(name) {
            write_string(self.json, REDACTED);
            return false;
        }
        true
    }
}

/// Writes the items of one JSON list of [`Elements`].
#[derive(Debug)]
pub struct ListWriter<'a> {
    json: &'a mut Vec<u8>,
    empty: bool,
}

impl ListWriter<'_> {
    /// Adds a string.
    pub fn string(&mut self, value: &str) {
        self.open_item();
        write_string(self.json, value);
    }

    /// Adds an object with the members that `write` adds.
    pub fn object(&mut self, write: impl FnOnce(&mut ObjectWriter<'_>)) {
        self.open_item();
        ObjectWriter::write(self.json, write);
    }

    /// Adds a list of the items that `write` adds.
    pub fn list(&mut self, write: impl FnOnce(&mut ListWriter<'_>)) {
        self.open_item();
        ListWriter::write(self.json, write);
    }

    fn write(json: &mut Vec<u8>, write: impl FnOnce(&mut ListWriter<'_>)) {
        json.push(b'[');
        write(&mut ListWriter { json, empty: true });
        json.push(b']');
    }

    fn open_item(&mut self) {
        if !self.empty {
            self.json.push(b',');
        }
        self.empty = false;
    }
}

/// Appends `text` as a quoted, escaped JSON string.
fn write_string(json: &mut Vec<u8>, text: &str) {
    // Writing a string to a `Vec` cannot fail: serde_json fails only when its writer does.
    let _ = serde_json::to_writer(json, text);
}

#[cfg(test)]
mod tests;
