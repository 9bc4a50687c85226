//! Checks the server's action-to-resource mapping against AWS's service authorization
//! reference.

use iam_server::query::QueryParameters;
use iam_server::resource::{CallerScope, Target, resource_kind, target};
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

/// The listings of one resource type, with the reference's name of that type.
const LISTINGS: [(&str, &str); 9] = [
    ("ListUsers", "user"),
    ("ListGroups", "group"),
    ("ListRoles", "role"),
    ("ListPolicies", "policy"),
    ("ListInstanceProfiles", "instance-profile"),
    ("ListVirtualMFADevices", "mfa"),
    ("ListOpenIDConnectProviders", "oidc-provider"),
    ("ListSAMLProviders", "saml-provider"),
    ("ListServerCertificates", "server-certificate"),
];

/// Reads a JSON file of the shared corpus.
fn corpus(path: &str) -> Value {
    let path = format!("{}/../../shared/corpus/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read `{path}`: {error}"));
    serde_json::from_str(&text).unwrap()
}

/// Returns the fixed start of a resource type's ARN template in the reference, up to its first
/// variable after the account: `arn:aws:iam::111122223333:user/` for `user`.
fn arn_prefix(resource_types: &Value, resource_type: &str) -> String {
    let template = resource_types[resource_type]["arn"].as_str().unwrap();
    let filled = template
        .replace("${Partition}", "aws")
        .replace("${Account}", "111122223333");
    match filled.find("${") {
        Some(end) => filled[..end].to_owned(),
        None => filled,
    }
}

/// Returns whether the botocore model gives `action` a `PathPrefix` parameter.
fn takes_path_prefix(model: &Value, action: &str) -> bool {
    let Some(input) = model["operations"][action]["input"]["shape"].as_str() else {
        return false;
    };
    model["shapes"][input]["members"]
        .as_object()
        .is_some_and(|members| members.contains_key("PathPrefix"))
}

#[test]
fn actions_without_resource_type_name_listing_or_any() {
    let scope = CallerScope {
        partition: "aws",
        account: "111122223333",
        user_name: Some("alice"),
        is_root: false,
    };
    let parameters = QueryParameters::decode(Some("PathPrefix=/eng/"), None).unwrap();
    let model = corpus("api-models/botocore/iam/2010-05-08/service-2.json");
    let mut mismatches = Vec::new();
    let mut listings_found = 0;
    for service in [Service::Iam, Service::Sts] {
        let reference = reference(service.name());
        let resource_types = corpus(&format!(
            "service-authorization/resourceTypes/{}.json",
            service.name()
        ));
        for action in service.actions() {
            let Some(entry) = reference.get(&action.to_lowercase()) else {
                continue;
            };
            let unscoped = entry["resourceTypes"].as_array().unwrap().is_empty();
            if !unscoped || resource_kind(service, action).is_some() {
                continue;
            }

            let found = target(service, action, &parameters, scope).unwrap();

            let listed = LISTINGS
                .iter()
                .find(|(listing, _)| listing == action)
                .filter(|_| service == Service::Iam);
            let expected = match listed {
                None => Target::Any,
                Some((_, resource_type)) => {
                    listings_found += 1;
                    let prefix = arn_prefix(&resource_types, resource_type);
                    let path = if takes_path_prefix(&model, action) {
                        "eng/"
                    } else {
                        ""
                    };
                    Target::Arn(format!("{prefix}{path}"))
                }
            };
            if found != expected {
                mismatches.push(format!(
                    "{service}:{action}: expected {expected:?}, server {found:?}"
                ));
            }
        }
    }

    assert_eq!(listings_found, LISTINGS.len());
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
