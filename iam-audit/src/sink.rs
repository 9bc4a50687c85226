//! The interface through which the server hands events to the trail.

use std::sync::{Arc, Mutex, PoisonError};

use crate::{AuditError, AuditEvent, EncodedEvent};

/// The position of a stored event in the trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Receipt {
    /// The record's sequence number: its position in the trail, from 0.
    pub sequence: u64,
}

/// A durable destination for audit events.
///
/// The server builds one [`AuditEvent`] per call and hands it to [`AuditSink::record`] before it
/// acknowledges the call. A sink redacts secrets before it stores anything.
pub trait AuditSink: Send + Sync {
    /// Stores `event` and returns once it is durable, that is once the call it describes may be
    /// acknowledged to the client.
    ///
    /// The call blocks while the record is written and synced; async callers run it on a
    /// blocking thread.
    ///
    /// # Errors
    ///
    /// Returns an error when the event cannot be stored. The caller must then fail the request
    /// instead of acknowledging it.
    fn record(&self, event: AuditEvent) -> Result<Receipt, AuditError>;

    /// Stores `events` in order and returns once every stored one is durable, with one result
    /// per event.
    ///
    /// Each event succeeds or fails on its own, so an event too large to store does not fail
    /// the others. The default records the events one by one. A sink that can make a whole
    /// batch durable with one sync, like [`crate::Trail`], overrides it.
    fn record_batch(&self, events: Vec<AuditEvent>) -> Vec<Result<Receipt, AuditError>> {
        events.into_iter().map(|event| self.record(event)).collect()
    }

    /// Stores events encoded earlier, in order, and returns once every stored one is durable,
    /// with one result per event. The events are stored as they are, so they must have been
    /// redacted before they were encoded.
    ///
    /// The default decodes each event and records it with [`AuditSink::record`]. The trail
    /// overrides it to store the encoded bytes without decoding them.
    fn record_encoded_batch(&self, events: Vec<EncodedEvent>) -> Vec<Result<Receipt, AuditError>> {
        events
            .into_iter()
            .map(|event| event.decode().and_then(|event| self.record(event)))
            .collect()
    }

    /// Checks that the sink can still accept events, so that the server can reject a change
    /// before making it instead of making it unrecorded.
    ///
    /// NOTE: the first failure shows only in `record`, after the change it describes was made.
    /// The server then fails that request, and `ready` rejects every later change.
    ///
    /// # Errors
    ///
    /// Returns [`AuditError::Unavailable`] when an earlier write failed.
    fn ready(&self) -> Result<(), AuditError>;
}

impl<T: AuditSink + ?Sized> AuditSink for Arc<T> {
    fn record(&self, event: AuditEvent) -> Result<Receipt, AuditError> {
        (**self).record(event)
    }

    fn record_batch(&self, events: Vec<AuditEvent>) -> Vec<Result<Receipt, AuditError>> {
        (**self).record_batch(events)
    }

    fn record_encoded_batch(&self, events: Vec<EncodedEvent>) -> Vec<Result<Receipt, AuditError>> {
        (**self).record_encoded_batch(events)
    }

    fn ready(&self) -> Result<(), AuditError> {
        (**self).ready()
    }
}

/// A sink that keeps events in memory, for tests that assert on the events a call produced.
///
/// It redacts like the on-disk trail and can be switched to fail, so that a test can check that
/// the server refuses changes it cannot record.
#[derive(Debug, Default)]
pub struct MemorySink {
    state: Mutex<MemoryState>,
}

#[derive(Debug, Default)]
struct MemoryState {
    events: Vec<AuditEvent>,
    failure: Option<String>,
}

impl MemorySink {
    /// Creates an empty sink that accepts events.
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns a copy of every event recorded so far, oldest first.
    pub fn events(&self) -> Vec<AuditEvent> {
        self.lock().events.clone()
    }

    /// Makes every later call fail with [`AuditError::Unavailable`] and `reason`, or accept
    /// events again when `reason` is `None`.
    pub fn set_failure(&self, reason: Option<String>) {
        self.lock().failure = reason;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl AuditSink for MemorySink {
    fn record(&self, mut event: AuditEvent) -> Result<Receipt, AuditError> {
        event.redact();

        let mut state = self.lock();
        if let Some(reason) = &state.failure {
            return Err(AuditError::Unavailable {
                reason: reason.clone(),
            });
        }
        let sequence = u64::try_from(state.events.len()).unwrap_or(u64::MAX);
        state.events.push(event);
        Ok(Receipt { sequence })
    }

    fn ready(&self) -> Result<(), AuditError> {
        match &self.lock().failure {
            Some(reason) => Err(AuditError::Unavailable {
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }
}
