use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use iam_auth::SecretAccessKey;
use iam_auth::seal::KeyEncryptionKey;
use iam_auth::sigv4::{Credentials, Signer};
use iam_model::{FixedClock, Quotas, SeededRandom};
use iam_store::{IamStore, MemoryStore};
use jiff::Timestamp;
use tower::ServiceExt;

use super::*;
use crate::config::{Options, Settings};

const ROOT_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const ROOT_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const NOW: &str = "2026-01-01T00:00:00Z";

async fn state() -> Arc<AppState> {
    state_with(Options::default()).await
}

/// Builds the state from `options`, with a 4 KiB body limit and the root key in the store.
async fn state_with(options: Options) -> Arc<AppState> {
    let options = Options {
        max_body_bytes: Some(4096),
        ..options
    };
    let root = RootAccount {
        account: "111122223333".parse().unwrap(),
        create_date: NOW.parse().unwrap(),
    };
    let store: Arc<dyn IamStore> = Arc::new(MemoryStore::in_memory(Quotas::default()));
    let keyring = Arc::new(Keyring::new(
        KeyEncryptionKey::new("test", &[1_u8; 32]).unwrap(),
    ));
    let random = Arc::new(SeededRandom::new(7));
    crate::bootstrap::store_root_key(
        store.as_ref(),
        &keyring,
        random.as_ref(),
        root,
        ROOT_KEY_ID,
        &SecretAccessKey::new(ROOT_SECRET),
    )
    .await
    .unwrap();
    Arc::new(AppState::new(
        Settings::resolve(options).unwrap(),
        Arc::new(FixedClock::new(NOW.parse().unwrap())),
        random,
        store,
        keyring,
        SessionKeys::new(
            KeyEncryptionKey::new("tokens", &[2_u8; 32]).unwrap(),
            KeyEncryptionKey::new("messages", &[3_u8; 32]).unwrap(),
        ),
        root,
    ))
}

/// Builds a POST request signed by the root user for `service`.
fn signed_post(service: &str, body: &str) -> Request<Body> {
    let signer = Signer::new(
        Credentials {
            access_key_id: ROOT_KEY_ID.to_owned(),
            secret_access_key: SecretAccessKey::new(ROOT_SECRET),
            session_token: None,
        },
        "us-east-1",
        service,
    );
    let signed = signer
        .sign_form_post("127.0.0.1:9500", body, NOW.parse::<Timestamp>().unwrap())
        .unwrap();
    let mut builder = Request::post("/");
    for (name, value) in &signed.headers {
        builder = builder.header(name, value);
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

async fn send(request: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let response = router(state().await).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

fn post(body: &str) -> Request<Body> {
    Request::post("/")
        .header(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn get_query(query: &str) -> Request<Body> {
    Request::get(format!("/?{query}"))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn health_answers_ok() {
    let (status, _, body) = send(Request::get("/health").body(Body::empty()).unwrap()).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "ok\n");
}

#[tokio::test]
async fn metrics_use_prometheus_content_type() {
    let (status, headers, body) = send(Request::get("/metrics").body(Body::empty()).unwrap()).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert!(body.contains("# TYPE iam_requests_total counter"));
}

#[tokio::test]
async fn missing_action_is_rejected() {
    let (status, headers, body) = send(post("Version=2010-05-08")).await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("<Code>MissingAction</Code>"), "{body}");
    let request_id = headers[REQUEST_ID_HEADER].to_str().unwrap();
    assert!(body.contains(&format!("<RequestId>{request_id}</RequestId>")));
}

#[tokio::test]
async fn missing_version_is_rejected() {
    let (status, _, body) = send(post("Action=ListUsers")).await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("<Code>MissingParameter</Code>"), "{body}");
}

#[tokio::test]
async fn unknown_action_is_invalid_action() {
    let (status, _, body) = send(post("Action=ListUserz&Version=2010-05-08")).await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    insta::assert_snapshot!(body);
}

#[tokio::test]
async fn sts_action_under_iam_version_is_invalid_action() {
    let (status, _, body) = send(post("Action=AssumeRole&Version=2010-05-08")).await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("<Code>InvalidAction</Code>"), "{body}");
}

#[tokio::test]
async fn sts_errors_use_sts_namespace() {
    let (_, _, body) = send(post("Action=Nope&Version=2011-06-15")).await;

    assert!(
        body.contains("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"),
        "{body}"
    );
}

#[tokio::test]
async fn credential_scope_routes_to_sts() {
    let request = Request::post("/")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(
            header::AUTHORIZATION,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sts/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=00",
        )
        .body(Body::from("Action=GetCallerIdentity&Version=2010-05-08"))
        .unwrap();

    let (_, _, body) = send(request).await;

    assert!(
        body.contains("xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\""),
        "{body}"
    );
    assert!(body.contains("<Code>InvalidAction</Code>"), "{body}");
}

#[tokio::test]
async fn presigned_credential_routes_to_sts() {
    let request = get_query(
        "Action=Nope&Version=2011-06-15&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Fus-east-1%2Fsts%2Faws4_request",
    );

    let (_, _, body) = send(request).await;

    assert!(
        body.contains("xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\""),
        "{body}"
    );
}

#[tokio::test]
async fn unsigned_request_is_missing_authentication() {
    let (status, _, body) = send(get_query("Action=ListUsers&Version=2010-05-08")).await;

    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body.contains("<Code>MissingAuthenticationToken</Code>"),
        "{body}"
    );
}

#[tokio::test]
async fn known_action_not_built_is_a_client_error() {
    let request = signed_post("iam", "Action=ListSAMLProviders&Version=2010-05-08");

    let (status, _, body) = send(request).await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("<Code>InvalidAction</Code>"), "{body}");
    assert!(body.contains("not implemented"), "{body}");
}

