use super::*;
use crate::context::{ContextValue, RequestPrincipal};

fn group(documents: &[&str]) -> StatementGroup {
    let parsed: Vec<PolicyDocument> = documents
        .iter()
        .map(|text| PolicyDocument::parse(text).unwrap())
        .collect();
    StatementGroup::compile(
        parsed.iter().map(|document| ("policy", document)),
        &Binder::new(None),
    )
}

fn request(action: &str) -> RequestContext {
    let alice = RequestPrincipal::from_arn("arn:aws:iam::111122223333:user/alice").unwrap();
    RequestContext::new(alice, action, "*", None, None, ContextKeys::new())
}

fn positions(group: &StatementGroup, action: &str) -> Vec<usize> {
    let request = request(action);
    group
        .candidates(Effect::Allow, &request)
        .map(|(position, _, _)| position)
        .collect()
}

const INDEXED: &str = r#"{"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
    {"Effect":"Allow","Action":["s3:Get*","s3:GetObject"],"Resource":"*"},
    {"Effect":"Allow","Action":"*","Resource":"*"},
    {"Effect":"Allow","NotAction":"iam:*","Resource":"*"},
    {"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"},
    {"Effect":"Allow","Action":"s*:List*","Resource":"*"},
    {"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}
]}"#;

#[test]
fn index_finds_exact_service_and_wildcard_statements() {
    let group = group(&[INDEXED]);

    assert_eq!(positions(&group, "s3:GetObject"), [0, 1, 2, 3, 5]);
    assert_eq!(positions(&group, "s3:PutObject"), [2, 3, 5]);
    assert_eq!(positions(&group, "EC2:DescribeInstances"), [4, 2, 3, 5]);
    assert_eq!(positions(&group, "sqs:SendMessage"), [2, 3, 5]);
}

#[test]
fn index_marks_what_it_checked() {
    let group = group(&[INDEXED]);
    let request = request("s3:GetObject");

    let checked: Vec<(usize, Candidate)> = group
        .candidates(Effect::Allow, &request)
        .map(|(position, _, candidate)| (position, candidate))
        .collect();

    assert_eq!(checked[0], (0, Candidate::ActionMatched));
    assert_eq!(checked[1], (1, Candidate::ActionMatched));
    assert_eq!(checked[2], (2, Candidate::Unchecked));
}

#[test]
fn index_separates_effects() {
    let group = group(&[INDEXED]);

    let request = request("s3:GetObject");
    let denies: Vec<usize> = group
        .candidates(Effect::Deny, &request)
        .map(|(position, _, _)| position)
        .collect();
    assert_eq!(denies, [6]);
}

#[test]
fn index_lists_each_statement_once_per_action() {
    let group = group(&[
        r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject","S3:getobject","s3:Get*","s3:Put*"],"Resource":"*"}}"#,
    ]);

    assert_eq!(positions(&group, "s3:getobject"), [0]);
    assert_eq!(positions(&group, "s3:putobject"), [0]);
    assert!(positions(&group, "s3:deleteobject").is_empty());
}

#[test]
fn statements_keep_policy_and_statement_numbers() {
    let group = group(&[
        INDEXED,
        r#"{"Statement":[{"Sid":"Second","Effect":"Allow","Action":"sqs:*","Resource":"*"}]}"#,
    ]);

    let request = request("sqs:SendMessage");
    let found: Vec<(usize, usize)> = group
        .candidates(Effect::Allow, &request)
        .map(|(_, statement, _)| (statement.policy, statement.statement))
        .collect();
    assert!(found.contains(&(1, 0)));
    assert_eq!(
        group.policies[1].statements[0].sid.as_deref(),
        Some("Second")
    );
}

#[test]
fn binder_binds_principal_variables_only() {
    let alice = RequestPrincipal::from_arn("arn:aws:iam::111122223333:user/alice").unwrap();
    let keys = crate::context::derive_principal_keys(&alice);
    let binder = Binder::new(Some(&keys));

    let bound = binder.bind(
        Template::parse("home/${aws:username}", true),
        Template::to_text,
    );
    let missing = binder.bind(
        Template::parse("${aws:PrincipalTag/team}", true),
        Template::to_text,
    );
    let deferred = binder.bind(Template::parse("${s3:prefix}", true), Template::to_text);
    let plain = binder.bind(Template::parse("home/${*}", true), Template::to_text);

    assert!(matches!(bound, Bindable::Bound { value: Some(ref text), .. } if text == "home/alice"));
    assert!(matches!(missing, Bindable::Bound { value: None, .. }));
    assert!(matches!(deferred, Bindable::Deferred(_)));
    assert!(matches!(plain, Bindable::Plain(ref text) if text == "home/*"));
}

#[test]
fn bound_value_is_recomputed_for_another_principal() {
    let alice = RequestPrincipal::from_arn("arn:aws:iam::111122223333:user/alice").unwrap();
    let bob = RequestPrincipal::from_arn("arn:aws:iam::111122223333:user/bob").unwrap();
    let keys = crate::context::derive_principal_keys(&alice);
    let bound =
        Binder::new(Some(&keys)).bind(Template::parse("${aws:username}", true), Template::to_text);
    let mut context = ContextKeys::new();
    context.insert("s3:prefix", ContextValue::single("x"));
    let request = RequestContext::new(bob, "s3:ListBucket", "*", None, None, context);

    let stale = Env {
        request: &request,
        bound: true,
        has_boundary: false,
    };
    let fresh = Env {
        request: &request,
        bound: false,
        has_boundary: false,
    };

    let read = |env: &Env<'_>| bound.with(env, Template::to_text, |value| value.cloned());
    assert_eq!(read(&stale), Some("alice".to_owned()));
    assert_eq!(read(&fresh), Some("bob".to_owned()));
}

#[test]
fn word_hasher_differs_by_input() {
    let hash = |text: &str| {
        let mut hasher = WordHasher::default();
        hasher.write(text.as_bytes());
        hasher.finish()
    };

    assert_ne!(hash("s3:getobject"), hash("s3:putobject"));
    assert_ne!(hash("iam:getuser"), hash("iam:getusers"));
    assert_ne!(hash("s3:listbucketversions"), hash("s3:listbucketversionz"));
    assert_eq!(hash("s3"), hash("s3"));
}
