"""End-to-end tests of the server with boto3 and the aws CLI, run before a restart."""

import urllib.error
import urllib.request

from common import aws_cli, client, expect_error, root_credentials, run


def caller_identity_of_root():
    identity = client("sts").get_caller_identity()
    credentials = root_credentials()
    assert identity["Account"] == credentials["AccountId"], identity
    assert identity["Arn"] == f"arn:aws:iam::{credentials['AccountId']}:root", identity


def user_lifecycle():
    iam = client("iam")
    created = iam.create_user(
        UserName="life", Path="/team/", Tags=[{"Key": "owner", "Value": "a b+c"}]
    )["User"]
    assert created["Arn"].endswith(":user/team/life"), created
    assert created["Tags"] == [{"Key": "owner", "Value": "a b+c"}], created

    fetched = iam.get_user(UserName="LIFE")["User"]
    assert fetched["UserId"] == created["UserId"], fetched

    iam.tag_user(UserName="life", Tags=[{"Key": "cost", "Value": "7"}])
    tags = iam.list_user_tags(UserName="life")["Tags"]
    assert {tag["Key"] for tag in tags} == {"owner", "cost"}, tags
    iam.untag_user(UserName="life", TagKeys=["owner"])
    assert iam.list_user_tags(UserName="life")["Tags"] == [{"Key": "cost", "Value": "7"}]

    iam.update_user(UserName="life", NewUserName="life2", NewPath="/other/")
    renamed = iam.get_user(UserName="life2")["User"]
    assert renamed["Path"] == "/other/", renamed
    expect_error("NoSuchEntity", iam.get_user, UserName="life")

    iam.delete_user(UserName="life2")
    expect_error("NoSuchEntity", iam.get_user, UserName="life2")


def names_are_unique_ignoring_case():
    iam = client("iam")
    iam.create_user(UserName="Casey")
    expect_error("EntityAlreadyExists", iam.create_user, UserName="casey")
    iam.delete_user(UserName="Casey")


def invalid_names_are_validation_errors():
    iam = client("iam")
    expect_error("ValidationError", iam.create_user, UserName="has space")
    expect_error("ValidationError", iam.create_user, UserName="zed", Path="eng")
    expect_error("ValidationError", iam.list_users, PathPrefix="eng/")


def list_users_filters_and_paginates():
    iam = client("iam")
    users = {"ann": "/eng/", "ben": "/eng/backend/", "cid": "/engineering/", "dee": "/ops/", "eve": "/"}
    for name, path in users.items():
        iam.create_user(UserName=name, Path=path)
    try:
        names = lambda page: [user["UserName"] for user in page["Users"]]  # noqa: E731
        assert names(iam.list_users(PathPrefix="/eng/")) == ["ann", "ben"]
        assert names(iam.list_users(PathPrefix="/eng")) == ["ann", "ben", "cid"]

        first = iam.list_users(MaxItems=2)
        assert len(first["Users"]) == 2, first
        assert first["IsTruncated"] is True, first
        second = iam.list_users(MaxItems=2, Marker=first["Marker"])
        assert not set(names(first)) & set(names(second)), (first, second)

        paginator = iam.get_paginator("list_users")
        every = [user["UserName"] for page in paginator.paginate(PaginationConfig={"PageSize": 2}) for user in page["Users"]]
        assert set(users) <= set(every), every
    finally:
        for name in users:
            iam.delete_user(UserName=name)


def access_key_quota_and_states():
    iam = client("iam")
    iam.create_user(UserName="keyed")
    first = iam.create_access_key(UserName="keyed")["AccessKey"]
    second = iam.create_access_key(UserName="keyed")["AccessKey"]
    error = expect_error("LimitExceeded", iam.create_access_key, UserName="keyed")
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 409

    iam.update_access_key(UserName="keyed", AccessKeyId=first["AccessKeyId"], Status="Inactive")
    expect_error("LimitExceeded", iam.create_access_key, UserName="keyed")
    user_sts = client("sts", first["AccessKeyId"], first["SecretAccessKey"])
    expect_error("InvalidClientTokenId", user_sts.get_caller_identity)

    iam.update_access_key(UserName="keyed", AccessKeyId=first["AccessKeyId"], Status="Active")
    identity = user_sts.get_caller_identity()
    assert identity["Arn"].endswith(":user/keyed"), identity

    listed = iam.list_access_keys(UserName="keyed")["AccessKeyMetadata"]
    assert {key["AccessKeyId"] for key in listed} == {first["AccessKeyId"], second["AccessKeyId"]}
    last_used = iam.get_access_key_last_used(AccessKeyId=first["AccessKeyId"])
    assert last_used["UserName"] == "keyed", last_used

    iam.delete_access_key(UserName="keyed", AccessKeyId=first["AccessKeyId"])
    expect_error("InvalidClientTokenId", user_sts.get_caller_identity)
    iam.create_access_key(UserName="keyed")


