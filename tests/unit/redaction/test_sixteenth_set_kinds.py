"""A kind of partial leak the sixteenth outside set showed (issue 16), on our own examples,
in both scans.

SPEC §4 asks for e-mail addresses, whole: a finding that leaves part of the value in the
text is a partial leak. RFC 5322 lets a local part hold ``{`` and ``}`` (atext). The
sixteenth set (dominicsayers/isemail's test addresses) showed a local part that opens with
a brace and closes it itself (``{x}@…``) cut after the ``{``, which was read as a
template's opener: the finding kept ``x}@…`` and left the brace. A brace the local part
closes is the address's; one it does not close (``{lena@example.org}``, ``{{…}}``) is
still the text's.
"""

from __future__ import annotations

import pytest
from tests.both_scans import found


@pytest.mark.parametrize(
    "address",
    ["{ops}@relay.example.net", "{_h27_}@mail.example.org", "a{b}c@example.com"],
)
def test_a_brace_the_local_part_closes_is_the_address(address: str) -> None:
    """SPEC §4, EMAIL: the whole address, its braces included."""
    assert found(f"bounce to {address} tonight") == [("EMAIL", address)]
    assert found(f'{{"id": 7, "to": "{address}"}}') == [("EMAIL", address)]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("the value {lena@example.org} is set", "lena@example.org"),
        ("{{lena@example.org}}", "lena@example.org"),
        ("see {mia.h27@example.org}.", "mia.h27@example.org"),
    ],
)
def test_a_brace_around_an_address_stays_text(text: str, address: str) -> None:
    """SPEC §4, EMAIL: a brace the local part does not close is markup around it."""
    assert found(text) == [("EMAIL", address)]
