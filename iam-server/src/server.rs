//! Running the server: binding, TLS, the serving threads and graceful shutdown.
//!
//! Connections are served by `Settings::threads` threads, each running its own
//! single-threaded tokio runtime. The accept loop runs on the caller's runtime and hands the
//! accepted connections to the threads in turn. A connection stays on its thread for its whole
//! life, so its requests are read, handled and responded to without handing a task to another
//! thread. With one multi-threaded runtime, the wake-ups between its workers cost about a
//! tenth of the server's CPU time under load (cross-core interrupts and run-queue locks in a
//! `perf` profile of the load benchmark).

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::Service;

use crate::app::{AppState, router};
use crate::config::TlsFiles;
use crate::error::ServerError;

/// How long in-flight requests may take to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How long a client may take to send a request's headers, or to finish the TLS handshake,
/// before its connection is closed.
///
/// Without a limit, a client that never finishes its headers keeps a socket and a task busy
/// for as long as it likes.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How long the accept loop pauses after a failed accept, such as one for lack of file
/// descriptors, before it tries again.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_millis(50);

/// Binds the listening socket.
///
/// The binary calls this before it touches the data directory, so that a port already in use
/// stops the start before any account, key or audit record is created.
///
/// # Errors
///
/// Fails when the address cannot be bound, for example because another process is listening on it.
pub fn bind(listen: SocketAddr) -> Result<TcpListener, ServerError> {
    TcpListener::bind(listen).map_err(|source| ServerError::Io {
        action: "listen on",
        path: listen.to_string(),
        source,
    })
}

/// Serves the application on `listener` until `shutdown` completes, then stops accepting
/// connections and waits up to [`SHUTDOWN_GRACE`] for in-flight requests.
///
/// # Errors
///
/// Fails when the listener cannot be used, a serving thread cannot be started or the TLS files
/// cannot be loaded.
pub async fn serve(
    state: Arc<AppState>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let listen = state.settings.listen;
    let io_error = |action: &'static str| {
        move |source| ServerError::Io {
            action,
            path: listen.to_string(),
            source,
        }
    };
    let tls = state.settings.tls.as_ref().map(tls_acceptor).transpose()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    listener
        .set_nonblocking(true)
        .map_err(io_error("serve on"))?;
    let listener = tokio::net::TcpListener::from_std(listener).map_err(io_error("serve on"))?;
    let address = listener.local_addr().map_err(io_error("serve on"))?;

    let max_connections = state.settings.max_connections;
    let app = router(Arc::clone(&state));
    let (stop, stopped) = watch::channel(false);
    let mut queues = Vec::new();
    let mut threads = Vec::new();
    for index in 0..state.settings.threads {
        let (queue, accepted) = mpsc::unbounded_channel();
        let worker = Worker {
            app: app.clone(),
            tls: tls.clone(),
            stopped: stopped.clone(),
        };
        let thread = std::thread::Builder::new()
            .name(format!("serve-{index}"))
            .spawn(move || worker.run(accepted))
            .map_err(io_error("start a serving thread for"))?;
        queues.push(queue);
        threads.push(thread);
    }
    drop(state);
    tracing::info!(address = %address, scheme, threads = threads.len(), "listening");

    let permits = Arc::new(Semaphore::new(max_connections));
    let accepted = accept_until(&listener, &queues, &permits, shutdown).await;
    if accepted.is_ok() {
        tracing::info!("shutdown requested, finishing in-flight requests");
    }
    drop(listener);
    // The watch wakes every open connection, and closing the queues ends each thread once its
    // connections are done.
    let _ = stop.send(true);
    drop(queues);
    let joined = tokio::task::spawn_blocking(move || {
        for thread in threads {
            if thread.join().is_err() {
                tracing::error!("a serving thread panicked");
            }
        }
    })
    .await;
    if joined.is_err() {
        tracing::error!("failed to wait for the serving threads");
    }
    tracing::info!("stopped");
    accepted.map_err(|source| ServerError::Io {
        action: "serve on",
        path: listen.to_string(),
        source,
    })
}

/// An accepted connection, its client's address and its share of the connection limit.
type Accepted = (std::net::TcpStream, SocketAddr, OwnedSemaphorePermit);

