"""The STS cases of the shared behaviour-case file, run with boto3 against the real server from
the policies and expectations in that file.

alice, bob and carol exist before the server starts, each with an enabled virtual MFA device
whose seed the Rust side of the test wrote beside the data directory. B21's first step runs first
so that its MFA session serves the cases that need one, and only B21 waits for a new time step."""

import datetime
import functools

import botocore.exceptions

from behaviour_cases import document_text, load_case
from common import client, expect_error, run
from sts_common import (
    access_key,
    allow,
    arn,
    current_step,
    key_client,
    mfa_seed,
    mfa_serial,
    session_client,
    set_user_policy,
    totp,
    wait_for_step_after,
)

# Sessions that several cases use, filled in as the cases run.
SESSIONS = {}


@functools.cache
def key(user_name):
    """Return the access key of a user the Rust side created, creating it on first use."""
    return access_key(user_name)


def expectations(case):
    return {item["name"]: item for item in case["expected"]}


def requests(case):
    return {item["name"]: item for item in case["request"]}


def session_name_fixed(params):
    """Return the parameters with a one-character `RoleSessionName` of `s` spelled `s1`.

    Some cases write `s` in steps that expect success, but AWS requires at least two characters
    (B16 checks exactly that with `x`), so `s` stands for a valid name there."""
    if params.get("RoleSessionName") == "s":
        return dict(params, RoleSessionName="s1")
    return params


def status_of(call, *args, **kwargs):
    """Call and return (HTTP status, error code or None)."""
    try:
        response = call(*args, **kwargs)
    except botocore.exceptions.ClientError as error:
        return error.response["ResponseMetadata"]["HTTPStatusCode"], error.response["Error"]["Code"]
    return response["ResponseMetadata"]["HTTPStatusCode"], None


def check(step, expected, call, *args, **kwargs):
    """Call and compare the status and error code with the case's expectation for `step`."""
    status, code = status_of(call, *args, **kwargs)
    assert status == expected["status"], f"step {step}: status {status} ({code}), expected {expected}"
    if "error" in expected:
        assert code == expected["error"], f"step {step}: code {code}, expected {expected}"
    return status


def put_role(role_name, trust_policy, policy=None, max_session_duration=None):
    """Create or update the role so it has `trust_policy` and the inline policy `policy`."""
    iam = client("iam", validate=False)
    try:
        iam.get_role(RoleName=role_name)
        iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=trust_policy)
    except botocore.exceptions.ClientError:
        parameters = {"RoleName": role_name, "AssumeRolePolicyDocument": trust_policy}
        if max_session_duration is not None:
            parameters["MaxSessionDuration"] = max_session_duration
        iam.create_role(**parameters)
    if policy is not None:
        iam.put_role_policy(RoleName=role_name, PolicyName="inline", PolicyDocument=policy)


def mfa_session(user_name):
    """Return a GetSessionToken session of `user_name` authenticated with a code of the current
    time step."""
    response = key_client("sts", key(user_name)).get_session_token(
        SerialNumber=mfa_serial(user_name), TokenCode=totp(mfa_seed(user_name), current_step())
    )
    return response["Credentials"]


def b21_totp_codes_are_single_use():
    case = load_case("B21")
    expected = expectations(case)
    put_role("r1", document_text(case["policies"]["trust-alice"]))
    set_user_policy("alice", None)
    sts = key_client("sts", key("alice"))
    seed = mfa_seed("alice")
    serial = mfa_serial("alice")
    step = current_step()
    code = totp(seed, step)

    response = sts.get_session_token(SerialNumber=serial, TokenCode=code)
    SESSIONS["alice-mfa"] = response["Credentials"]
    assert expected["a"]["status"] == 200
    check("b", expected["b"], sts.get_session_token, SerialNumber=serial, TokenCode=code)
    check(
        "c",
        expected["c"],
        sts.assume_role,
        RoleArn=arn("role/r1"),
        RoleSessionName="s1",
        SerialNumber=serial,
        TokenCode=code,
    )
    next_step = wait_for_step_after(step)
    check("d", expected["d"], sts.get_session_token, SerialNumber=serial, TokenCode=totp(seed, next_step))
    check("e", expected["e"], sts.get_session_token, SerialNumber=serial, TokenCode=totp(seed, next_step - 10))
    unchecked = client("sts", key("alice")[0], key("alice")[1], validate=False)
    check("f", expected["f"], unchecked.get_session_token, SerialNumber=serial, TokenCode="12345")
    # NOTE: steps g to i call EnableMFADevice, an IAM operation this server does not serve yet.


