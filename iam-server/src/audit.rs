//! Recording every call in the audit trail.
//!
//! A call that changed state is recorded durably before its response is sent. If the trail
//! cannot take it, the client receives `ServiceFailure`. Other calls (reads, rejections,
//! denials) are recorded in the background so they never wait for a disk sync.

use std::sync::Arc;

use iam_audit::{AuditEvent, AuditSink, Authorization, EventSource, UserIdentity};
use iam_model::{AccountId, Clock, RandomSource};
use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorCode, lower_first};
use crate::query::QueryParameters;
use crate::service::Service;
use crate::xml::{Fields, Node};

/// Hands audit events to a sink, waiting for durability only where the call changed state.
pub struct AuditRecorder {
    sink: Arc<dyn AuditSink>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn RandomSource>,
}

/// The facts about one call that its audit event records.
#[derive(Debug)]
pub struct CallRecord<'a> {
    /// The service that handled the call.
    pub service: Service,
    /// The action.
    pub action: &'a str,
    /// The request id sent to the client.
    pub request_id: &'a str,
    /// The client's address, empty when unknown.
    pub source_ip_address: String,
    /// The client's `User-Agent` header, empty when absent.
    pub user_agent: String,
    /// The decoded parameters.
    pub parameters: &'a QueryParameters,
    /// The caller as authentication established it.
    pub user_identity: UserIdentity,
    /// The account the call acted on.
    pub recipient_account_id: Option<AccountId>,
    /// The authorization decision, when the call got that far.
    pub authorization: Option<Authorization>,
    /// The result sent to the client.
    pub result: &'a Result<Option<Fields>, ApiError>,
}

impl AuditRecorder {
    /// Creates a recorder writing to `sink`.
    pub fn new(
        sink: Arc<dyn AuditSink>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn RandomSource>,
    ) -> Self {
        Self {
            sink,
            clock,
            random,
        }
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
    /// every other call is recorded in the background.
    ///
    /// # Errors
    ///
    /// `ServiceFailure` when a state-changing call could not be recorded.
    pub async fn record(&self, call: CallRecord<'_>) -> Result<(), ApiError> {
        let changed_state = call.result.is_ok() && changes_state(call.service, call.action);
        let event = self.event(call);
        let sink = Arc::clone(&self.sink);
        let request_id = event.request_id.clone();
        let task = tokio::task::spawn_blocking(move || sink.record(event));
        if !changed_state {
            tokio::spawn(async move {
                match task.await {
                    Ok(Ok(_)) => {}
                    Ok(Err(error)) => {
                        tracing::error!(%error, request_id, "failed to record audit event");
                    }
                    Err(error) => {
                        tracing::error!(%error, request_id, "audit task failed");
                    }
                }
            });
            return Ok(());
        }
        match task.await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => {
                tracing::error!(%error, request_id, "failed to record audit event of a change");
                Err(trail_failure())
            }
            Err(error) => {
                tracing::error!(%error, request_id, "audit task failed");
                Err(trail_failure())
            }
        }
    }

    /// Builds the event for a call.
    pub fn event(&self, call: CallRecord<'_>) -> AuditEvent {
        let source = match call.service {
            Service::Iam => EventSource::Iam,
            Service::Sts => EventSource::Sts,
        };
        let mut event = AuditEvent::new(self.clock.now(), source, call.action);
        event.source_ip_address = call.source_ip_address;
        event.user_agent = call.user_agent;
        event.user_identity = call.user_identity;
        event.request_parameters = Some(parameters_json(call.parameters));
        event.request_id = call.request_id.to_owned();
        event.event_id = iam_audit::generate_event_id(self.random.as_ref());
        event.read_only = !changes_state(call.service, call.action);
        event.recipient_account_id = call.recipient_account_id;
        event.authorization = call.authorization;
        match call.result {
            Ok(Some(fields)) => event.response_elements = Some(fields_json(fields)),
            Ok(None) => {}
            Err(error) => {
                event.error_code = Some(error.code.as_str().to_owned());
                event.error_message = Some(error.message.clone());
            }
        }
        event
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
