"""End-to-end tests of roles, managed policies and inline policies with boto3."""

import json

from common import client, expect_error, run

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
READ_USERS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}],
}


def role_lifecycle():
    iam = client("iam")
    created = iam.create_role(
        RoleName="app",
        Path="/svc/",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Description="first",
        MaxSessionDuration=7200,
        Tags=[{"Key": "env", "Value": "test"}],
    )["Role"]
    assert created["Arn"].endswith(":role/svc/app"), created
    assert created["AssumeRolePolicyDocument"] == TRUST, created
    assert created["MaxSessionDuration"] == 7200, created

    iam.update_role(RoleName="app", Description="second", MaxSessionDuration=3600)
    updated = iam.update_role_description(RoleName="app", Description="third")["Role"]
    assert updated["Description"] == "third", updated
    trust = dict(TRUST, Statement=[dict(TRUST["Statement"][0], Principal={"Service": "lambda.amazonaws.com"})])
    iam.update_assume_role_policy(RoleName="app", PolicyDocument=json.dumps(trust))
    fetched = iam.get_role(RoleName="APP")["Role"]
    assert fetched["AssumeRolePolicyDocument"] == trust, fetched
    assert fetched["MaxSessionDuration"] == 3600, fetched

    iam.tag_role(RoleName="app", Tags=[{"Key": "team", "Value": "red"}])
    iam.untag_role(RoleName="app", TagKeys=["env"])
    assert iam.list_role_tags(RoleName="app")["Tags"] == [{"Key": "team", "Value": "red"}]
    roles = iam.list_roles(PathPrefix="/svc/")["Roles"]
    assert [role["RoleName"] for role in roles] == ["app"], roles

    expect_error("ValidationError", iam.update_role, RoleName="app", MaxSessionDuration=50000)
    iam.put_role_policy(RoleName="app", PolicyName="inline", PolicyDocument=json.dumps(READ_USERS))
    expect_error("DeleteConflict", iam.delete_role, RoleName="app")
    iam.delete_role_policy(RoleName="app", PolicyName="inline")
    iam.delete_role(RoleName="app")
    expect_error("NoSuchEntity", iam.get_role, RoleName="app")


