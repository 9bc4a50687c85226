//! The engine's write-ahead log: append-only segment files of checksummed batch records.
//!
//! A segment file is named after the first revision it may hold (20 decimal digits, then
//! `.log`) and starts with an 8-byte header: the magic bytes `IAMWAL` and the log format
//! version as a big-endian `u16`. Each record after it is one committed batch:
//!
//! | Bytes | Field |
//! |---|---|
//! | 4 | body length, big-endian `u32` |
//! | 4 | CRC-32 (IEEE) of the body, big-endian |
//! | body | end revision (`u64`), then per write: kind (`1` set, `0` remove), key length (`u32`), key, and for a set the value length (`u32`) and the stamped value |
//!
//! A record is acknowledged only after its append was synced, so a record cut short or failing
//! its checksum at the end of the last segment was never acknowledged and is discarded. The
//! same damage anywhere else is reported as corruption.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::Writes;
use crate::StoreError;
use crate::kv::Revision;

/// The version of the log format this build writes and reads.
pub(super) const LOG_VERSION: u16 = 1;

/// The magic bytes at the start of every segment.
const MAGIC: &[u8; 6] = b"IAMWAL";

/// Length of the segment header: the magic bytes and the version.
const HEADER_LEN: usize = MAGIC.len() + 2;

/// Length of a record's frame: the body length and the checksum.
const FRAME_LEN: usize = 8;

/// The extension of segment files.
const EXTENSION: &str = "log";

/// One batch read back from the log.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Record<'log> {
    /// The revision of the last commit in the batch.
    pub(super) end: Revision,
    /// The keys and stamped values (`None` for a removal), in the order written.
    pub(super) writes: Vec<(&'log [u8], Option<&'log [u8]>)>,
}

/// The segment the commit thread appends to.
#[derive(Debug)]
pub(super) struct Segment {
    file: File,
    path: PathBuf,
    /// Bytes in the file, header included.
    len: u64,
    /// Records appended to the file.
    records: u64,
}

/// A segment the log moved past, deleted once sled's own flush covers `last`.
#[derive(Debug)]
pub(super) struct ClosedSegment {
    pub(super) path: PathBuf,
    /// The revision of its last record.
    pub(super) last: Revision,
}

impl Segment {
    /// Creates an empty segment for revisions from `first` on and makes its directory entry
    /// durable, replacing any file of the same name.
    pub(super) fn create(directory: &Path, first: Revision) -> Result<Self, StoreError> {
        let path = segment_path(directory, first);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&path)
            .map_err(StoreError::backend)?;
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&LOG_VERSION.to_be_bytes());
        file.write_all(&header).map_err(StoreError::backend)?;
        file.sync_data().map_err(StoreError::backend)?;
        sync_directory(directory)?;
        Ok(Self {
            file,
            path,
            len: HEADER_LEN as u64,
            records: 0,
        })
    }

    /// Returns the size of the segment in bytes.
    pub(super) fn len(&self) -> u64 {
        self.len
    }

    /// Returns the number of records appended to the segment.
    pub(super) fn records(&self) -> u64 {
        self.records
    }

    /// Returns the path of the segment file.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Appends an encoded record and returns once `fdatasync` made it durable.
    pub(super) fn append(&mut self, record: &[u8]) -> Result<(), StoreError> {
        self.file.write_all(record).map_err(StoreError::backend)?;
        self.file.sync_data().map_err(StoreError::backend)?;
        self.len += record.len() as u64;
        self.records += 1;
        Ok(())
    }
}

/// Encodes a batch that ends at revision `end` as one framed record, replacing `buffer`.
pub(super) fn encode(
    buffer: &mut Vec<u8>,
    end: Revision,
    writes: &Writes,
) -> Result<(), StoreError> {
    buffer.clear();
    buffer.extend_from_slice(&[0; FRAME_LEN]);
    buffer.extend_from_slice(&end.to_be_bytes());
    for (key, value) in writes {
        buffer.push(u8::from(value.is_some()));
        push_bytes(buffer, key)?;
        if let Some(value) = value {
            push_bytes(buffer, value)?;
        }
    }

    let body = buffer.get(FRAME_LEN..).unwrap_or_default();
    let body_len = u32::try_from(body.len()).map_err(|_| {
        StoreError::backend(std::io::Error::other(format!(
            "a batch of {} bytes does not fit one log record, the maximum is 4 GiB",
            body.len()
        )))
    })?;
    let checksum = crc32fast::hash(body);
    let mut frame = body_len.to_be_bytes().to_vec();
    frame.extend_from_slice(&checksum.to_be_bytes());
    if let Some(frame_slot) = buffer.get_mut(..FRAME_LEN) {
        frame_slot.copy_from_slice(&frame);
    }
    Ok(())
}

