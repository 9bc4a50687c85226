//! Properties of the evaluation logic over randomly built policy sets.
//!
//! - An explicit deny is never overridden, whichever policy type contains it.
//! - Adding an `Allow` statement anywhere never turns an allow into a deny.
//! - The fast path and the explaining path always decide alike.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "generated documents are well formed by construction"
)]

use iam_policy::{
    CompiledPrincipalPolicies, CompiledResourcePolicies, ContextKeys, ContextValue, Decision,
    NamedPolicy, OrganizationLevel, OrganizationPolicies, PolicyDocument, PrincipalPolicies,
    RequestContext, RequestPrincipal, ResourcePolicies,
};
use proptest::prelude::*;
use serde_json::{Value, json};

const ACTIONS: [&str; 4] = [
    "s3:GetObject",
    "s3:PutObject",
    "iam:CreateUser",
    "ec2:RunInstances",
];
const ACTION_PATTERNS: [&str; 7] = [
    "s3:GetObject",
    "s3:*",
    "*",
    "iam:Create*",
    "s3:Get?bject",
    "ec2:RunInstances",
    "IAM:createuser",
];
const RESOURCES: [&str; 3] = ["arn:aws:s3:::alpha/x", "arn:aws:s3:::beta/y", "*"];
const RESOURCE_PATTERNS: [&str; 4] = [
    "*",
    "arn:aws:s3:::alpha/*",
    "arn:aws:s3:::beta/y",
    "arn:aws:s3:::*",
];
const PRINCIPALS: [&str; 3] = [
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:sts::111122223333:assumed-role/app/s1",
    "arn:aws:iam::444455556666:user/erin",
];
const PRINCIPAL_VALUES: [&str; 5] = [
    "*",
    "111122223333",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:iam::444455556666:root",
];

fn condition() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        Just(Some(
            json!({"StringEquals": {"aws:PrincipalTag/team": "blue"}})
        )),
        Just(Some(json!({"Bool": {"aws:SecureTransport": "true"}}))),
        Just(Some(
            json!({"StringNotEqualsIfExists": {"aws:SourceVpc": "vpc-1"}})
        )),
        Just(Some(
            json!({"ForAllValues:StringLike": {"aws:TagKeys": ["team*"]}})
        )),
    ]
}

/// Generates a statement. `with_principal` adds a `Principal`, as resource-based policies need.
fn statement(with_principal: bool) -> impl Strategy<Value = Value> {
    (
        prop::bool::weighted(0.7),
        prop::bool::weighted(0.85),
        prop::sample::subsequence(ACTION_PATTERNS.to_vec(), 1..3),
        prop::bool::weighted(0.85),
        prop::sample::subsequence(RESOURCE_PATTERNS.to_vec(), 1..3),
        prop::sample::select(PRINCIPAL_VALUES.to_vec()),
        condition(),
    )
        .prop_map(
            move |(
                allow,
                plain_action,
                actions,
                plain_resource,
                resources,
                principal,
                condition,
            )| {
                let mut statement = json!({"Effect": if allow { "Allow" } else { "Deny" }});
                statement[if plain_action { "Action" } else { "NotAction" }] = json!(actions);
                statement[if plain_resource {
                    "Resource"
                } else {
                    "NotResource"
                }] = json!(resources);
                if with_principal {
                    statement["Principal"] = json!({"AWS": principal});
                }
                if let Some(condition) = condition {
                    statement["Condition"] = condition;
                }
                statement
            },
        )
}

fn document(with_principal: bool) -> impl Strategy<Value = Value> {
    prop::collection::vec(statement(with_principal), 1..4)
        .prop_map(|statements| json!({"Version": "2012-10-17", "Statement": statements}))
}

/// The policies of one random case, as JSON documents.
#[derive(Debug, Clone)]
struct PolicySet {
    identity: Vec<Value>,
    boundary: Option<Value>,
    session: Option<Value>,
    scp_levels: Vec<Vec<Value>>,
    resource: Option<Value>,
}

fn policy_set() -> impl Strategy<Value = PolicySet> {
    (
        prop::collection::vec(document(false), 0..3),
        prop::option::weighted(0.3, document(false)),
        prop::option::weighted(0.3, document(false)),
        prop::collection::vec(prop::collection::vec(document(false), 1..3), 0..3),
        prop::option::weighted(0.5, document(true)),
    )
        .prop_map(
            |(identity, boundary, session, scp_levels, resource)| PolicySet {
                identity,
                boundary,
                session,
                scp_levels,
                resource,
            },
        )
}

/// Generates a request: principal, action, resource and the optional context keys.
fn request() -> impl Strategy<Value = RequestContext> {
    (
        prop::sample::select(PRINCIPALS.to_vec()),
        prop::sample::select(ACTIONS.to_vec()),
        prop::sample::select(RESOURCES.to_vec()),
        prop::bool::ANY,
        prop::bool::ANY,
        prop::option::of(prop::sample::subsequence(vec!["team-a", "owner"], 0..2)),
    )
        .prop_map(|(principal, action, resource, tagged, secure, tag_keys)| {
            let mut principal = RequestPrincipal::from_arn(principal).unwrap();
            if tagged {
                principal = principal.with_tag("team", "blue");
            }
            let mut keys = ContextKeys::new();
            keys.insert("aws:SecureTransport", ContextValue::boolean(secure));
            if let Some(tag_keys) = tag_keys {
                keys.insert("aws:TagKeys", ContextValue::list(tag_keys));
            }
            let owner = "111122223333".parse().ok();
            RequestContext::new(principal, action, resource, owner, None, keys)
        })
}

