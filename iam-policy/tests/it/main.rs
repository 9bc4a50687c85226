//! Integration tests of the policy crate against recorded documents and expected answers.

mod corpus;
mod malformed;
mod moto;
mod peers;
mod support;
