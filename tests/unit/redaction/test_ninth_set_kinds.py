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
