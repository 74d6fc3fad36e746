"""piisa/pii-extract-plg-regex's per-country task tests for the eighth set (issue 16).

``test/unit/B_modules/**/test_*.py``: each module's ``TESTCASES`` rows (read with
``ast``, no task run) pair an input with the output the task must give, every PII
instance replaced by ``<TYPE:value>`` (``"the tfn is: <GOV_ID:123 456 782>"``). The
value is the text of each tag; the tag type and the test module (its language and
country folder) say what it is. Labels by kind (each holds for the whole kind):

* kinds SPEC §4 asks for: ``EMAIL_ADDRESS`` ``EMAIL``; ``IP_ADDRESS`` ``IPV4``/``IPV6``
  where ``ipaddress`` parses it; ``CREDIT_CARD`` ``CARD`` where Luhn holds;
  ``PHONE_NUMBER`` ``PHONE_INTL`` when written with ``+``, else ``PHONE_NATIONAL``, where
  ``phonenumbers`` calls it a possible number of the module's country (Spain's ``016``
  is a three-digit service code: left out); ``GOV_ID`` of the US SSN module ``SSN``;
  ``GOV_ID`` of a personal identifier with a check digit ``NATIONAL_ID`` where
  python-stdnum's module for it says the check holds (``_GOV_IDS``: Australia's TFN,
  Canada's SIN, India's Aadhaar, Argentina's CUIL, Spain's DNI/NIE, Mexico's CURP,
  Peru's DNI written with its check digit, France's NIR and tax number (SPI), Brazil's CPF,
  Portugal's NIF and Cartão de Cidadão, Romania's CNP, China's resident id); a
  failing one is still identifier-like and left out;
* kinds SPEC §4 does not ask for, scored apart: Australia's ABN (a business's:
  ``COMPANY_ID``), identifiers without a check digit (Argentina's DNI, Peru's DNI
  without its check digit: ``IDENTIFIER``), China's passport (``PASSPORT``), Spain's
  CCC bank account (a domestic account number, not an IBAN: ``BANK_ACCOUNT``),
  ``BLOCKCHAIN_ADDRESS`` (public: ``CRYPTO_ADDRESS``), ``AGE``, US ZIP codes
  (``LOCATION``: ``POSTAL_CODE``);
* negatives: inputs no tag is put in, of the e-mail, IP, age and ZIP modules only,
  where nothing address-like or IP-like is in them (``sixth.goplayground``'s
  ``email_negative``: ``My email is anyone@whatever.`` is an address with a typo, left
  out). The other modules' untagged inputs are their kind's look-alikes (an invalid
  TFN, a foreign phone the country's module skips): left out, never negatives.
"""

from __future__ import annotations

import ast
import ipaddress
import re
from collections.abc import Callable, Iterator
from types import ModuleType

import phonenumbers
from stdnum.ar import cuit
from stdnum.au import tfn
from stdnum.br import cpf
from stdnum.ca import sin
from stdnum.cn import ric
from stdnum.es import dni, nie
from stdnum.fr import nif as fr_nif
from stdnum.fr import nir
from stdnum.in_ import aadhaar
from stdnum.mx import curp
from stdnum.pe import cui
from stdnum.pt import cc
from stdnum.pt import nif as pt_nif
from stdnum.ro import cnp

from ..outside.harvest import Harvest
from ..seventh.redactpii import luhn
from ..sixth.goplayground import email_negative

