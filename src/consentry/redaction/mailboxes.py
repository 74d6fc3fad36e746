"""E-mail addresses in the spellings RFC 5322 and RFC 6531 allow (SPEC §4, issue 16).

The main detector (:mod:`.pii`) reads the common local part (letters, digits,
``._%+-``). This one reads what else a mailbox may be: a quoted local part
(``"quoted local part"@example.org``), the other RFC 5322 ``atext`` characters
(``user+mailbox/department=shipping@example.tld``, ``o'brien@…``), combining marks of
non-Latin scripts in the local part and domain (``राम@मोहन.ईन्फो``), and a local part
over SMTP's 64 bytes (still someone's address). The full-width at sign is folded to
``@`` before any detector runs (:mod:`.folding`). Findings overlap the main
detector's and are merged with them, so an address is covered whole instead of from
its last common character.

Bounds, each for the whole kind: quotes, ``/``, ``{`` and non-Latin punctuation before
a name are not part of it; another leading ``atext`` symbol is (``!joe@``, ``=sales@``:
RFC 5322 allows it, and leaving it out is a partial leak) unless the text closes it
right after the domain (markdown ``*a@b.org*``, ``~~a@b.org~~``, ``|a@b.org|``); an RFC
5321 address literal (``a@[192.0.2.1]``, ``a@[IPv6:2001:db8::1]``) is taken where it parses
and is not the loopback or unspecified address (the machine itself, as ``localhost``
is); inside a URL the address starts after the last ``/?&=#``, and a URL's
``user:password@host`` is the password detector's; ``key=`` of an address field
(``email=``, ``to=``) is not part of it; a local part of symbols only needs three
distinct ones (``*@`` is a glob, `` `@app.get `` a decorator); labels are 1-63 bytes
without a hyphen at either end, the top-level label is letters (or ``xn--``) and not
a file extension, and ``_`` stands only in a subdomain's labels (``a@my_shop.host.com``,
not ``a@new_type.com``: registries refuse it in the name they register).
"""

from __future__ import annotations

import ipaddress
import unicodedata

from .detector import PatternDetector, compile_pattern
from .fieldnumbers import RANK
from .model import EMAIL

# A quoted string, or a run of atext (RFC 5322 §3.2.3), letters, marks and any other
# non-ASCII character that is not a space (RFC 6531 allows UTF-8 there).
_LOCAL = (
    r'(?:"(?:[^"\\\r\n]|\\[^\r\n])*"'
    r"|(?:[\pL\pM\pN!#$%&'*+/=?^_`{|}~.-]|[^\x00-\x7f\pZ])+)"
)
# A host's labels may hold "_" (DNS allows it, mail hosts use it: ``my_shop.example.com``),
# the top-level label may not; _domain_ok refuses it in the registered name too.
_DOMAIN = r"[\pL\pM\pN_-]+(?:\.[\pL\pM\pN_-]+)*\.[\pL\pM\pN-]+"
_PATTERN = _LOCAL + "@" + _DOMAIN
# An address literal: dotted IPv4, or "IPv6:" and an IPv6 address (RFC 5321 §4.1.3).
_LITERAL_PATTERN = (
    _LOCAL + r"@\[(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[Ii][Pp][Vv]6:[0-9A-Fa-f:.]{2,45})\]"
)
# Shared with the main detector (pii): an "address" under a file's name is a path.
_FILE_EXTENSIONS = frozenset(
    b"png jpg jpeg gif svg webp ico css js ts tsx jsx json html htm txt lock yml yaml "
    b"toml cfg ini log csv map".split()
)
_KEPT_LEADING = frozenset("_%+-")  # the main detector's local characters
_URL_DELIMITERS = "/?&=#"
# Before a name, quotes, a path's slash and a template's brace are never the address's
# (``'bob@x.org'``, ``/bob@x.org``, ``{user}@x.org``); another atext symbol is not only
# where the text closes it right after the domain (markdown ``*bob@x.org*``).
_OPENERS = frozenset("'`/{")
_ADDRESS_FIELDS = frozenset(
    {"email", "e-mail", "mail", "to", "from", "cc", "bcc", "reply-to", "user", "username",
     "login", "address", "contact", "recipient", "sender"}
)  # fmt: skip


def _is_name_char(c: str) -> bool:
    return c.isalnum() or unicodedata.category(c)[0] == "M"