def wrong_secret_does_not_match():
    iam = client("iam")
    iam.create_user(UserName="forger")
    key = iam.create_access_key(UserName="forger")["AccessKey"]
    forged = client("sts", key["AccessKeyId"], key["SecretAccessKey"][:-1] + "x")
    expect_error("SignatureDoesNotMatch", forged.get_caller_identity)
    unknown = client("sts", "AKIAAAAAAAAAAAAAAAAA", "x" * 40)
    expect_error("InvalidClientTokenId", unknown.get_caller_identity)
    iam.delete_access_key(UserName="forger", AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName="forger")


def unsigned_request_is_rejected():
    from common import ENDPOINT

    request = urllib.request.Request(
        ENDPOINT + "/?Action=ListUsers&Version=2010-05-08", method="GET"
    )
    try:
        urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:
        body = error.read().decode()
        assert error.code == 403, error.code
        assert "<Code>MissingAuthenticationToken</Code>" in body, body
        assert error.headers["x-amzn-RequestId"], error.headers
    else:
        raise AssertionError("an unsigned request succeeded")


def deletion_conflicts():
    iam = client("iam")
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    expect_error("DeleteConflict", iam.delete_user, UserName="alice")
    iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])

    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    expect_error("DeleteConflict", iam.delete_user, UserName="alice")
    expect_error("DeleteConflict", iam.delete_group, GroupName="devs")
    groups = iam.list_groups_for_user(UserName="alice")["Groups"]
    assert [group["GroupName"] for group in groups] == ["devs"], groups

    iam.remove_user_from_group(GroupName="devs", UserName="alice")
    iam.delete_group(GroupName="devs")
    iam.delete_user(UserName="alice")


def limited_user_is_denied_but_knows_itself():
    iam = client("iam")
    iam.create_user(UserName="bob")
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    bob_iam = client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    bob_sts = client("sts", key["AccessKeyId"], key["SecretAccessKey"])

    identity = bob_sts.get_caller_identity()
    assert identity["Arn"].endswith(":user/bob"), identity
    error = expect_error("AccessDenied", bob_iam.list_users)
    message = error.response["Error"]["Message"]
    assert "user/bob is not authorized to perform: iam:ListUsers" in message, message
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def account_summary_counts_users():
    summary = client("iam").get_account_summary()["SummaryMap"]
    assert summary["AccessKeysPerUserQuota"] == 2, summary
    assert "Users" in summary, summary


def aws_cli_manages_groups():
    created = aws_cli("iam", "create-group", "--group-name", "cli-group", "--path", "/cli/")
    assert created["Group"]["Arn"].endswith(":group/cli/cli-group"), created
    listed = aws_cli("iam", "list-groups", "--path-prefix", "/cli/")
    assert [group["GroupName"] for group in listed["Groups"]] == ["cli-group"], listed
    identity = aws_cli("sts", "get-caller-identity")
    assert identity["Arn"].endswith(":root"), identity


def state_for_restart():
    """Leave a user with a key behind for the after-restart script."""
    iam = client("iam")
    iam.create_user(UserName="survivor", Tags=[{"Key": "phase", "Value": "before"}])
    key = iam.create_access_key(UserName="survivor")["AccessKey"]
    from common import DATA_DIR
    import json
    import os

    with open(os.path.join(DATA_DIR, "..", "survivor-key.json"), "w", encoding="utf-8") as file:
        json.dump({"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}, file)


if __name__ == "__main__":
    run(
        [
            caller_identity_of_root,
            user_lifecycle,
            names_are_unique_ignoring_case,
            invalid_names_are_validation_errors,
            list_users_filters_and_paginates,
            access_key_quota_and_states,
            wrong_secret_does_not_match,
            unsigned_request_is_rejected,
            deletion_conflicts,
            limited_user_is_denied_but_knows_itself,
            account_summary_counts_users,
            aws_cli_manages_groups,
            state_for_restart,
        ]
    )
