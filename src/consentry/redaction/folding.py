"""Unicode folding before the scan (issue 16, SPEC §4 "never fail open").

Obfuscated or merely unusual writing must not hide a value from the detectors,
which look at ASCII: ``jane＠example.com``, ``４１１１ １１１１ …``, ``٤١١١`` in
Arabic-Indic digits, a no-break or thin space between digit groups, an en-dash in
``123–45–6789``, a zero-width space, soft hyphen, bidi mark or combining accent
inside a token, ``раssword=`` with a Cyrillic ``р``, ``jane (at) example (dot)
com``. :func:`fold` rewrites such characters and returns a map back to the
original offsets, so that each replacement covers the original characters.
It folds in two steps:

* each character by its Unicode properties (:mod:`.foldchars`): format
  characters, variation selectors and combining marks dropped, spaces, line
  breaks and dashes made ASCII, decimal digits of every script and enclosed
  digits made ASCII digits, compatibility forms (NFKC) that are ASCII taken;
* then, on that text, words: Cyrillic, Greek and other letters that look like
  Latin ones become those letters, but only inside a word that also holds
  ASCII letters or digits (a key word or token with a confusable in it) or one
  written in look-alikes only (other Russian or Greek words are left alone); an
  ideographic full stop between ASCII letters or digits becomes a full stop; and
  an address spelled out gets its ``@`` and dots (:mod:`.mailspelling`).

Text written in UTF-16 and read as one byte a character (``strings -el``, a PowerShell
redirect shown raw, an attachment) has a NUL after (or before) each ASCII character:
in a run of four such pairs or more every NUL is dropped, with the characters. A single
NUL between fields (``/proc/…/environ``, ``find -print0``) is not part of such a run.

Not folded: a line break inside a value (``4111 1111⏎1111 1111``). A line break
ends a line, and lines hold unrelated values (a list of numbers, one a line);
joining them would make card numbers and tokens out of neighbours.

Linear time: one regular-expression pass finds the characters to fold, each
looked up in a cache; where a look-alike occurs at all, one more pass reads the
words (in C) and Python looks only at those holding a non-ASCII character;
spelled addresses cost a few substring tests unless the text holds one.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .foldchars import CANDIDATES, DROP, SCRIPT_MARK, fold_char
from .mailspelling import spelled_addresses

# Latin look-alikes among Cyrillic, Greek and other letters (Unicode confusables,
# the ones that are the same glyph in common fonts).
_CONFUSABLES = {
    **dict(zip("асеорхуіјѕԁһԛԝӏ", "aceopxyijsdhqwl", strict=True)),
    **dict(zip("АВЕКМНОРСТХУЅІЈ", "ABEKMHOPCTXYSIJ", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιρνκ", "ABEZHIKMNOPTYXoipvk", strict=True)),
    **dict(zip("ѵϲϳυαԚԜӀϹͿ", "vcjuaQWICJ", strict=True)),
    # Armenian and Latin letters of the same glyph (օ ս ո հ ց զ; script g, dotless i).
    **dict(zip("օսոհցզɡıɑɩ", "ounhgqgiai", strict=True)),
}
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_CONF = "".join(sorted(_CONFUSABLES))
_CONF_ANY = re.compile(f"[{_CONF}]")
# A word: letters, digits, _ and -, and the invisible characters that may hide inside one.
_WORD = re.compile(r"[\w\u00ad\u200b-\u200d\u2060\ufeff-]+")
# An ideographic full stop before an ASCII letter or digit (and, checked in Python, after
# one): a domain's or an address's dot (IDNA reads it so: ``mailhost。net``, ``84。17``),
# not the end of a Japanese sentence. A stop leads the pattern, so re skips to it quickly.
_IDEOGRAPHIC_STOP = re.compile(r"[\u3002\uff61](?=[A-Za-z0-9])")
# UTF-16 read byte by byte: a NUL after each character (little-endian) or before it.
_INTERLEAVED = re.compile(r"\x00?(?:[^\x00]\x00){4,}")
_ONLY_CONF = re.compile(f"[{_CONF}][{_CONF}_\u00ad\u200b-\u200d\u2060\ufeff-]{{2,}}")

# Replacements by original offset: (folded text, how many original characters it replaces).
_Replaced = dict[int, tuple[str, int]]


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text and the map from its offsets back to the original's."""

    text: str
    # One entry per replacement, in order: where it starts and ends in the folded
    # text, and where the original characters it replaces start and end.
    _ends: tuple[int, ...]
    _starts: tuple[int, ...]
    _origins: tuple[int, ...]
    _origin_ends: tuple[int, ...]
    # The fold before this one, when folding took two steps (characters, then words).
    _before: Folded | None = None

    def start(self, offset: int) -> int:
        """The original offset of a finding that starts at ``offset`` in the folded text."""
        at = self._map(offset, is_end=False)
        return at if self._before is None else self._before.start(at)

    def end(self, offset: int) -> int:
        """The original offset of a finding that ends at ``offset`` in the folded text."""
        at = self._map(offset, is_end=True)
        return at if self._before is None else self._before.end(at)

    def _map(self, offset: int, *, is_end: bool) -> int:
        # Replacements wholly before the offset shift it; one that straddles it
        # (a character folded to two, such as a ligature) is covered whole.
        i = bisect.bisect_right(self._ends, offset)
        if i < len(self._starts) and self._starts[i] < offset:
            return self._origin_ends[i] if is_end else self._origins[i]
        if i == 0:
            return offset
        return self._origin_ends[i - 1] + (offset - self._ends[i - 1])


