"""Provider tokens whose body misses the documented shape (issue 16, SPEC §4).

SPEC §4: "provider API keys and tokens". Other projects' rule tests write tokens with a
provider's prefix and a body longer, shorter or of a wider alphabet than the provider
documents, and a real token of a newer version of a format looks the same. A known
prefix of 4+ bytes ending in ``_``, ``-`` or ``.`` with a body of at most 256 bytes that
mixes digits and letters, carries 4.5 bits per byte and does not count up is a
token (``tokens._loose_end``); words with digits and values made up for an example
are not. Every value here is my own; both scans must agree.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

PYTHON = Redactor(native=False)
COMPILED = Redactor()

RANDOM = "Qm7vR2xK9pLw4ZtB8nYc3HsJ6dFg1VqE5uTa0WkN"  # 40 characters, my own


def _found(text: str) -> list[list[str]]:
    return [[text[f.start : f.end] for f in r.redact(text).findings] for r in (PYTHON, COMPILED)]


@pytest.mark.parametrize(
    "token",
    [
        "tfp_" + RANDOM[:30],  # Typeform documents 59 bytes
        "bkua_" + RANDOM,  # Buildkite documents 40 hex digits
        "sgp_" + RANDOM + "x_" + RANDOM[:12],  # Sourcegraph documents hex
        "xai-" + RANDOM + "_" + RANDOM,  # xAI's body holds no '_'
        "ghs_12345_" + RANDOM[:20] + "." + RANDOM[20:],  # a body with a '.'
    ],
)
@pytest.mark.parametrize("template", ["{}", "it fails with {} - why?", "Here you go: {}."])
def test_known_prefix_with_a_generated_body_off_its_shape(token: str, template: str) -> None:
    """Found whole by both scans, in prose as in code, a sentence's full stop left out."""
    text = template.format(token)
    assert _found(text) == [[token], [token]]


@pytest.mark.parametrize(
    "text",
    [
        "tfp_" + "hellOworld380_testin_pretty_long",  # words with digits: 4.5 bits not reached
        "tfp_" + "checking_Length-Is-checking_Length-Is-",
        "tfp_1234567890aBcDeFgHiJkLmNoPqRsT12",  # counts up: a value made up for an example
        "gsk_" + RANDOM[:10] + "abcdefgh" + RANDOM[10:30],  # a run of 8 counting up
        "tfp_aAbBcCdDeEfF" + RANDOM[:20],  # counts up, each letter twice
        "tfp_" + RANDOM[:20],  # 20 bytes cannot carry 4.5 bits each
        "r8_" + RANDOM,  # a 3-byte prefix: only its documented shape
        "tfp_" + RANDOM * 7,  # 280 bytes: no token is that long
    ],
)
def test_bodies_off_their_shape_that_are_left(text: str) -> None:
    """No finding: the guards of ``_loose_end`` (each case fails when its guard is removed)."""
    assert _found(text) == [[], []]


def test_a_body_that_fits_its_shape_is_unchanged() -> None:
    """A token of its documented shape ends where the shape says, as before."""
    token = "bkua_" + "0123abcd" * 5  # 40 hex digits (a run up to 3 only: 0123)
    assert _found(f"token {token} here") == [[token], [token]]
