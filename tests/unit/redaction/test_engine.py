"""Offsets, overlap resolution and fail-closed behaviour."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from consentry.redaction import Finding, RedactionError, Redactor
from consentry.redaction.detector import Candidate
from consentry.redaction.engine import DEFAULT_DETECTORS


def test_finding_offsets_are_into_the_input_text() -> None:
    res = Redactor().redact("mail me at a@b.com")
    assert res.findings == (Finding(type="EMAIL", start=11, end=18),)


def test_offsets_are_str_offsets_after_non_ascii_text() -> None:
    text = "Grüße 🙂 — schreib an jürgen@example.de oder 10.0.0.1 ✓"
    res = Redactor().redact(text)
    assert [text[f.start : f.end] for f in res.findings] == ["jürgen@example.de", "10.0.0.1"]


def test_non_ascii_prefix_keeps_offsets_right() -> None:
    text = "日本語のテキスト a@b.com"
    (f,) = Redactor().redact(text).findings
    assert text[f.start : f.end] == "a@b.com"
    assert Redactor().redact(text).text == "日本語のテキスト [EMAIL]"


def test_lone_surrogates_do_not_break_the_filter() -> None:
    text = "bad \ud800 char, mail a@b.com"
    assert Redactor().redact(text).text == "bad \ud800 char, mail [EMAIL]"


class _Fixed:
    def __init__(self, *cands: Candidate) -> None:
        self._cands = cands

    def scan(self, data: bytes) -> Iterator[Candidate]:
        yield from self._cands


def test_overlaps_merge_into_union_typed_by_longest() -> None:
    r = Redactor(detectors=[_Fixed(Candidate(0, 4, "PHONE", 45), Candidate(2, 10, "CARD", 41))])
    assert r.redact("0123456789xx").findings == (Finding("CARD", 0, 10),)


def test_credentials_win_overlaps_even_when_shorter() -> None:
    r = Redactor(detectors=[_Fixed(Candidate(0, 10, "EMAIL", 43), Candidate(0, 4, "PASSWORD", 30))])
    assert r.redact("0123456789").findings == (Finding("PASSWORD", 0, 10),)


def test_equal_overlaps_resolve_deterministically_by_rank() -> None:
    a, b = Candidate(0, 5, "SSN", 42), Candidate(0, 5, "PHONE", 45)
    for order in ((a, b), (b, a)):
        assert Redactor(detectors=[_Fixed(*order)]).redact("12345").findings == (
            Finding("SSN", 0, 5),
        )


class _Broken:
    def scan(self, data: bytes) -> Iterator[Candidate]:
        raise RuntimeError("detector bug")
        yield  # pragma: no cover


def test_internal_error_raises_redaction_error_not_text() -> None:
    r = Redactor(detectors=[*DEFAULT_DETECTORS, _Broken()])
    with pytest.raises(RedactionError):
        r.redact("mail me at a@b.com")


def test_non_string_input_is_an_error() -> None:
    with pytest.raises(RedactionError):
        Redactor().redact(b"a@b.com")  # type: ignore[arg-type]


class _BadNer:
    def __init__(self, result: list[Finding]) -> None:
        self._result = result

    def find(self, text: str) -> list[Finding]:
        return self._result


@pytest.mark.parametrize(
    "result", [[Finding("PERSON", 5, 500)], [Finding("PERSON", 3, 3)], ["not a finding"]]
)
def test_bad_ner_output_fails_closed(result: list[Finding]) -> None:
    with pytest.raises(RedactionError):
        Redactor(ner=_BadNer(result)).redact("hello there")


MIXED = (
    "mail a@b.com, card 4111 1111 1111 1111, ssn 123-45-6789, ip 10.0.0.1, "
    "api_key = 'a8Fk29dLq01ZxP93mWq7Tz', call (415) 555-2671, DE89370400440532013000"
)


def test_empty_prefilter_set_answer_is_confirmed_before_skipping() -> None:
    # RE2::Set answers "nothing" both for no match and for DFA out of memory;
    # the engine must then confirm with an ordinary search and run every detector.
    expected = Redactor().redact(MIXED)
    assert len(expected.findings) == 7
    r = Redactor()
    r._plan._set_match = lambda data: []
    assert r.redact(MIXED) == expected


def test_detectors_without_a_prefilter_hit_are_skipped_not_broken() -> None:
    prose = "Nothing to see here, just words and a few numbers like 42 and 7."
    assert Redactor().redact(prose).findings == ()


def test_redactor_pickles_and_copies() -> None:
    import copy
    import pickle

    r = Redactor(pseudonym_key=b"k")
    for clone in (pickle.loads(pickle.dumps(r)), copy.deepcopy(r)):
        assert clone.redact(MIXED) == r.redact(MIXED)


TRIGGER_EXAMPLES = [
    "mysql -u root -pS3cr3tPass db",
    "mysqldump --host db -pS3cr3tPass",
    "mariadb-dump -pS3cr3tPass all",
    "curl --user bob:Hunter22 https://x",
    "curl --proxy-user alice:Hunter22 https://x",
    "curl -u bob:Hunter22 https://x",
    "sshpass -p Hunter22 ssh host",
    "redis-cli -h cache -a Hunter22Secret",
    "token 1234567890123456|abcdefghijklmnopqrstuvwxyz0123",
    "token 123456789012345%7Cabcdefghijklmnopqrstuvwxyz01",
]


def test_every_match_of_a_built_in_detector_holds_one_of_its_triggers() -> None:
    """SPEC §4, issue 16 (speed): a detector's triggers skip its pattern on inputs holding
    none of them, so every match must hold one; checked on my examples, the labelled corpus
    and the outside suite."""
    from benchmarks.redaction.corpus import build_corpus
    from benchmarks.redaction.outside.corpus import build

    texts = TRIGGER_EXAMPLES + [r.text for r in build_corpus(600)] + [r.text for r in build()]
    checked = 0
    for detector in DEFAULT_DETECTORS:
        triggers = getattr(detector, "triggers", ())
        if not triggers:
            continue
        for text in texts:
            data = text.encode("utf-8", "surrogatepass")
            for match in detector.regex.finditer(data):  # type: ignore[attr-defined]
                assert any(t in match.group() for t in triggers), (detector, match.group())
                checked += 1
    assert checked > 1000
