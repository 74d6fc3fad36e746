"""Obfuscation classes that folding defeats (SPEC §4, issue 16: Unicode folding before the scan).

SPEC §4: the filter finds personal identifiers and secrets however they are
written, never fails open, and runs in linear time. Issue 16 asks that folding
before the scan defeat obfuscation: other scripts' digits, enclosed digits,
combining marks, variation selectors, small forms, look-alike letters and
addresses spelled out; each replacement covers the original characters, and the
compiled and the Python scan give the same findings. Every example is our own;
benchmarks/redaction/obfuscation.py measures the whole matrix.
"""

from __future__ import annotations

import gc
import time
import unicodedata

import pytest

from consentry.redaction import Redactor
from consentry.redaction.foldchars import CANDIDATES, candidate_ranges, fold_char
from consentry.redaction.folding import fold

R = Redactor()
PY = Redactor(native=False)


def _digits(value: str, zero: int) -> str:
    return "".join(chr(zero + int(c)) if c.isdigit() else c for c in value)


def assert_covered(text: str, secret: str, kind: str) -> None:
    """Both scans find ``secret`` whole, of type ``kind``, and agree (SPEC §4)."""
    at = text.index(secret)
    for redactor in (R, PY):
        result = redactor.redact(text)
        spans = [(f.type, f.start, f.end) for f in result.findings]
        assert any(t == kind and s <= at and at + len(secret) <= e for t, s, e in spans), (
            text,
            spans,
        )
        assert secret not in result.text
    assert R.redact(text) == PY.redact(text)


OTHER_DIGITS = [
    ("phone, Arabic-Indic", "call +44 20 7946 0321 now", 0x0660, "+44 20 7946 0321", "PHONE"),
    ("card, Devanagari", "card 4929 3814 7702 5815 ok", 0x0966, "4929 3814 7702 5815", "CARD"),
    ("ssn, Thai", "ssn 536-22-4187 on file", 0x0E50, "536-22-4187", "SSN"),
    ("ip, Extended Arabic-Indic", "host 84.17.203.96 down", 0x06F0, "84.17.203.96", "IP"),
    ("phone, Bengali", "ring +91 98230 11457 today", 0x09E6, "+91 98230 11457", "PHONE"),
]


@pytest.mark.parametrize(
    ("text", "zero", "value", "kind"),
    [case[1:] for case in OTHER_DIGITS],
    ids=[case[0] for case in OTHER_DIGITS],
)
def test_spec4_other_scripts_decimal_digits_fold(
    text: str, zero: int, value: str, kind: str
) -> None:
    obfuscated = _digits(value, zero)
    assert_covered(text.replace(value, obfuscated), obfuscated, kind)


ENCLOSED = [
    ("negative circled", "❺❸❻-❷❷-❹❶❽❼"),
    ("dingbat circled", "➄➂➅-➁➁-➃➀➇➆"),
    ("parenthesised", "⑸⑶⑹-⑵⑵-⑷⑴⑻⑺"),
    ("digit full stop", "⒌⒊⒍-⒉⒉-⒋⒈⒏⒎"),
]


@pytest.mark.parametrize("ssn", [c[1] for c in ENCLOSED], ids=[c[0] for c in ENCLOSED])
def test_spec4_enclosed_digits_fold_to_the_digit(ssn: str) -> None:
    assert_covered(f"my ssn is {ssn} thanks", ssn, "SSN")


def test_spec4_enclosed_digits_drop_their_stops() -> None:
    # "⒎⒎⒋⒈" would read 7.7.4.1. (an address) if the stops stayed.
    assert fold("order ⒎⒎⒋⒈ shipped") is not None
    assert R.redact("order ⒎⒎⒋⒈ shipped").findings == ()


MARKS = [
    ("acute on digits", "\u0301"),
    ("enclosing circle", "\u20dd"),
    ("keycap", "\u20e3"),
    ("long stroke overlay", "\u0336"),
    ("variation selector 16", "\ufe0f"),
    ("variation selector 17", "\U000e0100"),
    ("grapheme joiner", "\u034f"),
    ("Devanagari vowel sign after ASCII", "\u0941"),
]


