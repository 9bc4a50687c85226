use super::*;
use crate::context::{ContextKeys, ContextValue};

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/app/s1";
const OTHER_ACCOUNT_USER: &str = "arn:aws:iam::444455556666:user/erin";
const BUCKET_OBJECT: &str = "arn:aws:s3:::reports/q1.csv";

fn policy(id: &str, text: &str) -> NamedPolicy {
    NamedPolicy::new(id, PolicyDocument::parse(text).unwrap())
}

fn allow(action: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
    )
}

fn deny(action: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"{action}","Resource":"*"}}]}}"#
    )
}

fn grant_to(principal: &str, action: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Grant","Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"{action}","Resource":"*"}}]}}"#
    )
}

fn request_in(principal: &str, action: &str, resource_account: &str) -> RequestContext {
    let principal = RequestPrincipal::from_arn(principal).unwrap();
    let account = resource_account.parse().ok();
    RequestContext::new(
        principal,
        action,
        BUCKET_OBJECT,
        account,
        None,
        ContextKeys::new(),
    )
}

fn request(principal: &str, action: &str) -> RequestContext {
    request_in(principal, action, "111122223333")
}

fn identity(documents: &[String]) -> PrincipalPolicies {
    PrincipalPolicies {
        identity: documents
            .iter()
            .enumerate()
            .map(|(index, text)| policy(&format!("identity-{index}"), text))
            .collect(),
        ..PrincipalPolicies::default()
    }
}

fn with_resource(text: &str) -> ResourcePolicies {
    ResourcePolicies {
        resource: Some(policy("resource", text)),
        ..ResourcePolicies::default()
    }
}

/// Explains a request and checks that the fast path agrees.
fn decide(
    principal: &PrincipalPolicies,
    resource: &ResourcePolicies,
    request: &RequestContext,
) -> Explanation {
    let explanation = explain(principal, resource, request);
    let compiled = CompiledPrincipalPolicies::compile(principal, Some(request.principal()));
    let fast = compiled.evaluate(&CompiledResourcePolicies::compile(resource), request);
    assert_eq!(
        fast, explanation.decision,
        "fast and explaining paths disagree"
    );
    explanation
}

fn organization(levels: &[(&str, Vec<String>)]) -> OrganizationPolicies {
    OrganizationPolicies {
        management_account: Some("777788889999".parse().unwrap()),
        levels: levels
            .iter()
            .map(|(id, documents)| OrganizationLevel {
                id: (*id).to_owned(),
                policies: documents
                    .iter()
                    .enumerate()
                    .map(|(index, text)| policy(&format!("{id}-{index}"), text))
                    .collect(),
            })
            .collect(),
    }
}

#[test]
fn no_policy_means_implicit_deny() {
    let explanation = decide(
        &PrincipalPolicies::default(),
        &ResourcePolicies::default(),
        &request(ALICE, "s3:GetObject"),
    );

    assert_eq!(explanation.decision, Decision::ImplicitDeny);
    assert_eq!(explanation.gate, Some(Gate::NoIdentityAllow));
    assert!(explanation.statements.is_empty());
}

#[test]
fn identity_allow_allows() {
    let explanation = decide(
        &identity(&[allow("s3:*")]),
        &ResourcePolicies::default(),
        &request(ALICE, "s3:GetObject"),
    );

    assert_eq!(explanation.decision, Decision::Allow);
    assert_eq!(explanation.statements.len(), 1);
    assert_eq!(explanation.statements[0].policy_type, PolicyType::Identity);
    assert_eq!(explanation.statements[0].policy_id, "identity-0");
}