def b07_mfa_context_keys():
    case = load_case("B07")
    expected = expectations(case)
    policies = case["policies"]
    for user_name in ("alice", "bob", "carol"):
        set_user_policy(user_name, document_text(policies[f"{user_name}-identity"]))
    alice = key_client("iam", key("alice"))
    alice_s0 = key_client("sts", key("alice")).get_session_token()["Credentials"]
    bob_s0 = key_client("sts", key("bob")).get_session_token()["Credentials"]
    carol_s1 = mfa_session("carol")

    assert expected["a"]["decision"] == "ExplicitDeny"
    error = expect_error("AccessDenied", alice.list_users)
    assert "with an explicit deny in an identity-based policy" in error.response["Error"]["Message"], error
    # A GetSessionToken session without MFA cannot call IAM at all, so the explicit deny of steps
    # b and f is never reached: the call fails as InvalidClientTokenId first.
    expect_error("InvalidClientTokenId", session_client("iam", alice_s0).list_users)
    session_client("iam", SESSIONS["alice-mfa"]).list_users()
    assert expected["c"]["decision"] == "Allow"
    key_client("sts", key("alice")).get_session_token()
    assert expected["d"]["decision"] == "Allow"
    key_client("iam", key("bob")).list_users()
    assert expected["e"]["decision"] == "Allow"
    expect_error("InvalidClientTokenId", session_client("iam", bob_s0).list_users)
    error = expect_error("AccessDenied", key_client("iam", key("carol")).list_users)
    assert expected["g"]["decision"] == "ExplicitDeny"
    assert "with an explicit deny" in error.response["Error"]["Message"], error
    session_client("iam", carol_s1).list_users()
    assert expected["h"]["decision"] == "Allow"

    for user_name in ("alice", "bob", "carol"):
        set_user_policy(user_name, None)


