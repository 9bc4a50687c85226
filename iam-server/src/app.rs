//! The HTTP application: routes, middleware and the Query API request pipeline.

use std::any::Any;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use iam_audit::{AuditSink, Authorization, UserIdentity};
use iam_auth::AuthError;
use iam_auth::password::PasswordHasher;
use iam_auth::seal::Keyring;
use iam_auth::sigv4::ParsedSignature;
use iam_model::{Clock, Quotas, RandomSource};
use iam_store::IamStore;
use tower_http::catch_panic::CatchPanicLayer;
use tracing::{Instrument, field};

use crate::audit::{AuditRecorder, CallRecord, changes_state};
use crate::authorize::{RequestOrigin, authorize};
use crate::bootstrap::RootAccount;
use crate::config::Settings;
use crate::error::{ApiError, ErrorCode, service_failure};
use crate::evaluation::PolicyCache;
use crate::identity::{Authenticated, Authenticator, credential, parse_signature};
use crate::metrics::Metrics;
use crate::operations::{self, Call, CredentialReports, PasswordAttempts};
use crate::query::QueryParameters;
use crate::service::Service;
use crate::session::{SessionKeys, Sessions};
use crate::store_cache::StoreCache;
use crate::xml::{self, Fields};

use body::{BodyError, read_body};

mod body;

/// The header that carries the request id in every Query API response.
pub const REQUEST_ID_HEADER: &str = "x-amzn-RequestId";

/// [`REQUEST_ID_HEADER`] as a parsed name, in the lowercase form HTTP/1 writes it in.
static REQUEST_ID_HEADER_NAME: HeaderName = HeaderName::from_static("x-amzn-requestid");

/// Everything a request handler needs, shared by all requests.
pub struct AppState {
    /// The resolved settings.
    pub settings: Settings,
    /// The metrics registry.
    pub metrics: Metrics,
    /// The source of the current time.
    pub clock: Arc<dyn Clock>,
    /// The source of random bytes for request ids.
    pub random: Arc<dyn RandomSource>,
    /// The audit recorder; `None` when auditing is switched off.
    pub audit: Option<AuditRecorder>,
    /// The store of all IAM state.
    pub store: Arc<dyn IamStore>,
    /// The keyring that seals stored secrets.
    pub keyring: Arc<Keyring>,
    /// The signature verifier.
    pub authenticator: Authenticator,
    /// The quotas in force, the same the store enforces.
    pub quotas: Quotas,
    /// Compiled policies of users and roles, invalidated from the store's change feed.
    pub policies: Arc<PolicyCache>,
    /// The account and its root user.
    pub root: RootAccount,
    /// The hasher of new console passwords.
    pub password_hasher: PasswordHasher,
    /// Failed `ChangePassword` attempts per user, which lock a password for a while.
    pub password_attempts: PasswordAttempts,
    /// The folder of OpenID Connect signing key files, or `None` when the server has no data
    /// directory.
    pub oidc_jwks_dir: Option<PathBuf>,
    /// The STS operations and the verification of session credentials.
    pub sessions: Arc<Sessions>,
    /// Access keys and users read on every request, invalidated from the store's change feed.
    pub store_cache: Arc<StoreCache>,
    /// The credential report of each account.
    pub credential_reports: Arc<CredentialReports>,
}

