//! Recording every call in the audit trail.
//!
//! A call that changed state is recorded durably before its response is sent. If the trail
//! cannot take it, the client receives `ServiceFailure`. Other calls (reads, rejections,
//! denials) are queued and their responses sent without waiting for a disk sync.
//!
//! Requests hand their calls to one writer thread through a bounded queue. The writer encodes
//! each call's event straight from the call's typed fields, takes every call waiting in the
//! queue, and stores their events with one [`AuditSink::record_encoded_batch`], so one sync
//! covers many calls. Encoding on the writer thread keeps that work and its allocations off the
//! request path.
//!
//! The writer wakes at once for a call that waits for durability (and for a flush), but lets
//! calls that do not wait collect for up to [`LINGER`] or until [`WAKE_BATCH`] of them are
//! queued. On a machine with few cores, a writer woken for every call took CPU time from the
//! serving threads for thousands of small batches and syncs a second. A request that finds the
//! queue full waits for room, so a slow disk slows requests down instead of growing memory.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use iam_audit::{
    AuditError, AuditEvent, AuditSink, Authorization, Elements, EncodedEvent, EventSource,
    ListWriter, ObjectWriter, UserIdentity,
};
use iam_model::{AccountId, Clock, RandomSource};
use jiff::Timestamp;
use tokio::sync::{Semaphore, TryAcquireError, oneshot};

use crate::error::{ApiError, ErrorCode};
use crate::query::QueryParameters;
use crate::service::Service;
use crate::xml::{Fields, Node};

/// The maximum number of calls waiting for the writer thread.
pub const QUEUE_CAPACITY: usize = 4096;

/// The number of queued calls at which the writer stops waiting for more and stores them.
///
/// Batches are kept small because the writer's run can take a serving thread's core for its
/// whole batch. On 2 cores shared with a load generator, batches of 1,024 calls and a 5 ms
/// linger gave a p99 of 0.8 ms at one connection, and batches of 64 with 1 ms gave 0.27 ms.
/// A shorter linger lowered that p99 further but cost CPU per request at 32 connections, from
/// the extra wake-ups.
pub const WAKE_BATCH: usize = 64;

/// How long the writer lets calls that no request waits for collect before storing them. A
/// crash can lose the calls of this window, besides those still queued.
pub const LINGER: Duration = Duration::from_millis(1);

/// Hands audit events to a sink, waiting for durability only where the call changed state.
pub struct AuditRecorder {
    sink: Arc<dyn AuditSink>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn RandomSource>,
    queue: Arc<Queue>,
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

impl Queued {
    /// Returns whether a caller waits for this entry, so the writer must not linger.
    fn is_urgent(&self) -> bool {
        match self {
            Self::Call { stored, .. } => stored.is_some(),
            Self::Flush(_) => true,
        }
    }
}

/// The queue between the requests and the writer thread.
///
/// The writer holds the lock only to take the queued entries out, never while it encodes,
/// writes or syncs, so a request never waits for the disk to take its turn at the lock.
struct Queue {
    state: Mutex<QueueState>,
    /// Wakes the writer thread.
    wake: Condvar,
    /// One permit for each free place in the queue. A request takes one before it queues a
    /// call, and the writer returns them when it takes the calls out.
    room: Arc<Semaphore>,
}

struct QueueState {
    entries: Vec<Queued>,
    /// Whether some entry in `entries` has a caller waiting for it.
    urgent: bool,
    writer: WriterState,
    /// Set when the recorder is dropped: the writer stores what is left and stops.
    closed: bool,
    /// Set when the writer thread has stopped: nothing queued from then on is stored.
    stopped: bool,
}

/// The writer thread's activity, which decides whether a request's new entry must wake it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WriterState {
    /// Storing a batch: it looks at the queue again when done.
    Busy,
    /// Waiting for a first entry, without a timeout.
    Idle,
    /// Waiting, up to [`LINGER`], for more entries to join those queued.
    Lingering,
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
        let queue = Arc::new(Queue {
            state: Mutex::new(QueueState {
                entries: Vec::new(),
                urgent: false,
                writer: WriterState::Busy,
                closed: false,
                stopped: false,
            }),
            wake: Condvar::new(),
            room: Arc::new(Semaphore::new(QUEUE_CAPACITY)),
        });
        let writer = Writer {
            sink: Arc::clone(&sink),
            random: Arc::clone(&random),
            queue: Arc::clone(&queue),
        };
        std::thread::Builder::new()
            .name("audit-writer".to_owned())
            .spawn(move || writer.run())?;
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
    ///
    /// The flush marker takes no place in the queue, so it never waits for room.
    pub async fn flush(&self) {
        let (done, flushed) = oneshot::channel();
        if self.queue.push(Queued::Flush(done)).is_ok() {
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
        let queued = match self.queue.room.try_acquire() {
            Ok(permit) => {
                // The writer returns the place when it takes the call out of the queue.
                permit.forget();
                self.queue.push(entry)
            }
            Err(TryAcquireError::NoPermits) => {
                let queue = Arc::clone(&self.queue);
                let waited = tokio::spawn(async move {
                    let permit = Arc::clone(&queue.room).acquire_owned().await;
                    permit.map_err(|_| ())?.forget();
                    queue.push(entry)
                });
                waited.await.unwrap_or(Err(()))
            }
            Err(TryAcquireError::Closed) => Err(()),
        };
        queued.map_err(|()| {
            tracing::error!("audit writer stopped, event not recorded");
            trail_failure()
        })
    }

    /// Encodes the event of a call made now.
    ///
    /// # Errors
    ///
    /// As for [`EncodedEvent::new`].
    pub fn encode_event(&self, call: CallRecord) -> Result<EncodedEvent, AuditError> {
        encode_event(call, self.clock.now(), self.random.as_ref())
    }
}

impl Drop for AuditRecorder {
    fn drop(&mut self) {
        let mut state = self.queue.lock();
        state.closed = true;
        drop(state);
        self.queue.wake.notify_one();
    }
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `entry` and wakes the writer when it must see it now. Fails when the writer has
    /// stopped.
    fn push(&self, entry: Queued) -> Result<(), ()> {
        let mut state = self.lock();
        if state.stopped {
            return Err(());
        }
        state.urgent |= entry.is_urgent();
        state.entries.push(entry);
        let wake = match state.writer {
            WriterState::Busy => false,
            WriterState::Idle => true,
            WriterState::Lingering => state.urgent || state.entries.len() >= WAKE_BATCH,
        };
        drop(state);
        if wake {
            self.wake.notify_one();
        }
        Ok(())
    }
}

/// The writer thread's side of the queue.
struct Writer {
    sink: Arc<dyn AuditSink>,
    random: Arc<dyn RandomSource>,
    queue: Arc<Queue>,
}

impl Writer {
    /// Stores the queued calls in batches until the recorder is dropped and the queue is empty.
    fn run(self) {
        // Marks the queue stopped however the loop ends, a panic in the sink included, so that
        // requests fail instead of waiting for a writer that is gone.
        let _stopped = StopOnDrop(&self.queue);
        while let Some(batch) = self.next_batch() {
            write_batch(self.sink.as_ref(), self.random.as_ref(), batch);
        }
    }

