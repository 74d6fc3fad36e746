"""DataFog/datafog-python's labelled corpus and regex tests for the seventh set (issue 16).

Read as data (no DataFog run):

* ``tests/corpus/{structured_pii,mixed_pii,edge_cases,unstructured_pii,negative_cases}
  .json``: each case's ``expected_entities`` (type, text) are what DataFog's scan must
  report in the case's ``input``;
* ``tests/test_regex_annotator.py`` and ``tests/test_de_pii_regex.py``: the
  ``pytest.mark.parametrize`` rows (read with ``ast``) of the e-mail, phone, SSN, card,
  IP, date and ZIP tests (``(value, should_match)``) and of the German cases
  (``(label, text, expected)``).

Labels, by DataFog's type (each holds for the whole kind):

* kinds SPEC §4 asks for: ``EMAIL``; ``PHONE`` ``PHONE_INTL`` when written with ``+``,
  else ``PHONE_NATIONAL``; ``SSN`` (as DataFog says: its ``999-99-9999`` and
  ``001-01-0001`` too); ``CREDIT_CARD`` ``CARD`` where the number passes Luhn;
  ``IP_ADDRESS`` ``IPV4``/``IPV6`` where ``ipaddress`` parses it; ``DE_IBAN`` ``IBAN``;
  the German personal numbers with a check digit, ``DE_TAX_ID`` (Steuer-ID,
  ``stdnum.de.idnr``) and ``DE_SOCIAL_SECURITY_NUMBER`` (Rentenversicherungsnummer,
  ``rvnr_ok``), ``NATIONAL_ID`` where the check digit holds (a failing one is still
  identifier-like: left out);
* kinds SPEC §4 does not ask for, scored apart in the case's input: ``PERSON``
  (``NAME``), ``ORGANIZATION``, ``LOCATION``, ``ADDRESS`` (``STREET_ADDRESS``: the
  optional NER stage's), ``DATE``, ``ZIP_CODE``/``DE_POSTAL_CODE`` (``POSTAL_CODE``),
  ``DE_VAT_ID`` (``VAT_NUMBER``), ``DE_PASSPORT_NUMBER`` (``PASSPORT``),
  ``DE_RESIDENCE_PERMIT_NUMBER`` (``IDENTIFIER``);
* negatives: corpus inputs with no expected entity and rejected dates and ZIP codes,
  each only where nothing of an asked kind's shape is in it (``look_alike``): no
  phone shape (3-3-4 digits: ``Part number: 555-123-4567-A`` holds one), no SSN shape
  (3-2-4 digits: ``000-00-0000`` is still SSN-like), no run of 13-19 digits (card-like),
  no dotted quad of octets, nothing address-like (``goplayground.email_negative``).
  Rejected phones, SSNs and cards are look-alikes: left out, never negatives.
"""

from __future__ import annotations

import ast
import ipaddress
import json
import re
from collections.abc import Callable, Iterator

from stdnum.de import idnr

from ..outside.harvest import Harvest
from ..sixth.goplayground import email_negative
from .redactpii import luhn

SOURCE = "datafog"
CORPUS = tuple(
    f"tests/corpus/{name}.json"
    for name in ("structured_pii", "mixed_pii", "edge_cases", "unstructured_pii", "negative_cases")
)
TESTS = ("tests/test_regex_annotator.py", "tests/test_de_pii_regex.py")
_PARAM_KIND = {"email": "EMAIL", "phone": "PHONE", "ssn": "SSN", "card": "CREDIT_CARD",
               "ip": "IP_ADDRESS", "date": "DATE", "zip_code": "ZIP_CODE"}  # fmt: skip
NOT_ASKED = {"PERSON": "NAME", "ADDRESS": "STREET_ADDRESS", "ZIP_CODE": "POSTAL_CODE",
             "DE_POSTAL_CODE": "POSTAL_CODE", "DE_VAT_ID": "VAT_NUMBER",
             "DE_PASSPORT_NUMBER": "PASSPORT",
             "DE_RESIDENCE_PERMIT_NUMBER": "IDENTIFIER"}  # fmt: skip
