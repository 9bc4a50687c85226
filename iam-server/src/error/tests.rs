use iam_sts::StsError;

use super::*;

#[test]
fn sts_errors_map_to_aws_codes() {
    let at: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let cases = [
        (
            StsError::Validation {
                parameter: "RoleSessionName",
                message: "invalid `RoleSessionName`: too short".to_owned(),
            },
            ErrorCode::ValidationError,
        ),
        (
            StsError::AccessDenied("cannot call `sts:GetSessionToken` here".to_owned()),
            ErrorCode::AccessDenied,
        ),
        (
            StsError::InvalidClientTokenId("malformed"),
            ErrorCode::InvalidClientTokenId,
        ),
        (
            StsError::RevokedToken {
                issued_at: at,
                revoked_before: at,
            },
            ErrorCode::InvalidClientTokenId,
        ),
        (
            StsError::ExpiredToken { expired_at: at },
            ErrorCode::ExpiredToken,
        ),
        (
            StsError::PackedPolicyTooLarge { percent: 104 },
            ErrorCode::PackedPolicyTooLarge,
        ),
        (
            StsError::MalformedPolicyDocument("invalid JSON".to_owned()),
            ErrorCode::MalformedPolicyDocument,
        ),
        (
            StsError::InvalidIdentityToken("bad signature".to_owned()),
            ErrorCode::InvalidIdentityToken,
        ),
        (
            StsError::ExpiredWebIdentityToken("exp passed".to_owned()),
            ErrorCode::ExpiredTokenException,
        ),
        (
            StsError::InvalidAuthorizationMessage("malformed"),
            ErrorCode::InvalidAuthorizationMessageException,
        ),
        (
            StsError::ServiceFailure("store down".to_owned()),
            ErrorCode::ServiceFailure,
        ),
    ];

    for (error, expected) in cases {
        let sts_status = error.http_status();
        let sts_code = error.code();
        let mapped = ApiError::from(error);
        assert_eq!(mapped.code, expected);
        assert_eq!(mapped.code.status().as_u16(), sts_status, "{expected}");
        assert_eq!(mapped.code.as_str(), sts_code);
    }
}

#[test]
fn sts_refusal_messages_read_as_aws() {
    let denied = ApiError::from(StsError::AccessDenied(
        "cannot call `sts:GetSessionToken` here".to_owned(),
    ));
    let not_authorized = ApiError::from(StsError::NotAuthorized {
        caller: "arn:aws:iam::111122223333:user/alice".to_owned(),
        action: "sts:AssumeRole",
        resource: "arn:aws:iam::111122223333:role/ops".to_owned(),
    });
    let service = ApiError::from(StsError::ServiceFailure("store down".to_owned()));

    assert_eq!(denied.message, "Cannot call sts:GetSessionToken here");
    assert_eq!(
        not_authorized.message,
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: \
         sts:AssumeRole on resource: arn:aws:iam::111122223333:role/ops"
    );
    assert!(
        !service.message.contains("store down"),
        "{}",
        service.message
    );
}

#[test]
fn quota_messages_use_aws_names() {
    use iam_model::{ModelError, Quota};
    use iam_store::StoreError;

    let cases = [
        (
            Quota::Users,
            5000,
            "Cannot exceed quota for UsersPerAccount: 5000",
        ),
        (
            Quota::AttachedPoliciesPerRole,
            10,
            "Cannot exceed quota for PoliciesPerRole: 10",
        ),
        (
            Quota::RolesPerInstanceProfile,
            1,
            "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
        ),
        (
            Quota::AccessKeysPerUser,
            2,
            "Cannot exceed quota for AccessKeysPerUser: 2",
        ),
        (
            Quota::VersionsPerPolicy,
            5,
            "A managed policy can have up to 5 versions. Before you create a new version, you \
             must delete an existing version.",
        ),
    ];
    for (quota, limit, message) in cases {
        let from_store = ApiError::from(StoreError::LimitExceeded { quota, limit });
        let from_model = ApiError::from(ModelError::QuotaExceeded {
            quota,
            requested: u64::from(limit) + 1,
            limit,
        });
        assert_eq!(from_store.code, ErrorCode::LimitExceeded, "{quota}");
        assert_eq!(from_store.message, message);
        assert_eq!(from_model.message, message);
    }
}

#[test]
fn invalid_value_redacts_credentials() {
    let password = ApiError::invalid_value("Password", "hunter2", "Member must be short");
    let user_name = ApiError::invalid_value("UserName", "alice", "Member must be short");

    assert!(
        password.message.contains("Value '***' at 'password'"),
        "{}",
        password.message
    );
    assert!(
        !password.message.contains("hunter2"),
        "{}",
        password.message
    );
    assert!(
        user_name.message.contains("Value 'alice' at 'userName'"),
        "{}",
        user_name.message
    );
}
