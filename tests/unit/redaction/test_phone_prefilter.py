"""The phone detector's prefilter is a necessary condition of its pattern (SPEC §4).

The Python scan runs a detector only where its prefilter occurs (engine's prefilter Set),
so a prefilter stricter than the pattern makes the Python scan miss what the compiled scan
finds: ``4111//////4111`` (a long separator run) matched the pattern but not the old
prefilter ``[0-9][0-9 ().\\-/]{5}[0-9]``, found by the compiled scan only.
"""

from __future__ import annotations

import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.redaction import Redactor
from consentry.redaction.fieldnumbers import DETECTORS
from consentry.redaction.model import PHONE

PHONE_DETECTOR = next(d for d in DETECTORS if d.type == PHONE)


def _spans(redactor: Redactor, text: str) -> list[tuple[str, int, int]]:
    return [(f.type, f.start, f.end) for f in redactor.redact(text).findings]


def test_a_long_separator_run_is_found_by_both_scans() -> None:
    for text in ("4111//////4111", "call 4111//////4111", "fax 020 ////// 7946 0958"):
        compiled, python = _spans(Redactor(), text), _spans(Redactor(native=False), text)
        assert compiled == python, text


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789 ().-/+", min_size=7, max_size=40))
def test_the_prefilter_matches_wherever_the_pattern_does(text: str) -> None:
    pattern = PHONE_DETECTOR.regex
    prefilter = re2.compile(PHONE_DETECTOR.prefilter)
    if pattern.search(text) is not None:
        assert prefilter.search(text) is not None, text