impl AppState {
    /// Creates the state from settings, the injected clock and random source, the store, the
    /// keyring of stored secrets, the keys of session tokens and authorization messages, and
    /// the root account.
    pub fn new(
        settings: Settings,
        clock: Arc<dyn Clock>,
        random: Arc<dyn RandomSource>,
        store: Arc<dyn IamStore>,
        keyring: Arc<Keyring>,
        session_keys: SessionKeys,
        root: RootAccount,
    ) -> Self {
        let sessions = Arc::new(Sessions::new(
            Arc::clone(&store),
            Arc::clone(&keyring),
            session_keys,
            Arc::clone(&clock),
            Arc::clone(&random),
        ));
        let authenticator = Authenticator::new(
            Arc::clone(&store),
            Arc::clone(&keyring),
            Arc::clone(&sessions),
            Arc::clone(&clock),
            &settings.allowed_regions,
        );
        let policies = Arc::new(PolicyCache::following(store.as_ref()));
        let store_cache = Arc::clone(authenticator.store_cache());
        Self {
            settings,
            metrics: Metrics::new(),
            clock,
            random,
            audit: None,
            store,
            keyring,
            authenticator,
            quotas: Quotas::default(),
            policies,
            root,
            password_hasher: PasswordHasher::default(),
            password_attempts: PasswordAttempts::default(),
            oidc_jwks_dir: None,
            sessions,
            store_cache,
            credential_reports: Arc::new(CredentialReports::new()),
        }
    }

    /// Hashes new console passwords with `hasher`, such as one with fewer iterations in tests.
    pub fn with_password_hasher(mut self, hasher: PasswordHasher) -> Self {
        self.password_hasher = hasher;
        self
    }

    /// Reads OpenID Connect signing keys from `directory`; see [`crate::oidc_keys`].
    pub fn with_oidc_jwks_dir(mut self, directory: PathBuf) -> Self {
        self.oidc_jwks_dir = Some(directory);
        self
    }

    /// Records every call in `sink` from now on.
    ///
    /// # Errors
    ///
    /// Fails when the audit writer thread cannot be started.
    pub fn with_audit(mut self, sink: Arc<dyn AuditSink>) -> std::io::Result<Self> {
        self.audit = Some(AuditRecorder::new(
            sink,
            Arc::clone(&self.clock),
            Arc::clone(&self.random),
        )?);
        Ok(self)
    }

    /// Draws a new request id in the UUID version 4 form AWS uses.
    pub fn new_request_id(&self) -> String {
        let mut bytes = [0_u8; 16];
        self.random.fill(&mut bytes);
        format_uuid_v4(bytes)
    }
}

/// How long a client may take to send each part of a request body once its headers have
/// arrived.
///
/// Without a limit, a client that stops sending halfway through a body keeps a connection and
/// a task busy for as long as it likes. A body that times out is rejected as unreadable.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Builds the router: the Query API on `/`, which reads the body within the body limit and the
/// body read timeout, `/health` and `/metrics`, with the panic handler.
pub fn router(state: Arc<AppState>) -> Router {
    let panic_state = Arc::clone(&state);
    Router::new()
        .route("/", get(handle_query).post(handle_query))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .layer(CatchPanicLayer::custom(
            move |panic: Box<dyn Any + Send>| panic_response(&panic_state, panic.as_ref()),
        ))
        .with_state(state)
}

async fn health() -> &'static str {
    "ok\n"
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let content_type = HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8");
    (
        [(header::CONTENT_TYPE, content_type)],
        state.metrics.render(),
    )
        .into_response()
}

/// The outcome of one Query API request, before it is written as XML.
struct Outcome {
    service: Option<Service>,
    action: Option<&'static str>,
    parameters: QueryParameters,
    authenticated: Option<Authenticated>,
    /// The caller of an unsigned action, which has no `authenticated`.
    unsigned_caller: Option<UserIdentity>,
    authorization: Option<Authorization>,
    result: Result<Option<Fields>, ApiError>,
}

