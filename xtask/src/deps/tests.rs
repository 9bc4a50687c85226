use serde_json::json;

use super::violations;

fn package(name: &str, dependencies: &[&str]) -> serde_json::Value {
    let dependencies: Vec<_> = dependencies
        .iter()
        .map(|dependency| json!({ "name": dependency }))
        .collect();
    json!({ "name": name, "dependencies": dependencies })
}

#[test]
fn allowed_edges_pass() {
    let metadata = json!({ "packages": [
        package("iam-model", &["serde"]),
        package("iam-policy", &["iam-model", "serde_json"]),
        package("iam-server", &["iam-policy", "iam-model", "axum"]),
    ]});

    assert_eq!(violations(&metadata).unwrap(), Vec::<String>::new());
}

#[test]
fn upward_edge_is_reported() {
    let metadata = json!({ "packages": [
        package("iam-model", &["iam-policy"]),
        package("iam-policy", &["iam-model"]),
    ]});

    let found = violations(&metadata).unwrap();

    assert_eq!(found, ["`iam-model` must not depend on `iam-policy`"]);
}

#[test]
fn edge_to_server_is_reported() {
    let metadata = json!({ "packages": [
        package("iam-sts", &["iam-server"]),
        package("iam-server", &[]),
    ]});

    let found = violations(&metadata).unwrap();

    assert_eq!(found, ["`iam-sts` must not depend on `iam-server`"]);
}

#[test]
fn unknown_crate_is_reported() {
    let metadata = json!({ "packages": [package("iam-extra", &[])] });

    let found = violations(&metadata).unwrap();

    assert_eq!(found.len(), 1);
    assert!(found[0].contains("`iam-extra` has no row"), "{found:?}");
}

#[test]
fn missing_packages_list_fails() {
    assert!(violations(&json!({})).is_err());
}