def fold(text: str) -> Folded | None:
    """The folded text and its offset map, or None when nothing folds.

    Two steps: characters fold one by one; then, on the result, look-alike
    letters fold inside words, an ideographic full stop between ASCII letters or
    digits becomes a full stop, and spelled-out addresses (``jane (at) example
    (dot) org``, :mod:`.mailspelling`) get their ``@`` and dots back. ASCII text
    folds only in the second step.
    """
    chars: Folded | None = None
    nul = "\x00" in text
    if nul or not text.isascii():
        replaced: _Replaced = {}
        if nul:
            _drop_interleaved(text, replaced)
        if not text.isascii():
            _fold_chars(text, replaced)
        if replaced:
            chars = _build(text, replaced)
            text = chars.text
    words: _Replaced = {}
    if not text.isascii():
        if _CONF_ANY.search(text):
            _fold_confusables(text, words)
        if "\u3002" in text or "\uff61" in text:
            for stop in _IDEOGRAPHIC_STOP.finditer(text):
                i = stop.start()
                if i and text[i - 1].isascii() and text[i - 1].isalnum():
                    words[i] = (".", 1)
    # Look-alikes and stops fold one for one, so the offsets of the text they give are the same.
    spelled = _with(text, words) if words else text
    for start, end, rep in spelled_addresses(spelled):
        words[start] = (rep, end - start)
    if not words:
        return chars
    return _build(text, words, chars)


def _drop_interleaved(text: str, replaced: _Replaced) -> None:
    for run in _INTERLEAVED.finditer(text):
        for i in range(run.start(), run.end()):
            if text[i] == "\x00":
                replaced[i] = (DROP, 1)


def _fold_chars(text: str, replaced: _Replaced) -> None:
    for match in CANDIDATES.finditer(text):
        i = match.start()
        folded = fold_char(match.group())
        if folded is None:
            continue
        if folded == SCRIPT_MARK:
            # A script's own mark stays on its letters; after ASCII it is a disguise.
            before = text[i - 1] if i else " "
            if not ("!" <= before <= "~" or i - 1 in replaced):
                continue
            folded = DROP
        replaced[i] = (folded, 1)


def _fold_confusables(text: str, replaced: _Replaced) -> None:
    for word in _WORD.finditer(text):
        chunk = word.group()
        if chunk.isascii() or not _CONF_ANY.search(chunk):
            continue
        if _ASCII_WORD.search(chunk) or _ONLY_CONF.fullmatch(chunk):
            base = word.start()
            for j, ch in enumerate(chunk):
                if ch in _CONFUSABLES:
                    replaced[base + j] = (_CONFUSABLES[ch], 1)


def _with(text: str, same_width: _Replaced) -> str:
    chars = list(text)
    for i, (rep, _) in same_width.items():
        chars[i] = rep
    return "".join(chars)


def _build(text: str, replaced: _Replaced, before: Folded | None = None) -> Folded:
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    origins: list[int] = []
    origin_ends: list[int] = []
    pos = 0
    length = 0
    for i in sorted(replaced):
        if i < pos:
            continue  # inside a longer replacement before it
        rep, width = replaced[i]
        pieces.append(text[pos:i])
        length += i - pos
        starts.append(length)
        pieces.append(rep)
        length += len(rep)
        ends.append(length)
        origins.append(i)
        pos = i + width
        origin_ends.append(pos)
    pieces.append(text[pos:])
    return Folded(
        "".join(pieces), tuple(ends), tuple(starts), tuple(origins), tuple(origin_ends), before
    )
