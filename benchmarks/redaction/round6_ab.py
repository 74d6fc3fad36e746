"""Issue 16's sixth speed round toggled off and on in one process (CPU time, alternating).

    .venv/bin/python -m benchmarks.redaction.round6_ab --rounds 7

The round runs RE2 anchored at the positions where a detector's match can start
(``native.START_RULES``: key words, ``-`` flags, quoted values, headers) instead of
one unanchored search over the whole text, where those positions are sparse. "Off"
builds the same engine without the start tables, which is what the scan ran before the
round; the candidates of both are checked equal on every text first. Each pass times
one engine over all texts; the order alternates per round.
"""

from __future__ import annotations

from typing import Any

from consentry.redaction import _native, credentials, native
from consentry.redaction.engine import DEFAULT_DETECTORS
from consentry.redaction.model import Finding

from . import engine_ab


def engines() -> tuple[Any, Any]:
    """(the scan as built now, the scan without anchored starts)."""
    specs = [s for s in map(native._spec, DEFAULT_DETECTORS) if s is not None]
    if len(specs) != len(DEFAULT_DETECTORS):
        raise SystemExit("a built-in detector has no compiled spec")
    prefilters = native.prefilter_tables(DEFAULT_DETECTORS)
    starts = native.start_tables(DEFAULT_DETECTORS)
    if not starts:
        raise SystemExit("no detector has a start rule (native.START_RULES)")
    now = _native.Engine(
        specs, native._tables(prefilters, starts), credentials.jwt_header_ok, Finding
    )
    before = _native.Engine(specs, native._tables(prefilters), credentials.jwt_header_ok, Finding)
    return now, before


if __name__ == "__main__":
    engine_ab.main(engines, __doc__)