SOURCE = "piisa"
ROOT = "test/unit/B_modules"
_TAG = re.compile(r"<([A-Z_]+):((?:[^<>]|<[^<>]*>)*?)>")
_GOV_IDS: dict[str, tuple[ModuleType, ...]] = {
    "en/au/test_tfn.py": (tfn,), "en/ca/test_sin.py": (sin,),
    "en/in_/test_aadhaar.py": (aadhaar,), "es/ar/test_ar_cuil.py": (cuit,),
    "es/es/test_govid_es_es.py": (dni, nie), "es/mx/test_es_mx_govid.py": (curp,),
    "es/pe/test_govid_es_pe.py": (cui,), "fr/fr/test_govid_fr_fr.py": (nir, fr_nif),
    "pt/br/test_govid_pt_br.py": (cpf,), "pt/pt/test_govid_pt_pt.py": (pt_nif, cc),
    "ro/ro/test_ro_ro_govid.py": (cnp,), "zh/cn/test_govid_zh_cn.py": (ric,),
}  # fmt: skip
NOT_ASKED = {"BLOCKCHAIN_ADDRESS": "CRYPTO_ADDRESS", "AGE": "AGE", "LOCATION": "POSTAL_CODE",
             "BANK_ACCOUNT": "BANK_ACCOUNT"}  # fmt: skip
_NEGATIVE_MODULES = ("test_email.py", "test_ip_address.py", "test_age_en.py", "test_us_zipcode.py")
_COUNTRY = re.compile(r"/([a-z]{2})_?/[^/]+$")


def cases(text: str) -> Iterator[tuple[str, str]]:
    """(input, expected output) of every ``TESTCASES`` row whose two are string literals."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "TESTCASES":
            for row in getattr(node.value, "elts", []):
                pair = getattr(row, "elts", [])[:2]
                if len(pair) == 2 and all(isinstance(e, ast.Constant) for e in pair):
                    yield pair[0].value, pair[1].value


def _gov_id(module: str, value: str) -> str | None:
    if module.endswith("test_ssn.py"):
        return "SSN"
    if module.endswith("test_abn.py"):
        return "NOT_ASKED:COMPANY_ID"
    if module.endswith("test_ar_govid.py"):
        return "NOT_ASKED:IDENTIFIER"
    if module.endswith("zh/cn/test_govid_zh_cn.py") and not value[:1].isdigit():
        return "NOT_ASKED:PASSPORT"
    if module.endswith("test_govid_es_pe.py") and len(re.sub(r"\W", "", value)) == 8:
        return "NOT_ASKED:IDENTIFIER"
    checks = next((v for k, v in _GOV_IDS.items() if module.endswith(k)), ())
    return "NATIONAL_ID" if any(m.is_valid(value) for m in checks) else None


def _phone(module: str, value: str) -> str | None:
    match = _COUNTRY.search(module)
    region = match.group(1).upper() if match and match.group(1) != "any" else None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return "PHONE_INTL" if value.lstrip("(").startswith("+") else "PHONE_NATIONAL"


def label(module: str, kind: str, value: str) -> str | None:
    """The suite's label of a value a ``module``'s task tags ``kind`` (rules above)."""
    if kind in NOT_ASKED:
        return "NOT_ASKED:" + NOT_ASKED[kind]
    if kind == "EMAIL_ADDRESS":
        return "EMAIL"
    if kind == "IP_ADDRESS":
        try:
            return f"IPV{ipaddress.ip_address(value).version}"
        except ValueError:
            return None
    if kind == "CREDIT_CARD":
        return "CARD" if luhn(re.sub(r"\D", "", value)) else None
    if kind == "PHONE_NUMBER":
        return _phone(module, value)
    if kind == "GOV_ID":
        return _gov_id(module, value)
    return None


def harvest(h: Harvest, ls: Callable[[str], list[str]], show: Callable[[str], str]) -> None:
    """Every tag of every module's test cases; clean untagged inputs as negatives."""
    for path in ls(ROOT):
        if not path.rsplit("/", 1)[-1].startswith("test_"):
            continue
        for text, expected in cases(show(path)):
            tags = _TAG.findall(expected)
            for kind, value in tags:
                got = label(path, kind, value)
                if got:
                    h.add(got, value, SOURCE, path)
            if not tags and path.endswith(_NEGATIVE_MODULES) and email_negative(text):
                h.negative("TEXT", text, SOURCE, path)
