"""Password hashes and PuTTY keys in the encodings without a ``$id$`` (issue 16, SPEC §4).

SPEC §4 asks for "password hashes in their standard encodings ... and similar crackable
hashes" and for private keys. Checked on John the Ripper's own test vectors (its
``fmt_tests`` tables, docs/bench/redaction.md, round fifteen); the values here are our own:
each digest is computed in the test from a password of ours, or is random hex.
"""

from __future__ import annotations

import base64
import hashlib
import random

import pytest

from consentry.redaction import Redactor

PASSWORD = b"violet-harbour-42"
SALT = b"\x8a\x11\x02\xfe"


def _ssha(scheme: str, digest: str) -> str:
    raw = hashlib.new(digest, PASSWORD + SALT).digest() + SALT
    return "{" + scheme + "}" + base64.b64encode(raw).decode()


def _hex(n: int, seed: int, upper: bool = False) -> str:
    value = f"{random.Random(seed).getrandbits(4 * n):0{n}x}"
    return value.upper() if upper else value


PBKDF2 = hashlib.pbkdf2_hmac("sha1", PASSWORD, SALT * 4, 10000)
MYSQL = "*" + hashlib.sha1(hashlib.sha1(PASSWORD).digest()).hexdigest().upper()
HASHES = [
    _ssha("SSHA", "sha1"),
    _ssha("SSHA512", "sha512"),
    _ssha("ssha256", "sha256"),
    "{SHA}" + base64.b64encode(hashlib.sha1(PASSWORD).digest()).decode(),
    "{SMD5}" + base64.b64encode(hashlib.md5(PASSWORD + SALT).digest() + SALT).decode(),
    "{PKCS5S2}" + base64.b64encode(PBKDF2 + SALT * 4).decode(),
    MYSQL,
    MYSQL.lower(),
    "0x0100" + _hex(8, 1, True) + _hex(40, 2, True) + _hex(40, 3, True),
    "0x0200" + _hex(8, 4, True) + _hex(128, 5, True),
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("value", HASHES)
def test_marked_hash_is_found_whole(native: bool, value: str) -> None:
    """SPEC §4: an LDAP, MySQL or SQL Server password hash is a PASSWORD_HASH, whole."""
    text = f"row for admin: {value} (exported)"
    result = Redactor(native=native).redact(text)
    assert result.text == "row for admin: [PASSWORD_HASH] (exported)"


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_pwdump_and_responder_lines_lose_their_hashes(native: bool) -> None:
    """SPEC §4: NTLM hashes in pwdump lines and NetNTLMv1/v2 responses, user name kept."""
    redactor = Redactor(native=native)
    pwdump = f"backup_svc:1107:{_hex(32, 6)}:{_hex(32, 7)}:::"
    assert redactor.redact(pwdump).text == "backup_svc:1107:[PASSWORD_HASH]"
    v2 = f"mara::CORP:{_hex(16, 8)}:{_hex(32, 9, True)}:0101000000000000{_hex(120, 10, True)}"
    assert redactor.redact(f"captured {v2}").text == "captured mara::CORP:[PASSWORD_HASH]"
    v1 = f"mara::CORP:{_hex(48, 11)}:{_hex(48, 12)}:{_hex(16, 13)}"
    assert redactor.redact(v1).text == "mara::CORP:[PASSWORD_HASH]"


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_putty_private_lines_are_a_private_key(native: bool) -> None:
    """SPEC §4: a PuTTY .ppk file's private lines are a private key; the MAC line stays."""
    body = "\n".join(base64.b64encode(random.Random(14).randbytes(48)).decode() for _ in range(3))
    text = (
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\n"
        f"Public-Lines: 2\nAAAAC3NzaC1lZDI1NTE5\nAAAAIB4x\nPrivate-Lines: 3\n{body}\n"
        f"Private-MAC: {_hex(64, 15)}\n"
    )
    result = Redactor(native=native).redact(text)
    assert body not in result.text
    assert "[PRIVATE_KEY]\nPrivate-MAC:" in result.text


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(
    "text",
    [
        "the {SHA} and {SSHA} schemes of RFC 2307",
        "set {crypt} in slapd.conf",
        "commit *" + _hex(40, 16) + "* was reverted",
        "**" + _hex(40, 17, True) + "**",
        "flags = 0x0100 | 0x0200",
        "std::map<int, int>::iterator it; a::b::c",
        "row:12:" + "0" * 31 + ":x:::",
        "Private-Lines: none here",
    ],
)
def test_look_alikes_are_left(native: bool, text: str) -> None:
    """SPEC §4 (false positives): scheme names, markdown around a digest, hex flags,
    C++ scopes and IPv6, a line that only looks like pwdump."""
    assert Redactor(native=native).redact(text).findings == ()


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_punctuation_after_a_scheme_hash_stays(native: bool) -> None:
    """SPEC §4: the comma after ``{SSHA}…`` is the list's, not the hash's (a full stop may
    be the last character of a crypt-alphabet body, so it is covered)."""
    value = _ssha("SSHA", "sha1")
    text = f"hashes: {value}, then"
    assert Redactor(native=native).redact(text).text == "hashes: [PASSWORD_HASH], then"
