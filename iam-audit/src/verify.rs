//! The verifier: reads a trail and reports the first record that was changed.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::IgnoredAny;

use crate::AuditError;
use crate::record::{self, Body, Digest, PublicKey, RecordHash};
use crate::segment::{self, DIGESTS_FILE};

/// A place in the trail: a segment file and a 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The segment file, or the digests file.
    pub path: PathBuf,
    /// The 1-based line number.
    pub line: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// The first sign of tampering the verifier found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tamper {
    /// The record with this sequence number was changed: its bytes no longer hash to the
    /// `prevHash` of its successor, or it no longer parses.
    Modified {
        /// The changed record's sequence number.
        sequence: u64,
        /// The changed record's location.
        location: Location,
    },
    /// Records are missing before `location`.
    Deleted {
        /// The first missing sequence number.
        sequence: u64,
        /// How many consecutive records are missing.
        count: u64,
        /// The record found where the first missing one belongs.
        location: Location,
    },
    /// A record of the chain is out of order.
    Reordered {
        /// The sequence number of the record out of place.
        sequence: u64,
        /// The misplaced record's location.
        location: Location,
    },
    /// A record that is not part of the chain.
    Inserted {
        /// The foreign record's location.
        location: Location,
    },
    /// A digest's signature does not verify with any of the given keys.
    BadSignature {
        /// The digest's sequence number.
        sequence: u64,
        /// The digest's location.
        location: Location,
    },
    /// A correctly signed digest does not match the chain before it: some record after the
    /// previous digest was changed and every later `prevHash` recomputed to hide it.
    Rewritten {
        /// The first sequence number the previous digest does not cover.
        from: u64,
        /// The sequence number of the digest that exposed the change.
        to: u64,
        /// That digest's location.
        location: Location,
    },
    /// The chain ends before a record that a digest, or the caller's anchor, proves existed.
    Truncated {
        /// The sequence number the chain should at least reach past: one more than the last
        /// record proven to exist.
        expected: u64,
        /// The sequence number the chain now ends before.
        found: u64,
    },
    /// The oldest record is not a signed digest, so nothing anchors the chain.
    Unanchored {
        /// The oldest record's location.
        location: Location,
    },
    /// A line of the digests file that does not decode as a digest record and is not the torn
    /// tail that a crash can leave. The line was changed after it was written, and the digest it
    /// held can no longer be compared with the chain.
    DamagedDigestCopy {
        /// The line's location in the digests file.
        location: Location,
        /// The decoding error.
        reason: String,
    },
}

impl fmt::Display for Tamper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tamper::Modified { sequence, location } => {
                write!(f, "record `{sequence}` at {location} was modified")
            }
            Tamper::Deleted {
                sequence,
                count,
                location,
            } => write!(
                f,
                "{count} record(s) from `{sequence}` were deleted before {location}"
            ),
            Tamper::Reordered { sequence, location } => {
                write!(f, "record `{sequence}` at {location} is out of order")
            }
            Tamper::Inserted { location } => {
                write!(
                    f,
                    "the record at {location} was inserted and is not part of the chain"
                )
            }
            Tamper::BadSignature { sequence, location } => {
                write!(
                    f,
                    "digest `{sequence}` at {location} has an invalid signature"
                )
            }
            Tamper::Rewritten { from, to, location } => write!(
                f,
                "records from `{from}` to `{to}` were rewritten: the digest at {location} does not match them"
            ),
            Tamper::Truncated { expected, found } => write!(
                f,
                "the trail was truncated: it held records up to `{}` but now ends before `{found}`",
                expected.saturating_sub(1)
            ),
            Tamper::Unanchored { location } => {
                write!(f, "the oldest record at {location} is not a signed digest")
            }
            Tamper::DamagedDigestCopy { location, reason } => {
                write!(f, "the digest copy at {location} is invalid: {reason}")
            }
        }
    }
}

/// A summary of what the verifier read, with the first tampering it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// How many segment files it read.
    pub segments: usize,
    /// How many records it verified before stopping.
    pub records: u64,
    /// How many of those were digests.
    pub digests: u64,
    /// The sequence number of the oldest record kept.
    pub first_sequence: Option<u64>,
    /// The sequence number of the newest record.
    pub last_sequence: Option<u64>,
    /// The sequence number of the newest valid digest: records after it are chained but not
    /// yet signed, so a change to them is detectable only once a later digest exists.
    pub last_signed_sequence: Option<u64>,
    /// Bytes at the end of the newest segment that a crash tore, which the writer cuts when it
    /// opens the trail. They are the bytes after the last newline and any last lines that each
    /// contain a zero byte where the file system never wrote a block.
    pub torn_bytes: u64,
    /// The first tampering found, or `None` when the trail is intact.
    pub tamper: Option<Tamper>,
}

