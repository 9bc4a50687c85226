use super::*;

const CALLER: CallerScope<'static> = CallerScope {
    partition: "aws",
    account: "111122223333",
    user_name: Some("alice"),
    is_root: false,
};

const ROOT: CallerScope<'static> = CallerScope {
    partition: "aws",
    account: "111122223333",
    user_name: None,
    is_root: true,
};

const ROLE_SESSION: CallerScope<'static> = CallerScope {
    partition: "aws",
    account: "111122223333",
    user_name: None,
    is_root: false,
};

fn iam_target(query: &str, caller: CallerScope<'_>) -> Result<Target, ApiError> {
    let parameters = QueryParameters::decode(Some(query), None).unwrap();
    let action = parameters.action().unwrap().to_owned();
    target(Service::Iam, &action, &parameters, caller)
}

fn arn(text: &str) -> Target {
    Target::Arn(text.to_owned())
}

fn named(kind: ResourceKind, name: &str) -> Target {
    Target::Named {
        kind,
        name: name.to_owned(),
    }
}

#[test]
fn create_user_uses_path_and_name() {
    let target = iam_target("Action=CreateUser&UserName=bob&Path=/eng/backend/", CALLER);

    assert_eq!(
        target.unwrap(),
        arn("arn:aws:iam::111122223333:user/eng/backend/bob")
    );
}

#[test]
fn create_user_defaults_to_root_path() {
    let target = iam_target("Action=CreateUser&UserName=bob", CALLER);

    assert_eq!(target.unwrap(), arn("arn:aws:iam::111122223333:user/bob"));
}

#[test]
fn get_user_names_existing_user() {
    let target = iam_target("Action=GetUser&UserName=bob", CALLER);

    assert_eq!(target.unwrap(), named(ResourceKind::User, "bob"));
}

#[test]
fn get_user_without_name_targets_caller() {
    let target = iam_target("Action=GetUser", CALLER);

    assert_eq!(target.unwrap(), named(ResourceKind::User, "alice"));
}

#[test]
fn get_user_by_root_without_name_is_any() {
    let target = iam_target("Action=GetUser", ROOT);

    assert_eq!(target.unwrap(), Target::Any);
}

#[test]
fn delete_user_requires_name() {
    let error = iam_target("Action=DeleteUser", CALLER).unwrap_err();

    assert_eq!(error.code, crate::ErrorCode::ValidationError);
}

#[test]
fn list_users_names_user_collection() {
    assert_eq!(
        iam_target("Action=ListUsers", CALLER).unwrap(),
        arn("arn:aws:iam::111122223333:user/")
    );
}

#[test]
fn list_users_adds_path_prefix() {
    assert_eq!(
        iam_target("Action=ListUsers&PathPrefix=/eng/", CALLER).unwrap(),
        arn("arn:aws:iam::111122223333:user/eng/")
    );
}

#[test]
fn list_providers_ignores_path_prefix() {
    assert_eq!(
        iam_target("Action=ListOpenIDConnectProviders&PathPrefix=/eng/", CALLER).unwrap(),
        arn("arn:aws:iam::111122223333:oidc-provider/")
    );
}

#[test]
fn account_summary_takes_no_resource() {
    assert_eq!(
        iam_target("Action=GetAccountSummary", CALLER).unwrap(),
        Target::Any
    );
}

#[test]
fn role_session_must_name_user() {
    for action in [
        "GetUser",
        "ListAccessKeys",
        "ListMFADevices",
        "GetLoginProfile",
    ] {
        let error = iam_target(&format!("Action={action}"), ROLE_SESSION).unwrap_err();

        assert_eq!(error.code, crate::ErrorCode::ValidationError, "{action}");
        assert_eq!(
            error.message, "Must specify userName when calling with non-User credentials",
            "{action}"
        );
    }
}

#[test]
fn role_session_naming_user_targets_it() {
    let target = iam_target("Action=GetUser&UserName=bob", ROLE_SESSION);

    assert_eq!(target.unwrap(), named(ResourceKind::User, "bob"));
}

#[test]
fn role_session_actions_without_user_name_are_any() {
    for query in [
        "Action=ChangePassword",
        "Action=GetAccessKeyLastUsed&AccessKeyId=AKIAIOSFODNN7EXAMPLE",
    ] {
        let target = iam_target(query, ROLE_SESSION);

        assert_eq!(target.unwrap(), Target::Any, "{query}");
    }
}

#[test]
fn policy_actions_use_policy_arn() {
    let target = iam_target(
        "Action=GetPolicy&PolicyArn=arn:aws:iam::111122223333:policy/p",
        CALLER,
    );

    assert_eq!(target.unwrap(), arn("arn:aws:iam::111122223333:policy/p"));
}

#[test]
fn attach_user_policy_targets_user() {
    let target = iam_target(
        "Action=AttachUserPolicy&UserName=bob&PolicyArn=arn:aws:iam::aws:policy/ReadOnlyAccess",
        CALLER,
    );

    assert_eq!(target.unwrap(), named(ResourceKind::User, "bob"));
}

#[test]
fn add_user_to_group_targets_group() {
    let target = iam_target("Action=AddUserToGroup&UserName=bob&GroupName=devs", CALLER);

    assert_eq!(target.unwrap(), named(ResourceKind::Group, "devs"));
}

#[test]
fn create_virtual_mfa_device_uses_mfa_arn() {
    let target = iam_target(
        "Action=CreateVirtualMFADevice&VirtualMFADeviceName=phone",
        CALLER,
    );

    assert_eq!(target.unwrap(), arn("arn:aws:iam::111122223333:mfa/phone"));
}

#[test]
fn create_oidc_provider_uses_host_and_path() {
    let target = iam_target(
        "Action=CreateOpenIDConnectProvider&Url=https://id.example.com/tenant/",
        CALLER,
    );

    assert_eq!(
        target.unwrap(),
        arn("arn:aws:iam::111122223333:oidc-provider/id.example.com/tenant")
    );
}

#[test]
fn assume_role_uses_role_arn() {
    let parameters = QueryParameters::decode(
        Some("RoleArn=arn:aws:iam::444455556666:role/r&RoleSessionName=s"),
        None,
    )
    .unwrap();

    let target = target(Service::Sts, "AssumeRole", &parameters, CALLER).unwrap();

    assert_eq!(target, arn("arn:aws:iam::444455556666:role/r"));
}

#[test]
fn get_federation_token_uses_sts_arn() {
    let parameters = QueryParameters::decode(Some("Name=carol"), None).unwrap();

    let target = target(Service::Sts, "GetFederationToken", &parameters, CALLER).unwrap();

    assert_eq!(
        target,
        arn("arn:aws:sts::111122223333:federated-user/carol")
    );
}

#[test]
fn get_caller_identity_takes_no_resource() {
    let parameters = QueryParameters::default();

    let target = target(Service::Sts, "GetCallerIdentity", &parameters, CALLER).unwrap();

    assert_eq!(target, Target::Any);
}
