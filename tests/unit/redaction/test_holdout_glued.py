"""A key word glued into a name and a generated value glued onto it (issue 16, round twelve).

SPEC §4: "high-entropy tokens next to key words". The holdout (Kingfisher's rule tests)
writes a provider's key as one token: ``<provider>-apikey-<hex>``,
``<provider>SECRETKEY-<token>``, ``<provider>.PRIVATE.TOKEN-<token>``. The whole token is
found, name and value, as a provider's prefixed token is. Examples of my own; both scans
must agree.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

PYTHON = Redactor(native=False)
COMPILED = Redactor()

HEX = "9f3c1a7be04d52c8a6f1e93b7d20c4a5"  # my own
TOKEN = "Qx7mR2vK9pLw4tZ8nB3c"  # looks generated (my own)


def _found(redactor: Redactor, text: str) -> list[str]:
    return [text[f.start : f.end] for f in redactor.redact(text).findings]


UUID = f"{HEX[:8]}-{HEX[8:12]}-{HEX[12:16]}-{HEX[16:20]}-{HEX[20:]}"

GLUED = [
    (f"acme-apikey-{HEX}", f"acme-apikey-{HEX}"),
    (f"ACME_SECRET_KEY-{HEX}", f"ACME_SECRET_KEY-{HEX}"),
    (f"acmeSECRETKEY-{TOKEN}", f"acmeSECRETKEY-{TOKEN}"),
    (f"acme.private.token-{TOKEN}", f"acme.private.token-{TOKEN}"),
    (f"acme-secret-key-{UUID}", f"acme-secret-key-{UUID}"),
    (f"export it: acme_access_token.{TOKEN}.", f"acme_access_token.{TOKEN}"),
    (f"(acmeKEY-{HEX})", f"acmeKEY-{HEX}"),
]


@pytest.mark.parametrize(("text", "secret"), GLUED)
def test_key_word_glued_into_a_name_then_a_generated_value_is_found(text: str, secret: str) -> None:
    """SPEC §4: a name holding a key word, glued by '-', '_' or '.' to a generated value."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, text) == [secret], text


NOT_SECRETS = [
    "secret-manager-v2",
    "api_key_2",
    "token-refresh-interval-30s",
    "private-key-2048",
    f"token_url-{HEX}",  # the name says it is a URL's, not the secret
    "monkey-island-1990",
    "secretary-general-2024-annual-report",
    "secret-rotation-2024-12-07T10-44",  # a date
    "secret-scanner-v3.2.1-rc4",  # a version: shorter than 16
    "keyring-backend-1a2b3c4d",
    "password-reset-token-expired-404",
    f"acme-secret-{'x' * 32}",  # not generated
    "acme-secret-your_api_key_here1",
]


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_glued_names_and_values_that_are_not_generated_are_left(text: str) -> None:
    """SPEC §4: only a value that looks generated counts after a glued key word."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, text) == [], text


@pytest.mark.parametrize("name", ["acme_secret_v2", "DB_PASSWORD_2"])
def test_an_assignment_after_a_glued_name_is_the_value_alone(name: str) -> None:
    """SPEC §4: ``NAME=value`` is an assignment: its value is found, not the name with it."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, f"{name}={TOKEN}") == [TOKEN]
