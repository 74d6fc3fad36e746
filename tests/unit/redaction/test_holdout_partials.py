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
