//! The documented AWS behaviour cases that the authentication library decides on its own:
//! canonical query strings, password-policy ranges and checks, and single-use MFA codes.

use iam_auth::AuthError;
use iam_auth::SecretAccessKey;
use iam_auth::password_policy::{PasswordPolicyUpdate, check_password, policy_from_update};
use iam_auth::sigv4::{Credentials, HttpRequest, Signer};
use iam_auth::totp::{ConsecutiveCodes, Totp, TotpAlgorithm, TotpParameters, TotpSeed};
use iam_model::SeededRandom;
use jiff::Timestamp;
use serde_json::Value;

use crate::corpus::{read_json, shared_path};

fn behaviour_case(id: &str) -> Value {
    let cases = read_json(&shared_path("cases/behaviour-cases.json"));
    cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["id"] == id)
        .unwrap_or_else(|| panic!("behaviour case {id} is missing"))
        .clone()
}

fn step<'a>(case: &'a Value, name: &str) -> (&'a Value, &'a Value) {
    let request = case["request"]
        .as_array()
        .unwrap()
        .iter()
        .find(|step| step["name"] == name)
        .unwrap();
    let expected = case["expected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|step| step["name"] == name)
        .unwrap();
    (request, expected)
}

/// Returns the canonical query the signer builds for a raw query string.
fn canonical_query(query: &str) -> String {
    let signer = Signer::new(
        Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".to_owned(),
            secret_access_key: SecretAccessKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            session_token: None,
        },
        "us-east-1",
        "iam",
    );
    let headers = [("Host", "iam.amazonaws.com")];
    let request = HttpRequest {
        method: "GET",
        path: "/",
        query,
        headers: &headers,
        body: b"",
    };
    let signed = signer
        .sign(&request, "2026-03-01T10:00:00Z".parse().unwrap())
        .unwrap();
    signed.canonical_request.lines().nth(2).unwrap().to_owned()
}

#[test]
fn canonical_query_cases() {
    let case = behaviour_case("B31");

    for name in ["a", "d"] {
        let (request, expected) = step(&case, name);
        let call = request["call"].as_str().unwrap();
        let query = call.split_once('?').unwrap().1.split(' ').next().unwrap();

        let canonical = canonical_query(query);

        assert_eq!(
            canonical, expected["fields"]["canonical query"],
            "step {name}"
        );
    }

    let (request_a, expected_a) = step(&case, "a");
    let query_a = request_a["call"]
        .as_str()
        .unwrap()
        .split_once('?')
        .unwrap()
        .1;
    let lower_hex = query_a.replace("%2B", "%2b").replace("%2F", "%2f");
    assert_eq!(
        canonical_query(&lower_hex),
        expected_a["fields"]["canonical query"],
        "step c: lower-case hex on the wire"
    );

    // Step e leaves the choice open. This service reads `+` on the wire as a space, as form
    // decoding and the server's parameter parsing do, because botocore sends spaces in query
    // strings as `+` while signing `%20`.
    let plus_for_space = query_a.replace("%20", "+");
    assert_eq!(
        canonical_query(&plus_for_space),
        expected_a["fields"]["canonical query"],
        "step e"
    );
}

fn update_from(params: &Value) -> PasswordPolicyUpdate {
    let number = |name: &str| params[name].as_i64();
    let flag = |name: &str| params[name].as_bool();
    PasswordPolicyUpdate {
        minimum_password_length: number("MinimumPasswordLength"),
        require_symbols: flag("RequireSymbols"),
        require_numbers: flag("RequireNumbers"),
        require_uppercase_characters: flag("RequireUppercaseCharacters"),
        require_lowercase_characters: flag("RequireLowercaseCharacters"),
        allow_users_to_change_password: flag("AllowUsersToChangePassword"),
        max_password_age: number("MaxPasswordAge"),
        password_reuse_prevention: number("PasswordReusePrevention"),
        hard_expiry: flag("HardExpiry"),
    }
}

