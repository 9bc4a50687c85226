"""End-to-end tests of GET requests whose query strings use every percent-encoding form.

botocore's SigV4 signer signs a query string exactly as it is written. So each request is
signed over its canonical form and sent with another spelling of the same parameters. The
canonical form follows RFC 3986: space as %20, `+` as %2B, `~` unescaped and upper-case hex.
The server must rebuild that form from the wire and store the decoded values exactly."""

import json
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from common import ENDPOINT, REGION, client, run

ROLE = "b31-app"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
)


def signed_get(credentials, canonical_query, wire_query):
    """Sign a GET of `canonical_query`, send it with the query written as `wire_query`, and
    return the status and body."""
    request = AWSRequest(method="GET", url=f"{ENDPOINT}/?{canonical_query}")
    SigV4Auth(credentials, "iam", REGION).add_auth(request)
    wire = urllib.request.Request(f"{ENDPOINT}/?{wire_query}", headers=dict(request.headers.items()), method="GET")
    try:
        with urllib.request.urlopen(wire, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def update_query(description):
    """Return the UpdateRole query with an already encoded `description`, keys sorted."""
    return f"Action=UpdateRole&Description={description}&RoleName={ROLE}&Version=2010-05-08"


def alice():
    """Create alice, who may update and read the role, and return her credentials."""
    iam = client("iam")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=TRUST)
    iam.create_user(UserName="b31-alice")
    role_arn = iam.get_role(RoleName=ROLE)["Role"]["Arn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["iam:UpdateRole", "iam:GetRole"], "Resource": role_arn}],
    }
    iam.put_user_policy(UserName="b31-alice", PolicyName="b31", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="b31-alice")["AccessKey"]
    return Credentials(key["AccessKeyId"], key["SecretAccessKey"])


def stored_description(credentials):
    """Read the role's description back through boto3 signed by alice."""
    reader = client("iam", credentials.access_key, credentials.secret_key)
    return reader.get_role(RoleName=ROLE)["Role"].get("Description")


def reset_description():
    client("iam").update_role(RoleName=ROLE, Description="reset")


def check_update(credentials, canonical, wire, expected):
    """Send one UpdateRole and check that it succeeds and stores `expected`."""
    reset_description()
    status, body = signed_get(credentials, update_query(canonical), update_query(wire))
    assert status == 200, f"{wire}: {status} {body}"
    assert stored_description(credentials) == expected, (wire, stored_description(credentials))


def encoded_forms_store_exact_values():
    credentials = alice()
    # (a) RFC 3986 encoding on the wire: `+` is %2B, space %20, `~` literal, `/` %2F.
    check_update(credentials, "a%2Bb%20c~d%2Fe", "a%2Bb%20c~d%2Fe", "a+b c~d/e")
    # (c) Lower-case hex on the wire. The canonical form always uses upper-case hex.
    check_update(credentials, "a%2Bb%20c~d%2Fe", "a%2bb%20c~d%2fe", "a+b c~d/e")
    # `~` sent escaped is unescaped in the canonical form.
    check_update(credentials, "c~d", "c%7Ed", "c~d")
    # Characters outside ASCII are percent-encoded UTF-8.
    check_update(credentials, "caf%C3%A9", "caf%c3%a9", "caf\u00e9")
    # (d) An empty value keeps its `=` in the canonical form.
    reset_description()
    status, body = signed_get(credentials, update_query(""), update_query(""))
    assert status == 200, body
    assert stored_description(credentials) == "", stored_description(credentials)


def plus_on_wire_is_space():
    # (e) AWS leaves this case open. The server reads a `+` in a query string as a space, as
    # HTML forms write it, so a client must sign it as %20.
    credentials = Credentials(*client_key())
    check_update(credentials, "a%20b", "a+b", "a b")
    reset_description()
    status, body = signed_get(credentials, update_query("a%2Bb"), update_query("a+b"))
    assert status == 403, body
    assert "<Code>SignatureDoesNotMatch</Code>" in body, body


def client_key():
    """Create a second key for alice and return its id and secret."""
    key = client("iam").create_access_key(UserName="b31-alice")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


if __name__ == "__main__":
    run([encoded_forms_store_exact_values, plus_on_wire_is_space])
