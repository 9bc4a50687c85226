"""Helpers shared by the end-to-end scripts: clients for the local server and a tiny runner."""

import json
import os
import subprocess
import sys
import traceback

import boto3
import botocore.config
import botocore.exceptions

ENDPOINT = os.environ["IAM_E2E_ENDPOINT"]
DATA_DIR = os.environ["IAM_E2E_DATA_DIR"]
REGION = "us-east-1"
# The certificate of a server started with TLS, which clients trust as their only CA.
CA_BUNDLE = os.environ.get("IAM_E2E_CA_BUNDLE")
# Retries would hide the first error a test expects, so every client fails at once.
CLIENT_CONFIG = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})


def root_credentials():
    """Read the root user's key from the file the server wrote at first start."""
    with open(os.path.join(DATA_DIR, "root-credentials.json"), encoding="utf-8") as file:
        return json.load(file)


def client(service, access_key_id=None, secret_access_key=None, validate=True, session_token=None):
    """Return a boto3 client for the local server, signed by the root user by default. With
    `validate=False` botocore sends out-of-range values instead of rejecting them itself."""
    if access_key_id is None:
        credentials = root_credentials()
        access_key_id = credentials["AccessKeyId"]
        secret_access_key = credentials["SecretAccessKey"]
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        aws_session_token=session_token,
        config=CLIENT_CONFIG.merge(botocore.config.Config(parameter_validation=validate)),
        verify=CA_BUNDLE,
    )


def expect_error(code, function, *args, **kwargs):
    """Call `function` and check that it fails with the AWS error `code`; return the error."""
    try:
        function(*args, **kwargs)
    except botocore.exceptions.ClientError as error:
        actual = error.response["Error"]["Code"]
        assert actual == code, f"expected {code}, got {actual}: {error}"
        return error
    raise AssertionError(f"expected {code}, but the call succeeded")


def aws_cli(*arguments, access_key_id=None, secret_access_key=None, session_token=None):
    """Run the aws CLI against the local server and return its parsed JSON output."""
    credentials = root_credentials()
    environment = dict(os.environ)
    environment.pop("AWS_SESSION_TOKEN", None)
    environment.update(
        {
            "AWS_ACCESS_KEY_ID": access_key_id or credentials["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": secret_access_key or credentials["SecretAccessKey"],
            "AWS_DEFAULT_REGION": REGION,
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
    )
    if session_token is not None:
        environment["AWS_SESSION_TOKEN"] = session_token
    completed = subprocess.run(
        ["aws", "--endpoint-url", ENDPOINT, "--output", "json", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if completed.returncode != 0:
        raise AssertionError(f"aws {' '.join(arguments)} failed: {completed.stderr}")
    return json.loads(completed.stdout) if completed.stdout.strip() else None


def run(tests):
    """Run each test function, print a line per test and a closing count, and exit non-zero
    when any failed."""
    passed = 0
    failed = 0
    for test in tests:
        try:
            test()
        except Exception:  # noqa: BLE001 - every failure is reported and counted.
            failed += 1
            print(f"FAIL {test.__name__}")
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok   {test.__name__}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
