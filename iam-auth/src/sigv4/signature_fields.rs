//! Parsing of a request's SigV4 signature fields, from the `Authorization` header or a
//! presigned query, before any secret is looked up.

use std::borrow::Cow;

use jiff::Timestamp;

use super::canonical::{self, SECURITY_TOKEN_PARAMETER, SIGNATURE_PARAMETER};
use super::verifier::AuthenticationMethod;
use super::{ALGORITHM, BorrowedScope, HttpRequest, MAX_PRESIGNED_EXPIRES_SECONDS};
use crate::AuthError;
use crate::encoding::{eq_ascii_lowercase, split_ascii, split_once_ascii, trim_whitespace};

/// The maximum length of an access key id AWS accepts, in characters.
const MAX_ACCESS_KEY_ID_LEN: usize = 128;

/// The maximum number of headers a request may sign.
const MAX_SIGNED_HEADERS: usize = 64;

/// The maximum length of a region or service name in a credential scope.
const MAX_SCOPE_PART_LEN: usize = 64;

/// A request's SigV4 signature fields, parsed and checked for form but not verified.
///
/// [`ParsedSignature::parse`] reads the `Authorization` header or the presigned query once.
/// The caller can then read the access key id and the credential scope, for example to route
/// the request or to look its secret up, and hand the parsed form to
/// [`Verifier::verify_parsed`](super::Verifier::verify_parsed), which does not parse again.
/// Until then nothing in it is authenticated. Its `Debug` output leaves out the signature and
/// the session token.
pub struct ParsedSignature<'a> {
    pub(super) headers: AuthHeaders<'a>,
    pub(super) fields: SignatureFields<'a>,
}

impl<'a> ParsedSignature<'a> {
    /// Parses the signature fields of `request`.
    ///
    /// # Errors
    ///
    /// - [`AuthError::MissingAuthentication`] when the request carries no signature.
    /// - [`AuthError::IncompleteSignature`] when the signature fields, the credential or the
    ///   date are malformed or missing, or the request is signed both in the header and in the
    ///   query.
    /// - [`AuthError::SignatureDoesNotMatch`] when the credential scope does not end in
    ///   `aws4_request`.
    pub fn parse(request: &HttpRequest<'a>) -> Result<Self, AuthError> {
        Self::from_parts(request.headers.iter().copied(), request.query)
    }

    /// Parses the signature fields of a request given as its header fields (name and value,
    /// names in any case) and its raw query string without the leading `?`.
    ///
    /// A server whose request type stores headers in a map calls this instead of
    /// [`ParsedSignature::parse`], so it needs no header list to read the credential.
    ///
    /// # Errors
    ///
    /// As for [`ParsedSignature::parse`].
    pub fn from_parts(
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        query: &'a str,
    ) -> Result<Self, AuthError> {
        let headers = AuthHeaders::find(headers);
        let fields = signature_fields(query, &headers)?;
        Ok(Self { headers, fields })
    }

    /// Returns the access key id that claims to have signed the request.
    pub fn access_key_id(&self) -> &str {
        self.fields.credential.access_key_id()
    }

    /// Returns the date of the credential scope, `YYYYMMDD`.
    pub fn scope_date(&self) -> &str {
        self.fields.credential.scope().date
    }

    /// Returns the region of the credential scope.
    pub fn region(&self) -> &str {
        self.fields.credential.scope().region
    }

    /// Returns the service of the credential scope, which separates IAM requests from STS
    /// requests.
    pub fn service(&self) -> &str {
        self.fields.credential.scope().service
    }

    /// Returns the session token sent for temporary credentials: `X-Amz-Security-Token` from
    /// the header for a header-signed request, from the query for a presigned one.
    pub fn security_token(&self) -> Option<&str> {
        self.fields.security_token.as_deref()
    }

    /// Returns the place of the signature.
    pub fn method(&self) -> AuthenticationMethod {
        self.fields.method
    }

    /// Returns the signing time from `X-Amz-Date` (or `Date`), not yet checked against a clock.
    pub fn signed_at(&self) -> Timestamp {
        self.fields.signed_at
    }
}

impl std::fmt::Debug for ParsedSignature<'_> {
    /// Prints the credential and the signing time, but neither the signature nor the session
    /// token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParsedSignature")
            .field("method", &self.fields.method)
            .field("access_key_id", &self.access_key_id())
            .field("scope_date", &self.scope_date())
            .field("region", &self.region())
            .field("service", &self.service())
            .field("signed_at", &self.fields.signed_at)
            .finish_non_exhaustive()
    }
}

