"""Probe a running iam-server for defects found by hand, as regression checks.

Each check sends one request, or a short sequence of them, and asserts what AWS returns.
Every check fails on the server at the commit where the defect was found, and passes once
the defect is fixed.

Run against a server started on a fresh data directory:

    IAM_ENDPOINT=http://127.0.0.1:9500 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
        python3 server_probes.py

The key must be the root key from `root-credentials.json`. The checks create users, roles
and policies whose names start with `probe-`, and delete them again, also when a
check fails.
"""

import json
import os
import sys
import traceback
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree

import boto3
import botocore.config
import botocore.exceptions
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ENDPOINT = os.environ["IAM_ENDPOINT"]
ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]
SECRET_ACCESS_KEY = os.environ["AWS_SECRET_ACCESS_KEY"]
REGION = "us-east-1"
# A retry would hide the first response, so every client fails at once.
CLIENT_CONFIG = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"


def client(service, access_key_id=ACCESS_KEY_ID, secret_access_key=SECRET_ACCESS_KEY):
    """Return a boto3 client for the server under test."""
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        config=CLIENT_CONFIG,
    )


def signed_post(body, service="iam", unsigned_payload=False, sent_body=None):
    """Sign a form POST of `body` for `service`, send `sent_body` (default `body`), and
    return the HTTP status and response text."""
    headers = {"Content-Type": FORM_CONTENT_TYPE}
    if unsigned_payload:
        headers["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD"
    request = AWSRequest(method="POST", url=ENDPOINT + "/", data=body.encode(), headers=headers)
    SigV4Auth(Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY), service, REGION).add_auth(request)
    prepared = request.prepare()
    payload = (sent_body if sent_body is not None else body).encode()
    sent_headers = dict(prepared.headers)
    sent_headers["Content-Length"] = str(len(payload))
    http_request = urllib.request.Request(
        prepared.url, data=payload, headers=sent_headers, method="POST"
    )
    try:
        with urllib.request.urlopen(http_request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")


def error_code(function, *args, **kwargs):
    """Call `function` and return its AWS error code and HTTP status, or None on success."""
    try:
        function(*args, **kwargs)
    except botocore.exceptions.ClientError as error:
        response = error.response
        return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]
    return None


def policy_document(actions):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
        }
    )


def s3_scoped_signature_rejected():
    """A signature scoped to `s3` must not authenticate an IAM call."""
    status, text = signed_post("Action=ListUsers&Version=2010-05-08", service="s3")
    assert status == 403, f"expected 403, got {status}: {text[:300]}"
    assert "<Code>SignatureDoesNotMatch</Code>" in text, text[:300]


def unsigned_payload_cannot_swap_body():
    """A ListUsers signed with `UNSIGNED-PAYLOAD` under an `s3` scope must not run when its
    body is swapped for CreateUser, because that signature does not cover the body."""
    status, text = signed_post(
        "Action=ListUsers&Version=2010-05-08",
        service="s3",
        unsigned_payload=True,
        sent_body="Action=CreateUser&Version=2010-05-08&UserName=probe-swapped",
    )
    created = status == 200
    if created:
        client("iam").delete_user(UserName="probe-swapped")
    assert not created, "a swapped body ran CreateUser under a signature over ListUsers"
    assert status == 403, f"expected 403, got {status}: {text[:300]}"


def attached_policy_allows_user():
    """A user whose managed policy allows iam:ListUsers may call it."""
    iam = client("iam")
    iam.create_user(UserName="probe-reader")
    key = iam.create_access_key(UserName="probe-reader")["AccessKey"]
    policy_arn = iam.create_policy(
        PolicyName="probe-reader", PolicyDocument=policy_document(["iam:ListUsers"])
    )["Policy"]["Arn"]
    iam.attach_user_policy(UserName="probe-reader", PolicyArn=policy_arn)
    try:
        reader = client("iam", key["AccessKeyId"], key["SecretAccessKey"])
        assert error_code(reader.list_users) is None, "ListUsers allowed by policy was denied"
        assert error_code(reader.list_roles) == ("AccessDenied", 403)
    finally:
        iam.detach_user_policy(UserName="probe-reader", PolicyArn=policy_arn)
        iam.delete_policy(PolicyArn=policy_arn)
        iam.delete_access_key(UserName="probe-reader", AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName="probe-reader")


