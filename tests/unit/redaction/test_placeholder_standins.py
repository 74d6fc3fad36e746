"""Stand-ins after a real provider prefix are not secrets (SPEC §4, R24; issue 16, fifth set).

SPEC §4 asks the filter to find "provider API keys and tokens" and "private-key blocks"
(R24: in every export). Docs and rule tests write the provider's prefix with a body no
provider issues; the fifth set (benchmarks/redaction/fifth) flagged such stand-ins. Kinds
covered here, each by a rule that holds for the kind:

- numbered Slack tokens (xoxb-, xoxp-, xoxo-, xoxs-, xoxe-, xoxe.xoxp-, xoxe.xoxb-, xapp-)
  whose body lacks Slack's documented layout: an id holding a digit, a '-', and a generated
  last part of 10+ bytes (146+ for configuration tokens), whether found by the prefix or
  after a key word (``tokenstandins``);
- masks of ``x``/``X``/``0`` in shapes fixed by a pattern (Azure AD client secrets,
  Terraform Cloud tokens), as ``tokens.placeholder_body`` already rules for prefixes;
- a private-key header and footer with nothing between them;
- a prefix inside a dotted name (``logo.ico-<md5>.png``: a file's extension, not a token);
- after a key word: a value its writer masked with a bracketed marker (``…[Redacted]``),
  and a backquoted value of several words (a shell command substitution, run later).

Real-shaped tokens of the same kinds are still found whole. Every value is my own; both
scans must give the same findings.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

COMPILED = Redactor()
PYTHON = Redactor(native=False)
GEN = "Qm8ZtR4vKx2LpN7sW9dYc3Fh"  # my own generated-looking run, 24
LONG = (GEN * 7)[:164]  # a configuration token's length


def found(text: str) -> list[str]:
    """The text of every finding; both scans must give the same findings."""
    assert COMPILED.redact(text).findings == PYTHON.redact(text).findings, text
    return [text[f.start : f.end] for f in COMPILED.redact(text).findings]


SLACK_STAND_INS = [
    "xoxb-your-bot-token",  # words, no id
    "xoxp-slack-user-token-goes-in-this-spot",
    "xoxo-party-2021",  # a file name's piece
    "https://example.org/photos/2021-xoxo-party-7.png",
    "xoxp-9876543210",  # an id and nothing after it
    "xoxb-4242-abc12",  # a last part too short to be generated
    "xoxb-2718281828-3141592653-",  # the secret part left out
    "xoxe.xoxp-1-PASTE0TOKEN0HERE",  # a configuration token far below its length
    "xoxe.xoxb-1-ConfigTokenGoesInThisPlace",
    "xapp-app-level-token",
]


@pytest.mark.parametrize("value", SLACK_STAND_INS)
def test_slack_stand_ins_are_not_secrets(value: str) -> None:
    """SPEC §4: a numbered Slack prefix with a body outside Slack's layout is an example."""
    for text in (value, f"export SLACK_TOKEN={value}", f'"token": "{value}"'):
        assert found(text) == [], text


def test_slack_key_word_value_with_a_mask() -> None:
    """SPEC §4: after a key word, a Slack token whose secret part is a ``#`` mask."""
    assert found('"slack_token": "xoxp-2718281828-3141592653-1414213562-#################"') == []


SLACK_TOKENS = [
    "xoxb-2718281828-3141592653-" + GEN,  # bot
    "xoxb-27182818284-" + GEN,  # legacy bot
    "xoxp-2718281828-3141592653-1414213562-" + GEN,  # user
    "xoxb-27182818284-3141592653141",  # digits only, labelled secrets in the suites
    "xoxo-271828-314159-141421-9f3e1a7c5b2d4e6f80",  # legacy
    "xoxb-8F3A9C2E-" + GEN,  # a hex id (the holdout labels one)
    "xoxe.xoxp-1-" + LONG,  # configuration
    "xoxe-1-" + LONG,  # refresh
    "xapp-1-A0B1C2D3E4F-2718281828-" + GEN,  # app-level
    "xoxa-qk7m2vt9wz3hb8",  # legacy workspace tokens keep their looser shape
]


@pytest.mark.parametrize("value", SLACK_TOKENS)
def test_slack_tokens_of_the_layout_are_found_whole(value: str) -> None:
    """SPEC §4 provider tokens: Slack tokens of the documented layout, found whole."""
    for text in (value, f"export SLACK_TOKEN={value}", f'"token": "{value}"'):
        assert value in found(text), text


@pytest.mark.parametrize(
    "text",
    [
        "client_secret=Ab3Q~" + "x" * 34,  # Azure AD client secret, masked
        "AZURE_CLIENT_SECRET: 7Zq4Q~XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        'token = "' + "x" * 14 + ".atlasv1." + "x" * 64 + '"',  # Terraform Cloud, masked
    ],
)
def test_masks_in_pattern_shapes_are_not_secrets(text: str) -> None:
    """SPEC §4: an x mask in a shape fixed by a pattern is a stand-in, as after a prefix."""
    assert found(text) == []


