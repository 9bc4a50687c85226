//! Server settings from flags, environment variables and an optional TOML file.
//!
//! Precedence, highest first: a command-line flag, its environment variable, the config file,
//! the built-in default.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use clap::{Parser, ValueEnum};
use iam_model::AccountId;
use serde::Deserialize;

use crate::ServerError;

/// The loopback port the server listens on when nothing else is configured.
///
/// Port 9500 keeps clear of 4566, which local AWS emulators commonly take.
pub const DEFAULT_PORT: u16 = 9500;

/// The data directory used when nothing else is configured, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "iam-data";

/// The largest request body accepted, in bytes.
///
/// The largest IAM parameter is a policy document of at most 131,072 characters, which
/// percent-encoding can triple, so 512 KiB leaves room for it and the other parameters.
pub const DEFAULT_MAX_BODY_BYTES: usize = 512 * 1024;

/// The default number of connections served at once. It stays below the common limit of 1,024
/// open files per process, which the store, the audit trail and the listener share.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// Command-line options. Every option also reads an environment variable and the config file.
#[derive(Debug, Clone, Default, Parser, Deserialize)]
#[command(
    name = "iam-server",
    version,
    about = "An AWS IAM and STS compatible server"
)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// TOML file with the same settings as the flags, keys spelled like the long flags.
    #[arg(long, env = "IAM_CONFIG")]
    #[serde(skip)]
    pub config: Option<PathBuf>,

    /// Socket address to listen on [default: 127.0.0.1:9500].
    #[arg(long, env = "IAM_LISTEN")]
    pub listen: Option<SocketAddr>,

    /// Directory containing the store, the keys, the audit trail and `root-credentials.json`
    /// [default: ./iam-data].
    #[arg(long, env = "IAM_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Log line format [default: text].
    #[arg(long, env = "IAM_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,

    /// Log filter in `tracing` syntax, such as `info` or `iam_server=debug` [default: info].
    #[arg(long, env = "IAM_LOG_LEVEL")]
    pub log_level: Option<String>,

    /// PEM file with the TLS certificate chain; serves HTTPS when given with `--tls-key`.
    #[arg(long, env = "IAM_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM file with the TLS private key.
    #[arg(long, env = "IAM_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Signing regions to accept, comma-separated; any region when empty.
    #[arg(long, env = "IAM_ALLOWED_REGIONS", value_delimiter = ',')]
    pub allowed_regions: Option<Vec<String>>,

    /// Account id created on first start; a random one when not given.
    #[arg(long, env = "IAM_ACCOUNT_ID")]
    pub account_id: Option<String>,

    /// Whether a denied call is rejected (`enforce`) or only recorded (`log-only`)
    /// [default: enforce].
    #[arg(long, env = "IAM_ENFORCEMENT", value_enum)]
    pub enforcement: Option<Enforcement>,

    /// Largest accepted request body in bytes [default: 524288].
    #[arg(long, env = "IAM_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,

    /// Whether every call is recorded in the audit trail, `true` or `false` [default: true].
    #[arg(long, env = "IAM_AUDIT")]
    pub audit: Option<bool>,

    /// Directory of AWS managed policy documents (one `<PolicyName>.json` each, and an optional
    /// `_index.json`). Without it no AWS managed policy exists.
    #[arg(long, env = "IAM_AWS_MANAGED_POLICIES")]
    pub aws_managed_policies: Option<PathBuf>,
    /// Threads serving connections, each with its own single-threaded runtime [default: the
    /// number of CPUs].
    #[arg(long, env = "IAM_THREADS")]
    pub threads: Option<usize>,

    /// Connections served at once. Further clients wait in the listen backlog until one closes
    /// [default: 512].
    #[arg(long, env = "IAM_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
}

/// The format of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// The handling of calls that the policies deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Enforcement {
    /// The call fails with `AccessDenied`.
    #[default]
    Enforce,
    /// The call goes ahead and the would-be denial is logged and audited.
    LogOnly,
}

/// A certificate chain and private key in PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain.
    pub cert: PathBuf,
    /// The private key.
    pub key: PathBuf,
}

/// The resolved settings the server runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The socket address to listen on.
    pub listen: SocketAddr,
    /// The data directory.
    pub data_dir: PathBuf,
    /// The log line format.
    pub log_format: LogFormat,
    /// The log filter.
    pub log_level: String,
    /// TLS files, when the server serves HTTPS.
    pub tls: Option<TlsFiles>,
    /// Accepted signing regions; empty accepts any.
    pub allowed_regions: Vec<String>,
    /// The account id to create on first start.
    pub account_id: Option<AccountId>,
    /// Whether denials are enforced.
    pub enforcement: Enforcement,
    /// The largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// Whether calls are recorded in the audit trail.
    pub audit: bool,
    /// The directory of AWS managed policy documents, if one is configured.
    pub aws_managed_policies: Option<PathBuf>,
    /// The number of threads serving connections.
    pub threads: usize,
    /// The number of connections served at once.
    pub max_connections: usize,
}