#[test]
fn password_policy_cases() {
    let case = behaviour_case("B29");

    for name in ["b", "c", "d", "e"] {
        let (request, expected) = step(&case, name);

        let error = policy_from_update(&update_from(&request["params"])).unwrap_err();

        assert_eq!(error.aws_code(), expected["error"], "step {name}");
    }

    // Step f: a second update without RequireSymbols resets it.
    let first = PasswordPolicyUpdate {
        require_symbols: Some(true),
        ..PasswordPolicyUpdate::default()
    };
    let second = PasswordPolicyUpdate {
        minimum_password_length: Some(12),
        require_numbers: Some(true),
        ..PasswordPolicyUpdate::default()
    };
    assert!(policy_from_update(&first).unwrap().require_symbols);
    let policy = policy_from_update(&second).unwrap();
    let (_, expected) = step(&case, "f");
    let fields = &expected["fields"];
    assert_eq!(
        i64::from(policy.minimum_password_length),
        fields["MinimumPasswordLength"]
    );
    assert_eq!(policy.require_numbers, fields["RequireNumbers"]);
    assert_eq!(policy.require_symbols, fields["RequireSymbols"]);
    assert_eq!(policy.hard_expiry, fields["HardExpiry"]);
    assert_eq!(policy.expire_passwords(), fields["ExpirePasswords"]);
    assert_eq!(fields["MaxPasswordAge"], "absent");
    assert_eq!(policy.max_password_age, None);

    for name in ["g", "h", "i"] {
        let (request, expected) = step(&case, name);
        let password = request["params"]["Password"].as_str().unwrap();

        let outcome = check_password(Some(&policy), password, &[]);

        match expected["status"].as_u64().unwrap() {
            200 => assert!(outcome.is_ok(), "step {name}: {outcome:?}"),
            _ => assert_eq!(
                outcome.unwrap_err().aws_code(),
                expected["error"],
                "step {name}"
            ),
        }
    }

    let (request, expected) = step(&case, "j");
    let password = request["params"]["Password"].as_str().unwrap();
    let outcome = check_password(None, password, &[]);
    assert_eq!(outcome.unwrap_err().aws_code(), expected["error"], "step j");
}

#[test]
fn mfa_code_cases() {
    let case = behaviour_case("B21");
    let alice = Totp::new(
        TotpSeed::generate(TotpAlgorithm::Sha1, &SeededRandom::new(21)),
        TotpParameters::default(),
    )
    .unwrap();
    let bob = Totp::new(
        TotpSeed::generate(TotpAlgorithm::Sha1, &SeededRandom::new(22)),
        TotpParameters::default(),
    )
    .unwrap();
    let now: Timestamp = "2026-03-01T10:00:10Z".parse().unwrap();
    let t = alice.step_at(now);
    let next = Timestamp::from_second(now.as_second() + 30).unwrap();
    let expect_ok = |name: &str, outcome: &Result<u64, AuthError>| {
        let (_, expected) = step(&case, name);
        assert_eq!(expected["status"], 200, "step {name}");
        assert!(outcome.is_ok(), "step {name}: {outcome:?}");
    };
    let expect_rejected = |name: &str, outcome: &Result<u64, AuthError>| {
        let (_, expected) = step(&case, name);
        assert_ne!(expected["status"], 200, "step {name}");
        assert!(outcome.is_err(), "step {name}: {outcome:?}");
    };

    let a = alice.verify(&alice.code_at_step(t), now, None);
    expect_ok("a", &a);
    let last = a.unwrap();
    expect_rejected("b", &alice.verify(&alice.code_at_step(t), now, Some(last)));
    expect_rejected("c", &alice.verify(&alice.code_at_step(t), now, Some(last)));
    let d = alice.verify(&alice.code_at_step(t + 1), next, Some(last));
    expect_ok("d", &d);
    expect_rejected("e", &alice.verify(&alice.code_at_step(t - 10), now, d.ok()));
    let f = alice.verify("12345", now, None);
    expect_rejected("f", &f);
    assert_eq!(f.unwrap_err().aws_code(), step(&case, "f").1["error"]);

    let enable = |first: &str, second: &str| {
        bob.verify_consecutive(first, second, now, ConsecutiveCodes::Enable, None)
    };
    let g = enable(&bob.code_at_step(t), &bob.code_at_step(t));
    expect_rejected("g", &g);
    assert_eq!(g.unwrap_err().aws_code(), step(&case, "g").1["error"]);
    expect_ok("h", &enable(&bob.code_at_step(t - 1), &bob.code_at_step(t)));
    let i = enable("000000", "111111");
    expect_rejected("i", &i);
    assert_eq!(i.unwrap_err().aws_code(), step(&case, "i").1["error"]);
}