impl VerifyReport {
    /// Reports whether no tampering was found.
    pub fn is_intact(&self) -> bool {
        self.tamper.is_none()
    }
}

/// One record line, decoded where possible.
struct Entry {
    /// The segment file, shared by every entry of the segment.
    path: Arc<PathBuf>,
    /// The 1-based line number.
    line: u64,
    /// The decoded record, or why the line does not decode.
    record: Result<Link, String>,
}

struct Link {
    sequence: u64,
    prev_hash: RecordHash,
    hash: RecordHash,
    digest: Option<Digest>,
    /// The line as stored, kept for digests only, to compare with their copies.
    digest_line: Option<Vec<u8>>,
}

impl Entry {
    fn location(&self) -> Location {
        Location {
            path: self.path.as_ref().clone(),
            line: self.line,
        }
    }
}

/// Verifies the trail in `directory` against the digest keys `keys`.
///
/// The oldest kept segment must open with a signed digest. From there every record must link to
/// the one before, and every digest must carry a valid signature and match the chain. The
/// digests file must agree with the digests in the chain, every complete line of it must decode,
/// and no copy may name a record past the end of the chain, which is empty when no segment is
/// left. `anchor`, a digest the caller kept elsewhere, catches a truncation that
/// also cut the digests file.
///
/// # Errors
///
/// Returns [`AuditError::InvalidAnchor`] when `anchor` is not signed by one of `keys`, and
/// [`AuditError::Io`] when a file cannot be read. Tampering is not an error: it is reported in
/// [`VerifyReport::tamper`].
pub fn verify(
    directory: &Path,
    keys: &[PublicKey],
    anchor: Option<&Digest>,
) -> Result<VerifyReport, AuditError> {
    if let Some(anchor) = anchor
        && !anchor.verify(keys)
    {
        return Err(AuditError::InvalidAnchor {
            count: anchor.count,
        });
    }

    let segments = segment::list_segments(directory)?;
    let mut entries = Vec::new();
    let mut torn_bytes = 0;
    let mut first_named = None;
    for (index, segment_file) in segments.iter().enumerate() {
        first_named.get_or_insert(segment_file.first_sequence);
        let path = Arc::new(segment_file.path.clone());
        let bytes = segment::read_file(&segment_file.path)?;
        let (mut lines, complete) = segment::complete_lines(&bytes);
        let newest = index + 1 == segments.len();
        let mut tail = bytes.len() - complete;
        if newest {
            // The writer cuts these torn lines too when it next opens the trail.
            tail += segment::pop_torn_lines(&mut lines);
        }
        for (number, line) in lines.iter().enumerate() {
            entries.push(Entry {
                path: Arc::clone(&path),
                line: line_number(number),
                record: decode(line),
            });
        }
        let tail = u64::try_from(tail).unwrap_or(u64::MAX);
        if newest {
            torn_bytes = tail;
        } else if tail > 0 {
            // Only the newest segment can end in a torn record, because older ones were synced
            // whole before the next one started.
            entries.push(Entry {
                path,
                line: line_number(lines.len()),
                record: Err("incomplete line in a closed segment".to_owned()),
            });
        }
    }

    let mut report = VerifyReport {
        segments: segments.len(),
        records: 0,
        digests: 0,
        first_sequence: None,
        last_sequence: None,
        last_signed_sequence: None,
        torn_bytes,
        tamper: None,
    };
    report.tamper = walk(&entries, first_named, keys, &mut report);
    if report.tamper.is_none() {
        report.tamper = check_digests_file(directory, &entries, &report)?;
    }
    if report.tamper.is_none() {
        report.tamper = anchor.and_then(|anchor| check_anchor(anchor, &entries, &report));
    }
    Ok(report)
}

/// Returns the 1-based line number of the line at `index`.
fn line_number(index: usize) -> u64 {
    u64::try_from(index + 1).unwrap_or(u64::MAX)
}

fn decode(line: &[u8]) -> Result<Link, String> {
    let record = record::decode::<IgnoredAny>(line)?;
    Ok(Link {
        sequence: record.sequence,
        prev_hash: record.prev_hash,
        hash: record.hash,
        digest_line: matches!(record.body, Body::Digest(_)).then(|| line.to_vec()),
        digest: match record.body {
            Body::Digest(digest) => Some(digest),
            Body::Event(_) => None,
        },
    })
}