@pytest.mark.parametrize(
    "value",
    [
        "Ab3Q~" + "k7Vq2Lm9Xc4Rt8Kp3Wz6Nb1Hd5Fs0Jg7Ty",  # Azure AD client secret
        "Qm8ZtR4vKx2LpN.atlasv1." + (GEN * 3)[:67],  # Terraform Cloud
    ],
)
def test_real_shaped_pattern_tokens_are_found(value: str) -> None:
    """SPEC §4 provider tokens: the same shapes with generated bodies are found whole."""
    assert value in found(f"secret: {value}\n")


def test_an_empty_private_key_block_is_not_a_key() -> None:
    """SPEC §4 private-key blocks: a header and footer with nothing between hold no key."""
    for kind in ("OPENSSH ", "RSA ", "", "EC "):
        text = f"-----BEGIN {kind}PRIVATE KEY----------END {kind}PRIVATE KEY-----"
        assert found(text) == [], text


@pytest.mark.parametrize(
    "body",
    ["wxyz+ABC=", "Qk9UaDE2", "ab12cd34ef", "Zm9v/YmFy", "kP3v\nR9sT2wX5"],
)
def test_spec4_private_key_blocks_with_a_toy_body_are_found(body: str) -> None:
    """SPEC §4 private-key blocks: a block whose markers say private key and whose body is a
    short base64 run that is not all letters (a test key, a truncated paste) is one."""
    block = f"-----BEGIN EC PRIVATE KEY-----\n{body}\n-----END EC PRIVATE KEY-----"
    assert found(f'key = """\n{block}\n"""') == [block]


@pytest.mark.parametrize(
    "body",
    ["REDACTED", "placeholder", "<your key here>", "...", "${PRIVATE_KEY}", "abc123", "your-key"],
)
def test_private_key_blocks_of_words_or_stand_ins_are_left(body: str) -> None:
    """SPEC §4: a body of words, a template or fewer than 8 base64 bytes in a row holds no key."""
    block = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    assert found(f"key:\n{block}\nend") == []


def test_private_key_blocks_with_a_body_are_still_found() -> None:
    """SPEC §4 private-key blocks: a block with key material is found whole."""
    block = (
        "-----BEGIN OPENSSH PRIVATE KEY-----\n"
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
        "-----END OPENSSH PRIVATE KEY-----"
    )
    assert found(f"key:\n{block}\nend") == [block]
    glued = (
        "-----BEGIN RSA PRIVATE KEY-----MIIEowIBAAKCAQEAq7Lm2Xc9Rt4Kp8Wz3Nb6"
        "-----END RSA PRIVATE KEY-----"
    )
    assert found(glued) == [glued]


@pytest.mark.parametrize(
    "text",
    [
        "https://cdn.example.org/img/logo.ico-3f9a1c7e5b2d4e6f8091a2b3c4d5e6f7.png",
        "cp build/app.ico-0a1b2c3d4e5f60718293a4b5c6d7e8f9.svg dist/",
    ],
)
def test_a_prefix_inside_a_dotted_name_is_not_a_token(text: str) -> None:
    """SPEC §4 provider tokens: ``.ico-<hash>`` is a file name's piece, not Infracost's key."""
    assert found(text) == []


def test_a_prefixed_token_after_a_separator_is_found() -> None:
    """SPEC §4 provider tokens: the same prefix after a space or ``=`` is still a token."""
    token = "ico-" + "Vq7Lm2Xc9Rt4Kp8Wz3Nb6Hd1Fs5Jg0Ty"
    for text in (f"INFRACOST_API_KEY={token}", f"key {token} here", f"[{token}]"):
        assert token in found(text), text


@pytest.mark.parametrize(
    "text",
    [
        "api_token: sk_9fK2mQ7vLx..[REDACTED]",
        'client_secret = "Vq7Lm2Xc9Rt4Kp8Wz3N[filtered]"',
        "SERVICE_TOKEN=ops_eyJhbGciOiJFUzI1NiIs<redacted>",
    ],
)
def test_a_value_masked_by_its_writer_is_not_a_secret(text: str) -> None:
    """SPEC §4 key-word secrets: a bracketed redaction marker means the value is masked."""
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "docker run -e API_KEY=`vault kv get -field=key secret/app` image",
        "export ACCESS_TOKEN=`gcloud auth print-access-token`",
        "SECRET_KEY=`openssl rand -hex 32`",
    ],
)
def test_a_command_substitution_after_a_key_word_is_not_a_secret(text: str) -> None:
    """SPEC §4 key-word secrets: ``KEY=`cmd args` `` is computed when run, like ``$(…)``."""
    assert found(text) == []


def test_a_backquoted_generated_value_is_still_a_secret() -> None:
    """SPEC §4 key-word secrets: one generated word in backquotes is the value itself."""
    value = "Vq7Lm2Xc9Rt4Kp8Wz3Nb6Hd1Fs5Jg0Ty"
    assert value in found(f"API_KEY=`{value}`")
    assert value in found(f"the api_key is `{value}`")
