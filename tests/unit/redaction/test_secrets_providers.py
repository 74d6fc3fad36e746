"""Provider tokens by their published shapes (SPEC §4 "provider API keys"; issue 16).

Every shape of ``token_shapes.SHAPES`` is exercised with a token drawn from its own
alphabet and length, in both scans; the table covers at least 150 distinct
providers (vendors, not shapes); and shapes that public rule sets bound tightly
reject the near misses those rule sets list.
"""

from __future__ import annotations

import random
import re
import string

import pytest

from consentry.redaction import Redactor, tokenformats
from consentry.redaction.token_shapes import SHAPES, TokenShape
from consentry.redaction.tokenstandins import (
    SLACK_CONFIG,
    SLACK_CONFIG_MIN,
    SLACK_MIN_SECRET,
    SLACK_NUMBERED,
)

PYTHON = Redactor(native=False)
COMPILED = Redactor()
_PRINTABLE = string.ascii_letters + string.digits + "+/=_.~-$%@&"


def _body(shape: TokenShape, rng: random.Random) -> str:
    """A body of the shape's minimum length: alphanumeric ends, random characters."""
    allowed = [c for c in _PRINTABLE if re.fullmatch(f"[{shape.alphabet}]", c)]
    inner = [c for c in allowed if c.isalnum()]
    n = shape.min_body
    chars = [rng.choice(inner if i in (0, n - 1) else allowed) for i in range(n)]
    # Mix digits and letters where the alphabet has both (as generated tokens do).
    digits = [c for c in inner if c.isdigit()]
    letters = [c for c in inner if c.isalpha()]
    if digits and letters and n >= 4:
        chars[0], chars[1] = rng.choice(letters), rng.choice(digits)
    return "".join(chars)


def _slack_body(prefix: str, rng: random.Random) -> str:
    """Slack's numbered layout (tokenstandins): an id, a '-', then the generated part."""
    need = SLACK_CONFIG_MIN if prefix.encode() in SLACK_CONFIG else SLACK_MIN_SECRET
    alnum = string.ascii_letters + string.digits
    return (
        "".join(rng.choice(string.digits) for _ in range(11))
        + "-"
        + "".join(rng.choice(alnum) for _ in range(need))
    )


def _tokens() -> list[tuple[str, str]]:
    rng = random.Random(16)
    return [
        (
            f"{shape.provider} {prefix}",
            prefix
            + (
                _slack_body(prefix, rng) if prefix.encode() in SLACK_NUMBERED else _body(shape, rng)
            ),
        )
        for shape in SHAPES
        for prefix in shape.prefixes
    ]


def test_at_least_150_distinct_providers() -> None:
    """Issue 16: cover at least 150 providers; several shapes of one vendor count once."""
    providers = tokenformats.providers()
    assert len(providers) >= 150, len(providers)
    assert len(tokenformats.FORMAT_PROVIDERS) == len(tokenformats.FORMAT_DETECTORS)
    # Names are vendors: no shape-level suffixes that would count one vendor twice.
    assert not any(p.endswith((" Vault", " Bedrock", " Azure", " Teams")) for p in providers)


def test_every_shape_entry_is_well_formed() -> None:
    for shape in SHAPES:
        assert shape.prefixes and shape.provider
        assert 0 < shape.min_body <= shape.max_body, shape
        assert all(re.fullmatch(r"[\x21-\x7e][\x20-\x7e]*[\x21-\x7e]", p) for p in shape.prefixes)


@pytest.mark.parametrize(("provider", "token"), _tokens(), ids=[p for p, _ in _tokens()])
def test_each_shape_finds_a_token_of_its_own_shape_whole(provider: str, token: str) -> None:
    """SPEC §4: a token of every listed shape is redacted whole, in both scans."""
    text = f"the deploy used {token} yesterday"
    start = text.index(token)
    for redactor in (PYTHON, COMPILED):
        spans = [(f.start, f.end) for f in redactor.redact(text).findings]
        assert any(s <= start and start + len(token) <= e for s, e in spans), (provider, spans)


@pytest.mark.parametrize(
    "token",
    [
        "4b1dQm2VxR7pLk9sTn3WcY8hZa5JeF0gBu6DiOq1Xr",  # ClickHouse Cloud
        "v1.0-" + "3f" * 12 + "-" + "a9" * 73,  # Cloudflare origin CA
        "ramp_sec_" + "Kp3xQ7mZ" * 6,  # Ramp
        "sk-or-v1-" + "0a1b2c3d" * 8,  # OpenRouter
        "nvapi-" + "Xy7_Qe-3" * 8,  # NVIDIA
        "3MVG9" + "pRt7.Ks2_Vn8+Lq4" * 6,  # Salesforce
        "Ab3dE9_" + "Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk9Lz" + "_mmk",  # MaxMind
        "2Xy7Qe3Rt8Ui4Op9As5Df1Gh6Jk0_3Lz7Xc2Vb8Nm4Qw9Er5",  # ngrok
        "1234567890123456|aB3dE9fG7hJ2kL5mN8pQ1rS4tU6vW",  # Facebook app token
        "1/1203458761234567:0f3a9c8e7b6d5a4f3e2d1c0b9a8f7e6d",  # Asana PAT
    ],
)
def test_new_providers_of_issue_16(token: str) -> None:
    """SPEC §4 provider tokens added for issue 16, in code-like context."""
    text = f'client = Client(api_token="{token}")'
    for redactor in (PYTHON, COMPILED):
        result = redactor.redact(text)
        assert token not in (result.text or text), (redactor.compiled, result.findings)


@pytest.mark.parametrize(
    "text",
    [
        # GitLab lengths: a body past the longest length a GitLab token has is no token.
        "see glsoat-" + "abcdefghij" * 5 + "_x in the notes",
        "GR1348941" + "abcdefghij" * 5 + "_x was the registration example",
        "glimt-short_23_chars_xyzab in docs",
        # A Discord-like triple whose first part is not a base64 user id.
        "ref PZ1yGvKTjE0rY0cV8i47CjAa.uRHQPq.Xb1Mk2nEhe-4iUcrGOuegj57zMC done",
    ],
)
def test_near_misses_of_tight_shapes_are_not_tokens(text: str) -> None:
    """SPEC §4 precision: the lengths and alphabets public rule sets bound tokens by."""
    for redactor in (PYTHON, COMPILED):
        assert redactor.redact(text).findings == (), (redactor.compiled, text)
