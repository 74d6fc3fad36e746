"""JWTs whose claims set is empty (issue 16, helper h19).

SPEC §4 asks the filter for JWTs. The pattern wanted a payload of four or more
characters, and the one shorter payload a JWT can have is the empty claims set ``{}``,
base64url ``e30``: an unsigned token (``alg`` none, nothing after the last dot) carries
it as well as a signed one. The header must still decode to an object naming ``alg``,
so dotted base64 and dotted names stay text. Our own tokens; both scans must agree.
"""

from __future__ import annotations

import pytest
from tests.both_scans import found as _found

NONE_HEADER = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"  # {"alg":"none","typ":"JWT"}
ES256_HEADER = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9"  # {"typ":"JWT","alg":"ES256"}


@pytest.mark.parametrize(
    "token",
    [
        f"{NONE_HEADER}.e30.",  # unsigned, empty claims
        f"{ES256_HEADER}.e30.Qm9vbXNpZ25hdHVyZWJ5dGVzXzEyMzQ1Njc4OTA",  # signed, empty claims
    ],
)
def test_a_jwt_with_empty_claims_is_found_whole(token: str) -> None:
    """SPEC §4, JWT: header, the empty claims set and the (maybe empty) signature."""
    assert ("JWT", token) in _found(f'client.auth(token="{token}")')


@pytest.mark.parametrize(
    "text",
    [
        "eyJraWQiOiJrMSJ9.e30.",  # a header without alg
        f"{NONE_HEADER}.e30",  # two parts: no compact JWT
        "c29tZXRoaW5nZWxzZQ.e30.",  # dotted base64, no JSON header
        "release.e30.notes",
    ],
)
def test_no_jwt_without_an_alg_header_and_three_parts(text: str) -> None:
    """SPEC §4, JWT: dotted base64 is not a token."""
    assert all(kind != "JWT" for kind, _ in _found(f"value {text} here"))
