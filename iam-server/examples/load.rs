//! A load generator for the server: many keep-alive connections sending signed `iam:GetUser`
//! requests, each signed anew with SigV4, reporting requests per second and latency
//! percentiles.
//!
//! ```sh
//! cargo run --release -p iam-server --example load -- \
//!     --endpoint 127.0.0.1:9500 --credentials iam-data/root-credentials.json \
//!     --connections 32 --seconds 10
//! ```
//!
//! It creates the user it reads (`load-test` by default) when it does not exist. It talks
//! plain HTTP/1.1 over TCP itself, so the client adds as little overhead as possible.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use iam_auth::SecretAccessKey;
use iam_auth::sigv4::{Credentials, HttpRequest, Signer};
use jiff::Timestamp;

/// Options of the load generator.
#[derive(Debug, Parser)]
struct Options {
    /// The server's address, such as `127.0.0.1:9500`.
    #[arg(long)]
    endpoint: String,
    /// The `root-credentials.json` the server wrote at first start.
    #[arg(long)]
    credentials: String,
    /// Concurrent keep-alive connections, one thread each.
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// How long to send requests, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The user that `GetUser` reads.
    #[arg(long, default_value = "load-test")]
    user_name: String,
}

/// The result of one connection's run.
#[derive(Default)]
struct ConnectionResult {
    latencies_micros: Vec<u32>,
    errors: u64,
}

fn main() -> Result<()> {
    let options = Options::parse();
    let text = std::fs::read_to_string(&options.credentials)
        .with_context(|| format!("failed to read `{}`", options.credentials))?;
    let file: serde_json::Value = serde_json::from_str(&text)?;
    let credentials = Credentials {
        access_key_id: file
            .get("AccessKeyId")
            .and_then(serde_json::Value::as_str)
            .context("missing AccessKeyId")?
            .to_owned(),
        secret_access_key: SecretAccessKey::new(
            file.get("SecretAccessKey")
                .and_then(serde_json::Value::as_str)
                .context("missing SecretAccessKey")?,
        ),
        session_token: None,
    };
    let signer = Arc::new(Signer::new(credentials, "us-east-1", "iam"));

    let mut setup = Connection::open(&options.endpoint)?;
    let create = format!(
        "Action=CreateUser&Version=2010-05-08&UserName={}",
        options.user_name
    );
    let status = setup.send(&signer, &options.endpoint, &create)?;
    if status != 200 && status != 409 {
        bail!("creating the user failed with HTTP status {status}");
    }

    let body = Arc::new(format!(
        "Action=GetUser&Version=2010-05-08&UserName={}",
        options.user_name
    ));
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..options.connections)
        .map(|_| {
            let signer = Arc::clone(&signer);
            let body = Arc::clone(&body);
            let endpoint = options.endpoint.clone();
            std::thread::spawn(move || run_connection(&endpoint, &signer, &body, deadline))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for worker in workers {
        let result = worker
            .join()
            .map_err(|_| anyhow::anyhow!("a load thread panicked"))??;
        latencies.extend(result.latencies_micros);
        errors += result.errors;
    }
    let elapsed = started.elapsed().as_secs_f64();

    latencies.sort_unstable();
    let percentile = |fraction: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let rank = ((latencies.len() as f64 - 1.0) * fraction).round() as usize;
        f64::from(latencies.get(rank).copied().unwrap_or_default()) / 1000.0
    };
    println!(
        "connections={} requests={} errors={} seconds={:.1} rps={:.0} p50_ms={:.3} p99_ms={:.3}",
        options.connections,
        latencies.len(),
        errors,
        elapsed,
        latencies.len() as f64 / elapsed,
        percentile(0.50),
        percentile(0.99)
    );
    Ok(())
}

fn run_connection(
    endpoint: &str,
    signer: &Signer,
    body: &str,
    deadline: Instant,
) -> Result<ConnectionResult> {
    let mut connection = Connection::open(endpoint)?;
    let mut result = ConnectionResult::default();
    while Instant::now() < deadline {
        let sent = Instant::now();
        let status = connection.send(signer, endpoint, body)?;
        let micros = u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX);
        if status == 200 {
            result.latencies_micros.push(micros);
        } else {
            result.errors += 1;
        }
    }
    Ok(result)
}

/// One keep-alive HTTP/1.1 connection.
struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Connection {
    fn open(endpoint: &str) -> Result<Self> {
        let stream = TcpStream::connect(endpoint)
            .with_context(|| format!("failed to connect to `{endpoint}`"))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buffer: Vec::with_capacity(4096),
        })
    }

    /// Signs and sends one POST, reads the whole response and returns its status.
    fn send(&mut self, signer: &Signer, host: &str, body: &str) -> Result<u16> {
        let headers = [
            ("host", host),
            (
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            ),
        ];
        let request = HttpRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body: body.as_bytes(),
        };
        let signed = signer.sign(&request, now())?;
        let mut head = String::with_capacity(512);
        head.push_str("POST / HTTP/1.1\r\n");
        for (name, value) in &signed.headers {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
        head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
        self.stream.write_all(head.as_bytes())?;
        self.stream.write_all(body.as_bytes())?;
        self.read_response()
    }

    fn read_response(&mut self) -> Result<u16> {
        self.buffer.clear();
        let mut chunk = [0_u8; 4096];
        let header_end = loop {
            if let Some(position) = find(&self.buffer, b"\r\n\r\n") {
                break position + 4;
            }
            let read = self.stream.read(&mut chunk)?;
            if read == 0 {
                bail!("the server closed the connection");
            }
            self.buffer
                .extend_from_slice(chunk.get(..read).unwrap_or_default());
        };
        let head = std::str::from_utf8(self.buffer.get(..header_end).unwrap_or_default())?;
        let status: u16 = head.get(9..12).context("short status line")?.parse()?;
        let content_length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())
                    .flatten()
            })
            .context("response without content-length")?;
        while self.buffer.len() < header_end + content_length {
            let read = self.stream.read(&mut chunk)?;
            if read == 0 {
                bail!("the server closed the connection mid-body");
            }
            self.buffer
                .extend_from_slice(chunk.get(..read).unwrap_or_default());
        }
        Ok(status)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[expect(
    clippy::disallowed_methods,
    reason = "the load generator signs with the real time, outside the server"
)]
fn now() -> Timestamp {
    Timestamp::now()
}
