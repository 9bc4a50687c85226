//! Checks the server's action-to-resource mapping against AWS's service authorization
//! reference.

use iam_server::resource::resource_kind;
use iam_server::service::Service;
use serde_json::Value;

fn reference(service: &str) -> serde_json::Map<String, Value> {
    let path = format!(
        "{}/../../shared/corpus/service-authorization/actions/{service}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!("cannot read the authorization reference `{path}`: {error}")
    });
    serde_json::from_str(&text).unwrap()
}

/// Returns the resource type the reference gives an action: its one required type, or, when
/// every type is optional, the first one.
fn expected_kind(entry: &Value) -> Option<String> {
    let types = entry["resourceTypes"].as_array().unwrap();
    let required: Vec<&str> = types
        .iter()
        .filter(|resource| resource["required"].as_bool() == Some(true))
        .map(|resource| resource["name"].as_str().unwrap())
        .collect();
    match required.as_slice() {
        [one] => Some((*one).to_owned()),
        [] => types
            .first()
            .map(|resource| resource["name"].as_str().unwrap().to_owned()),
        _ => None,
    }
}

#[test]
fn resource_kinds_match_authorization_reference() {
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for service in [Service::Iam, Service::Sts] {
        let reference = reference(service.name());
        for action in service.actions() {
            let Some(entry) = reference.get(&action.to_lowercase()) else {
                continue;
            };
            checked += 1;
            let expected = expected_kind(entry);
            let actual = resource_kind(service, action).map(|kind| kind.name().to_owned());
            // Actions whose only resource types are optional may be called on `*`, so the
            // server leaves them unmapped (`SimulatePrincipalPolicy`) or maps the first type.
            let all_optional = entry["resourceTypes"]
                .as_array()
                .unwrap()
                .iter()
                .all(|resource| resource["required"].as_bool() != Some(true));
            if expected != actual && !(all_optional && actual.is_none()) {
                mismatches.push(format!(
                    "{service}:{action}: reference {expected:?}, server {actual:?}"
                ));
            }
        }
    }

    assert!(
        checked > 150,
        "only {checked} actions found in the reference"
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