/// Accepts connections and hands them to the serving threads in turn until `shutdown`
/// completes.
///
/// Each connection keeps one of `permits` until it closes. While none is free the loop stops
/// accepting, so further clients wait in the listen backlog instead of using up file
/// descriptors and memory.
///
/// # Errors
///
/// Fails when a serving thread has stopped, such as one whose runtime could not be built, so
/// the server stops instead of running with part of its threads.
async fn accept_until(
    listener: &tokio::net::TcpListener,
    queues: &[mpsc::UnboundedSender<Accepted>],
    permits: &Arc<Semaphore>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut next = queues.iter().cycle();
    let mut at_limit = false;
    tokio::pin!(shutdown);
    loop {
        if permits.available_permits() == 0 && !at_limit {
            tracing::warn!("connection limit reached, new clients wait until a connection closes");
        }
        at_limit = permits.available_permits() == 0;
        let permit = tokio::select! {
            () = &mut shutdown => return Ok(()),
            permit = Arc::clone(permits).acquire_owned() => permit,
        };
        let Ok(permit) = permit else {
            return Err(std::io::Error::other("the connection limit was closed"));
        };
        let accepted = tokio::select! {
            () = &mut shutdown => return Ok(()),
            accepted = listener.accept() => accepted,
        };
        // A stream registered with this runtime's reactor must be deregistered before another
        // runtime can take it, which `into_std` does.
        let stream = match accepted.and_then(|(stream, peer)| Ok((stream.into_std()?, peer))) {
            Ok(stream) => stream,
            Err(error) => {
                tracing::warn!(%error, "failed to accept a connection");
                tokio::time::sleep(ACCEPT_RETRY_DELAY).await;
                continue;
            }
        };
        let Some(queue) = next.next() else {
            return Err(std::io::Error::other("no serving thread was started"));
        };
        let (stream, peer) = stream;
        if queue.send((stream, peer, permit)).is_err() {
            return Err(std::io::Error::other("a serving thread stopped"));
        }
    }
}

/// One serving thread's share of the server.
struct Worker {
    app: Router,
    tls: Option<TlsAcceptor>,
    stopped: watch::Receiver<bool>,
}

impl Worker {
    /// Serves the connections that arrive on `accepted` until it closes, then waits up to
    /// [`SHUTDOWN_GRACE`] for the open ones.
    fn run(self, mut accepted: mpsc::UnboundedReceiver<Accepted>) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(error) => {
                tracing::error!(%error, "failed to start a serving thread's runtime");
                return;
            }
        };
        runtime.block_on(async move {
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    next = accepted.recv() => match next {
                        Some((stream, peer, permit)) => {
                            let connection = serve_connection(
                                self.app.clone(),
                                self.tls.clone(),
                                self.stopped.clone(),
                                stream,
                                peer,
                            );
                            connections.spawn(async move {
                                connection.await;
                                drop(permit);
                            });
                        }
                        None => break,
                    },
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
            let drained = async { while connections.join_next().await.is_some() {} };
            if tokio::time::timeout(SHUTDOWN_GRACE, drained).await.is_err() {
                tracing::warn!(
                    connections = connections.len(),
                    "closing connections still open after the shutdown grace period"
                );
            }
        });
    }
}

/// Serves one connection: the TLS handshake when configured, then HTTP/1.1 requests until
/// the client closes it, a timeout expires or shutdown is requested.
async fn serve_connection(
    app: Router,
    tls: Option<TlsAcceptor>,
    stopped: watch::Receiver<bool>,
    stream: std::net::TcpStream,
    peer: SocketAddr,
) {
    let stream = match tokio::net::TcpStream::from_std(stream) {
        Ok(stream) => stream,
        Err(error) => {
            tracing::warn!(%error, %peer, "failed to register a connection");
            return;
        }
    };
    // Each response goes out in one write, so Nagle's algorithm would only delay it.
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, %peer, "failed to turn off Nagle's algorithm");
    }
    let Some(acceptor) = tls else {
        return serve_http(app, stopped, stream, peer).await;
    };
    match tokio::time::timeout(HEADER_READ_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(stream)) => serve_http(app, stopped, stream, peer).await,
        Ok(Err(error)) => tracing::debug!(%error, %peer, "TLS handshake failed"),
        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
    }
}

/// Serves HTTP/1.1 requests on a connection, finishing the request in progress and closing
/// the connection once shutdown is requested.
async fn serve_http(
    app: Router,
    mut stopped: watch::Receiver<bool>,
    io: impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    peer: SocketAddr,
) {
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        // A `Router` is always ready, so it is called without `poll_ready`.
        app.clone().call(request)
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(TokioIo::new(io), service);
    tokio::pin!(connection);
    let result = tokio::select! {
        biased;
        result = connection.as_mut() => result,
        // The guard `wait_for` returns must not live across an await, so only its outcome is
        // kept. A closed channel also means shutdown.
        _ = async { stopped.wait_for(|stop| *stop).await.is_ok() } => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(%error, %peer, "connection closed with an error");
    }
}

/// Loads the certificate chain and private key into a TLS acceptor for HTTP/1.1.
fn tls_acceptor(files: &TlsFiles) -> Result<TlsAcceptor, ServerError> {
    let failed = |reason: String| {
        ServerError::Tls(format!(
            "failed to load certificate `{}` and key `{}`: {reason}",
            files.cert.display(),
            files.key.display()
        ))
    };
    let certificates = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
        .map_err(|error| failed(error.to_string()))?;
    if certificates.is_empty() {
        return Err(failed(
            "the certificate file holds no certificate".to_owned(),
        ));
    }
    let key =
        PrivateKeyDer::from_pem_file(&files.key).map_err(|error| failed(error.to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| {
            builder
                .with_no_client_auth()
                .with_single_cert(certificates, key)
        })
        .map_err(|error| failed(error.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
