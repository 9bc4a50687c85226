//! Pagination: `PathPrefix`, `MaxItems` and opaque `Marker`s that survive concurrent changes.
//!
//! A listing walks one table in key order, which is the order of folded names. Its marker encodes
//! the table and the key of the last item returned, so the next page starts right after that key:
//! items inserted or deleted meanwhile neither shift the page nor repeat an item.

use data_encoding::BASE64URL_NOPAD;

use crate::StoreError;
use crate::txn::{Txn, prefix_end};

/// The default of `MaxItems`, as in every IAM list operation.
pub const DEFAULT_MAX_ITEMS: u32 = 100;
/// The largest `MaxItems` IAM accepts.
pub const MAX_MAX_ITEMS: u32 = 1000;
/// The maximum marker length accepted, in characters. A marker contains one key, far shorter.
const MAX_MARKER_LEN: usize = 2048;
/// How many keys a listing reads at a time while it filters by path.
const SCAN_CHUNK: usize = 128;

/// The pagination and filter parameters of a list operation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Only items whose path starts with this string; all items when `None`.
    pub path_prefix: Option<String>,
    /// The marker from the previous page; the first page when `None`.
    pub marker: Option<String>,
    /// The page size, 1 to 1000; 100 when `None`.
    pub max_items: Option<u32>,
}

impl ListOptions {
    /// Options for the first page with at most `max_items` items.
    pub fn first(max_items: u32) -> Self {
        Self {
            max_items: Some(max_items),
            ..Self::default()
        }
    }

    /// Options for the page after `marker`, keeping the other parameters.
    pub fn after(&self, marker: impl Into<String>) -> Self {
        Self {
            marker: Some(marker.into()),
            ..self.clone()
        }
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in the listing's order.
    pub items: Vec<T>,
    /// The marker of the next page, or `None` when this is the last page (`IsTruncated` false).
    pub marker: Option<String>,
}

impl<T> Page<T> {
    /// Returns whether more items follow, as AWS's `IsTruncated`.
    pub fn is_truncated(&self) -> bool {
        self.marker.is_some()
    }

    /// Converts every item with `convert`, keeping the marker.
    pub fn map<U>(self, convert: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(convert).collect(),
            marker: self.marker,
        }
    }
}

/// Checks `MaxItems` and returns the page size.
pub(crate) fn page_size(options: &ListOptions) -> Result<usize, StoreError> {
    let max_items = options.max_items.unwrap_or(DEFAULT_MAX_ITEMS);
    if !(1..=MAX_MAX_ITEMS).contains(&max_items) {
        return Err(StoreError::InvalidInput(format!(
            "invalid MaxItems `{max_items}`, expected 1 to {MAX_MAX_ITEMS}"
        )));
    }
    usize::try_from(max_items)
        .map_err(|_| StoreError::InvalidInput(format!("invalid MaxItems `{max_items}`")))
}

