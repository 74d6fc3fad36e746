"""The compiled scan's RE2::Set of prefilters (issue 16, speed; SPEC §4).

Nine detectors whose RE2 pass costs as much as any other but whose prefilter occurs in
few texts are searched only where their prefilter occurs, all prefilters checked in one
RE2::Set pass (``native.SET_GATED``). A prefilter is a necessary condition of its
detector's pattern, so the candidates must be the same with and without the Set.
"""

from __future__ import annotations

import pytest

from consentry.redaction import _native, blockscalars, credentials, native, nestedvalues
from consentry.redaction.engine import DEFAULT_DETECTORS
from consentry.redaction.model import Finding

# One value of each gated kind (my own examples) in a sentence.
EXAMPLES = [
    "bot token MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWsX here",
    "asana 1/1204591866071297:8f3b2a9c4d5e6f708192a3b4c5d6e7f8 there",
    "ngrok 2Ab3Cd4Ef5Gh6Ij7Kl8Mn9Op0Qr_1aB2cD3eF4gH5iJ6kL7mX",
    "key v7zypoou-t6ld-uq7a-qsmm-j3y1mh0w5cf1 in a config",
    '- name: API_TOKEN\n  value: "q8Zr2LmXw9Tb4Ks7Vd1Hn6"',
    "SSN: 219099999, social security number 219 09 9999",
    "dotted 219.09.9999 ssn",
    "allow 10.12.0.0/16 and deny 192.168.1.0/24",
    "route fe80::1ff:fe23:4567:890a%eth2 and 2001:db8::/32",
    "none of them: 4111 1111 1111 1111 and 123-45-6789",
    # the eleventh set's kinds (nestedvalues): a wrapped value, an entry, a list
    '"smtp_password": {"type": "string", "value": "Wq4!zN8pLm"}',
    '{"key": "app.api_key", "value": {"stringValue": "Rb7kP2xQ9mWz4LcN"}}',
    "<QueryDict: {'password': ['Wq4!zN8pLm']}>",
    'let password = String::from("Wq4!zN8pLm");',
]


pytestmark = pytest.mark.usefixtures("compiled_scan")


def _engines() -> tuple[object, object]:
    specs = [native._spec(d) for d in DEFAULT_DETECTORS]
    gated = native._tables(native.prefilter_tables(DEFAULT_DETECTORS))
    assert _native is not None
    return (
        _native.Engine(specs, gated, credentials.jwt_header_ok, Finding),
        _native.Engine(specs, native._tables(), credentials.jwt_header_ok, Finding),
    )


def test_every_set_gated_prefilter_is_a_built_in_detectors() -> None:
    """A prefilter named in SET_GATED that no detector has any more is a stale entry; one
    may gate two detectors (the block scalars' password and token detectors share one, and
    so do nestedvalues' objects, entries and conversions)."""
    gated = native.prefilter_tables(DEFAULT_DETECTORS)
    assert {p for _, p in gated} == native.SET_GATED
    shared = [p for p in native.SET_GATED if sum(q == p for _, q in gated) > 1]
    assert set(shared) == {
        blockscalars.PREFILTER,
        nestedvalues.PREFILTER,
        nestedvalues.WRAP_PREFILTER,
    }


def test_the_set_keeps_the_candidates_of_my_examples() -> None:
    """SPEC §4: each gated kind is still found where its prefilter occurs."""
    with_set, without = _engines()
    found = 0
    for text in EXAMPLES:
        data = text.encode()
        candidates = with_set.candidates(data)  # type: ignore[attr-defined]
        assert candidates == without.candidates(data), text  # type: ignore[attr-defined]
        found += bool(candidates)
    assert found >= len(EXAMPLES) - 1


def test_the_set_keeps_the_candidates_of_the_corpora() -> None:
    """SPEC §4: the same candidates with and without the Set on 1,000 labelled records and
    the outside suite (other projects' values, 8 sources)."""
    from benchmarks.redaction.corpus import build_corpus
    from benchmarks.redaction.outside.corpus import build

    with_set, without = _engines()
    texts = [r.text for r in build_corpus(1000)] + [r.text for r in build()]
    skipped = 0
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        got = with_set.candidates(data)  # type: ignore[attr-defined]
        assert got == without.candidates(data), text  # type: ignore[attr-defined]
        skipped += not any(p in text for p in ("::", "/", "value", "ssn"))
    assert skipped > 100  # texts where the Set rules detectors out were among them
