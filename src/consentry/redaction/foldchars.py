"""What each character folds to before the scan (issue 16, SPEC §4), for :mod:`.folding`.

The rules, by Unicode property, so that a whole class folds and not only the
characters someone thought of:

* format characters (Cf: zero-widths, soft hyphen, bidi marks and isolates, tags,
  BOM), the Hangul fillers and variation selectors are dropped;
* combining marks are dropped: those of the generic blocks (accents, overlays,
  enclosing circles and keycaps, half marks) wherever they stand, a script's own
  marks (an Indic vowel sign, an Arabic vowel) only after a visible ASCII
  character or a folded one, so that they stay on their script's letters;
* spaces (Zs) become a space, line breaks (U+2028, U+2029) a newline, dashes
  (Pd and the minus signs) a hyphen-minus;
* decimal digits of every script (Nd: Arabic-Indic, Devanagari, Thai...), which
  NFKC leaves alone, become ASCII digits; so do circled and parenthesised digits
  and numbers (``❶``, ``⑴``, ``⒈``: the number without its brackets or stop);
* characters whose compatibility form (NFKC) is ASCII become it: full-width and
  small forms, mathematical letters and digits, super- and subscripts, ligatures.

:data:`CANDIDATES` matches exactly the characters that may fold; the ranges are
generated from this module's rules (``python -m consentry.redaction.foldchars``
prints them) and a test checks them against the running Python's Unicode tables.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# NEL (U+0085) stays: a C1 control, kept as it was; folded, a value it splits ends there.
_LINE_BREAKS = frozenset("\u2028\u2029")
_HANGUL_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
# Dashes that are not in category Pd.
_OTHER_DASHES = frozenset("\u2043\u2212\u207b\u208b")
# Combining marks of no script: dropped wherever they stand.
_GENERIC_MARKS = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
                  (0xFE20, 0xFE2F))  # fmt: skip
# Variation selectors (Mn; the Mongolian ones are Mn too): dropped wherever they stand.
_SELECTORS = ((0x180B, 0x180F), (0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
_ENCLOSED_NAME = re.compile(r"CIRCLED|PARENTHESIZED|FULL STOP|COMMA|DIGIT")
_ENCLOSED = re.compile(r"\(?([0-9]+|[A-Za-z])\)?[.,]?")

# Drop the character wherever it stands.
DROP = ""
# A script's combining mark: dropped only after a visible ASCII character or a folded one.
SCRIPT_MARK = "\x00"


def _within(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


@functools.cache
def fold_char(ch: str) -> str | None:
    """What ``ch`` folds to (ASCII, :data:`DROP` or :data:`SCRIPT_MARK`); None to keep it."""
    if ch in _LINE_BREAKS:
        return "\n"
    category = unicodedata.category(ch)
    if category == "Pd" or ch in _OTHER_DASHES:
        return "-"
    if category == "Cf" or ch in _HANGUL_FILLERS:
        return DROP
    if category in ("Mn", "Me"):
        cp = ord(ch)
        return DROP if _within(cp, _GENERIC_MARKS) or _within(cp, _SELECTORS) else SCRIPT_MARK
    if category == "Zs":
        return " "
    if category == "Nd":
        return str(unicodedata.decimal(ch))
    return _compatible(ch, category)


def _compatible(ch: str, category: str) -> str | None:
    compat = unicodedata.normalize("NFKC", ch)
    if compat != ch and compat.isascii() and compat.isprintable():
        enclosed = _ENCLOSED.fullmatch(compat) if category in ("No", "So") else None
        return enclosed.group(1) if enclosed else compat
    if category == "No" and _ENCLOSED_NAME.search(unicodedata.name(ch, "")):
        number = unicodedata.numeric(ch, -1.0)
        if number >= 0 and number == int(number):
            return str(int(number))
    return None


def candidate_ranges() -> list[tuple[int, int]]:
    """The code point ranges of every character :func:`fold_char` folds (about 0.5 s)."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x80, 0x110000):
        if 0xD800 <= cp <= 0xDFFF or fold_char.__wrapped__(chr(cp)) is None:
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return ranges


def _class(table: str) -> str:
    """A class of the ranges of ``table`` in the BMP, and of any astral character.

    The BMP part compiles to one bitmap, a test per character; astral ranges would
    be tested one by one, so the class takes every astral character (rare in text)
    and :func:`fold_char` keeps those that do not fold.
    """
    parts = []
    for item in table.split():
        first, _, last = item.partition("-")
        lo, hi = int(first, 16), int(last or first, 16)
        if lo <= 0xFFFF:
            parts.append(f"\\u{lo:04x}-\\u{min(hi, 0xFFFF):04x}")
    return "[" + "".join(parts) + "\\U00010000-\\U0010ffff]"


def format_ranges(ranges: list[tuple[int, int]]) -> str:
    """``ranges`` as :data:`RANGES` writes them, eight to a line."""
    items = [f"{lo:x}" if lo == hi else f"{lo:x}-{hi:x}" for lo, hi in ranges]
    return "\n".join(" ".join(items[i : i + 8]) for i in range(0, len(items), 8))


from ._foldtable import RANGES  # noqa: E402 - the generated table, after the rules

CANDIDATES = re.compile(_class(RANGES))


if __name__ == "__main__":
    print(format_ranges(candidate_ranges()))
