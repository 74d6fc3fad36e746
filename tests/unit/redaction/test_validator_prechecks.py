"""Cheap checks before the field's libraries refuse only what the libraries refuse.

SPEC §4 (national identifiers with checksums, phone numbers): python-stdnum and
phonenumbers decide. Issue 16 (speed, text the filter has not seen): a library call
costs 3-20 µs, and on new text most of them refuse. A cheaper exact check may skip a
call only where the library would refuse too: these tests run both on every candidate
of the labelled corpus and of the outside suite, and on random values.
"""

from __future__ import annotations

import functools

from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.redaction import nationalids


def _refused_by_length(value: str) -> list[object]:
    """The stdnum modules that ``_length_validators`` leaves out for ``value``."""
    possible = nationalids._length_validators(
        len(value), tuple(map(value.count, nationalids._SEPARATORS))
    )
    return [m for m in nationalids._modules() if m.is_valid not in possible]


def _assert_length_check_exact(value: str) -> None:
    for module in _refused_by_length(value):
        assert not nationalids._valid(module.is_valid, value), (module.__name__, value)
    every = any(nationalids._valid(m.is_valid, value) for m in nationalids._modules())
    every = every and not nationalids._DECIMAL.fullmatch(value)  # a decimal is no id
    assert nationalids._valid_national_id.__wrapped__(value) == every, value


@functools.cache
def _corpus_id_candidates() -> tuple[str, ...]:
    """Every match of the national-id detector's pattern in the labelled corpus and in
    the outside suite (non-overlapping, as the scan first proposes them)."""
    from benchmarks.redaction.corpus import build_corpus
    from benchmarks.redaction.outside.corpus import build

    pattern = nationalids.DETECTORS[0].regex
    texts = [r.text for r in build_corpus(3000)] + [r.text for r in build()]
    found = {m.group() for text in texts for m in pattern.finditer(text)}
    return tuple(sorted(found))


def test_national_id_length_check_on_every_corpus_candidate() -> None:
    """SPEC §4: on every candidate of the labelled corpus and the outside suite, no module
    the length check leaves out accepts the value, and the answer is unchanged."""
    values = _corpus_id_candidates()
    assert len(values) > 1000
    skipped = sum(len(_refused_by_length(v)) for v in values)
    assert skipped > 10 * len(values)  # the check does skip calls
    valid = 0
    for value in values:
        _assert_length_check_exact(value)
        valid += nationalids._valid_national_id(value)
    assert valid > 20  # valid identifiers were among them, not only refusals


_ID_ALPHABET = "0123456789ABCKXZ -./+"


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from(["", "CL", "X", "AB", "SE"]),
    body=st.text(_ID_ALPHABET, min_size=0, max_size=30),
)
def test_exact_compact_length_model(prefix: str, body: str) -> None:
    """SPEC §4: where ``compact_exact`` says so, a module's compact form has exactly the
    value's length less its deletes (or the module's pad length): checked against
    ``compact`` itself on random values."""
    value = prefix + "1" + body.strip() + "7"
    rows = zip(
        nationalids._modules(), nationalids.length_table(), nationalids.compact_exact(), strict=True
    )
    exact = 0
    for module, (deletes, pad, _, _, _), is_exact in rows:
        if is_exact:
            exact += 1
            kept = len(value) - sum(c in deletes for c in value)
            assert len(module.compact(value)) == (pad if kept <= pad else kept), module.__name__
    assert exact >= 30


@settings(max_examples=400, deadline=None)
@given(
    prefix=st.sampled_from(["", "CL", "X", "Y", "AB", "ES", "SE", "CN", "RO"]),
    body=st.text(_ID_ALPHABET, min_size=4, max_size=30),
    last=st.sampled_from("0123456789KXZaz"),
)
def test_national_id_length_check_on_random_values(prefix: str, body: str, last: str) -> None:
    """SPEC §4: on random values of the detector's alphabet, the same."""
    _assert_length_check_exact(prefix + "1" + body.strip() + last)


def test_national_id_length_check_keeps_valid_identifiers() -> None:
    """SPEC §4: valid numbers made by stdnum's own check-digit functions, with and
    without separators, are tried against their module and found."""
    from stdnum.cl import rut
    from stdnum.pl import pesel

    values = []
    for body in ("12345678", "7654321", "11122233"):
        values += [body + rut.calc_check_digit(body), f"{body}-{rut.calc_check_digit(body)}"]
    for body in ("4405140135", "8001010000"):
        values += [body + pesel.calc_check_digit(body), f"{body}-{pesel.calc_check_digit(body)}"]
    for value in values:
        _assert_length_check_exact(value)
    assert sum(nationalids._valid_national_id(v) for v in values) >= 8
