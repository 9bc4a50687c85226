//! The STS cases of the shared behaviour catalogue, driven from its file: each step's
//! parameters come from the catalogue, and each outcome is compared with its `expected` entry.

use iam_sts::{AssumeRoleRequest, GetSessionTokenRequest, StsError};
use serde_json::Value;

use crate::fixture::{
    MAIN_ACCOUNT, World, put_role_policy, put_user_policy, role_session, root_caller,
    set_user_boundary, user_caller,
};

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

/// GetCallerIdentity returns the identity whatever the caller's policies contain. The decision
/// side of the case (ListUsers denied) belongs to the policy engine.
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

/// Steps a, b, c, e and f of B20; step d runs in `b20_session_token_may_assume_role`.
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

    let any_role = world.role(MAIN_ACCOUNT, "any", &allow_alice_trust()).await;
    let role_caller = role_session(&world, &any_role, "r1");
    let session_token_r = world
        .sts
        .get_session_token(&role_caller, &GetSessionTokenRequest::default())
        .await;
    assert_eq!(outcome(session_token_r), expected_code(&case, "f"));
}

fn allow_alice_trust() -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
        "Action": "sts:AssumeRole"
    }]})
    .to_string()
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

fn policy_text(case: &Value, name: &str) -> String {
    case["policies"][name].to_string()
}

/// Builds an `AssumeRole` request from a step's parameters.
///
/// Steps of B17, B20 and B21 use the one-character session name `s` as a placeholder while
/// expecting success, but AWS requires at least two characters (B16 step d checks exactly
/// that), so `s` becomes `s1`. Other names, such as B16's `x`, stay as written.
fn assume(step: &Value, role_arn: &str) -> AssumeRoleRequest {
    let name = step["params"]["RoleSessionName"].as_str().unwrap_or("s1");
    let role_session_name = if name == "s" { "s1" } else { name };
    AssumeRoleRequest {
        role_arn: step["params"]["RoleArn"]
            .as_str()
            .unwrap_or(role_arn)
            .to_owned(),
        role_session_name: role_session_name.to_owned(),
        duration_seconds: duration(step),
        ..AssumeRoleRequest::default()
    }
}

/// B14: each step assumes `ops-admin` under the trust policy the step names, in a fresh world.
#[tokio::test]
async fn b14_same_account_trust_rules() {
    let case = case("B14");
    let ops_admin_arn = "arn:aws:iam::111122223333:role/ops-admin";
    let self_assume = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{ops_admin_arn}"}}]}}"#
    );

    for step in case["request"].as_array().unwrap() {
        let name = step["name"].as_str().unwrap();
        let world = World::new();
        let alice = world.user(MAIN_ACCOUNT, "alice").await;
        let bob = world.user(MAIN_ACCOUNT, "bob").await;
        let carol = world.user(MAIN_ACCOUNT, "carol").await;
        put_user_policy(
            &world,
            MAIN_ACCOUNT,
            "carol",
            "carol-identity",
            &policy_text(&case, "carol-identity"),
        )
        .await;
        let role_b = world
            .role(MAIN_ACCOUNT, "roleB", &policy_text(&case, "trust-account"))
            .await;
        let trust = policy_text(&case, step["trust"].as_str().unwrap());
        let ops_admin = world.role(MAIN_ACCOUNT, "ops-admin", &trust).await;
        put_role_policy(&world, MAIN_ACCOUNT, "ops-admin", "self", &self_assume).await;
        if step["note"]
            .as_str()
            .is_some_and(|note| note.contains("boundary-readonly"))
        {
            set_user_boundary(
                &world,
                MAIN_ACCOUNT,
                "alice",
                &policy_text(&case, "boundary-readonly"),
            )
            .await;
        }
        let caller = match step["principal"].as_str().unwrap() {
            "arn:aws:iam::111122223333:user/alice" => user_caller(&alice),
            "arn:aws:iam::111122223333:user/bob" => user_caller(&bob),
            "arn:aws:iam::111122223333:user/carol" => user_caller(&carol),
            "arn:aws:sts::111122223333:assumed-role/ops-admin/s1" => {
                role_session(&world, &ops_admin, "s1")
            }
            "arn:aws:sts::111122223333:assumed-role/roleB/s1" => {
                role_session(&world, &role_b, "s1")
            }
            other => panic!("unexpected principal {other}"),
        };

        let result = world
            .sts
            .assume_role(&caller, &assume(step, ops_admin_arn))
            .await;

        let detail = format!("B14 step {name}: {:?}", result.as_ref().err());

        assert_eq!(outcome(result), expected_code(&case, name), "{detail}");
    }
}

/// B16: refusals for a missing role, a trust deny, root credentials and bad session names.
#[tokio::test]
async fn b16_assume_role_refusals() {
    let case = case("B16");
    let world = World::new();
    let alice = world.user(MAIN_ACCOUNT, "alice").await;
    put_user_policy(
        &world,
        MAIN_ACCOUNT,
        "alice",
        "alice-identity",
        &policy_text(&case, "alice-identity"),
    )
    .await;
    world
        .role(
            MAIN_ACCOUNT,
            "locked",
            &policy_text(&case, "trust-deny-alice"),
        )
        .await;
    world
        .role(MAIN_ACCOUNT, "open", &policy_text(&case, "trust-account"))
        .await;

    for step in case["request"].as_array().unwrap() {
        let name = step["name"].as_str().unwrap();
        let caller = match step["as"].as_str().unwrap() {
            "arn:aws:iam::111122223333:user/alice" => user_caller(&alice),
            "arn:aws:iam::111122223333:root" => root_caller(MAIN_ACCOUNT),
            other => panic!("unexpected caller {other}"),
        };

        let result = world.sts.assume_role(&caller, &assume(step, "")).await;

        let detail = format!("B16 step {name}: {:?}", result.as_ref().err());

        assert_eq!(outcome(result), expected_code(&case, name), "{detail}");
    }
}