/// The signature fields of a request, from the header or the query.
pub(super) struct SignatureFields<'a> {
    pub(super) method: AuthenticationMethod,
    pub(super) credential: Credential<'a>,
    /// The `SignedHeaders` value, checked by [`check_signed_headers`] during verification.
    pub(super) signed_headers: Cow<'a, str>,
    pub(super) signature: Cow<'a, str>,
    pub(super) amz_date: Cow<'a, str>,
    pub(super) signed_at: Timestamp,
    pub(super) expires_seconds: Option<u32>,
    pub(super) security_token: Option<Cow<'a, str>>,
}

/// The headers the verifier reads besides the signed ones, each the first of its name.
#[derive(Default)]
pub(super) struct AuthHeaders<'a> {
    pub(super) authorization: Option<&'a str>,
    pub(super) amz_date: Option<&'a str>,
    pub(super) date: Option<&'a str>,
    pub(super) security_token: Option<&'a str>,
    pub(super) content_sha256: Option<&'a str>,
}

impl<'a> AuthHeaders<'a> {
    /// Finds the headers in one pass over `headers`, comparing names without regard to case.
    fn find(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut found = Self::default();
        for (name, value) in headers {
            // The length picks the one candidate, so each header costs at most one comparison,
            // or two for the pair of 20-byte names.
            let slot = match name.len() {
                13 if eq_ascii_lowercase(name, "authorization") => &mut found.authorization,
                10 if eq_ascii_lowercase(name, "x-amz-date") => &mut found.amz_date,
                4 if eq_ascii_lowercase(name, "date") => &mut found.date,
                20 if eq_ascii_lowercase(name, "x-amz-security-token") => &mut found.security_token,
                20 if eq_ascii_lowercase(name, "x-amz-content-sha256") => &mut found.content_sha256,
                _ => continue,
            };
            slot.get_or_insert(value);
        }
        found
    }
}

/// Finds and parses the signature fields in the `Authorization` header or the query.
fn signature_fields<'a>(
    query: &'a str,
    headers: &AuthHeaders<'a>,
) -> Result<SignatureFields<'a>, AuthError> {
    let parameters = QueryAuthParameters::parse(query)?;
    match (headers.authorization, parameters.algorithm.is_some()) {
        (Some(_), true) => Err(AuthError::IncompleteSignature(
            "the request is signed both in the `Authorization` header and in the query".to_owned(),
        )),
        (Some(authorization), false) => header_fields(headers, authorization),
        (None, true) => query_fields(parameters),
        (None, false) => Err(AuthError::MissingAuthentication),
    }
}

fn header_fields<'a>(
    headers: &AuthHeaders<'a>,
    authorization: &'a str,
) -> Result<SignatureFields<'a>, AuthError> {
    let authorization = trim_whitespace(authorization);
    // INVARIANT (ascii separator): a space or tab is one byte, so both sides are whole text.
    let (algorithm, components) = memchr::memchr2(b' ', b'\t', authorization.as_bytes())
        .and_then(|index| Some((authorization.get(..index)?, authorization.get(index + 1..)?)))
        .unwrap_or((authorization, ""));
    if algorithm != ALGORITHM {
        return Err(AuthError::IncompleteSignature(format!(
            "unsupported authorization algorithm `{}`, expected `{ALGORITHM}`",
            truncate(algorithm)
        )));
    }
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for component in split_ascii(components, b',').map(trim_whitespace) {
        // The `=` follows a short name, so a plain scan finds it sooner than `memchr`'s setup.
        let equals = component.bytes().position(|byte| byte == b'=');
        // INVARIANT (ascii separator): `=` is one byte, so both sides are whole text.
        let name_and_value =
            equals.and_then(|index| Some((component.get(..index)?, component.get(index + 1..)?)));
        let (name, value) = name_and_value.ok_or_else(|| {
            AuthError::IncompleteSignature(format!(
                "authorization component `{}` is not of the form name=value",
                truncate(component)
            ))
        })?;
        let slot = match name {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(AuthError::IncompleteSignature(format!(
                "authorization component `{name}` appears twice"
            )));
        }
    }
    let missing = |name: &str| {
        AuthError::IncompleteSignature(format!("authorization header is missing `{name}`"))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed_headers = signed_headers.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;

    let (amz_date, signed_at) = match headers.amz_date {
        Some(amz_date) => {
            let amz_date = trim_whitespace(amz_date);
            (Cow::Borrowed(amz_date), parse_amz_date(amz_date)?)
        }
        None => {
            let date = headers.date.ok_or_else(|| {
                AuthError::IncompleteSignature(
                    "the request has neither `X-Amz-Date` nor `Date`".to_owned(),
                )
            })?;
            let signed_at = parse_http_date(date)?;
            (Cow::Owned(format_amz_date(signed_at)), signed_at)
        }
    };
    Ok(SignatureFields {
        method: AuthenticationMethod::Header,
        credential: parse_credential(Cow::Borrowed(credential))?,
        signed_headers: Cow::Borrowed(signed_headers),
        signature: Cow::Borrowed(signature),
        amz_date,
        signed_at,
        expires_seconds: None,
        security_token: headers.security_token.map(Cow::Borrowed),
    })
}

