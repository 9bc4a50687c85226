//! The `iam-server` binary: reads settings, sets up logging and serves until a signal.

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Parser;
use iam_audit::{Trail, TrailConfig};
use iam_auth::ThreadRandomSource;
use iam_auth::seal::{KeyEncryptionKey, Keyring};
use iam_model::Quotas;
use iam_model::{Clock, RandomSource};
use iam_server::app::AppState;
use iam_server::bootstrap::{GivenRootKey, bootstrap_root};
use iam_server::config::{LogFormat, Options, Settings};
use iam_server::keys::{DataDir, KEY_ENCRYPTION_KEY_ID};
use iam_server::oidc_keys;
use iam_server::session::SessionKeys;
use iam_server::system::SystemClock;
use iam_store::kv::SledOptions;
use iam_store::{IamStore, SledStore};
use tracing_subscriber::EnvFilter;

/// The memory allocator. A request allocates a few hundred times, and with the system
/// allocator (glibc) `malloc` and `free` took about a third of the server's instructions per
/// request in a callgrind profile of the load benchmark.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The main runtime opens the store, accepts connections and waits for signals. Requests run
/// on the serving threads that `server::serve` starts.
#[tokio::main(flavor = "current_thread")]
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
    let listener = iam_server::server::bind(settings.listen)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let random: Arc<dyn RandomSource> = Arc::new(ThreadRandomSource::new());
    let data_dir = DataDir::prepare(&settings.data_dir)?;
    let key_encryption_key = data_dir.key_encryption_key(random.as_ref())?;
    let keyring = Arc::new(Keyring::new(
        KeyEncryptionKey::new(KEY_ENCRYPTION_KEY_ID, &key_encryption_key)
            .context("invalid key-encryption key")?,
    ));
    let session_keys = SessionKeys::load(&data_dir, random.as_ref())?;
    let given_root_key = GivenRootKey::from_environment()?;
    let store = SledStore::open_sled(&SledOptions::new(data_dir.store()), Quotas::default())
        .await
        .with_context(|| {
            format!(
                "failed to open the store in `{}`",
                data_dir.store().display()
            )
        })?;
    let store = Arc::new(store);
    let root = bootstrap_root(
        &data_dir,
        &keyring,
        store.as_ref(),
        random.as_ref(),
        clock.now(),
        settings.account_id,
        given_root_key,
    )
    .await?;
    tracing::info!(
        path = %data_dir.store().display(),
        account = %root.account,
        "store opened"
    );
    let loaded = oidc_keys::load_all(store.as_ref(), &data_dir.oidc_jwks())
        .await
        .context("failed to store the OpenID Connect signing keys")?;
    tracing::info!(
        directory = %data_dir.oidc_jwks().display(),
        providers = loaded,
        "OpenID Connect signing keys loaded"
    );

    if let Some(directory) = &settings.aws_managed_policies {
        let started = std::time::Instant::now();
        let summary = iam_server::aws_policies::load(
            Arc::clone(&store) as Arc<dyn IamStore>,
            root.account,
            directory,
        )
        .await
        .context("failed to load the AWS managed policies")?;
        tracing::info!(
            directory = %directory.display(),
            written = summary.written,
            unchanged = summary.unchanged,
            skipped = summary.skipped,
            milliseconds = started.elapsed().as_millis(),
            "AWS managed policies loaded"
        );
    }

    let audit_enabled = settings.audit;
    let mut state = AppState::new(
        settings,
        Arc::clone(&clock),
        Arc::clone(&random),
        Arc::clone(&store) as Arc<dyn IamStore>,
        keyring,
        session_keys,
        root,
    )
    .with_oidc_jwks_dir(data_dir.oidc_jwks());
    let mut audit_trail = None;
    if audit_enabled {
        let key_pair = data_dir.audit_signing_key(random.as_ref())?;
        let (trail, report) = Trail::open(TrailConfig::new(data_dir.audit()), clock, key_pair)?;
        tracing::info!(
            directory = %data_dir.audit().display(),
            next_sequence = report.next_sequence,
            cut_bytes = report.cut_bytes,
            "audit trail opened"
        );
        let trail = Arc::new(trail);
        audit_trail = Some(Arc::clone(&trail));
        state = state
            .with_audit(trail)
            .context("failed to start the audit writer thread")?;
    } else {
        tracing::warn!("audit trail switched off, calls are not recorded");
    }
    let state = Arc::new(state);
    let result = iam_server::server::serve(Arc::clone(&state), listener, shutdown_signal()).await;
    if let Some(audit) = &state.audit {
        audit.flush().await;
    }
    drop(store);
    if let Some(trail) = audit_trail {
        // Signing a last digest on the way out covers every event of this run.
        match trail.sign() {
            Ok(digest) => tracing::info!(count = digest.count, "audit trail signed"),
            Err(error) => tracing::error!(%error, "failed to sign the audit trail at shutdown"),
        }
    }
    if let Err(error) = &result {
        tracing::error!(%error, "server failed");
    }
    result.context("server failed")
}

fn init_logging(settings: &Settings) -> Result<()> {
    let filter = EnvFilter::try_new(&settings.log_level)
        .with_context(|| format!("invalid log level `{}`", settings.log_level))?;
    // Colour codes only help a person at a terminal. In a file or a pipe they are noise for
    // grep and log shippers.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal());
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
