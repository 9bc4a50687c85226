//! A small length-prefixed binary encoding for session claims.
//!
//! Integers are big-endian; a string is a `u16` byte length followed by UTF-8 bytes; a list is
//! a `u8` count followed by its items. The reader checks every length against what is left, so
//! a short or lying input yields an error and never a panic.

use jiff::Timestamp;

/// Appends encoded fields to a buffer.
pub(crate) struct Writer {
    buffer: Vec<u8>,
}

impl Writer {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            buffer: Vec::with_capacity(capacity),
        }
    }

    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.buffer
    }

    pub(crate) fn u8(&mut self, value: u8) {
        self.buffer.push(value);
    }

    pub(crate) fn i64(&mut self, value: i64) {
        self.buffer.extend_from_slice(&value.to_be_bytes());
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
        self.buffer.extend_from_slice(&len.to_be_bytes());
        self.buffer.extend_from_slice(bytes);
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

/// Reads encoded fields from a byte slice, front to back.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

/// A read past the end of the input or of invalid UTF-8.
#[derive(Debug)]
pub(crate) struct Malformed;

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], Malformed> {
        if self.rest.len() < len {
            return Err(Malformed);
        }
        let (head, tail) = self.rest.split_at(len);
        self.rest = tail;
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

    pub(crate) fn str(&mut self) -> Result<&'a str, Malformed> {
        let len_bytes = <[u8; 2]>::try_from(self.take(2)?).map_err(|_| Malformed)?;
        let bytes = self.take(usize::from(u16::from_be_bytes(len_bytes)))?;
        std::str::from_utf8(bytes).map_err(|_| Malformed)
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
