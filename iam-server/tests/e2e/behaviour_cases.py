"""The API cases of the shared behaviour-case file that the server supports so far, run with
boto3 from the data in that file."""

import json
import os

from common import client, expect_error, run

CASES_PATH = os.environ["IAM_E2E_BEHAVIOUR_CASES"]


def load_case(case_id):
    with open(CASES_PATH, encoding="utf-8") as file:
        cases = json.load(file)["cases"]
    matches = [case for case in cases if case["id"] == case_id]
    assert len(matches) == 1, f"case {case_id} not found in {CASES_PATH}"
    return matches[0]


def document_text(policy):
    """Return a policy as the text to send: strings as they are, objects as JSON."""
    return policy if isinstance(policy, str) else json.dumps(policy)


def malformed_policies_rejected_at_write():
    case = load_case("B28")
    expected = {item["name"]: item for item in case["expected"]}
    iam = client("iam")
    iam.create_user(UserName="b28-alice")
    try:
        for request in case["request"]:
            name = request["name"]
            document = document_text(case["policies"][name])
            error = expected[name]["error"]
            status = expected[name]["status"]
            for call in (
                lambda: iam.put_user_policy(UserName="b28-alice", PolicyName="t", PolicyDocument=document),
                lambda: iam.create_policy(PolicyName=f"b28-{name}", PolicyDocument=document),
            ):
                failure = expect_error(error, call)
                actual_status = failure.response["ResponseMetadata"]["HTTPStatusCode"]
                assert actual_status == status, f"{name}: status {actual_status}"
    finally:
        iam.delete_user(UserName="b28-alice")


def list_users_path_prefix_and_pages():
    case = load_case("B26")
    users = {"ann": "/eng/", "ben": "/eng/backend/", "cid": "/engineering/", "dee": "/ops/", "eve": "/"}
    expected = {item["name"]: item for item in case["expected"]}
    iam = client("iam")
    for name, path in users.items():
        iam.create_user(UserName=f"b26{name}", Path=path)
    try:
        names = lambda page: [user["UserName"][3:] for user in page["Users"]]  # noqa: E731
        assert names(iam.list_users(PathPrefix="/eng/")) == expected["a"]["fields"]["Users"]
        assert names(iam.list_users(PathPrefix="/eng")) == expected["b"]["fields"]["Users"]
        first = iam.list_users(MaxItems=2)
        assert len(first["Users"]) == expected["c"]["fields"]["count"], first
        assert first["IsTruncated"] is True, first
        second = iam.list_users(MaxItems=2, Marker=first["Marker"])
        assert not set(names(first)) & set(names(second)), (first, second)
        expect_error(expected["e"]["error"], iam.list_users, PathPrefix="eng/")
        expect_error(expected["f"]["error"], iam.list_policies, Scope="Local", PathPrefix="/foo")
        expect_error(expected["g"]["error"], iam.create_user, UserName="zed", Path="eng")
    finally:
        for name in users:
            iam.delete_user(UserName=f"b26{name}")


def password_policy_ranges_and_defaults():
    case = load_case("B29")
    expected = {item["name"]: item for item in case["expected"]}
    requests = {item["name"]: item for item in case["request"]}
    iam = client("iam", validate=False)
    expect_error(expected["a"]["error"], iam.get_account_password_policy)
    for name in "bcde":
        expect_error(expected[name]["error"], iam.update_account_password_policy, **requests[name]["params"])

    iam.update_account_password_policy(RequireSymbols=True)
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireNumbers=True)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    for field, value in expected["f"]["fields"].items():
        if value == "absent":
            assert field not in policy, (field, policy)
        else:
            assert policy[field] == value, (field, policy)
    iam.delete_account_password_policy()
    expect_error("NoSuchEntity", iam.get_account_password_policy)


def account_alias_lifecycle():
    iam = client("iam")
    assert iam.list_account_aliases()["AccountAliases"] == []
    iam.create_account_alias(AccountAlias="e2e-alias")
    assert iam.list_account_aliases()["AccountAliases"] == ["e2e-alias"]
    expect_error("ValidationError", iam.create_account_alias, AccountAlias="Bad_Alias")
    iam.delete_account_alias(AccountAlias="e2e-alias")
    assert iam.list_account_aliases()["AccountAliases"] == []


if __name__ == "__main__":
    run(
        [
            malformed_policies_rejected_at_write,
            list_users_path_prefix_and_pages,
            password_policy_ranges_and_defaults,
            account_alias_lifecycle,
        ]
    )
