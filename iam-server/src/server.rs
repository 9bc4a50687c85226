//! Running the server: binding, TLS and graceful shutdown.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;

use crate::app::{AppState, router};
use crate::error::ServerError;

/// How long in-flight requests may take to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How long a client may take to send a request's headers before its connection is closed.
///
/// Without a limit, a client that never finishes its headers keeps a socket and a task busy
/// for as long as it likes.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

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
/// Fails when the listener cannot be used or the TLS files cannot be loaded.
pub async fn serve(
    state: Arc<AppState>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let listen = state.settings.listen;
    let tls = state.settings.tls.clone();
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let handle: Handle<SocketAddr> = Handle::new();

    let signal_handle = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutdown requested, finishing in-flight requests");
        signal_handle.graceful_shutdown(Some(SHUTDOWN_GRACE));
    });
    let listening_handle = handle.clone();
    let scheme = if tls.is_some() { "https" } else { "http" };
    tokio::spawn(async move {
        if let Some(address) = listening_handle.listening().await {
            tracing::info!(address = %address, scheme, "listening");
        }
    });

    let bind_error = |source| ServerError::Io {
        action: "serve on",
        path: listen.to_string(),
        source,
    };
    match tls {
        Some(files) => {
            let config = RustlsConfig::from_pem_file(&files.cert, &files.key)
                .await
                .map_err(|source| {
                    ServerError::Tls(format!(
                        "failed to load certificate `{}` and key `{}`: {source}",
                        files.cert.display(),
                        files.key.display()
                    ))
                })?;
            let mut server =
                axum_server::tls_rustls::from_tcp_rustls(listener, config).map_err(bind_error)?;
            server
                .http_builder()
                .http1()
                .header_read_timeout(HEADER_READ_TIMEOUT);
            server.handle(handle).serve(app).await.map_err(bind_error)?;
        }
        None => {
            let mut server = axum_server::from_tcp(listener).map_err(bind_error)?;
            server
                .http_builder()
                .http1()
                .header_read_timeout(HEADER_READ_TIMEOUT);
            server.handle(handle).serve(app).await.map_err(bind_error)?;
        }
    }
    tracing::info!("stopped");
    Ok(())
}