    /// Waits for entries to store, and returns them with their places in the queue given back,
    /// or `None` once the recorder is dropped and nothing is left.
    fn next_batch(&self) -> Option<Vec<Queued>> {
        let mut state = self.queue.lock();
        let mut linger_until: Option<Instant> = None;
        loop {
            if state.entries.is_empty() {
                if state.closed {
                    return None;
                }
                state.writer = WriterState::Idle;
                state = self
                    .queue
                    .wake
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            let store_now = state.urgent || state.closed || state.entries.len() >= WAKE_BATCH;
            let now = Instant::now();
            let deadline = *linger_until.get_or_insert(now + LINGER);
            if store_now || now >= deadline {
                break;
            }
            state.writer = WriterState::Lingering;
            state = self
                .queue
                .wake
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }

        state.writer = WriterState::Busy;
        state.urgent = false;
        let batch = std::mem::take(&mut state.entries);
        drop(state);
        let places = batch
            .iter()
            .filter(|entry| matches!(entry, Queued::Call { .. }))
            .count();
        self.queue.room.add_permits(places);
        Some(batch)
    }
}

/// Marks the queue stopped when dropped, failing the calls still in it.
struct StopOnDrop<'a>(&'a Queue);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.stopped = true;
        // Dropping the entries drops their result channels, so each waiting caller learns
        // that its event was not stored.
        let entries = std::mem::take(&mut state.entries);
        drop(state);
        drop(entries);
        self.0.room.close();
    }
}

/// Returns whether recording `call` waits until its event is durable: a successful call that
/// changed state.
pub fn waits_for_durability(call: &CallRecord) -> bool {
    call.result.is_ok() && changes_state(call.service, call.action)
}

/// Encodes the event of a call made at `time`, drawing its event id from `random`, without
/// building JSON values: its parameters and response are written straight from their fields.
fn encode_event(
    call: CallRecord,
    time: Timestamp,
    random: &dyn RandomSource,
) -> Result<EncodedEvent, AuditError> {
    let source = match call.service {
        Service::Iam => EventSource::Iam,
        Service::Sts => EventSource::Sts,
    };
    let mut event = AuditEvent::<Elements>::empty(time, source, call.action);
    event.source_ip_address = call.source_ip_address;
    event.user_agent = call.user_agent;
    event.user_identity = call.user_identity;
    event.request_parameters = Some(Elements::build(|object| {
        write_parameters(object, &call.parameters);
    })?);
    event.request_id = call.request_id;
    event.event_id = iam_audit::generate_event_id(random);
    event.read_only = !changes_state(call.service, call.action);
    event.recipient_account_id = call.recipient_account_id;
    event.authorization = call.authorization;
    match call.result {
        Ok(Some(fields)) => {
            event.response_elements =
                Some(Elements::build(|object| write_fields(object, &fields))?);
        }
        Ok(None) => {}
        Err(error) => {
            event.error_code = Some(error.code.as_str().to_owned());
            event.error_message = Some(error.message);
        }
    }
    EncodedEvent::new(&event)
}

