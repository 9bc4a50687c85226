//! The on-disk record format: hash-chained JSON lines and signed digests.
//!
//! Each record is one line of JSON, `{"seq":N,"prevHash":"…","event":{…}}` for an event or
//! `{"seq":N,"prevHash":"…","digest":{…}}` for a digest. A record's hash is the SHA-256 of its
//! line without the final newline, and the next record's `prevHash` repeats it, so changing any
//! byte of a record breaks the link from its successor. The first record of a trail has an
//! all-zero `prevHash`.

use std::fmt;
use std::io::Write as _;

use jiff::Timestamp;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

use crate::{AuditError, AuditEvent};

/// The largest encoded event the trail stores, in bytes: CloudTrail's own limit for one event.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

/// The text that opens every signed digest message, so a digest signature can never be taken
/// for a signature over anything else made with the same key.
const DIGEST_CONTEXT: &[u8] = b"iam-audit digest v1\n";

/// The SHA-256 hash of one record line.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RecordHash(pub [u8; 32]);

impl RecordHash {
    /// The `prevHash` of the first record of a trail.
    pub const ZERO: Self = Self([0; 32]);

    /// Hashes one record line, without its final newline.
    pub fn of(line: &[u8]) -> Self {
        Self(Sha256::digest(line).into())
    }

    /// Returns the hash as 64 lowercase hexadecimal digits.
    pub fn to_hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.0)
    }

    /// Parses 64 lowercase hexadecimal digits. Uppercase is rejected, so that each hash has
    /// exactly one spelling in a record.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = data_encoding::HEXLOWER.decode(text.as_bytes()).ok()?;
        bytes.try_into().ok().map(Self)
    }
}

impl fmt::Debug for RecordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for RecordHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for RecordHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_hex(&text).ok_or_else(|| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&text), &"64 hex digits")
        })
    }
}

/// An Ed25519 public key that verifies the trail's digests.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    /// Returns the public half of `key_pair`.
    pub fn of(key_pair: &Ed25519KeyPair) -> Self {
        let mut bytes = [0; 32];
        bytes.copy_from_slice(key_pair.public_key().as_ref());
        Self(bytes)
    }

    /// Returns the raw 32-byte key.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Returns the key as 64 lowercase hexadecimal digits, the form the verifier command reads.
    pub fn to_hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.0)
    }

    /// Parses 64 hexadecimal digits, ignoring surrounding whitespace.
    ///
    /// # Errors
    ///
    /// Returns [`AuditError::InvalidPublicKey`] for anything else.
    pub fn from_hex(text: &str) -> Result<Self, AuditError> {
        let trimmed = text.trim();
        let invalid = || AuditError::InvalidPublicKey(trimmed.chars().take(80).collect());
        let bytes = data_encoding::HEXLOWER_PERMISSIVE
            .decode(trimmed.as_bytes())
            .map_err(|_| invalid())?;
        bytes.try_into().map(Self).map_err(|_| invalid())
    }

    /// Returns the key id that digests carry: the first 8 bytes of the key's SHA-256, in hex.
    pub fn key_id(&self) -> String {
        let hash = Sha256::digest(self.0);
        data_encoding::HEXLOWER.encode(hash.get(..8).unwrap_or_default())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// A signed statement that the trail held `count` records and that the last of them hashed to
/// `last_hash` at `time`.
///
/// A digest is also a record of the chain: its own `seq` equals `count` and its `prevHash`
/// equals `last_hash`. Every segment starts with one, so a segment verifies on its own once the
/// segments before it are removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Digest {
    /// How many records precede this digest in the trail.
    pub count: u64,
    /// The hash of the record just before this digest.
    #[serde(rename = "lastHash")]
    pub last_hash: RecordHash,
    /// When the digest was signed.
    pub time: Timestamp,
    /// The [`PublicKey::key_id`] of the signing key.
    #[serde(rename = "keyId")]
    pub key_id: String,
    /// The Ed25519 signature, in hex.
    pub signature: String,
}

impl Digest {
    /// Signs a digest of `count` records ending in `last_hash`.
    pub fn sign(
        count: u64,
        last_hash: RecordHash,
        time: Timestamp,
        key_pair: &Ed25519KeyPair,
    ) -> Self {
        let signature = key_pair.sign(&signed_message(count, &last_hash, time));
        Self {
            count,
            last_hash,
            time,
            key_id: PublicKey::of(key_pair).key_id(),
            signature: data_encoding::HEXLOWER.encode(signature.as_ref()),
        }
    }

