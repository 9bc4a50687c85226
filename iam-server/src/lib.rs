//! The IAM and STS server: decodes AWS Query API requests, calls the crates below, and encodes
//! their results as the AWS SDKs expect.
//!
//! The server holds no policy logic and no storage keys. A request goes through [`app`]:
//! parameters are decoded by [`query`], routed to a [`service::Service`] and action, and the
//! answer is written by [`xml`]. [`error`] maps every failure to an AWS error code and HTTP
//! status. [`config`] resolves flags, environment variables and the config file; [`server`]
//! binds the socket, serves TLS and shuts down gracefully.
//!
//! Start reading at [`app::router`].

pub mod app;
pub mod audit;
pub mod authorize;
pub mod aws_policies;
pub mod bootstrap;
pub mod config;
pub mod encode;
pub mod error;
pub mod evaluation;
pub mod identity;
pub mod keys;
pub mod metrics;
pub mod oidc_keys;
pub mod operations;
pub mod query;
pub mod resource;
pub mod server;
pub mod service;
pub mod session;
pub mod store_cache;
pub mod system;
pub mod xml;

pub use error::{ApiError, ErrorCode, ServerError};