/// Follows the chain from its anchoring digest and returns the first tampering.
fn walk(
    entries: &[Entry],
    first_named: Option<u64>,
    keys: &[PublicKey],
    report: &mut VerifyReport,
) -> Option<Tamper> {
    let first = entries.first()?;
    let anchor = match &first.record {
        Ok(link) => link,
        Err(_) => {
            return Some(Tamper::Modified {
                sequence: first_named.unwrap_or(0),
                location: first.location(),
            });
        }
    };
    if let Some(named) = first_named
        && anchor.sequence > named
    {
        return Some(Tamper::Deleted {
            sequence: named,
            count: anchor.sequence - named,
            location: first.location(),
        });
    }
    let Some(digest) = &anchor.digest else {
        return Some(Tamper::Unanchored {
            location: first.location(),
        });
    };
    if let Some(tamper) = check_digest(digest, anchor, &first.location(), None, keys) {
        return Some(tamper);
    }
    report.first_sequence = Some(anchor.sequence);
    accept(report, anchor);

    let mut expected_sequence = anchor.sequence + 1;
    let mut expected_prev = anchor.hash;
    let mut last_digest_sequence = anchor.sequence;
    let mut accepted: HashMap<u64, usize> = HashMap::from([(anchor.sequence, 0)]);
    for (index, entry) in entries.iter().enumerate().skip(1) {
        let link = match &entry.record {
            Ok(link) => link,
            Err(_) => {
                return Some(Tamper::Modified {
                    sequence: expected_sequence,
                    location: entry.location(),
                });
            }
        };
        let in_place = link.sequence == expected_sequence && link.prev_hash == expected_prev;
        if !in_place {
            let expected = (expected_sequence, expected_prev);
            return Some(classify(entries, index, entry, expected, &accepted));
        }
        if let Some(digest) = &link.digest {
            let previous = Some(last_digest_sequence);
            if let Some(tamper) = check_digest(digest, link, &entry.location(), previous, keys) {
                return Some(tamper);
            }
            last_digest_sequence = link.sequence;
        }
        accept(report, link);
        accepted.insert(link.sequence, index);
        expected_sequence = link.sequence + 1;
        expected_prev = link.hash;
    }
    None
}

fn accept(report: &mut VerifyReport, link: &Link) {
    report.records += 1;
    report.last_sequence = Some(link.sequence);
    if link.digest.is_some() {
        report.digests += 1;
        report.last_signed_sequence = Some(link.sequence);
    }
}

fn check_digest(
    digest: &Digest,
    link: &Link,
    location: &Location,
    previous_digest: Option<u64>,
    keys: &[PublicKey],
) -> Option<Tamper> {
    if !digest.verify(keys) {
        return Some(Tamper::BadSignature {
            sequence: link.sequence,
            location: location.clone(),
        });
    }
    let matches_chain = digest.count == link.sequence && digest.last_hash == link.prev_hash;
    if !matches_chain {
        return Some(Tamper::Rewritten {
            from: previous_digest.map_or(0, |sequence| sequence + 1),
            to: link.sequence,
            location: location.clone(),
        });
    }
    None
}

/// Names what happened at `suspect`, the entry at `index` and the first record that does not
/// continue the chain whose next record should have the `expected` sequence number and
/// `prevHash`.
fn classify(
    entries: &[Entry],
    index: usize,
    suspect: &Entry,
    expected: (u64, RecordHash),
    accepted: &HashMap<u64, usize>,
) -> Tamper {
    let (expected_sequence, expected_prev) = expected;
    let links = |from: usize| {
        entries
            .iter()
            .enumerate()
            .skip(from)
            .filter_map(|(position, entry)| entry.record.as_ref().ok().map(|link| (position, link)))
    };
    let Ok(link) = &suspect.record else {
        return Tamper::Modified {
            sequence: expected_sequence,
            location: suspect.location(),
        };
    };

    // The chain goes on further down, so the records from the suspect up to there are out of
    // place. A record that another record links to belongs to the chain and was moved. An exact
    // copy of an accepted record, or a record that nothing links to, was inserted.
    let continues = links(index + 1)
        .find(|(_, later)| later.sequence == expected_sequence && later.prev_hash == expected_prev);
    if continues.is_some() {
        let copy_of_accepted = accepted
            .get(&link.sequence)
            .and_then(|position| entries.get(*position))
            .and_then(|earlier| earlier.record.as_ref().ok())
            .is_some_and(|earlier| earlier.hash == link.hash);
        let linked = links(index + 1).any(|(_, later)| later.prev_hash == link.hash);
        return if linked && !copy_of_accepted {
            Tamper::Reordered {
                sequence: link.sequence,
                location: suspect.location(),
            }
        } else {
            Tamper::Inserted {
                location: suspect.location(),
            }
        };
    }

    // The record after this one is where it belongs, so this one was changed in place, either
    // its content (caught by the successor's `prevHash`) or its own sequence number.
    let successor_in_place = links(index + 1)
        .next()
        .is_some_and(|(_, next)| next.sequence == expected_sequence + 1);
    if link.sequence == expected_sequence || successor_in_place {
        let changed_here = link.sequence != expected_sequence;
        let previous = index
            .checked_sub(1)
            .and_then(|position| entries.get(position));
        return match previous {
            Some(previous) if !changed_here => Tamper::Modified {
                sequence: expected_sequence - 1,
                location: previous.location(),
            },
            _ => Tamper::Modified {
                sequence: expected_sequence,
                location: suspect.location(),
            },
        };
    }

    if link.sequence > expected_sequence {
        return Tamper::Deleted {
            sequence: expected_sequence,
            count: link.sequence - expected_sequence,
            location: suspect.location(),
        };
    }

    // A sequence number seen before: of the two records that carry it, the one the chain goes
    // on from is genuine and the other was inserted.
    let earlier = accepted
        .get(&link.sequence)
        .and_then(|position| entries.get(*position));
    let this_one_continues = links(index + 1).any(|(_, later)| later.prev_hash == link.hash);
    match earlier {
        Some(earlier) if this_one_continues => Tamper::Inserted {
            location: earlier.location(),
        },
        _ => Tamper::Inserted {
            location: suspect.location(),
        },
    }
}