    /// Checks the signature against whichever of `keys` has the digest's key id.
    pub fn verify(&self, keys: &[PublicKey]) -> bool {
        let Some(key) = keys.iter().find(|key| key.key_id() == self.key_id) else {
            return false;
        };
        let Ok(signature) = data_encoding::HEXLOWER.decode(self.signature.as_bytes()) else {
            return false;
        };
        let message = signed_message(self.count, &self.last_hash, self.time);
        UnparsedPublicKey::new(&ED25519, key.as_bytes())
            .verify(&message, &signature)
            .is_ok()
    }
}

/// An in-memory hash chain: numbers records, links each to the previous one, and encodes them
/// as record lines into a buffer.
///
/// The on-disk [`Trail`](crate::Trail) keeps one and writes out what it encodes. It does not
/// redact: callers store only events that went through [`AuditEvent::redact`].
#[derive(Debug, Clone)]
pub struct Chain {
    next_sequence: u64,
    last_hash: RecordHash,
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    /// Starts an empty chain.
    pub fn new() -> Self {
        Self::resume(0, RecordHash::ZERO)
    }

    /// Continues a chain whose next record is `next_sequence` and whose last record hashed to
    /// `last_hash`.
    pub fn resume(next_sequence: u64, last_hash: RecordHash) -> Self {
        Self {
            next_sequence,
            last_hash,
        }
    }

    /// Returns the sequence number of the next record.
    pub fn next_sequence(&self) -> u64 {
        self.next_sequence
    }

    /// Returns the hash of the last record, or [`RecordHash::ZERO`] before the first.
    pub fn last_hash(&self) -> RecordHash {
        self.last_hash
    }

    /// Encodes `event` as the next record line at the end of `buffer` and returns its sequence
    /// number.
    ///
    /// # Errors
    ///
    /// Returns the errors of [`EncodedEvent::new`]; `buffer` and the chain are then unchanged.
    pub fn append_event<E: Serialize>(
        &mut self,
        event: &AuditEvent<E>,
        buffer: &mut Vec<u8>,
    ) -> Result<u64, AuditError> {
        let encoded = EncodedEvent::new(event)?;
        Ok(self.append_encoded(&encoded, buffer))
    }

    /// Appends an event encoded earlier as the next record line at the end of `buffer` and
    /// returns its sequence number.
    pub fn append_encoded(&mut self, event: &EncodedEvent, buffer: &mut Vec<u8>) -> u64 {
        let start = buffer.len();
        self.open_record(buffer, "event");
        buffer.extend_from_slice(&event.0);
        self.close_record(buffer, start)
    }

    /// Signs a digest of the chain so far, encodes it as the next record line at the end of
    /// `buffer`, and returns it with its sequence number.
    pub fn append_digest(
        &mut self,
        time: Timestamp,
        key_pair: &Ed25519KeyPair,
        buffer: &mut Vec<u8>,
    ) -> (u64, Digest) {
        let digest = Digest::sign(self.next_sequence, self.last_hash, time, key_pair);
        let start = buffer.len();
        self.open_record(buffer, "digest");
        // Serializing a `Digest` cannot fail, because it contains only strings, integers and a
        // timestamp, none of which serde_json rejects.
        let _ = serde_json::to_writer(&mut *buffer, &digest);
        (self.close_record(buffer, start), digest)
    }

    fn open_record(&self, buffer: &mut Vec<u8>, kind: &str) {
        buffer.extend_from_slice(b"{\"seq\":");
        // Formatting into the buffer directly avoids allocating a string per record, and writing
        // to a `Vec` cannot fail.
        let _ = write!(buffer, "{}", self.next_sequence);
        buffer.extend_from_slice(b",\"prevHash\":\"");
        let mut hex = [0_u8; 64];
        data_encoding::HEXLOWER.encode_mut(&self.last_hash.0, &mut hex);
        buffer.extend_from_slice(&hex);
        buffer.extend_from_slice(b"\",\"");
        buffer.extend_from_slice(kind.as_bytes());
        buffer.extend_from_slice(b"\":");
    }

