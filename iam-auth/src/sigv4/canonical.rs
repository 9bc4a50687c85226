//! The canonical request and the string to sign, built the same way for signing and verifying.
//!
//! Each function writes to a [`TextSink`]: the signer passes a `String`, because it returns the
//! text, and the verifier passes a [`super::HashWriter`], which hashes the text as it comes.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, percent_encode};

use super::sha256::OUTPUT_LEN;
use super::{ALGORITHM, BorrowedScope, HttpRequest, ServiceRules};
use crate::AuthError;
use crate::encoding::{TextSink, eq_ascii_lowercase, split_ascii};

/// The payload hash that leaves the body unsigned.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The payload hash of an Amazon S3 `aws-chunked` upload whose chunks carry their own
/// signatures.
pub const STREAMING_PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

/// The SHA-256 of an empty body, in lower-case hex.
pub const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The query parameter that carries a presigned request's signature; it is left out of the
/// canonical query.
pub(crate) const SIGNATURE_PARAMETER: &str = "X-Amz-Signature";

/// The query parameter that carries the session token of a presigned request.
pub(crate) const SECURITY_TOKEN_PARAMETER: &str = "X-Amz-Security-Token";

/// The inputs of a canonical request besides the request itself.
pub(crate) struct CanonicalParts<'a> {
    /// The `SignedHeaders` value: lower-case, sorted, unique header names joined by `;`.
    pub(crate) signed_headers: &'a str,
    /// The payload hash line.
    pub(crate) payload_hash: PayloadHash<'a>,
    /// The canonicalization rules of the service.
    pub(crate) rules: ServiceRules,
    /// Query parameters left out of the canonical query: `X-Amz-Signature` for presigned
    /// requests, and `X-Amz-Security-Token` when a client added it after signing.
    pub(crate) skipped_parameters: &'a [&'a str],
}

/// The payload hash line of a canonical request.
#[derive(Clone, Copy)]
pub(crate) enum PayloadHash<'a> {
    /// The SHA-256 of the body, written as lower-case hex.
    Body([u8; OUTPUT_LEN]),
    /// A literal that leaves the body unsigned: `UNSIGNED-PAYLOAD` or a streaming marker.
    Unsigned(&'a str),
}

/// Writes the canonical request of `request` into `out`.
///
/// # Errors
///
/// [`AuthError::SignatureDoesNotMatch`] when a signed header is absent from the request.
pub(crate) fn write_canonical_request(
    out: &mut impl TextSink,
    request: &HttpRequest<'_>,
    parts: &CanonicalParts<'_>,
) -> Result<(), AuthError> {
    out.push_str(request.method);
    out.push('\n');
    write_canonical_uri(out, request.path, parts.rules);
    out.push('\n');
    write_canonical_query(out, request.query, parts.skipped_parameters);
    out.push('\n');
    for name in split_ascii(parts.signed_headers, b';') {
        out.push_str(name);
        out.push(':');
        // The values of a repeated header are joined by `,` in the order received.
        let mut found = false;
        for &(header, value) in request.headers {
            if !is_header_name(header, name) {
                continue;
            }
            if found {
                out.push(',');
            }
            push_trimmed_value(out, value);
            found = true;
        }
        if !found {
            return Err(AuthError::SignatureDoesNotMatch(format!(
                "signed header `{name}` is not in the request"
            )));
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(parts.signed_headers);
    out.push('\n');
    match parts.payload_hash {
        PayloadHash::Body(sha256) => out.push_hex(sha256.as_ref()),
        PayloadHash::Unsigned(literal) => out.push_str(literal),
    }
    Ok(())
}

/// Returns whether the request header `header` is the lower-case name `name`, ignoring case.
#[inline]
fn is_header_name(header: &str, name: &str) -> bool {
    // The `http` crate, which axum uses, stores header names in lower case, so one exact
    // comparison usually decides.
    header.len() == name.len() && (header == name || eq_ascii_lowercase(header, name))
}

/// Writes the string to sign into `out`, given the SHA-256 of the canonical request.
pub(crate) fn write_string_to_sign(
    out: &mut impl TextSink,
    amz_date: &str,
    scope: BorrowedScope<'_>,
    canonical_request_sha256: &[u8],
) {
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(amz_date);
    out.push('\n');
    out.push_str(scope.date);
    out.push('/');
    out.push_str(scope.region);
    out.push('/');
    out.push_str(scope.service);
    out.push_str("/aws4_request\n");
    out.push_hex(canonical_request_sha256);
}

/// Returns the SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; OUTPUT_LEN] {
    super::sha256::sha256(bytes)
}

/// Writes the canonical URI: the path, normalized when the rules ask for it, with each segment
/// percent-encoded.
pub(crate) fn write_canonical_uri(out: &mut impl TextSink, path: &str, rules: ServiceRules) {
    if path.is_empty() || path == "/" {
        out.push('/');
        return;
    }
    if !rules.normalize_path {
        let path = path.strip_prefix('/').unwrap_or(path);
        for segment in path.split('/') {
            out.push('/');
            push_path_segment(out, segment, rules.double_encode_path);
        }
        return;
    }

    // Remove `.` and `..` segments, and the empty segments that repeated slashes make.
    let mut segments: Vec<&str> = Vec::new();
    let mut ends_with_slash = false;
    for segment in path.split('/') {
        ends_with_slash = matches!(segment, "" | "." | "..");
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            _ => segments.push(segment),
        }
    }
    for segment in &segments {
        out.push('/');
        push_path_segment(out, segment, rules.double_encode_path);
    }
    if segments.is_empty() || ends_with_slash {
        out.push('/');
    }
}

