//! End-to-end tests: the real server binary on 127.0.0.1, driven by boto3 and the aws CLI.
//!
//! Without python3, boto3 or the aws CLI the tests are skipped with a message, except under
//! `CI=true`, where they fail, because CI must run them.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server process, stopped with SIGTERM when dropped.
pub(crate) struct Server {
    child: Child,
    address: SocketAddr,
    /// The certificate the server presents, when it serves HTTPS.
    certificate: Option<PathBuf>,
}

impl Server {
    pub(crate) fn start(data_dir: &Path) -> Server {
        Server::start_with(data_dir, &[])
    }

    /// Starts the server with `extra` arguments after the listen address and data directory.
    pub(crate) fn start_with(data_dir: &Path, extra: &[&str]) -> Server {
        Server::spawn(data_dir, extra, None)
    }

    /// Starts the server over HTTPS with the certificate and key in PEM files.
    pub(crate) fn start_tls(data_dir: &Path, certificate: &Path, key: &Path) -> Server {
        let files = [certificate.to_str().unwrap(), key.to_str().unwrap()];
        let extra = ["--tls-cert", files[0], "--tls-key", files[1]];
        Server::spawn(data_dir, &extra, Some(certificate.to_owned()))
    }

    fn spawn(data_dir: &Path, extra: &[&str], certificate: Option<PathBuf>) -> Server {
        // The server binds port 0 itself and logs the address it got, so no other test can
        // take the port between choosing it and binding it.
        let mut child = Command::new(env!("CARGO_BIN_EXE_iam-server"))
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(["--log-format", "json", "--log-level", LOG_LEVEL])
            .args(extra)
            .env_remove("IAM_ROOT_ACCESS_KEY_ID")
            .env_remove("IAM_ROOT_SECRET_ACCESS_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("failed to start the iam-server binary");
        let stdout = child.stdout.take().unwrap();
        let address = read_listen_address(stdout);
        let server = Server {
            child,
            address,
            certificate,
        };
        server.wait_healthy();
        server
    }

    fn endpoint(&self) -> String {
        let scheme = if self.certificate.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.address)
    }

