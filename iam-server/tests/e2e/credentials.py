"""End-to-end tests of console passwords, virtual MFA devices, OpenID Connect providers and the
root user's own credentials, with boto3 and the aws CLI."""

import base64
import hashlib
import hmac
import json
import os
import struct
import tempfile
import time

from common import DATA_DIR, aws_cli, client, expect_error, root_credentials, run
from behaviour_cases import load_case

STRONG = "Correct-Horse-9"


def totp(seed_base32, step):
    """Return the RFC 6238 code (HMAC-SHA1, 6 digits) of a 30-second time step."""
    padded = seed_base32 + "=" * (-len(seed_base32) % 8)
    key = base64.b32decode(padded)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def current_step():
    """Return the current step, waiting out the last two seconds of a step so that codes
    computed here are still current when the server checks them."""
    while time.time() % 30 > 28:
        time.sleep(0.5)
    return int(time.time()) // 30


def allow_policy(action):
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}
    )


def user_client(iam, user_name):
    """Create an access key for `user_name` and return an IAM client signed with it."""
    key = iam.create_access_key(UserName=user_name)["AccessKey"]
    return client("iam", key["AccessKeyId"], key["SecretAccessKey"]), key["AccessKeyId"]


def login_profile_lifecycle():
    iam = client("iam")
    iam.create_user(UserName="login-ann")
    try:
        created = iam.create_login_profile(UserName="login-ann", Password=STRONG, PasswordResetRequired=True)
        assert created["LoginProfile"]["UserName"] == "login-ann", created
        assert created["LoginProfile"]["PasswordResetRequired"] is True, created
        fetched = iam.get_login_profile(UserName="login-ann")["LoginProfile"]
        assert "CreateDate" in fetched, fetched
        iam.update_login_profile(UserName="login-ann", PasswordResetRequired=False)
        assert iam.get_login_profile(UserName="login-ann")["LoginProfile"]["PasswordResetRequired"] is False
        expect_error("EntityAlreadyExists", iam.create_login_profile, UserName="login-ann", Password=STRONG)
        expect_error("DeleteConflict", iam.delete_user, UserName="login-ann")
        iam.delete_login_profile(UserName="login-ann")
        expect_error("NoSuchEntity", iam.get_login_profile, UserName="login-ann")
        expect_error("NoSuchEntity", iam.delete_login_profile, UserName="login-ann")
    finally:
        iam.delete_user(UserName="login-ann")


def password_policy_violation_lists_rules():
    iam = client("iam")
    iam.create_user(UserName="login-ben")
    iam.update_account_password_policy(
        MinimumPasswordLength=14, RequireNumbers=True, RequireSymbols=True, RequireUppercaseCharacters=True
    )
    try:
        error = expect_error("PasswordPolicyViolation", iam.create_login_profile, UserName="login-ben", Password="weak")
        message = error.response["Error"]["Message"]
        for rule in ("14 characters", "upper-case", "number", "symbol"):
            assert rule in message, message
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    finally:
        iam.delete_account_password_policy()
        iam.delete_user(UserName="login-ben")