// The handler takes the whole request, because axum's `Parts` extractor clones the headers and
// extensions.
async fn handle_query(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = read_body(&parts.headers, body, state.settings.max_body_bytes).await;
    let started = Instant::now();
    let _in_flight = state.metrics.start_request();
    let request_id = state.new_request_id();
    let source = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| *address);
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        action = field::Empty,
        arn = field::Empty,
    );

    let mut outcome = handle_decoded(&state, &parts, body)
        .instrument(span.clone())
        .await;
    let audit = match (&state.audit, outcome.service, outcome.action) {
        (Some(audit), Some(service), Some(action)) => Some((audit, service, action)),
        _ => None,
    };
    let user_agent = || header_text(&parts.headers, header::USER_AGENT);
    // A change is recorded durably before its response is rendered, because a change that
    // cannot be recorded gets the response `ServiceFailure`. Every other call's record only
    // needs room in the queue, so its result is rendered first and then moved into the record.
    let mut deferred = None;
    if let Some((audit, service, action)) = audit {
        let durable = outcome.result.is_ok() && changes_state(service, action);
        if durable {
            let result = outcome.result.clone();
            let call = call_record(
                &mut outcome,
                service,
                action,
                &request_id,
                source,
                user_agent(),
                result,
            );
            if let Err(error) = audit.record(call).instrument(span.clone()).await {
                outcome.result = Err(error);
            }
        } else {
            deferred = Some((audit, service, action));
        }
    }

    let namespace = outcome.service.unwrap_or(Service::Iam).namespace();
    let mut rendered = render(
        namespace,
        outcome.action,
        &outcome.result,
        &request_id,
        &span,
    );
    if let Some((audit, service, action)) = deferred {
        let result = std::mem::replace(&mut outcome.result, Ok(None));
        let call = call_record(
            &mut outcome,
            service,
            action,
            &request_id,
            source,
            user_agent(),
            result,
        );
        if let Err(error) = audit.record(call).instrument(span.clone()).await {
            rendered = render(namespace, outcome.action, &Err(error), &request_id, &span);
        }
    }
    let (status, body, code) = rendered;
    state
        .metrics
        .record_request(outcome.service, outcome.action, code, started.elapsed());
    xml_response(status, body, &request_id)
}

/// Writes the XML response to a request: its status, its body and, for an error, its code.
fn render(
    namespace: &str,
    action: Option<&'static str>,
    result: &Result<Option<Fields>, ApiError>,
    request_id: &str,
    span: &tracing::Span,
) -> (StatusCode, Vec<u8>, Option<ErrorCode>) {
    match result {
        Ok(result) => {
            let action = action.unwrap_or("Unknown");
            let body = xml::render_response(namespace, action, result.as_ref(), request_id);
            (StatusCode::OK, body, None)
        }
        Err(error) => {
            span.in_scope(|| log_error(error));
            let body = xml::render_error(namespace, error, request_id);
            (error.code.status(), body, Some(error.code))
        }
    }
}

/// Collects the audit record of a call, taking its parameters and decision from `outcome`.
fn call_record(
    outcome: &mut Outcome,
    service: Service,
    action: &'static str,
    request_id: &str,
    source: Option<SocketAddr>,
    user_agent: String,
    result: Result<Option<Fields>, ApiError>,
) -> CallRecord {
    let authenticated = outcome.authenticated.as_ref();
    CallRecord {
        service,
        action,
        request_id: request_id.to_owned(),
        source_ip_address: source
            .map(|address| address.ip().to_string())
            .unwrap_or_default(),
        user_agent,
        parameters: std::mem::take(&mut outcome.parameters),
        user_identity: authenticated
            .map(|authenticated| {
                authenticated
                    .caller
                    .audit_identity(&authenticated.access_key_id)
            })
            .or_else(|| outcome.unsigned_caller.take())
            .unwrap_or_default(),
        recipient_account_id: authenticated.map(|authenticated| authenticated.caller.account()),
        authorization: outcome.authorization.take(),
        result,
    }
}

/// Logs an error sent to the client: at `debug` for the client's fault, at `error` for the
/// server's.
fn log_error(error: &ApiError) {
    if error.code.is_sender_fault() {
        tracing::debug!(code = %error.code, error_message = %error.message, "request rejected");
    } else {
        tracing::error!(code = %error.code, error_message = %error.message, "request failed");
    }
}

/// Decodes, routes and runs one request.
async fn handle_decoded(
    state: &AppState,
    parts: &Parts,
    body: Result<Bytes, BodyError>,
) -> Outcome {
    let signature = parse_signature(parts);
    let mut outcome = Outcome {
        service: scope_service(parts, &signature),
        action: None,
        parameters: QueryParameters::default(),
        authenticated: None,
        unsigned_caller: None,
        authorization: None,
        result: Ok(None),
    };
    let result = run_pipeline(state, parts, body, signature, &mut outcome).await;
    outcome.result = result;
    outcome
}

