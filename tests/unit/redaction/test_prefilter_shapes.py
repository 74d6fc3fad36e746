"""Prefilters checked by their shape instead of in the RE2::Set (issue 16, speed; SPEC §4).

``pattern_shapes.fixed_shape`` reads a fixed-length run of byte classes off a prefilter
(the Discord bot token's ``[A-Za-z0-9_-]{23}\\.[A-Za-z0-9_-]{6}\\.``); the compiled scan
finds it with memchr and byte tables. A prefilter gates its detector, so a shape that
misses an occurrence would drop that detector's findings: the check must say present
exactly where RE2 finds the pattern.
"""

from __future__ import annotations

import random

import pytest
import re2

from consentry.redaction import _native, credentials, native, pattern_shapes
from consentry.redaction.keyvalues import _TEMPLATE
from consentry.redaction.model import Finding

DISCORD = r"[A-Za-z0-9_-]{23}\.[A-Za-z0-9_-]{6}\."
SHAPES = [DISCORD, r"[0-9]{16}:", r"_[0-9][A-Za-z0-9]{20}", r"[0-9]{3}\.[0-9]{2}\.[0-9]{4}"]


def _texts(pattern: str, seed: int, count: int) -> list[str]:
    """Occurrences drawn from the shape's own classes, some bytes then changed, cut short
    or doubled, with context around them: hits, near misses, hits at either end."""
    shape = pattern_shapes.fixed_shape(pattern)
    assert shape is not None
    classes = [[chr(b) for b in range(128) if table[b]] for table in shape]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        hit = [rng.choice(c) for c in classes]
        for _ in range(rng.choice([0, 0, 1, 2])):
            hit[rng.randrange(len(hit))] = rng.choice(".:-_ aZ9é\n")
        body = "".join(hit)
        body = rng.choice(
            [body, body[rng.randrange(len(body)) :], body[: rng.randrange(len(body))]]
        )
        before = "".join(rng.choice("a9_.- é") for _ in range(rng.randrange(0, 4)))
        after = "".join(rng.choice("a9_.- :é") for _ in range(rng.randrange(0, 4)))
        out.append(before + body + rng.choice(["", body[:7]]) + after)
    return out


def _matches(shape: tuple[bytes, ...], data: bytes) -> bool:
    n = len(shape)
    return any(all(shape[j][data[i + j]] for j in range(n)) for i in range(len(data) - n + 1))


def test_the_shapes_read_off_the_patterns() -> None:
    """Each position's class is the pattern's: same answer as RE2 on 4,000 near misses."""
    for pattern in SHAPES:
        shape = pattern_shapes.fixed_shape(pattern)
        assert shape is not None, pattern
        regex = re2.compile(pattern)
        hits = 0
        for text in _texts(pattern, 16, 4000):
            data = text.encode()
            found = regex.search(text) is not None
            assert _matches(shape, data) == found, (pattern, text)
            hits += found
        assert 400 < hits < 3600, pattern
    assert len(pattern_shapes.fixed_shape(DISCORD) or ()) == 31


@pytest.mark.parametrize(
    "pattern",
    [r"(?i)ssn", r"[0-9]{1,3}\.", r"[^a]{3}\.", r"a|b", r"\d\s.", r"[a-z]{80}\.", r"[a-z]{4}"],
)
def test_no_shape_where_the_pattern_is_not_one(pattern: str) -> None:
    """Flags, ranges of lengths, negated classes, alternations, \\s and '.', over-long or
    without a one-byte position: the prefilter stays in the Set."""
    assert pattern_shapes.fixed_shape(pattern) is None


def test_every_shaped_prefilter_is_set_gated_and_has_a_check() -> None:
    for pattern in native.SHAPED:
        assert pattern in native.SET_GATED
        assert pattern_shapes.prefilter_check(pattern) is not None


@pytest.mark.usefixtures("compiled_scan")
@pytest.mark.parametrize("pattern", SHAPES)
def test_the_compiled_check_gates_exactly_where_re2_finds_it(pattern: str) -> None:
    """A detector of the prefilter itself, gated by its shape, finds what it finds ungated:
    near misses, hits at the very start and end of the text, and non-ASCII around them."""
    assert _native is not None
    spec = ("pattern", "SECRET", 1, pattern, [], "", False)
    shape = pattern_shapes.fixed_shape(pattern)
    gated = _native.Engine(
        [spec], native._tables() | {"prefilters": [(0, pattern, shape)]},
        credentials.jwt_header_ok, Finding,
    )  # fmt: skip
    plain = _native.Engine([spec], native._tables(), credentials.jwt_header_ok, Finding)
    texts = _texts(pattern, 7, 3000)
    found = absent = 0
    for text in texts:
        data = text.encode()
        got = gated.candidates(data)
        assert got == plain.candidates(data), text
        found += bool(got)
        absent += not got
    assert found > 300 and absent > 300


