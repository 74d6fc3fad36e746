"""The compiled scan of the second e-mail detector (mailboxes.py): regions and gate.

SPEC §4 (e-mail addresses, in every spelling RFC 5322 and RFC 6531 allow) and issue
16 (the filter's speed): the compiled scan searches the mailboxes pattern only in its
regions (runs of the bytes an unquoted address can hold around each ``@``; from the
start of the line where a quoted local part ends in ``"@``) and rejects in C++ the
matches whose domain or URL rules fail, before calling ``mailboxes._mailbox`` back.
Both must leave its candidates exactly as the Python detector's, and switch off when
the pattern or the validator changes (REGION_RULES, GATE_PINS, GATE_HELPERS).
"""

from __future__ import annotations

import random

import pytest

from consentry.redaction import _native, credentials, mailboxes, native
from consentry.redaction.detector import RawCandidate
from consentry.redaction.model import Finding

pytestmark = pytest.mark.usefixtures("compiled_scan")

DETECTOR = mailboxes.DETECTORS[0]

# Each rule at its edge (my own examples): quoted local parts with "@", "\\", spaces and
# an escaped quote, on one line and across lines; several addresses on one line; URLs'
# user information; file-name and numeric top-level labels; "xn--"; non-Latin scripts.
EDGES = [
    "INSERT INTO t VALUES ('\"foo\\@bar\"@example.com');",
    'a@b.co "x y"@example.org and "a@b c"@example.net',
    'first ana@mail.example.org then "quoted name"@example.com',
    '"line one\n"@example.com and "two"@example.com',
    '"cr\r"@example.com',
    'x \\"esc\\"@example.com y',
    "user+mailbox/department=shipping@example.tld o'brien@example.ie",
    "postgres://app:s3cretpw@db.internal:5432/db and see me@example.com",
    "https://example.com/?email=user@example.com&x=1",
    "https://example.com/a b@example.org",
    "http://h/p?x=1&email=ann@example.com; mailto://ann@example.com :..a@b.com",
    "--to=ann@example.com --E-MAIL=x@y.org key=-=ann@example.com data=ann@example.com",
    "a.@b.com .a@b.com ..@b.com a@B.COM a@b.Co1 a@b.x x@ab.C",
    "image@2x.png icon@3x.webp a@b.c a@b.c0 a@b.xn--p1ai a@b.xn--p",
    "a@-b.com a@b-.com a@" + "b" * 64 + ".com a@..com",
    "राम@मोहन.ईन्फो and 用户@例子.广告",
    "*@x.com %@x.com '!@x.com !#$@x.com",
    "!joe@x.org *bob@x.com* '*joe@x.org' {a@b.com} |c@d.org| ~~e@f.net~~ `g@h.io` {{i@j.com}}",
    "~k@l.com\x1c =m@n.org\x0b ?o@p.org}}}}}}}}} &q@r.org.*;|~`!#$ ^s@t.org,",
    "a@b_c.example.com a@b_c.com a@x.b_c d@e.com_f _@_._ a@_x.y.org a@b.c_d.e_f.org",
    "@example.com a@@b.com a@b@c.com",
    "",
]
FRAGMENTS = [
    "@", '"', "\\", "\n", "\r", " ", ".", "-", "a", "Z", "9", "://", "/", "=", "'", "é",
    "ा", "x.com", ".png", "xn--", "mail=", "?", "&", "#", ":", "_", "+", "\t", "\u00a0",
    ";", "..", "?email=", "&Reply-To=", "--to=", "x:", "://u", "http://h/", "*", "!#",
    "ann@", "@ex.org", '"@mail.example.net', "b.o'neil", "राम@",
    "{", "}", "|", "~", "`", "**", "\x1c", "\x0b", "^", "$", "a_b.", "_x.com",
]  # fmt: skip


def _engine(regional: bool, gated: bool) -> object:
    """The mailboxes detector alone, with or without its region rule and its gate."""
    spec = native._spec(DETECTOR)
    assert spec is not None
    if not gated:
        spec = (*spec[:8], "", [])
    tables = native._tables(None, None, native.region_tables([DETECTOR]) if regional else None)
    return _native.Engine([spec], tables, credentials.jwt_header_ok, Finding)


def _python(data: bytes) -> list[RawCandidate]:
    out: list[RawCandidate] = []
    DETECTOR.collect(data, out)
    return out


def test_the_region_rule_and_the_gate_are_on() -> None:
    """SPEC §4 e-mail addresses: a changed pattern or validator turns them off until
    they are checked again (then update REGION_RULES, GATE_PINS, GATE_HELPERS)."""
    assert native.region_tables([DETECTOR]) == [(0, "mailbox")], (
        f"the mailboxes pattern changed (digest {native.pattern_digest(DETECTOR.regex.pattern)})"
    )
    spec = native._spec(DETECTOR)
    assert spec is not None and spec[8] == "mailbox", "mailboxes._mailbox or a helper changed"


@pytest.mark.parametrize("text", EDGES)
def test_regions_and_gate_find_what_the_python_detector_finds(text: str) -> None:
    """SPEC §4 e-mail addresses: the same candidates at every rule's edge."""
    data = text.encode()
    expected = _python(data)
    for regional, gated in ((True, True), (True, False), (False, True)):
        found = _engine(regional, gated).candidates(data)  # type: ignore[attr-defined]
        assert [tuple(c)[:2] for c in found] == [c[:2] for c in expected], (regional, gated)


def test_regions_and_gate_on_generated_text() -> None:
    """SPEC §4 e-mail addresses: the same candidates on 10,000 seeded random texts built
    of quotes, at signs, line ends, URL parts and address pieces."""
    engine = _engine(regional=True, gated=True)
    rng = random.Random(16)
    found_any = 0
    for _ in range(10_000):
        text = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(0, 40)))
        data = text.encode()
        expected = _python(data)
        found = engine.candidates(data)  # type: ignore[attr-defined]
        assert [tuple(c)[:2] for c in found] == [c[:2] for c in expected], text
        found_any += bool(expected)
    assert found_any > 1000  # the texts hold addresses, not only misses
