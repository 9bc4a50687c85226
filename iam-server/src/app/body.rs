//! Reading the request body: the declared and received length against the limit, and the time
//! between the body's frames.
//!
//! A limit on the bytes received alone would let a client announce a large `Content-Length`
//! and then send nothing, holding its connection until the body read timeout. Checking the
//! declared length first rejects such a request at once.

use std::pin::Pin;
use std::task::Poll;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderMap, header};
use tokio::time::Sleep;

use super::BODY_READ_TIMEOUT;

/// The reason a request body could not be read.
#[derive(Debug)]
pub(super) enum BodyError {
    /// The declared or received length is over the server's limit.
    TooLarge,
    /// The body could not be read, for example because the connection failed.
    Unreadable(String),
    /// No part of the body arrived for [`BODY_READ_TIMEOUT`].
    TimedOut,
}

/// Reads the whole body of a request whose headers are `headers`, accepting at most
/// `max_bytes`.
///
/// Each frame of the body must arrive within [`BODY_READ_TIMEOUT`] of asking for it. The timer
/// is only started when the body has to be waited for, so a body that arrived with its headers
/// costs no timer.
pub(super) async fn read_body(
    headers: &HeaderMap,
    mut body: Body,
    max_bytes: usize,
) -> Result<Bytes, BodyError> {
    if declared_length(headers).is_some_and(|length| length > max_bytes as u64) {
        return Err(BodyError::TooLarge);
    }

    let mut first: Option<Bytes> = None;
    let mut joined: Vec<u8> = Vec::new();
    let mut length = 0_usize;
    while let Some(data) = next_data(&mut body).await? {
        length = length.saturating_add(data.len());
        if length > max_bytes {
            return Err(BodyError::TooLarge);
        }
        // A body that arrives in one frame is handed on without a copy.
        match first.take() {
            None if joined.is_empty() => first = Some(data),
            None => joined.extend_from_slice(&data),
            Some(earlier) => {
                joined.extend_from_slice(&earlier);
                joined.extend_from_slice(&data);
            }
        }
    }
    Ok(first.unwrap_or_else(|| Bytes::from(joined)))
}

/// Waits for the next data frame of `body`, skipping trailers, and returns `None` at its end.
async fn next_data(body: &mut Body) -> Result<Option<Bytes>, BodyError> {
    let mut timer: Option<Pin<Box<Sleep>>> = None;
    std::future::poll_fn(|context| {
        loop {
            let frame = match Pin::new(&mut *body).poll_frame(context) {
                Poll::Ready(Some(Ok(frame))) => frame,
                Poll::Ready(Some(Err(error))) => {
                    return Poll::Ready(Err(BodyError::Unreadable(error.to_string())));
                }
                Poll::Ready(None) => return Poll::Ready(Ok(None)),
                Poll::Pending => break,
            };
            if let Ok(data) = frame.into_data() {
                return Poll::Ready(Ok(Some(data)));
            }
        }
        let timer = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(BODY_READ_TIMEOUT)));
        timer
            .as_mut()
            .poll(context)
            .map(|()| Err(BodyError::TimedOut))
    })
    .await
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