fn query_fields<'a>(parameters: QueryAuthParameters<'a>) -> Result<SignatureFields<'a>, AuthError> {
    let required = |name: &str, value: Option<&'a str>| -> Result<Cow<'a, str>, AuthError> {
        value
            .ok_or_else(|| {
                AuthError::IncompleteSignature(format!("presigned request is missing `{name}`"))
            })
            .and_then(|value| decode_text(name, value))
    };
    let algorithm = required("X-Amz-Algorithm", parameters.algorithm)?;
    if algorithm != ALGORITHM {
        return Err(AuthError::IncompleteSignature(format!(
            "unsupported `X-Amz-Algorithm` `{}`, expected `{ALGORITHM}`",
            truncate(&algorithm)
        )));
    }
    let credential = required("X-Amz-Credential", parameters.credential)?;
    let amz_date = required("X-Amz-Date", parameters.date)?;
    let expires = required("X-Amz-Expires", parameters.expires)?;
    let signed_headers = required("X-Amz-SignedHeaders", parameters.signed_headers)?;
    let signature = required(SIGNATURE_PARAMETER, parameters.signature)?;
    let security_token = parameters
        .security_token
        .map(|token| decode_text(SECURITY_TOKEN_PARAMETER, token))
        .transpose()?;

    let expires_seconds = expires
        .parse::<u32>()
        .ok()
        .filter(|seconds| (1..=MAX_PRESIGNED_EXPIRES_SECONDS).contains(seconds))
        .ok_or_else(|| {
            AuthError::IncompleteSignature(format!(
                "`X-Amz-Expires` is `{}`, expected whole seconds from 1 to \
                 {MAX_PRESIGNED_EXPIRES_SECONDS}",
                truncate(&expires)
            ))
        })?;
    let signed_at = parse_amz_date(&amz_date)?;
    Ok(SignatureFields {
        method: AuthenticationMethod::Presigned,
        credential: parse_credential(credential)?,
        signed_headers,
        signature,
        amz_date,
        signed_at,
        expires_seconds: Some(expires_seconds),
        security_token,
    })
}

/// A checked `Credential` value, `access-key-id/date/region/service/aws4_request`, with the
/// positions of its parts.
#[derive(Clone)]
pub(super) struct Credential<'a> {
    text: Cow<'a, str>,
    /// The byte offsets of the four `/` that separate the parts. No part contains `/`.
    separators: [usize; 4],
}

impl Credential<'_> {
    #[inline]
    pub(super) fn access_key_id(&self) -> &str {
        let [key_id_end, ..] = self.separators;
        self.text.get(..key_id_end).unwrap_or_default()
    }

    #[inline]
    pub(super) fn scope(&self) -> BorrowedScope<'_> {
        let [key_id_end, date_end, region_end, service_end] = self.separators;
        let part = |start: usize, end: usize| self.text.get(start + 1..end).unwrap_or_default();
        BorrowedScope {
            date: part(key_id_end, date_end),
            region: part(date_end, region_end),
            service: part(region_end, service_end),
        }
    }

    /// Returns the credential without its `/aws4_request` terminator, which keys the
    /// signing-key cache. No part contains `/`, so distinct key ids and scopes give distinct
    /// keys.
    pub(super) fn cache_key(&self) -> &str {
        let [.., service_end] = self.separators;
        self.text.get(..service_end).unwrap_or_default()
    }
}