/// Writes the canonical query: every parameter decoded, encoded again per RFC 3986 and sorted
/// by name, then by value.
///
/// Decoding follows `application/x-www-form-urlencoded`, so the signature covers the values a
/// form parser reads: a `+` on the wire is a space and becomes `%20`, while a plus sign sent
/// as `%2B` stays `%2B`. botocore relies on this because it sends spaces in query strings as
/// `+` but signs them as `%20`. Parameters without `=` get an empty value.
pub(crate) fn write_canonical_query(out: &mut impl TextSink, query: &str, skipped: &[&str]) {
    if query.is_empty() {
        return;
    }
    let mut parameters: Vec<(Cow<'_, str>, Cow<'_, str>)> = query
        .split('&')
        .filter(|parameter| !parameter.is_empty())
        .map(|parameter| {
            let (name, value) = parameter.split_once('=').unwrap_or((parameter, ""));
            (reencode(name), reencode(value))
        })
        .filter(|(name, _)| !skipped.contains(&name.as_ref()))
        .collect();
    parameters.sort_unstable();
    for (index, (name, value)) in parameters.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
}

/// The bytes SigV4 percent-encodes: all but the RFC 3986 unreserved characters.
const SIGV4_ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Appends `bytes` percent-encoded: RFC 3986 unreserved characters stay, every other byte
/// becomes `%XX` with upper-case hex.
pub(crate) fn push_uri_encoded(out: &mut impl TextSink, bytes: &[u8]) {
    for piece in percent_encode(bytes, SIGV4_ENCODE_SET) {
        out.push_str(piece);
    }
}

/// Decodes `%XX` escapes, and `+` as a space when `plus_as_space` is set (query strings). A
/// `%` not followed by two hex digits stays as it is.
pub(crate) fn percent_decode(text: &str, plus_as_space: bool) -> Vec<u8> {
    if plus_as_space && text.contains('+') {
        // The plus signs become spaces before decoding, so a `%2B` still decodes to `+`.
        return percent_decode_str(&text.replace('+', " ")).collect();
    }
    percent_decode_str(text).collect()
}

/// Appends a header value with leading and trailing whitespace removed and every inner run of
/// whitespace, folded line breaks included, replaced by one space.
fn push_trimmed_value(out: &mut impl TextSink, value: &str) {
    if is_trimmed_value(value.as_bytes()) {
        out.push_str(value);
        return;
    }
    for (index, word) in value
        .split([' ', '\t', '\r', '\n'])
        .filter(|word| !word.is_empty())
        .enumerate()
    {
        if index > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// Returns whether a header value is already in canonical form: no leading, trailing or
/// repeated spaces, and no tabs or line breaks.
///
/// Values are checked eight bytes at a time (SWAR). A value with any other control byte is
/// reported as not canonical too, which only sends it through the slower, exact trimming.
fn is_trimmed_value(bytes: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return true;
    };
    let (words, tail) = bytes.as_chunks::<8>();
    let mut flags = WhitespaceFlags::default();
    for word in words {
        flags.add(u64::from_le_bytes(*word));
    }
    if !tail.is_empty() {
        // The tail is padded with a visible character, which sets no flag.
        let mut padded_tail = [b'a'; 8];
        if let Some(start) = padded_tail.get_mut(..tail.len()) {
            start.copy_from_slice(tail);
        }
        flags.add(u64::from_le_bytes(padded_tail));
    }
    first != b' ' && last != b' ' && flags.control == 0 && flags.double_space == 0
}

/// The whitespace found in a header value so far, word by word. Each field is nonzero once found.
#[derive(Default)]
struct WhitespaceFlags {
    /// A byte below 0x20: a tab, a line break or another control character.
    control: u64,
    /// Two spaces in a row.
    double_space: u64,
    /// Whether the previous word ended in a space, as the high bit of its lowest byte.
    previous_ends_with_space: u64,
}

impl WhitespaceFlags {
    const HIGH_BITS: u64 = u64::from_ne_bytes([0x80; 8]);
    const LOW_BITS: u64 = !Self::HIGH_BITS;
    const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);

    /// Adds the next eight bytes of the value, read little-endian, so byte `k` of the text is
    /// bits `8k..8k + 8` of `word`.
    fn add(&mut self, word: u64) {
        // Nonzero when some byte is below 0x20. It can mark the wrong byte, through a borrow,
        // but only when another byte is below 0x20, so the test of the whole word is exact.
        self.control |= word.wrapping_sub(Self::SPACES) & !word & Self::HIGH_BITS;
        // The high bit of each byte that is a space, exact per byte because no addition
        // carries across bytes.
        let differs = word ^ Self::SPACES;
        let spaces = !(((differs & Self::LOW_BITS) + Self::LOW_BITS) | differs) & Self::HIGH_BITS;
        self.double_space |= spaces & (spaces >> 8);
        self.double_space |= self.previous_ends_with_space & spaces;
        self.previous_ends_with_space = (spaces >> 56) & 0x80;
    }
}

fn push_path_segment(out: &mut impl TextSink, segment: &str, double_encode: bool) {
    if double_encode {
        push_uri_encoded(out, segment.as_bytes());
    } else {
        push_uri_encoded(out, &percent_decode(segment, false));
    }
}

/// Decodes a query name or value and encodes it again per RFC 3986, borrowing `text` when it
/// needs no change.
fn reencode(text: &str) -> Cow<'_, str> {
    if text.bytes().all(is_unreserved) {
        return Cow::Borrowed(text);
    }
    let mut encoded = String::with_capacity(text.len());
    push_uri_encoded(&mut encoded, &percent_decode(text, true));
    Cow::Owned(encoded)
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

#[cfg(test)]
mod tests;
