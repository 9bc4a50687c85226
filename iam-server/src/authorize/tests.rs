use iam_policy::{Decision as PolicyDecision, Effect, MatchedStatement, Span};

use super::*;

fn implicit(gate: Option<Gate>) -> Explanation {
    Explanation {
        decision: PolicyDecision::ImplicitDeny,
        statements: Vec::new(),
        gate,
        missing_keys: Vec::new(),
    }
}

fn explicit(policy_type: PolicyType) -> Explanation {
    Explanation {
        decision: PolicyDecision::ExplicitDeny,
        statements: vec![MatchedStatement {
            policy_type,
            policy_id: "deny".to_owned(),
            statement_index: 0,
            sid: None,
            effect: Effect::Deny,
            span: Span::default(),
        }],
        gate: None,
        missing_keys: Vec::new(),
    }
}

#[test]
fn denial_reason_names_gate() {
    let cases = [
        (None, "identity-based policy"),
        (Some(Gate::NoIdentityAllow), "identity-based policy"),
        (Some(Gate::PermissionsBoundary), "permissions boundary"),
        (Some(Gate::SessionPolicy), "session policy"),
        (
            Some(Gate::Scp {
                level: "r-1".to_owned(),
            }),
            "service control policy",
        ),
        (Some(Gate::NoResourceAllow), "resource-based policy"),
        (Some(Gate::VpcEndpoint), "VPC endpoint policy"),
    ];

    for (gate, kind) in cases {
        let reason = denial_reason(&implicit(gate.clone()), "iam:ListUsers");
        assert_eq!(
            reason,
            format!("because no {kind} allows the iam:ListUsers action"),
            "{gate:?}"
        );
    }
}

#[test]
fn denial_reason_names_denying_policy() {
    let cases = [
        (PolicyType::Identity, "an identity-based policy"),
        (PolicyType::PermissionsBoundary, "a permissions boundary"),
        (PolicyType::Session, "a session policy"),
        (PolicyType::Scp, "a service control policy"),
        (PolicyType::Trust, "a resource-based policy"),
    ];

    for (policy_type, kind) in cases {
        let reason = denial_reason(&explicit(policy_type), "iam:ListUsers");
        assert_eq!(reason, format!("with an explicit deny in {kind}"));
    }
}
