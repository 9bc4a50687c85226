//! The `iam-server` binary: reads settings, sets up logging and serves until a signal.

use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Parser;
use iam_server::app::AppState;
use iam_server::config::{LogFormat, Options, Settings};
use iam_server::system::{SystemClock, SystemRandom};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<()> {
    let settings = Settings::load(Options::parse())?;
    init_logging(&settings)?;
    if rustls::crypto::ring::default_provider()
        .install_default()
        .is_err()
    {
        tracing::debug!("a rustls crypto provider was already installed");
    }

    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        data_dir = %settings.data_dir.display(),
        enforcement = ?settings.enforcement,
        "starting"
    );
    let state = Arc::new(AppState::new(
        settings,
        Arc::new(SystemClock),
        Arc::new(SystemRandom::new()),
    ));
    let result = iam_server::server::serve(state, shutdown_signal()).await;
    if let Err(error) = &result {
        tracing::error!(%error, "server failed");
    }
    result.context("server failed")
}

fn init_logging(settings: &Settings) -> Result<()> {
    let filter = EnvFilter::try_new(&settings.log_level)
        .with_context(|| format!("invalid log level `{}`", settings.log_level))?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match settings.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    Ok(())
}

/// Completes on SIGINT or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "failed to listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "failed to listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!(signal = "SIGINT", "signal received"),
        () = terminate => tracing::info!(signal = "SIGTERM", "signal received"),
    }
}
