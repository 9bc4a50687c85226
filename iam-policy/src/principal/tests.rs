use super::*;
use crate::document::PolicyDocument;

fn matcher(element: &str, value: &str) -> PrincipalMatcher {
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","{element}":{value},"Action":"*","Resource":"*"}}]}}"#
    );
    let document = PolicyDocument::parse(&text).unwrap();
    PrincipalMatcher::compile(document.statements[0].principal.as_ref().unwrap())
}

fn principal(arn: &str) -> RequestPrincipal {
    RequestPrincipal::from_arn(arn).unwrap()
}

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/app/s1";
const ROLE: &str = "arn:aws:iam::111122223333:role/app";

#[test]
fn account_id_and_root_arn_name_the_account() {
    for value in [
        r#"{"AWS":"111122223333"}"#,
        r#"{"AWS":"arn:aws:iam::111122223333:root"}"#,
    ] {
        let matcher = matcher("Principal", value);

        assert_eq!(
            matcher.matches(&principal(ALICE)),
            Some(PrincipalMatch::Account)
        );
        assert_eq!(
            matcher.matches(&principal(SESSION)),
            Some(PrincipalMatch::Account)
        );
        assert_eq!(
            matcher.matches(&principal("arn:aws:iam::111122223333:root")),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(
            matcher.matches(&principal("arn:aws:iam::444455556666:user/alice")),
            None
        );
    }
}

#[test]
fn user_arn_names_only_that_user() {
    let matcher = matcher("Principal", &format!(r#"{{"AWS":["{ALICE}"]}}"#));

    assert_eq!(
        matcher.matches(&principal(ALICE)),
        Some(PrincipalMatch::Direct)
    );
    assert_eq!(
        matcher.matches(&principal("arn:aws:iam::111122223333:user/bob")),
        None
    );
}

#[test]
fn role_arn_names_every_session_of_the_role() {
    let matcher = matcher("Principal", &format!(r#"{{"AWS":"{ROLE}"}}"#));

    assert_eq!(
        matcher.matches(&principal(SESSION)),
        Some(PrincipalMatch::Role)
    );
    assert_eq!(
        matcher.matches(&principal(ROLE)),
        Some(PrincipalMatch::Role)
    );
    assert_eq!(
        matcher.matches(&principal(
            "arn:aws:sts::111122223333:assumed-role/other/s1"
        )),
        None
    );
}

#[test]
fn role_path_counts_when_known() {
    let matcher = matcher(
        "Principal",
        r#"{"AWS":"arn:aws:iam::111122223333:role/team/app"}"#,
    );
    let without_path = principal(SESSION);
    let right_path = principal(SESSION).with_role_arn("arn:aws:iam::111122223333:role/team/app");
    let wrong_path = principal(SESSION).with_role_arn("arn:aws:iam::111122223333:role/other/app");

    assert_eq!(matcher.matches(&without_path), Some(PrincipalMatch::Role));
    assert_eq!(matcher.matches(&right_path), Some(PrincipalMatch::Role));
    assert_eq!(matcher.matches(&wrong_path), None);
}

#[test]
fn session_arn_names_that_session() {
    let matcher = matcher("Principal", &format!(r#"{{"AWS":"{SESSION}"}}"#));

    assert_eq!(
        matcher.matches(&principal(SESSION)),
        Some(PrincipalMatch::Direct)
    );
    assert_eq!(
        matcher.matches(&principal("arn:aws:sts::111122223333:assumed-role/app/s2")),
        None
    );
}

#[test]
fn star_names_everyone_including_anonymous() {
    for value in [r#""*""#, r#"{"AWS":"*"}"#] {
        let matcher = matcher("Principal", value);

        assert_eq!(
            matcher.matches(&principal(ALICE)),
            Some(PrincipalMatch::Any)
        );
        assert_eq!(
            matcher.matches(&RequestPrincipal::anonymous()),
            Some(PrincipalMatch::Any)
        );
    }
}

#[test]
fn most_specific_match_wins() {
    let matcher = matcher(
        "Principal",
        &format!(r#"{{"AWS":["111122223333","{ROLE}","{SESSION}"]}}"#),
    );

    assert_eq!(
        matcher.matches(&principal(SESSION)),
        Some(PrincipalMatch::Direct)
    );
}

#[test]
fn service_and_federated_match_their_callers() {
    let matcher = matcher(
        "Principal",
        r#"{"Service":"ec2.amazonaws.com","Federated":"arn:aws:iam::111122223333:saml-provider/corp"}"#,
    );
    let saml = RequestPrincipal::federated(
        RequestPrincipalKind::Saml,
        "arn:aws:iam::111122223333:saml-provider/corp",
        None,
    );

    assert_eq!(
        matcher.matches(&RequestPrincipal::service("ec2.amazonaws.com")),
        Some(PrincipalMatch::Direct)
    );
    assert_eq!(
        matcher.matches(&RequestPrincipal::service("lambda.amazonaws.com")),
        None
    );
    assert_eq!(matcher.matches(&saml), Some(PrincipalMatch::Direct));
    assert_eq!(matcher.matches(&principal(ALICE)), None);
}

#[test]
fn canonical_user_never_matches() {
    let matcher = matcher(
        "Principal",
        r#"{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}"#,
    );

    assert_eq!(matcher.matches(&principal(ALICE)), None);
}

#[test]
fn not_principal_excludes_listed_user() {
    let matcher = matcher(
        "NotPrincipal",
        &format!(r#"{{"AWS":["{ALICE}","111122223333"]}}"#),
    );

    assert_eq!(matcher.matches(&principal(ALICE)), None);
    assert_eq!(
        matcher.matches(&principal("arn:aws:iam::111122223333:user/bob")),
        Some(PrincipalMatch::Any)
    );
}

#[test]
fn not_principal_account_alone_excludes_only_root() {
    let matcher = matcher(
        "NotPrincipal",
        r#"{"AWS":"arn:aws:iam::111122223333:root"}"#,
    );

    assert_eq!(
        matcher.matches(&principal(ALICE)),
        Some(PrincipalMatch::Any)
    );
    assert_eq!(
        matcher.matches(&principal("arn:aws:iam::111122223333:root")),
        None
    );
}

#[test]
fn not_principal_needs_role_for_session() {
    let by_role = matcher("NotPrincipal", &format!(r#"{{"AWS":"{ROLE}"}}"#));
    let by_session = matcher("NotPrincipal", &format!(r#"{{"AWS":"{SESSION}"}}"#));

    assert_eq!(by_role.matches(&principal(SESSION)), None);
    assert_eq!(
        by_session.matches(&principal(SESSION)),
        Some(PrincipalMatch::Any)
    );
}

#[test]
fn not_principal_applies_to_anonymous() {
    let matcher = matcher("NotPrincipal", &format!(r#"{{"AWS":"{ALICE}"}}"#));

    assert_eq!(
        matcher.matches(&RequestPrincipal::anonymous()),
        Some(PrincipalMatch::Any)
    );
}
