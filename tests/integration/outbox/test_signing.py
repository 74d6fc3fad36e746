"""Signatures: HMAC-SHA256 over "{t}.{body}", as docs/events.md tells receivers."""

from __future__ import annotations

import hashlib
import hmac

from consentry.outbox.signing import signature_header, verify

SECRET = "whsec_test-secret-0123456789"
BODY = '{"event_id":"chg_1","type":"consent.choice"}'


def test_the_header_is_the_documented_hmac() -> None:
    header = signature_header(SECRET, 1_756_728_000, BODY)
    expected = hmac.new(SECRET.encode(), f"1756728000.{BODY}".encode(), hashlib.sha256)
    assert header == f"t=1756728000,v1={expected.hexdigest()}"


def test_verification_accepts_only_the_signed_body_in_time() -> None:
    header = signature_header(SECRET, 1000, BODY)
    assert verify(SECRET, header, BODY, now=1000)
    assert verify(SECRET, header, BODY, now=1299)
    assert not verify(SECRET, header, BODY, now=1301)  # replayed too late
    assert not verify(SECRET, header, BODY.replace("choice", "deferral"), now=1000)
    assert not verify("whsec_another-secret-000000", header, BODY, now=1000)
    assert not verify(SECRET, "v1=abc", BODY, now=1000)
    assert not verify(SECRET, "", BODY, now=1000)


def test_any_of_several_signatures_may_match_during_rotation() -> None:
    new = signature_header(SECRET, 1000, BODY).split(",")[1]
    header = f"t=1000,v1={'0' * 64},{new}"
    assert verify(SECRET, header, BODY, now=1000)


def test_the_documented_receiver_snippet_verifies() -> None:
    import time
    from pathlib import Path

    docs = (Path(__file__).parents[3] / "docs" / "events.md").read_text()
    snippet = docs.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(snippet, namespace)
    verify_doc = namespace["verify"]
    now = int(time.time())
    header = signature_header(SECRET, now, BODY)
    assert verify_doc(SECRET, header, BODY.encode())  # type: ignore[operator]
    assert not verify_doc(SECRET, header, BODY.encode() + b" ")  # type: ignore[operator]