def b14_same_account_trust():
    case = load_case("B14")
    expected = expectations(case)
    steps = requests(case)
    policies = case["policies"]
    set_user_policy("alice", None)
    set_user_policy("bob", None)
    set_user_policy("carol", document_text(policies["carol-identity"]))
    put_role("roleB", document_text(policies["trust-alice"]))
    ops_admin = allow("sts:AssumeRole", resource=arn("role/ops-admin"))
    put_role("ops-admin", document_text(policies["trust-alice"]), ops_admin)
    role = arn("role/ops-admin")

    def assume_as(step, credentials_client):
        put_role("ops-admin", document_text(policies[steps[step]["trust"]]))
        return check(step, expected[step], credentials_client.assume_role, RoleArn=role, RoleSessionName="s1")

    assume_as("a", key_client("sts", key("alice")))
    assume_as("b", key_client("sts", key("bob")))
    assume_as("c", key_client("sts", key("carol")))
    assume_as("d", key_client("sts", key("carol")))

    iam = client("iam")
    boundary = iam.create_policy(
        PolicyName="b14-boundary-readonly", PolicyDocument=document_text(policies["boundary-readonly"])
    )["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=boundary)
    assume_as("e", key_client("sts", key("alice")))
    iam.delete_user_permissions_boundary(UserName="alice")

    put_role("ops-admin", document_text(policies["trust-alice"]))
    ops_session = key_client("sts", key("alice")).assume_role(RoleArn=role, RoleSessionName="s1")["Credentials"]
    assume_as("f", session_client("sts", ops_session))
    role_b_session = key_client("sts", key("alice")).assume_role(RoleArn=arn("role/roleB"), RoleSessionName="s1")[
        "Credentials"
    ]
    assume_as("g", session_client("sts", role_b_session))
    set_user_policy("carol", None)


def b16_assume_role_refusals():
    case = load_case("B16")
    expected = expectations(case)
    policies = case["policies"]
    set_user_policy("alice", document_text(policies["alice-identity"]))
    put_role("locked", document_text(policies["trust-deny-alice"]))
    put_role("open", document_text(policies["trust-account"]))
    alice = client("sts", key("alice")[0], key("alice")[1], validate=False)

    for step in case["request"]:
        name = step["name"]
        caller = client("sts", validate=False) if step["as"].endswith(":root") else alice
        check(name, expected[name], caller.assume_role, **step["params"])
    set_user_policy("alice", None)


def b17_duration_limits():
    case = load_case("B17")
    expected = expectations(case)
    trust_account = document_text(case["policies"]["trust-account"])
    set_user_policy("alice", allow("sts:AssumeRole"))
    # The chained steps e and f need the session on `long` to be allowed sts:AssumeRole, because
    # a trust policy naming only the account also needs an identity allow.
    chaining = allow("sts:AssumeRole")
    put_role("short", trust_account, chaining, max_session_duration=3600)
    put_role("long", trust_account, chaining, max_session_duration=43200)
    alice = client("sts", key("alice")[0], key("alice")[1], validate=False)
    steps = requests(case)

    def lifetime(response):
        return response["Credentials"]["Expiration"] - datetime.datetime.now(datetime.timezone.utc)

    for name in "abcd":
        check(name, expected[name], alice.assume_role, **session_name_fixed(steps[name]["params"]))
    short = alice.assume_role(**session_name_fixed(steps["b"]["params"]))
    assert datetime.timedelta(minutes=14) < lifetime(short) <= datetime.timedelta(minutes=15)
    long = alice.assume_role(**session_name_fixed(steps["d"]["params"]))
    assert datetime.timedelta(hours=11, minutes=59) < lifetime(long) <= datetime.timedelta(hours=12)

    session_l = session_client("sts", long["Credentials"])
    check("e", expected["e"], session_l.assume_role, **session_name_fixed(steps["e"]["params"]))
    check("f", expected["f"], session_l.assume_role, **session_name_fixed(steps["f"]["params"]))
    chained = session_l.assume_role(**session_name_fixed(steps["f"]["params"]))
    assert lifetime(chained) <= datetime.timedelta(hours=1)
    session_g = session_client("sts", SESSIONS["alice-mfa"])
    check("g", expected["g"], session_g.assume_role, **session_name_fixed(steps["g"]["params"]))
    check("h", expected["h"], alice.get_session_token, **steps["h"]["params"])
    check("i", expected["i"], client("iam", validate=False).update_role, **steps["i"]["params"])
    set_user_policy("alice", None)


def b19_caller_identity_despite_deny_all():
    case = load_case("B19")
    expected = expectations(case)
    set_user_policy("bob", document_text(case["policies"]["deny-all"]))

    identity = key_client("sts", key("bob")).get_caller_identity()
    for field, value in expected["a"]["fields"].items():
        assert identity[field] == value, (field, identity)
    check("b", expected["b"], key_client("iam", key("bob")).list_users)
    set_user_policy("bob", None)


def b20_session_token_credentials():
    case = load_case("B20")
    expected = expectations(case)
    set_user_policy("alice", document_text(case["policies"]["alice-admin"]))
    put_role("open", document_text(load_case("B16")["policies"]["trust-account"]))
    s0 = key_client("sts", key("alice")).get_session_token()["Credentials"]
    s1 = SESSIONS["alice-mfa"]
    role_session = key_client("sts", key("alice")).assume_role(RoleArn=arn("role/open"), RoleSessionName="r1")[
        "Credentials"
    ]

    check("a", expected["a"], session_client("iam", s0).list_users)
    check("b", expected["b"], session_client("sts", s0).get_caller_identity)
    check("c", expected["c"], session_client("sts", s0).get_session_token)
    check("d", expected["d"], session_client("sts", s0).assume_role, **session_name_fixed(requests(case)["d"]["params"]))
    check("e", expected["e"], session_client("iam", s1).list_users)
    check("f", expected["f"], session_client("sts", role_session).get_session_token)
    set_user_policy("alice", None)


def b23_session_credentials_must_be_complete():
    expected = expectations(load_case("B23"))
    set_user_policy("alice", allow("sts:AssumeRole"))
    credentials = key_client("sts", key("alice")).assume_role(RoleArn=arn("role/open"), RoleSessionName="h1")[
        "Credentials"
    ]
    without_token = client("sts", credentials["AccessKeyId"], credentials["SecretAccessKey"])
    check("h", expected["h"], without_token.get_caller_identity)
    # NOTE: step g (ExpiredToken after the session ends) needs the 15-minute minimum session to
    # pass, so the router tests check it with a clock they move instead.
    set_user_policy("alice", None)


def b11_session_policies_intersect():
    case = load_case("B11")
    expected = expectations(case)
    policies = case["policies"]
    put_role("app-role", document_text(load_case("B21")["policies"]["trust-alice"]))
    client("iam").put_role_policy(
        RoleName="app-role", PolicyName="inline", PolicyDocument=document_text(policies["app-role-identity"])
    )
    sts = key_client("sts", key("alice"))
    role = arn("role/app-role")
    session_s = sts.assume_role(
        RoleArn=role, RoleSessionName="s1", Policy=document_text(policies["session-policy"])
    )["Credentials"]
    session_n = sts.assume_role(RoleArn=role, RoleSessionName="s2")["Credentials"]

    def decision(call, *args, **kwargs):
        status, _ = status_of(call, *args, **kwargs)
        return "Allow" if status == 200 else "ImplicitDeny"

    assert decision(session_client("iam", session_s).list_users) == expected["a"]["decision"]
    assert decision(session_client("iam", session_s).get_user, UserName="bob") == expected["b"]["decision"]
    assert decision(session_client("iam", session_s).create_user, UserName="new1") == expected["c"]["decision"]
    assert decision(session_client("iam", session_n).get_user, UserName="bob") == expected["d"]["decision"]
    # NOTE: steps e to f evaluate Amazon S3 resource policies, which this server does not serve.


def b09_assume_role_resource_is_role_arn():
    case = load_case("B09")
    expected = expectations(case)
    set_user_policy("alice", document_text(case["policies"]["alice-identity"]))
    put_role("deploy-prod", document_text(load_case("B21")["policies"]["trust-alice"]))
    sts = key_client("sts", key("alice"))

    check("f", expected["f"], sts.assume_role, **requests(case)["f"]["params"])
    # The role `open` trusts only the account, so alice also needs an identity allow, which hers
    # gives only on `role/deploy-*`.
    expect_error("AccessDenied", sts.assume_role, RoleArn=arn("role/open"), RoleSessionName="t1")
    set_user_policy("alice", None)


if __name__ == "__main__":
    run(
        [
            b21_totp_codes_are_single_use,
            b07_mfa_context_keys,
            b14_same_account_trust,
            b16_assume_role_refusals,
            b17_duration_limits,
            b19_caller_identity_despite_deny_all,
            b20_session_token_credentials,
            b23_session_credentials_must_be_complete,
            b11_session_policies_intersect,
            b09_assume_role_resource_is_role_arn,
        ]
    )