/// Splits `AKID/date/region/service/aws4_request` into the key id and the scope.
fn parse_credential(text: Cow<'_, str>) -> Result<Credential<'_>, AuthError> {
    let credential: &str = &text;
    let malformed = || {
        AuthError::IncompleteSignature(format!(
            "credential `{}` is not of the form `access-key-id/YYYYMMDD/region/service/aws4_request`",
            truncate(credential)
        ))
    };
    // The byte offsets of the four `/` that separate the five parts, found in one pass.
    let mut separators = [0usize; 4];
    let mut separator_count = 0;
    for (index, byte) in credential.bytes().enumerate() {
        if byte == b'/' {
            *separators.get_mut(separator_count).ok_or_else(malformed)? = index;
            separator_count += 1;
        }
    }
    let [key_id_end, date_end, region_end, service_end] = separators;
    // INVARIANT (ascii separator): `/` is one byte, so every offset is a character boundary.
    let (Some(access_key_id), Some(date), Some(region), Some(service), Some(terminator), 4) = (
        credential.get(..key_id_end),
        credential.get(key_id_end + 1..date_end),
        credential.get(date_end + 1..region_end),
        credential.get(region_end + 1..service_end),
        credential.get(service_end + 1..),
        separator_count,
    ) else {
        return Err(malformed());
    };

    let access_key_id_is_valid = !access_key_id.is_empty()
        && access_key_id.len() <= MAX_ACCESS_KEY_ID_LEN
        && access_key_id.bytes().fold(true, |valid, byte| {
            valid & matches!(byte, b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' | b'_')
        });
    let date_is_valid = date.len() == 8
        && date
            .bytes()
            .fold(true, |valid, byte| valid & byte.is_ascii_digit());
    let scope_part_is_valid = |part: &str| {
        !part.is_empty()
            && part.len() <= MAX_SCOPE_PART_LEN
            && part.bytes().fold(true, |valid, byte| {
                valid & matches!(byte, b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' | b'-' | b'_' | b'.')
            })
    };
    if !access_key_id_is_valid
        || !date_is_valid
        || !scope_part_is_valid(region)
        || !scope_part_is_valid(service)
    {
        return Err(malformed());
    }
    if terminator != "aws4_request" {
        return Err(AuthError::SignatureDoesNotMatch(format!(
            "credential scope terminator is `{}`, expected `aws4_request`",
            truncate(terminator)
        )));
    }

    Ok(Credential { text, separators })
}

/// Checks that the names in `SignedHeaders` are lower-case, sorted, unique and include `host`,
/// as every SigV4 signer writes them.
pub(super) fn check_signed_headers(signed_headers: &str) -> Result<(), AuthError> {
    let invalid = || {
        AuthError::IncompleteSignature(format!(
            "`SignedHeaders` `{}` is not a list of at most {MAX_SIGNED_HEADERS} lower-case \
             header names separated by `;`",
            truncate(signed_headers)
        ))
    };
    // Visible ASCII other than upper-case letters, checked over the whole list at once because
    // the separator `;` is in the same class. The fold has no early exit, which compiles to
    // fewer instructions per byte than `all`.
    let bytes_are_valid = signed_headers.bytes().fold(true, |valid, byte| {
        valid & matches!(byte, b'!'..=b'@' | b'['..=b'~')
    });
    if !bytes_are_valid {
        return Err(invalid());
    }
    let mut previous: &[u8] = &[];
    let mut has_host = false;
    for (count, name) in split_ascii(signed_headers, b';').enumerate() {
        if name.is_empty() || count >= MAX_SIGNED_HEADERS {
            return Err(invalid());
        }
        let name = name.as_bytes();
        if count > 0 && !is_before(previous, name) {
            return Err(AuthError::IncompleteSignature(format!(
                "`SignedHeaders` `{}` is not sorted or repeats a name",
                truncate(signed_headers)
            )));
        }
        has_host |= name == b"host";
        previous = name;
    }
    if !has_host {
        return Err(AuthError::IncompleteSignature(
            "`host` must be a signed header".to_owned(),
        ));
    }
    Ok(())
}

/// Returns whether `left` sorts strictly before `right`, byte by byte.
///
/// Header names differ within their first bytes, so a plain loop decides sooner than a call
/// to `memcmp`, which `<` on slices makes.
fn is_before(left: &[u8], right: &[u8]) -> bool {
    for (left_byte, right_byte) in left.iter().zip(right) {
        if left_byte != right_byte {
            return left_byte < right_byte;
        }
    }
    left.len() < right.len()
}

/// The raw values of the `X-Amz-*` authentication parameters of a presigned query.
#[derive(Default)]
struct QueryAuthParameters<'a> {
    algorithm: Option<&'a str>,
    credential: Option<&'a str>,
    date: Option<&'a str>,
    expires: Option<&'a str>,
    signed_headers: Option<&'a str>,
    signature: Option<&'a str>,
    security_token: Option<&'a str>,
}

impl<'a> QueryAuthParameters<'a> {
    /// Collects the authentication parameters of `query`, comparing names after
    /// percent-decoding as the canonical query does.
    ///
    /// # Errors
    ///
    /// [`AuthError::IncompleteSignature`] when one of them appears more than once, because the
    /// signature would cover only one of the values while a server may read another.
    fn parse(query: &'a str) -> Result<Self, AuthError> {
        let mut parameters = Self::default();
        for parameter in split_ascii(query, b'&') {
            let (raw_name, value) = split_once_ascii(parameter, b'=').unwrap_or((parameter, ""));
            // Every authentication parameter name starts with `X`, or with `%` when encoded.
            if !raw_name.starts_with(['X', '%']) {
                continue;
            }
            let name = if raw_name.contains(['%', '+']) {
                Cow::Owned(
                    String::from_utf8_lossy(&canonical::percent_decode(raw_name, true))
                        .into_owned(),
                )
            } else {
                Cow::Borrowed(raw_name)
            };
            let slot = match name.as_ref() {
                "X-Amz-Algorithm" => &mut parameters.algorithm,
                "X-Amz-Credential" => &mut parameters.credential,
                "X-Amz-Date" => &mut parameters.date,
                "X-Amz-Expires" => &mut parameters.expires,
                "X-Amz-SignedHeaders" => &mut parameters.signed_headers,
                SIGNATURE_PARAMETER => &mut parameters.signature,
                SECURITY_TOKEN_PARAMETER => &mut parameters.security_token,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(AuthError::IncompleteSignature(format!(
                    "query parameter `{name}` appears more than once; send each `X-Amz-*` \
                     authentication parameter once"
                )));
            }
        }
        Ok(parameters)
    }
}

/// Percent-decodes a query value that must be UTF-8.
fn decode_text<'a>(name: &str, value: &'a str) -> Result<Cow<'a, str>, AuthError> {
    if !value.contains(['%', '+']) {
        return Ok(Cow::Borrowed(value));
    }
    String::from_utf8(canonical::percent_decode(value, true))
        .map(Cow::Owned)
        .map_err(|_| {
            AuthError::IncompleteSignature(format!("query parameter `{name}` is not UTF-8"))
        })
}