/// Lists the records under `prefix` in key order, one page of those `keep` accepts.
///
/// `listing` names the listing inside the marker, so a marker from one listing is rejected by
/// another.
pub(crate) fn list<T>(
    txn: &mut Txn<'_>,
    listing: &str,
    prefix: &[u8],
    options: &ListOptions,
    mut decode: impl FnMut(&mut Txn<'_>, &[u8], &[u8]) -> Result<Option<T>, StoreError>,
) -> Result<Page<T>, StoreError> {
    let size = page_size(options)?;
    let end = prefix_end(prefix);
    let mut start = match &options.marker {
        Some(marker) => {
            let mut start = prefix.to_vec();
            start.extend_from_slice(&decode_marker(listing, marker)?);
            // The smallest key after the marker's key.
            start.push(0);
            start
        }
        None => prefix.to_vec(),
    };

    let mut items = Vec::new();
    let mut last_key: Option<Vec<u8>> = None;
    loop {
        let chunk = txn.range(&start, &end, Some(SCAN_CHUNK.max(size + 1)))?;
        let exhausted = chunk.len() < SCAN_CHUNK.max(size + 1);
        for (key, payload) in chunk {
            let Some(item) = decode(txn, &key, &payload)? else {
                start = next_key(&key);
                continue;
            };
            if items.len() == size {
                let marker = last_key
                    .as_deref()
                    .and_then(|last| last.strip_prefix(prefix))
                    .map(|suffix| encode_marker(listing, suffix));
                return Ok(Page { items, marker });
            }
            items.push(item);
            start = next_key(&key);
            last_key = Some(key);
        }
        if exhausted {
            return Ok(Page {
                items,
                marker: None,
            });
        }
    }
}

/// Returns one page of `items`, a listing held in memory, such as a resource's tags.
///
/// The page walks the items in the order of `key`, which must be unique per item, and its marker
/// names the key of the last item returned, so the next page starts right after that key. As
/// with the store's listings, items added or removed between pages neither shift a page nor
/// repeat an item. `listing` names the listing inside the marker, so a marker from one listing
/// is rejected by another.
///
/// # Errors
///
/// [`StoreError::InvalidInput`] for a `MaxItems` outside 1 to 1000 or a marker of another
/// listing.
pub fn page_in_key_order<T>(
    listing: &str,
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    options: &ListOptions,
) -> Result<Page<T>, StoreError> {
    let size = page_size(options)?;
    let after = match &options.marker {
        Some(marker) => Some(decode_marker(listing, marker)?),
        None => None,
    };
    let mut keyed: Vec<(String, T)> = items
        .into_iter()
        .map(|item| (key(&item), item))
        .filter(|(item_key, _)| {
            after
                .as_deref()
                .is_none_or(|after| item_key.as_bytes() > after)
        })
        .collect();
    keyed.sort_by(|(left, _), (right, _)| left.cmp(right));

    let marker = if keyed.len() > size {
        keyed.truncate(size);
        keyed
            .last()
            .map(|(last, _)| encode_marker(listing, last.as_bytes()))
    } else {
        None
    };
    Ok(Page {
        items: keyed.into_iter().map(|(_, item)| item).collect(),
        marker,
    })
}

/// Returns the name of the listing a marker continues, or `None` for text that is not a marker.
pub(crate) fn marker_listing(marker: &str) -> Option<String> {
    let bytes = BASE64URL_NOPAD.decode(marker.as_bytes()).ok()?;
    let name = bytes.split(|byte| *byte == 0).next()?;
    String::from_utf8(name.to_vec()).ok()
}

/// Returns whether `path` passes the listing's path prefix filter.
pub(crate) fn path_matches(options: &ListOptions, path: &str) -> bool {
    options
        .path_prefix
        .as_deref()
        .is_none_or(|prefix| path.starts_with(prefix))
}

fn next_key(key: &[u8]) -> Vec<u8> {
    let mut next = key.to_vec();
    next.push(0);
    next
}

/// Returns a marker that starts `listing` at its first item.
pub(crate) fn first_marker(listing: &str) -> String {
    encode_marker(listing, &[])
}

fn encode_marker(listing: &str, suffix: &[u8]) -> String {
    let mut bytes = Vec::with_capacity(listing.len() + 1 + suffix.len());
    bytes.extend_from_slice(listing.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(suffix);
    BASE64URL_NOPAD.encode(&bytes)
}

fn decode_marker(listing: &str, marker: &str) -> Result<Vec<u8>, StoreError> {
    let invalid = || StoreError::InvalidInput(format!("invalid Marker `{marker}`"));
    if marker.len() > MAX_MARKER_LEN {
        return Err(invalid());
    }
    let bytes = BASE64URL_NOPAD
        .decode(marker.as_bytes())
        .map_err(|_| invalid())?;
    let mut parts = bytes.splitn(2, |byte| *byte == 0);
    let (Some(name), Some(suffix)) = (parts.next(), parts.next()) else {
        return Err(invalid());
    };
    if name != listing.as_bytes() {
        return Err(invalid());
    }
    Ok(suffix.to_vec())
}

#[cfg(test)]
mod tests;
