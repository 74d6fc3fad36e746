"""Kinds of miss and false positive the ninth outside set showed (issue 16), on our own
examples.

SPEC §4 asks for passwords next to key words. The ninth set (checkov's translated form
strings) showed a form's text under a password-like message key flagged as the password:
``"repeat_password": "Gjenta passord"``. A label or sentence (a capital, then lower-case
words or numbers) is text; a password, a passphrase in lower case or in capitalised
words (``Mrs Bloggs``) and a value with digits or symbols inside a word are still
secrets.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor
from consentry.redaction.codevalues import form_text

FORM_TEXT = [
    '"confirm_password": "Repeat your new password"',
    "'password_too_short': 'La contraseña debe tener 8 caracteres. Inténtalo de nuevo.',",
    '"forgot_password": "Mot de passe oublié?"',
    'reset_password_title = "Réinitialiser le mot de passe"',
    '"passwordMismatch": "Les mots de passe ne correspondent pas, réessayez!"',
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("text", FORM_TEXT)
def test_form_text_under_a_password_key_is_not_a_secret(native: bool, text: str) -> None:
    """SPEC §4: a form's label or sentence is not the password its key names."""
    assert Redactor(native=native).redact(text).findings == ()


STILL_SECRETS = [
    ('"db_password": "Tr0ub4dor&3"', "Tr0ub4dor&3"),
    ('"password": "correct horse battery staple"', "correct horse battery staple"),
    ('"admin_password": "Sommer2024 ist da"', "Sommer2024 ist da"),
    ('"smtp_password": "Kx!9 mQ2z"', "Kx!9 mQ2z"),
    ('"vpn_password": "Blue Horse"', "Blue Horse"),
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(("text", "secret"), STILL_SECRETS)
def test_password_literals_are_still_found(native: bool, text: str, secret: str) -> None:
    """SPEC §4: a password, a lower-case passphrase, or words with digits or symbols
    glued in are still the secret."""
    findings = Redactor(native=native).redact(text).findings
    assert [text[f.start : f.end] for f in findings] == [secret]


def test_form_text_shape() -> None:
    # a capital then lower-case words, numbers, a capital after a sentence's end, an
    # abbreviation among three words or more; single spaces, one closing mark per word
    assert form_text(b"Gjenta passord")
    assert form_text(b"Minst 6 tegn.")
    assert form_text("Feil passord. Prøv igjen, takk!".encode())
    assert form_text(b"Kode fra SMS")
    assert not form_text(b"Mrs Bloggs")  # a name: a password as good as any
    assert not form_text(b"Hello WORLD")
    assert not form_text(b"Passord")  # one word: could be the password
    assert not form_text(b"open sesame")  # lower case: a passphrase
    assert not form_text(b"Sommer2024 ist da")
    assert not form_text(b"Hello  world")  # two spaces
    assert not form_text(b"HELLO world")
    assert not form_text(b"Hello wor!d")


# SPEC §4 passwords in connection strings: the ninth set (secret-detector's Basic
# credentials) showed ``Basic <base64>`` missed without an ``Authorization:`` header or
# under 8 characters. Base64 that decodes to a printable ``user:password`` is one.
BASIC = [
    ("basic Ym9iOnM=", "Ym9iOnM="),  # bob:s
    ("Authorization: Basic cTp3", "cTp3"),  # q:w
    ('headers["Authorization"] = "Basic YWxpY2U6VDBwLXMzY3JldA=="', "YWxpY2U6VDBwLXMzY3JldA=="),
    ("proxy: BASIC ZGVwbG95OmhWN3FMMnpY\n", "ZGVwbG95OmhWN3FMMnpY"),  # deploy:hV7qL2zX
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(("text", "secret"), BASIC)
def test_basic_credential_is_found(native: bool, text: str, secret: str) -> None:
    """SPEC §4: a Basic credential, with or without its header, however short (found
    whole; a quoted header value is found with its scheme)."""
    findings = Redactor(native=native).redact(text).findings
    at = text.index(secret)
    assert len(findings) == 1
    assert findings[0].start <= at and at + len(secret) <= findings[0].end


NOT_BASIC = [
    "a basic idea here",
    "basic test",
    "Basic YWxpY2U=",  # alice: no colon
    "Basic dXNlcjpwYXNzd29yZA==",  # user:password, a stand-in
    "basic Og=",  # not whole base64
    "Basic AAECAwQFBgc=",  # binary
    "basic auth_token_here",
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("text", NOT_BASIC)
def test_basic_words_are_not_credentials(native: bool, text: str) -> None:
    """SPEC §4: the word, or base64 that is no ``user:password``, is not a credential."""
    assert Redactor(native=native).redact(text).findings == ()


# SPEC §4 high-entropy tokens next to key words: the ninth set (checkov's check table,
# ``'Slack Token': 'CKV_SECRET_14'``) showed a constant's name taken for a token. Words of
# capitals joined by ``_`` (a short number after the last) are a name; a generated value
# mixes its characters.
CONSTANT_NAMES = [
    "'Stripe Token': 'RULE_STRIPE_KEY_3',",
    'auth_token = "ERROR_TOKEN_EXPIRED"',
    'API_KEY_NAME: "MY_SERVICE_API_KEY"',
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("text", CONSTANT_NAMES)
def test_constant_name_after_a_token_key_word_is_no_token(native: bool, text: str) -> None:
    """SPEC §4: a constant's name is not the generated token its key names."""
    assert Redactor(native=native).redact(text).findings == ()


GENERATED = [
    ('api_token = "Zq8_LmX2_Pw9Rt"', "Zq8_LmX2_Pw9Rt"),
    ('auth_token = "QWX_ZKV_8815_PLM"', "QWX_ZKV_8815_PLM"),
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(("text", "secret"), GENERATED)
def test_generated_tokens_with_underscores_are_still_found(
    native: bool, text: str, secret: str
) -> None:
    """SPEC §4: underscores in a generated token do not make it a name."""
    findings = Redactor(native=native).redact(text).findings
    assert [text[f.start : f.end] for f in findings] == [secret]


# SPEC §4 passwords in URLs: the ninth set (secret-detector's URL cases) showed the
# password missed where the login is an e-mail address written unencoded
# (``smtp://me@host:PASS@server``); RFC 3986's userinfo ends at the host's ``@``.
@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_url_password_after_an_email_login_is_found(native: bool) -> None:
    """SPEC §4: the password of a URL whose user name is an e-mail address."""
    text = "EMAIL_URL=smtp://alerts@acme.test:Vq3-Lm8Np2@smtp.acme.test:587/"
    findings = Redactor(native=native).redact(text).findings
    assert "Vq3-Lm8Np2" in [text[f.start : f.end] for f in findings]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_port_and_path_after_an_email_login_are_no_password(native: bool) -> None:
    """SPEC §4: a port, a path or a variable after the login is no password."""
    for text in ("ssh://git@forge.test:team/app.git@v2", "imap://me@mail.test:$PASS@imap.test"):
        findings = Redactor(native=native).redact(text).findings
        assert all(f.type != "PASSWORD" for f in findings), text