def change_password_as_user():
    iam = client("iam")
    iam.create_user(UserName="login-cat")
    iam.update_account_password_policy(AllowUsersToChangePassword=True, PasswordReusePrevention=3)
    own, key_id = user_client(iam, "login-cat")
    try:
        iam.create_login_profile(UserName="login-cat", Password=STRONG, PasswordResetRequired=True)
        own.change_password(OldPassword=STRONG, NewPassword="Battery-Staple-7")
        assert iam.get_login_profile(UserName="login-cat")["LoginProfile"]["PasswordResetRequired"] is False
        expect_error("PasswordPolicyViolation", own.change_password, OldPassword="Battery-Staple-7", NewPassword=STRONG)
        expect_error("AccessDenied", own.change_password, OldPassword="wrong-Pass-1", NewPassword="Other-Pass-8")
        expect_error("InvalidUserType", iam.change_password, OldPassword=STRONG, NewPassword="Other-Pass-8")
        for _ in range(3):
            expect_error("AccessDenied", own.change_password, OldPassword="wrong-Pass-1", NewPassword="Other-Pass-8")
        error = expect_error(
            "EntityTemporarilyUnmodifiable", own.change_password, OldPassword="wrong-Pass-1", NewPassword="Other-Pass-8"
        )
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 409
        iam.update_account_password_policy(AllowUsersToChangePassword=False)
        expect_error("AccessDenied", own.change_password, OldPassword="Battery-Staple-7", NewPassword="Other-Pass-8")
    finally:
        iam.delete_account_password_policy()
        iam.delete_login_profile(UserName="login-cat")
        iam.delete_access_key(UserName="login-cat", AccessKeyId=key_id)
        iam.delete_user(UserName="login-cat")


def virtual_mfa_device_lifecycle():
    iam = client("iam")
    iam.create_user(UserName="mfa-dan")
    created = iam.create_virtual_mfa_device(
        VirtualMFADeviceName="mfa-dan-phone", Tags=[{"Key": "kind", "Value": "phone"}]
    )["VirtualMFADevice"]
    serial = created["SerialNumber"]
    seed = created["Base32StringSeed"].decode("ascii")
    assert serial.endswith(":mfa/mfa-dan-phone"), created
    assert created["QRCodePNG"].startswith(b"\x89PNG"), created["QRCodePNG"][:8]
    try:
        step = current_step()
        expect_error(
            "InvalidAuthenticationCode",
            iam.enable_mfa_device,
            UserName="mfa-dan",
            SerialNumber=serial,
            AuthenticationCode1=totp(seed, step),
            AuthenticationCode2=totp(seed, step),
        )
        iam.enable_mfa_device(
            UserName="mfa-dan",
            SerialNumber=serial,
            AuthenticationCode1=totp(seed, step - 1),
            AuthenticationCode2=totp(seed, step),
        )
        listed = iam.list_mfa_devices(UserName="mfa-dan")["MFADevices"]
        assert [device["SerialNumber"] for device in listed] == [serial], listed
        assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
        assert [device["User"]["UserName"] for device in assigned] == ["mfa-dan"], assigned
        step = current_step()
        iam.resync_mfa_device(
            UserName="mfa-dan",
            SerialNumber=serial,
            AuthenticationCode1=totp(seed, step + 3),
            AuthenticationCode2=totp(seed, step + 4),
        )
        assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [{"Key": "kind", "Value": "phone"}]
        expect_error("DeleteConflict", iam.delete_virtual_mfa_device, SerialNumber=serial)
        expect_error("DeleteConflict", iam.delete_user, UserName="mfa-dan")
        iam.deactivate_mfa_device(UserName="mfa-dan", SerialNumber=serial)
        assert iam.list_mfa_devices(UserName="mfa-dan")["MFADevices"] == []
    finally:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
        iam.delete_user(UserName="mfa-dan")
    expect_error("NoSuchEntity", iam.delete_virtual_mfa_device, SerialNumber=serial)


def virtual_mfa_device_with_cli():
    with tempfile.TemporaryDirectory() as directory:
        seed_file = os.path.join(directory, "seed.txt")
        created = aws_cli(
            "iam",
            "create-virtual-mfa-device",
            "--virtual-mfa-device-name",
            "cli-device",
            "--outfile",
            seed_file,
            "--bootstrap-method",
            "Base32StringSeed",
        )
        serial = created["VirtualMFADevice"]["SerialNumber"]
        with open(seed_file, encoding="ascii") as file:
            seed = file.read().strip()
        assert len(seed) == 32, seed
    aws_cli("iam", "create-user", "--user-name", "cli-mfa")
    step = current_step()
    aws_cli(
        "iam",
        "enable-mfa-device",
        "--user-name",
        "cli-mfa",
        "--serial-number",
        serial,
        "--authentication-code1",
        totp(seed, step - 1),
        "--authentication-code2",
        totp(seed, step),
    )
    listed = aws_cli("iam", "list-mfa-devices", "--user-name", "cli-mfa")
    assert [device["SerialNumber"] for device in listed["MFADevices"]] == [serial], listed
    aws_cli("iam", "deactivate-mfa-device", "--user-name", "cli-mfa", "--serial-number", serial)
    aws_cli("iam", "delete-virtual-mfa-device", "--serial-number", serial)
    aws_cli("iam", "delete-user", "--user-name", "cli-mfa")