@pytest.mark.parametrize("mark", [m[1] for m in MARKS], ids=[m[0] for m in MARKS])
def test_spec4_marks_over_characters_are_dropped(mark: str) -> None:
    card = "".join(c + mark if c.isdigit() else c for c in "4929 3814 7702 5815")
    assert_covered(f"paid with {card} today", card, "CARD")
    token = "".join(c + mark for c in "ghp_Rt5Wm2Qx8Lk4Vn7Zp3Hs6Jd9Fb1Gc0Ty2N")
    assert_covered(f"token {token} leaked", token, "SECRET")


def test_script_marks_stay_on_their_own_letters() -> None:
    hindi = "नमस्ते दुनिया"  # virama and vowel signs on Devanagari letters
    assert fold(hindi) is None
    thai = "สวัสดีครับ"
    assert fold(thai) is None


def test_spec4_small_and_fullwidth_forms_of_at_and_stop() -> None:
    for at, stop in (("\ufe6b", "."), ("@", "\ufe52"), ("\ufe6b", "\uff0e")):
        mail = f"lena.moreau{at}relay-mail{stop}fr"
        assert_covered(f"write to {mail} soon", mail, "EMAIL")


@pytest.mark.parametrize("stop", ["\u3002", "\uff61"], ids=["ideographic", "halfwidth"])
def test_spec4_ideographic_full_stops_are_dots(stop: str) -> None:
    # IDNA reads them as the dot between a domain's labels.
    mail = f"lena.moreau@relay-mail{stop}fr"
    assert_covered(f"write to {mail} soon", mail, "EMAIL")
    ip = stop.join(["84", "17", "203", "96"])
    assert_covered(f"host {ip} is down", ip, "IP")


def test_a_sentence_ending_in_an_ideographic_stop_stays_clean() -> None:
    assert R.redact("会議は3時からです。Version 2。Thanks").findings == ()


SPELLED = [
    "lena.moreau (at) relay-mail.fr",
    "lena.moreau[at]relay-mail[dot]fr",
    "lena.moreau {at} relay-mail {dot} fr",
    "lena.moreau <AT> relay-mail <DOT> fr",
    "lena.moreau at relay-mail dot fr",
    "lena.moreau ［at］ relay-mail ［dot］ fr",  # full-width brackets: folded first
]


@pytest.mark.parametrize("mail", SPELLED)
def test_spec4_addresses_spelled_out_are_found(mail: str) -> None:
    assert_covered(f"contact: {mail}, thanks", mail, "EMAIL")


@pytest.mark.parametrize(
    "text",
    [
        "meet at example.org tomorrow",
        "look at the logs at 10 and retry",
        "the price (at) cost was 12",
        "see [at] the end",
        "arrive at 5 dot 30",
    ],
)
def test_prose_with_at_and_dot_is_left_alone(text: str) -> None:
    assert R.redact(text).findings == ()
    assert PY.redact(text).findings == ()


LOOKALIKES = [
    ("Armenian o in a key word", "passwօrd: Bl4ckP3pper!92", "Bl4ckP3pper!92", "PASSWORD"),
    ("script g in a prefix", "ɡhp_Rt5Wm2Qx8Lk4Vn7Zp3Hs6Jd9Fb1Gc0Ty2N", None, "SECRET"),
    ("dotless i in a prefix", "sk_lıve_7Hq2Zr9Lx4Vt8Nm3Kc6WbPq", None, "SECRET"),
    ("Cyrillic key word", "-----BEGIN RSA PRIVATE КЕУ-----", None, "PRIVATE_KEY"),
    (
        "Greek in full-width",
        "ＡＰΙ＿ΚΕＹ＝Ｋｘ８Ｖｎ３Ｌｐ５Ｘｚ７Ｒｔ２Ｗｋ９",
        "Ｋｘ８Ｖｎ３Ｌｐ５Ｘｚ７Ｒｔ２Ｗｋ９",
        "SECRET",
    ),
]


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [c[1:] for c in LOOKALIKES],
    ids=[c[0] for c in LOOKALIKES],
)
def test_spec4_lookalike_letters_fold_inside_words(
    text: str, secret: str | None, kind: str
) -> None:
    body = text if secret is None else secret
    if kind == "PRIVATE_KEY":
        text += "\nMIIEowIBAAKCAQEAx7Qm2Vn8Lp3Xz5Rt9Wk4Jc1uO6aB8dE0fG2hI\n"
        body = "BEGIN"
    assert_covered(f"see {text} here", body, kind)


