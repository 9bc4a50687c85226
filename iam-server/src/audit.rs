//! Recording every call in the audit trail.
//!
//! A call that changed state is recorded durably before its response is sent. If the trail
//! cannot take it, the client receives `ServiceFailure`. Other calls (reads, rejections,
//! denials) are queued and their responses sent without waiting for a disk sync.
//!
//! Requests hand their calls to one writer thread through a bounded queue. The writer builds
//! each call's event, takes every call waiting in the queue, up to [`MAX_BATCH`], and stores
//! their events with one [`AuditSink::record_batch`], so one sync covers many calls. Building
//! the event (its JSON values) on the writer thread keeps that work and its allocations off
//! the request path. A request that finds the queue full waits for room, so a slow disk slows
//! requests down instead of growing memory.

use std::sync::Arc;

use iam_audit::{AuditError, AuditEvent, AuditSink, Authorization, EventSource, UserIdentity};
use iam_model::{AccountId, Clock, RandomSource};
use jiff::Timestamp;
use serde_json::{Map, Value};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, oneshot};

use crate::error::{ApiError, ErrorCode, lower_first};
use crate::query::QueryParameters;
use crate::service::Service;
use crate::xml::{Fields, Node};

/// The maximum number of calls waiting for the writer thread.
pub const QUEUE_CAPACITY: usize = 4096;

/// The maximum number of events stored with one sync.
pub const MAX_BATCH: usize = 1024;

/// Hands audit events to a sink, waiting for durability only where the call changed state.
pub struct AuditRecorder {
    sink: Arc<dyn AuditSink>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn RandomSource>,
    queue: mpsc::Sender<Queued>,
}

/// An entry of the writer thread's queue.
enum Queued {
    /// A call and the time it was made, with the channel that receives the result of storing
    /// its event when the caller waits for it.
    Call {
        call: Box<CallRecord>,
        time: Timestamp,
        stored: Option<oneshot::Sender<Result<(), AuditError>>>,
    },
    /// A marker that the writer acknowledges once every call queued before it has been
    /// handed to the sink.
    Flush(oneshot::Sender<()>),
}

/// The facts about one call that its audit event records.
#[derive(Debug)]
pub struct CallRecord {
    /// The service that handled the call.
    pub service: Service,
    /// The action.
    pub action: &'static str,
    /// The request id sent to the client.
    pub request_id: String,
    /// The client's address, empty when unknown.
    pub source_ip_address: String,
    /// The client's `User-Agent` header, empty when absent.
    pub user_agent: String,
    /// The decoded parameters.
    pub parameters: QueryParameters,
    /// The caller as authentication established it.
    pub user_identity: UserIdentity,
    /// The account the call acted on.
    pub recipient_account_id: Option<AccountId>,
    /// The authorization decision, when the call got that far.
    pub authorization: Option<Authorization>,
    /// The result sent to the client.
    pub result: Result<Option<Fields>, ApiError>,
}

impl AuditRecorder {
    /// Creates a recorder writing to `sink` and starts its writer thread, which stops once the
    /// recorder is dropped and the queue is empty.
    ///
    /// # Errors
    ///
    /// Fails when the operating system cannot start the thread.
    pub fn new(
        sink: Arc<dyn AuditSink>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn RandomSource>,
    ) -> std::io::Result<Self> {
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let writer_sink = Arc::clone(&sink);
        let writer_random = Arc::clone(&random);
        std::thread::Builder::new()
            .name("audit-writer".to_owned())
            .spawn(move || run_writer(writer_sink.as_ref(), writer_random.as_ref(), receiver))?;
        Ok(Self {
            sink,
            clock,
            random,
            queue,
        })
    }

    /// Checks that the trail accepts events, so a change is not made that could not be
    /// recorded.
    ///
    /// # Errors
    ///
    /// `ServiceFailure` when the trail has failed.
    pub fn ready(&self) -> Result<(), ApiError> {
        self.sink.ready().map_err(|error| {
            tracing::error!(%error, "audit trail unavailable");
            trail_failure()
        })
    }

    /// Records a call. A successful call that changed state waits until its event is durable;
    /// every other call waits only for room in the queue.
    ///
    /// # Errors
    ///
    /// `ServiceFailure` when a state-changing call could not be recorded.
    pub async fn record(&self, call: CallRecord) -> Result<(), ApiError> {
        let changed_state = waits_for_durability(&call);
        let time = self.clock.now();
        if !changed_state {
            self.enqueue(call, time, None).await?;
            return Ok(());
        }

        let request_id = call.request_id.clone();
        let (stored, result) = oneshot::channel();
        self.enqueue(call, time, Some(stored)).await?;
        match result.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => {
                tracing::error!(%error, request_id, "failed to record audit event of a change");
                Err(trail_failure())
            }
            Err(_) => {
                tracing::error!(request_id, "audit writer stopped before storing an event");
                Err(trail_failure())
            }
        }
    }

    /// Waits until every call queued so far has been handed to the sink. The server calls it
    /// at shutdown, before the last digest is signed.
    pub async fn flush(&self) {
        let (done, flushed) = oneshot::channel();
        if self.queue.send(Queued::Flush(done)).await.is_ok() {
            // An error means the writer stopped, and then nothing is left to wait for.
            let _ = flushed.await;
        }
    }

    /// Puts a call in the writer's queue, waiting for room when it is full.
    ///
    /// A full queue is waited on in a spawned task, so the call still reaches the writer when
    /// the request is cancelled meanwhile (its client went away after the call was made).
    async fn enqueue(
        &self,
        call: CallRecord,
        time: Timestamp,
        stored: Option<oneshot::Sender<Result<(), AuditError>>>,
    ) -> Result<(), ApiError> {
        let entry = Queued::Call {
            call: Box::new(call),
            time,
            stored,
        };
        let queued = match self.queue.try_send(entry) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(entry)) => {
                let queue = self.queue.clone();
                match tokio::spawn(async move { queue.send(entry).await.is_ok() }).await {
                    Ok(true) => Ok(()),
                    Ok(false) | Err(_) => Err(()),
                }
            }
            Err(TrySendError::Closed(_)) => Err(()),
        };
        queued.map_err(|()| {
            tracing::error!("audit writer stopped, event not recorded");
            trail_failure()
        })
    }

    /// Builds the event for a call made now.
    pub fn event(&self, call: CallRecord) -> AuditEvent {
        build_event(call, self.clock.now(), self.random.as_ref())
    }
}

