"""Values after key words that are not secrets, as the holdout found them flagged (issue 16).

SPEC §4 asks for secrets, and issue 16 for no false positives on "obvious placeholders
(``YOUR_API_KEY``, ``<token>``, ``${SECRET}``)". Kinds the holdout (benchmarks/redaction/
holdout, round eleven) showed flagged, each with examples of my own:

* templates: ``${{ … }}`` (CI expressions), ``{ name }`` with spaces, ``$$NAME`` (an
  escaped ``$``);
* reads from elsewhere: ``secrets["…"]``, PHP's ``$_POST[…]``, CloudFormation's
  ``!Ref``/``!ImportValue``/``Fn::``;
* a setting's own name as its value (``"api_key": "API_KEY"``);
* names that hold a key word but name something else (``secretary``, ``passenger``);
* a command's URL after ``-u user:`` with no password, or after a flag that takes none.

The key-word tables are handed to the compiled scan's port, so both scans must agree.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

PYTHON = Redactor(native=False)
COMPILED = Redactor()


def _found(redactor: Redactor, text: str) -> list[str]:
    return [text[f.start : f.end] for f in redactor.redact(text).findings]


NOT_SECRETS = [
    'db_password: "${{ vars.DB_PASSWORD }}"',
    'smtp_password = "{ smtp_password }"',
    'MYSQL_PASSWORD: "$$MYSQL_PASSWORD"',
    'password = secrets["db"]',
    "'password' => \\$_POST['password'],",
    '"password": "$_REQUEST[pwd]"',
    "password = \"$_SERVER['PW']\"",
    '"MasterUserPassword": "!Ref DbPasswordParam"',
    '"ApiKey": "!ImportValue SharedApiKey"',
    'DbPassword: "Fn::GetAtt Secret.Value"',
    '"api_key": "API_KEY",',
    '"client_secret": "client_secret"',
    'secretary: "Mrs Bloggs"',
    'passwordForPassenger: "b4ck-seat"',
    'passwordPassthrough: "0n-t0p"',
    "curl -u deploy: https://localhost:8443/hook",
    "curl --tlspassword https://localhost:8443/hook",
]


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_templates_references_and_names_are_not_secrets(text: str) -> None:
    """SPEC §4 / issue 16: placeholders, templates and references are not secrets."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, text) == [], text


SECRETS = [
    ('db_password: "Vq3-Lm8!Np2"', "Vq3-Lm8!Np2"),
    ('"api_key": "Vq3Lm8Np2Xr7Kt9Zw4Ys",', "Vq3Lm8Np2Xr7Kt9Zw4Ys"),
    ('secret: "Mrs Bloggs"', "Mrs Bloggs"),
    ("curl -u deploy:Vq3Lm8Np2 https://ci.example.org/hook", "Vq3Lm8Np2"),
    ("curl --tlspassword Vq3Lm8Np2Xr7Kt9 https://ci.example.org/hook", "Vq3Lm8Np2Xr7Kt9"),
]


@pytest.mark.parametrize(("text", "secret"), SECRETS)
def test_the_secrets_beside_them_are_still_found(text: str, secret: str) -> None:
    """The same syntaxes with a literal secret: still found, by both scans."""
    for redactor in (PYTHON, COMPILED):
        assert _found(redactor, text) == [secret], text