#[test]
fn explicit_deny_overrides_allow_and_names_statement() {
    let policies = identity(&[
        allow("*"),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
            {"Sid":"NoReports","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}"#.to_owned(),
    ]);

    let explanation = decide(
        &policies,
        &ResourcePolicies::default(),
        &request(ALICE, "s3:GetObject"),
    );

    assert_eq!(explanation.decision, Decision::ExplicitDeny);
    assert_eq!(explanation.statements.len(), 1);
    let statement = &explanation.statements[0];
    assert_eq!(statement.effect, Effect::Deny);
    assert_eq!(statement.policy_id, "identity-1");
    assert_eq!(statement.statement_index, 1);
    assert_eq!(statement.sid.as_deref(), Some("NoReports"));
    assert_eq!(statement.span.path, "$.Statement[1]");
    assert_eq!(statement.span.line, 2);
}

#[test]
fn resource_policy_deny_applies_to_matching_principal() {
    let resource = with_resource(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
    );

    let explanation = decide(
        &identity(&[allow("s3:*")]),
        &resource,
        &request(ALICE, "s3:GetObject"),
    );

    assert_eq!(explanation.decision, Decision::ExplicitDeny);
    assert_eq!(explanation.statements[0].policy_type, PolicyType::Resource);
}

#[test]
fn same_account_resource_grant_to_user_suffices() {
    let explanation = decide(
        &PrincipalPolicies::default(),
        &with_resource(&grant_to(ALICE, "s3:GetObject")),
        &request(ALICE, "s3:GetObject"),
    );

    assert_eq!(explanation.decision, Decision::Allow);
    assert_eq!(explanation.statements[0].policy_type, PolicyType::Resource);
    assert_eq!(explanation.statements[0].sid.as_deref(), Some("Grant"));
}

#[test]
fn same_account_grant_to_account_needs_identity_allow() {
    let resource = with_resource(&grant_to("111122223333", "s3:GetObject"));

    let without = decide(
        &PrincipalPolicies::default(),
        &resource,
        &request(ALICE, "s3:GetObject"),
    );
    let with = decide(
        &identity(&[allow("s3:GetObject")]),
        &resource,
        &request(ALICE, "s3:GetObject"),
    );

    assert_eq!(without.decision, Decision::ImplicitDeny);
    assert_eq!(without.gate, Some(Gate::NoIdentityAllow));
    assert_eq!(with.decision, Decision::Allow);
}

#[test]
fn user_grant_is_not_capped_by_boundary() {
    let policies = PrincipalPolicies {
        permissions_boundary: Some(policy("boundary", &allow("iam:*"))),
        ..PrincipalPolicies::default()
    };

    let explanation = decide(
        &policies,
        &with_resource(&grant_to(ALICE, "s3:GetObject")),
        &request(ALICE, "s3:GetObject"),
    );

    assert_eq!(explanation.decision, Decision::Allow);
}

#[test]
fn identity_allow_is_capped_by_boundary() {
    let mut policies = identity(&[allow("s3:*")]);
    policies.permissions_boundary = Some(policy("boundary", &allow("iam:*")));

    let explanation = decide(
        &policies,
        &ResourcePolicies::default(),
        &request(ALICE, "s3:GetObject"),
    );

    assert_eq!(explanation.decision, Decision::ImplicitDeny);
    assert_eq!(explanation.gate, Some(Gate::PermissionsBoundary));
}

#[test]
fn role_grant_is_capped_by_session_policy() {
    let policies = PrincipalPolicies {
        session: vec![policy("session", &allow("s3:GetObject"))],
        ..PrincipalPolicies::default()
    };
    let resource = with_resource(&grant_to("arn:aws:iam::111122223333:role/app", "s3:*"));

    let inside = decide(&policies, &resource, &request(SESSION, "s3:GetObject"));
    let outside = decide(&policies, &resource, &request(SESSION, "s3:DeleteObject"));

    assert_eq!(inside.decision, Decision::Allow);
    assert_eq!(outside.decision, Decision::ImplicitDeny);
    assert_eq!(outside.gate, Some(Gate::SessionPolicy));
}

#[test]
fn session_grant_is_not_capped_by_session_policy() {
    let policies = PrincipalPolicies {
        session: vec![policy("session", &allow("iam:ListUsers"))],
        ..PrincipalPolicies::default()
    };

    let explanation = decide(
        &policies,
        &with_resource(&grant_to(SESSION, "s3:PutObject")),
        &request(SESSION, "s3:PutObject"),
    );

    assert_eq!(explanation.decision, Decision::Allow);
}

#[test]
fn cross_account_needs_both_sides() {
    let resource = with_resource(&grant_to("444455556666", "s3:GetObject"));
    let both = identity(&[allow("s3:GetObject")]);

    let only_identity = decide(
        &both,
        &ResourcePolicies::default(),
        &request_in(OTHER_ACCOUNT_USER, "s3:GetObject", "111122223333"),
    );
    let only_resource = decide(
        &PrincipalPolicies::default(),
        &resource,
        &request_in(OTHER_ACCOUNT_USER, "s3:GetObject", "111122223333"),
    );
    let allowed = decide(
        &both,
        &resource,
        &request_in(OTHER_ACCOUNT_USER, "s3:GetObject", "111122223333"),
    );

    assert_eq!(only_identity.gate, Some(Gate::NoResourceAllow));
    assert_eq!(only_resource.gate, Some(Gate::NoIdentityAllow));
    assert_eq!(allowed.decision, Decision::Allow);
}

#[test]
fn cross_account_direct_grant_still_needs_identity() {
    let resource = with_resource(&grant_to(OTHER_ACCOUNT_USER, "s3:GetObject"));

    let explanation = decide(
        &PrincipalPolicies::default(),
        &resource,
        &request_in(OTHER_ACCOUNT_USER, "s3:GetObject", "111122223333"),
    );

    assert_eq!(explanation.decision, Decision::ImplicitDeny);
    assert_eq!(explanation.gate, Some(Gate::NoIdentityAllow));
}

#[test]
fn scp_level_without_allow_blocks() {
    let mut policies = identity(&[allow("*")]);
    policies.scps = Some(organization(&[
        ("r-root", vec![allow("*")]),
        ("ou-dev", vec![allow("s3:*")]),
    ]));

    let s3 = decide(
        &policies,
        &ResourcePolicies::default(),
        &request(ALICE, "s3:GetObject"),
    );
    let iam = decide(
        &policies,
        &ResourcePolicies::default(),
        &request(ALICE, "iam:CreateUser"),
    );

    assert_eq!(s3.decision, Decision::Allow);
    assert_eq!(iam.decision, Decision::ImplicitDeny);
    assert_eq!(
        iam.gate,
        Some(Gate::Scp {
            level: "ou-dev".to_owned()
        })
    );
}

#[test]
fn scp_allow_grants_nothing_alone() {
    let policies = PrincipalPolicies {
        scps: Some(organization(&[("r-root", vec![allow("*")])])),
        ..PrincipalPolicies::default()
    };

    let explanation = decide(
        &policies,
        &ResourcePolicies::default(),
        &request(ALICE, "s3:GetObject"),
    );

    assert_eq!(explanation.gate, Some(Gate::NoIdentityAllow));
}

#[test]
fn scps_restrict_member_root_but_not_management_account() {
    let policies = PrincipalPolicies {
        scps: Some(organization(&[("r-root", vec![allow("iam:Get*")])])),
        ..PrincipalPolicies::default()
    };

    let member_root = decide(
        &policies,
        &ResourcePolicies::default(),
        &request("arn:aws:iam::111122223333:root", "iam:CreateUser"),
    );
    let management = decide(
        &identity(&[allow("*")]).clone_with_scps(policies.scps.clone()),
        &ResourcePolicies::default(),
        &request_in(
            "arn:aws:iam::777788889999:user/ops",
            "iam:CreateUser",
            "777788889999",
        ),
    );

    assert_eq!(
        member_root.gate,
        Some(Gate::Scp {
            level: "r-root".to_owned()
        })
    );
    assert_eq!(management.decision, Decision::Allow);
}

#[test]
fn scp_deny_reaches_root_user() {
    let policies = PrincipalPolicies {
        scps: Some(organization(&[(
            "r-root",
            vec![allow("*"), deny("iam:DeleteRole")],
        )])),
        ..PrincipalPolicies::default()
    };

    let explanation = decide(
        &policies,
        &ResourcePolicies::default(),
        &request("arn:aws:iam::111122223333:root", "iam:DeleteRole"),
    );
    let other = decide(
        &policies,
        &ResourcePolicies::default(),
        &request("arn:aws:iam::111122223333:root", "iam:DeleteUser"),
    );

    assert_eq!(explanation.decision, Decision::ExplicitDeny);
    assert_eq!(explanation.statements[0].policy_type, PolicyType::Scp);
    assert_eq!(other.decision, Decision::Allow);
}

#[test]
fn service_linked_role_ignores_scps() {
    let mut policies = identity(&[allow("*")]);
    policies.scps = Some(organization(&[("r-root", vec![deny("*")])]));
    let principal = RequestPrincipal::from_arn("arn:aws:iam::111122223333:role/aws-service-role/x")
        .unwrap()
        .with_service_linked(true);
    let request = RequestContext::new(
        principal,
        "s3:GetObject",
        "*",
        None,
        None,
        ContextKeys::new(),
    );

    assert_eq!(
        decide(&policies, &ResourcePolicies::default(), &request).decision,
        Decision::Allow
    );
}

#[test]
fn rcp_gate_checks_resource_account() {
    let resource = ResourcePolicies {
        rcps: Some(organization(&[
            ("r-root", vec![deny("s3:DeleteObject")]),
            ("ou-data", vec![]),
        ])),
        ..ResourcePolicies::default()
    };

    let explanation = decide(
        &identity(&[allow("*")]),
        &resource,
        &request(ALICE, "s3:GetObject"),
    );

    assert_eq!(
        explanation.gate,
        Some(Gate::Rcp {
            level: "r-root".to_owned()
        })
    );
}

#[test]
fn vpc_endpoint_policy_must_allow() {
    let resource = ResourcePolicies {
        vpc_endpoint: Some(policy(
            "vpce",
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
        )),
        ..ResourcePolicies::default()
    };

    let allowed = decide(
        &identity(&[allow("s3:*")]),
        &resource,
        &request(ALICE, "s3:GetObject"),
    );
    let blocked = decide(
        &identity(&[allow("s3:*")]),
        &resource,
        &request(ALICE, "s3:PutObject"),
    );

    assert_eq!(allowed.decision, Decision::Allow);
    assert_eq!(blocked.gate, Some(Gate::VpcEndpoint));
}

#[test]
fn trust_policy_rules_for_assume_role() {
    let trust = |principal: &str| ResourcePolicies {
        resource: Some(policy(
            "trust",
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"}}]}}"#
            ),
        )),
        kind: ResourcePolicyKind::Trust,
        ..ResourcePolicies::default()
    };
    let assume = |caller: &str| {
        let principal = RequestPrincipal::from_arn(caller).unwrap();
        RequestContext::new(
            principal,
            "sts:AssumeRole",
            "arn:aws:iam::111122223333:role/ops",
            None,
            None,
            ContextKeys::new(),
        )
    };
    let identity_allow = identity(&[allow("sts:AssumeRole")]);
    let bounded = PrincipalPolicies {
        permissions_boundary: Some(policy("boundary", &allow("iam:Get*"))),
        ..PrincipalPolicies::default()
    };

    assert_eq!(
        decide(&PrincipalPolicies::default(), &trust(ALICE), &assume(ALICE)).decision,
        Decision::Allow
    );
    assert_eq!(
        decide(
            &PrincipalPolicies::default(),
            &trust("111122223333"),
            &assume(ALICE)
        )
        .gate,
        Some(Gate::NoIdentityAllow)
    );
    assert_eq!(
        decide(&identity_allow, &trust("111122223333"), &assume(ALICE)).decision,
        Decision::Allow
    );
    assert_eq!(
        decide(
            &identity_allow,
            &trust("arn:aws:iam::111122223333:user/bob"),
            &assume(ALICE)
        )
        .gate,
        Some(Gate::NoResourceAllow)
    );
    assert_eq!(
        decide(&bounded, &trust(ALICE), &assume(ALICE)).gate,
        Some(Gate::PermissionsBoundary)
    );
}

