//! The decision cases of the shared behaviour catalogue, evaluated at the library level.
//!
//! Each case names its policies and lists requests with the decision AWS documents. The
//! catalogue describes in prose who has which policy, so each test wires that setup in code
//! and reads policies, requests and expectations from the file. Steps that are API calls for
//! the server are skipped.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "the catalogue is test data, and a malformed entry should fail the test loudly"
)]

use iam_policy::{
    CompiledPrincipalPolicies, CompiledResourcePolicies, ContextKeys, ContextValue, Decision,
    Explanation, Gate, NamedPolicy, OrganizationLevel, OrganizationPolicies, PolicyDocument,
    PrincipalPolicies, RequestContext, RequestPrincipal, ResourcePolicies, ResourcePolicyKind,
};
use serde_json::Value;

use crate::support::shared_json;

/// One decision case of the catalogue.
struct Case {
    value: Value,
}

impl Case {
    fn load(id: &str) -> Case {
        let catalogue = shared_json("cases/behaviour-cases.json");
        let value = catalogue["cases"]
            .as_array()
            .expect("`cases` is a list")
            .iter()
            .find(|case| case["id"] == id)
            .unwrap_or_else(|| panic!("case `{id}` is missing from the catalogue"))
            .clone();
        assert_eq!(
            value["kind"], "decision",
            "case `{id}` is not a decision case"
        );
        Case { value }
    }

    fn policy(&self, name: &str) -> NamedPolicy {
        let document = &self.value["policies"][name];
        assert!(document.is_object(), "policy `{name}` is missing");
        let parsed = PolicyDocument::parse(&document.to_string())
            .unwrap_or_else(|error| panic!("policy `{name}` does not parse: {error}"));
        NamedPolicy::new(name, parsed)
    }

    fn optional_policy(&self, name: &str) -> Option<NamedPolicy> {
        self.value["policies"][name]
            .is_object()
            .then(|| self.policy(name))
    }

    /// Returns the request steps that carry a decision, with the expected decision of each.
    fn decision_steps(&self) -> Vec<(Value, String)> {
        let expected = self.value["expected"]
            .as_array()
            .expect("`expected` is a list");
        self.value["request"]
            .as_array()
            .expect("`request` is a list")
            .iter()
            .filter_map(|step| {
                let name = step["name"].as_str()?;
                let answer = expected.iter().find(|entry| entry["name"] == name)?;
                let decision = match (answer["decision"].as_str(), answer["status"].as_u64()) {
                    (Some(decision), _) => decision.to_owned(),
                    (None, Some(200)) => "Allow".to_owned(),
                    (None, Some(403)) => "Deny".to_owned(),
                    _ => return None,
                };
                let is_api_step = step.get("call").is_some() && step.get("principal").is_none();
                (!is_api_step).then(|| (step.clone(), decision))
            })
            .collect()
    }
}

fn request(step: &Value, principal: RequestPrincipal, resource: &str) -> RequestContext {
    let mut keys = ContextKeys::new();
    if let Some(context) = step["context"].as_object() {
        for (key, value) in context {
            let value = match value {
                Value::Array(items) => {
                    ContextValue::list(items.iter().map(|item| item.as_str().unwrap().to_owned()))
                }
                other => ContextValue::single(other.as_str().unwrap()),
            };
            keys.insert(key, value);
        }
    }
    let action = step["action"].as_str().unwrap_or("sts:AssumeRole");
    RequestContext::new(principal, action, resource, None, None, keys)
}

fn principal(arn: &str) -> RequestPrincipal {
    RequestPrincipal::from_arn(arn).unwrap()
}

fn evaluate(
    principal_policies: &PrincipalPolicies,
    resource_policies: &ResourcePolicies,
    request: &RequestContext,
) -> Explanation {
    let compiled =
        CompiledPrincipalPolicies::compile(principal_policies, Some(request.principal()));
    let resource = CompiledResourcePolicies::compile(resource_policies);
    let explanation = compiled.explain(&resource, request);
    assert_eq!(
        compiled.evaluate(&resource, request),
        explanation.decision,
        "fast and explaining paths disagree"
    );
    explanation
}

