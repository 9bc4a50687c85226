//! A load generator for the server: many keep-alive connections sending SigV4-signed
//! `iam:GetUser` requests, reporting requests per second, latency percentiles and, given the
//! server's process id, the server's CPU time per request.
//!
//! ```sh
//! cargo run --release -p iam-server --example load -- \
//!     --endpoint 127.0.0.1:9500 --credentials iam-data/root-credentials.json \
//!     --connections 32 --seconds 10
//! ```
//!
//! With the root key from `--credentials` it first creates the user it reads (`load-test`)
//! and, by default, an IAM user (`load-caller`) with an inline policy that allows
//! `iam:GetUser`, plus an access key for that user. It then signs every request with that
//! user's key, so the server evaluates the policy on every request. The key is written to
//! `--caller-credentials` and reused by later runs against the same data directory, because
//! a user may hold only two access keys. `--caller root` signs with the root key instead,
//! which needs no policy evaluation.
//!
//! With `--wrk-script PATH` it drives no load itself. After the setup it signs one request
//! and writes it to `PATH` as a Lua script for `wrk` (`wrk -s PATH`), which sends those bytes
//! on every request. A SigV4 signature stays valid for 15 minutes after its `X-Amz-Date`, so
//! one signed request serves a whole run. The script's `done` function prints one line in the
//! format of this generator's own output.
//!
//! Each connection signs its request once per second, the resolution of `X-Amz-Date`, and
//! sends the same signed bytes until the second changes. The server still verifies every
//! signature in full. Signing each request anew would only spend the generator's share of
//! the same CPUs. The generator talks plain HTTP/1.1 over TCP itself, so the client adds as
//! little overhead as possible.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};
use iam_auth::SecretAccessKey;
use iam_auth::sigv4::{Credentials, Signer};
use jiff::Timestamp;

/// The name of the caller's inline policy.
const CALLER_POLICY_NAME: &str = "load-get-user";

/// The caller's inline policy: `iam:GetUser` on any user of any account.
const CALLER_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"ReadUsers","Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/*"}]}"#;

/// Options of the load generator.
#[derive(Debug, Parser)]
struct Options {
    /// The server's address, such as `127.0.0.1:9500`.
    #[arg(long)]
    endpoint: String,
    /// The `root-credentials.json` the server wrote at first start.
    #[arg(long)]
    credentials: PathBuf,
    /// The principal that signs the load: an IAM user whose inline policy allows
    /// `iam:GetUser`, or the root user, for which the server evaluates no policy.
    #[arg(long, value_enum, default_value_t = CallerKind::User)]
    caller: CallerKind,
    /// The IAM user that signs the load when `--caller user`.
    #[arg(long, default_value = "load-caller")]
    caller_name: String,
    /// The file that keeps the IAM user's access key between runs, in the format of
    /// `root-credentials.json`. The default is `load-caller-credentials.json` beside
    /// `--credentials`.
    #[arg(long)]
    caller_credentials: Option<PathBuf>,
    /// Concurrent keep-alive connections, one thread each.
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// How long to send requests, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The user that `GetUser` reads.
    #[arg(long, default_value = "load-test")]
    user_name: String,
    /// The server's process id. When given, the output adds the server's CPU time (user and
    /// system, from `/proc/PID/stat`) per request during the run.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Writes the signed request as a `wrk` Lua script to this file after the setup, instead
    /// of sending the load.
    #[arg(long)]
    wrk_script: Option<PathBuf>,
}

/// The principal that signs the load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CallerKind {
    /// An IAM user with an inline policy allowing `iam:GetUser`.
    User,
    /// The account's root user.
    Root,
}

impl CallerKind {
    fn label(self) -> &'static str {
        match self {
            CallerKind::User => "user",
            CallerKind::Root => "root",
        }
    }
}

/// The result of one connection's run.
#[derive(Default)]
struct ConnectionResult {
    latencies_micros: Vec<u32>,
    errors: u64,
}

