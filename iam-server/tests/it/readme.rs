//! Checks of README.md against the server's behaviour.

use crate::harness::{Harness, Reply};
use crate::models::Model;

const README: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"));

/// Returns whether the reply is the error of an action the server does not implement.
fn not_implemented(reply: &Reply) -> bool {
    reply.code().as_deref() == Some("InvalidAction")
        && reply.body.contains("is not implemented by this server")
}

/// Every action that returns the server's "not implemented" error, called by the root user
/// without parameters, is named in the README's list of what is not built yet. Actions that
/// fail an earlier check for lack of parameters are not reached here.
#[tokio::test]
async fn readme_names_every_unbuilt_action() {
    let harness = Harness::new().await;
    let mut unlisted = Vec::new();

    for action in Model::iam().operations.keys() {
        let reply = harness.iam(&format!("Action={action}")).await;
        if not_implemented(&reply) && !README.contains(&format!("`{action}`")) {
            unlisted.push(format!("iam:{action}"));
        }
    }
    for action in Model::sts().operations.keys() {
        let reply = harness.sts(&format!("Action={action}")).await;
        if not_implemented(&reply) && !README.contains(&format!("`{action}`")) {
            unlisted.push(format!("sts:{action}"));
        }
    }

    assert!(
        unlisted.is_empty(),
        "not implemented but missing from README.md: {unlisted:?}"
    );
}
