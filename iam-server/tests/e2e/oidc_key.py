"""Generate the RSA key that signs the end-to-end tests' web identity tokens.

`python3 oidc_key.py DIR` writes `oidc-key.json` (private) and `oidc-jwks.json` (the JWKS the Rust
side registers with the OpenID Connect provider) into DIR, before the server starts. The `rsa`
package comes with the aws CLI, so no other package is needed."""

import base64
import json
import os
import sys

import rsa

KEY_ID = "e2e-1"


def base64url(data):
    """Encode bytes as base64url without padding, as JWTs and JWKS documents do."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def integer_bytes(number):
    """Return the big-endian bytes of a positive integer, without leading zeros."""
    return number.to_bytes((number.bit_length() + 7) // 8, "big")


def generate_key(directory):
    public_key, private_key = rsa.newkeys(2048)
    numbers = {name: getattr(private_key, name) for name in ("n", "e", "d", "p", "q")}
    with open(os.path.join(directory, "oidc-key.json"), "w", encoding="utf-8") as file:
        json.dump(numbers, file)
    jwk = {
        "kty": "RSA",
        "kid": KEY_ID,
        "use": "sig",
        "alg": "RS256",
        "n": base64url(integer_bytes(public_key.n)),
        "e": base64url(integer_bytes(public_key.e)),
    }
    with open(os.path.join(directory, "oidc-jwks.json"), "w", encoding="utf-8") as file:
        json.dump({"keys": [jwk]}, file)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: oidc_key.py DIRECTORY")
    generate_key(sys.argv[1])
