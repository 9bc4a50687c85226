"""End-to-end tests of AWS managed policies, GetAccountAuthorizationDetails and the credential
report, with boto3 and the aws CLI. The server runs with the AWS managed policy directory of the
test corpus, or the one IAM_E2E_AWS_POLICIES names."""

import csv
import io
import json
import os
import time
import urllib.parse

from common import aws_cli, client, expect_error, run

# The directory the server was started with: the test corpus beside the repository.
AWS_POLICIES = os.environ.get(
    "IAM_E2E_AWS_POLICIES",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/corpus/aws-managed-policies"),
)
ADMINISTRATOR = "arn:aws:iam::aws:policy/AdministratorAccess"
IAM_READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
VIEW_ONLY = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
S3_READ = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}
)


def corpus_document(name):
    with open(os.path.join(AWS_POLICIES, f"{name}.json"), encoding="utf-8") as file:
        return json.load(file)


def user_client(iam, user_name):
    iam.create_user(UserName=user_name)
    key = iam.create_access_key(UserName=user_name)["AccessKey"]
    return client("iam", key["AccessKeyId"], key["SecretAccessKey"]), key


def test_aws_policy_reads():
    iam = client("iam")
    policy = iam.get_policy(PolicyArn=VIEW_ONLY)["Policy"]
    assert policy["Path"] == "/job-function/", policy
    assert policy["DefaultVersionId"] == "v43", policy
    assert policy["IsAttachable"] is True
    version = iam.get_policy_version(PolicyArn=VIEW_ONLY, VersionId="v43")["PolicyVersion"]
    # boto3 decodes the URL-encoded document into a dict.
    assert version["Document"] == corpus_document("ViewOnlyAccess"), version["Document"]
    versions = iam.list_policy_versions(PolicyArn=VIEW_ONLY)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v43"], versions
    expect_error("NoSuchEntity", iam.get_policy_version, PolicyArn=VIEW_ONLY, VersionId="v1")


def test_list_policies_scopes():
    iam = client("iam")
    paginator = iam.get_paginator("list_policies")
    aws = [p["PolicyName"] for page in paginator.paginate(Scope="AWS") for p in page["Policies"]]
    assert len(aws) == 1524, len(aws)
    assert len(set(aws)) == len(aws)
    iam.create_policy(PolicyName="LocalOne", PolicyDocument=S3_READ)
    local = [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
    assert local == ["LocalOne"], local
    cli = aws_cli("iam", "list-policies", "--scope", "AWS", "--path-prefix", "/job-function/")
    assert "ViewOnlyAccess" in [p["PolicyName"] for p in cli["Policies"]], cli


def test_attached_policy_authorizes():
    iam = client("iam")
    carol, _ = user_client(iam, "carol")
    expect_error("AccessDenied", carol.list_users)
    aws_cli("iam", "attach-user-policy", "--user-name", "carol", "--policy-arn", IAM_READ_ONLY)
    carol.list_users()
    expect_error("AccessDenied", carol.create_user, UserName="nobody")
    attached = [p["PolicyName"] for p in iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]]
    assert attached == ["IAMReadOnlyAccess"], attached
    entities = iam.list_entities_for_policy(PolicyArn=IAM_READ_ONLY)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["carol"], entities
    assert iam.get_policy(PolicyArn=IAM_READ_ONLY)["Policy"]["AttachmentCount"] == 1


def test_boundary_from_aws_policy():
    iam = client("iam")
    dave, _ = user_client(iam, "dave")
    iam.attach_user_policy(UserName="dave", PolicyArn=ADMINISTRATOR)
    dave.create_group(GroupName="dave-made")
    iam.put_user_permissions_boundary(UserName="dave", PermissionsBoundary=IAM_READ_ONLY)
    expect_error("AccessDenied", dave.create_group, GroupName="dave-made-2")
    dave.list_groups()
    policy = iam.get_policy(PolicyArn=IAM_READ_ONLY)["Policy"]
    assert policy["PermissionsBoundaryUsageCount"] == 1, policy


def test_aws_policies_are_read_only():
    iam = client("iam")
    error = expect_error("AccessDenied", iam.delete_policy, PolicyArn=ADMINISTRATOR)
    assert "outside your own account" in str(error), error
    expect_error(
        "AccessDenied", iam.create_policy_version, PolicyArn=ADMINISTRATOR, PolicyDocument=S3_READ
    )
    expect_error("AccessDenied", iam.delete_policy_version, PolicyArn=ADMINISTRATOR, VersionId="v1")
    expect_error(
        "AccessDenied", iam.set_default_policy_version, PolicyArn=ADMINISTRATOR, VersionId="v1"
    )


