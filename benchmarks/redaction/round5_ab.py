"""Issue 16's fifth speed round toggled off and on in one process (CPU time, alternating).

    .venv/bin/python -m benchmarks.redaction.round5_ab --rounds 7

The round moved work out of the compiled scan's slow paths without changing a finding:
the ``Authorization:``/``X-…-Key:`` header validator ported whole into a C++ gate
(``commands._header``, pinned), hex UUIDs refused in C++ before
``tokens._base36_in_uuid_layout`` (pinned), a length table generated from python-stdnum behind the
national-id gate (``nationalids.length_table``), triggers for two detectors, and one
RE2::Set pass over the prefilters of ``native.SET_GATED``. "Off" builds the same engine
with each of them undone (both validators called back, no table, no triggers, no Set), which
is what the code before the round ran; the candidates of both are checked equal on every
text first. Each pass times one engine over all texts; the order alternates per round.
"""

from __future__ import annotations

from typing import Any

from consentry.redaction import _native, commands, credentials, native, tokens
from consentry.redaction.engine import DEFAULT_DETECTORS
from consentry.redaction.model import Finding

from . import engine_ab

_TRIGGERED = ("[0-9]{15}[|%]", "-u|--user|--proxy-user|mysql|mariadb|sshpass|redis-cli")


def engines() -> tuple[Any, Any]:
    """(the scan as built now, the scan with the round's changes undone)."""
    specs = [native._spec(d) for d in DEFAULT_DETECTORS]
    before = []
    for detector, spec in zip(DEFAULT_DETECTORS, specs, strict=True):
        assert spec is not None
        undone = (commands._header, tokens._base36_in_uuid_layout)
        if spec[0] == "pattern" and spec[5] == "python" and spec[7] in undone:
            spec = (*spec[:8], "", [])
        if getattr(detector, "prefilter", None) in _TRIGGERED:
            spec = (*spec[:4], [], *spec[5:])
        before.append(spec)
    tables = native._tables()
    plain = {k: v for k, v in tables.items() if not k.startswith("national_id")}
    now = _native.Engine(
        specs,
        native._tables(native.prefilter_tables(DEFAULT_DETECTORS)),
        credentials.jwt_header_ok,
        Finding,
    )
    return now, _native.Engine(before, plain, credentials.jwt_header_ok, Finding)


if __name__ == "__main__":
    engine_ab.main(engines, __doc__)