/// Decodes, routes, authenticates, authorizes and runs one request, filling `outcome` as each
/// step learns more about the call.
async fn run_pipeline(
    state: &AppState,
    parts: &Parts,
    body: Result<Bytes, BodyError>,
    signature: Result<ParsedSignature<'_>, AuthError>,
    outcome: &mut Outcome,
) -> Result<Option<Fields>, ApiError> {
    let body = body.map_err(body_error)?;
    outcome.parameters = decode_parameters(&parts.method, &parts.uri, &parts.headers, &body)?;
    let (service, routed) = route(outcome.service, &outcome.parameters);
    outcome.service = Some(service);
    let action = routed?;
    outcome.action = Some(action);
    let span = tracing::Span::current();
    span.record("action", action);
    if operations::sts::is_unsigned(service, action) {
        let (result, caller) =
            operations::sts::execute_unsigned(state, action, &outcome.parameters).await;
        outcome.unsigned_caller = Some(caller);
        return result;
    }

    let authenticated = state
        .authenticator
        .authenticate(parts, &body, service, signature)
        .await?;
    // Formatting the ARN costs more than the rest of the span, so it is skipped when no
    // subscriber records the span.
    if !span.is_disabled() {
        span.record("arn", authenticated.caller.arn());
    }
    // The outcome keeps the caller for the audit record, and the steps below borrow it from
    // there instead of cloning it.
    let authenticated = outcome.authenticated.insert(authenticated);
    let caller = &authenticated.caller;
    let origin = RequestOrigin {
        source_ip: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip()),
        secure_transport: state.settings.tls.is_some(),
        requested_region: &authenticated.region,
    };
    let verdict = authorize(state, caller, service, action, &outcome.parameters, origin).await;
    let verdict = verdict?;
    outcome.authorization = verdict.authorization;
    if let Some(denial) = verdict.denial {
        if !verdict.allowed {
            return Err(denial);
        }
        tracing::info!(denial = %denial.message, "log-only mode: allowing a denied call");
    }

    if let (true, Some(audit)) = (changes_state(service, action), &state.audit) {
        audit.ready()?;
    }
    let call = Call {
        state,
        caller,
        parameters: &outcome.parameters,
    };
    match operations::execute(service, action, &call).await {
        Some(result) => result,
        None => Err(not_implemented(service, action)),
    }
}

/// Turns a body that could not be read into the client error.
fn body_error(error: BodyError) -> ApiError {
    match error {
        BodyError::TooLarge => ApiError::new(
            ErrorCode::InvalidParameterValue,
            "The request body is larger than the server accepts.",
        ),
        BodyError::Unreadable(reason) => ApiError::new(
            ErrorCode::MalformedQueryString,
            format!("The request body could not be read: {reason}"),
        ),
        BodyError::TimedOut => ApiError::new(
            ErrorCode::MalformedQueryString,
            format!(
                "The request body could not be read: no part of it arrived within {} seconds.",
                BODY_READ_TIMEOUT.as_secs()
            ),
        ),
    }
}

