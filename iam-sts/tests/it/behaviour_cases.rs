//! The STS cases of the shared behaviour catalogue, driven from its file: each step's
//! parameters come from the catalogue, and each outcome is compared with its `expected` entry.

use iam_sts::{GetSessionTokenRequest, StsError};
use serde_json::Value;

use crate::fixture::{MAIN_ACCOUNT, World, user_caller};

/// Loads one case by id; the catalogue must exist beside the repository.
pub(crate) fn case(id: &str) -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/cases/behaviour-cases.json"
    );
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("the behaviour catalogue `{path}` is missing: {error}"));
    let catalogue: Value = serde_json::from_str(&text).unwrap();
    catalogue["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["id"] == id)
        .unwrap_or_else(|| panic!("case {id} is missing from the catalogue"))
        .clone()
}

/// Returns the request step named `name` of a case.
pub(crate) fn step<'a>(case: &'a Value, name: &str) -> &'a Value {
    case["request"]
        .as_array()
        .unwrap()
        .iter()
        .find(|step| step["name"] == name)
        .unwrap_or_else(|| panic!("step {name} is missing from case {}", case["id"]))
}

/// Returns the error code a step expects, or `ok` for a success.
pub(crate) fn expected_code(case: &Value, name: &str) -> String {
    let expected = case["expected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|expected| expected["name"] == name)
        .unwrap_or_else(|| panic!("no expected outcome for step {name}"));
    match expected["status"].as_u64() {
        Some(200) => "ok".to_owned(),
        _ => expected["error"].as_str().unwrap().to_owned(),
    }
}

pub(crate) fn outcome(result: Result<impl Sized, StsError>) -> String {
    match result {
        Ok(_) => "ok".to_owned(),
        Err(error) => error.code().to_owned(),
    }
}

fn duration(step: &Value) -> Option<i64> {
    step["params"]["DurationSeconds"].as_i64()
}

/// GetCallerIdentity answers whatever the caller's policies say; the decision side of the case
/// (ListUsers denied) belongs to the policy engine.
#[tokio::test]
async fn b19_caller_identity_ignores_policies() {
    let case = case("B19");
    let world = World::new();
    let bob = world.user(MAIN_ACCOUNT, "bob").await;
    let expected = case["expected"][0]["fields"].clone();

    let identity = user_caller(&bob).identity();

    assert_eq!(step(&case, "a")["call"], "GetCallerIdentity");
    assert_eq!(expected_code(&case, "a"), "ok");
    assert_eq!(identity.arn.to_string(), expected["Arn"]);
    assert_eq!(identity.account.as_str(), expected["Account"]);
}

/// Steps a, c and f of B20 run here; steps b, d and e need AssumeRole and a role.
#[tokio::test]
async fn b20_session_token_restrictions() {
    let case = case("B20");
    let world = World::new();
    let alice = world.user(MAIN_ACCOUNT, "alice").await;
    let (serial, totp) = world.mfa_device(MAIN_ACCOUNT, "alice").await;
    let s0 = world
        .sts
        .get_session_token(&user_caller(&alice), &GetSessionTokenRequest::default())
        .await
        .unwrap();
    let s1 = world
        .sts
        .get_session_token(
            &user_caller(&alice),
            &GetSessionTokenRequest {
                duration_seconds: None,
                serial_number: Some(serial.to_string()),
                token_code: Some(totp.code_at(world.now())),
            },
        )
        .await
        .unwrap();
    let s0_caller = world.session_caller(&s0.credentials);

    let list_users_s0 = s0.claims.check_action("iam:ListUsers");
    let identity_s0 = s0.claims.check_action("sts:GetCallerIdentity");
    let session_token_s0 = world
        .sts
        .get_session_token(&s0_caller, &GetSessionTokenRequest::default())
        .await;
    let list_users_s1 = s1.claims.check_action("iam:ListUsers");

    assert_eq!(outcome(list_users_s0), expected_code(&case, "a"));
    assert_eq!(outcome(identity_s0), expected_code(&case, "b"));
    assert_eq!(outcome(session_token_s0), expected_code(&case, "c"));
    assert_eq!(outcome(list_users_s1), expected_code(&case, "e"));
}

/// Steps a, b, d, e and f of B21: one code per step, reuse rejected. Step c (AssumeRole with a
/// spent code) runs with the AssumeRole tests; g to i are `EnableMFADevice`, an IAM call.
#[tokio::test]
async fn b21_mfa_codes_are_single_use() {
    let case = case("B21");
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    let (serial, totp) = world.mfa_device(MAIN_ACCOUNT, "alice").await;
    let step_t = world.now();
    let request = |code: String| GetSessionTokenRequest {
        duration_seconds: None,
        serial_number: Some(serial.to_string()),
        token_code: Some(code),
    };
    assert_eq!(
        step(&case, "a")["params"]["SerialNumber"],
        "arn:aws:iam::111122223333:mfa/alice"
    );

    let a = world
        .sts
        .get_session_token(&alice, &request(totp.code_at(step_t)))
        .await;
    let b = world
        .sts
        .get_session_token(&alice, &request(totp.code_at(step_t)))
        .await;
    world.clock.advance(30);
    let d = world
        .sts
        .get_session_token(&alice, &request(totp.code_at(world.now())))
        .await;
    let ten_steps_back = step_t - jiff::SignedDuration::from_secs(300);
    let e = world
        .sts
        .get_session_token(&alice, &request(totp.code_at(ten_steps_back)))
        .await;
    let f_code = step(&case, "f")["params"]["TokenCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let f = world.sts.get_session_token(&alice, &request(f_code)).await;

    assert_eq!(outcome(a), expected_code(&case, "a"));
    assert_eq!(outcome(b), expected_code(&case, "b"));
    assert_eq!(outcome(d), expected_code(&case, "d"));
    assert_eq!(outcome(e), expected_code(&case, "e"));
    assert_eq!(outcome(f), expected_code(&case, "f"));
}

/// Step h of B17: the `GetSessionToken` duration limit.
#[tokio::test]
async fn b17_session_token_duration_limit() {
    let case = case("B17");
    let world = World::new();
    let alice = user_caller(&world.user(MAIN_ACCOUNT, "alice").await);
    let h = step(&case, "h");

    let result = world
        .sts
        .get_session_token(
            &alice,
            &GetSessionTokenRequest {
                duration_seconds: duration(h),
                ..GetSessionTokenRequest::default()
            },
        )
        .await;

    assert_eq!(outcome(result), expected_code(&case, "h"));
}
