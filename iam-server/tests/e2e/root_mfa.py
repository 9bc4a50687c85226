"""End-to-end test of the root user's own virtual MFA device with boto3. The root user enables
it without `UserName`, with codes computed from the seed `CreateVirtualMFADevice` returned. The
test then lists it, checks the account summary and credential report, gets an MFA session token
and deactivates it.

botocore's model marks `UserName` of `EnableMFADevice` and `ResyncMFADevice` as required, so
those calls go through a client with parameter validation off."""

import csv
import io
import time

from common import client, expect_error, root_credentials, run
from sts_common import (
    TIME_STEP_SECONDS,
    allow,
    current_step,
    key_client,
    new_user,
    session_client,
    totp,
    wait_for_step_after,
)

DEVICE_NAME = "root-account-mfa-device"


def steady_step():
    """Return the current time step, first waiting for the next one when fewer than 3 seconds of
    this one remain, so the server checks the codes in the same step."""
    if time.time() % TIME_STEP_SECONDS > TIME_STEP_SECONDS - 3:
        return wait_for_step_after(current_step())
    return current_step()


def generated_report(iam):
    """Generate the credential report, wait until it is complete, and return its rows by user."""
    state = iam.generate_credential_report()["State"]
    for _ in range(50):
        if state == "COMPLETE":
            break
        time.sleep(0.1)
        state = iam.generate_credential_report()["State"]
    assert state == "COMPLETE", state
    content = iam.get_credential_report()["Content"].decode("utf-8")
    return {row["user"]: row for row in csv.DictReader(io.StringIO(content))}


def root_device_lifecycle():
    iam = client("iam")
    unchecked = client("iam", validate=False)
    sts = client("sts")
    account = root_credentials()["AccountId"]
    root_arn = f"arn:aws:iam::{account}:root"
    created = iam.create_virtual_mfa_device(VirtualMFADeviceName=DEVICE_NAME)["VirtualMFADevice"]
    serial = created["SerialNumber"]
    seed = created["Base32StringSeed"].decode("ascii")
    assert serial == f"arn:aws:iam::{account}:mfa/{DEVICE_NAME}", created
    user_key = new_user("root-mfa-erin", allow("iam:*"))
    try:
        step = steady_step()
        user_iam = client("iam", user_key[0], user_key[1], validate=False)
        expect_error(
            "ValidationError",
            user_iam.enable_mfa_device,
            SerialNumber=serial,
            AuthenticationCode1=totp(seed, step - 2),
            AuthenticationCode2=totp(seed, step - 1),
        )
        expect_error(
            "ValidationError",
            iam.enable_mfa_device,
            UserName="<root>",
            SerialNumber=serial,
            AuthenticationCode1=totp(seed, step - 2),
            AuthenticationCode2=totp(seed, step - 1),
        )
        expect_error(
            "InvalidAuthenticationCode",
            unchecked.enable_mfa_device,
            SerialNumber=serial,
            AuthenticationCode1=totp(seed, step - 1),
            AuthenticationCode2=totp(seed, step - 1),
        )
        # The codes of the two steps before now, so the current code is still unused.
        unchecked.enable_mfa_device(
            SerialNumber=serial,
            AuthenticationCode1=totp(seed, step - 2),
            AuthenticationCode2=totp(seed, step - 1),
        )

        listed = iam.list_mfa_devices()["MFADevices"]
        assert [device["SerialNumber"] for device in listed] == [serial], listed
        assert "UserName" not in listed[0], listed
        assert key_client("iam", user_key).list_mfa_devices()["MFADevices"] == []
        assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
        assert [device["SerialNumber"] for device in assigned] == [serial], assigned
        assert assigned[0]["User"]["Arn"] == root_arn, assigned
        assert assigned[0]["User"]["UserId"] == account, assigned
        assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1
        assert generated_report(iam)["<root_account>"]["mfa_active"] == "true"

        code = totp(seed, current_step())
        wrong = "000000" if code != "000000" else "000001"
        expect_error("AccessDenied", sts.get_session_token, SerialNumber=serial, TokenCode=wrong)
        credentials = sts.get_session_token(SerialNumber=serial, TokenCode=code)["Credentials"]
        error = expect_error("AccessDenied", sts.get_session_token, SerialNumber=serial, TokenCode=code)
        assert "invalid MFA one time pass code" in error.response["Error"]["Message"], error.response
        session_iam = session_client("iam", credentials)
        assert session_client("sts", credentials).get_caller_identity()["Arn"] == root_arn
        assert [device["SerialNumber"] for device in session_iam.list_mfa_devices()["MFADevices"]] == [serial]

        step = current_step()
        unchecked.resync_mfa_device(
            SerialNumber=serial,
            AuthenticationCode1=totp(seed, step + 3),
            AuthenticationCode2=totp(seed, step + 4),
        )
        expect_error(
            "AccessDenied", sts.get_session_token, SerialNumber=serial, TokenCode=totp(seed, current_step())
        )

        expect_error("DeleteConflict", iam.delete_virtual_mfa_device, SerialNumber=serial)
        iam.deactivate_mfa_device(SerialNumber=serial)
        assert iam.list_mfa_devices()["MFADevices"] == []
        assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0
    finally:
        for device in iam.list_mfa_devices()["MFADevices"]:
            iam.deactivate_mfa_device(SerialNumber=device["SerialNumber"])
        iam.delete_virtual_mfa_device(SerialNumber=serial)
        for key in iam.list_access_keys(UserName="root-mfa-erin")["AccessKeyMetadata"]:
            iam.delete_access_key(UserName="root-mfa-erin", AccessKeyId=key["AccessKeyId"])
        iam.delete_user_policy(UserName="root-mfa-erin", PolicyName="inline")
        iam.delete_user(UserName="root-mfa-erin")


if __name__ == "__main__":
    run([root_device_lifecycle])
