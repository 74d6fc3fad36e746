"""Words that name a secret only next to a provider's name (issue 16, round thirteen).

SPEC §4: "high-entropy tokens next to key words". Secret-scanner rule tests (the holdout's
Kingfisher rules) name a provider's key ``<provider> ACCESS <token>``,
``<provider>PRIVATE-<token>``, ``<provider>_private=<token>``, a CI tool's token
``<tool>.login=<hex>``, a personal access token ``<NAME>_PAT = <hex>`` and
``<provider>_api=<token>``. ``access``, ``private``, ``login`` and ``api`` are common words,
so they count only at the end of a name and before a generated value of 20 bytes or more
(32 in hex). Examples of my own; both scans must agree.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

PYTHON = Redactor(native=False)
COMPILED = Redactor()

HEX = "5be0c93a7f21d64e8a3c0f9b12d7e46a"  # my own
HEX40 = HEX + "c0ffee42"
TOKEN = "Vb7nQ2xKp9Lm4wRt8ZcY3sHd"  # looks generated (my own)
UUID = f"{HEX[:8]}-{HEX[8:12]}-{HEX[12:16]}-{HEX[16:20]}-{HEX[20:]}"


def _found(redactor: Redactor, text: str) -> list[str]:
    return [text[f.start : f.end] for f in redactor.redact(text).findings]


FOUND = [
    # a naming word after spaces, alone or glued to a provider's name
    (f"orbitmail ACCESS {TOKEN}", TOKEN),
    (f"orbitmail PRIVATE {HEX}", HEX),
    (f"use orbitmailAccess {TOKEN} here", TOKEN),
    (f"orbit_mail_private {UUID}", UUID),
    (f"orbit-key-ACCESS {HEX}.", HEX),
    # glued: the whole token, name and value
    (f"orbitmail-private-{UUID}", f"orbitmail-private-{UUID}"),
    (f"(orbitmailPRIVATE.{HEX})", f"orbitmailPRIVATE.{HEX}"),
    (f"orbit_access-{TOKEN}", f"orbit_access-{TOKEN}"),
    # with an operator
    (f"orbitmail_private={TOKEN}", TOKEN),
    (f"orbitmailACCESS: '{HEX}'", HEX),
    (f'{{"access": "{HEX}"}}', HEX),
    (f"ci.login={HEX40} ci.host=build", HEX40),
    (f'$ciLogin = "{HEX40}"', HEX40),
    (f"props.set('ci.login', '{HEX40}')", HEX40),
    (f"GITEA_PAT = {HEX}", HEX),
    (f'my_pat =  "{HEX}"', HEX),
    (f"devops pat => {TOKEN};", TOKEN),
    (f"orbit-mail-api:{HEX}", HEX),
    (f"orbitmailapi={TOKEN}", TOKEN),
]


@pytest.mark.parametrize(("text", "secret"), FOUND)
def test_a_naming_word_then_a_generated_value_is_found(text: str, secret: str) -> None:
    """SPEC §4: ``access``/``private``/``login``/``pat`` ending a name, then a generated value."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, text) == [secret], text


LEFT = [
    # prose and code: the value does not look generated
    "grant read access to 3 users",
    "private static final int MAX_RETRIES_3 = 3;",
    "access: rw-2024",
    "login=jsmith1984",
    f"private: {'ab' * 10}1",
    f'orbit_access="{"abab" * 7}1212"',  # made up: too few distinct characters
    # short: a short commit hash, a version, a 64-bit digest (20 bytes, 32 in hex, are asked for)
    "cherry-picked into private 3f2a9c1d4e5b",
    "access v2.4.1-rc3",
    f'{{"Acme::Gateway::Api": "{HEX[:16]}", "Acme::Shield::DRTAccess": "{HEX[:24]}"}}',
    "orbitmail ACCESS Vb7nQ2xKp9Lm4wRt8Zc",
    # a number in hex: an address in a crash log
    "segfault: invalid access 0x00007ffd4a3b2c10 in worker",
    # the word does not end the name, or is part of another word
    f"access_url = {TOKEN}",
    f"private_id: {HEX}",
    f"accessibility-{HEX}",
    f"arn:acme:store:us-east-2:access-grants/default/grant/{UUID}",  # a path
    f"compat = {HEX}",
    f"patch_level {HEX}",
    # the value goes on: a port, a quoted sentence
    f"ci.login={HEX40}:9000",
    f'login = "{HEX40} was the build"',
]


@pytest.mark.parametrize("text", LEFT)
def test_naming_words_in_prose_and_code_are_left(text: str) -> None:
    """SPEC §4: a naming word alone is a common word; only a generated value counts."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, text) == [], text
