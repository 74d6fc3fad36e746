"""Stand-in passwords in URLs: documentation, not credentials (SPEC §4, issue 16).

SPEC §4 asks for "passwords in URLs and connection strings": ``scheme://user:PASS@host``.
Docs, templates and tests write a stand-in where the password goes, and it is not one:

* a mask: bullets, asterisks, ``x`` or ``#`` only (``••••••••``, ``*****``, ``xxxx``);
* at most two distinct characters besides ``-`` and ``_`` (``1111``), as
  :func:`.keyvalues.is_placeholder` judges a key word's value;
* a template (``${DB_PASS}``, ``$(PGPASSWORD)``, ``{{pass}}``, ``[PASSWORD]``) or an
  instruction to the reader (``YOUR_PASSWORD``, ``REPLACE_WITH_PASSWORD``, ``changeme``,
  ``password_here``);
* a regular expression's wildcard (``.*``, ``.+``: ``"(postgres://.*:)(.*)(@.*)"`` is a
  pattern that reads URLs, not one);
* the field's own name (``password``, ``passwd``, ``pwd``, ``secret``, ``mypassword``)
  on a host reserved for documentation: RFC 2606/6761's ``example.com``, ``.net``,
  ``.org``, the ``.test``, ``.example``, ``.invalid`` and ``.localhost`` names and
  ``localhost``; loopback (127.0.0.0/8, ``[::1]``); the documentation blocks of RFC 5737
  (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) and RFC 3849 (``[2001:db8::…]``).
  Neither half alone: ``https://username:password@yelp.com`` is how a weak password
  leaks, and ``user:pass@example.com`` writes a real-looking one.

The C++ port is ``url_stand_in`` in _native.cpp.
"""

from __future__ import annotations

_MASKS = ("\u2022".encode(), "\u25cf".encode())  # bullet, black circle
_MASK_BYTES = b"*xX#."
_TEMPLATE_STARTS = b"${[<"
_INSTRUCTIONS = (b"your", b"replace", b"changeme", b"change_me", b"placeholder", b"_here")
_FIELD_NAMES = frozenset(
    (b"password", b"passwd", b"pwd", b"secret", b"mypassword", b"mysecret", b"dbpassword")
)
_WILDCARDS = (b".*", b".+")  # a regular expression written where the URL's parts go
_RESERVED_LABELS = (b"test", b"example", b"invalid", b"localhost")
_EXAMPLE_DOMAINS = (b"com", b"net", b"org")
_HOST_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_")
_DOCUMENTATION_IPV4 = (b"127.", b"192.0.2.", b"198.51.100.", b"203.0.113.")


def stand_in(data: bytes, start: int, end: int) -> bool:
    """Whether the URL password ``data[start:end]`` (its ``@`` at ``end``) is a stand-in."""
    value = data[start:end]
    unmasked = value
    for mask in _MASKS:
        unmasked = unmasked.replace(mask, b"")
    if not unmasked.translate(None, _MASK_BYTES):
        return True
    low = value.lower()
    if len(set(low.translate(None, b"-_"))) <= 2 or value[:1] in _TEMPLATE_STARTS:
        return True
    if any(word in low for word in _INSTRUCTIONS) or any(w in value for w in _WILDCARDS):
        return True
    return low.translate(None, b"-_") in _FIELD_NAMES and documentation_host(data, end + 1)


def documentation_host(data: bytes, at: int) -> bool:
    """The URL host at ``data[at:]`` is reserved for documentation or is loopback."""
    if data[at : at + 1] == b"[":
        close = data.find(b"]", at, at + 48)
        literal = data[at + 1 : close].lower() if close > 0 else b""
        return literal == b"::1" or literal.startswith(b"2001:db8:")
    stop = at
    while stop < min(len(data), at + 253) and data[stop] in _HOST_BYTES:
        stop += 1
    host = data[at:stop].lower().rstrip(b".")
    if host.startswith(_DOCUMENTATION_IPV4):
        return True
    labels = host.split(b".")
    if labels[-1] in _RESERVED_LABELS:
        return True
    return len(labels) >= 2 and labels[-2] == b"example" and labels[-1] in _EXAMPLE_DOMAINS


def holds_password(url: bytes) -> bool:
    """``scheme://user:PASS@`` with a PASS that is neither the user name repeated nor a
    stand-in (:func:`stand_in`); an ``arn:`` holding ``@``, too."""
    sep = url.find(b"://")
    if sep < 0:
        return b"@" in url
    end = len(url)
    for stop in b"/?#":
        found = url.find(bytes([stop]), sep + 3)
        end = found if 0 <= found < end else end
    at = url.rfind(b"@", sep + 3, end)
    colon = url.find(b":", sep + 3, at) if at >= 0 else -1
    if colon < 0 or colon + 1 == at:
        return False  # no userinfo, no password, or an empty one
    if url[sep + 3 : colon] == url[colon + 1 : at]:
        return False
    return not stand_in(url, colon + 1, at)