def _local_start(data: bytes, start: int, local: str, end: int) -> int:
    """How many characters of ``local`` (an unquoted local part) are not the address."""
    cut = 0
    if start >= 1 and data[start - 1] == 0x3A and local.startswith("//"):
        cut = max(local.rfind(d) for d in _URL_DELIMITERS) + 1  # in a URL
    eq = local.rfind("=")
    key_at = max(local.rfind(d, cut, eq) for d in "/?&#;") + 1 if eq > cut else eq
    if eq > cut and local[max(cut, key_at) : eq].lstrip("-").lower() in _ADDRESS_FIELDS:
        cut = eq + 1  # ?email=user@example.com: the field's name is not the address
    closing = _closing_run(data, end)
    while cut < len(local) and not _is_name_char(local[cut]) and local[cut] not in _KEPT_LEADING:
        if not any(_is_name_char(c) for c in local[cut + 1 :]):
            break  # a local part of specials only (``!#$%&'*+-/=?^_`{|}~``) is kept whole
        if local[cut] == "{" and "}" in local[cut + 1 :]:
            break  # ``{ops}@``: a brace the local part closes itself is the address's
        if local[cut].isascii() and local[cut] not in _OPENERS and local[cut] not in closing:
            break  # ``!joe@``, ``'*joe@…'``: an atext symbol the text does not close is the name's
        cut += 1
    return cut


def _closing_run(data: bytes, end: int) -> str:
    """The ASCII punctuation right after an address (``**``, ``|`` or ``~~`` of markup
    that opened before it), at most 8 bytes."""
    run = []
    for b in data[end : end + 8]:
        if b >= 0x80 or chr(b).isalnum() or chr(b).isspace():
            break
        run.append(chr(b))
    return "".join(run)


def _symbols_only(local: str) -> bool:
    """A local part without letters or digits that is a glob or stray punctuation (``*``,
    ``%``, ``'!``), not a mailbox's name: one built of symbols has 3+ distinct ones."""
    return not any(_is_name_char(c) for c in local) and len(set(local)) < 3


def _domain_ok(domain: bytes) -> bool:
    labels = domain.split(b".")
    if any(not 0 < len(x) <= 63 or x[:1] == b"-" or x[-1:] == b"-" for x in labels):
        return False
    if b"_" in labels[-2]:
        return False  # no registry takes "_" in a name (``new_type.com``); a subdomain may
    top = labels[-1]
    if top.lower() in _FILE_EXTENSIONS:
        return False
    if top[:4].lower() == b"xn--":
        return len(top) > 5
    name = top.decode("utf-8", "replace")
    return len(name) >= 2 and all(c.isalpha() or unicodedata.category(c)[0] == "M" for c in name)


def _mailbox(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """An address the main e-mail detector misses or covers only in part."""
    at = data.rfind(b"@", start, end)
    if at <= start or not _domain_ok(data[at + 1 : end]) or _in_userinfo(data, start, at):
        return None
    name = _name_start(data, start, at, end)
    return None if name is None else (name, end)


def _name_start(data: bytes, start: int, at: int, end: int) -> int | None:
    """Where the address whose local part is ``data[start:at]`` starts, or None."""
    if data[start] != 0x22:  # unquoted: drop delimiters and field names before the name
        local = data[start:at].decode("utf-8", "replace")
        cut = _local_start(data, start, local, end)
        start += len(local[:cut].encode())
        while start < at and data[start] == 0x2E:
            start += 1
        if start >= at or data[at - 1] == 0x2E or _symbols_only(local[cut:]):
            return None
    elif start >= 1 and data[start - 1] == 0x5C:
        return None  # an escaped quote (\\"…\\"@): the text's own quoting, not the address's
    return start


def _literal_mailbox(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``user@[192.0.2.1]``, ``user@[IPv6:2001:db8::1]`` (RFC 5321 §4.1.3 address literals):
    the literal must parse; at the loopback or unspecified address it names a mailbox of
    the machine itself, as ``root@localhost`` does, and is not taken."""
    at = data.rfind(b"@[", start, end)
    literal = data[at + 2 : end - 1].decode("ascii")
    tagged = literal[:5].lower() == "ipv6:"
    try:
        address = ipaddress.ip_address(literal[5:] if tagged else literal)
    except ValueError:
        return None
    if address.version != (6 if tagged else 4) or address.is_loopback or address.is_unspecified:
        return None
    if at <= start or _in_userinfo(data, start, at):
        return None
    name = _name_start(data, start, at, end)
    return None if name is None else (name, end)


def _in_userinfo(data: bytes, start: int, at: int) -> bool:
    """``scheme://user:password@host``: the ``@`` closes a URL's user information (neither
    white space nor ``/`` since ``://``), which the password detector reads, not this one."""
    scheme = data.rfind(b"://", max(0, start - 300), start)
    return scheme >= 0 and not any(c in b" \t\r\n/" for c in data[scheme + 3 : at])


DETECTORS = (
    PatternDetector(
        EMAIL,
        RANK[EMAIL],
        compile_pattern(_PATTERN),
        _mailbox,
        triggers=(b"@",),
        prefilter="@",
    ),
    PatternDetector(
        EMAIL,
        RANK[EMAIL],
        compile_pattern(_LITERAL_PATTERN),
        _literal_mailbox,
        triggers=(b"@[",),
        prefilter="@\\[",
    ),
)
