"""philterd/phileas's filter tests for the twelfth set (issue 16).

``src/test/java/ai/philterd/phileas/filters/*FilterTest.java``: each test hands a filter
an input (``filter.filter(..., "the ssn is 123-45-6789.")``), asserts how many spans it
must find (``assertEquals(1, filtered.getSpans().size())``) and where
(``checkSpan(span, 11, 22, FilterType.SSN)``). Read as Java text, no test run; the
``filterWithCandidates*`` tests (they check a candidate's offsets, not the filter's
answer) and counts that depend on a flag (``strict ? 1 : 0``) are skipped. A value is a
span's text; where a test gives a count but no offsets, the value is the one match of
its kind's shape in the input (as many matches as the count, else skipped). Labels by
the filter's kind (each holds for the whole kind):

* kinds SPEC §4 asks for: ``EMAIL_ADDRESS`` ``EMAIL``; ``IP_ADDRESS`` ``IPV4``/``IPV6``
  where ``ipaddress`` parses it (a span inside another span of the same input, a
  phileas artifact, is dropped); ``CREDIT_CARD`` ``CARD`` where Luhn holds and the
  digits are not one digit repeated; ``IBAN_CODE`` ``IBAN`` where mod 97 holds;
  ``PHONE_NUMBER`` ``PHONE_INTL`` when written with ``+``, else ``PHONE_NATIONAL``, where
  ``phonenumbers`` calls it a possible number of the US, the UK or France (the tests'
  regions); ``SSN`` in the 3-2-4 shape or nine digits ``SSN`` (as phileas says), its
  2-7 shape (an employer's EIN) ``NOT_ASKED:COMPANY_ID``; the identifier filter's
  checksummed personal numbers (Canada's SIN, Germany's Steuer-ID, Brazil's CPF)
  ``NATIONAL_ID`` where python-stdnum says the check holds; a failing card, IBAN or
  identifier is its kind's look-alike and left out;
* kinds SPEC §4 does not ask for, scored apart in their input: ``AGE``, ``DATE``,
  ``ZIP_CODE`` (``POSTAL_CODE``), ``URL`` (none holds credentials), ``VIN``,
  ``MAC_ADDRESS``, ``BITCOIN_ADDRESS`` (``CRYPTO_ADDRESS``), ``PASSPORT_NUMBER``,
  ``DRIVERS_LICENSE_NUMBER``, ``BANK_ROUTING_NUMBER`` (a bank's public code:
  ``ROUTING_NUMBER``), ``TRACKING_NUMBER``, ``CURRENCY``, ``EIN`` (``COMPANY_ID``),
  ``PHONE_NUMBER_EXTENSION``, names (``FIRST_NAME``, ``SURNAME``, ``PHYSICIAN_NAME``:
  ``NAME``), places (``CITY``, ``COUNTY``, ``STATE``, ``LOCATION_CITY``:
  ``LOCATION``), ``STREET_ADDRESS``, ``HOSPITAL`` (``ORGANIZATION``), the identifier
  filter's other patterns (``IDENTIFIER``: record numbers, an ID card's number);
  dictionary terms and redaction sections (the test's own words) are skipped;
* negatives: inputs no test finds anything in (the same input found under another
  flag is never one; the card, SSN, EIN, phone, IBAN and identifier filters' rejected
  inputs are their kind's look-alikes, never negatives), only where nothing of an
  asked kind's shape is in it (``seventh.datafog.look_alike``: no phone, SSN or card
  shape, nothing address-like) and no IPv4 address; a BIC the identifier filter finds
  (``DEUTDEFF``, a bank's public code) as the eighth set's are.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import phonenumbers
from stdnum import iban
from stdnum.br import cpf
from stdnum.ca import sin
from stdnum.de import idnr

from ..outside.harvest import Harvest
from ..seventh.datafog import look_alike
from ..seventh.redactpii import luhn

SOURCE = "phileas"
FOLDER = "src/test/java/ai/philterd/phileas/filters"
_STR = r'"((?:[^"\\]|\\.)*)"'
_CALL = re.compile(
    r"(?:(\w+)\s*=\s*)?filter\.filter\([^;]*?,\s*" + _STR + r"\s*\)(\.getSpans\(\)\.size\(\))?"
)
_SPAN = re.compile(
    r"checkSpan\(\s*\w+\.getSpans\(\)\.get\(\d+\)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*FilterType\.(\w+)\)"
)
_METHOD = re.compile(r"void (\w+)\(")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
NOT_ASKED = {
    "AGE": "AGE", "DATE": "DATE", "ZIP_CODE": "POSTAL_CODE", "URL": "URL", "VIN": "VIN",
    "MAC_ADDRESS": "MAC_ADDRESS", "BITCOIN_ADDRESS": "CRYPTO_ADDRESS",
    "PASSPORT_NUMBER": "PASSPORT", "DRIVERS_LICENSE_NUMBER": "DRIVERS_LICENCE",
    "BANK_ROUTING_NUMBER": "ROUTING_NUMBER", "TRACKING_NUMBER": "TRACKING_NUMBER",
    "CURRENCY": "CURRENCY", "EIN": "COMPANY_ID", "PHONE_NUMBER_EXTENSION": "PHONE_EXTENSION",
    "FIRST_NAME": "NAME", "SURNAME": "NAME", "PHYSICIAN_NAME": "NAME", "CITY": "LOCATION",
    "COUNTY": "LOCATION", "STATE": "LOCATION", "LOCATION_CITY": "LOCATION",
    "STREET_ADDRESS": "STREET_ADDRESS", "HOSPITAL": "ORGANIZATION", "IDENTIFIER": "IDENTIFIER",
}  # fmt: skip
_SKIPPED_KINDS = {"CUSTOM_DICTIONARY", "SECTION"}
# The filter each test file tests, for a count without offsets: its kind and shape.
_FILE_KIND = {
    "CreditCard": ("CREDIT_CARD", r"(?<![\d-])\d(?:[ -]?\d){12,18}(?!\d)"),
    "EmailAddress": (
        "EMAIL_ADDRESS",
        r"(?<![\w.@\"\\-])[\w+-]+(?:\.[\w+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?![\w@.-])",
    ),
    "IbanCode": ("IBAN_CODE", r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"),
    "IpAddress": ("IP_ADDRESS", r"(?<![\w.:])[0-9A-Fa-f.:]*[.:][0-9A-Fa-f.:]+(?<!\.)"),
    "Ssn": ("SSN", r"(?<!\d)\d{3}([- ]?)\d{2}\1\d{4}(?!\d)"),
    "PhoneNumber": ("PHONE_NUMBER", r"\+?\(?\d{1,4}\)?(?:[ .-]?\(?\d{2,4}\)?){2,5}"),
    "Identifier": (
        "IDENTIFIER",
        r"(?<![\w-])(?=[\w ]*\d)[A-Z0-9]{8,11}(?![\w-])|\d{3} \d{3} \d{3}",
    ),
}
_NATIONAL_IDS = (sin, idnr, cpf)
# Filters of asked kinds whose rejected inputs are that kind's look-alikes (never negatives).
_LOOK_ALIKES = {"CreditCard", "Ssn", "PhoneNumber", "IbanCode", "Identifier", "Ein"}
_BIC = re.compile(r"\b[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b")


@dataclass
class Case:
    """One ``filter.filter`` call: the test file's stem, method, input, count and spans."""

    stem: str
    method: str
    text: str
    count: int | None
    spans: list[tuple[int, int, str]]


