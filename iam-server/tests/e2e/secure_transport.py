"""End-to-end test of `aws:SecureTransport`: a policy that allows an action only over TLS.

The test runs twice on one data directory. First `tls`, against the server started with a
certificate, creates the user and checks that its call is allowed. Then `plain`, against the
same data served over plain HTTP, checks that the same call is denied."""

import json
import os
import sys

import botocore.exceptions

from common import CA_BUNDLE, DATA_DIR, ENDPOINT, REGION, client, expect_error, run

USER = "tls-only"
KEY_FILE = os.path.join(os.path.dirname(DATA_DIR), "tls-only-key.json")
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:ListUsers",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            }
        ],
    }
)


def user_client():
    with open(KEY_FILE, encoding="utf-8") as file:
        key = json.load(file)
    return client("iam", key["AccessKeyId"], key["SecretAccessKey"])


def allowed_over_tls():
    assert ENDPOINT.startswith("https://"), ENDPOINT
    assert CA_BUNDLE, "the TLS run needs the certificate as a CA bundle"
    iam = client("iam")
    iam.create_user(UserName=USER)
    iam.put_user_policy(UserName=USER, PolicyName="tls-only", PolicyDocument=POLICY)
    key = iam.create_access_key(UserName=USER)["AccessKey"]
    with open(KEY_FILE, "w", encoding="utf-8") as file:
        json.dump({"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}, file)

    listed = user_client().list_users()["Users"]

    assert USER in [user["UserName"] for user in listed], listed


def certificate_is_checked():
    import boto3

    untrusting = boto3.client(
        "iam",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="secret",
    )
    try:
        untrusting.list_users()
    except botocore.exceptions.SSLError:
        return
    raise AssertionError("a client without the test certificate reached the server")


def denied_over_plain_http():
    assert ENDPOINT.startswith("http://"), ENDPOINT

    error = expect_error("AccessDenied", user_client().list_users)

    message = error.response["Error"]["Message"]
    assert f"user/{USER} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::" in message, message
    assert ":user/ because no identity-based policy allows" in message, message


if __name__ == "__main__":
    if sys.argv[1:] == ["tls"]:
        run([allowed_over_tls, certificate_is_checked])
    else:
        run([denied_over_plain_http])
