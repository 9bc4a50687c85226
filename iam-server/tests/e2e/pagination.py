"""End-to-end tests of the lists held inside one resource (tags, access keys, MFA devices):
boto3's paginators must walk them page by page, as they walk ListUsers."""

import json

from common import client, expect_error, run
from credentials import current_step, totp

# More tags than one page of five holds, with keys whose case-insensitive order differs from
# both their insertion order and their byte order.
TAGS = [
    {"Key": f"{'K' if index % 2 else 'k'}ey-{index:02d}", "Value": str(index)}
    for index in (7, 3, 11, 0, 9, 1, 4, 10, 2, 8, 5, 6)
]
SORTED_TAGS = sorted(TAGS, key=lambda tag: tag["Key"].lower())
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
)


def pages(iam, operation, **parameters):
    """Walk a listing with boto3's paginator, five items a page, and return the raw pages."""
    paginator = iam.get_paginator(operation)
    return list(paginator.paginate(PaginationConfig={"PageSize": 5}, **parameters))


def check_tag_pages(iam, operation, **parameters):
    """Check that a tag listing comes in pages of five, sorted by key ignoring case."""
    walked = pages(iam, operation, **parameters)
    assert [len(page["Tags"]) for page in walked] == [5, 5, 2], walked
    assert [page["IsTruncated"] for page in walked] == [True, True, False], walked
    assert all("Marker" not in page for page in walked[-1:]), walked[-1]
    listed = [tag for page in walked for tag in page["Tags"]]
    assert listed == SORTED_TAGS, listed
    unpaged = getattr(iam, operation)(**parameters)
    assert unpaged["Tags"] == SORTED_TAGS, unpaged
    assert unpaged["IsTruncated"] is False, unpaged


def tag_lists_page():
    iam = client("iam")
    iam.create_user(UserName="paged-user", Tags=TAGS)
    iam.create_role(RoleName="paged-role", AssumeRolePolicyDocument=TRUST, Tags=TAGS)
    policy_arn = iam.create_policy(
        PolicyName="paged-policy",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}
        ),
        Tags=TAGS,
    )["Policy"]["Arn"]
    iam.create_instance_profile(InstanceProfileName="paged-profile", Tags=TAGS)
    provider_arn = iam.create_open_id_connect_provider(
        Url="https://paged.example.com", ClientIDList=["paged-app"], ThumbprintList=["a" * 40], Tags=TAGS
    )["OpenIDConnectProviderArn"]
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="paged-phone", Tags=TAGS)["VirtualMFADevice"][
        "SerialNumber"
    ]
    try:
        check_tag_pages(iam, "list_user_tags", UserName="paged-user")
        check_tag_pages(iam, "list_role_tags", RoleName="paged-role")
        check_tag_pages(iam, "list_policy_tags", PolicyArn=policy_arn)
        check_tag_pages(iam, "list_instance_profile_tags", InstanceProfileName="paged-profile")
        check_tag_pages(iam, "list_open_id_connect_provider_tags", OpenIDConnectProviderArn=provider_arn)
        check_tag_pages(iam, "list_mfa_device_tags", SerialNumber=serial)
    finally:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn)
        iam.delete_instance_profile(InstanceProfileName="paged-profile")
        iam.delete_policy(PolicyArn=policy_arn)
        iam.delete_role(RoleName="paged-role")
        iam.delete_user(UserName="paged-user")


def tag_marker_survives_untag():
    iam = client("iam")
    iam.create_user(UserName="paged-untag", Tags=TAGS)
    try:
        first = iam.list_user_tags(UserName="paged-untag", MaxItems=5)
        # Removing a tag already returned must neither repeat nor skip a later one.
        iam.untag_user(UserName="paged-untag", TagKeys=[SORTED_TAGS[0]["Key"]])
        second = iam.list_user_tags(UserName="paged-untag", MaxItems=5, Marker=first["Marker"])
        assert second["Tags"] == SORTED_TAGS[5:10], second
        expect_error("InvalidInput", iam.list_user_tags, UserName="paged-untag", Marker="not-a-marker")
        unchecked = client("iam", validate=False)
        expect_error("ValidationError", unchecked.list_user_tags, UserName="paged-untag", MaxItems=0)
    finally:
        iam.delete_user(UserName="paged-untag")


def access_keys_page():
    iam = client("iam")
    iam.create_user(UserName="paged-keys")
    created = [iam.create_access_key(UserName="paged-keys")["AccessKey"]["AccessKeyId"] for _ in range(2)]
    try:
        walked = list(
            iam.get_paginator("list_access_keys").paginate(UserName="paged-keys", PaginationConfig={"PageSize": 1})
        )
        assert [len(page["AccessKeyMetadata"]) for page in walked] == [1, 1], walked
        assert [page["IsTruncated"] for page in walked] == [True, False], walked
        listed = [key["AccessKeyId"] for page in walked for key in page["AccessKeyMetadata"]]
        assert listed == sorted(created), listed
        # A marker of one listing is rejected by another.
        marker = walked[0]["Marker"]
        expect_error("InvalidInput", iam.list_user_tags, UserName="paged-keys", Marker=marker)
    finally:
        for access_key_id in created:
            iam.delete_access_key(UserName="paged-keys", AccessKeyId=access_key_id)
        iam.delete_user(UserName="paged-keys")


def mfa_devices_page():
    iam = client("iam")
    iam.create_user(UserName="paged-mfa")
    serials = []
    try:
        for index in range(3):
            created = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"paged-mfa-{index}")["VirtualMFADevice"]
            serials.append(created["SerialNumber"])
            seed = created["Base32StringSeed"].decode("ascii")
            step = current_step()
            iam.enable_mfa_device(
                UserName="paged-mfa",
                SerialNumber=created["SerialNumber"],
                AuthenticationCode1=totp(seed, step - 1),
                AuthenticationCode2=totp(seed, step),
            )
        walked = list(
            iam.get_paginator("list_mfa_devices").paginate(UserName="paged-mfa", PaginationConfig={"PageSize": 2})
        )
        assert [len(page["MFADevices"]) for page in walked] == [2, 1], walked
        assert [page["IsTruncated"] for page in walked] == [True, False], walked
        listed = [device["SerialNumber"] for page in walked for device in page["MFADevices"]]
        assert listed == sorted(serials), listed
    finally:
        for serial in serials:
            iam.deactivate_mfa_device(UserName="paged-mfa", SerialNumber=serial)
            iam.delete_virtual_mfa_device(SerialNumber=serial)
        iam.delete_user(UserName="paged-mfa")


if __name__ == "__main__":
    run([tag_lists_page, tag_marker_survives_untag, access_keys_page, mfa_devices_page])
