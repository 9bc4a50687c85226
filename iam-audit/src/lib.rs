//! The audit trail: one CloudTrail-shaped event for every call and decision, appended to
//! hash-chained segments on disk with signed digests, and a verifier that names the first record
//! that was modified, deleted, reordered or inserted, or a truncation.
//!
//! What the verifier cannot see: a change to records after the newest digest (until a later
//! digest signs them), removal of the oldest segments (retention does the same), and a
//! truncation that also cuts the digests file, unless the caller kept a digest elsewhere.
//!
//! The server builds an [`AuditEvent`] for each call and hands it to an [`AuditSink`] before it
//! acknowledges the call. Sinks redact secrets ([`redact_value`]) before storing anything. The
//! on-disk sink is [`Trail`]: JSON lines in segment files, each record carrying the SHA-256 of
//! the one before, with Ed25519-signed [`Digest`] records at intervals and at the start of every
//! segment. Appends are synced before they return, and concurrent appends share one sync.
//!
//! Reading needs no open trail: [`verify`] checks a trail directory and names the first tampered
//! record (the `iam-audit-verify` command wraps it), [`query`] pages through events newest
//! first, and [`export`] writes them as JSON lines.
//!
//! This crate does not decide what to record (the server does), does not evaluate policies
//! (the decision arrives as data in [`Authorization`]), and reads no clock of its own: time comes
//! from an injected [`iam_model::Clock`]. The digest signing key is passed in.
//!
//! Start reading at [`AuditEvent`], then [`AuditSink`] and [`Trail`]; the record format is
//! described in the `record` module.

mod elements;
mod error;
mod event;
mod query;
mod record;
mod redact;
mod segment;
mod sink;
mod trail;
mod verify;

pub use elements::{Elements, ListWriter, ObjectWriter};
pub use error::AuditError;
pub use event::{
    AuditEvent, Authorization, Decision, EVENT_VERSION, Effect, EventSource, IdentityType,
    PolicyReference, PolicyType, SessionAttributes, SessionContext, SessionIssuer,
    StatementReference, UserIdentity, generate_event_id,
};
pub use query::{MAX_PAGE_SIZE, Page, Query, StoredEvent, export, query};
pub use record::{Chain, Digest, EncodedEvent, MAX_EVENT_BYTES, PublicKey, RecordHash};
pub use redact::{REDACTED, is_secret_field, redact_value};
pub use sink::{AuditSink, MemorySink, Receipt};
pub use trail::{OpenReport, Retention, RetentionReport, Trail, TrailConfig};
pub use verify::{Location, Tamper, VerifyReport, verify};