/// Parses `YYYYMMDDTHHMMSSZ`.
pub(super) fn parse_amz_date(amz_date: &str) -> Result<Timestamp, AuthError> {
    let invalid = || {
        AuthError::IncompleteSignature(format!(
            "date `{}` is not of the form `YYYYMMDDTHHMMSSZ`",
            truncate(amz_date)
        ))
    };
    let bytes = amz_date.as_bytes();
    let [
        y1,
        y2,
        y3,
        y4,
        mo1,
        mo2,
        d1,
        d2,
        b'T',
        h1,
        h2,
        mi1,
        mi2,
        s1,
        s2,
        b'Z',
    ] = bytes
    else {
        return Err(invalid());
    };
    let number = |digits: &[u8]| -> Option<i16> {
        digits.iter().try_fold(0i16, |value, digit| {
            digit
                .is_ascii_digit()
                .then(|| value * 10 + i16::from(digit - b'0'))
        })
    };
    let narrow = |value: Option<i16>| value.and_then(|value| i8::try_from(value).ok());
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        number(&[*y1, *y2, *y3, *y4]),
        narrow(number(&[*mo1, *mo2])),
        narrow(number(&[*d1, *d2])),
        narrow(number(&[*h1, *h2])),
        narrow(number(&[*mi1, *mi2])),
        narrow(number(&[*s1, *s2])),
    ) else {
        return Err(invalid());
    };
    jiff::civil::DateTime::new(year, month, day, hour, minute, second, 0)
        .and_then(|datetime| jiff::tz::TimeZone::UTC.to_timestamp(datetime))
        .map_err(|_| invalid())
}

/// Parses an HTTP `Date` header (RFC 7231 IMF-fixdate, which RFC 2822 parsing accepts).
fn parse_http_date(date: &str) -> Result<Timestamp, AuthError> {
    jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(date.trim())
        .map_err(|_| {
            AuthError::IncompleteSignature(format!(
                "`Date` header `{}` is not an HTTP date",
                truncate(date)
            ))
        })
}

/// Formats a time as `YYYYMMDDTHHMMSSZ`.
pub(crate) fn format_amz_date(time: Timestamp) -> String {
    time.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// Shortens client-supplied text quoted in an error message.
fn truncate(text: &str) -> &str {
    const MAX_QUOTED: usize = 128;
    match text.char_indices().nth(MAX_QUOTED) {
        Some((end, _)) => text.get(..end).unwrap_or(text),
        None => text,
    }
}
