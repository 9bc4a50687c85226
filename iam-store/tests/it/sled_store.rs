//! sled tests.