/// Stores one batch, sends each waiting caller its event's result, logs the failures of
/// events that no caller waits for, and acknowledges flush markers.
fn write_batch(sink: &dyn AuditSink, random: &dyn RandomSource, batch: Vec<Queued>) {
    let mut events = Vec::with_capacity(batch.len());
    let mut waiting = Vec::with_capacity(batch.len());
    let mut unencoded = Vec::new();
    let mut flushes = Vec::new();
    for queued in batch {
        match queued {
            Queued::Call { call, time, stored } => {
                let request_id = call.request_id.clone();
                match encode_event(*call, time, random) {
                    Ok(event) => {
                        events.push(event);
                        waiting.push((request_id, stored));
                    }
                    Err(error) => unencoded.push((request_id, stored, error)),
                }
            }
            Queued::Flush(done) => flushes.push(done),
        }
    }

    let results = sink.record_encoded_batch(events);
    let mut failures = Failures::default();
    for ((request_id, stored), result) in waiting.into_iter().zip(results) {
        failures.report(request_id, stored, result.map(|_| ()));
    }
    for (request_id, stored, error) in unencoded {
        failures.report(request_id, stored, Err(error));
    }
    failures.log();
    for done in flushes {
        let _ = done.send(());
    }
}

/// The failures of events that no caller waits for, logged once per batch.
#[derive(Default)]
struct Failures {
    unrecorded: usize,
    first: Option<(AuditError, String)>,
}

impl Failures {
    /// Sends a waiting caller its event's result, or counts a failure that no caller waits for.
    fn report(
        &mut self,
        request_id: String,
        stored: Option<oneshot::Sender<Result<(), AuditError>>>,
        result: Result<(), AuditError>,
    ) {
        match stored {
            // The caller's request may have been cancelled when its connection closed. Its
            // event is stored either way.
            Some(stored) => {
                let _ = stored.send(result);
            }
            None => {
                if let Err(error) = result {
                    self.unrecorded += 1;
                    self.first.get_or_insert((error, request_id));
                }
            }
        }
    }

    fn log(self) {
        if let Some((error, request_id)) = self.first {
            let unrecorded = self.unrecorded;
            tracing::error!(%error, request_id, unrecorded, "failed to record audit events");
        }
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

/// Writes the parameters keyed like CloudTrail (`userName`), leaving out `Action` and
/// `Version`, which the event records in its own fields, and the `X-Amz-*` signing parameters.
fn write_parameters(object: &mut ObjectWriter<'_>, parameters: &QueryParameters) {
    for (name, value) in parameters.iter() {
        let recorded = !matches!(name, "Action" | "Version") && !name.starts_with("X-Amz-");
        if recorded {
            object.string(&lower_camel(name), value);
        }
    }
}

fn write_fields(object: &mut ObjectWriter<'_>, fields: &Fields) {
    for (name, node) in fields.members() {
        write_member(object, &lower_camel(name), node);
    }
}

/// Writes a map's entries under their own keys, which are data (tag keys, for example) and so
/// keep their case.
fn write_map(object: &mut ObjectWriter<'_>, entries: &[(String, Node)]) {
    for (key, value) in entries {
        write_member(object, key, value);
    }
}

fn write_member(object: &mut ObjectWriter<'_>, name: &str, node: &Node) {
    match node {
        Node::Text(text) => object.string(name, text),
        Node::Structure(fields) => object.object(name, |inner| write_fields(inner, fields)),
        Node::List(items) => object.list(name, |list| write_items(list, items)),
        Node::Map(entries) => object.object(name, |map| write_map(map, entries)),
    }
}

fn write_items(list: &mut ListWriter<'_>, items: &[Node]) {
    for item in items {
        match item {
            Node::Text(text) => list.string(text),
            Node::Structure(fields) => list.object(|inner| write_fields(inner, fields)),
            Node::List(items) => list.list(|inner| write_items(inner, items)),
            Node::Map(entries) => list.object(|map| write_map(map, entries)),
        }
    }
}

/// Lower-cases the first letter of each dot-separated part: `Tags.member.1.Key` becomes
/// `tags.member.1.key`, as CloudTrail names request parameters.
fn lower_camel(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for (index, part) in name.split('.').enumerate() {
        if index > 0 {
            key.push('.');
        }
        let mut characters = part.chars();
        if let Some(first) = characters.next() {
            key.extend(first.to_lowercase());
            key.push_str(characters.as_str());
        }
    }
    key
}

#[cfg(test)]
mod tests;
