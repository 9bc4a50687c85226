//! Reading the trail: filtered, paginated queries newest first, and export as JSON lines.

use std::io::Write;
use std::path::Path;

use jiff::Timestamp;

use crate::record::{self, Body, Record};
use crate::segment::{self, SegmentFile};
use crate::{AuditError, AuditEvent};

/// The largest page a query returns.
pub const MAX_PAGE_SIZE: usize = 1000;

/// A filter on events, with a page size and position. Every filter that is set must match, and
/// unset filters match anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Returns only events at or after this time.
    pub start_time: Option<Timestamp>,
    /// Returns only events at or before this time.
    pub end_time: Option<Timestamp>,
    /// Returns only events whose caller has this ARN.
    pub principal_arn: Option<String>,
    /// Returns only events signed with this access key id.
    pub access_key_id: Option<String>,
    /// Returns only events of this action, such as `CreateUser`.
    pub event_name: Option<String>,
    /// Returns only read-only events (`true`) or only changes (`false`).
    pub read_only: Option<bool>,
    /// Returns only events that failed with this error code.
    pub error_code: Option<String>,
    /// The page size, from 1 to [`MAX_PAGE_SIZE`].
    pub max_results: usize,
    /// The token of the previous page's [`Page::next_token`], to continue after it.
    pub next_token: Option<String>,
}

impl Default for Query {
    fn default() -> Self {
        Self {
            start_time: None,
            end_time: None,
            principal_arn: None,
            access_key_id: None,
            event_name: None,
            read_only: None,
            error_code: None,
            max_results: 50,
            next_token: None,
        }
    }
}

impl Query {
    /// Reports whether `event` passes every filter of the query.
    pub fn matches(&self, event: &AuditEvent) -> bool {
        let identity = &event.user_identity;
        let principal_arn = identity.arn.as_ref().map(ToString::to_string);
        self.start_time
            .is_none_or(|start| event.event_time >= start)
            && self.end_time.is_none_or(|end| event.event_time <= end)
            && matches_text(self.principal_arn.as_deref(), principal_arn.as_deref())
            && matches_text(
                self.access_key_id.as_deref(),
                identity.access_key_id.as_deref(),
            )
            && matches_text(self.event_name.as_deref(), Some(&event.event_name))
            && self
                .read_only
                .is_none_or(|read_only| event.read_only == read_only)
            && matches_text(self.error_code.as_deref(), event.error_code.as_deref())
    }
}

fn matches_text(filter: Option<&str>, value: Option<&str>) -> bool {
    filter.is_none_or(|filter| value == Some(filter))
}

/// An event read back from the trail, with its place in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// The record's sequence number.
    pub sequence: u64,
    /// The event as stored, with secrets redacted.
    pub event: AuditEvent,
}

/// One page of query results, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The matching events, newest first.
    pub events: Vec<StoredEvent>,
    /// The token for the next page, absent on the last page.
    pub next_token: Option<String>,
}

/// Returns the page of events in the trail in `directory` that match `query`, newest first.
///
/// Each page scans the segments from the newest down until it has filled the page.
///
/// # Errors
///
/// Returns [`AuditError::InvalidQuery`] for a page size outside 1 to [`MAX_PAGE_SIZE`],
/// [`AuditError::InvalidPageToken`] for a token this function did not return, and
/// [`AuditError::Io`] or [`AuditError::Corrupt`] when a segment cannot be read.
// TODO: every query scans the segments it needs line by line. There is no index, so a filter
// that matches few events reads the whole trail.
pub fn query(directory: &Path, query: &Query) -> Result<Page, AuditError> {
    if !(1..=MAX_PAGE_SIZE).contains(&query.max_results) {
        return Err(AuditError::InvalidQuery(format!(
            "page size `{}` is outside 1 to {MAX_PAGE_SIZE}",
            query.max_results
        )));
    }
    let below = match &query.next_token {
        Some(token) => Some(decode_token(token)?),
        None => None,
    };

    let mut events = Vec::with_capacity(query.max_results);
    let mut segments = segment::list_segments(directory)?;
    segments.reverse();
    for segment_file in segments {
        if below.is_some_and(|below| segment_file.first_sequence >= below) {
            continue;
        }
        let Some(bytes) = read_segment(&segment_file)? else {
            continue;
        };
        let (lines, _) = segment::complete_lines(&bytes);
        for (index, line) in lines.iter().enumerate().rev() {
            let record = decode_line(&segment_file, index, line)?;
            if below.is_some_and(|below| record.sequence >= below) {
                continue;
            }
            let Body::Event(event) = record.body else {
                continue;
            };
            if !query.matches(&event) {
                continue;
            }
            if events.len() == query.max_results {
                // One more match exists, so there is a next page.
                let next_token = events
                    .last()
                    .map(|last: &StoredEvent| encode_token(last.sequence));
                return Ok(Page { events, next_token });
            }
            events.push(StoredEvent {
                sequence: record.sequence,
                event,
            });
        }
    }
    Ok(Page {
        events,
        next_token: None,
    })
}

/// Writes every event in the trail in `directory` that matches `filter`, oldest first, to `out`
/// as JSON lines: one CloudTrail-shaped event object per line. Returns how many it wrote.
///
/// `filter.max_results` and `filter.next_token` are ignored.
///
/// # Errors
///
/// Returns [`AuditError::Io`] when a segment cannot be read or `out` cannot be written, and
/// [`AuditError::Corrupt`] for a segment line that does not decode.
pub fn export(directory: &Path, filter: &Query, out: &mut dyn Write) -> Result<u64, AuditError> {
    let mut written = 0;
    for segment_file in segment::list_segments(directory)? {
        let Some(bytes) = read_segment(&segment_file)? else {
            continue;
        };
        let (lines, _) = segment::complete_lines(&bytes);
        for (index, line) in lines.iter().enumerate() {
            let record = decode_line(&segment_file, index, line)?;
            let Body::Event(event) = record.body else {
                continue;
            };
            if !filter.matches(&event) {
                continue;
            }
            serde_json::to_writer(&mut *out, &event).map_err(AuditError::Encode)?;
            out.write_all(b"\n")
                .map_err(|error| AuditError::io("write", "export output", error))?;
            written += 1;
        }
    }
    Ok(written)
}

/// Reads a segment, or returns `None` when retention removed it after it was listed.
///
/// The caller reads only complete lines, because the last line may still be being written.
fn read_segment(segment_file: &SegmentFile) -> Result<Option<Vec<u8>>, AuditError> {
    match std::fs::read(&segment_file.path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(AuditError::io("read", &segment_file.path, error)),
    }
}

fn decode_line(
    segment_file: &SegmentFile,
    index: usize,
    line: &[u8],
) -> Result<Record<AuditEvent>, AuditError> {
    record::decode(line).map_err(|reason| AuditError::Corrupt {
        path: segment_file.path.clone(),
        line: u64::try_from(index + 1).unwrap_or(u64::MAX),
        reason,
    })
}

fn encode_token(sequence: u64) -> String {
    format!("before-{sequence}")
}

fn decode_token(token: &str) -> Result<u64, AuditError> {
    token
        .strip_prefix("before-")
        .filter(|digits| !digits.is_empty() && digits.len() <= 20)
        .and_then(|digits| digits.parse().ok())
        .ok_or_else(|| AuditError::InvalidPageToken(token.chars().take(64).collect()))
}

#[cfg(test)]
mod tests;