#[tokio::test]
async fn root_gets_caller_identity() {
    let request = signed_post("sts", "Action=GetCallerIdentity&Version=2011-06-15");

    let (status, headers, body) = send(request).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    let request_id = headers[REQUEST_ID_HEADER].to_str().unwrap();
    let expected = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GetCallerIdentityResponse \
         xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>\
         <UserId>111122223333</UserId><Account>111122223333</Account>\
         <Arn>arn:aws:iam::111122223333:root</Arn></GetCallerIdentityResult>\
         <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>\
         </GetCallerIdentityResponse>"
    );
    assert_eq!(body, expected);
}

#[tokio::test]
async fn wrong_signature_is_rejected() {
    let mut request = signed_post("iam", "Action=ListUsers&Version=2010-05-08");
    *request.body_mut() = Body::from("Action=ListUsers&Version=2010-05-08&MaxItems=1");

    let (status, _, body) = send(request).await;

    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );
}

#[tokio::test]
async fn scope_for_other_service_is_rejected() {
    let iam_call = signed_post("s3", "Action=ListUsers&Version=2010-05-08");
    let sts_call = signed_post("s3", "Action=GetCallerIdentity&Version=2011-06-15");

    let (iam_status, _, iam_body) = send(iam_call).await;
    let (sts_status, _, sts_body) = send(sts_call).await;

    assert_eq!(iam_status, StatusCode::FORBIDDEN, "{iam_body}");
    assert!(
        iam_body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{iam_body}"
    );
    assert!(
        iam_body.contains("Credential should be scoped to correct service: &apos;iam&apos;."),
        "{iam_body}"
    );
    assert_eq!(sts_status, StatusCode::FORBIDDEN, "{sts_body}");
    assert!(
        sts_body.contains("Credential should be scoped to correct service: &apos;sts&apos;."),
        "{sts_body}"
    );
}

#[tokio::test]
async fn region_outside_allow_list_is_named() {
    let app = router(
        state_with(Options {
            allowed_regions: Some(vec!["eu-west-1".to_owned()]),
            ..Options::default()
        })
        .await,
    );

    let (status, body) = call_iam(&app, "Action=ListUsers&Version=2010-05-08").await;

    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );
    assert!(
        body.contains("Credential should be scoped to a valid region."),
        "{body}"
    );
}

#[tokio::test]
async fn root_without_user_name_gets_root_user() {
    let app = router(state().await);

    let (status, body) = call_iam(&app, "Action=GetUser&Version=2010-05-08").await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("<Arn>arn:aws:iam::111122223333:root</Arn>"),
        "{body}"
    );
    assert!(body.contains("<UserId>111122223333</UserId>"), "{body}");
}

#[tokio::test]
async fn account_summary_reports_root_credentials() {
    let app = router(state().await);

    let (status, body) = call_iam(&app, "Action=GetAccountSummary&Version=2010-05-08").await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("<key>AccountAccessKeysPresent</key><value>1</value>"),
        "{body}"
    );
    assert!(
        body.contains("<key>AccountMFAEnabled</key><value>0</value>"),
        "{body}"
    );
    assert!(
        body.contains("<key>AccountPasswordPresent</key><value>0</value>"),
        "{body}"
    );
    assert!(body.contains("<key>Users</key><value>0</value>"), "{body}");
}

