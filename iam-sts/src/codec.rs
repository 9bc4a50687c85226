//! A small length-prefixed binary encoding for session claims.
//!
//! The encoding has two parts: the fields, then the text of every string in field order. It
//! starts with the length of the fields as a `u16`. Integers are big-endian. A string is a `u16`
//! byte length in the fields and its bytes in the text, a list is a `u8` count followed by its
//! items, and an ARN is its partition's index followed by four strings. Keeping the text
//! together lets the reader check all of it as UTF-8 at once instead of string by string.
//!
//! The reader checks every length against what is left, so a short or lying input yields an
//! error and never a panic.

use iam_model::{Arn, Partition};
use jiff::Timestamp;

/// The length of the prefix that contains the length of the fields.
const FIELDS_LEN_PREFIX: usize = 2;

/// Appends encoded fields and their text to two buffers.
pub(crate) struct Writer {
    fields: Vec<u8>,
    text: Vec<u8>,
}

impl Writer {
    /// Creates a writer whose output fits `capacity` bytes without reallocating, `text_capacity`
    /// of them string text.
    pub(crate) fn with_capacity(capacity: usize, text_capacity: usize) -> Self {
        let mut fields = Vec::with_capacity(capacity);
        fields.extend_from_slice(&[0; FIELDS_LEN_PREFIX]);
        Self {
            fields,
            text: Vec::with_capacity(text_capacity),
        }
    }

    /// Returns the encoding: the length of the fields, the fields, then the text.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        let Self { mut fields, text } = self;
        // The fields take a few kilobytes at most, because each list has at most 255 items of at
        // most 9 bytes, so their length fits a `u16`.
        let fields_len = u16::try_from(fields.len() - FIELDS_LEN_PREFIX).unwrap_or(u16::MAX);
        if let Some(prefix) = fields.get_mut(..FIELDS_LEN_PREFIX) {
            prefix.copy_from_slice(&fields_len.to_be_bytes());
        }
        fields.extend_from_slice(&text);
        fields
    }

    pub(crate) fn u8(&mut self, value: u8) {
        self.fields.push(value);
    }

    pub(crate) fn i64(&mut self, value: i64) {
        self.fields.extend_from_slice(&value.to_be_bytes());
    }

    pub(crate) fn timestamp(&mut self, value: Timestamp) {
        self.i64(value.as_second());
    }

    /// Writes a string. Every string in a claim set is bounded far below `u16::MAX` by the
    /// parameter checks, so a longer one is a caller bug and is cut to the first `u16::MAX`
    /// bytes at a character boundary rather than written with a wrong length.
    pub(crate) fn str(&mut self, value: &str) {
        let mut end = value.len().min(usize::from(u16::MAX));
        while !value.is_char_boundary(end) {
            end -= 1;
        }
        let bytes = value.as_bytes().get(..end).unwrap_or_default();
        let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
        self.fields.extend_from_slice(&len.to_be_bytes());
        self.text.extend_from_slice(bytes);
    }

    /// Writes an ARN as its partition's index in [`Partition::ALL`], then its service,
    /// region, account and resource as strings, so reading it back needs no text split.
    pub(crate) fn arn(&mut self, arn: &Arn) {
        let partition = Partition::ALL
            .iter()
            .position(|partition| *partition == arn.partition())
            .and_then(|index| u8::try_from(index).ok())
            .unwrap_or(u8::MAX);
        self.u8(partition);
        self.str(arn.service());
        self.str(arn.region());
        self.str(arn.account());
        self.str(arn.resource());
    }

    pub(crate) fn optional_str(&mut self, value: Option<&str>) {
        match value {
            Some(text) => {
                self.u8(1);
                self.str(text);
            }
            None => self.u8(0),
        }
    }

    /// Writes a list count. Lists in a claim set hold at most 50 items.
    pub(crate) fn count(&mut self, count: usize) {
        self.u8(u8::try_from(count).unwrap_or(u8::MAX));
    }
}

/// Reads encoded fields front to back, and their strings from the text.
pub(crate) struct Reader<'a> {
    fields: &'a [u8],
    text: &'a str,
}

/// A read past the end of the input or of invalid UTF-8.
#[derive(Debug)]
pub(crate) struct Malformed;

impl<'a> Reader<'a> {
    /// Splits `bytes` into fields and text, and checks that the text is UTF-8.
    pub(crate) fn new(bytes: &'a [u8]) -> Result<Self, Malformed> {
        let (prefix, rest) = bytes
            .split_first_chunk::<FIELDS_LEN_PREFIX>()
            .ok_or(Malformed)?;
        let fields_len = usize::from(u16::from_be_bytes(*prefix));
        if rest.len() < fields_len {
            return Err(Malformed);
        }
        let (fields, text) = rest.split_at(fields_len);
        let text = std::str::from_utf8(text).map_err(|_| Malformed)?;
        Ok(Self { fields, text })
    }

    /// Returns whether every field and all the text were read.
    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.text.is_empty()
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], Malformed> {
        if self.fields.len() < len {
            return Err(Malformed);
        }
        let (head, tail) = self.fields.split_at(len);
        self.fields = tail;
        Ok(head)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Malformed> {
        let [byte] = <[u8; 1]>::try_from(self.take(1)?).map_err(|_| Malformed)?;
        Ok(byte)
    }

    pub(crate) fn i64(&mut self) -> Result<i64, Malformed> {
        let bytes = <[u8; 8]>::try_from(self.take(8)?).map_err(|_| Malformed)?;
        Ok(i64::from_be_bytes(bytes))
    }

    pub(crate) fn timestamp(&mut self) -> Result<Timestamp, Malformed> {
        Timestamp::from_second(self.i64()?).map_err(|_| Malformed)
    }

    /// Reads a string. A length that runs past the text or ends inside a character is
    /// malformed.
    pub(crate) fn str(&mut self) -> Result<&'a str, Malformed> {
        let len_bytes = <[u8; 2]>::try_from(self.take(2)?).map_err(|_| Malformed)?;
        let len = usize::from(u16::from_be_bytes(len_bytes));
        let value = self.text.get(..len).ok_or(Malformed)?;
        self.text = self.text.get(len..).ok_or(Malformed)?;
        Ok(value)
    }

    /// Reads an ARN that [`Writer::arn`] wrote.
    pub(crate) fn arn(&mut self) -> Result<Arn, Malformed> {
        let partition = *Partition::ALL
            .get(usize::from(self.u8()?))
            .ok_or(Malformed)?;
        let service = self.str()?;
        let region = self.str()?;
        let account = self.str()?;
        let resource = self.str()?;
        Arn::new(partition, service, region, account, resource).map_err(|_| Malformed)
    }

    pub(crate) fn optional_str(&mut self) -> Result<Option<&'a str>, Malformed> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.str()?)),
            _ => Err(Malformed),
        }
    }

    pub(crate) fn count(&mut self) -> Result<usize, Malformed> {
        Ok(usize::from(self.u8()?))
    }
}

#[cfg(test)]
mod tests;