#[test]
fn public_grant_allows_anonymous_caller() {
    let resource = with_resource(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
    let anonymous = |action: &str| {
        RequestContext::new(
            RequestPrincipal::anonymous(),
            action,
            BUCKET_OBJECT,
            "111122223333".parse().ok(),
            None,
            ContextKeys::new(),
        )
    };

    let read = decide(
        &PrincipalPolicies::default(),
        &resource,
        &anonymous("s3:GetObject"),
    );
    let write = decide(
        &PrincipalPolicies::default(),
        &resource,
        &anonymous("s3:PutObject"),
    );

    assert_eq!(read.decision, Decision::Allow);
    assert_eq!(write.gate, Some(Gate::NoResourceAllow));
}

#[test]
fn service_principal_uses_resource_grant() {
    let resource = with_resource(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"*"}]}"#,
    );
    let service = |name: &str| {
        RequestContext::new(
            RequestPrincipal::service(name),
            "s3:PutObject",
            BUCKET_OBJECT,
            "111122223333".parse().ok(),
            None,
            ContextKeys::new(),
        )
    };

    let cloudtrail = decide(
        &PrincipalPolicies::default(),
        &resource,
        &service("cloudtrail.amazonaws.com"),
    );
    let config = decide(
        &PrincipalPolicies::default(),
        &resource,
        &service("config.amazonaws.com"),
    );

    assert_eq!(cloudtrail.decision, Decision::Allow);
    assert_eq!(config.decision, Decision::ImplicitDeny);
}

