"""Secrets written as YAML block scalars under their key word (issue 16, SPEC §4).

SPEC §4: passwords and "high-entropy tokens next to key words". Kubernetes Secrets'
``stringData``, Helm values and CI files write ``password: |`` and the value on the next,
indented line. Issue 16 also lists "a key word whose value is on the next line" as a false
positive: without the block indicator the next line is not the value. Values are our own.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password: |\n  Zx9!kQ2mPw\n", "password: |\n  [PASSWORD]\n"),
        (
            "stringData:\n  DB_PASSWORD: |-\n    Qe7vLx2Rm99\n  host: db\n",
            "stringData:\n  DB_PASSWORD: |-\n    [PASSWORD]\n  host: db\n",
        ),
        ("- password: >\n    Qe7vLx2Rm99", "- password: >\n    [PASSWORD]"),
        (
            "  api_token: |  # rotated monthly\n    ghx7Kq2LmN9pQr4sTu8vWx1yZa3bCd5e\n",
            "  api_token: |  # rotated monthly\n    [SECRET]\n",
        ),
    ],
)
def test_block_scalar_value_is_found(native: bool, text: str, expected: str) -> None:
    """SPEC §4: the indented line under ``key: |`` is the key word's value."""
    assert Redactor(native=native).redact(text).text == expected


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(
    "text",
    [
        "password:\n  next: value",
        "password: |\nnot_indented_under_it",
        "description: |\n  The password is required",
        "token: |\n  short",
        "secret: |\n  ${SECRET_FROM_ENV}",
    ],
)
def test_other_next_lines_are_left(native: bool, text: str) -> None:
    """SPEC §4 (false positives): no block indicator, no indent, a key word that is not
    the key, a token that does not look generated, a template."""
    assert Redactor(native=native).redact(text).findings == ()
