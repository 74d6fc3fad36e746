"""The eleventh set's label rules by kind (issue 16), shared by its source modules.

getsentry/relay's PII scrubber names what it removes by rule (``@email``, ``@iban``,
``@password``…); SPEC §4 asks for some of those kinds and not others. A value relay
scrubs is labelled with the suite's type where SPEC §4 asks for its kind and its shape
holds (a card number Luhn-checked, an IBAN whose mod 97 holds), else
``NOT_ASKED:<kind>``: IMEI, MAC and UUID values, user names in paths, public keys, card-
and IBAN-shaped numbers whose check fails, and values removed only for their field's
name with nothing secret-shaped in them (``"password": "hello"``).
"""

from __future__ import annotations

import re

ASKED = {
    "@email": "EMAIL",
    "@usssn": "SSN",
    "@urlauth": "URL_PASSWORD",
    "@bearer": "TOKEN_CONTEXT",
}
NOT_ASKED = {
    "@imei": "NOT_ASKED:IMEI",
    "@mac": "NOT_ASKED:MAC_ADDRESS",
    "@uuid": "NOT_ASKED:UUID",
    "@userpath": "NOT_ASKED:USER_PATH",
    "cookie": "NOT_ASKED:SESSION_COOKIE",
}
_CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9_\-\s]")


def luhn(digits: str) -> bool:
    """The Luhn check of a digit string (separators dropped)."""
    ds = [int(c) for c in re.sub(r"\D", "", digits)][::-1]
    return (
        sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(ds)) % 10
        == 0
    )


def mod97(iban: str) -> bool:
    """ISO 13616's check of an IBAN: the country and check digits moved to the end, the
    letters as numbers, the whole mod 97 is 1."""
    s = iban.replace(" ", "").upper()
    n = "".join(str(int(c, 36)) for c in s[4:] + s[:4])
    return int(n) % 97 == 1


def secret_shaped(value: str) -> bool:
    """A password-like value: eight characters or more, no white space, and at least two
    of lower case, upper case, digits and symbols (``_`` and ``-`` are word characters)."""
    if len(value) < 8 or re.search(r"\s", value):
        return False
    return sum(bool(re.search(c, value)) for c in _CLASSES) >= 2


def ip_label(value: str) -> str:
    """IPV6 where the address has a colon, else IPV4."""
    return "IPV6" if ":" in value else "IPV4"


def card_label(value: str) -> str:
    """CARD where Luhn holds, else a card-shaped number SPEC §4 does not ask for."""
    return "CARD" if luhn(value) else "NOT_ASKED:CARD_NO_LUHN"


def iban_label(value: str) -> str:
    """IBAN where mod 97 holds, else an IBAN-shaped string SPEC §4 does not ask for."""
    return "IBAN" if mod97(value) else "NOT_ASKED:IBAN_NO_CHECKSUM"


def pem_label(value: str) -> str:
    """PRIVATE_KEY for a private-key block; a public key is not asked."""
    return "PRIVATE_KEY" if "PRIVATE KEY-----" in value else "NOT_ASKED:PUBLIC_KEY"


def field_label(key: str, value: str) -> str:
    """A value relay removes for its field's name (``@password``, a sensitive field): not
    asked unless secret-shaped; then ``KEYWORD_SECRET`` under a password's name
    (``password``, ``passwd``, ``pwd``, ``secret``), ``TOKEN_CONTEXT`` under a token's or
    key's (``api_key``, ``auth_token``)."""
    if not secret_shaped(value):
        return "NOT_ASKED:FIELD_NAME"
    return "KEYWORD_SECRET" if re.search(r"(?i)pass|pwd|secret", key) else "TOKEN_CONTEXT"
