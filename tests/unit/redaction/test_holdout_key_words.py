"""Key-word secrets in a syntax the holdout showed missing (issue 16, round eleven).

SPEC §4: "high-entropy tokens next to key words" and passwords after password-like key
words, in any syntax. The holdout (benchmarks/redaction/holdout) found name-value lists
whose name field is ``key`` missed (.NET's ``<add key="…" value="…"/>``, ``{"key":
"db_password", "value": "…"}``, AWS-style ``Key:``/``Value:`` tags), where ``name``/
``value`` lists were found. Examples of my own; both scans must agree (the compiled one
calls this validator back).
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

PYTHON = Redactor(native=False)
COMPILED = Redactor()


def _found(redactor: Redactor, text: str) -> list[str]:
    return [text[f.start : f.end] for f in redactor.redact(text).findings]


PASSWORD = "Tr0ub4dor&3x"  # a password, too short to be found without its key (my own)
KEY_VALUE = [
    f'<add key="DbPassword" value="{PASSWORD}" />',
    f'{{"key": "smtp.password", "value": "{PASSWORD}"}}',
    f'- Key: db_password\n  Value: "{PASSWORD}"',
]


@pytest.mark.parametrize("text", KEY_VALUE)
def test_key_value_entries_named_like_secrets_are_found(text: str) -> None:
    """SPEC §4: an entry ``key: <name holding a key word>`` then ``value: …``."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, text) == [PASSWORD], text


@pytest.mark.parametrize(
    "text",
    [f'<add key="Theme" value="{PASSWORD}" />', f'{{"key": "colour", "value": "{PASSWORD}"}}'],
)
def test_key_value_entries_named_otherwise_are_left(text: str) -> None:
    """An entry whose name holds no key word is not a secret."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, text) == [], text
