"""End-to-end checks of STS after the server restarted on the same data directory: sessions and
encoded authorization messages issued before the restart stay valid."""

import json

from common import client, expect_error, run
from sts_common import ACCOUNT, arn, beside_data_dir, key_client, session_client


def saved():
    with open(beside_data_dir("sts-sessions.json"), encoding="utf-8") as file:
        return json.load(file)


def saved_sessions():
    return saved()["sessions"]


def role_session_survives_restart():
    credentials = saved_sessions()["role"]
    identity = session_client("sts", credentials).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sts-reader/survivor", identity
    users = session_client("iam", credentials).list_users()["Users"]
    assert "sts-dev" in [user["UserName"] for user in users], users
    expect_error("AccessDenied", session_client("iam", credentials).create_user, UserName="late")


def user_session_survives_restart():
    credentials = saved_sessions()["user"]
    identity = session_client("sts", credentials).get_caller_identity()
    assert identity["Arn"] == arn("user/sts-dev"), identity


def encoded_message_survives_restart():
    with open(beside_data_dir("sts-encoded-message.txt"), encoding="utf-8") as file:
        encoded = file.read()
    with open(beside_data_dir("sts-decoder-key.json"), encoding="utf-8") as file:
        decoder = json.load(file)
    decoded = key_client("sts", decoder).decode_authorization_message(EncodedMessage=encoded)
    message = json.loads(decoded["DecodedMessage"])
    assert message["context"]["action"] == "iam:DeleteRole", message


def new_sessions_still_issued():
    sts = key_client("sts", saved()["dev_key"])
    credentials = sts.assume_role(RoleArn=arn("role/sts-reader"), RoleSessionName="reborn")["Credentials"]
    identity = session_client("sts", credentials).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sts-reader/reborn", identity
    expect_error("AccessDenied", client("sts").assume_role, RoleArn=arn("role/sts-reader"), RoleSessionName="r1")


if __name__ == "__main__":
    run(
        [
            role_session_survives_restart,
            user_session_survives_restart,
            encoded_message_survives_restart,
            new_sessions_still_issued,
        ]
    )