impl Settings {
    /// Resolves options given on the command line and in the environment, reading the config
    /// file they name.
    ///
    /// # Errors
    ///
    /// Fails when the config file cannot be read or parsed, or a value is invalid.
    pub fn load(options: Options) -> Result<Self, ServerError> {
        let merged = match &options.config {
            Some(path) => merge(options.clone(), read_config_file(path)?),
            None => options,
        };
        Self::resolve(merged)
    }

    /// Fills every unset option with its default and validates the values.
    ///
    /// # Errors
    ///
    /// Fails on an invalid account id, a zero body limit, thread count or connection limit, or
    /// half a TLS configuration.
    pub fn resolve(options: Options) -> Result<Self, ServerError> {
        let listen = options
            .listen
            .unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_PORT)));
        let tls = match (options.tls_cert, options.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => None,
            _ => {
                return Err(ServerError::Config(
                    "`tls-cert` and `tls-key` must be given together".to_owned(),
                ));
            }
        };
        let account_id = options
            .account_id
            .map(|text| {
                text.parse::<AccountId>().map_err(|_| {
                    ServerError::Config(format!("invalid account id `{text}`, expected 12 digits"))
                })
            })
            .transpose()?;
        let max_body_bytes = options.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES);
        if max_body_bytes == 0 {
            return Err(ServerError::Config(
                "invalid `max-body-bytes` `0`, expected at least 1".to_owned(),
            ));
        }
        let threads = options.threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        });
        if threads == 0 {
            return Err(ServerError::Config(
                "invalid `threads` `0`, expected at least 1".to_owned(),
            ));
        }
        let max_connections = options.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS);
        if max_connections == 0 {
            return Err(ServerError::Config(
                "invalid `max-connections` `0`, expected at least 1".to_owned(),
            ));
        }
        if let Some(log_level) = &options.log_level {
            check_log_level(log_level)?;
        }
        let allowed_regions = options
            .allowed_regions
            .unwrap_or_default()
            .into_iter()
            .map(|region| region.trim().to_owned())
            .filter(|region| !region.is_empty())
            .collect();

        Ok(Self {
            listen,
            data_dir: options
                .data_dir
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            log_format: options.log_format.unwrap_or_default(),
            log_level: options.log_level.unwrap_or_else(|| "info".to_owned()),
            tls,
            allowed_regions,
            account_id,
            enforcement: options.enforcement.unwrap_or_default(),
            max_body_bytes,
            audit: options.audit.unwrap_or(true),
            aws_managed_policies: options.aws_managed_policies,
            threads,
            max_connections,
        })
    }
}

/// The level names a `tracing` filter accepts, compared ignoring case.
const LOG_LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "off"];

/// Rejects a log filter with a bare word that is not a level name, such as `inf`.
///
/// `tracing` reads a bare word as a target to log at every level, so a misspelled level would
/// silence the server's own logs without an error. A target is still accepted as
/// `target=level`.
fn check_log_level(filter: &str) -> Result<(), ServerError> {
    let bare_words = filter
        .split(',')
        .map(str::trim)
        .filter(|directive| !directive.is_empty() && !directive.contains(['=', '[']));
    for word in bare_words {
        let is_level = LOG_LEVELS
            .iter()
            .any(|level| level.eq_ignore_ascii_case(word));
        if !is_level {
            return Err(ServerError::Config(format!(
                "invalid log level `{word}` in `{filter}`, expected one of {} or a \
                 `target=level` directive",
                LOG_LEVELS.join(", ")
            )));
        }
    }
    Ok(())
}

/// Reads a TOML config file into options.
fn read_config_file(path: &Path) -> Result<Options, ServerError> {
    let text = std::fs::read_to_string(path).map_err(|source| {
        ServerError::Config(format!(
            "failed to read config file `{}`: {source}",
            path.display()
        ))
    })?;
    toml::from_str(&text).map_err(|source| {
        ServerError::Config(format!(
            "invalid config file `{}`: {source}",
            path.display()
        ))
    })
}

/// Keeps every option set in `primary` and takes the rest from `fallback`.
fn merge(primary: Options, fallback: Options) -> Options {
    Options {
        config: primary.config,
        listen: primary.listen.or(fallback.listen),
        data_dir: primary.data_dir.or(fallback.data_dir),
        log_format: primary.log_format.or(fallback.log_format),
        log_level: primary.log_level.or(fallback.log_level),
        tls_cert: primary.tls_cert.or(fallback.tls_cert),
        tls_key: primary.tls_key.or(fallback.tls_key),
        allowed_regions: primary.allowed_regions.or(fallback.allowed_regions),
        account_id: primary.account_id.or(fallback.account_id),
        enforcement: primary.enforcement.or(fallback.enforcement),
        max_body_bytes: primary.max_body_bytes.or(fallback.max_body_bytes),
        audit: primary.audit.or(fallback.audit),
        aws_managed_policies: primary
            .aws_managed_policies
            .or(fallback.aws_managed_policies),
        threads: primary.threads.or(fallback.threads),
        max_connections: primary.max_connections.or(fallback.max_connections),
    }
}

#[cfg(test)]
mod tests;