/// Checks a decision against the catalogue's wording of it.
fn check(case: &str, step: &Value, expected: &str, explanation: &Explanation) {
    let name = step["name"].as_str().unwrap_or_default();
    let context = format!("{case} step {name}: got {explanation}");
    match expected {
        "Allow" => assert_eq!(explanation.decision, Decision::Allow, "{context}"),
        "ExplicitDeny" => assert_eq!(explanation.decision, Decision::ExplicitDeny, "{context}"),
        "ImplicitDeny" => assert_eq!(explanation.decision, Decision::ImplicitDeny, "{context}"),
        "Deny (no SCP allow)" => {
            assert_eq!(explanation.decision, Decision::ImplicitDeny, "{context}");
            assert!(
                matches!(explanation.gate, Some(Gate::Scp { .. })),
                "{context}"
            );
        }
        "Deny" => assert_ne!(explanation.decision, Decision::Allow, "{context}"),
        other => panic!("{case} step {name}: unknown expected decision `{other}`"),
    }
}

/// Runs a case where each user has the identity policy named `<user>-identity`.
fn run_per_user_identity(id: &str, resource_policy: impl Fn(&Case, &str) -> Option<NamedPolicy>) {
    let case = Case::load(id);
    let steps = case.decision_steps();
    assert!(!steps.is_empty(), "{id} has no decision steps");
    for (step, expected) in steps {
        let arn = step["principal"].as_str().unwrap();
        let user = arn.rsplit('/').next().unwrap();
        let resource = step["resource"].as_str().unwrap_or("*");
        let principal_policies = PrincipalPolicies {
            identity: case
                .optional_policy(&format!("{user}-identity"))
                .into_iter()
                .collect(),
            ..PrincipalPolicies::default()
        };
        let resource_policies = ResourcePolicies {
            resource: resource_policy(&case, resource),
            ..ResourcePolicies::default()
        };

        let explanation = evaluate(
            &principal_policies,
            &resource_policies,
            &request(&step, principal(arn), resource),
        );

        check(id, &step, &expected, &explanation);
    }
}

#[test]
fn not_action_with_allow() {
    run_per_user_identity("B01", |_, _| None);
}

#[test]
fn deny_statements_of_every_shape() {
    run_per_user_identity("B02", |case, resource| {
        resource
            .starts_with("arn:aws:s3:::reports")
            .then(|| case.policy("reports-resource-policy"))
    });
}

#[test]
fn action_patterns_ignore_case() {
    run_per_user_identity("B03", |_, _| None);
}

#[test]
fn resource_patterns_are_globs() {
    run_per_user_identity("B04", |_, _| None);
}

#[test]
fn set_operators_with_absent_key() {
    run_per_user_identity("B06", |_, _| None);
}

#[test]
fn mfa_conditions_with_absent_key() {
    run_per_user_identity("B07", |_, _| None);
}

#[test]
fn actions_authorized_against_target_arn() {
    let case = Case::load("B09");
    let trust = PolicyDocument::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}]}"#,
    )
    .unwrap();
    let principal_policies = PrincipalPolicies {
        identity: vec![case.policy("alice-identity")],
        ..PrincipalPolicies::default()
    };
    let steps = case.decision_steps();
    assert_eq!(steps.len(), 7);

    for (step, expected) in steps {
        let call = step["call"].as_str().unwrap();
        let action = format!(
            "{}:{call}",
            if call == "AssumeRole" { "sts" } else { "iam" }
        );
        let resource = step["evaluated_resource"].as_str().unwrap_or("*");
        let mut step_with_action = step.clone();
        step_with_action["action"] = Value::String(action);
        let resource_policies = match call {
            "AssumeRole" => ResourcePolicies {
                resource: Some(NamedPolicy::new("deploy-prod-trust", trust.clone())),
                kind: ResourcePolicyKind::Trust,
                ..ResourcePolicies::default()
            },
            _ => ResourcePolicies::default(),
        };
        let arn = step["principal"].as_str().unwrap();

        let explanation = evaluate(
            &principal_policies,
            &resource_policies,
            &request(&step_with_action, principal(arn), resource),
        );

        check("B09", &step, &expected, &explanation);
    }
}