    fn wait_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(mut stream) = TcpStream::connect(self.address) {
                // A plain request cannot reach a TLS server, so a connection is enough: the
                // port is bound, and the scripts' calls wait in the listen queue until served.
                if self.certificate.is_some() {
                    return;
                }
                use std::io::Write;
                let request = format!(
                    "GET /health HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                    self.address
                );
                if stream.write_all(request.as_bytes()).is_ok() {
                    let mut response = String::new();
                    let _ = stream.read_to_string(&mut response);
                    if response.starts_with("HTTP/1.1 200") {
                        return;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the server on {} did not become healthy in 30 s",
            self.address
        );
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub(crate) fn stop(mut self) {
        terminate(&mut self.child);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the server exited with {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            terminate(&mut self.child);
            let _ = self.child.wait();
        }
    }
}

fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
}

/// Warnings from every module, plus the serving module's start line with the bound address.
const LOG_LEVEL: &str = "warn,iam_server::server=info";

/// Reads the server's JSON log lines until the one that reports the listening address, then
/// keeps draining the rest on a thread so the server never blocks on a full pipe.
fn read_listen_address(stdout: std::process::ChildStdout) -> SocketAddr {
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(stdout);
    let mut line = String::new();
    loop {
        line.clear();
        let read = lines.read_line(&mut line).unwrap();
        assert!(
            read > 0,
            "the server exited before it logged its listening address"
        );
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if entry["fields"]["message"] == "listening" {
            let address = entry["fields"]["address"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            std::thread::spawn(move || std::io::copy(&mut lines, &mut std::io::sink()));
            return address;
        }
    }
}

/// Returns whether python3 with boto3 and the aws CLI are installed. Under `CI=true` a
/// missing tool fails the test instead.
pub(crate) fn clients_available() -> bool {
    let boto3 = Command::new("python3")
        .args(["-c", "import boto3"])
        .status()
        .is_ok_and(|status| status.success());
    let cli = Command::new("aws")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if boto3 && cli {
        return true;
    }
    let message = format!(
        "end-to-end tests need python3 with boto3 (found: {boto3}) and the aws CLI \
         (found: {cli}); install them with `pip install boto3 awscli`"
    );
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
    eprintln!("skipping: {message}");
    false
}

pub(crate) fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e")
}

/// Returns the shared behaviour-case file, failing loudly when it is missing.
fn behaviour_cases() -> PathBuf {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/cases/behaviour-cases.json");
    assert!(
        path.is_file(),
        "the behaviour cases are missing at {}",
        path.display()
    );
    path
}

pub(crate) fn run_script(script: &str, server: &Server, data_dir: &Path) {
    run_script_with(script, &[], server, data_dir);
}

/// Runs an end-to-end script with `arguments` against `server`.
pub(crate) fn run_script_with(script: &str, arguments: &[&str], server: &Server, data_dir: &Path) {
    let mut command = Command::new("python3");
    command
        .arg(scripts().join(script))
        .args(arguments)
        .current_dir(scripts())
        .env("IAM_E2E_ENDPOINT", server.endpoint())
        .env("IAM_E2E_DATA_DIR", data_dir)
        .env("IAM_E2E_BEHAVIOUR_CASES", behaviour_cases())
        .env("PYTHONDONTWRITEBYTECODE", "1");
    if let Some(certificate) = &server.certificate {
        command.env("IAM_E2E_CA_BUNDLE", certificate);
    }
    let output = command.output().expect("failed to run python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "{script} failed:\n{stdout}\n{stderr}"
    );
}

#[test]
fn boto3_and_cli_against_real_server() {
    if !clients_available() {
        return;
    }
    let directory = tempfile::tempdir().unwrap();
    let data_dir = directory.path().join("data");

    let server = Server::start(&data_dir);
    run_script("lifecycle.py", &server, &data_dir);
    run_script("roles_policies.py", &server, &data_dir);
    run_script("behaviour_cases.py", &server, &data_dir);
    run_script("credentials.py", &server, &data_dir);
    run_script("root_mfa.py", &server, &data_dir);
    run_script("pagination.py", &server, &data_dir);
    run_script("signed_queries.py", &server, &data_dir);
    server.stop();

    let restarted = Server::start(&data_dir);
    run_script("after_restart.py", &restarted, &data_dir);
    restarted.stop();
}

#[test]
fn secure_transport_true_only_over_tls() {
    if !clients_available() || !openssl_available() {
        return;
    }
    let directory = tempfile::tempdir().unwrap();
    let data_dir = directory.path().join("data");
    let certificate = directory.path().join("cert.pem");
    let key = directory.path().join("key.pem");
    self_signed_certificate(&certificate, &key);

    let tls = Server::start_tls(&data_dir, &certificate, &key);
    run_script_with("secure_transport.py", &["tls"], &tls, &data_dir);
    tls.stop();
    let plain = Server::start(&data_dir);
    run_script_with("secure_transport.py", &["plain"], &plain, &data_dir);
    plain.stop();
}

/// Returns whether the openssl command is installed. Under `CI=true` a missing command fails
/// the test instead.
fn openssl_available() -> bool {
    let found = Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    let message = "the TLS end-to-end test needs the openssl command to make its certificate";
    assert!(
        found || std::env::var("CI").as_deref() != Ok("true"),
        "{message}"
    );
    if !found {
        eprintln!("skipping: {message}");
    }
    found
}

/// Writes a self-signed P-256 certificate for 127.0.0.1, valid for one day, and its key.
fn self_signed_certificate(certificate: &Path, key: &Path) {
    let output = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .arg("ec_paramgen_curve:prime256v1")
        .args(["-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        .arg("-keyout")
        .arg(key)
        .arg("-out")
        .arg(certificate)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "openssl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[cfg(unix)]
#[test]
fn first_start_writes_owner_only_credentials() {
    use std::os::unix::fs::PermissionsExt;
    let directory = tempfile::tempdir().unwrap();
    let data_dir = directory.path().join("data");

    let server = Server::start(&data_dir);
    server.stop();

    let path = data_dir.join("root-credentials.json");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let credentials: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(credentials["AccessKeyId"].as_str().unwrap().len(), 20);
    assert_eq!(credentials["SecretAccessKey"].as_str().unwrap().len(), 40);
}

#[test]
fn port_in_use_leaves_data_dir_untouched() {
    let directory = tempfile::tempdir().unwrap();
    let data_dir = directory.path().join("data");
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = holder.local_addr().unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_iam-server"))
        .arg("--listen")
        .arg(address.to_string())
        .arg("--data-dir")
        .arg(&data_dir)
        .env_remove("IAM_ROOT_ACCESS_KEY_ID")
        .env_remove("IAM_ROOT_SECRET_ACCESS_KEY")
        .output()
        .unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains(&address.to_string()), "{stderr}");
    assert!(
        !data_dir.exists(),
        "the failed start created `{}`",
        data_dir.display()
    );
    drop(holder);
}

#[test]
fn shutdown_finishes_request_in_flight() {
    use std::io::Write;
    let directory = tempfile::tempdir().unwrap();
    let server = Server::start_with(&directory.path().join("data"), &["--threads", "2"]);
    let body = "Action=ListUsers&Version=2010-05-08";
    let (first, rest) = body.split_at(10);
    let mut stream = TcpStream::connect(server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\r\n",
        server.address,
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(first.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300));

    let mut server = server;
    terminate(&mut server.child);
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(rest.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = server.child.wait().unwrap();

    // The request carries no signature, so the complete response is AWS's error for that.
    assert!(response.starts_with("HTTP/1.1 4"), "{response}");
    assert!(
        response.contains("MissingAuthenticationToken"),
        "{response}"
    );
    assert!(
        response.trim_end().ends_with("</ErrorResponse>"),
        "{response}"
    );
    assert!(status.success(), "the server exited with {status}");
}

#[test]
fn connections_over_limit_wait_for_one_to_close() {
    use std::io::Write;
    let directory = tempfile::tempdir().unwrap();
    let server = Server::start_with(&directory.path().join("data"), &["--max-connections", "1"]);
    let health = format!("GET /health HTTP/1.1\r\nHost: {}\r\n\r\n", server.address);
    let read_some = |stream: &mut TcpStream| {
        let mut buffer = [0_u8; 512];
        stream
            .read(&mut buffer)
            .map(|count| String::from_utf8_lossy(&buffer[..count]).into_owned())
    };

    let mut first = TcpStream::connect(server.address).unwrap();
    first
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    first.write_all(health.as_bytes()).unwrap();
    let first_reply = read_some(&mut first).unwrap();
    let mut second = TcpStream::connect(server.address).unwrap();
    second.write_all(health.as_bytes()).unwrap();
    second
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let while_first_open = read_some(&mut second);
    drop(first);
    second
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let after_first_closed = read_some(&mut second).unwrap();

    assert!(first_reply.starts_with("HTTP/1.1 200"), "{first_reply}");
    assert!(
        while_first_open.is_err(),
        "the second connection was served while the first was open: {while_first_open:?}"
    );
    assert!(
        after_first_closed.starts_with("HTTP/1.1 200"),
        "{after_first_closed}"
    );
    server.stop();
}