    fn close_record(&mut self, buffer: &mut Vec<u8>, start: usize) -> u64 {
        buffer.push(b'}');
        self.last_hash = RecordHash::of(buffer.get(start..).unwrap_or_default());
        buffer.push(b'\n');
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        sequence
    }
}

/// An event encoded as JSON, ready to be chained.
///
/// Encoding is the costly part of appending, so the trail does it before it takes the lock that
/// orders records.
#[derive(Debug, Clone)]
pub struct EncodedEvent(Vec<u8>);

impl EncodedEvent {
    /// Encodes `event`. It does not redact: an event of JSON values must go through
    /// [`AuditEvent::redact`] first, and an event of [`Elements`](crate::Elements) was redacted
    /// as its elements were written.
    ///
    /// # Errors
    ///
    /// Returns [`AuditError::Encode`] when serialization fails and
    /// [`AuditError::EventTooLarge`] when the JSON exceeds [`MAX_EVENT_BYTES`].
    pub fn new<E: Serialize>(event: &AuditEvent<E>) -> Result<Self, AuditError> {
        // Most events are under 2 KiB (a `GetUser` call by an IAM user is about 1.2 KiB), so one
        // allocation usually suffices.
        let mut bytes = Vec::with_capacity(2048);
        serde_json::to_writer(&mut bytes, event).map_err(AuditError::Encode)?;
        if bytes.len() > MAX_EVENT_BYTES {
            return Err(AuditError::EventTooLarge {
                size: bytes.len(),
                max: MAX_EVENT_BYTES,
            });
        }
        Ok(Self(bytes))
    }

    /// Decodes the event again, with its elements as JSON values.
    ///
    /// # Errors
    ///
    /// Returns [`AuditError::Decode`] when the JSON is not an event.
    pub fn decode(&self) -> Result<AuditEvent, AuditError> {
        serde_json::from_slice(&self.0).map_err(AuditError::Decode)
    }

    /// Returns the length of the JSON in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Reports whether the JSON is empty, which never happens for an encoded event.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One decoded record line; `E` is [`AuditEvent`] to read events or [`IgnoredAny`] to skip them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Envelope<E> {
    pub(crate) seq: u64,
    #[serde(rename = "prevHash")]
    pub(crate) prev_hash: RecordHash,
    pub(crate) event: Option<E>,
    pub(crate) digest: Option<Digest>,
}

/// The content of a record line: an event or a digest.
#[derive(Debug)]
pub(crate) enum Body<E> {
    Event(E),
    Digest(Digest),
}

/// A record line decoded and hashed.
#[derive(Debug)]
pub(crate) struct Record<E> {
    pub(crate) sequence: u64,
    pub(crate) prev_hash: RecordHash,
    pub(crate) hash: RecordHash,
    pub(crate) body: Body<E>,
}

/// A record line with its event skipped.
pub(crate) type SkimmedRecord = Record<IgnoredAny>;

/// Decodes one record line, without its final newline.
pub(crate) fn decode<E: serde::de::DeserializeOwned>(line: &[u8]) -> Result<Record<E>, String> {
    let envelope: Envelope<E> = serde_json::from_slice(line).map_err(|error| error.to_string())?;
    let body = match (envelope.event, envelope.digest) {
        (Some(event), None) => Body::Event(event),
        (None, Some(digest)) => Body::Digest(digest),
        _ => return Err("expected exactly one of `event` and `digest`".to_owned()),
    };
    Ok(Record {
        sequence: envelope.seq,
        prev_hash: envelope.prev_hash,
        hash: RecordHash::of(line),
        body,
    })
}

fn signed_message(count: u64, last_hash: &RecordHash, time: Timestamp) -> Vec<u8> {
    let mut message = Vec::with_capacity(DIGEST_CONTEXT.len() + 8 + 32 + 12);
    message.extend_from_slice(DIGEST_CONTEXT);
    message.extend_from_slice(&count.to_be_bytes());
    message.extend_from_slice(&last_hash.0);
    message.extend_from_slice(&time.as_second().to_be_bytes());
    message.extend_from_slice(&time.subsec_nanosecond().to_be_bytes());
    message
}

#[cfg(test)]
mod tests;
