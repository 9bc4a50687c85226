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

    /// Appends `bytes` as lower-case hex.
    fn push_hex(&mut self, bytes: &[u8]) {
        // Each 32-byte chunk goes through a stack buffer, so it takes one `push_str` instead of
        // 64 calls of `push`.
        let mut digits = [0u8; 64];
        for chunk in bytes.chunks(32) {
            let written = digits.get_mut(..chunk.len() * 2).unwrap_or_default();
            encode_hex(chunk, written);
            // INVARIANT (ascii hex): `encode_hex` writes only ASCII hex digits.
            self.push_str(std::str::from_utf8(written).unwrap_or_default());
        }
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

/// Writes `bytes` as lower-case hex into `out`, two digits per byte, as far as `out` reaches.
pub(crate) fn encode_hex(bytes: &[u8], out: &mut [u8]) {
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        if let [high, low] = pair {
            *high = hex_digit(byte >> 4);
            *low = hex_digit(byte & 0x0f);
        }
    }
}

/// Returns `bytes` as lower-case hex.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    out.push_hex(bytes);
    out
}

/// Decodes lower-case hex into `out`, returning `None` on an upper-case or non-hex digit or a
/// length other than twice `out`'s.
///
/// Every digit is decoded before the result is checked, so the loop has no early exit.
pub(crate) fn decode_lower_hex(text: &str, out: &mut [u8]) -> Option<()> {
    let digits = text.as_bytes();
    if digits.len() != out.len() * 2 {
        return None;
    }
    let mut all_valid = true;
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        if let [high, low] = pair {
            let (high, high_valid) = lower_hex_value(*high);
            let (low, low_valid) = lower_hex_value(*low);
            all_valid &= high_valid & low_valid;
            *byte = (high << 4) | low;
        }
    }
    all_valid.then_some(())
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

/// Reads eight bytes as a `u64`. Any other length reads as 0, which the callers never pass.
fn word(bytes: &[u8]) -> u64 {
    <[u8; 8]>::try_from(bytes).map_or(0, u64::from_ne_bytes)
}

/// Returns the value of a lower-case hex digit and whether `digit` is one.
fn lower_hex_value(digit: u8) -> (u8, bool) {
    let decimal = digit.wrapping_sub(b'0');
    let letter = digit.wrapping_sub(b'a');
    let is_decimal = decimal < 10;
    let is_letter = letter < 6;
    let value = if is_decimal {
        decimal
    } else {
        letter.wrapping_add(10)
    };
    (value & 0x0f, is_decimal | is_letter)
}

/// Returns the lower-case hex digit of the low four bits of `value`.
pub(crate) fn hex_digit(value: u8) -> u8 {
    let value = value & 0x0f;
    // Above 9 the digit is a letter, and `b'a' - b'0' - 10` is 39.
    b'0' + value + u8::from(value > 9) * 39
}

/// Splits `text` at every `separator`, an ASCII byte, like `str::split` with a `char`.
pub(crate) fn split_ascii(text: &str, separator: u8) -> SplitAscii<'_> {
    SplitAscii {
        rest: Some(text),
        separator,
    }
}

/// Splits `text` at the first `separator`, an ASCII byte.
pub(crate) fn split_once_ascii(text: &str, separator: u8) -> Option<(&str, &str)> {
    let index = find_byte(text.as_bytes(), separator)?;
    // INVARIANT (ascii separator): an ASCII byte is a whole character, so both sides are
    // character boundaries.
    Some((text.get(..index)?, text.get(index + 1..)?))
}

/// Returns the index of the first `byte` in `bytes`.
///
/// Long input goes to the `memchr` crate, which compares 16 or 32 bytes per instruction. Its
/// fixed cost per call exceeds a plain scan of a short string, such as one header name, by
/// instruction count under callgrind, so short input is scanned byte by byte.
pub(crate) fn find_byte(bytes: &[u8], byte: u8) -> Option<usize> {
    const MIN_MEMCHR_LEN: usize = 32;
    if bytes.len() < MIN_MEMCHR_LEN {
        bytes.iter().position(|candidate| *candidate == byte)
    } else {
        memchr::memchr(byte, bytes)
    }
}

/// Returns whether `text` equals `lowercase`, ignoring ASCII case in `text`. `lowercase` must
/// have no upper-case letters, or nothing equals it.
///
/// Unlike `str::eq_ignore_ascii_case`, the comparison folds the differences of all bytes
/// together instead of stopping at the first, which leaves the loop without a branch per byte.
pub(crate) fn eq_ascii_lowercase(text: &str, lowercase: &str) -> bool {
    text.len() == lowercase.len()
        && text
            .bytes()
            .zip(lowercase.bytes())
            .fold(0u8, |difference, (byte, lower)| {
                difference | (byte.to_ascii_lowercase() ^ lower)
            })
            == 0
}

/// Removes leading and trailing whitespace like `str::trim`, without its Unicode tables when
/// only leading spaces and tabs are to be removed, as in nearly every header and after each `,`
/// of an `Authorization` header.
pub(crate) fn trim_whitespace(text: &str) -> &str {
    let leading = text
        .bytes()
        .take_while(|byte| matches!(byte, b' ' | b'\t'))
        .count();
    // INVARIANT (ascii separator): spaces and tabs are one byte each, so `leading` is a
    // character boundary.
    let rest = text.get(leading..).unwrap_or(text);
    let bytes = rest.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => rest,
        _ => text.trim(),
    }
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

#[cfg(test)]
mod tests;