def oidc_provider_lifecycle():
    iam = client("iam")
    jwks_dir = os.path.join(DATA_DIR, "oidc-jwks")
    os.makedirs(jwks_dir, exist_ok=True)
    with open(os.path.join(jwks_dir, "id.example.com.json"), "w", encoding="utf-8") as file:
        json.dump({"keys": [{"kty": "RSA", "kid": "k1", "alg": "RS256", "n": "sXch", "e": "AQAB"}]}, file)
    arn = iam.create_open_id_connect_provider(
        Url="https://id.example.com",
        ClientIDList=["app"],
        ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
        Tags=[{"Key": "team", "Value": "id"}],
    )["OpenIDConnectProviderArn"]
    try:
        assert arn.endswith(":oidc-provider/id.example.com"), arn
        expect_error("EntityAlreadyExists", iam.create_open_id_connect_provider, Url="https://id.example.com")
        iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="cli")
        iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="app")
        iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["a" * 40])
        provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        assert provider["ClientIDList"] == ["cli"], provider
        assert provider["ThumbprintList"] == ["a" * 40], provider
        listed = aws_cli("iam", "list-open-id-connect-providers")["OpenIDConnectProviderList"]
        assert {"Arn": arn} in listed, listed
        iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
        tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"]
        assert {tag["Key"] for tag in tags} == {"team", "env"}, tags
        iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["team"])
        unchecked = client("iam", validate=False)
        expect_error("InvalidInput", unchecked.get_open_id_connect_provider, OpenIDConnectProviderArn="not-an-arn")
    finally:
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    expect_error("NoSuchEntity", iam.get_open_id_connect_provider, OpenIDConnectProviderArn=arn)


def root_user_without_user_name():
    iam = client("iam")
    credentials = root_credentials()
    user = iam.get_user()["User"]
    assert user["UserId"] == credentials["AccountId"], user
    assert user["Arn"] == f"arn:aws:iam::{credentials['AccountId']}:root", user
    cli_user = aws_cli("iam", "get-user")["User"]
    assert cli_user["Arn"] == user["Arn"], cli_user
    keys = iam.list_access_keys()["AccessKeyMetadata"]
    assert [key["AccessKeyId"] for key in keys] == [credentials["AccessKeyId"]], keys
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["AccountAccessKeysPresent"] == 1, summary

    second = iam.create_access_key()["AccessKey"]
    try:
        rotated = client("iam", second["AccessKeyId"], second["SecretAccessKey"])
        assert rotated.get_user()["User"]["Arn"] == user["Arn"]
        listed = aws_cli(
            "iam",
            "list-access-keys",
            access_key_id=second["AccessKeyId"],
            secret_access_key=second["SecretAccessKey"],
        )["AccessKeyMetadata"]
        assert len(listed) == 2, listed
        expect_error("LimitExceeded", iam.create_access_key)
        rotated.update_access_key(AccessKeyId=second["AccessKeyId"], Status="Inactive")
        expect_error("InvalidClientTokenId", rotated.get_user)
    finally:
        iam.delete_access_key(AccessKeyId=second["AccessKeyId"])
    assert len(iam.list_access_keys()["AccessKeyMetadata"]) == 1