_RVNR = re.compile(r"(\d{2}) ?(\d{6}) ?([A-Z])(\d{2})(\d)")
_RVNR_WEIGHTS = (2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1)
_SHAPES = re.compile(
    r"\(?\d{3}\)?[-. ]?\d{3}[-. ]\d{4}"  # a phone
    r"|(?<!\d)(?:\d{3}([- ])\d{2}\1\d{3,5}|\d{9})(?!\d)"  # an SSN, maybe a digit short or long
    r"|(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)"  # a card
)


def look_alike(text: str) -> bool:
    """Whether ``text`` holds the shape of a kind SPEC §4 asks for (rules above)."""
    return bool(_SHAPES.search(text)) or not email_negative(text)


def rvnr_ok(value: str) -> bool:
    """The Rentenversicherungsnummer's check digit (the letter as its two-digit place in
    the alphabet, weights 2 1 2 5 7 1 2 1 2 1 2 1, digit sums, modulo 10)."""
    m = _RVNR.fullmatch(value)
    if not m:
        return False
    digits = m.group(1) + m.group(2) + f"{ord(m.group(3)) - 64:02d}" + m.group(4)
    total = sum(sum(divmod(int(d) * w, 10)) for d, w in zip(digits, _RVNR_WEIGHTS, strict=True))
    return total % 10 == int(m.group(5))


def label(kind: str, value: str) -> str | None:
    """The suite's label of a value DataFog reports as ``kind`` (rules above)."""
    if kind == "DE_TAX_ID":
        return "NATIONAL_ID" if idnr.is_valid(value) else None
    if kind == "DE_SOCIAL_SECURITY_NUMBER":
        return "NATIONAL_ID" if rvnr_ok(value) else None
    if kind in ("EMAIL", "SSN"):
        return kind
    if kind == "PHONE":
        return "PHONE_INTL" if value.lstrip("(").startswith("+") else "PHONE_NATIONAL"
    if kind == "CREDIT_CARD":
        return "CARD" if luhn(re.sub(r"\D", "", value)) else None
    if kind == "DE_IBAN":
        return "IBAN"
    if kind == "IP_ADDRESS":
        try:
            return "IPV6" if ipaddress.ip_address(value).version == 6 else "IPV4"
        except ValueError:
            return None
    return "NOT_ASKED:" + NOT_ASKED.get(kind, kind)


def corpus(text: str) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(input, [(type, text)...]) of a corpus file's cases."""
    for case in json.loads(text):
        yield case["input"], [(e["type"], e["text"]) for e in case["expected_entities"]]


def parametrized(text: str) -> Iterator[tuple[str, str, bool, str]]:
    """(DataFog type, value, should match, the input line) of the parametrize rows."""
    for node in ast.walk(ast.parse(text)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "parametrize"):
            continue
        names = ast.literal_eval(node.args[0]).split(",")
        rows = ast.literal_eval(node.args[1])
        if names[0] in _PARAM_KIND:
            for row in rows:
                yield _PARAM_KIND[names[0]], row[0], bool(row[1]), row[0]
        elif names[:3] == ["label", "text", "expected"]:
            for kind, line, expected in rows:
                yield kind, expected, True, line


def _add(h: Harvest, kind: str, value: str, line: str, path: str) -> None:
    got = label(kind, value)
    if got and got.startswith("NOT_ASKED:"):
        h.add(got, value, SOURCE, path, context=line)
    elif got:
        h.add(got, value, SOURCE, path)


def harvest(h: Harvest, show: Callable[[str], str]) -> None:
    """Every labelled value and clean negative of the corpus and the tests."""
    for path in CORPUS:
        for line, entities in corpus(show(path)):
            for kind, value in entities:
                _add(h, kind, value, line, path)
            if not entities and line.strip() and not look_alike(line):
                h.negative("TEXT", line, SOURCE, path)
    for path in TESTS:
        for kind, value, match, line in parametrized(show(path)):
            if match:
                _add(h, kind, value, line, path)
            elif kind in ("DATE", "ZIP_CODE", "EMAIL", "IP_ADDRESS") and not look_alike(value):
                h.negative(kind if kind != "IP_ADDRESS" else "IPV4", value, SOURCE, path)