/// Compares the digests file with the chain: each complete line must decode, each copy must
/// equal the digest record at its sequence number, and none may lie past the end of the chain.
///
/// A copy past the end is reported as [`Tamper::Truncated`] naming the largest copied sequence
/// number, ahead of any other finding, because it proves that signed records were removed.
fn check_digests_file(
    directory: &Path,
    entries: &[Entry],
    report: &VerifyReport,
) -> Result<Option<Tamper>, AuditError> {
    let path = directory.join(DIGESTS_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(AuditError::io("read", &path, error)),
    };
    // Retention removes whole segments from the oldest and never the newest one, so with no
    // record left every copy names a record that was removed by hand.
    let first_sequence = report.first_sequence.unwrap_or(0);
    let end = report.last_sequence.map_or(0, |last| last + 1);
    let by_sequence: HashMap<u64, &Link> = entries
        .iter()
        .filter_map(|entry| entry.record.as_ref().ok())
        .map(|link| (link.sequence, link))
        .collect();

    // NOTE: A crash can leave a torn tail here, so it is skipped and the writer cuts it on the
    // next open. Removing the newline of the last copy therefore hides it as deleting it would.
    let (mut lines, _) = segment::complete_lines(&bytes);
    segment::pop_torn_lines(&mut lines);
    let mut largest_past_end = None;
    let mut first_finding = None;
    for (index, line) in lines.iter().enumerate() {
        let copy = match decode(line) {
            Ok(copy) if copy.digest.is_none() => {
                Err("the record is an event, not a digest".to_owned())
            }
            other => other,
        };
        let copy = match copy {
            Ok(copy) => copy,
            Err(reason) => {
                first_finding.get_or_insert(Tamper::DamagedDigestCopy {
                    location: Location {
                        path: path.clone(),
                        line: line_number(index),
                    },
                    reason,
                });
                continue;
            }
        };
        if copy.sequence < first_sequence {
            // The digest of a segment that retention removed.
            continue;
        }
        if copy.sequence >= end {
            largest_past_end = largest_past_end.max(Some(copy.sequence));
            continue;
        }
        if let Some(link) = by_sequence.get(&copy.sequence)
            && link.digest_line != copy.digest_line
        {
            let location = entries
                .iter()
                .find(|entry| {
                    entry
                        .record
                        .as_ref()
                        .is_ok_and(|found| found.sequence == copy.sequence)
                })
                .map(Entry::location)
                .unwrap_or_else(|| Location {
                    path: path.clone(),
                    line: line_number(index),
                });
            first_finding.get_or_insert(Tamper::Modified {
                sequence: copy.sequence,
                location,
            });
        }
    }

    let truncated = largest_past_end.map(|sequence| Tamper::Truncated {
        expected: sequence + 1,
        found: end,
    });
    Ok(truncated.or(first_finding))
}

/// Checks the chain against a digest the caller kept outside the trail.
fn check_anchor(anchor: &Digest, entries: &[Entry], report: &VerifyReport) -> Option<Tamper> {
    let end = report.last_sequence.map_or(0, |last| last + 1);
    if anchor.count >= end {
        return Some(Tamper::Truncated {
            expected: anchor.count + 1,
            found: end,
        });
    }
    let entry = entries.iter().find(|entry| {
        entry
            .record
            .as_ref()
            .is_ok_and(|link| link.sequence == anchor.count)
    })?;
    let matches = entry
        .record
        .as_ref()
        .is_ok_and(|link| link.digest.as_ref() == Some(anchor));
    (!matches).then(|| Tamper::Modified {
        sequence: anchor.count,
        location: entry.location(),
    })
}

#[cfg(test)]
mod tests;
