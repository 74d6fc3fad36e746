"""Detectors' triggers in the compiled scan (SPEC §4; issue 16, speed).

A detector with ``triggers`` (literals every match holds) is searched only in texts
holding one. The compiled scan looks for each trigger by memchr for whichever of its
bytes the text holds fewest of (``Scope::contains``, a count of each byte per text):
that must say "present" wherever the literal is, or the detector's candidates would be
lost. So the built-in detectors with triggers must find the same candidates as the same
detectors without them, on the corpora and on each candidate's bytes alone (where the
trigger's bytes lie at the very start and end of the text).
"""

from __future__ import annotations

import re

import pytest
from benchmarks.redaction.corpus import build_corpus
from benchmarks.redaction.outside.corpus import build as build_outside

from consentry.redaction import _native, credentials, native
from consentry.redaction.model import Finding

pytestmark = pytest.mark.usefixtures("compiled_scan")


def _engines() -> tuple[object, object, int]:
    """The built-in detectors that have triggers, with and without them."""
    with_triggers, without = [], []
    for detector in native._BUILTIN:
        spec = native._spec(detector)
        assert spec is not None
        if spec[0] == "pattern" and spec[4]:
            with_triggers.append(spec)
            without.append((*spec[:4], [], *spec[5:]))
    assert _native is not None
    return (
        _native.Engine(with_triggers, native._tables(), credentials.jwt_header_ok, Finding),
        _native.Engine(without, native._tables(), credentials.jwt_header_ok, Finding),
        len(with_triggers),
    )


def test_triggers_lose_no_candidate() -> None:
    triggered, untriggered, count = _engines()
    assert count >= 20
    texts = [r.text for r in build_corpus(1000)] + [r.text for r in build_outside()]
    edges = 0
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        expected = untriggered.candidates(data)  # type: ignore[attr-defined]
        assert triggered.candidates(data) == expected, text  # type: ignore[attr-defined]
        for start, end, _type, _rank in expected:
            alone = data[start:end]
            found = triggered.candidates(alone)  # type: ignore[attr-defined]
            assert found == untriggered.candidates(alone), alone  # type: ignore[attr-defined]
            edges += bool(found)
    assert edges > 1000


@pytest.mark.parametrize("trigger", ["q", "-u", "mysql", "|", "eyJ", "::", "Q~", "0"])
def test_a_trigger_is_found_at_every_offset(trigger: str) -> None:
    """A detector of the trigger itself finds it wherever it is, whatever else the text
    holds of the trigger's bytes (so each of them is in turn the rarest)."""
    assert _native is not None
    spec = ("pattern", "SECRET", 31, re.escape(trigger), [trigger], "", False)
    engine = _native.Engine([spec], native._tables(), credentials.jwt_header_ok, Finding)
    fillers = ["", "a", *trigger, trigger[:1] * 3, trigger[-1:] * 5 + trigger[:1]]
    for filler in fillers:
        for length in range(12):
            for at in range(length + 1):
                body = (filler * 12 + "z" * 12)[:length]
                text = (body[:at] + trigger + body[at:]).encode()
                expected = [m.span() for m in re.finditer(re.escape(trigger), text.decode())]
                found = [(s, e) for s, e, _t, _r in engine.candidates(text)]
                assert found == expected, text
