//! Access to the shared test corpus and a parser for its raw HTTP requests.

use std::path::{Path, PathBuf};

use iam_auth::sigv4::HttpRequest;

/// Returns the path of a file or folder in the shared corpus, failing loudly if it is missing.
pub(crate) fn shared_path(relative: &str) -> PathBuf {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")).join(relative);
    assert!(
        path.exists(),
        "the shared test corpus is missing at `{}`; clone it next to the repository",
        path.display()
    );
    path
}

/// Reads a corpus file as text.
pub(crate) fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("failed to read `{}`: {error}", path.display()))
}

/// Reads a corpus file as JSON.
pub(crate) fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read_text(path))
        .unwrap_or_else(|error| panic!("invalid JSON in `{}`: {error}", path.display()))
}

/// An HTTP/1.1 request parsed from a test-suite file, owning its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRequest {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl RawRequest {
    /// Parses a request: a request line whose target may contain spaces, header lines where a
    /// line starting with whitespace continues the previous value, an empty line and the body.
    pub(crate) fn parse(text: &str) -> RawRequest {
        let (head, body) = match text.split_once("\n\n") {
            Some((head, body)) => (head, body),
            None => (text.trim_end_matches('\n'), ""),
        };
        let mut lines = head.split('\n');
        let request_line = lines.next().expect("request line");
        let (method, rest) = request_line.split_once(' ').expect("method");
        let target = rest.rsplit_once(" HTTP/").expect("HTTP version").0;
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                let last = headers.last_mut().expect("continuation after a header");
                last.1.push('\n');
                last.1.push_str(line);
                continue;
            }
            let (name, value) = line.split_once(':').expect("header line");
            headers.push((name.to_owned(), value.to_owned()));
        }
        RawRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    /// Returns the header pairs in the borrowed shape `HttpRequest` takes.
    pub(crate) fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect()
    }

    /// Builds the borrowed request over `pairs`, which must come from [`Self::header_pairs`].
    pub(crate) fn http<'a>(&'a self, pairs: &'a [(&'a str, &'a str)]) -> HttpRequest<'a> {
        HttpRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: pairs,
            body: &self.body,
        }
    }
}
