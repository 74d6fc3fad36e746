"""Partial leaks the holdout showed (issue 16, round eleven, continued).

SPEC §4: "passwords in URLs and connection strings" are redacted whole; a finding
that covers part of a value leaks the rest. Examples of my own; both scans must
find the same spans.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor, native

PYTHON = Redactor(native=False)
SCANS = (PYTHON, Redactor()) if native.available() else (PYTHON,)


def _found(redactor: Redactor, text: str) -> list[str]:
    return [text[f.start : f.end] for f in redactor.redact(text).findings]


# The userinfo ends at the last '@' of the authority (RFC 3986 §3.2.1): a password may
# hold '@' (unencoded, as people paste them); the authority ends at '/', '?' or '#'.
AT_IN_PASSWORD = [
    ("mysql://admin:Tr0ub@dor&3@db.internal/app", "Tr0ub@dor&3"),
    ("amqp://svc:q9@@Zk4!@rabbit:5672/vhost", "q9@@Zk4!"),
    ("redis://:Wx7@Lm2@cache.local:6379?db=0", "Wx7@Lm2"),
    ('url = "postgres://app:n0t@home@10.1.2.3/prod"', "n0t@home"),
]


@pytest.mark.parametrize(("text", "password"), AT_IN_PASSWORD)
def test_url_password_holding_at_is_covered_whole(text: str, password: str) -> None:
    """SPEC §4: the whole password of a URL is redacted, '@' in it or not."""
    start = text.index(password)
    for redactor in SCANS:
        spans = [(f.start, f.end) for f in redactor.redact(text).findings]
        assert any(s <= start and start + len(password) <= e for s, e in spans), (text, spans)


URL_NOT_PAST_AUTHORITY = [
    ("https://ann:Kq8vLm2x@example.org/u/bob@example.org", "Kq8vLm2x"),
    ("https://ann:Kq8vLm2x@example.org?to=a@b.co", "Kq8vLm2x"),
    ("https://ann:Kq8vLm2x@example.org#x@y", "Kq8vLm2x"),
    ("https://ann:Kq8vLm2x@example.org and mail bob@example.org", "Kq8vLm2x"),
]


@pytest.mark.parametrize(("text", "password"), URL_NOT_PAST_AUTHORITY)
def test_url_password_ends_at_the_authority(text: str, password: str) -> None:
    """An '@' after the authority ('/', '?', '#' or a space) is not the password's."""
    for redactor in SCANS:
        found = [
            text[f.start : f.end] for f in redactor.redact(text).findings if f.type == "PASSWORD"
        ]
        assert found == [password], (text, found)


# A JWT in RFC 7516's compact form (an encrypted one) has five parts: header, encrypted
# key (empty for direct encryption), IV, ciphertext, tag. Read as a signed one, its last
# two parts were left.
JWE_HEADER = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ"  # {"alg":"RSA-OAEP","enc":"A256GCM"}
DIR_HEADER = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0"  # {"alg":"dir","enc":"A128GCM"}
ENCRYPTED = [
    f"{JWE_HEADER}.Zm9vYmFyS2V5MTIz.aXZpdml2aXY.Y2lwaGVydGV4dF9oZXJl.dGFnX3RhZw",
    f"{DIR_HEADER}..aXZpdml2aXY.Y2lwaGVydGV4dF9oZXJl.dGFnX3RhZw",
]


@pytest.mark.parametrize("token", ENCRYPTED)
def test_encrypted_jwt_is_found_whole(token: str) -> None:
    """SPEC §4 "JWTs": all five parts of a compact JWE are the token."""
    for text in (token, f'client.connect("{token}")', f"got {token}. Then"):
        for redactor in SCANS:
            assert _found(redactor, text) == [token], text
            assert redactor.redact(text).findings[0].type == "JWT"


def test_signed_jwt_ends_at_its_signature() -> None:
    signed = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJlX3g"
    for text in (f"{signed}. Next sentence", f"{signed}.", f"{signed}.then"):
        for redactor in SCANS:
            assert _found(redactor, text) == [signed], text


# An OpenSSH private key body (base64 of "openssh-key-v1\0" and the rest) pasted without
# its PEM lines and split over quoted strings, escaped or plain line breaks: one finding
# from the first piece through the last, separators included, so no piece is left out.
PIECES = [
    "b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABBq8Xw",
    "Tz3kR9mQ2vLp7sWc4yNf6hJd1gKb8aEu5oXi0tZr3Me7Yq2Vn9Uw4Ls6Dj1Hc8Fg5Bp",
    "Rk2Xn7Qw==",
]
SPLIT = [
    ('key = "' + '" +\n    "'.join(PIECES) + '";', '" +\n    "'.join(PIECES)),
    ("key = '" + "' +\n'".join(PIECES) + "'", "' +\n'".join(PIECES)),
    ('h = "Bearer ' + "\\r\\n".join(PIECES) + '\\r\\n"', "\\r\\n".join(PIECES) + "\\r\\n"),
    ("body:\n" + "\n".join(PIECES) + "\n", "\n".join(PIECES)),
    ('auth: "" +\n"' + '" +\n"'.join(PIECES) + '"', '" +\n"' + '" +\n"'.join(PIECES)),
]


@pytest.mark.parametrize(("text", "body"), SPLIT)
def test_openssh_key_body_split_over_strings_is_one_finding(text: str, body: str) -> None:
    """SPEC §4 "private keys": every piece of the key, in one finding."""
    for redactor in SCANS:
        assert _found(redactor, text) == [body], text
        assert redactor.redact(text).findings[0].type == "PRIVATE_KEY"


def test_openssh_public_key_is_not_a_private_key() -> None:
    text = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ann@x"
    for redactor in SCANS:
        assert [f.type for f in redactor.redact(text).findings if f.type == "PRIVATE_KEY"] == []
