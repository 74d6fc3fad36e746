"""The compiled scan's anchored starts (issue 16, speed; SPEC §4, R24).

Where a detector's matches can only start at positions a cheap byte test finds
(``native.START_RULES``: the password key words, ``-`` flags, quoted values, chains of
12 digits, two letters before two digits, phone layouts) and those positions are sparse,
the scan runs RE2 anchored at each of them instead of searching the whole text. That must
find exactly what the whole-text search finds: the candidates are compared with and
without the start tables on my own edge cases, on 3,000 seeded texts built from the
pieces the rules look at, and on the corpora.
"""

from __future__ import annotations

import random

import pytest

from consentry.redaction import _native, credentials, native
from consentry.redaction.engine import DEFAULT_DETECTORS
from consentry.redaction.model import Finding

# My own edge cases: starts at the first and last bytes, mid-word key words, case and
# the two non-ASCII letters RE2's (?i) folds to ASCII (U+017F long s, U+212A Kelvin).
EXAMPLES = [
    "password: Tr0ub4dor&3x-horse",
    "PASSWD=correct-horse-battery",
    "my pa\u017fsword is hunter2hunter2 ok",
    "db_pass\u017f = 'x9Qz2LmWv8'",
    "mypassword=abc123def456",
    "trailing password",
    "pwd",
    "-p s3cretValue9 at the start",
    "mysql --password hunter22 -u root",
    "a--password x9Qz2LmWv8Rt and x-secret=abc",
    "run --token  ghp_notreallyatoken0123 now",
    "end with a dash -",
    'key = "q8Zr2LmXw9Tb4Ks7Vd1H"',  # exactly 20 body bytes
    'key = "q8Zr2LmXw9Tb4Ks7Vd1"',  # 19
    "`AbCdEfGhIjKlMnOpQrStUv`",
    "'a8f3b2a9c4d5e6f708192a3b4c5d6e7f8'",
    'quote at the end "',
    '"""q8Zr2LmXw9Tb4Ks7Vd1Hn6"""',
    "4111111111111 starts the text",
    "card 4111-1111-1111-1111 and 6011.0009.9013.9424.123 then 3782 822463 10005",
    "glued x4111111111111111 and _4111111111111111, 12 digits at the end 123456789012",
    "4111 1111 1111 111 (eleven) and 4111  1111 1111 1111 (two spaces)",
    "iban de89 3704 0044 0532 0130 00 and GB82-WEST-1234-5698-7654-32",
    "and fr7630006000011234567890189 at the end",
    "\u017fe89 3704 0044 0532 0130 00, \u212ae12 3456 7890 1234 5678",
    "and x\u017f89370400440532013000",
    "at 12:30 we said de 89 but meant ab12cd34ef56gh78ij90",
    "call +1 555 123 4567, (555) 123-4567, 1-555-123-4567 or 1(555)123-4567",
    "Berlin 030 1234567, (030) 12345 67, +44 20 7946 0958, x555 123 4567, 1 555.123.4567",
    "pwd=1 " * 60,  # dense: the whole text is searched
    "-x " * 80 + "--password hunter22hunter",
]

# Pieces of the seeded texts: what the rules test for, and what ends or breaks a match.
PIECES = [
    "password",
    "PassWord",
    "pa\u017fs",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "\u212aey",
    "-",
    "--",
    " -",
    '"',
    "'",
    "`",
    "=",
    ":",
    " ",
    "  ",
    "\t",
    "\n",
    "x",
    "_",
    "/",
    "q8Zr2LmXw9",
    "Tb4Ks7Vd1H",
    "n6",
    "12345",
    "é",
    "@",
    ",",
    "4111",
    "1111 ",
    "0009",
    "1",
    ".",
    "-4",
    " 42",
    "de",
    "GB",
    "89",
    " 3704",
    "-WEST",
    "\u017f",
    "+1",
    "(555)",
    "555-",
    "123 4567",
    "0",
]


pytestmark = pytest.mark.usefixtures("compiled_scan")


