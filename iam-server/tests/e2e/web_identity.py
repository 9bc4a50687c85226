"""End-to-end tests of AssumeRoleWithWebIdentity with boto3 and the aws CLI, with JWTs signed by
the RSA key `oidc_key.py` generated before the server started."""

import json
import time

import boto3
import botocore
import botocore.config
import rsa

from common import ENDPOINT, REGION, aws_cli, client, expect_error, run
from oidc_key import KEY_ID, base64url
from sts_common import ACCOUNT, allow, arn, beside_data_dir, session_client

ISSUER = "https://token.e2e.example"
CLIENT_ID = "e2e-client"
PROVIDER_ARN = arn("oidc-provider/token.e2e.example")


def private_key():
    with open(beside_data_dir("oidc-key.json"), encoding="utf-8") as file:
        numbers = json.load(file)
    return rsa.PrivateKey(numbers["n"], numbers["e"], numbers["d"], numbers["p"], numbers["q"])


def token(subject="user-1234", audience=CLIENT_ID, lifetime=600, issuer=ISSUER):
    """Return a JWT signed with RS256 by the test's key."""
    now = int(time.time())
    header = {"alg": "RS256", "typ": "JWT", "kid": KEY_ID}
    claims = {"iss": issuer, "sub": subject, "aud": audience, "iat": now, "exp": now + lifetime}
    signing_input = f"{base64url(json.dumps(header).encode())}.{base64url(json.dumps(claims).encode())}"
    signature = rsa.sign(signing_input.encode("ascii"), private_key(), "SHA-256")
    return f"{signing_input}.{base64url(signature)}"


def unsigned_sts():
    """Return an STS client that sends no signature at all."""
    config = botocore.config.Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 1})
    return boto3.client("sts", endpoint_url=ENDPOINT, region_name=REGION, config=config)


def setup_role():
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER_ARN},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"token.e2e.example:aud": CLIENT_ID, "token.e2e.example:sub": "user-1234"}
                },
            }
        ],
    }
    iam = client("iam")
    iam.create_role(RoleName="web-reader", AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName="web-reader", PolicyName="inline", PolicyDocument=allow("iam:ListUsers", "iam:ListRoles"))


def assume(web_token, **extra):
    return unsigned_sts().assume_role_with_web_identity(
        RoleArn=arn("role/web-reader"), RoleSessionName="web-1", WebIdentityToken=web_token, **extra
    )


def web_identity_session_works():
    response = assume(token())
    assert response["SubjectFromWebIdentityToken"] == "user-1234", response
    assert response["Audience"] == CLIENT_ID, response
    assert response["Provider"] == "token.e2e.example", response
    user = response["AssumedRoleUser"]
    assert user["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/web-reader/web-1", user
    credentials = response["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA"), credentials

    identity = session_client("sts", credentials).get_caller_identity()
    assert identity["Arn"] == user["Arn"], identity
    iam = session_client("iam", credentials)
    iam.list_users()
    expect_error("AccessDenied", iam.create_user, UserName="web-intruder")


def session_policy_caps_web_identity_session():
    response = assume(token(), Policy=allow("iam:ListRoles"))
    assert response["PackedPolicySize"] >= 1, response
    iam = session_client("iam", response["Credentials"])
    iam.list_roles()
    expect_error("AccessDenied", iam.list_users)


def bad_tokens_are_rejected():
    expect_error("ExpiredTokenException", assume, token(lifetime=-3600))
    expect_error("InvalidIdentityToken", assume, token(audience="other-client"))
    expect_error("InvalidIdentityToken", assume, token(issuer="https://unknown.e2e.example"))
    header, payload, signature = token().split(".")
    forged_payload = base64url(json.dumps({"iss": ISSUER, "sub": "admin", "aud": CLIENT_ID, "exp": 2**40}).encode())
    expect_error("InvalidIdentityToken", assume, f"{header}.{forged_payload}.{signature}")
    error = expect_error("AccessDenied", assume, token(subject="user-9999"))
    assert error.response["Error"]["Message"] == "Not authorized to perform sts:AssumeRoleWithWebIdentity", error


def cli_assumes_role_with_web_identity():
    response = aws_cli(
        "sts",
        "assume-role-with-web-identity",
        "--role-arn",
        arn("role/web-reader"),
        "--role-session-name",
        "web-cli",
        "--web-identity-token",
        token(),
    )
    assert response["AssumedRoleUser"]["Arn"].endswith("assumed-role/web-reader/web-cli"), response


if __name__ == "__main__":
    setup_role()
    run(
        [
            web_identity_session_works,
            session_policy_caps_web_identity_session,
            bad_tokens_are_rejected,
            cli_assumes_role_with_web_identity,
        ]
    )
