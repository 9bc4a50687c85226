//! End-to-end run of AWS managed policies, `GetAccountAuthorizationDetails` and the credential
//! report: the real server with the AWS managed policy corpus, driven by boto3 and the aws CLI.

use std::time::Instant;

use crate::aws_managed_policies::corpus;
use crate::e2e::{Server, clients_available, run_script};

#[test]
fn account_wide_operations_against_real_server() {
    if !clients_available() {
        return;
    }
    let directory = tempfile::tempdir().unwrap();
    let data_dir = directory.path().join("data");
    let policies = corpus();
    let policies = policies.to_str().unwrap();

    let started = Instant::now();
    let server = Server::start_with(&data_dir, &["--aws-managed-policies", policies]);
    println!(
        "first start with 1,524 AWS managed policies: {:?}",
        started.elapsed()
    );
    run_script("account_wide.py", &server, &data_dir);
    server.stop();

    // A second start finds every policy stored and writes nothing.
    let started = Instant::now();
    let restarted = Server::start_with(&data_dir, &["--aws-managed-policies", policies]);
    println!("second start: {:?}", started.elapsed());
    restarted.stop();
}