#[test]
fn root_user_holds_every_permission() {
    let explanation = decide(
        &PrincipalPolicies::default(),
        &ResourcePolicies::default(),
        &request("arn:aws:iam::111122223333:root", "iam:CreateUser"),
    );

    assert_eq!(explanation.decision, Decision::Allow);
}

#[test]
fn get_caller_identity_needs_no_permission() {
    let explanation = decide(
        &identity(&[deny("*")]),
        &ResourcePolicies::default(),
        &request(ALICE, "STS:GetCallerIdentity"),
    );

    assert_eq!(explanation.decision, Decision::Allow);
}

#[test]
fn aws_managed_policies_cannot_change() {
    let principal = RequestPrincipal::from_arn(ALICE).unwrap();
    let change = RequestContext::new(
        principal.clone(),
        "iam:CreatePolicyVersion",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        None,
        None,
        ContextKeys::new(),
    );
    let read = RequestContext::new(
        principal,
        "iam:GetPolicyVersion",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        None,
        None,
        ContextKeys::new(),
    );
    let admin = identity(&[allow("*")]);

    assert_eq!(
        decide(&admin, &ResourcePolicies::default(), &change).gate,
        Some(Gate::ProtectedResource)
    );
    assert_eq!(
        decide(&admin, &ResourcePolicies::default(), &read).decision,
        Decision::Allow
    );
}