#[tokio::test]
async fn user_lifecycle_through_router() {
    let state = state().await;
    let app = router(Arc::clone(&state));
    let call = |body: &str| {
        let app = app.clone();
        let request = signed_post("iam", body);
        async move {
            let response = app.oneshot(request).await.unwrap();
            let status = response.status();
            let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
            (status, String::from_utf8(body.to_vec()).unwrap())
        }
    };

    let (status, created) =
        call("Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Feng%2F").await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert!(
        created.contains("<Arn>arn:aws:iam::111122223333:user/eng/alice</Arn>"),
        "{created}"
    );

    let (status, duplicate) = call("Action=CreateUser&Version=2010-05-08&UserName=ALICE").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        duplicate.contains("<Code>EntityAlreadyExists</Code>"),
        "{duplicate}"
    );

    let (status, invalid) = call("Action=CreateUser&Version=2010-05-08&UserName=bad%20name").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        invalid.contains("<Code>ValidationError</Code>"),
        "{invalid}"
    );

    let (status, listed) = call("Action=ListUsers&Version=2010-05-08&PathPrefix=%2Feng%2F").await;
    assert_eq!(status, StatusCode::OK);
    assert!(listed.contains("<UserName>alice</UserName>"), "{listed}");
    assert!(
        listed.contains("<IsTruncated>false</IsTruncated>"),
        "{listed}"
    );

    let (status, deleted) = call("Action=DeleteUser&Version=2010-05-08&UserName=alice").await;
    assert_eq!(status, StatusCode::OK, "{deleted}");

    let (status, missing) = call("Action=GetUser&Version=2010-05-08&UserName=alice").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(missing.contains("<Code>NoSuchEntity</Code>"), "{missing}");
}

/// Sends `body` signed by the root user for IAM to `app` and returns the status and body.
async fn call_iam(app: &Router, body: &str) -> (StatusCode, String) {
    let response = app.clone().oneshot(signed_post("iam", body)).await.unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn control_character_error_is_well_formed() {
    let app = router(state().await);

    let (status, body) =
        call_iam(&app, "Action=CreateUser&Version=2010-05-08&UserName=a%01b").await;

    assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}");
    assert!(body.contains("<Code>ValidationError</Code>"), "{body:?}");
    assert!(!body.contains('\u{1}'), "{body:?}");
    assert!(body.contains("a\\u{1}b"), "{body:?}");
}

#[tokio::test]
async fn list_entities_for_policy_applies_entity_filter() {
    let app = router(state().await);
    let document = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A\
                    %22Allow%22%2C%22Action%22%3A%22iam%3AGetUser%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
    let policy_arn = "arn%3Aaws%3Aiam%3A%3A111122223333%3Apolicy%2Fp";
    let setup = [
        format!("Action=CreatePolicy&Version=2010-05-08&PolicyName=p&PolicyDocument={document}"),
        "Action=CreateUser&Version=2010-05-08&UserName=alice".to_owned(),
        "Action=CreateGroup&Version=2010-05-08&GroupName=admins".to_owned(),
        format!("Action=AttachUserPolicy&Version=2010-05-08&UserName=alice&PolicyArn={policy_arn}"),
        format!(
            "Action=AttachGroupPolicy&Version=2010-05-08&GroupName=admins&PolicyArn={policy_arn}"
        ),
    ];
    for body in &setup {
        let (status, response) = call_iam(&app, body).await;
        assert_eq!(status, StatusCode::OK, "{body}: {response}");
    }
    let list = |filter: &str| {
        format!("Action=ListEntitiesForPolicy&Version=2010-05-08&PolicyArn={policy_arn}{filter}")
    };

    let (all_status, all) = call_iam(&app, &list("")).await;
    let (users_status, users) = call_iam(&app, &list("&EntityFilter=User")).await;
    let (groups_status, groups) = call_iam(&app, &list("&EntityFilter=Group")).await;
    let (policies_status, policies) =
        call_iam(&app, &list("&EntityFilter=LocalManagedPolicy")).await;
    let (invalid_status, invalid) = call_iam(&app, &list("&EntityFilter=Nope")).await;

    assert_eq!(all_status, StatusCode::OK, "{all}");
    assert!(all.contains("<UserName>alice</UserName>"), "{all}");
    assert!(all.contains("<GroupName>admins</GroupName>"), "{all}");
    assert_eq!(users_status, StatusCode::OK, "{users}");
    assert!(users.contains("<UserName>alice</UserName>"), "{users}");
    assert!(!users.contains("<GroupName>"), "{users}");
    assert_eq!(groups_status, StatusCode::OK, "{groups}");
    assert!(groups.contains("<GroupName>admins</GroupName>"), "{groups}");
    assert!(!groups.contains("<UserName>"), "{groups}");
    assert_eq!(policies_status, StatusCode::OK, "{policies}");
    assert!(!policies.contains("<UserName>"), "{policies}");
    assert!(!policies.contains("<GroupName>"), "{policies}");
    assert_eq!(invalid_status, StatusCode::BAD_REQUEST, "{invalid}");
    assert!(
        invalid.contains("<Code>ValidationError</Code>"),
        "{invalid}"
    );
    assert!(invalid.contains("&apos;entityFilter&apos;"), "{invalid}");
}