def test_authorization_details():
    iam = client("iam")
    iam.create_group(GroupName="viewers")
    iam.attach_group_policy(GroupName="viewers", PolicyArn=VIEW_ONLY)
    iam.create_user(UserName="erin", Tags=[{"Key": "team", "Value": "red"}])
    iam.add_user_to_group(GroupName="viewers", UserName="erin")
    iam.put_user_policy(UserName="erin", PolicyName="read", PolicyDocument=S3_READ)
    iam.create_role(RoleName="web", AssumeRolePolicyDocument=TRUST)
    iam.create_instance_profile(InstanceProfileName="web-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="web-profile", RoleName="web")

    paginator = iam.get_paginator("get_account_authorization_details")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 3}))
    assert len(pages) > 2, len(pages)
    users = {u["UserName"]: u for page in pages for u in page["UserDetailList"]}
    groups = {g["GroupName"]: g for page in pages for g in page["GroupDetailList"]}
    roles = {r["RoleName"]: r for page in pages for r in page["RoleDetailList"]}
    policies = {p["PolicyName"]: p for page in pages for p in page["Policies"]}

    erin = users["erin"]
    assert erin["GroupList"] == ["viewers"], erin
    assert erin["Tags"] == [{"Key": "team", "Value": "red"}], erin
    inline = erin["UserPolicyList"][0]
    assert inline["PolicyName"] == "read"
    # The document is URL-encoded on the wire; botocore decodes it into a dict.
    document = inline["PolicyDocument"]
    if isinstance(document, str):
        document = json.loads(urllib.parse.unquote(document))
    assert document == json.loads(S3_READ), document
    assert groups["viewers"]["AttachedManagedPolicies"] == [
        {"PolicyName": "ViewOnlyAccess", "PolicyArn": VIEW_ONLY}
    ]
    web = roles["web"]
    assert [p["InstanceProfileName"] for p in web["InstanceProfileList"]] == ["web-profile"], web
    assert "RoleLastUsed" in web, web
    assert "ViewOnlyAccess" in policies, sorted(policies)
    assert "LocalOne" in policies, sorted(policies)
    assert "ReadOnlyAccess" not in policies, "unattached AWS managed policies are left out"
    view_only = policies["ViewOnlyAccess"]["PolicyVersionList"]
    assert view_only[0]["VersionId"] == "v43", view_only
    assert view_only[0]["IsDefaultVersion"] is True, view_only

    only_roles = aws_cli("iam", "get-account-authorization-details", "--filter", "Role")
    assert only_roles["UserDetailList"] == [], only_roles
    assert only_roles["Policies"] == [], only_roles
    assert "web" in [r["RoleName"] for r in only_roles["RoleDetailList"]]
    expect_error(
        "ValidationError",
        client("iam", validate=False).get_account_authorization_details,
        Filter=["Everything"],
    )


def test_credential_report():
    iam = client("iam")
    expect_error("ReportNotPresent", iam.get_credential_report)
    first = iam.generate_credential_report()
    assert first["State"] == "STARTED", first
    state = first["State"]
    for _ in range(50):
        state = iam.generate_credential_report()["State"]
        if state == "COMPLETE":
            break
        time.sleep(0.1)
    assert state == "COMPLETE", state
    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv", report
    rows = list(csv.DictReader(io.StringIO(report["Content"].decode("utf-8"))))
    by_user = {row["user"]: row for row in rows}
    root = by_user["<root_account>"]
    assert root["password_enabled"] == "not_supported", root
    assert root["access_key_1_active"] == "true", root
    carol = by_user["carol"]
    assert carol["access_key_1_active"] == "true", carol
    assert carol["access_key_1_last_used_service"] == "iam", carol
    assert carol["password_enabled"] == "false", carol
    assert carol["cert_1_active"] == "false", carol

    cli = aws_cli("iam", "get-credential-report")
    assert cli["ReportFormat"] == "text/csv", cli


if __name__ == "__main__":
    run(
        [
            test_aws_policy_reads,
            test_list_policies_scopes,
            test_attached_policy_authorizes,
            test_boundary_from_aws_policy,
            test_aws_policies_are_read_only,
            test_authorization_details,
            test_credential_report,
        ]
    )