def test_the_templates_first_bytes_read_off_the_pattern() -> None:
    """Every byte that can start a template is flagged: each template with its first byte
    replaced by each of the 256 bytes still matches only where that byte is flagged."""
    table = pattern_shapes.first_bytes(_TEMPLATE.pattern)
    assert table is not None
    assert {b for b in range(256) if table[b]} == set(b"#$%<?[{")
    examples = [b"${A}", b"{{ a }}", b"{a.b}", b"%(a)s", b"<a>", b"#{a}", b"$a", b"%a%", b"%d"]
    examples += [b"??", b"[A B]", b"{ab}", b"{{a}}"]
    for example in examples:
        assert _TEMPLATE.fullmatch(example), example
        for b in range(256):
            if _TEMPLATE.fullmatch(bytes([b]) + example[1:]):
                assert table[b], (b, example)


@pytest.mark.parametrize(
    "pattern", [rb"a*", rb"(?i)ab", rb"(?=a)ab", rb"a|", rb"(a?)\1b", rb"(?:x?)*"]
)
def test_no_first_bytes_where_not_known(pattern: bytes) -> None:
    """An empty match, a flag, a look-ahead or a back-reference: no table, RE2 decides."""
    assert pattern_shapes.first_bytes(pattern) is None


def test_first_bytes_through_groups_and_optional_parts() -> None:
    table = pattern_shapes.first_bytes(rb"(?:a?|b)?\bc[d-f]|[0-9]x")
    assert table is not None
    assert {b for b in range(256) if table[b]} == set(b"abc0123456789")


HEADER = r"(?i)authorization|bearer|x-"


def test_the_header_words_read_off_the_pattern() -> None:
    assert pattern_shapes.word_list(HEADER) == ("authorization", "bearer", "x-")
    for pattern in [r"(?i)ssn|bearer", r"(?i)key", r"authorization|bearer", r"(?i)a b", r"(?i)a|"]:
        assert pattern_shapes.word_list(pattern) is None, pattern  # k, s: Kelvin sign, long s


def _word_texts(seed: int, count: int) -> list[str]:
    """Words in random case, whole, cut, with a byte changed (ASCII or not), in context."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        word = "".join(c.upper() if rng.random() < 0.3 else c for c in rng.choice(_WORDS))
        if rng.random() < 0.4:
            i = rng.randrange(len(word))
            word = word[:i] + rng.choice(["", "ı", "İ", "é", "-", "r", "X"]) + word[i + 1 :]
        before = "".join(rng.choice("ab x-:é") for _ in range(rng.randrange(0, 4)))
        after = "".join(rng.choice("ab x-:é") for _ in range(rng.randrange(0, 4)))
        out.append(before + word + after)
    return out


_WORDS = ["authorization", "bearer", "x-", "Proxy-Authorization", "X-Api-Key"]


@pytest.mark.usefixtures("compiled_scan")
def test_the_compiled_word_check_gates_exactly_where_re2_finds_them() -> None:
    """SPEC §4: the headers' detector is gated by its words; the check must say present
    exactly where RE2 (?i) finds one, in any case, at either end of the text."""
    assert _native is not None
    spec = ("pattern", "SECRET", 1, HEADER, [], "", False)
    check = pattern_shapes.prefilter_check(HEADER)
    assert check is not None and check[0] == "words"
    gated = _native.Engine(
        [spec], native._tables() | {"prefilters": [(0, HEADER, check)]},
        credentials.jwt_header_ok, Finding,
    )  # fmt: skip
    plain = _native.Engine([spec], native._tables(), credentials.jwt_header_ok, Finding)
    found = absent = 0
    for text in _word_texts(5, 4000):
        data = text.encode()
        got = gated.candidates(data)
        assert got == plain.candidates(data), text
        found += bool(got)
        absent += not got
    assert found > 500 and absent > 300
