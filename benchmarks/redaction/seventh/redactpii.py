"""solvvy/redact-pii's expected redactions for the seventh set (issue 16): ``redactor.test.ts``.

Read from the TypeScript text (no JavaScript run): every ``TestCase('...', [[input,
syncOutput, googleDLPOutput?], ...])`` row, string literals only. redact-pii's own
(synchronous) redactor must turn ``input`` into ``syncOutput``; where it replaced text
the output holds a placeholder (``EMAIL_ADDRESS``, ``PHONE_NUMBER``...), and the text
the placeholder stands for is lined up with the input (the output's literal parts
around each placeholder match the input once). Labels, by placeholder:

* kinds SPEC §4 asks for: ``EMAIL_ADDRESS`` ``EMAIL``; ``PHONE_NUMBER`` ``PHONE_INTL``
  when written with ``+`` (``(+44) ...``), else ``PHONE_NATIONAL``;
  ``US_SOCIAL_SECURITY_NUMBER`` ``SSN``; ``IP_ADDRESS`` ``IPV4``/``IPV6`` when it is an
  address (``ipaddress`` parses it; a nine-group ``1234:ABCD:...:0000`` is no IPv6
  address, only address-like: left out); ``CREDIT_CARD_NUMBER`` ``CARD`` when it passes
  Luhn (SPEC §4 asks for Luhn-checked cards; redact-pii's ``1234 5678 8765 4321`` does
  not, and a card-shaped number is still card-like: left out, never a negative);
* kinds it scrubs that SPEC §4 does not ask for, scored apart in the input line:
  ``PERSON_NAME`` (names go through the optional NER stage), ``STREET_ADDRESS``,
  ``ZIPCODE``, ``URL``, ``DIGITS`` (any run of digits, ``my ssn: 123456789`` among them),
  ``USERNAME``, ``PASSWORD`` and ``CREDENTIALS`` (a ``password: baz123`` in prose: SPEC
  §4 asks for passwords in URLs and connection strings and high-entropy tokens next
  to key words, not for every word after ``password``);
* negatives: inputs that every output given (sync and Google DLP) leaves as they are
  (``Oh no worries I live right down the street...``); an input that only the DLP
  output changes (``here's my Cliff``: a name) is left out.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator

from ..outside.harvest import Harvest

SOURCE = "redact-pii"
PATH = "test/redactor.test.ts"
PLACEHOLDERS = ("US_SOCIAL_SECURITY_NUMBER", "CREDIT_CARD_NUMBER", "STREET_ADDRESS",
                "EMAIL_ADDRESS", "PHONE_NUMBER", "PERSON_NAME", "IP_ADDRESS", "CREDENTIALS",
                "USERNAME", "PASSWORD", "ZIPCODE", "DIGITS", "URL")  # fmt: skip
_STR = r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
_ROW = re.compile(rf"\[\s*({_STR})\s*,\s*({_STR})\s*(?:,\s*({_STR})\s*)?,?\s*\]")
_CASE = re.compile(r"^\s*TestCase\('[^'\n]*', \[(.*?)^\s*\]\);", re.S | re.M)
_PLACEHOLDER = re.compile("|".join(PLACEHOLDERS))
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
NOT_ASKED = {"PERSON_NAME": "NAME", "STREET_ADDRESS": "STREET_ADDRESS",
             "ZIPCODE": "POSTAL_CODE", "URL": "URL", "DIGITS": "DIGITS",
             "USERNAME": "USERNAME", "PASSWORD": "PASSWORD",
             "CREDENTIALS": "PASSWORD"}  # fmt: skip


def literal(token: str) -> str:
    """A JavaScript string literal's text (simple escapes only)."""
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), token[1:-1])


def rows(text: str) -> Iterator[tuple[str, str, str | None]]:
    """(input, syncOutput, googleDLPOutput or None) of every ``TestCase`` row."""
    text = re.sub(r"^\s*//[^\n]*", "", text, flags=re.M)
    for case in _CASE.finditer(text):
        for m in _ROW.finditer(case.group(1)):
            dlp = literal(m.group(3)) if m.group(3) else None
            yield literal(m.group(1)), literal(m.group(2)), dlp


def replaced(source: str, output: str) -> list[tuple[str, str]] | None:
    """(placeholder, the input text it stands for) in order, or None where the output's
    literal parts do not line up with the input."""
    names = _PLACEHOLDER.findall(output)
    parts = _PLACEHOLDER.split(output)
    pattern = "(.+?)".join(re.escape(p) for p in parts)
    m = re.fullmatch(pattern, source, re.S)
    return list(zip(names, m.groups(), strict=True)) if m else None


def luhn(digits: str) -> bool:
    """The Luhn check of a digit string."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def label(name: str, value: str) -> str | None:
    """The suite's label of a value redact-pii replaced with ``name`` (rules above)."""
    if name in NOT_ASKED:
        return "NOT_ASKED:" + NOT_ASKED[name]
    if name == "EMAIL_ADDRESS":
        return "EMAIL"
    if name == "PHONE_NUMBER":
        return "PHONE_INTL" if value.lstrip("(").startswith("+") else "PHONE_NATIONAL"
    if name == "US_SOCIAL_SECURITY_NUMBER":
        return "SSN"
    if name == "CREDIT_CARD_NUMBER":
        digits = re.sub(r"\D", "", value)
        return "CARD" if luhn(digits) and len(set(digits)) > 1 else None
    try:
        return "IPV6" if ipaddress.ip_address(value).version == 6 else "IPV4"
    except ValueError:
        return None


def harvest(h: Harvest, show: Callable[[str], str]) -> None:
    """Every labelled value and clean negative of the test's rows."""
    for source, output, dlp in rows(show(PATH)):
        if output == source and dlp in (None, source):
            h.negative("TEXT", source, SOURCE, PATH)
            continue
        for name, value in replaced(source, output) or []:
            got = label(name, value)
            if got and got.startswith("NOT_ASKED:"):
                h.add(got, value, SOURCE, PATH, context=source)
            elif got:
                h.add(got, value, SOURCE, PATH)
