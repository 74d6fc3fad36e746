"""IP addresses with a prefix length or a zone id, and IPv6's short forms (issue 16).

SPEC §4 names IP addresses. The address detectors of :mod:`.pii` find
``192.168.1.0`` and ``2001:db8::1``; these find what other projects' tests label
as one value and the address detectors left in part or not at all:

* a CIDR block, ``192.168.1.0/24`` or ``2001:db8::/32``: the prefix length is
  part of the value (a finding that stops before ``/24`` leaks it);
* a zone id, ``fe80::1%eth0``: part of the value too;
* IPv6's short forms ``::``, ``::1``, ``::192.168.1.1``, ``::ffff:10.0.0.1``.

The short forms are also how code is written (``std::vector``, ``xs[::2]``,
``x :: Int``, ``::add(1)``), so context decides: the value must not touch a
word, a colon or a dot-and-digit on either side; a slice (``[`` after a name)
is not an address; ``::`` alone is an address only as a whole value (quoted,
bracketed, at the start of a line or after a label's colon, and ending the
value), and a short form made of one or two groups of letters only
(``::add``, ``::face``) only with a prefix length, a zone or an IPv4 tail.
Each value is then checked by :mod:`ipaddress`.
"""

from __future__ import annotations

import ipaddress

from .detector import PatternDetector, byte_at, byte_before, compile_pattern, is_word_byte
from .model import IP

RANK = 44  # pii.RANK[IP]

_DIGIT = frozenset(b"0123456789")
_HEX_LETTERS = frozenset(b"abcdefABCDEF")
_OPEN = frozenset(b"'\"`([{<=\n\t")
_CLOSE = frozenset(b"'\"`)]}>,;\r\n\t")


def _ipv4_block(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``192.168.1.0/24``: a valid address, a prefix length of 0-32."""
    if not _free(data, start, end):
        return None
    address, _, prefix = data[start:end].partition(b"/")
    try:
        ipaddress.IPv4Address(address.decode("ascii"))
    except ValueError:
        return None
    context = data[max(0, start - 10) : start].lower()
    if context.endswith((b"v", b"==", b">=", b"<=", b"~=")) or b"version" in context:
        return None  # v1.2.3.4/5, requests==1.2.3.4/…
    return (start, end) if int(prefix) <= 32 else None


def _free(data: bytes, start: int, end: int) -> bool:
    """Nothing glued on: no word, colon or dot before; no word, colon, slash or .digit after."""
    before, after = byte_before(data, start), byte_at(data, end)
    if is_word_byte(before) or before in b":./" or is_word_byte(after) or after in b":/":
        return False
    return not (after == 0x2E and byte_at(data, end + 1) in _DIGIT)


def _ipv6_network(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """An IPv6 address with its zone id or prefix length, or a short form in context."""
    if not _free(data, start, end):
        return None
    value = data[start:end]
    value, slash, prefix = value.partition(b"/")
    address, percent, _zone = value.partition(b"%")
    try:
        ipaddress.IPv6Address(address.decode("ascii"))
    except ValueError:
        return None
    if slash and int(prefix) > 128:
        return None
    if slash or percent or b"." in address:
        return start, end
    before = byte_before(data, start)
    if before == 0x5B and (
        is_word_byte(byte_before(data, start - 1)) or data[start - 2 : start - 1] in (b")", b"]")
    ):
        return None  # xs[::2], f(x)[::1]: a slice
    groups = [g for g in address.split(b":") if g]
    if not groups:
        return (start, end) if _whole_value(data, start, end) else None
    if len(groups) <= 2 and all(c in _HEX_LETTERS for g in groups for c in g):
        return None  # ::add, ::face, dead::beef: names in code as often as addresses
    return start, end


def _whole_value(data: bytes, start: int, end: int) -> bool:
    """``'::'``, ``(::)``, ``ref: ::`` at a line's end: a value of its own, not an operator."""
    before, after = byte_before(data, start), byte_at(data, end)
    if end < len(data) and after not in _CLOSE:
        return False
    if start == 0 or before in _OPEN:
        return True
    return before == 0x20 and byte_before(data, start - 1) == 0x3A  # "ref: ::"


_HEX = "[0-9A-Fa-f]{1,4}"
_V4 = r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}"
_ZONE = r"(?:%[0-9A-Za-z_\-]{1,32}(?:\.[0-9A-Za-z_\-]{1,32})?)"
_PREFIX = r"(?:/[0-9]{1,3})"

DETECTORS = (
    PatternDetector(
        IP,
        RANK,
        compile_pattern(rf"\b(?:[0-9]{{1,3}}\.){{3}}[0-9]{{1,3}}{_PREFIX}\b"),
        _ipv4_block,
        triggers=(b"/",),
        prefilter=r"[0-9]\.[0-9]{1,3}/[0-9]",
    ),
    PatternDetector(
        IP,
        RANK,
        compile_pattern(
            # compressed (::), with an optional IPv4 tail, zone id and prefix length
            rf"(?:(?:{_HEX}:){{1,7}}|:):(?:(?:{_HEX}:){{0,6}}(?:{_V4}|{_HEX}))?{_ZONE}?{_PREFIX}?"
            # full eight groups: only with a zone id or a prefix length (else pii's)
            rf"|(?:{_HEX}:){{7}}{_HEX}(?:{_ZONE}{_PREFIX}?|{_PREFIX})"
        ),
        _ipv6_network,
        triggers=(b"::", b"%", b"/"),
        prefilter=rf"::|(?:{_HEX}:){{7}}{_HEX}[%/]",
    ),
)