def enable_mfa_device_case():
    """B21 g to i. The STS parts (a to f) need GetSessionToken, which this server does not
    serve yet."""
    case = load_case("B21")
    expected = {item["name"]: item for item in case["expected"]}
    iam = client("iam")
    iam.create_user(UserName="b21-bob")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="b21-bob")["VirtualMFADevice"]
    serial = device["SerialNumber"]
    seed = device["Base32StringSeed"].decode("ascii")
    try:
        step = current_step()
        codes = {
            "g": (totp(seed, step), totp(seed, step)),
            "h": (totp(seed, step - 1), totp(seed, step)),
            "i": ("000000", "111111"),
        }
        for name in "gih":
            first, second = codes[name]
            call = lambda: iam.enable_mfa_device(  # noqa: E731
                UserName="b21-bob", SerialNumber=serial, AuthenticationCode1=first, AuthenticationCode2=second
            )
            if "error" in expected[name]:
                error = expect_error(expected[name]["error"], call)
                assert error.response["ResponseMetadata"]["HTTPStatusCode"] == expected[name]["status"]
            else:
                call()
    finally:
        iam.deactivate_mfa_device(UserName="b21-bob", SerialNumber=serial)
        iam.delete_virtual_mfa_device(SerialNumber=serial)
        iam.delete_user(UserName="b21-bob")


def deletion_conflicts_case():
    """B25 d and e: a login profile or an MFA device blocks DeleteUser."""
    case = load_case("B25")
    expected = {item["name"]: item for item in case["expected"]}
    iam = client("iam")
    iam.create_user(UserName="b25-alice")
    iam.create_login_profile(UserName="b25-alice", Password=STRONG)
    error = expect_error(expected["d"]["error"], iam.delete_user, UserName="b25-alice")
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == expected["d"]["status"]
    iam.delete_login_profile(UserName="b25-alice")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="b25-alice")["VirtualMFADevice"]
    seed = device["Base32StringSeed"].decode("ascii")
    step = current_step()
    iam.enable_mfa_device(
        UserName="b25-alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=totp(seed, step - 1),
        AuthenticationCode2=totp(seed, step),
    )
    error = expect_error(expected["e"]["error"], iam.delete_user, UserName="b25-alice")
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == expected["e"]["status"]
    iam.deactivate_mfa_device(UserName="b25-alice", SerialNumber=device["SerialNumber"])
    iam.delete_virtual_mfa_device(SerialNumber=device["SerialNumber"])
    iam.delete_user(UserName="b25-alice")


def login_profile_password_case():
    """B29 g to j: CreateLoginProfile checks the policy, and AWS's default rules without one."""
    case = load_case("B29")
    expected = {item["name"]: item for item in case["expected"]}
    requests = {item["name"]: item for item in case["request"]}
    iam = client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireNumbers=True)
    for user_name in ("alice", "bob"):
        iam.create_user(UserName=f"b29-{user_name}")
    try:
        for name in "ghi":
            params = dict(requests[name]["params"], UserName="b29-alice")
            if "error" in expected[name]:
                expect_error(expected[name]["error"], iam.create_login_profile, **params)
            else:
                iam.create_login_profile(**params)
        iam.delete_account_password_policy()
        params = dict(requests["j"]["params"], UserName="b29-bob")
        expect_error(expected["j"]["error"], iam.create_login_profile, **params)
    finally:
        iam.delete_login_profile(UserName="b29-alice")
        for user_name in ("alice", "bob"):
            iam.delete_user(UserName=f"b29-{user_name}")


if __name__ == "__main__":
    run(
        [
            login_profile_lifecycle,
            password_policy_violation_lists_rules,
            change_password_as_user,
            virtual_mfa_device_lifecycle,
            virtual_mfa_device_with_cli,
            oidc_provider_lifecycle,
            root_user_without_user_name,
            enable_mfa_device_case,
            deletion_conflicts_case,
            login_profile_password_case,
        ]
    )