/// Returns whether recording `call` waits until its event is durable: a successful call that
/// changed state.
pub fn waits_for_durability(call: &CallRecord) -> bool {
    call.result.is_ok() && changes_state(call.service, call.action)
}

/// Builds the event for a call made at `time`, drawing its event id from `random`.
fn build_event(call: CallRecord, time: Timestamp, random: &dyn RandomSource) -> AuditEvent {
    let source = match call.service {
        Service::Iam => EventSource::Iam,
        Service::Sts => EventSource::Sts,
    };
    let mut event = AuditEvent::new(time, source, call.action);
    event.source_ip_address = call.source_ip_address;
    event.user_agent = call.user_agent;
    event.user_identity = call.user_identity;
    event.request_parameters = Some(parameters_json(&call.parameters));
    event.request_id = call.request_id;
    event.event_id = iam_audit::generate_event_id(random);
    event.read_only = !changes_state(call.service, call.action);
    event.recipient_account_id = call.recipient_account_id;
    event.authorization = call.authorization;
    match call.result {
        Ok(Some(fields)) => event.response_elements = Some(fields_json(&fields)),
        Ok(None) => {}
        Err(error) => {
            event.error_code = Some(error.code.as_str().to_owned());
            event.error_message = Some(error.message);
        }
    }
    event
}

/// Runs the writer thread: stores the queued calls in batches until the queue closes.
fn run_writer(sink: &dyn AuditSink, random: &dyn RandomSource, mut queue: mpsc::Receiver<Queued>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        write_batch(sink, random, batch.drain(..));
    }
}

/// Stores one batch, sends each waiting caller its event's result, logs the failures of
/// events that no caller waits for, and acknowledges flush markers.
fn write_batch(
    sink: &dyn AuditSink,
    random: &dyn RandomSource,
    batch: impl Iterator<Item = Queued>,
) {
    let mut events = Vec::new();
    let mut waiting = Vec::new();
    let mut flushes = Vec::new();
    for queued in batch {
        match queued {
            Queued::Call { call, time, stored } => {
                let event = build_event(*call, time, random);
                waiting.push((event.request_id.clone(), stored));
                events.push(event);
            }
            Queued::Flush(done) => flushes.push(done),
        }
    }

    let results = sink.record_batch(events);
    let mut unrecorded = 0_usize;
    let mut first_error = None;
    for ((request_id, stored), result) in waiting.into_iter().zip(results) {
        let result = result.map(|_| ());
        match stored {
            // The caller's request may have been cancelled when its connection closed. Its
            // event is stored either way.
            Some(stored) => {
                let _ = stored.send(result);
            }
            None => {
                if let Err(error) = result {
                    unrecorded += 1;
                    first_error.get_or_insert((error, request_id));
                }
            }
        }
    }
    if let Some((error, request_id)) = first_error {
        tracing::error!(%error, request_id, unrecorded, "failed to record audit events");
    }
    for done in flushes {
        let _ = done.send(());
    }
}

/// Returns whether an action can change stored state: every IAM action except reads
/// (`Get*`, `List*`, `Simulate*`). STS actions issue credentials but store nothing.
pub fn changes_state(service: Service, action: &str) -> bool {
    let reads = ["Get", "List", "Simulate"];
    service == Service::Iam && !reads.iter().any(|prefix| action.starts_with(prefix))
}

fn trail_failure() -> ApiError {
    ApiError::new(
        ErrorCode::ServiceFailure,
        "The request could not be recorded in the audit trail, so it was not acknowledged.",
    )
}

/// Converts the parameters to a JSON object keyed like CloudTrail (`userName`), leaving out
/// `Action` and `Version`, which the event records in its own fields.
fn parameters_json(parameters: &QueryParameters) -> Value {
    let object: Map<String, Value> = parameters
        .iter()
        .filter(|(name, _)| !matches!(*name, "Action" | "Version") && !name.starts_with("X-Amz-"))
        .map(|(name, value)| (lower_camel(name), Value::String(value.to_owned())))
        .collect();
    Value::Object(object)
}

fn fields_json(fields: &Fields) -> Value {
    Value::Object(
        fields
            .members()
            .iter()
            .map(|(name, node)| (lower_camel(name), node_json(node)))
            .collect(),
    )
}

fn node_json(node: &Node) -> Value {
    match node {
        Node::Text(text) => Value::String(text.clone()),
        Node::Structure(fields) => fields_json(fields),
        Node::List(items) => Value::Array(items.iter().map(node_json).collect()),
        Node::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(key, value)| (key.clone(), node_json(value)))
                .collect(),
        ),
    }
}

/// Lower-cases the first letter of each dot-separated part: `Tags.member.1.Key` becomes
/// `tags.member.1.key`, as CloudTrail names request parameters.
fn lower_camel(name: &str) -> String {
    name.split('.')
        .map(lower_first)
        .collect::<Vec<String>>()
        .join(".")
}

#[cfg(test)]
mod tests;