#[test]
fn explanation_lists_missing_condition_keys() {
    let policies = identity(&[r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*",
        "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"StringEquals":{"aws:SourceVpc":"vpc-1"}}}]}"#.to_owned()]);

    let explanation = decide(
        &policies,
        &ResourcePolicies::default(),
        &request(ALICE, "s3:GetObject"),
    );

    assert_eq!(explanation.decision, Decision::ImplicitDeny);
    assert_eq!(
        explanation.missing_keys,
        ["aws:multifactorauthpresent", "aws:sourcevpc"]
    );
}

#[test]
fn principal_variables_follow_the_request_principal() {
    let policies = identity(&[r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#.to_owned()]);
    let alice = RequestPrincipal::from_arn(ALICE).unwrap();
    let compiled = CompiledPrincipalPolicies::compile(&policies, Some(&alice));
    let none = CompiledResourcePolicies::none();
    let on = |principal: &str, resource: &str| {
        let principal = RequestPrincipal::from_arn(principal).unwrap();
        let request = RequestContext::new(
            principal,
            "s3:GetObject",
            resource,
            None,
            None,
            ContextKeys::new(),
        );
        compiled.evaluate(&none, &request)
    };

    assert_eq!(on(ALICE, "arn:aws:s3:::home/alice/a"), Decision::Allow);
    assert_eq!(on(ALICE, "arn:aws:s3:::home/bob/a"), Decision::ImplicitDeny);
    assert_eq!(
        on(
            "arn:aws:iam::111122223333:user/bob",
            "arn:aws:s3:::home/bob/a"
        ),
        Decision::Allow
    );
    assert_eq!(
        on(SESSION, "arn:aws:s3:::home/${aws:username}/a"),
        Decision::ImplicitDeny
    );
}

#[test]
fn explicit_tag_key_overrides_bound_principal_tags() {
    let policies = identity(&[r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::team/${aws:PrincipalTag/team}/*"}]}"#.to_owned()]);
    let alice = RequestPrincipal::from_arn(ALICE)
        .unwrap()
        .with_tag("team", "blue");
    let compiled = CompiledPrincipalPolicies::compile(&policies, Some(&alice));
    let mut keys = ContextKeys::new();
    keys.insert("aws:PrincipalTag/team", ContextValue::single("red"));
    let request = RequestContext::new(
        alice,
        "s3:GetObject",
        "arn:aws:s3:::team/red/x",
        None,
        None,
        keys,
    );

    assert_eq!(
        compiled.evaluate(&CompiledResourcePolicies::none(), &request),
        Decision::Allow
    );
}

#[test]
fn added_session_policies_cap_identity() {
    let policies = identity(&[allow("s3:*")]);
    let compiled = CompiledPrincipalPolicies::compile(&policies, None);
    let session = compiled.with_session_policies(&[policy("session", &allow("s3:GetObject"))]);
    let none = CompiledResourcePolicies::none();

    let get = request(SESSION, "s3:GetObject");
    let put = request(SESSION, "s3:PutObject");
    assert_eq!(session.evaluate(&none, &get), Decision::Allow);
    assert_eq!(session.evaluate(&none, &put), Decision::ImplicitDeny);
    assert_eq!(session.explain(&none, &put).gate, Some(Gate::SessionPolicy));
    assert_eq!(compiled.evaluate(&none, &put), Decision::Allow);
}

#[test]
fn empty_added_session_policies_allow_nothing() {
    let compiled = CompiledPrincipalPolicies::compile(&identity(&[allow("*")]), None);
    let federated = compiled.with_session_policies(&[]);

    let request = request(
        "arn:aws:sts::111122223333:federated-user/bob",
        "s3:GetObject",
    );
    let explanation = federated.explain(&CompiledResourcePolicies::none(), &request);

    assert_eq!(explanation.decision, Decision::ImplicitDeny);
    assert_eq!(explanation.gate, Some(Gate::SessionPolicy));
}

#[test]
fn added_session_deny_is_explicit() {
    let compiled = CompiledPrincipalPolicies::compile(&identity(&[allow("*")]), None);
    let session = compiled.with_session_policies(&[
        policy("allow", &allow("*")),
        policy("deny", &deny("s3:DeleteObject")),
    ]);

    let explanation = session.explain(
        &CompiledResourcePolicies::none(),
        &request(SESSION, "s3:DeleteObject"),
    );

    assert_eq!(explanation.decision, Decision::ExplicitDeny);
    assert_eq!(explanation.statements[0].policy_type, PolicyType::Session);
}

impl PrincipalPolicies {
    fn clone_with_scps(mut self, scps: Option<OrganizationPolicies>) -> Self {
        self.scps = scps;
        self
    }
}