#[test]
fn session_policies_cap_role_grants_only() {
    let case = Case::load("B11");
    let steps = case.decision_steps();
    assert_eq!(steps.len(), 7);

    for (step, expected) in steps {
        let (session_name, session_policy) = match step["principal"].as_str().unwrap() {
            "session S" => ("s1", vec![case.policy("session-policy")]),
            "session N" => ("s2", Vec::new()),
            other => panic!("unknown principal `{other}`"),
        };
        let session = principal(&format!(
            "arn:aws:sts::111122223333:assumed-role/app-role/{session_name}"
        ));
        let principal_policies = PrincipalPolicies {
            identity: vec![case.policy("app-role-identity")],
            session: session_policy,
            ..PrincipalPolicies::default()
        };
        let resource_policies = ResourcePolicies {
            resource: step["resource_policy"]
                .as_str()
                .map(|name| case.policy(name)),
            ..ResourcePolicies::default()
        };
        let resource = step["resource"].as_str().unwrap();

        let explanation = evaluate(
            &principal_policies,
            &resource_policies,
            &request(&step, session, resource),
        );

        check("B11", &step, &expected, &explanation);
    }
}

#[test]
fn scps_restrict_members_but_not_management() {
    let case = Case::load("B12");
    let steps = case.decision_steps();
    assert_eq!(steps.len(), 6);

    for (step, expected) in steps {
        let name = step["name"].as_str().unwrap();
        let arn = step["principal"].as_str().unwrap();
        let scp = if name == "f" {
            "scp-member-deny-role-delete"
        } else {
            "scp-member-allowlist"
        };
        let scps = OrganizationPolicies {
            management_account: Some("777788889999".parse().unwrap()),
            levels: vec![OrganizationLevel {
                id: "111122223333".to_owned(),
                policies: vec![case.policy(scp)],
            }],
        };
        let holds_admin = arn.ends_with("user/alice") || arn.ends_with("user/ops");
        let principal_policies = PrincipalPolicies {
            identity: holds_admin
                .then(|| case.policy("admin-identity"))
                .into_iter()
                .collect(),
            scps: Some(scps),
            ..PrincipalPolicies::default()
        };
        let resource = step["resource"].as_str().unwrap();

        let explanation = evaluate(
            &principal_policies,
            &ResourcePolicies::default(),
            &request(&step, principal(arn), resource),
        );

        check("B12", &step, &expected, &explanation);
    }
}

#[test]
fn same_account_trust_evaluation() {
    let case = Case::load("B14");
    let ops_admin_identity = PolicyDocument::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/ops-admin"}]}"#,
    )
    .unwrap();
    let steps = case.decision_steps();
    assert_eq!(steps.len(), 7);

    for (step, expected) in steps {
        let name = step["name"].as_str().unwrap();
        let arn = step["principal"].as_str().unwrap();
        let identity = match arn.rsplit_once(':').map(|(_, resource)| resource) {
            Some("user/carol") => vec![case.policy("carol-identity")],
            Some(resource) if resource.starts_with("assumed-role/ops-admin/") => {
                vec![NamedPolicy::new(
                    "ops-admin-identity",
                    ops_admin_identity.clone(),
                )]
            }
            _ => Vec::new(),
        };
        let principal_policies = PrincipalPolicies {
            identity,
            permissions_boundary: (name == "e").then(|| case.policy("boundary-readonly")),
            ..PrincipalPolicies::default()
        };
        let resource_policies = ResourcePolicies {
            resource: Some(case.policy(step["trust"].as_str().unwrap())),
            kind: ResourcePolicyKind::Trust,
            ..ResourcePolicies::default()
        };

        let explanation = evaluate(
            &principal_policies,
            &resource_policies,
            &request(
                &step,
                principal(arn),
                "arn:aws:iam::111122223333:role/ops-admin",
            ),
        );

        check("B14", &step, &expected, &explanation);
    }
}
