"""E-mail addresses spelled out to dodge filters (issue 16, SPEC §4), for :mod:`.folding`.

``jane.doe (at) example.org``, ``jane.doe[at]example[dot]org``,
``jane.doe {at} example {dot} org`` and ``jane.doe at example dot org`` are
addresses, and so is one with its ``@`` written and only a dot spelled
(``jane.doe@example[dot]org``, ``jane.doe@example dot org``).
:func:`spelled_addresses` finds the spelled ``at`` and ``dot`` of such an address
so that folding writes ``@`` and ``.`` in their place and the e-mail detector
sees the address (and judges its domain). The bare words need a
spelled ``dot`` too (``jane at example dot org``), so that prose such as
``meet at example.org`` is left alone.

Linear time: one RE2 pass tells whether the text may hold one at all; then one
pass finds each spelled ``at``; the local part is read back at most 64
characters, the domain forward, and a domain ends at the next ``at``.
"""

from __future__ import annotations

import re

from .detector import UNANCHORED, compile_pattern, raw_matcher

_OPEN = r"[\[\(\{<]"
_CLOSE = r"[\]\)\}>]"
_AT = re.compile(rf"(?: ?{_OPEN} ?(?:at|AT|At) ?{_CLOSE} ?)| (?:at|AT) |@")
_DOT_WORD = rf"(?: ?{_OPEN} ?(?:dot|DOT|Dot) ?{_CLOSE} ?| (?:dot|DOT) )"
_DOMAIN = re.compile(rf"[A-Za-z0-9-]{{1,63}}(?:(?:{_DOT_WORD}|\.)[A-Za-z0-9-]{{1,63}}){{1,8}}")
_DOT = re.compile(rf"{_DOT_WORD}|\.")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
# Text this does not match spells no address: most text stops here, after one RE2 pass
# (the compiled Match itself: the wrapper's search cost more than the pass).
_GATE = raw_matcher(compile_pattern(r"(?i)[\[\(\{<] ?(?:at|dot) ?[\]\)\}>]| dot "))


def spelled_addresses(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, "@" or ".")`` for each spelled separator of an address in ``text``."""
    found: list[tuple[int, int, str]] = []
    if not _may_spell(text):
        return found
    for at in _AT.finditer(text):
        domain = _DOMAIN.match(text, at.end(), at.end() + 512)
        if domain is None or not _has_local_part(text, at.start()):
            continue
        spelled = [d for d in _DOT.finditer(text, domain.start(), domain.end()) if d.group() != "."]
        if at.group().strip() in ("at", "AT", "@") and not spelled:
            continue  # "meet at example.org": prose; "a@b.org": nothing spelled
        if at.group() != "@":
            found.append((at.start(), at.end(), "@"))
        found += [(d.start(), d.end(), ".") for d in spelled]
    return found


def _may_spell(text: str) -> bool:
    """False when ``text`` surely spells no address."""
    data = text.encode("utf-8", "surrogatepass")
    return _GATE(UNANCHORED, data, 0, len(data))[0][0] >= 0


def _has_local_part(text: str, end: int) -> bool:
    """Whether 1 to 64 characters of a local part end at ``end``, after none."""
    i = end
    while i > 0 and text[i - 1] in _LOCAL_CHARS:
        i -= 1
        if end - i > 64:
            return False
    return i < end