#[tokio::test]
async fn list_policies_path_prefix_error_names_parameter() {
    let app = router(state().await);

    let (status, body) = call_iam(
        &app,
        "Action=ListPolicies&Version=2010-05-08&Scope=Local&PathPrefix=%2Ffoo",
    )
    .await;

    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("<Code>ValidationError</Code>"), "{body}");
    assert!(body.contains("PathPrefix `/foo`"), "{body}");
}

#[tokio::test]
async fn tags_are_limited_across_calls() {
    let app = router(state().await);
    let (status, body) = call_iam(&app, "Action=CreateUser&Version=2010-05-08&UserName=t").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fifty: String = (1..=50)
        .map(|n| format!("&Tags.member.{n}.Key=k{n}&Tags.member.{n}.Value=v"))
        .collect();

    let (first_status, first) = call_iam(
        &app,
        &format!("Action=TagUser&Version=2010-05-08&UserName=t{fifty}"),
    )
    .await;
    let (extra_status, extra) = call_iam(
        &app,
        "Action=TagUser&Version=2010-05-08&UserName=t\
         &Tags.member.1.Key=extra&Tags.member.1.Value=v",
    )
    .await;
    let (case_status, case) = call_iam(
        &app,
        "Action=TagUser&Version=2010-05-08&UserName=t\
         &Tags.member.1.Key=K1&Tags.member.1.Value=new",
    )
    .await;
    let (untag_status, untag) = call_iam(
        &app,
        "Action=UntagUser&Version=2010-05-08&UserName=t&TagKeys.member.1=K2",
    )
    .await;
    let (_, listed) = call_iam(&app, "Action=ListUserTags&Version=2010-05-08&UserName=t").await;

    assert_eq!(first_status, StatusCode::OK, "{first}");
    assert_eq!(extra_status, StatusCode::CONFLICT, "{extra}");
    assert!(extra.contains("<Code>LimitExceeded</Code>"), "{extra}");
    assert_eq!(case_status, StatusCode::OK, "{case}");
    assert_eq!(untag_status, StatusCode::OK, "{untag}");
    assert_eq!(listed.matches("<member>").count(), 49, "{listed}");
    assert!(
        listed.contains("<Key>K1</Key><Value>new</Value>"),
        "{listed}"
    );
    assert!(!listed.contains("<Key>k1</Key>"), "{listed}");
    assert!(!listed.contains("<Key>k2</Key>"), "{listed}");
    assert!(!listed.contains("<Key>extra</Key>"), "{listed}");
}

#[tokio::test]
async fn trust_policy_principal_must_exist() {
    let app = router(state().await);
    let trusting = |name: &str| {
        format!(
            "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A\
             %22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22arn%3Aaws%3Aiam%3A%3A\
             111122223333%3A{name}%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
        )
    };
    let other_account = trusting("user%2Fnobody").replace("111122223333", "444455556666");

    let (missing_status, missing) = call_iam(
        &app,
        &format!(
            "Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument={}",
            trusting("user%2Fnobody")
        ),
    )
    .await;
    let (_, _) = call_iam(&app, "Action=CreateUser&Version=2010-05-08&UserName=carol").await;
    let (present_status, present) = call_iam(
        &app,
        &format!(
            "Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument={}",
            trusting("user%2Fteam%2Fcarol")
        ),
    )
    .await;
    let (missing_role_status, missing_role) = call_iam(
        &app,
        &format!(
            "Action=UpdateAssumeRolePolicy&Version=2010-05-08&RoleName=r&PolicyDocument={}",
            trusting("role%2Fghost")
        ),
    )
    .await;
    let (foreign_status, foreign) = call_iam(
        &app,
        &format!(
            "Action=UpdateAssumeRolePolicy&Version=2010-05-08&RoleName=r&PolicyDocument={other_account}"
        ),
    )
    .await;

    assert_eq!(missing_status, StatusCode::BAD_REQUEST, "{missing}");
    assert!(
        missing.contains("<Code>MalformedPolicyDocument</Code>"),
        "{missing}"
    );
    assert!(missing.contains("Invalid principal in policy"), "{missing}");
    assert_eq!(present_status, StatusCode::OK, "{present}");
    assert_eq!(
        missing_role_status,
        StatusCode::BAD_REQUEST,
        "{missing_role}"
    );
    assert!(
        missing_role.contains("<Code>MalformedPolicyDocument</Code>"),
        "{missing_role}"
    );
    assert_eq!(foreign_status, StatusCode::OK, "{foreign}");
}

