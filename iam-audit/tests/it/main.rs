//! Integration tests of the audit trail: writing, crash recovery, tampering, queries, redaction
//! and the verifier command, all against real files in temporary directories.

#[cfg(test)]
mod crash;
#[cfg(test)]
mod query;
#[cfg(test)]
mod redaction;
#[cfg(test)]
mod support;
#[cfg(test)]
mod tamper;
#[cfg(test)]
mod trail;
#[cfg(test)]
mod verify_command;