def test_offsets_cover_the_original_characters() -> None:
    text = "ssn ٥٣٦\u2013٢٢\u2013٤١٨٧ and mail lena (at) relay-mail (dot) fr ok"
    for redactor in (R, PY):
        result = redactor.redact(text)
        assert result.text == "ssn [SSN] and mail [EMAIL] ok"
        assert [text[f.start : f.end] for f in result.findings] == [
            "٥٣٦\u2013٢٢\u2013٤١٨٧",
            "lena (at) relay-mail (dot) fr",
        ]


def test_an_obfuscated_copy_gets_the_plain_copys_pseudonym() -> None:
    keyed = Redactor(pseudonym_key=b"h18")
    plain = keyed.redact("536-22-4187").text
    assert keyed.redact(_digits("536-22-4187", 0x0660)).text == plain
    assert keyed.redact("⑸⑶⑹-⑵⑵-⑷⑴⑻⑺").text == plain


def test_candidate_table_matches_the_unicode_rules() -> None:
    # _foldtable.py is generated; it must hold exactly what fold_char folds here.
    ranges = candidate_ranges()
    for lo, hi in ranges:
        for cp in (lo, hi):
            assert CANDIDATES.fullmatch(chr(cp)), hex(cp)
    from consentry.redaction._foldtable import RANGES
    from consentry.redaction.foldchars import format_ranges

    assert format_ranges(ranges) == RANGES.strip()


def test_every_decimal_digit_folds_to_its_value() -> None:
    for cp in range(0x80, 0x110000):
        ch = chr(cp)
        if unicodedata.category(ch) == "Nd":
            assert fold_char(ch) == str(unicodedata.decimal(ch)), hex(cp)


def _cpu(text: str) -> float:
    best = float("inf")
    gc.disable()
    try:
        for _ in range(3):
            start = time.process_time()
            fold(text)
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best


@pytest.mark.parametrize(
    "unit",
    [" at ", "a (at) b", "x [at] ", "a" * 70 + " (at) ", "a at b dot ", "1\u0941", "é\u0301", "٣ "],
)
def test_spec4_folding_time_grows_linearly(unit: str) -> None:
    n = 40_000
    small, large = unit * (n // len(unit)), unit * (4 * n // len(unit))
    ratios = []
    for _ in range(3):
        ratios.append(_cpu(large) / max(_cpu(small), 2e-3))
        if ratios[-1] < 8:
            return
    pytest.fail(f"folding time grew superlinearly: {ratios}")


@pytest.mark.parametrize("family", ["utf16:le-bytewise", "utf16:be-bytewise"])
def test_spec4_every_matrix_value_in_utf16_read_bytewise_is_found_whole(family: str) -> None:
    # SPEC §4 "never fail open": each value of the obfuscation matrix (every type the
    # filter finds), written in UTF-16 and read one byte a character, in a sentence: both
    # scans find every letter and digit of it, and give the same findings. Negatives so
    # written stay clean.
    from benchmarks.redaction.obfuscation import NEGATIVES, Matrix, _apply
    from benchmarks.redaction.obfuscation_forms import VALUES, transforms

    matrix = Matrix()
    for value in (*VALUES, *NEGATIVES):
        pieces = _apply((transforms()[family],), value)
        assert pieces is not None
        matrix.measure(family, value, pieces)
    assert matrix.misses == []
    assert matrix.disagreements == []
    assert matrix.negative_findings == []
    assert sum(sum(c.values()) for c in matrix.counts.values()) == len(VALUES) + len(NEGATIVES)
