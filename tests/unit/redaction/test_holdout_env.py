"""Bare values after password key words in env files and shell assignments (issue 16,
round eleven, continued).

SPEC §4: "passwords ... next to key words". In code, ``password = hunter`` names a
variable, so a bare run of letters is left (``keyvalues.is_reference``); in a line shaped
like an env file's or a shell's assignment (``NAME=value`` at the line's start, NAME in
upper case, ``=`` with no spaces; since the thirteenth set any name alone on its line:
``keywords.plain_literal``) the value is a literal. Examples of my own; the compiled
scan (``kw::assignment``) and the Python one must agree.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor, native

PYTHON = Redactor(native=False)
SCANS = (PYTHON, Redactor()) if native.available() else (PYTHON,)


def _found(redactor: Redactor, text: str) -> list[tuple[str, str]]:
    return [(f.type, text[f.start : f.end]) for f in redactor.redact(text).findings]


ENV_LINES = [
    ("DB_PASSWORD=bluefalcon", "PASSWORD", "bluefalcon"),
    ("export SMTP_PASS=quietriver", "PASSWORD", "quietriver"),
    ("PORT=5432\nADMIN_PASSWORD=tangerine\nDEBUG=0", "PASSWORD", "tangerine"),
    ("VITE_APP_PASSWD=moss-garden", "PASSWORD", "moss-garden"),
    ("REDIS_PASSWORD=alpha.bravo", "PASSWORD", "alpha.bravo"),
    ("MAIL_SECRET=lanternfish", "SECRET", "lanternfish"),
    ("# DB_PASSWORD=bluefalcon", "PASSWORD", "bluefalcon"),  # a line commented out
    ("PORT=1\n#export SMTP_PASS=quietriver", "PASSWORD", "quietriver"),
    # any case alone on its line, no spaces around '=' (keywords.plain_literal, the
    # thirteenth set): a shell's or a dotenv file's lower-case name, whispers' SSHpassword=
    ("db_password=hunter", "PASSWORD", "hunter"),
]


@pytest.mark.parametrize(("text", "kind", "value"), ENV_LINES)
def test_bare_value_of_an_env_assignment_is_a_literal(text: str, kind: str, value: str) -> None:
    """SPEC §4: NAME=value at a line's start, NAME in upper case: the value is the secret."""
    for redactor in SCANS:
        assert _found(redactor, text) == [(kind, value)], text


NOT_ENV = [
    "password = settings.local",  # code: a name
    "DB_PASSWORD = bluefalcon",  # spaces around '='
    "cfg.DB_PASSWORD=bluefalcon",  # an attribute, not a line's name
    "if DB_PASSWORD==bluefalcon",  # a comparison
    "DB_PASSWORD=${VAULT_DB_PW}",  # a reference
    "DB_PASSWORD=changeme",  # a placeholder
    "run with DB_PASSWORD=bluefalcon",  # not at the line's start
    "x = 1  # DB_PASSWORD=bluefalcon",  # a comment after code
]


@pytest.mark.parametrize("text", NOT_ENV)
def test_bare_word_outside_an_env_assignment_stays_a_name(text: str) -> None:
    for redactor in SCANS:
        assert _found(redactor, text) == [], text
