"""Typed placeholders and keyed pseudonyms (SPEC §4, R24)."""

from __future__ import annotations

import re

import pytest

from consentry.redaction import Redactor

TEXT = "write to ann@example.com or bob@example.com, again ann@example.com"


def test_default_replacement_is_typed_placeholder() -> None:
    assert Redactor().redact("mail me at a@b.com").text == "mail me at [EMAIL]"


def test_pseudonym_is_stable_within_a_key() -> None:
    out = Redactor(pseudonym_key=b"run-1").redact(TEXT).text
    names = re.findall(r"\[EMAIL_[0-9a-f]{8}\]", out)
    assert len(names) == 3
    assert names[0] == names[2] != names[1]
    assert Redactor(pseudonym_key=b"run-1").redact(TEXT).text == out


def test_pseudonyms_differ_across_keys() -> None:
    a = Redactor(pseudonym_key=b"run-1").redact("ann@example.com").text
    b = Redactor(pseudonym_key=b"run-2").redact("ann@example.com").text
    assert a != b


def test_pseudonym_depends_on_type_as_well_as_value() -> None:
    r = Redactor(pseudonym_key=b"k")
    assert r.redact("ssn 123-45-6789").text != "ssn [PHONE" + r.redact("ssn 123-45-6789").text[9:]


def test_pseudonym_is_hmac_sha256_of_type_and_value() -> None:
    import hashlib
    import hmac

    digest = hmac.new(b"k", b"EMAIL\x00a@b.com", hashlib.sha256).hexdigest()[:8]
    assert Redactor(pseudonym_key=b"k").redact("a@b.com").text == f"[EMAIL_{digest}]"


@pytest.mark.parametrize("key", [b"", "text-key"])
def test_bad_pseudonym_keys_are_refused(key: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        Redactor(pseudonym_key=key)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", [None, b"run"])
def test_placeholders_are_not_redacted_again(key: bytes | None) -> None:
    r = Redactor(pseudonym_key=key)
    once = r.redact('password="hunter22" url postgres://u:pw123456@h token=Ab3dE6gH9jK2mN5p').text
    twice = r.redact(once)
    assert twice.text == once
    assert twice.findings == ()
