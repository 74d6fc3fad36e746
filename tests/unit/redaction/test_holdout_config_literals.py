"""Bare values after password key words in YAML mapping lines and INI entries (issue 16,
round twelve).

SPEC §4: "passwords ... next to key words". A bare run of letters after ``password =`` in
code names a variable (``password = settings_local``), so it is left; in a YAML mapping
line (``password: value`` alone on its line) or an INI entry under a ``[section]`` line
(``Password=value``) the syntax says it is a literal. Python and TypeScript annotations
look like YAML lines and are left. Examples of my own; both scans must agree.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

PYTHON = Redactor(native=False)
COMPILED = Redactor()


def _found(redactor: Redactor, text: str) -> list[str]:
    return [text[f.start : f.end] for f in redactor.redact(text).findings]


LITERALS = [
    ("password: marzipanLoaf", "marzipanLoaf"),
    ("database:\n  user: ann\n  password: marzipanLoaf\n  port: 5432", "marzipanLoaf"),
    ("users:\n  - password: marzipanLoaf\n", "marzipanLoaf"),
    ("  api_key: Rkx_marzipanLoafTorte\n", "Rkx_marzipanLoafTorte"),
    ("[mail]\nUser=ann\nPassword=marzipanLoaf\n", "marzipanLoaf"),
    ("[mail]\r\nPassword = marzipanLoaf\r\n", "marzipanLoaf"),
    # no [section], but alone on its line with no spaces around '=': a properties file's
    # or a shell's assignment (keywords.plain_literal, the thirteenth set)
    ("x = 1\nPassword=marzipanLoaf\n", "marzipanLoaf"),
]


@pytest.mark.parametrize(("text", "value"), LITERALS)
def test_bare_value_of_a_yaml_or_ini_line_is_a_literal(text: str, value: str) -> None:
    """SPEC §4: a password in a YAML mapping line or an INI entry is a secret."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, text) == [value], text


NAMES = [
    "class Login:\n    password: str\n",
    "class Login:\n    password: bytes\n",
    "class Login(BaseModel):\n    password: SecretStr\n",
    "interface Login {\n  password: string\n}",
    "def login(password: str) -> None:",
    "password: marzipanLoaf  # the old one",
    "password = marzipanLoaf\n",  # code, no [section]
    "password: ${DB_PASSWORD}\n",
    "  password: DB_PASSWORD\n",  # an environment variable's name
    "[mail]\nPassword=MAIL_PASSWORD\n",
    "  password: mail_password\n",  # a variable's name
    "[mail]\nhost = smtp.example.org\nmsg = password = marzipanLoaf\n",
]


@pytest.mark.parametrize("text", NAMES)
def test_bare_words_outside_yaml_and_ini_lines_stay_names(text: str) -> None:
    """SPEC §4: annotations and code keep their bare words (names, not secrets)."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, text) == [], text
