//! Encoders of the STS results, each named after its botocore shape.

use iam_sts::{IssuedSession, SessionCredentials, WebIdentitySession};

use crate::xml::Fields;

/// Builds `Credentials`: the access key id, secret, session token and expiry.
pub fn credentials(credentials: &SessionCredentials) -> Fields {
    Fields::new()
        .text("AccessKeyId", credentials.access_key_id.as_str())
        .text("SecretAccessKey", credentials.secret_access_key.expose())
        .text("SessionToken", credentials.session_token.expose())
        .timestamp("Expiration", credentials.expiration)
}

/// Builds `AssumedRoleUser`: the session's `AROA…:SESSION` id and `assumed-role` ARN.
pub fn assumed_role_user(session: &IssuedSession) -> Fields {
    Fields::new()
        .text("AssumedRoleId", session.principal_id())
        .text("Arn", session.claims.principal_arn.to_string())
}

/// Builds `FederatedUser`: the `ACCOUNT:NAME` id and `federated-user` ARN.
pub fn federated_user(session: &IssuedSession) -> Fields {
    Fields::new()
        .text("FederatedUserId", session.principal_id())
        .text("Arn", session.claims.principal_arn.to_string())
}

/// Builds the result of `AssumeRole`. `PackedPolicySize` is present when the request passed
/// session policies or tags.
pub fn assume_role_result(session: &IssuedSession, passed_policies_or_tags: bool) -> Fields {
    Fields::new()
        .structure("Credentials", credentials(&session.credentials))
        .structure("AssumedRoleUser", assumed_role_user(session))
        .optional_text(
            "PackedPolicySize",
            packed_size(session, passed_policies_or_tags),
        )
        .optional_text("SourceIdentity", session.claims.source_identity.as_deref())
}

/// Builds the result of `AssumeRoleWithWebIdentity`. `PackedPolicySize` is present when the
/// request passed session policies.
pub fn assume_role_with_web_identity_result(
    result: &WebIdentitySession,
    passed_policies: bool,
) -> Fields {
    let session = &result.session;
    Fields::new()
        .structure("Credentials", credentials(&session.credentials))
        .text("SubjectFromWebIdentityToken", result.subject.as_str())
        .structure("AssumedRoleUser", assumed_role_user(session))
        .optional_text("PackedPolicySize", packed_size(session, passed_policies))
        .text("Provider", result.provider.as_str())
        .text("Audience", result.audience.as_str())
        .optional_text("SourceIdentity", session.claims.source_identity.as_deref())
}

/// Builds the result of `GetFederationToken`. `PackedPolicySize` is present when the request
/// passed session policies or tags.
pub fn get_federation_token_result(
    session: &IssuedSession,
    passed_policies_or_tags: bool,
) -> Fields {
    Fields::new()
        .structure("Credentials", credentials(&session.credentials))
        .structure("FederatedUser", federated_user(session))
        .optional_text(
            "PackedPolicySize",
            packed_size(session, passed_policies_or_tags),
        )
}

/// Builds the result of `GetSessionToken`.
pub fn get_session_token_result(session: &IssuedSession) -> Fields {
    Fields::new().structure("Credentials", credentials(&session.credentials))
}

/// Builds the result of `DecodeAuthorizationMessage`.
pub fn decode_authorization_message_result(decoded_message: &str) -> Fields {
    Fields::new().text("DecodedMessage", decoded_message)
}

fn packed_size(session: &IssuedSession, passed: bool) -> Option<String> {
    session
        .packed_policy_size
        .filter(|_| passed)
        .map(|percent| percent.to_string())
}

#[cfg(test)]
mod tests;
