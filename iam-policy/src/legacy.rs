//! Checks that mirror AWS IAM's older policy parser, which rejects some documents that pass the
//! grammar with `The policy failed legacy parsing`.
//!
//! AWS does not document these rules. They are inferred from the documents IAM accepts and
//! rejects: an `Effect` not spelled exactly `Allow` or `Deny`, a date condition value that is
//! not a date, and a `Resource` ARN with an empty service or with five fields.

use crate::document::Span;
use crate::finding::{Finding, FindingKind};

/// AWS's message for every legacy-parsing failure.
pub(crate) const LEGACY_MESSAGE: &str = "The policy failed legacy parsing";

/// Builds a legacy-parsing finding.
pub(crate) fn finding(detail: String, span: &Span) -> Finding {
    Finding::new(FindingKind::LegacyParsing, LEGACY_MESSAGE, detail, span)
}

/// Returns whether a `Resource` value passes the legacy parser.
///
/// Only ARNs in a known partition (or `*`) are checked here; other values get the more precise
/// resource messages later. Such an ARN fails with five fields, or with an empty service.
pub(crate) fn resource_parses(resource: &str) -> bool {
    let Some(rest) = resource.strip_prefix("arn:") else {
        return true;
    };
    let fields: Vec<&str> = rest.splitn(5, ':').collect();
    let [partition, fields_after_partition @ ..] = fields.as_slice() else {
        return true;
    };
    if !is_known_partition(partition) {
        return true;
    }

    // Counting the leading `arn`, a well-formed ARN has six fields. Shorter ones with a service
    // (`arn:aws:s3`, `arn:aws:cloudfront:*`) pass here; five fields fail.
    let field_count = fields_after_partition.len() + 2;
    let service_empty = fields_after_partition
        .first()
        .is_some_and(|service| service.is_empty());
    !(field_count == 5 || service_empty)
}

/// Returns whether a partition field names a partition: a known one, or a wildcard pattern.
pub(crate) fn is_known_partition(partition: &str) -> bool {
    partition.contains(['*', '?'])
        || iam_model::Partition::ALL
            .iter()
            .any(|known| known.as_str() == partition)
}

/// Returns whether a date condition value passes the legacy parser.
///
/// Two forms pass. The first is an integer that fits in 64 bits (seconds since the Unix epoch).
/// The second is an ISO 8601 date with optional parts,
/// `YYYY[-MM[-DD]][T[hh[:mm[:ss[.fraction]]]][zone]]`. Its year has any number of digits, its
/// hour one or two and its fraction one to nine. `T` may be lower case, and the zone is `Z` or
/// `±hh[[:]mm]`.
pub(crate) fn date_parses(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return text.parse::<i64>().is_ok();
    }
    iso_date_parses(text)
}

fn iso_date_parses(text: &str) -> bool {
    let mut cursor = Cursor {
        rest: text.as_bytes(),
    };

    if cursor.digits(1, usize::MAX).is_none() {
        return false;
    }
    if cursor.eat(b'-') {
        if !cursor.number_in(2, 1..=12) {
            return false;
        }
        if cursor.eat(b'-') && !cursor.number_in(2, 1..=31) {
            return false;
        }
    }

    if cursor.eat(b'T') || cursor.eat(b't') {
        if let Some(hour) = cursor.digits(1, 2) {
            if hour > 23 {
                return false;
            }
            if cursor.eat(b':') {
                if !cursor.number_in(2, 0..=59) {
                    return false;
                }
                if cursor.eat(b':') {
                    if !cursor.number_in(2, 0..=60) {
                        return false;
                    }
                    if cursor.eat(b'.') && cursor.digits(1, 9).is_none() {
                        return false;
                    }
                }
            }
        }
        if !zone_parses(&mut cursor) {
            return false;
        }
    }
    cursor.rest.is_empty()
}

fn zone_parses(cursor: &mut Cursor<'_>) -> bool {
    if cursor.eat(b'Z') || cursor.eat(b'z') {
        return true;
    }
    if !(cursor.eat(b'+') || cursor.eat(b'-')) {
        return true;
    }
    if !cursor.number_in(2, 0..=23) {
        return false;
    }
    let colon = cursor.eat(b':');
    if colon || !cursor.rest.is_empty() {
        return cursor.number_in(2, 0..=59);
    }
    true
}

struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn eat(&mut self, byte: u8) -> bool {
        match self.rest.split_first() {
            Some((first, rest)) if *first == byte => {
                self.rest = rest;
                true
            }
            _ => false,
        }
    }

    /// Reads between `min` and `max` ASCII digits and returns their value. Returns `None` when
    /// fewer than `min` are present or the value does not fit in a `u64`.
    fn digits(&mut self, min: usize, max: usize) -> Option<u64> {
        let count = self
            .rest
            .iter()
            .take(max)
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        if count < min {
            return None;
        }
        let (digits, rest) = self.rest.split_at(count);
        self.rest = rest;
        digits.iter().try_fold(0u64, |value, digit| {
            value.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
        })
    }

    /// Reads exactly `width` digits whose value lies in `range`.
    fn number_in(&mut self, width: usize, range: std::ops::RangeInclusive<u64>) -> bool {
        self.digits(width, width)
            .is_some_and(|value| range.contains(&value))
    }
}

#[cfg(test)]
mod tests;