/// Reads the parameters from the query string and, for `POST`, the form body.
fn decode_parameters(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<QueryParameters, ApiError> {
    let form_body = if *method == Method::POST && !body.is_empty() {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("application/x-www-form-urlencoded");
        if !content_type.starts_with("application/x-www-form-urlencoded") {
            return Err(ApiError::new(
                ErrorCode::InvalidParameterValue,
                format!(
                    "Unsupported Content-Type {content_type}; send application/x-www-form-urlencoded."
                ),
            ));
        }
        Some(body.as_ref())
    } else {
        None
    };
    QueryParameters::decode(uri.query(), form_body)
}

/// Picks the service and action: the service from the signature's credential scope when the
/// request has one, otherwise from `Version` (IAM when neither names one), then the action
/// within it.
fn route(
    scope_service: Option<Service>,
    parameters: &QueryParameters,
) -> (Service, Result<&'static str, ApiError>) {
    let version_service = parameters.version().and_then(Service::from_version);
    let service = scope_service.or(version_service).unwrap_or(Service::Iam);
    (service, route_action(service, parameters))
}

/// Checks `Version` and finds `Action` among the service's actions.
fn route_action(service: Service, parameters: &QueryParameters) -> Result<&'static str, ApiError> {
    let Some(action) = parameters.action() else {
        return Err(ApiError::new(
            ErrorCode::MissingAction,
            "The request must contain the parameter Action.",
        ));
    };
    match parameters.version() {
        None => {
            return Err(ApiError::new(
                ErrorCode::MissingParameter,
                "The request must contain the parameter Version.",
            ));
        }
        Some(version) if version != service.version() => {
            return Err(ApiError::new(
                ErrorCode::InvalidAction,
                format!("Could not find operation {action} for version {version}"),
            ));
        }
        Some(_) => {}
    }
    let Some(known) = service.action(action) else {
        return Err(ApiError::new(
            ErrorCode::InvalidAction,
            format!(
                "Could not find operation {action} for version {}",
                service.version()
            ),
        ));
    };
    Ok(known)
}

/// Reads the service from the credential scope (`AKID/20260101/us-east-1/iam/aws4_request`)
/// of the parsed signature, not yet verified. When parsing failed, the `Credential` alone is
/// looked for in `parts`, so the error response still uses the XML namespace of the service
/// the client signed for.
fn scope_service(
    parts: &Parts,
    signature: &Result<ParsedSignature<'_>, AuthError>,
) -> Option<Service> {
    if let Ok(signature) = signature {
        return Service::from_name(signature.service());
    }
    let credential = credential(&parts.headers, parts.uri.query().unwrap_or(""))?;
    let service = credential.split('/').nth(3)?;
    Service::from_name(service)
}

fn not_implemented(service: Service, action: &str) -> ApiError {
    // TODO: Actions not built yet return this error. Clients see a 400 `InvalidAction` naming
    // the action, never a 5xx.
    ApiError::new(
        ErrorCode::InvalidAction,
        format!(
            "The action {action} of {} is not implemented by this server yet.",
            service.name().to_uppercase()
        ),
    )
}

/// Returns a header's value as text, empty when absent or not visible ASCII.
fn header_text(headers: &HeaderMap, name: header::HeaderName) -> String {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn xml_response(status: StatusCode, body: Vec<u8>, request_id: &str) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID_HEADER_NAME.clone(), value);
    }
    response
}

/// Builds the `ServiceFailure` response for a panic and logs the panic message.
fn panic_response(state: &AppState, panic: &(dyn Any + Send)) -> Response {
    let request_id = state.new_request_id();
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("non-text panic payload");
    tracing::error!(request_id = %request_id, panic = message, "request handler panicked");
    let error = service_failure();
    let body = xml::render_error(Service::Iam.namespace(), &error, &request_id);
    xml_response(error.code.status(), body, &request_id)
}

/// Formats 16 random bytes as a version 4 UUID, setting the version and variant bits.
fn format_uuid_v4(bytes: [u8; 16]) -> String {
    let mut value = u128::from_be_bytes(bytes);
    value = (value & !(0xf << 76)) | (0x4 << 76);
    value = (value & !(0x3 << 62)) | (0x2 << 62);
    // Written digit by digit, which keeps the formatting machinery off every request.
    let mut text = String::with_capacity(36);
    for index in 0..32 {
        if matches!(index, 8 | 12 | 16 | 20) {
            text.push('-');
        }
        let digit = (value >> (124 - 4 * index)) & 0xf;
        text.push(char::from_digit(digit as u32, 16).unwrap_or('0'));
    }
    text
}

#[cfg(test)]
mod tests;
