//! Integration tests of the policy crate against recorded documents and expected answers.

mod behaviour;
mod conformance;
mod corpus;
mod malformed;
mod moto;
mod peers;
mod properties;
mod scenarios;
mod support;
