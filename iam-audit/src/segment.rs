//! Segment files: naming, listing, reading lines and syncing.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::AuditError;

/// The extension of segment files, whose stem is the first record's sequence number.
const SEGMENT_EXTENSION: &str = "jsonl";

/// The file that repeats every digest record of the trail, so that cutting records off the end
/// of the segments leaves digests behind that cover them.
pub(crate) const DIGESTS_FILE: &str = "digests.jsonl";

/// The maximum length of a record line: the largest event plus its envelope.
pub(crate) const MAX_LINE_BYTES: usize = crate::MAX_EVENT_BYTES + 1024;

/// A segment file and the sequence number its name gives to its first record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SegmentFile {
    pub(crate) first_sequence: u64,
    pub(crate) path: PathBuf,
}

/// Returns the path of the segment whose first record is `first_sequence`.
pub(crate) fn segment_path(directory: &Path, first_sequence: u64) -> PathBuf {
    directory.join(format!("{first_sequence:020}.{SEGMENT_EXTENSION}"))
}

/// Lists the segments in `directory`, oldest first.
///
/// Files whose names are not a 20-digit sequence number and the segment extension, such as
/// the digests file, are not segments and are skipped.
pub(crate) fn list_segments(directory: &Path) -> Result<Vec<SegmentFile>, AuditError> {
    let entries =
        fs::read_dir(directory).map_err(|error| AuditError::io("list", directory, error))?;
    let mut segments = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| AuditError::io("list", directory, error))?;
        let path = entry.path();
        let is_segment = path
            .extension()
            .is_some_and(|extension| extension == SEGMENT_EXTENSION);
        let stem = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or_default();
        let named_by_sequence = stem.len() == 20 && stem.bytes().all(|byte| byte.is_ascii_digit());
        if !(is_segment && named_by_sequence) {
            continue;
        }
        if let Ok(first_sequence) = stem.parse() {
            segments.push(SegmentFile {
                first_sequence,
                path,
            });
        }
    }
    segments.sort_by_key(|segment| segment.first_sequence);
    Ok(segments)
}

/// Reads a whole file.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, AuditError> {
    fs::read(path).map_err(|error| AuditError::io("read", path, error))
}

/// Splits `bytes` into complete lines, without their newlines, and returns them with the
/// length of the part they cover. Bytes after the last newline are a torn tail.
pub(crate) fn complete_lines(bytes: &[u8]) -> (Vec<&[u8]>, usize) {
    let complete = bytes
        .iter()
        .rposition(|byte| *byte == b'\n')
        .map_or(0, |position| position + 1);
    let lines = bytes
        .get(..complete)
        .unwrap_or_default()
        .split(|byte| *byte == b'\n')
        .collect::<Vec<_>>();
    // `split` yields an empty piece after the final newline, which is not a line.
    let line_count = lines.len().saturating_sub(1);
    (lines.into_iter().take(line_count).collect(), complete)
}

/// Reports whether a complete line is the remnant of a write that a crash tore, which shows as a
/// zero byte where the file system never wrote a block. A record line never contains one,
/// because JSON encoding escapes every control character.
pub(crate) fn is_torn_line(line: &[u8]) -> bool {
    line.contains(&0)
}

/// Removes the torn lines, as [`is_torn_line`] describes them, from the end of `lines` and
/// returns how many bytes they took with their newlines.
pub(crate) fn pop_torn_lines(lines: &mut Vec<&[u8]>) -> usize {
    let mut torn_bytes = 0;
    while let Some(torn) = lines.pop_if(|line| is_torn_line(line)) {
        torn_bytes += torn.len() + 1;
    }
    torn_bytes
}

/// Reads the first line of a file, without its newline, or `None` when the file has no
/// complete line.
pub(crate) fn read_first_line(path: &Path) -> Result<Option<Vec<u8>>, AuditError> {
    let file = File::open(path).map_err(|error| AuditError::io("open", path, error))?;
    let mut line = Vec::new();
    BufReader::new(file)
        .take(u64::try_from(MAX_LINE_BYTES).unwrap_or(u64::MAX))
        .read_until(b'\n', &mut line)
        .map_err(|error| AuditError::io("read", path, error))?;
    if line.pop() == Some(b'\n') {
        Ok(Some(line))
    } else {
        Ok(None)
    }
}

/// Syncs a directory, so that files created, renamed or removed in it survive a crash.
pub(crate) fn sync_directory(directory: &Path) -> Result<(), AuditError> {
    File::open(directory)
        .and_then(|handle| handle.sync_all())
        .map_err(|error| AuditError::io("sync directory", directory, error))
}

#[cfg(test)]
mod tests;