/// B17: duration limits of role sessions, for long-term and chained callers. Step h runs in
/// `b17_session_token_duration_limit`; step i is `UpdateRole`, checked by the model's rule.
#[tokio::test]
async fn b17_role_duration_limits() {
    let case = case("B17");
    let world = World::new();
    let alice = world.user(MAIN_ACCOUNT, "alice").await;
    let allow_assume = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;
    put_user_policy(&world, MAIN_ACCOUNT, "alice", "assume", allow_assume).await;
    let trust = policy_text(&case, "trust-account");
    world
        .role_with_max(MAIN_ACCOUNT, "/", "short", &trust, 3600)
        .await;
    world
        .role_with_max(MAIN_ACCOUNT, "/", "long", &trust, 43_200)
        .await;
    // Step f expects session L to assume `long` again, so the role allows that itself.
    put_role_policy(&world, MAIN_ACCOUNT, "long", "assume", allow_assume).await;
    let (serial, totp) = world.mfa_device(MAIN_ACCOUNT, "alice").await;
    let alice_caller = user_caller(&alice);
    let long_request = AssumeRoleRequest {
        role_arn: "arn:aws:iam::111122223333:role/long".to_owned(),
        role_session_name: "session-l".to_owned(),
        ..AssumeRoleRequest::default()
    };
    let session_l = world
        .sts
        .assume_role(&alice_caller, &long_request)
        .await
        .unwrap();
    let session_l = world.session_caller(&session_l.credentials);
    let session_g = world
        .sts
        .get_session_token(
            &alice_caller,
            &GetSessionTokenRequest {
                duration_seconds: None,
                serial_number: Some(serial.to_string()),
                token_code: Some(totp.code_at(world.now())),
            },
        )
        .await
        .unwrap();
    let session_g = world.session_caller(&session_g.credentials);

    for step in case["request"].as_array().unwrap() {
        let name = step["name"].as_str().unwrap();
        if step["call"] != "AssumeRole" {
            continue;
        }
        let caller = match step["as"].as_str().unwrap() {
            "arn:aws:iam::111122223333:user/alice" => &alice_caller,
            "session L" => &session_l,
            "session G" => &session_g,
            other => panic!("unexpected caller {other}"),
        };

        let result = world.sts.assume_role(caller, &assume(step, "")).await;

        if let Ok(issued) = &result {
            let seconds = issued
                .claims
                .expires_at
                .duration_since(world.now())
                .as_secs();
            let requested = duration(step).unwrap_or(3600);
            assert_eq!(seconds, requested, "B17 step {name} expiration");
        }
        let detail = format!("B17 step {name}: {:?}", result.as_ref().err());
        assert_eq!(outcome(result), expected_code(&case, name), "{detail}");
    }
    let update = step(&case, "i");
    let max = update["params"]["MaxSessionDuration"].as_u64().unwrap();
    let rule = iam_model::validate::max_session_duration(u32::try_from(max).unwrap());
    assert_eq!(
        rule.is_err(),
        expected_code(&case, "i") == "ValidationError"
    );
}

/// B20 step d: credentials from `GetSessionToken` without MFA may still call `AssumeRole`.
#[tokio::test]
async fn b20_session_token_may_assume_role() {
    let case = case("B20");
    let world = World::new();
    let alice = world.user(MAIN_ACCOUNT, "alice").await;
    world.role(MAIN_ACCOUNT, "open", &allow_alice_trust()).await;
    let s0 = world
        .sts
        .get_session_token(&user_caller(&alice), &GetSessionTokenRequest::default())
        .await
        .unwrap();
    let s0 = world.session_caller(&s0.credentials);

    let result = world
        .sts
        .assume_role(&s0, &assume(step(&case, "d"), ""))
        .await;

    assert_eq!(outcome(result), expected_code(&case, "d"));
}

/// B21 step c: a code spent by `GetSessionToken` cannot be spent again by `AssumeRole`.
#[tokio::test]
async fn b21_spent_code_fails_assume_role() {
    let case = case("B21");
    let world = World::new();
    let alice = world.user(MAIN_ACCOUNT, "alice").await;
    world
        .role(MAIN_ACCOUNT, "r1", &policy_text(&case, "trust-alice"))
        .await;
    let (serial, totp) = world.mfa_device(MAIN_ACCOUNT, "alice").await;
    let code = totp.code_at(world.now());
    world
        .sts
        .get_session_token(
            &user_caller(&alice),
            &GetSessionTokenRequest {
                duration_seconds: None,
                serial_number: Some(serial.to_string()),
                token_code: Some(code.clone()),
            },
        )
        .await
        .unwrap();
    let request = AssumeRoleRequest {
        serial_number: Some(serial.to_string()),
        token_code: Some(code),
        ..assume(step(&case, "c"), "")
    };

    let result = world.sts.assume_role(&user_caller(&alice), &request).await;

    assert_eq!(outcome(result), expected_code(&case, "c"));
}