def managed_policy_versions():
    iam = client("iam")
    policy = iam.create_policy(
        PolicyName="read-users", PolicyDocument=json.dumps(READ_USERS), Description="reads"
    )["Policy"]
    arn = policy["Arn"]
    assert policy["DefaultVersionId"] == "v1", policy
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PolicyName"] == "read-users"

    second = dict(READ_USERS, Statement=[dict(READ_USERS["Statement"][0], Action="iam:ListUsers")])
    version = iam.create_policy_version(
        PolicyArn=arn, PolicyDocument=json.dumps(second), SetAsDefault=True
    )["PolicyVersion"]
    assert version["VersionId"] == "v2", version
    assert version["IsDefaultVersion"] is True, version
    fetched = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert fetched["Document"] == second, fetched
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [item["VersionId"] for item in versions] == ["v2", "v1"], versions

    expect_error("DeleteConflict", iam.delete_policy_version, PolicyArn=arn, VersionId="v2")
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(second))
    expect_error("LimitExceeded", iam.create_policy_version, PolicyArn=arn, PolicyDocument=json.dumps(second))

    local = iam.list_policies(Scope="Local")["Policies"]
    assert arn in [item["Arn"] for item in local], local
    expect_error("DeleteConflict", iam.delete_policy, PolicyArn=arn)
    for item in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
        if not item["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=arn, VersionId=item["VersionId"])
    iam.delete_policy(PolicyArn=arn)
    expect_error("NoSuchEntity", iam.get_policy, PolicyArn=arn)


def attachments_block_deletion():
    iam = client("iam")
    arn = iam.create_policy(PolicyName="attached", PolicyDocument=json.dumps(READ_USERS))["Policy"]["Arn"]
    iam.create_user(UserName="holder")
    iam.attach_user_policy(UserName="holder", PolicyArn=arn)
    attached = iam.list_attached_user_policies(UserName="holder")["AttachedPolicies"]
    assert attached == [{"PolicyName": "attached", "PolicyArn": arn}], attached
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [user["UserName"] for user in entities["PolicyUsers"]] == ["holder"], entities
    expect_error("DeleteConflict", iam.delete_user, UserName="holder")
    expect_error("DeleteConflict", iam.delete_policy, PolicyArn=arn)

    iam.detach_user_policy(UserName="holder", PolicyArn=arn)
    iam.put_user_policy(UserName="holder", PolicyName="own", PolicyDocument=json.dumps(READ_USERS))
    assert iam.list_user_policies(UserName="holder")["PolicyNames"] == ["own"]
    inline = iam.get_user_policy(UserName="holder", PolicyName="own")
    assert inline["PolicyDocument"] == READ_USERS, inline
    expect_error("DeleteConflict", iam.delete_user, UserName="holder")
    iam.delete_user_policy(UserName="holder", PolicyName="own")
    iam.delete_user(UserName="holder")
    iam.delete_policy(PolicyArn=arn)


def malformed_policies_are_rejected():
    iam = client("iam")
    iam.create_user(UserName="writer")
    trailing_comma = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*",}]}'
    expect_error(
        "MalformedPolicyDocument",
        iam.put_user_policy,
        UserName="writer",
        PolicyName="t",
        PolicyDocument=trailing_comma,
    )
    expect_error("MalformedPolicyDocument", iam.create_policy, PolicyName="t", PolicyDocument=trailing_comma)
    iam.delete_user(UserName="writer")


def group_policies():
    iam = client("iam")
    iam.create_group(GroupName="readers")
    iam.put_group_policy(GroupName="readers", PolicyName="read", PolicyDocument=json.dumps(READ_USERS))
    expect_error("DeleteConflict", iam.delete_group, GroupName="readers")
    assert iam.list_group_policies(GroupName="readers")["PolicyNames"] == ["read"]
    iam.delete_group_policy(GroupName="readers", PolicyName="read")
    iam.delete_group(GroupName="readers")


def instance_profiles_hold_roles():
    iam = client("iam")
    iam.create_role(RoleName="web", AssumeRolePolicyDocument=json.dumps(TRUST))
    profile = iam.create_instance_profile(InstanceProfileName="web-profile", Path="/web/")["InstanceProfile"]
    assert profile["Arn"].endswith(":instance-profile/web/web-profile"), profile
    assert profile["Roles"] == [], profile
    iam.add_role_to_instance_profile(InstanceProfileName="web-profile", RoleName="web")
    fetched = iam.get_instance_profile(InstanceProfileName="web-profile")["InstanceProfile"]
    assert [role["RoleName"] for role in fetched["Roles"]] == ["web"], fetched
    for_role = iam.list_instance_profiles_for_role(RoleName="web")["InstanceProfiles"]
    assert [item["InstanceProfileName"] for item in for_role] == ["web-profile"], for_role

    expect_error("DeleteConflict", iam.delete_role, RoleName="web")
    iam.remove_role_from_instance_profile(InstanceProfileName="web-profile", RoleName="web")
    iam.delete_instance_profile(InstanceProfileName="web-profile")
    iam.delete_role(RoleName="web")
    expect_error("NoSuchEntity", iam.get_instance_profile, InstanceProfileName="web-profile")


def policies_decide_user_calls():
    iam = client("iam")
    iam.create_user(UserName="carol", Path="/staff/")
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    carol = client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    expect_error("AccessDenied", carol.list_users)

    own_only = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/staff/${aws:username}"},
            {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"},
        ],
    }
    iam.put_user_policy(UserName="carol", PolicyName="own", PolicyDocument=json.dumps(own_only))
    assert carol.get_user(UserName="carol")["User"]["UserName"] == "carol"
    assert "carol" in [user["UserName"] for user in carol.list_users()["Users"]]
    expect_error("AccessDenied", carol.get_user, UserName="survivor-free-name")
    expect_error("AccessDenied", carol.create_user, UserName="intruder")

    iam.create_group(GroupName="no-listing")
    deny_list = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:List*", "Resource": "*"}]}
    iam.put_group_policy(GroupName="no-listing", PolicyName="deny", PolicyDocument=json.dumps(deny_list))
    iam.add_user_to_group(GroupName="no-listing", UserName="carol")
    error = expect_error("AccessDenied", carol.list_users)
    assert "explicit deny" in error.response["Error"]["Message"], error.response

    iam.remove_user_from_group(GroupName="no-listing", UserName="carol")
    assert carol.list_users()["Users"], "the allow returns once the group no longer applies"
    iam.delete_group_policy(GroupName="no-listing", PolicyName="deny")
    iam.delete_group(GroupName="no-listing")
    iam.delete_user_policy(UserName="carol", PolicyName="own")
    expect_error("AccessDenied", carol.list_users)
    iam.delete_access_key(UserName="carol", AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName="carol")


if __name__ == "__main__":
    run(
        [
            role_lifecycle,
            managed_policy_versions,
            attachments_block_deletion,
            malformed_policies_are_rejected,
            group_policies,
            instance_profiles_hold_roles,
            policies_decide_user_calls,
        ]
    )