def _unescape(body: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e.startswith("u") and len(e) == 5:
            return chr(int(e[1:], 16))
        return {"n": "\n", "t": "\t"}.get(e, e)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", one, body)


def cases(stem: str, java: str) -> Iterator[Case]:
    """Every ``filter.filter`` call of a test file, with what the test asserts of it."""
    java = re.sub(r"^\s*//.*$", "", java, flags=re.M)
    calls = list(_CALL.finditer(java))
    for i, m in enumerate(calls):
        after = java[m.end() : calls[i + 1].start() if i + 1 < len(calls) else len(java)]
        line = java[java.rfind("\n", 0, m.start()) : m.start()]
        count: int | None = None
        if m.group(3):
            c = re.search(r"assertEquals\(\s*(\d+)\s*,\s*$", line)
            count = int(c.group(1)) if c else None
        elif m.group(1):
            size = re.escape(m.group(1)) + r"\.getSpans\(\)\.size\(\)"
            c = re.search(r"assertEquals\(\s*(\d+)\s*,\s*" + size, after)
            count = int(c.group(1)) if c else None
        spans = [(int(a), int(b), kind) for a, b, kind in _SPAN.findall(after)]
        methods = _METHOD.findall(java[: m.start()])
        yield Case(stem, methods[-1] if methods else "", _unescape(m.group(2)), count, spans)


def values(case: Case) -> list[tuple[str, str]] | None:
    """(kind, value) of each span the test expects, or None where they are unsure."""
    if case.spans:
        found = [(kind, case.text[a:b]) for a, b, kind in case.spans]
        return [
            (k, v)
            for k, v in found
            if not any(v != w and v in w for _, w in found) and k not in _SKIPPED_KINDS
        ]
    if case.stem not in _FILE_KIND or not case.count:
        return None
    kind, shape = _FILE_KIND[case.stem]
    if case.stem == "PhoneNumber":
        got = [m.raw_string for r in ("US", "GB", "FR") for m in _phones(case.text, r)]
        got = list(dict.fromkeys(got))
    else:
        got = [m.group(0) for m in re.finditer(shape, case.text)]
    return [(kind, v) for v in got] if len(got) == case.count else None


def _phones(text: str, region: str) -> Iterator[phonenumbers.PhoneNumberMatch]:
    return iter(phonenumbers.PhoneNumberMatcher(text, region, phonenumbers.Leniency.POSSIBLE))


def _possible_phone(value: str) -> bool:
    for region in ("US", "GB", "FR"):
        try:
            if phonenumbers.is_possible_number(phonenumbers.parse(value, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def _ip(value: str) -> str | None:
    try:
        return "IPV6" if ipaddress.ip_address(value).version == 6 else "IPV4"
    except ValueError:
        return None


def label(kind: str, value: str) -> str | None:
    """The suite's label of a value phileas finds as ``kind`` (rules above), or None for a
    look-alike (a failing check) or a kind that is skipped."""
    digits = re.sub(r"\D", "", value)
    if kind == "EMAIL_ADDRESS":
        return "EMAIL"
    if kind == "IP_ADDRESS":
        return _ip(value)
    if kind == "CREDIT_CARD":
        return "CARD" if luhn(digits) and len(set(digits)) > 1 else None
    if kind == "IBAN_CODE":
        return "IBAN" if iban.is_valid(value) else None
    if kind == "PHONE_NUMBER":
        if not _possible_phone(value):
            return None
        return "PHONE_INTL" if value.lstrip("(").startswith("+") else "PHONE_NATIONAL"
    if kind == "SSN":
        return (
            "SSN"
            if len(digits) == 9 and not re.fullmatch(r"\d\d-\d{7}", value)
            else ("NOT_ASKED:COMPANY_ID")
        )
    if kind == "IDENTIFIER" and any(m.is_valid(value) for m in _NATIONAL_IDS):
        return "NATIONAL_ID"
    if kind == "IDENTIFIER" and re.fullmatch(r"\d{3} \d{3} \d{3}|\d{11}", value):
        return None  # a failing SIN, Steuer-ID or CPF: a look-alike
    if kind in NOT_ASKED:
        return "NOT_ASKED:" + NOT_ASKED[kind]
    return None


def negative(text: str) -> bool:
    """An input with nothing of an asked kind's shape in it (rules above)."""
    return not look_alike(text) and not _IPV4.search(text)


def harvest(h: Harvest, ls: Callable[[str], list[str]], show: Callable[[str], str]) -> Counter[str]:
    """Add every filter test's labelled values and negatives; returns what was skipped."""
    skipped: Counter[str] = Counter()
    found_in: set[str] = set()
    rows: list[tuple[str, Case]] = []
    for path in sorted(ls(FOLDER)):
        stem = path.rsplit("/", 1)[-1].removesuffix("FilterTest.java")
        if path.endswith("FilterTest.java") and "/" not in path[len(FOLDER) + 1 :]:
            for case in cases(stem, show(path)):
                rows.append((path, case))
                if case.count:
                    found_in.add(case.text)
    for path, case in rows:
        skipped.update(_add(h, path, case, found_in))
    return skipped


def _add(h: Harvest, path: str, case: Case, found_in: set[str]) -> list[str]:
    """Add one case's items; returns the reasons anything in it was skipped."""
    if case.method.startswith("filterWithCandidates") or case.count is None:
        return ["candidates test or flag-dependent count"]
    if case.count == 0:
        if case.stem in _LOOK_ALIKES or case.text in found_in or not negative(case.text):
            return ["rejected look-alike (or found under another flag)"]
        h.negative(case.stem.upper(), case.text, SOURCE, path)
        return []
    if case.stem == "Identifier" and any(_BIC.fullmatch(w) for w in case.text.split()):
        if negative(case.text):
            h.negative("BIC", case.text, SOURCE, path)
        return []
    found = values(case)
    if found is None:
        return ["value unsure (count without offsets)"]
    out = []
    for kind, value in found:
        lab = label(kind, value)
        if lab is None:
            out.append(f"{kind} look-alike or skipped kind")
        elif lab.startswith("NOT_ASKED:"):
            h.add(lab, value, SOURCE, path, context=case.text)
        else:
            h.add(lab, value, SOURCE, path)
    return out