fn named(id: &str, document: &Value) -> NamedPolicy {
    NamedPolicy::new(id, PolicyDocument::parse(&document.to_string()).unwrap())
}

fn decide(set: &PolicySet, request: &RequestContext) -> Decision {
    let principal_policies = PrincipalPolicies {
        identity: set
            .identity
            .iter()
            .map(|document| named("identity", document))
            .collect(),
        permissions_boundary: set
            .boundary
            .as_ref()
            .map(|document| named("boundary", document)),
        session: set
            .session
            .iter()
            .map(|document| named("session", document))
            .collect(),
        scps: (!set.scp_levels.is_empty()).then(|| OrganizationPolicies {
            management_account: "777788889999".parse().ok(),
            levels: set
                .scp_levels
                .iter()
                .enumerate()
                .map(|(index, documents)| OrganizationLevel {
                    id: format!("level-{index}"),
                    policies: documents
                        .iter()
                        .map(|document| named("scp", document))
                        .collect(),
                })
                .collect(),
        }),
    };
    let resource_policies = ResourcePolicies {
        resource: set
            .resource
            .as_ref()
            .map(|document| named("resource", document)),
        ..ResourcePolicies::default()
    };
    let compiled =
        CompiledPrincipalPolicies::compile(&principal_policies, Some(request.principal()));
    let resource = CompiledResourcePolicies::compile(&resource_policies);
    let fast = compiled.evaluate(&resource, request);
    let explained = compiled.explain(&resource, request).decision;
    assert_eq!(fast, explained, "fast and explaining paths disagree");
    fast
}

/// Adds `statement` to the policy chosen by `slot`. A missing boundary, session policy or
/// SCP level is created only when `create` is set, because creating one restricts the set.
/// Otherwise the statement goes to an identity policy.
fn add_statement(set: &mut PolicySet, slot: usize, statement: Value, create: bool) {
    let empty = || json!({"Version": "2012-10-17", "Statement": []});
    let push = |document: &mut Value| {
        document["Statement"]
            .as_array_mut()
            .unwrap()
            .push(statement.clone());
    };
    let slot = match slot % 5 {
        1 if set.boundary.is_none() && !create => 0,
        2 if set.session.is_none() && !create => 0,
        3 if set.scp_levels.is_empty() && !create => 0,
        other => other,
    };
    match slot {
        0 => {
            if set.identity.is_empty() {
                set.identity.push(empty());
            }
            push(&mut set.identity[0]);
        }
        1 => push(set.boundary.get_or_insert_with(empty)),
        2 => push(set.session.get_or_insert_with(empty)),
        3 => match set.scp_levels.first_mut() {
            Some(level) => push(&mut level[0]),
            None => {
                let mut document = empty();
                push(&mut document);
                set.scp_levels.push(vec![document]);
            }
        },
        _ => {
            let mut with_principal = statement.clone();
            with_principal["Principal"] = json!("*");
            set.resource.get_or_insert_with(empty)["Statement"]
                .as_array_mut()
                .unwrap()
                .push(with_principal);
        }
    }
}

/// Adds an allow for `action` to every policy of the set that could withhold it.
fn open_every_gate(set: &mut PolicySet, action: &str) {
    let allow = json!({"Effect": "Allow", "Action": action, "Resource": "*"});
    add_statement(set, 0, allow.clone(), false);
    if set.boundary.is_some() {
        add_statement(set, 1, allow.clone(), false);
    }
    if set.session.is_some() {
        add_statement(set, 2, allow.clone(), false);
    }
    for level in &mut set.scp_levels {
        level[0]["Statement"]
            .as_array_mut()
            .unwrap()
            .push(allow.clone());
    }
    if set.resource.is_some() {
        add_statement(set, 4, allow, false);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn explicit_deny_never_overridden(set in policy_set(), request in request(), slot in 0_usize..5) {
        let mut set = set;
        let deny = json!({"Effect": "Deny", "Action": request.action(), "Resource": "*"});
        add_statement(&mut set, slot, deny, true);

        prop_assert_eq!(decide(&set, &request), Decision::ExplicitDeny);
    }

    #[test]
    fn added_allow_keeps_allow(
        set in policy_set(),
        request in request(),
        extra in statement(false),
        slot in 0_usize..5,
    ) {
        // Most random sets deny, so open every gate first and keep the sets that still allow.
        let mut set = set;
        open_every_gate(&mut set, request.action());
        prop_assume!(decide(&set, &request) == Decision::Allow);
        let mut extra = extra;
        extra["Effect"] = json!("Allow");
        add_statement(&mut set, slot, extra, false);

        prop_assert_eq!(decide(&set, &request), Decision::Allow);
    }
}
