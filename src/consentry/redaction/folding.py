"""Unicode folding before the scan (issue 16, SPEC §4 "never fail open").

Obfuscated or merely unusual writing must not hide a value from the detectors,
which look at ASCII: ``jane＠example.com``, ``４１１１ １１１１ …``, a no-break or
thin space between digit groups, an en-dash in ``123–45–6789``, a zero-width
space or soft hyphen inside a token, ``раssword=`` with a Cyrillic ``р``.
:func:`fold` rewrites such characters and returns a map back to the original
offsets, so that each replacement covers the original characters:

* zero-width and other format characters (Unicode category Cf: U+200B…U+200F,
  U+2060…U+2064, U+FEFF, U+00AD soft hyphen, bidi controls, tags) are dropped;
* Unicode spaces become a space, line and paragraph separators a newline,
  Unicode dashes and the minus sign a hyphen-minus;
* characters whose compatibility form (NFKC) is ASCII become it: full-width
  forms, mathematical letters and digits, ligatures, superscripts;
* Cyrillic and Greek letters that look like Latin ones become those letters,
  but only inside a word that also holds ASCII letters or digits (a key word
  or token with a confusable in it) or one written in look-alikes only;
  other Russian or Greek words are left alone.

Linear time: one regular-expression pass finds the characters to fold, each
looked up in a cache; where a look-alike occurs at all, one more pass reads the
words (in C) and Python looks only at those holding a non-ASCII character.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

# Characters that may fold: format chars, spaces, dashes, compatibility blocks, confusables.
_CANDIDATES = re.compile(
    "["
    "\u00a0\u00ad\u00b2\u00b3\u00b9\u00bc-\u00be\u034f\u061c\u115f\u1160\u1680\u180e"
    "\u2000-\u206f"  # spaces, zero-widths, dashes, bidi controls, invisible operators
    "\u2070-\u209f\u2100-\u214f\u2160-\u217f\u2212\u2460-\u24ff\u3000\u3164"
    "\ufb00-\ufb06\ufe58\ufe63\ufeff\uff01-\uff5e\uffa0\ufff9-\ufffb"
    "\U0001d400-\U0001d7ff\U000e0000-\U000e007f"
    "]"
)

# Latin look-alikes among Cyrillic and Greek letters (Unicode confusables, the
# ones that are the same glyph in common fonts).
_CONFUSABLES = {
    **dict(zip("асеорхуіјѕԁһԛԝӏ", "aceopxyijsdhqwl", strict=True)),
    **dict(zip("АВЕКМНОРСТХУЅІЈ", "ABEKMHOPCTXYSIJ", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιρνκ", "ABEZHIKMNOPTYXoipvk", strict=True)),
}
_LINE_BREAKS = {"\u2028": "\n", "\u2029": "\n"}
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_WORD_CHAR = re.compile(r"[\w\u00ad\u200b-\u200d\u2060\ufeff-]")
_CONF = "".join(sorted(_CONFUSABLES))
_CONF_ANY = re.compile(f"[{_CONF}]")
# A word: letters, digits, _ and -, and the invisible characters that may hide inside one.
_WORD = re.compile(r"[\w\u00ad\u200b-\u200d\u2060\ufeff-]+")
_ONLY_CONF = re.compile(f"[{_CONF}][{_CONF}_\u00ad\u200b-\u200d\u2060\ufeff]{{2,}}")


@functools.cache
def _fold_char(ch: str) -> str | None:
    """What ``ch`` folds to outside confusable handling; None to keep it."""
    if ch in _LINE_BREAKS:
        return _LINE_BREAKS[ch]
    if ch in _DASHES:
        return "-"
    category = unicodedata.category(ch)
    if category == "Cf" or ch in "\u115f\u1160\u3164\uffa0":  # Hangul fillers are blank
        return ""
    if category == "Zs":
        return " "
    compat = unicodedata.normalize("NFKC", ch)
    if compat != ch and compat.isascii() and compat.isprintable():
        return compat
    return None


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text and the map from its offsets back to the original's."""

    text: str
    # One entry per replaced character, in order: where its replacement starts and
    # ends in the folded text, and where the original character stands.
    _ends: tuple[int, ...]
    _starts: tuple[int, ...]
    _origins: tuple[int, ...]

    def start(self, offset: int) -> int:
        """The original offset of a finding that starts at ``offset`` in the folded text."""
        return self._map(offset, is_end=False)

    def end(self, offset: int) -> int:
        """The original offset of a finding that ends at ``offset`` in the folded text."""
        return self._map(offset, is_end=True)

    def _map(self, offset: int, *, is_end: bool) -> int:
        # Replacements wholly before the offset shift it; one that straddles it
        # (a character folded to two, such as a ligature) is covered whole.
        i = bisect.bisect_right(self._ends, offset)
        if i < len(self._starts) and self._starts[i] < offset:
            return self._origins[i] + (1 if is_end else 0)
        if i == 0:
            return offset
        return self._origins[i - 1] + 1 + (offset - self._ends[i - 1])


def fold(text: str) -> Folded | None:
    """The folded text and its offset map, or None when nothing folds."""
    replaced: dict[int, str] = {}
    for match in _CANDIDATES.finditer(text):
        folded = _fold_char(match.group())
        if folded is not None:
            replaced[match.start()] = folded
    if _CONF_ANY.search(text):
        for word in _WORD.finditer(text):
            chunk = word.group()
            if chunk.isascii() or not _CONF_ANY.search(chunk):
                continue
            if _ASCII_WORD.search(chunk) or _ONLY_CONF.fullmatch(chunk):
                base = word.start()
                for j, ch in enumerate(chunk):
                    if ch in _CONFUSABLES:
                        replaced[base + j] = _CONFUSABLES[ch]
    if not replaced:
        return None
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    origins: list[int] = []
    pos = 0
    length = 0
    for i in sorted(replaced):
        pieces.append(text[pos:i])
        length += i - pos
        rep = replaced[i]
        starts.append(length)
        pieces.append(rep)
        length += len(rep)
        ends.append(length)
        origins.append(i)
        pos = i + 1
    pieces.append(text[pos:])
    return Folded("".join(pieces), tuple(ends), tuple(starts), tuple(origins))
