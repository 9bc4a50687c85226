//! Small byte helpers shared by the modules: lower-case hex and constant-time comparison.

/// Appends `bytes` to `out` as lower-case hex.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    for byte in bytes {
        out.push(char::from(hex_digit(byte >> 4)));
        out.push(char::from(hex_digit(byte & 0x0f)));
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
pub(crate) fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    if left.len() != right.len() {
        return false;
    }
    let difference = left
        .iter()
        .zip(right)
        .fold(0u8, |difference, (a, b)| difference | (a ^ b));
    std::hint::black_box(difference) == 0
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
