//! Integration tests of iam-store: the conformance kit on both backends, sled durability and
//! format checks, a crash test, and a property test comparing the two backends.

mod conformance;
mod sled_store;
