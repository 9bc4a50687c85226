"""Helpers shared by the STS end-to-end scripts: users with keys, session clients, RFC 6238 codes
and the files the Rust side of the test writes beside the data directory."""

import base64
import hashlib
import hmac
import json
import os
import struct
import time

from common import DATA_DIR, client

ACCOUNT = "111122223333"
TIME_STEP_SECONDS = 30


def arn(resource):
    """Return the IAM ARN of `resource` (such as `user/alice`) in the test account."""
    return f"arn:aws:iam::{ACCOUNT}:{resource}"


def allow(*actions, resource="*"):
    """Return a policy document that allows `actions` on `resource`."""
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": resource}]}
    )


def trust(*principals, actions=("sts:AssumeRole",), condition=None):
    """Return a trust policy that lets the AWS `principals` perform `actions`."""
    statement = {"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": list(actions)}
    if condition is not None:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def beside_data_dir(name):
    """Return the path of a file next to the data directory, where the test keeps its own files."""
    return os.path.join(DATA_DIR, "..", name)


def access_key(user_name):
    """Create an access key for an existing user and return it as (id, secret)."""
    key = client("iam").create_access_key(UserName=user_name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def new_user(user_name, policy=None):
    """Create a user, give it `policy` as its inline policy, and return its access key."""
    iam = client("iam")
    iam.create_user(UserName=user_name)
    if policy is not None:
        iam.put_user_policy(UserName=user_name, PolicyName="inline", PolicyDocument=policy)
    return access_key(user_name)


def set_user_policy(user_name, policy):
    """Replace the user's inline policy `inline` with `policy`, or remove it for `None`."""
    iam = client("iam")
    if policy is None:
        names = iam.list_user_policies(UserName=user_name)["PolicyNames"]
        if "inline" in names:
            iam.delete_user_policy(UserName=user_name, PolicyName="inline")
    else:
        iam.put_user_policy(UserName=user_name, PolicyName="inline", PolicyDocument=policy)


def new_role(role_name, trust_policy, policy=None, max_session_duration=None):
    """Create a role with `trust_policy` and an optional inline policy, and return its ARN."""
    iam = client("iam")
    parameters = {"RoleName": role_name, "AssumeRolePolicyDocument": trust_policy}
    if max_session_duration is not None:
        parameters["MaxSessionDuration"] = max_session_duration
    role = iam.create_role(**parameters)["Role"]
    if policy is not None:
        iam.put_role_policy(RoleName=role_name, PolicyName="inline", PolicyDocument=policy)
    return role["Arn"]


def key_client(service, key):
    """Return a client signing with a long-term key given as (id, secret)."""
    return client(service, key[0], key[1])


def session_client(service, credentials):
    """Return a client signing with the `Credentials` member of an STS response."""
    return client(
        service,
        credentials["AccessKeyId"],
        credentials["SecretAccessKey"],
        session_token=credentials["SessionToken"],
    )


def mfa_seed(user_name):
    """Return the base32 MFA seed the Rust side enabled for `user_name`."""
    with open(beside_data_dir("mfa-seeds.json"), encoding="utf-8") as file:
        return json.load(file)[user_name]


def mfa_serial(user_name):
    """Return the serial number of the user's virtual MFA device."""
    return arn(f"mfa/{user_name}")


def current_step():
    """Return the RFC 6238 time step of now."""
    return int(time.time()) // TIME_STEP_SECONDS


def totp(seed_base32, step):
    """Return the six-digit RFC 6238 code (HMAC-SHA-1) of `seed_base32` at `step`."""
    padded = seed_base32 + "=" * (-len(seed_base32) % 8)
    key = base64.b32decode(padded)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    (number,) = struct.unpack(">I", digest[offset : offset + 4])
    return f"{(number & 0x7FFFFFFF) % 1_000_000:06d}"


def wait_for_step_after(step):
    """Sleep until the time step after `step` has begun, and return the new step."""
    while current_step() <= step:
        time.sleep(0.5)
    return current_step()


def encoded_message(error):
    """Return the encoded authorization message at the end of an AccessDenied message."""
    message = error.response["Error"]["Message"]
    marker = "Encoded authorization failure message: "
    assert marker in message, message
    return message.split(marker, 1)[1].strip()