fn main() -> Result<()> {
    let options = Options::parse();
    let root = read_credentials(&options.credentials)?;
    let root_signer = Signer::new(root.clone(), "us-east-1", "iam");

    let mut setup = Connection::open(&options.endpoint)?;
    let create = format!(
        "Action=CreateUser&Version=2010-05-08&UserName={}",
        options.user_name
    );
    setup.expect_created(&root_signer, &options.endpoint, &create)?;
    let credentials = match options.caller {
        CallerKind::Root => root,
        CallerKind::User => {
            let path = options.caller_credentials.clone().unwrap_or_else(|| {
                options
                    .credentials
                    .with_file_name("load-caller-credentials.json")
            });
            prepare_caller(&mut setup, &root_signer, &options, &path)?
        }
    };
    drop(setup);
    let signer = Arc::new(Signer::new(credentials, "us-east-1", "iam"));

    let body = Arc::new(format!(
        "Action=GetUser&Version=2010-05-08&UserName={}",
        options.user_name
    ));
    if let Some(path) = &options.wrk_script {
        let script = wrk_script(&signer, &options.endpoint, &body)?;
        return std::fs::write(path, script)
            .with_context(|| format!("failed to write `{}`", path.display()));
    }
    let clock_ticks = match options.server_pid {
        Some(_) => Some(clock_ticks_per_second()?),
        None => None,
    };
    let cpu_before = options
        .server_pid
        .zip(clock_ticks)
        .map(|(pid, ticks)| process_cpu_seconds(pid, ticks))
        .transpose()?;
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
    let cpu_after = options
        .server_pid
        .zip(clock_ticks)
        .map(|(pid, ticks)| process_cpu_seconds(pid, ticks))
        .transpose()?;

    latencies.sort_unstable();
    let percentile = |fraction: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let rank = ((latencies.len() as f64 - 1.0) * fraction).round() as usize;
        f64::from(latencies.get(rank).copied().unwrap_or_default()) / 1000.0
    };
    let mut line = format!(
        "caller={} connections={} requests={} errors={} seconds={:.1} rps={:.0} p50_ms={:.3} \
         p99_ms={:.3}",
        options.caller.label(),
        options.connections,
        latencies.len(),
        errors,
        elapsed,
        latencies.len() as f64 / elapsed,
        percentile(0.50),
        percentile(0.99)
    );
    if let (Some(before), Some(after)) = (cpu_before, cpu_after) {
        let requests = (latencies.len() as u64 + errors).max(1) as f64;
        line.push_str(&format!(
            " server_cpu_us_per_request={:.1}",
            (after - before) * 1e6 / requests
        ));
    }
    println!("{line}");
    Ok(())
}

/// Reads an access key from a file in the format of `root-credentials.json`.
fn read_credentials(path: &Path) -> Result<Credentials> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read `{}`", path.display()))?;
    let file: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("`{}` is not valid JSON", path.display()))?;
    let field = |name: &str| {
        file.get(name)
            .and_then(serde_json::Value::as_str)
            .with_context(|| format!("`{}` has no string `{name}`", path.display()))
    };
    Ok(Credentials {
        access_key_id: field("AccessKeyId")?.to_owned(),
        secret_access_key: SecretAccessKey::new(field("SecretAccessKey")?),
        session_token: None,
    })
}

/// Creates the calling IAM user and its policy, and returns its access key: the one kept at
/// `path` by an earlier run, or a new one written there.
fn prepare_caller(
    setup: &mut Connection,
    root_signer: &Signer,
    options: &Options,
    path: &Path,
) -> Result<Credentials> {
    let endpoint = &options.endpoint;
    let name = &options.caller_name;
    setup.expect_created(
        root_signer,
        endpoint,
        &format!("Action=CreateUser&Version=2010-05-08&UserName={name}"),
    )?;
    let document: String = form_urlencoded::byte_serialize(CALLER_POLICY.as_bytes()).collect();
    let put_policy = format!(
        "Action=PutUserPolicy&Version=2010-05-08&UserName={name}&PolicyName={CALLER_POLICY_NAME}\
         &PolicyDocument={document}"
    );
    let (status, body) = setup.send(root_signer, endpoint, &put_policy)?;
    if status != 200 {
        bail!(
            "PutUserPolicy failed with HTTP status {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    if path.exists() {
        return read_credentials(path);
    }

    let create_key = format!("Action=CreateAccessKey&Version=2010-05-08&UserName={name}");
    let (status, body) = setup.send(root_signer, endpoint, &create_key)?;
    let body = String::from_utf8_lossy(&body);
    if status != 200 {
        bail!("CreateAccessKey failed with HTTP status {status}: {body}");
    }
    let access_key_id = element_text(&body, "AccessKeyId")?;
    let secret = element_text(&body, "SecretAccessKey")?;
    let file = serde_json::json!({ "AccessKeyId": access_key_id, "SecretAccessKey": secret });
    write_owner_only(path, &serde_json::to_vec_pretty(&file)?)?;
    Ok(Credentials {
        access_key_id: access_key_id.to_owned(),
        secret_access_key: SecretAccessKey::new(secret),
        session_token: None,
    })
}

/// Returns the text of the first `<name>` element of an XML response, which for the fields
/// read here (an access key id and a Base64 secret) needs no unescaping.
fn element_text<'a>(xml: &'a str, name: &str) -> Result<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml
        .find(&open)
        .map(|index| index + open.len())
        .with_context(|| format!("the response has no `{name}` element"))?;
    let length = xml
        .get(start..)
        .and_then(|rest| rest.find(&close))
        .with_context(|| format!("the `{name}` element is not closed"))?;
    xml.get(start..start + length)
        .with_context(|| format!("the `{name}` element is cut"))
}

/// Writes a file readable by its owner only, because it contains a secret access key.
fn write_owner_only(path: &Path, contents: &[u8]) -> Result<()> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let mut file = open
        .open(path)
        .with_context(|| format!("failed to create `{}`", path.display()))?;
    file.write_all(contents)
        .with_context(|| format!("failed to write `{}`", path.display()))
}

/// Returns the clock tick of `utime` and `stime` in `/proc/PID/stat` (`USER_HZ`), as
/// `getconf CLK_TCK` prints it.
fn clock_ticks_per_second() -> Result<f64> {
    let output = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .context("failed to run `getconf CLK_TCK`")?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim().parse().with_context(|| {
        format!(
            "`getconf CLK_TCK` printed `{}`, expected a number",
            text.trim()
        )
    })
}