def inline_policy_allows_user():
    """A user whose inline policy allows iam:ListUsers may call it."""
    iam = client("iam")
    iam.create_user(UserName="probe-inline")
    key = iam.create_access_key(UserName="probe-inline")["AccessKey"]
    iam.put_user_policy(
        UserName="probe-inline",
        PolicyName="list",
        PolicyDocument=policy_document(["iam:ListUsers"]),
    )
    try:
        reader = client("iam", key["AccessKeyId"], key["SecretAccessKey"])
        assert error_code(reader.list_users) is None, "ListUsers allowed by policy was denied"
    finally:
        iam.delete_user_policy(UserName="probe-inline", PolicyName="list")
        iam.delete_access_key(UserName="probe-inline", AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName="probe-inline")


def root_get_user_without_name():
    """GetUser without UserName, signed by the root user, returns the root user."""
    user = client("iam").get_user()["User"]
    assert user["Arn"].endswith(":root"), user


def root_list_access_keys_without_name():
    """ListAccessKeys without UserName, signed by the root user, lists the root keys."""
    keys = client("iam").list_access_keys()["AccessKeyMetadata"]
    key_ids = [key["AccessKeyId"] for key in keys]
    assert ACCESS_KEY_ID in key_ids, key_ids


def control_character_error_is_valid_xml():
    """An error message that echoes a control character must still be well-formed XML."""
    status, text = signed_post("Action=CreateUser&Version=2010-05-08&UserName=a%01b")
    assert status == 400, f"expected 400, got {status}"
    try:
        ElementTree.fromstring(text.encode())
    except ElementTree.ParseError as error:
        raise AssertionError(f"error response is not well-formed XML: {error}") from None


def entity_filter_validated():
    """ListEntitiesForPolicy rejects an EntityFilter outside the documented enum."""
    iam = client("iam")
    policy_arn = iam.create_policy(
        PolicyName="probe-filter", PolicyDocument=policy_document(["iam:ListUsers"])
    )["Policy"]["Arn"]
    try:
        code = error_code(iam.list_entities_for_policy, PolicyArn=policy_arn, EntityFilter="Nope")
        assert code == ("ValidationError", 400), code
    finally:
        iam.delete_policy(PolicyArn=policy_arn)


def trust_policy_unknown_principal_rejected():
    """A trust policy naming a user that does not exist is rejected."""
    iam = client("iam")
    account = client("sts").get_caller_identity()["Account"]
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:user/probe-nobody"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    code = error_code(iam.create_role, RoleName="probe-trust", AssumeRolePolicyDocument=trust)
    if code is None:
        iam.delete_role(RoleName="probe-trust")
    assert code == ("MalformedPolicyDocument", 400), code


def tag_limit_across_calls():
    """A 51st tag added by a second TagUser call fails with LimitExceeded."""
    iam = client("iam")
    iam.create_user(UserName="probe-tags")
    try:
        tags = [{"Key": f"k{index}", "Value": "v"} for index in range(50)]
        iam.tag_user(UserName="probe-tags", Tags=tags)
        extra = [{"Key": "extra", "Value": "v"}]
        code = error_code(iam.tag_user, UserName="probe-tags", Tags=extra)
        assert code == ("LimitExceeded", 409), code
    finally:
        iam.delete_user(UserName="probe-tags")


CHECKS = [
    s3_scoped_signature_rejected,
    unsigned_payload_cannot_swap_body,
    attached_policy_allows_user,
    inline_policy_allows_user,
    root_get_user_without_name,
    root_list_access_keys_without_name,
    control_character_error_is_valid_xml,
    entity_filter_validated,
    trust_policy_unknown_principal_rejected,
    tag_limit_across_calls,
]


def main():
    failures = 0
    for check in CHECKS:
        try:
            check()
            print(f"ok   {check.__name__}")
        except Exception:  # noqa: BLE001 - every failure is reported and counted
            failures += 1
            print(f"FAIL {check.__name__}")
            traceback.print_exc(limit=1)
    print(f"{len(CHECKS) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
