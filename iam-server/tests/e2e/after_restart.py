"""End-to-end checks run after the server restarted on the same data directory."""

import json
import os

from common import DATA_DIR, aws_cli, client, run


def survivor_key():
    with open(os.path.join(DATA_DIR, "..", "survivor-key.json"), encoding="utf-8") as file:
        return json.load(file)


def users_survive_restart():
    user = client("iam").get_user(UserName="survivor")["User"]
    assert user["Tags"] == [{"Key": "phase", "Value": "before"}], user
    groups = aws_cli("iam", "list-groups", "--path-prefix", "/cli/")
    assert [group["GroupName"] for group in groups["Groups"]] == ["cli-group"], groups


def user_key_still_signs():
    key = survivor_key()
    identity = client("sts", key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity()
    assert identity["Arn"].endswith(":user/survivor"), identity


def root_key_still_signs():
    identity = client("sts").get_caller_identity()
    assert identity["Arn"].endswith(":root"), identity


if __name__ == "__main__":
    run([users_survive_restart, user_key_still_signs, root_key_still_signs])
