//! The audit trail: one CloudTrail-shaped event for every call and decision, appended to
//! hash-chained segments on disk with signed digests, and a verifier that finds any change to
//! the log.
//!
//! The server builds an [`AuditEvent`] for each call and hands it to an [`AuditSink`] before it
//! acknowledges the call. Sinks redact secrets ([`redact_value`]) before storing anything.
//!
//! This crate does not decide what to record (the server does), does not evaluate policies
//! (the decision arrives as data in [`Authorization`]), and reads no clock of its own: time comes
//! from an injected [`iam_model::Clock`].
//!
//! Start reading at [`AuditEvent`], then [`AuditSink`].

mod error;
mod event;
mod query;
mod record;
mod redact;
mod segment;
mod sink;
mod trail;
mod verify;

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
