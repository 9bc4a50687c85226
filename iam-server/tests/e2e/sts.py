"""End-to-end tests of STS with boto3 and the aws CLI: AssumeRole with and without an external
id, trust refusals, sessions signing further IAM and STS calls, role chaining, GetSessionToken,
GetFederationToken, presigned GetCallerIdentity and DecodeAuthorizationMessage. It saves a few
sessions for the checks after the restart."""

import datetime
import functools
import json
import urllib.request
import xml.etree.ElementTree

from common import aws_cli, client, expect_error, run
from sts_common import (
    ACCOUNT,
    allow,
    arn,
    beside_data_dir,
    encoded_message,
    key_client,
    new_role,
    new_user,
    session_client,
    trust,
)

STS_NAMESPACE = "{https://sts.amazonaws.com/doc/2011-06-15/}"


@functools.cache
def dev():
    """Create, once, the user `sts-dev`, who may assume roles and get federation tokens, and the
    role `sts-reader`, which trusts her and may read IAM. Return her access key."""
    policy = allow("sts:AssumeRole", "sts:GetFederationToken", "iam:ListUsers")
    key = new_user("sts-dev", policy)
    new_role("sts-reader", trust(arn("user/sts-dev")), allow("iam:Get*", "iam:List*"))
    return key


def assume_role_without_external_id():
    sts = key_client("sts", dev())
    response = sts.assume_role(RoleArn=arn("role/sts-reader"), RoleSessionName="plain")
    credentials = response["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA"), credentials
    assert len(credentials["SecretAccessKey"]) == 40, credentials
    lifetime = credentials["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(minutes=58) < lifetime <= datetime.timedelta(hours=1), lifetime
    user = response["AssumedRoleUser"]
    assert user["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sts-reader/plain", user
    assert user["AssumedRoleId"].startswith("AROA"), user
    assert user["AssumedRoleId"].endswith(":plain"), user
    assert "PackedPolicySize" not in response, response

    identity = session_client("sts", credentials).get_caller_identity()
    assert identity["Arn"] == user["Arn"], identity
    assert identity["UserId"] == user["AssumedRoleId"], identity


def assume_role_with_external_id():
    condition = {"StringEquals": {"sts:ExternalId": "partner-42"}}
    new_role("sts-partner", trust(arn("user/sts-dev"), condition=condition), allow("iam:ListRoles"))
    sts = key_client("sts", dev())
    role = arn("role/sts-partner")

    expect_error("AccessDenied", sts.assume_role, RoleArn=role, RoleSessionName="s1")
    expect_error("AccessDenied", sts.assume_role, RoleArn=role, RoleSessionName="s1", ExternalId="wrong-9")
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="s1", ExternalId="partner-42")["Credentials"]
    roles = session_client("iam", credentials).list_roles()["Roles"]
    assert "sts-partner" in [item["RoleName"] for item in roles], roles


def trust_policy_refusal():
    outsider = new_user("sts-outsider", allow("sts:AssumeRole"))
    error = expect_error(
        "AccessDenied",
        key_client("sts", outsider).assume_role,
        RoleArn=arn("role/sts-reader"),
        RoleSessionName="s1",
    )
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error.response["Error"]["Message"] == (
        f"User: {arn('user/sts-outsider')} is not authorized to perform: sts:AssumeRole "
        f"on resource: {arn('role/sts-reader')}"
    ), error


def session_calls_follow_role_policies():
    credentials = key_client("sts", dev()).assume_role(RoleArn=arn("role/sts-reader"), RoleSessionName="s2")[
        "Credentials"
    ]
    iam = session_client("iam", credentials)
    assert "sts-dev" in [user["UserName"] for user in iam.list_users()["Users"]]
    assert iam.get_role(RoleName="sts-reader")["Role"]["RoleName"] == "sts-reader"

    error = expect_error("AccessDenied", iam.create_user, UserName="sts-intruder")
    message = error.response["Error"]["Message"]
    expected = (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/sts-reader/s2 is not authorized to perform: "
        f"iam:CreateUser on resource: {arn('user/sts-intruder')} because no identity-based policy "
        "allows the iam:CreateUser action. Encoded authorization failure message: "
    )
    assert message.startswith(expected), message
    expect_error("ValidationError", iam.get_user)


def session_policy_caps_role():
    sts = key_client("sts", dev())
    credentials = sts.assume_role(
        RoleArn=arn("role/sts-reader"), RoleSessionName="capped", Policy=allow("iam:ListRoles")
    )["Credentials"]
    iam = session_client("iam", credentials)

    iam.list_roles()
    error = expect_error("AccessDenied", iam.list_users)
    assert "because no session policy allows the iam:ListUsers action" in error.response["Error"]["Message"]


def cli_assumes_role_and_uses_session():
    key = dev()
    response = aws_cli(
        "sts",
        "assume-role",
        "--role-arn",
        arn("role/sts-reader"),
        "--role-session-name",
        "cli",
        "--duration-seconds",
        "900",
        access_key_id=key[0],
        secret_access_key=key[1],
    )
    credentials = response["Credentials"]
    session = {
        "access_key_id": credentials["AccessKeyId"],
        "secret_access_key": credentials["SecretAccessKey"],
        "session_token": credentials["SessionToken"],
    }
    identity = aws_cli("sts", "get-caller-identity", **session)
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sts-reader/cli", identity
    users = aws_cli("iam", "list-users", **session)
    assert "sts-dev" in [user["UserName"] for user in users["Users"]], users


def role_chaining_is_limited():
    new_role("sts-hop", trust(arn("user/sts-dev")), allow("sts:AssumeRole"))
    new_role("sts-far", trust(arn("role/sts-hop")), allow("iam:ListUsers"), max_session_duration=43200)
    hop = key_client("sts", dev()).assume_role(RoleArn=arn("role/sts-hop"), RoleSessionName="hop")["Credentials"]
    sts = session_client("sts", hop)

    expect_error(
        "ValidationError", sts.assume_role, RoleArn=arn("role/sts-far"), RoleSessionName="far", DurationSeconds=3601
    )
    far = sts.assume_role(RoleArn=arn("role/sts-far"), RoleSessionName="far")
    lifetime = far["Credentials"]["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert lifetime <= datetime.timedelta(hours=1), lifetime
    session_client("iam", far["Credentials"]).list_users()


def session_token_limits():
    sts = key_client("sts", dev())
    credentials = sts.get_session_token(DurationSeconds=900)["Credentials"]
    session_sts = session_client("sts", credentials)

    identity = session_sts.get_caller_identity()
    assert identity["Arn"] == arn("user/sts-dev"), identity
    expect_error("InvalidClientTokenId", session_client("iam", credentials).list_users)
    expect_error("AccessDenied", session_sts.get_session_token)
    expect_error("AccessDenied", session_sts.get_federation_token, Name="again")
    expect_error("ValidationError", sts.get_session_token, DurationSeconds=129601)


def federation_token_flows():
    sts = key_client("sts", dev())
    response = sts.get_federation_token(Name="partner", Policy=allow("iam:ListUsers"), DurationSeconds=900)
    user = response["FederatedUser"]
    assert user["Arn"] == f"arn:aws:sts::{ACCOUNT}:federated-user/partner", user
    assert user["FederatedUserId"] == f"{ACCOUNT}:partner", user
    assert response["PackedPolicySize"] >= 1, response

    federated = response["Credentials"]
    identity = session_client("sts", federated).get_caller_identity()
    assert identity["Arn"] == user["Arn"], identity
    expect_error("AccessDenied", session_client("iam", federated).list_users)
    expect_error("AccessDenied", session_client("sts", federated).assume_role, RoleArn=arn("role/sts-reader"), RoleSessionName="x1")

    outsider = new_user("sts-no-federation")
    error = expect_error("AccessDenied", key_client("sts", outsider).get_federation_token, Name="partner")
    assert f"arn:aws:sts::{ACCOUNT}:federated-user/partner" in error.response["Error"]["Message"], error


def presigned_get(url):
    """GET a presigned URL and return the status and the `Arn` of the response."""
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the local server.
        document = xml.etree.ElementTree.fromstring(response.read())
        return response.status, document.find(f".//{STS_NAMESPACE}Arn").text


def presigned_caller_identity():
    key = dev()
    long_term_url = key_client("sts", key).generate_presigned_url("get_caller_identity", ExpiresIn=300, HttpMethod="GET")
    assert "X-Amz-Signature=" in long_term_url, long_term_url
    assert presigned_get(long_term_url) == (200, arn("user/sts-dev"))

    credentials = key_client("sts", key).assume_role(RoleArn=arn("role/sts-reader"), RoleSessionName="presign")[
        "Credentials"
    ]
    session_url = session_client("sts", credentials).generate_presigned_url(
        "get_caller_identity", ExpiresIn=300, HttpMethod="GET"
    )
    assert "X-Amz-Security-Token=" in session_url, session_url
    assert presigned_get(session_url) == (200, f"arn:aws:sts::{ACCOUNT}:assumed-role/sts-reader/presign")


def decode_authorization_message():
    credentials = key_client("sts", dev()).assume_role(RoleArn=arn("role/sts-reader"), RoleSessionName="denied")[
        "Credentials"
    ]
    error = expect_error("AccessDenied", session_client("iam", credentials).delete_role, RoleName="sts-reader")
    encoded = encoded_message(error)

    expect_error("AccessDenied", key_client("sts", dev()).decode_authorization_message, EncodedMessage=encoded)
    decoder = new_user("sts-decoder", allow("sts:DecodeAuthorizationMessage"))
    decoded = aws_cli(
        "sts",
        "decode-authorization-message",
        "--encoded-message",
        encoded,
        access_key_id=decoder[0],
        secret_access_key=decoder[1],
    )
    message = json.loads(decoded["DecodedMessage"])
    assert message["allowed"] is False, message
    assert message["context"]["action"] == "iam:DeleteRole", message
    assert message["context"]["resource"] == arn("role/sts-reader"), message
    assert message["context"]["principal"]["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sts-reader/denied"
    expect_error(
        "InvalidAuthorizationMessageException",
        key_client("sts", decoder).decode_authorization_message,
        EncodedMessage=encoded[:-8],
    )
    with open(beside_data_dir("sts-encoded-message.txt"), "w", encoding="utf-8") as file:
        file.write(encoded)
    with open(beside_data_dir("sts-decoder-key.json"), "w", encoding="utf-8") as file:
        json.dump(decoder, file)


def save_sessions_for_restart():
    sts = key_client("sts", dev())
    sessions = {
        "role": sts.assume_role(RoleArn=arn("role/sts-reader"), RoleSessionName="survivor")["Credentials"],
        "user": sts.get_session_token()["Credentials"],
    }
    for credentials in sessions.values():
        credentials["Expiration"] = credentials["Expiration"].isoformat()
    with open(beside_data_dir("sts-sessions.json"), "w", encoding="utf-8") as file:
        json.dump({"sessions": sessions, "dev_key": list(dev())}, file)


def root_cannot_assume_roles():
    error = expect_error("AccessDenied", client("sts").assume_role, RoleArn=arn("role/sts-reader"), RoleSessionName="r1")
    assert error.response["Error"]["Message"] == "Roles may not be assumed by root accounts", error


if __name__ == "__main__":
    run(
        [
            assume_role_without_external_id,
            assume_role_with_external_id,
            trust_policy_refusal,
            session_calls_follow_role_policies,
            session_policy_caps_role,
            cli_assumes_role_and_uses_session,
            role_chaining_is_limited,
            session_token_limits,
            federation_token_flows,
            presigned_caller_identity,
            decode_authorization_message,
            save_sessions_for_restart,
            root_cannot_assume_roles,
        ]
    )
