"""What the compiled scan reads off a pattern to skip RE2 where it cannot match.

Two derivations from a pattern's own text (Python's parse of it, which reads the
subset of syntax these patterns use as RE2 does), so no byte is ever hand-listed:

- ``fixed_shape``: a prefilter that is a fixed-length run of byte classes
  (``[A-Za-z0-9_-]{23}\\.[A-Za-z0-9_-]{6}\\.``, the Discord bot token's) as one
  class per position; the compiled scan finds it with ``memchr`` for its rarest
  one-byte position instead of adding it to its ``RE2::Set``.
- ``word_list``: a prefilter ``(?i)word|word|…`` (the headers') as its words, found by
  memchr for each word's rarest byte in either case.
- ``first_bytes``: the bytes a match can start with, so a whole-value test
  (``keyvalues._TEMPLATE``) is skipped for values that start with none of them.

Both answer None for any construct they do not model; the scan then runs RE2.
Issue 16 (speed), docs/bench/redaction.md "Round nine".
"""

from __future__ import annotations

import functools
import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

from .detector import compile_pattern

MAX_SHAPE = 64  # longest fixed shape the scan checks at each anchor (keeps it linear)
_UNICODE = 32  # re.UNICODE, the default flag of a str pattern
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_DIGITS = frozenset(b"0123456789")


@functools.cache
def byte_table(char_class: str) -> bytes:
    """256 flags: which single bytes RE2 matches with ``char_class`` (ASCII classes only)."""
    regex = compile_pattern(char_class)
    table = bytes(b < 0x80 and regex.fullmatch(chr(b)) is not None for b in range(256))
    if any(regex.fullmatch(chr(b)) for b in range(0x80, 0x100)):
        raise ValueError(f"{char_class} matches non-ASCII characters")
    return table


def _class(items: list[tuple[Any, Any]]) -> frozenset[int] | None:
    """The ASCII bytes an ``[...]`` matches exactly, None if it is negated or may match more."""
    out: set[int] = set()
    for op, arg in items:
        if op is sre.LITERAL and arg < 0x80:
            out.add(arg)
        elif op is sre.RANGE and arg[1] < 0x80:
            out.update(range(arg[0], arg[1] + 1))
        elif op is sre.CATEGORY and arg is sre.CATEGORY_WORD:
            out |= _WORD
        elif op is sre.CATEGORY and arg is sre.CATEGORY_DIGIT:
            out |= _DIGITS
        else:
            return None
    return frozenset(out)


def _one(op: Any, arg: Any) -> frozenset[int] | None:
    if op is sre.LITERAL:
        return frozenset((arg,)) if arg < 0x80 else None
    if op is sre.IN:
        return _class(arg)
    return None


def fixed_shape(pattern: str) -> tuple[bytes, ...] | None:
    """One 256-flag table per position of a fixed-length run of ASCII byte classes.

    None unless the pattern is only literals, ``[...]`` classes and ``{n}`` repeats of
    them, no flags, at most ``MAX_SHAPE`` long, with some position of a single byte.
    """
    parsed = _parser.parse(pattern)
    if parsed.state.flags not in (0, _UNICODE):
        return None
    positions: list[frozenset[int]] = []
    for op, arg in parsed.data:
        count, item = 1, (op, arg)
        if op is sre.MAX_REPEAT and arg[0] == arg[1] and len(arg[2].data) == 1:
            count, item = arg[0], arg[2].data[0]
        one = _one(*item)
        if one is None or not one:
            return None
        positions += [one] * count
    if not 0 < len(positions) <= MAX_SHAPE or min(map(len, positions)) != 1:
        return None
    return tuple(bytes(b in p for b in range(256)) for p in positions)


_WORD_LIST = re.compile(r"\(\?i\)([a-z0-9_-]+(?:\|[a-z0-9_-]+)*)")


def word_list(pattern: str) -> tuple[str, ...] | None:
    """The words of a prefilter ``(?i)word|word|…`` of ASCII letters, digits, ``_``, ``-``.

    None for any other pattern, and where a word holds ``k`` or ``s``: under ``(?i)``
    those also match the Kelvin sign and the long s (Unicode simple case folding, in
    RE2 as in Python), which a byte comparison would miss.
    """
    found = _WORD_LIST.fullmatch(pattern)
    if found is None or any(c in found[1] for c in "ks"):
        return None
    return tuple(found[1].split("|"))


def prefilter_check(pattern: str) -> tuple[str, list[bytes]] | None:
    """How the compiled scan checks a prefilter without its RE2::Set: ``("shape", tables)``
    (``fixed_shape``), ``("words", words)`` (``word_list``), or None (only RE2 can)."""
    if (shape := fixed_shape(pattern)) is not None:
        return "shape", list(shape)
    if (words := word_list(pattern)) is not None:
        return "words", [w.encode() for w in words]
    return None


def _first(items: list[tuple[Any, Any]]) -> tuple[set[int], bool] | None:
    """(bytes a match of this sequence can start with, whether it can match empty)."""
    out: set[int] = set()
    for op, arg in items:
        if op is sre.AT:
            continue  # zero-width: adds no byte
        if op is sre.BRANCH:
            parts = [_first(branch.data) for branch in arg[1]]
            if any(p is None for p in parts):
                return None
            out.update(*(p[0] for p in parts if p))
            nullable = any(p[1] for p in parts if p)
        elif op is sre.SUBPATTERN and not arg[1] and not arg[2]:
            inner = _first(arg[3].data)
            if inner is None:
                return None
            out |= inner[0]
            nullable = inner[1]
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            inner = _first(arg[2].data)
            if inner is None:
                return None
            out |= inner[0]
            nullable = arg[0] == 0 or inner[1]
        elif op in (sre.LITERAL, sre.IN):
            exact = _one(op, arg)
            out |= set(range(256)) if exact is None else exact  # a superset is safe
            nullable = False
        elif op in (sre.ANY, sre.NOT_LITERAL):
            out |= set(range(256))
            nullable = False
        else:
            return None
        if not nullable:
            return out, False
    return out, True


def first_bytes(pattern: bytes) -> bytes | None:
    """256 flags: the bytes a non-empty match of ``pattern`` can start with.

    None where it is not known (a flag, a construct not modelled) or the pattern can match
    the empty string; a byte without its flag starts no match.
    """
    parsed = _parser.parse(pattern)
    first = None if parsed.state.flags else _first(parsed.data)
    if first is None or first[1]:
        return None
    return bytes(b in first[0] for b in range(256))