/// Lists the segment files in `directory` by first revision, oldest first, creating the
/// directory when missing.
pub(super) fn segments(directory: &Path) -> Result<Vec<(Revision, PathBuf)>, StoreError> {
    std::fs::create_dir_all(directory).map_err(StoreError::backend)?;
    let mut found = Vec::new();
    for entry in std::fs::read_dir(directory).map_err(StoreError::backend)? {
        let path = entry.map_err(StoreError::backend)?.path();
        if path.extension().and_then(|extension| extension.to_str()) != Some(EXTENSION) {
            continue;
        }
        let first = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .and_then(|stem| stem.parse::<Revision>().ok())
            .ok_or_else(|| {
                StoreError::corrupt(format_args!(
                    "log segment `{}` is not named after a revision",
                    path.display()
                ))
            })?;
        found.push((first, path));
    }
    found.sort_unstable();
    Ok(found)
}

/// Decodes the records of one segment file's contents.
///
/// A damaged record ends the segment. In the last segment (`last`), that is a torn tail and the
/// records before it are returned; in any other segment it is [`StoreError::Corrupt`].
///
/// # Errors
///
/// [`StoreError::UnsupportedFormat`] for a segment of a newer log version,
/// [`StoreError::Corrupt`] for a foreign file or damage before the end of the log.
pub(super) fn read_segment<'log>(
    contents: &'log [u8],
    name: &Path,
    last: bool,
) -> Result<Vec<Record<'log>>, StoreError> {
    let damaged = |what: &str| {
        StoreError::corrupt(format_args!(
            "log segment `{}` has {what} before the end of the log",
            name.display()
        ))
    };
    let Some((header, mut rest)) = contents.split_first_chunk::<HEADER_LEN>() else {
        // The segment's creation was cut short, so nothing in it was acknowledged.
        return if last {
            Ok(Vec::new())
        } else {
            Err(damaged("an incomplete header"))
        };
    };
    let [magic @ .., high, low] = *header;
    if magic != *MAGIC {
        return Err(StoreError::corrupt(format_args!(
            "`{}` is not a log segment of this store",
            name.display()
        )));
    }
    let version = u16::from_be_bytes([high, low]);
    if version > LOG_VERSION {
        return Err(StoreError::UnsupportedFormat {
            found: u32::from(version),
            supported: u32::from(LOG_VERSION),
        });
    }

    let mut records = Vec::new();
    while !rest.is_empty() {
        let Some(record) = next_record(&mut rest) else {
            if last {
                tracing::warn!(
                    segment = %name.display(),
                    discarded_bytes = rest.len(),
                    "discarding the torn tail of the log, which was never acknowledged"
                );
                break;
            }
            return Err(damaged("a torn or damaged record"));
        };
        let record = decode_body(record).ok_or_else(|| damaged("a malformed record"))?;
        records.push(record);
    }
    Ok(records)
}

/// Returns the path of the segment whose first revision is `first`.
pub(super) fn segment_path(directory: &Path, first: Revision) -> PathBuf {
    directory.join(format!("{first:020}.{EXTENSION}"))
}

/// Makes the creation or removal of files in `directory` durable.
pub(super) fn sync_directory(directory: &Path) -> Result<(), StoreError> {
    File::open(directory)
        .and_then(|directory| directory.sync_all())
        .map_err(StoreError::backend)
}

/// Splits the next framed body off `rest` when it is complete and its checksum matches.
fn next_record<'log>(rest: &mut &'log [u8]) -> Option<&'log [u8]> {
    let (frame, after_frame) = rest.split_first_chunk::<FRAME_LEN>()?;
    let (length, checksum) = frame.split_at(4);
    let length = usize::try_from(u32::from_be_bytes(length.try_into().ok()?)).ok()?;
    let checksum = u32::from_be_bytes(checksum.try_into().ok()?);
    let (body, after_body) = after_frame.split_at_checked(length)?;
    if crc32fast::hash(body) != checksum {
        return None;
    }
    *rest = after_body;
    Some(body)
}

/// Decodes a record body whose checksum matched; `None` when its fields do not parse.
fn decode_body(body: &[u8]) -> Option<Record<'_>> {
    let (end, mut rest) = body.split_first_chunk::<8>()?;
    let mut writes = Vec::new();
    while let Some((&kind, after_kind)) = rest.split_first() {
        let (key, after_key) = take_bytes(after_kind)?;
        let (value, after_value) = match kind {
            0 => (None, after_key),
            1 => {
                let (value, after_value) = take_bytes(after_key)?;
                (Some(value), after_value)
            }
            _ => return None,
        };
        writes.push((key, value));
        rest = after_value;
    }
    Some(Record {
        end: u64::from_be_bytes(*end),
        writes,
    })
}

/// Appends `bytes` with its length as a big-endian `u32`.
fn push_bytes(buffer: &mut Vec<u8>, bytes: &[u8]) -> Result<(), StoreError> {
    let len = u32::try_from(bytes.len()).map_err(|_| {
        StoreError::backend(std::io::Error::other(format!(
            "a key or value of {} bytes does not fit the log, the maximum is 4 GiB",
            bytes.len()
        )))
    })?;
    buffer.extend_from_slice(&len.to_be_bytes());
    buffer.extend_from_slice(bytes);
    Ok(())
}

/// Splits a length-prefixed byte string off `input`.
fn take_bytes(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = input.split_first_chunk::<4>()?;
    let len = usize::try_from(u32::from_be_bytes(*len)).ok()?;
    rest.split_at_checked(len)
}

#[cfg(test)]
mod tests;