def _specs() -> list[tuple[object, ...]]:
    specs = [native._spec(d) for d in DEFAULT_DETECTORS]
    assert all(s is not None for s in specs)
    return [s for s in specs if s is not None]


def _engines() -> tuple[object, object]:
    specs = _specs()
    prefilters = native.prefilter_tables(DEFAULT_DETECTORS)
    starts = native._tables(prefilters, native.start_tables(DEFAULT_DETECTORS))
    assert _native is not None
    return (
        _native.Engine(specs, starts, credentials.jwt_header_ok, Finding),
        _native.Engine(specs, native._tables(prefilters), credentials.jwt_header_ok, Finding),
    )


def _same(texts: list[str]) -> int:
    """Assert equal candidates on every text; the number of texts with any."""
    anchored, whole = _engines()
    found = 0
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        got = anchored.candidates(data)  # type: ignore[attr-defined]
        assert got == whole.candidates(data), text  # type: ignore[attr-defined]
        found += bool(got)
    return found


def test_every_start_rule_is_a_built_in_detectors() -> None:
    """A START_RULES digest no built-in pattern has any more is stale: check the rule in
    _native.cpp (``Starts``) against the new pattern, then update the digest."""
    ruled = {
        native.pattern_digest(DEFAULT_DETECTORS[i].regex.pattern)  # type: ignore[attr-defined]
        for i, _, _ in native.start_tables(DEFAULT_DETECTORS)
    }
    assert ruled == set(native.START_RULES)


def test_the_compiled_scan_reads_the_start_tables() -> None:
    """A start rule for a detector that is not a whole-text pattern is refused (a module
    built before the rules existed would ignore the table)."""
    specs = _specs()
    assert specs[0][0] == "private_key"
    with pytest.raises(ValueError, match="start rule"):
        _native.Engine(
            specs, native._tables(None, [(0, "dash", [])]), credentials.jwt_header_ok, Finding
        )
    index = native.start_tables(DEFAULT_DETECTORS)[0][0]
    with pytest.raises(ValueError, match="unknown start rule"):
        _native.Engine(
            specs, native._tables(None, [(index, "x", [])]), credentials.jwt_header_ok, Finding
        )


def test_anchored_starts_keep_the_candidates_of_my_examples() -> None:
    """SPEC §4: the same candidates at every edge of the three rules."""
    assert _same(EXAMPLES) >= 8


def test_anchored_starts_keep_the_candidates_of_seeded_texts() -> None:
    """SPEC §4: 3,000 seeded texts of key words, dashes, quotes and token bodies."""
    rng = random.Random(16)
    texts = ["".join(rng.choices(PIECES, k=rng.randint(1, 60))) for _ in range(3000)]
    assert _same(texts) > 500


def test_anchored_starts_keep_every_raw_match() -> None:
    """SPEC §4: each ruled detector alone with its validator left out (so that a match a
    validator would refuse counts too) finds the same matches anchored and whole, on my
    examples and 3,000 seeded texts."""
    rng = random.Random(61)
    texts = EXAMPLES + ["".join(rng.choices(PIECES, k=rng.randint(1, 60))) for _ in range(3000)]
    for index, rule, words in native.start_tables(DEFAULT_DETECTORS):
        spec = native._spec(DEFAULT_DETECTORS[index])
        assert spec is not None
        raw = [(*spec[:5], "", False)]
        engines = [
            _native.Engine(raw, native._tables(None, starts), credentials.jwt_header_ok, Finding)
            for starts in ([(0, rule, words)], None)
        ]
        matched = 0
        for text in texts:
            data = text.encode()
            got = engines[0].candidates(data)
            assert got == engines[1].candidates(data), (rule, text)
            matched += bool(got)
        assert matched > 20, rule


def test_anchored_starts_keep_the_candidates_of_the_corpora() -> None:
    """SPEC §4: the same candidates on 1,000 labelled records and the outside suite."""
    from benchmarks.redaction.corpus import build_corpus
    from benchmarks.redaction.outside.corpus import build

    assert _same([r.text for r in build_corpus(1000)] + [r.text for r in build()]) > 1000