#[tokio::test]
async fn oversized_body_is_rejected() {
    let body = format!(
        "Action=CreateUser&Version=2010-05-08&Path={}",
        "a".repeat(5000)
    );

    let (status, _, body) = send(post(&body)).await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("<Code>InvalidParameterValue</Code>"),
        "{body}"
    );
}

#[tokio::test]
async fn oversized_declared_length_rejected_early() {
    // The body never sends a byte; only its declared length is over the limit.
    let never = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
    let request = Request::post("/")
        .header(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .header(header::CONTENT_LENGTH, "99999999999")
        .body(Body::from_stream(never))
        .unwrap();

    let (status, _, body) = tokio::time::timeout(Duration::from_secs(5), send(request))
        .await
        .expect("answered without waiting for the body");

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("<Code>InvalidParameterValue</Code>"),
        "{body}"
    );
}

#[tokio::test]
async fn non_form_content_type_is_rejected() {
    let request = Request::post("/")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();

    let (status, _, body) = send(request).await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Content-Type"), "{body}");
}

#[tokio::test]
async fn duplicate_parameter_is_malformed_query() {
    let (status, _, body) = send(post("Action=ListUsers&Action=GetUser&Version=2010-05-08")).await;

    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("<Code>MalformedQueryString</Code>"), "{body}");
}

#[tokio::test]
async fn requests_are_counted_in_metrics() {
    let state = state().await;
    let app = router(Arc::clone(&state));

    app.oneshot(post("Action=ListUserz&Version=2010-05-08"))
        .await
        .unwrap();

    let text = state.metrics.render();
    assert!(
        text.contains(
            "iam_requests_total{service=\"iam\",action=\"unknown\",code=\"InvalidAction\"} 1"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn panic_answers_service_failure() {
    let state = state().await;

    let response = panic_response(&state, &"boom");

    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.headers().contains_key(REQUEST_ID_HEADER));
}

#[tokio::test]
async fn request_ids_are_version_4_uuids() {
    let state = state().await;

    let request_id = state.new_request_id();

    assert_eq!(request_id.len(), 36);
    let parts: Vec<&str> = request_id.split('-').collect();
    assert_eq!(
        parts.iter().map(|part| part.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12]
    );
    assert!(parts[2].starts_with('4'));
    assert!(matches!(
        parts[3].chars().next(),
        Some('8' | '9' | 'a' | 'b')
    ));
    assert_ne!(request_id, state.new_request_id());
}

/// A log writer that keeps what it is given in memory.
#[derive(Clone, Default)]
struct CapturedLog(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn json_error_log_has_one_message_key() {
    let captured = CapturedLog::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .finish();
    let error = ApiError::new(ErrorCode::ValidationError, "invalid UserName `a b`");

    tracing::subscriber::with_default(subscriber, || log_error(&error));

    let output = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line: serde_json::Value = serde_json::from_str(output.trim()).unwrap();
    assert_eq!(output.matches("\"message\"").count(), 1, "{output}");
    assert_eq!(line["fields"]["message"], "request rejected", "{output}");
    assert_eq!(
        line["fields"]["error_message"], "invalid UserName `a b`",
        "{output}"
    );
    assert_eq!(line["fields"]["code"], "ValidationError", "{output}");
}

#[tokio::test(start_paused = true)]
async fn stalled_body_times_out() {
    let stalled = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
    let request = Request::post("/")
        .header(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(Body::from_stream(stalled))
        .unwrap();

    // The paused clock jumps to the timeout as soon as every task waits, so this takes no time.
    let (status, _, body) = send(request).await;

    // AWS's common errors give MalformedQueryString the status 404.
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body.contains("<Code>MalformedQueryString</Code>"), "{body}");
    assert!(body.contains("could not be read"), "{body}");
}
