"""A key word and its value separated by spaces alone (issue 16, round eleven).

SPEC §4: "high-entropy tokens next to key words". The holdout found 266 values missed
in this syntax (``api key <token>``, netrc's ``password <value>``, ``SECRET_KEY
<token>``, Kingfisher's ``<provider> SECRET <token>``): a value that looks generated
counts. Examples of my own; both scans must agree.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

PYTHON = Redactor(native=False)
COMPILED = Redactor()

TOKEN = "Qx7mR2vK9pLw4tZ8nB3c"  # looks generated (my own)


def _found(redactor: Redactor, text: str) -> list[str]:
    return [text[f.start : f.end] for f in redactor.redact(text).findings]


SPACED = [
    f"api key {TOKEN}",
    f"SECRET_KEY {TOKEN}",
    f"acme SECRET {TOKEN}",
    f"acme SECRET KEY {TOKEN}",
    f"machine git.example.org login ann password {TOKEN}",
    f"the token\t{TOKEN}.",
    f"deploy_token {TOKEN}, then restart",
]


@pytest.mark.parametrize("text", SPACED)
def test_value_after_key_word_and_spaces_is_found(text: str) -> None:
    """SPEC §4: a generated value after a key word and spaces alone is a secret."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, text) == [TOKEN], text


SPACED_NOT = [
    "the key to this release is testing",
    "press any key 2 times",  # not generated
    "session 2024 starts in May",
    "token TokenKind.IDENTIFIER",  # a dotted name
    f"api key {TOKEN}:{TOKEN}",  # the token goes on: not this key word's value
    f"reset your password at accounts.example.org/{TOKEN}",  # a path, not after spaces alone
    "passport 12345678",  # not a key word
]


@pytest.mark.parametrize("text", SPACED_NOT)
def test_words_and_names_after_key_words_are_not_secrets(text: str) -> None:
    """SPEC §4 asks for high-entropy values: words, numbers and dotted names after a key
    word are left alone, in both scans."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, text) == [], text


def test_the_key_word_ends_the_identifier() -> None:
    """Without an operator the key word must end the name before the value (``SECRET_KEY``,
    ``deploy_token``): ``keyboard``, ``api_key_id``, ``token_url`` name something else."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, f"DEPLOY_TOKEN {TOKEN}") == [TOKEN]
        for name in ("keyboard", "api_key_id", "token_url"):
            assert _found(redactor, f"{name} {TOKEN}") == [], name
