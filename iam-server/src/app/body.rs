//! The request body, rejected before any of it is read when its declared length is over the
//! limit.
//!
//! The body limit alone counts bytes as they arrive, so a client that announces a large
//! `Content-Length` and then sends nothing would hold its connection until the body read
//! timeout. Checking the declared length first rejects such a request at once.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};

use super::AppState;

/// The body of a request, or why it could not be read.
pub(super) struct RequestBody(pub(super) Result<Bytes, BodyError>);

/// The reason a request body could not be read.
pub(super) enum BodyError {
    /// The declared or received length is over the server's limit.
    TooLarge,
    /// The body could not be read, for example because the client stopped sending it.
    Unreadable(BytesRejection),
}

impl FromRequest<Arc<AppState>> for RequestBody {
    type Rejection = Infallible;

    async fn from_request(request: Request, state: &Arc<AppState>) -> Result<Self, Infallible> {
        if declared_length(request.headers())
            .is_some_and(|length| length > state.settings.max_body_bytes as u64)
        {
            return Ok(Self(Err(BodyError::TooLarge)));
        }
        Ok(Self(match Bytes::from_request(request, state).await {
            Ok(bytes) => Ok(bytes),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(BodyError::TooLarge)
            }
            Err(rejection) => Err(BodyError::Unreadable(rejection)),
        }))
    }
}

/// Returns the length in `Content-Length`, when the header is present and a number.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}