/// Returns the CPU time, user plus system, that a process has used so far, given the clock
/// tick of `/proc`.
fn process_cpu_seconds(pid: u32, ticks_per_second: f64) -> Result<f64> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("failed to read {path}"))?;
    // The command name in brackets may contain spaces, so the fields are counted from the
    // last `)`. After it comes field 3 (state), so utime and stime (fields 14 and 15) are at
    // indexes 11 and 12.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |index: usize| -> Result<f64> {
        let text = fields
            .get(index)
            .with_context(|| format!("{path} has fewer fields than expected"))?;
        Ok(text.parse::<u64>()? as f64)
    };
    Ok((ticks(11)? + ticks(12)?) / ticks_per_second)
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
        let (status, _) = connection.send(signer, endpoint, body)?;
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
    /// The last request sent: its body, the second it was signed in, and its bytes on the
    /// wire.
    last_request: Option<(String, i64, Vec<u8>)>,
}

impl Connection {
    fn open(endpoint: &str) -> Result<Self> {
        let stream = TcpStream::connect(endpoint)
            .with_context(|| format!("failed to connect to `{endpoint}`"))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buffer: Vec::with_capacity(4096),
            last_request: None,
        })
    }

    /// Sends a setup call that creates an entity, accepting that it exists already.
    fn expect_created(&mut self, signer: &Signer, host: &str, body: &str) -> Result<()> {
        let (status, response) = self.send(signer, host, body)?;
        if status != 200 && status != 409 {
            bail!(
                "`{body}` failed with HTTP status {status}: {}",
                String::from_utf8_lossy(&response)
            );
        }
        Ok(())
    }

    /// Sends one signed POST, reads the whole response and returns its status and body.
    ///
    /// The request is signed anew when its body or the current second differs from the last
    /// one sent; otherwise the same bytes go out again.
    fn send(&mut self, signer: &Signer, host: &str, body: &str) -> Result<(u16, Vec<u8>)> {
        let time = now();
        let second = time.as_second();
        let reusable = self
            .last_request
            .as_ref()
            .is_some_and(|(last_body, last_second, _)| last_body == body && *last_second == second);
        if !reusable {
            let bytes = sign_request(signer, host, body, time)?;
            self.last_request = Some((body.to_owned(), second, bytes));
        }
        if let Some((_, _, bytes)) = &self.last_request {
            self.stream.write_all(bytes)?;
        }
        self.read_response()
    }

    fn read_response(&mut self) -> Result<(u16, Vec<u8>)> {
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
        let body = self
            .buffer
            .get(header_end..header_end + content_length)
            .unwrap_or_default()
            .to_vec();
        Ok((status, body))
    }
}

/// Signs a form POST to `/` and returns the bytes of the whole HTTP/1.1 request.
fn sign_request(signer: &Signer, host: &str, body: &str, time: Timestamp) -> Result<Vec<u8>> {
    let headers = signed_headers(signer, host, body, time)?;
    let mut bytes = Vec::with_capacity(512 + body.len());
    bytes.extend_from_slice(b"POST / HTTP/1.1\r\n");
    for (name, value) in &headers {
        bytes.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    bytes.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    bytes.extend_from_slice(body.as_bytes());
    Ok(bytes)
}

/// Returns a `wrk` Lua script that sends `body` as a POST to `/` signed now, and whose `done`
/// function prints the run's requests, errors, requests per second and latency percentiles.
///
/// wrk counts a response with a status of 400 or more as an error, so a request the server
/// rejects (an expired signature, say) shows in `errors` instead of passing as load.
fn wrk_script(signer: &Signer, endpoint: &str, body: &str) -> Result<String> {
    let headers = signed_headers(signer, endpoint, body, now())?;
    let mut script = String::from("wrk.method = \"POST\"\n");
    script.push_str(&format!("wrk.body = {}\n", lua_string(body)));
    for (name, value) in &headers {
        // wrk adds its own `Host` header unless one is set under exactly that name.
        let name = if name.eq_ignore_ascii_case("host") {
            "Host"
        } else {
            name
        };
        script.push_str(&format!(
            "wrk.headers[{}] = {}\n",
            lua_string(name),
            lua_string(value)
        ));
    }
    script.push_str(
        r#"
function done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local errors = summary.errors.status + summary.errors.connect + summary.errors.read
        + summary.errors.write + summary.errors.timeout
    io.write(string.format(
        "requests=%d errors=%d seconds=%.1f rps=%.0f p50_ms=%.3f p99_ms=%.3f\n",
        summary.requests, errors, seconds, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"#,
    );
    Ok(script)
}

/// Quotes text as a Lua string literal.
fn lua_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(character);
            }
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

/// Signs a form POST to `/` and returns every header to send except `Content-Length`.
fn signed_headers(
    signer: &Signer,
    host: &str,
    body: &str,
    time: Timestamp,
) -> Result<Vec<(String, String)>> {
    Ok(signer.sign_form_post(host, body, time)?.headers)
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
