"""What the filter's tests of both scans share (SPEC §4): the compiled scan, where it is
built, and the Python one must find the same values in a text."""

from __future__ import annotations

from consentry.redaction import Redactor, native

SCANS = [Redactor(native=False)] + ([Redactor()] if native.available() else [])


def found(text: str) -> list[tuple[str, str]]:
    """(type, value) of every finding in ``text``, asserting both scans agree."""
    results = {
        tuple((f.type, text[f.start : f.end]) for f in r.redact(text).findings) for r in SCANS
    }
    assert len(results) == 1, results  # the compiled and the Python scan agree
    return list(results.pop())
