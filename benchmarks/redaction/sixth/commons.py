"""apache/commons-validator's routine tests for the sixth set (issue 16).

Read from the Java text (no Java run; string literals without escapes only), in
``src/test/java/org/apache/commons/validator/routines/``:

* ``CreditCardValidatorTest.java``: the ``VALID_*`` card constants are ``CARD``; the
  ``ERROR_*`` ones (a wrong check digit is still card-like) are left out;
* ``IBANValidatorTest.java``: the ``VALID_IBAN_FIXTURES`` list is ``IBAN``; the invalid
  fixtures (lower-case forms, registry errata) are still IBAN-like and left out;
* ``InetAddressValidatorTest.java``: ``assertTrue(v.isValid*("..."))`` inputs are
  ``IPV6`` (with a colon) or ``IPV4``; ``assertFalse`` inputs are negatives only with no
  colon and no dotted quad of octets in them (``124.14.32.abc``, ``23.64.12``);
* ``EmailValidatorTest.java``: inputs of ``assertTrue(v.isValid("..."))`` and of
  ``new ResultPair("...", true)`` are ``EMAIL`` where the whole input is an address a
  reader would copy (an ``x@y.z`` with no white space, quote, bracket or display name);
  ``assertFalse``/``false`` inputs are negatives only with nothing address-like in them
  (``goplayground.email_negative``: a rejected ``joe@localhost.localdomain`` under a
  strict setting, ``joeblow @apache.org``, ``someone@[::1]`` are left out).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..outside.harvest import Harvest
from .goplayground import EMAIL_LIKE, IPV4, email_negative

SOURCE = "commons-validator"
ROUTINES = "src/test/java/org/apache/commons/validator/routines/"
_STR = r'"([^"\\\n]*)"'
_CARD = re.compile(r"static final String VALID_\w+ = " + _STR)
_IBAN_LIST = re.compile(r"(?<!IN)VALID_IBAN_FIXTURES = Arrays\.asList\((.*?)\);", re.S)
_INET = re.compile(r"assert(True|False)\(\w+\.isValid(?:Inet[46]Address)?\(" + _STR + r"\)")
_EMAIL = re.compile(
    r"assert(True|False)\(\w+\.isValid\("
    + _STR
    + r"\)|new ResultPair\("
    + _STR
    + r", (true|false)\)"
)
_EMAIL_ODD = re.compile(r"[\s\"'<>()\[\]\\,;]")


def emails(text: str) -> Iterator[tuple[str, bool]]:
    """(input, valid) of the e-mail asserts and result pairs."""
    for m in _EMAIL.finditer(text):
        if m.group(1):
            yield m.group(2), m.group(1) == "True"
        else:
            yield m.group(3), m.group(4) == "true"


def email_label(value: str, valid: bool) -> str | None:
    """``EMAIL``, ``NEGATIVE`` or None by the rules above."""
    if valid:
        whole = EMAIL_LIKE.search(value) and not _EMAIL_ODD.search(value)
        return "EMAIL" if whole and value.count("@") == 1 else None
    return "NEGATIVE" if email_negative(value) else None


def inet_label(value: str, valid: bool) -> str | None:
    """``IPV4``, ``IPV6``, ``NEGATIVE`` or None by the rules above."""
    if valid:
        return "IPV6" if ":" in value else "IPV4"
    return None if ":" in value or IPV4.search(value) else "NEGATIVE"


def harvest(h: Harvest, show: Callable[[str], str]) -> None:
    """Every labelled literal of the four tests."""
    path = ROUTINES + "CreditCardValidatorTest.java"
    for value in _CARD.findall(show(path)):
        h.add("CARD", value, SOURCE, path)
    path = ROUTINES + "IBANValidatorTest.java"
    for listing in _IBAN_LIST.findall(show(path)):
        for value in re.findall(_STR, re.sub(r"//[^\n]*", "", listing)):
            h.add("IBAN", value, SOURCE, path)
    path = ROUTINES + "InetAddressValidatorTest.java"
    for m in _INET.finditer(show(path)):
        got = inet_label(m.group(2), m.group(1) == "True")
        if got == "NEGATIVE":
            h.negative("IPV4", m.group(2), SOURCE, path)
        elif got:
            h.add(got, m.group(2), SOURCE, path)
    path = ROUTINES + "EmailValidatorTest.java"
    for value, valid in emails(show(path)):
        got = email_label(value, valid)
        if got == "NEGATIVE":
            h.negative("EMAIL", value, SOURCE, path)
        elif got:
            h.add(got, value, SOURCE, path)
