//! Small byte helpers shared by the modules: lower-case hex, constant-time comparison and the
//! [`TextSink`] that canonical text is written to.

/// A destination for text built piece by piece: a `String`, or a running hash that never
/// keeps the whole text (`sigv4::HashWriter`).
pub(crate) trait TextSink {
    /// Appends `text`.
    fn push_str(&mut self, text: &str);

    /// Appends one character.
    fn push(&mut self, character: char) {
        self.push_str(character.encode_utf8(&mut [0u8; 4]));
    }
}

impl TextSink for String {
    fn push_str(&mut self, text: &str) {
        String::push_str(self, text);
    }

    fn push(&mut self, character: char) {
        String::push(self, character);
    }
}

/// Appends `bytes` to `out` as lower-case hex.
pub(crate) fn push_hex(out: &mut impl TextSink, bytes: &[u8]) {
    // Each 32-byte chunk goes through a stack buffer, so it takes one `push_str` instead of 64
    // calls of `push`.
    let mut digits = [0u8; 64];
    for chunk in bytes.chunks(32) {
        for (pair, byte) in digits.chunks_exact_mut(2).zip(chunk) {
            if let [high, low] = pair {
                *high = hex_digit(byte >> 4);
                *low = hex_digit(byte & 0x0f);
            }
        }
        let written = digits.get(..chunk.len() * 2).unwrap_or_default();
        // INVARIANT (ascii hex): `hex_digit` returns only ASCII hex digits.
        out.push_str(std::str::from_utf8(written).unwrap_or_default());
    }
}

/// Returns `bytes` as lower-case hex.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

/// Decodes lower-case hex into `out`, returning `None` on an upper-case or non-hex digit or a
/// length other than twice `out`'s.
pub(crate) fn decode_lower_hex(text: &str, out: &mut [u8]) -> Option<()> {
    let digits = text.as_bytes();
    if digits.len() != out.len() * 2 {
        return None;
    }
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let [high, low] = pair else { return None };
        *byte = (lower_hex_value(*high)? << 4) | lower_hex_value(*low)?;
    }
    Some(())
}

/// Compares two byte strings in time that depends only on their lengths.
///
/// The bytes are compared eight at a time, and the differences are combined with `|` rather
/// than tested, so no branch depends on the content.
pub(crate) fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    if left.len() != right.len() {
        return false;
    }
    let left_words = left.chunks_exact(8);
    let right_words = right.chunks_exact(8);
    let tail_difference = left_words
        .remainder()
        .iter()
        .zip(right_words.remainder())
        .fold(0u64, |difference, (a, b)| difference | u64::from(a ^ b));
    let difference = left_words
        .zip(right_words)
        .fold(tail_difference, |difference, (a, b)| {
            difference | (word(a) ^ word(b))
        });
    std::hint::black_box(difference) == 0
}

/// Reads eight bytes as a `u64`; any other length reads as 0, which the caller never passes.
fn word(bytes: &[u8]) -> u64 {
    <[u8; 8]>::try_from(bytes).map_or(0, u64::from_ne_bytes)
}

fn lower_hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

/// Returns the lower-case hex digit of the low four bits of `value`.
pub(crate) fn hex_digit(value: u8) -> u8 {
    let value = value & 0x0f;
    if value < 10 {
        b'0' + value
    } else {
        b'a' + value - 10
    }
}

/// Splits `text` at every `separator`, an ASCII byte, like `str::split` with a `char`.
///
/// Short strings on the request path split faster with a plain byte scan than with the
/// standard library's `memchr`-based search.
pub(crate) fn split_ascii(text: &str, separator: u8) -> SplitAscii<'_> {
    SplitAscii {
        rest: Some(text),
        separator,
    }
}

/// Splits `text` at the first `separator`, an ASCII byte.
pub(crate) fn split_once_ascii(text: &str, separator: u8) -> Option<(&str, &str)> {
    let index = text.bytes().position(|byte| byte == separator)?;
    // INVARIANT (ascii separator): an ASCII byte is a whole character, so both sides are
    // character boundaries.
    Some((text.get(..index)?, text.get(index + 1..)?))
}

/// The iterator of [`split_ascii`].
pub(crate) struct SplitAscii<'a> {
    rest: Option<&'a str>,
    separator: u8,
}

impl<'a> Iterator for SplitAscii<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match split_once_ascii(rest, self.separator) {
            Some((piece, tail)) => {
                self.rest = Some(tail);
                Some(piece)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}
