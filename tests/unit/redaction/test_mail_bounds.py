"""Where an e-mail address starts, and addresses at an IP literal (issue 16, helper h19).

SPEC §4 asks the filter to replace e-mail addresses, and a finding that leaves part of
one in the text is a partial leak. Pinned on our own examples, in the compiled and the
Python scan alike:

- A local part may open with any RFC 5322 ``atext`` symbol (``!joe@``, ``?ops@``,
  ``&team@``, ``=sales@``): the symbol is the address's. It is not where the text closes
  it right after the domain (markdown ``*a@b*``, ``~~a@b~~``, a table's ``|a@b|``,
  ``{a@b}``), and quotes and a path's ``/`` before a name never are, nor is punctuation
  that is not atext (``(a@b)``, ``mail:a@b``, ``<a@b>``).
- A subdomain's labels may hold ``_`` (``a@my_shop.host.example``); the registered name
  and the top-level label may not (``a@new_type.com`` is no one's address).
- RFC 5321 §4.1.3 address literals (``user@[192.0.2.7]``, ``user@[IPv6:2001:db8::7]``)
  are addresses when the literal parses; the loopback and unspecified addresses name the
  machine's own mailboxes, as ``root@localhost`` does, and are not taken.
"""

from __future__ import annotations

import pytest
from tests.both_scans import found as _found


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("forwarded from\n!ops.alerts@example.org\nlast night", "!ops.alerts@example.org"),
        ("UPDATE users SET mail = '#dana@example.net' WHERE id = 7;", "#dana@example.net"),
        ('{"owner": "?lee@example.com", "ok": true}', "?lee@example.com"),
        ("cc &team-b@example.co.uk, thanks", "&team-b@example.co.uk"),
        ("row = {'to': '=sales@example.de'}", "=sales@example.de"),
        ("old address: ~mira@example.io.", "~mira@example.io"),
        ("VALUES (3, '*kim@example.org');", "*kim@example.org"),  # quoted, * not closed
        ("her alias is ^rae@example.com now", "^rae@example.com"),
        ("$pay@example.com bounced", "$pay@example.com"),
    ],
)
def test_a_leading_atext_symbol_is_the_address(text: str, address: str) -> None:
    """SPEC §4, EMAIL: the whole address, its opening atext symbol included."""
    assert ("EMAIL", address) in _found(text)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("mail me (lena@example.org) today", "lena@example.org"),
        ("mail:lena@example.org", "lena@example.org"),
        ("write to *lena@example.org* now", "lena@example.org"),  # markdown emphasis
        ("write to **lena@example.org**.", "lena@example.org"),
        ("struck ~~lena@example.org~~ out", "lena@example.org"),
        ("| name | |lena@example.org| |", "lena@example.org"),
        ("the value {lena@example.org} is set", "lena@example.org"),
        ("{{lena@example.org}}", "lena@example.org"),
        ("she said 'lena@example.org'", "lena@example.org"),
        ("run `lena@example.org` here", "lena@example.org"),
        ("*'lena@example.org'*", "lena@example.org"),
        ("GET /lena@example.org", "lena@example.org"),
        ("<lena@example.org>", "lena@example.org"),
    ],
)
def test_punctuation_around_an_address_is_not_swallowed(text: str, address: str) -> None:
    """SPEC §4, EMAIL: markup, quotes and delimiters around an address stay text."""
    assert _found(text) == [("EMAIL", address)]


@pytest.mark.parametrize(
    "address",
    ["noc@[198.51.100.23]", "a.b_c@[10.20.30.40]", "ops@[IPv6:2001:db8:85a3::8a2e:370:7334]"],
)
def test_an_address_at_an_ip_literal_is_covered_whole(address: str) -> None:
    """SPEC §4, EMAIL: RFC 5321 address literals, the local part included."""
    assert ("EMAIL", address) in _found(f"bounce to {address}, said the log")


@pytest.mark.parametrize(
    "text",
    [
        "root@[127.0.0.1]",  # loopback: the machine's own mailbox
        "root@[IPv6:::1]",
        "x@[0.0.0.0]",
        "me@[300.1.2.3]",  # not an address
        "me@[IPv6:1.2.3.4]",  # the tag names IPv6
        "me@[IPv6:::G]",
        "me@[tag:text]",
    ],
)
def test_no_mailbox_at_a_loopback_or_malformed_literal(text: str) -> None:
    """SPEC §4, EMAIL: only a literal that parses and is not the machine itself."""
    assert all(kind != "EMAIL" for kind, _ in _found(text))


@pytest.mark.parametrize(
    "address",
    ["ivo@ops_team.example.com", "ivo@_bounces.mail.example.org", "ivo@a_b.c_d.example.net"],
)
def test_an_underscore_in_a_subdomain_is_part_of_the_address(address: str) -> None:
    """SPEC §4, EMAIL: the whole address, its underscored subdomain included."""
    assert ("EMAIL", address) in _found(f"send it to {address} today")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ivo@new_name.com is wrong", []),  # "_" in the registered name
        ("ivo@mail.new_name.org", []),
        ("ivo@example.com_old", [("EMAIL", "ivo@example.com")]),  # not in the top label
    ],
)
def test_no_underscore_in_the_registered_name(text: str, expected: list[tuple[str, str]]) -> None:
    """SPEC §4, EMAIL: a name no registry would take is not an address."""
    assert _found(text) == expected
