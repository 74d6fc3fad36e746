"""django/django-localflavor's form field tests for the fourteenth set (issue 16).

``tests/**/*.py``: each ``self.assertFieldOutput(Field, valid, invalid)`` hands a
country's form field the inputs it must accept (``valid``: input -> cleaned value) and
those it must reject (``invalid``: input -> errors). Read with ``ast``, no test run;
``valid`` and ``invalid`` are dict literals, in the call or assigned to a name earlier in
the same test (a name bound to anything else, or keys that are not string literals,
skip that dict). A value is an input (a dict's key). Labels by the field's kind (each
holds for the whole kind, ``FIELDS``):

* kinds SPEC §4 asks for: a personal identifier with a check digit (a national id,
  a social security, social insurance or personal tax number of a person)
  ``NATIONAL_ID`` where python-stdnum's module for it says the check holds, and where
  python-stdnum has none (Singapore's NRIC/FIN, Uruguay's CI, Iran's and Kuwait's id
  numbers, Mexico's NSS, Portugal's NISS, the JMBG/UMCN of the former Yugoslavia) where
  the field itself checks a check digit (its ``valid`` is its verdict); Spain's field
  takes NIF, NIE and CIF: a CIF (a company's) is ``COMPANY_ID``, as is Portugal's NISS
  led by ``2`` (a collective person's, an employer); an IBAN where mod 97
  holds ``IBAN``;
* kinds SPEC §4 does not ask for, scored apart: postal codes (``POSTAL_CODE``), company
  and association numbers (``COMPANY_ID``), VAT and tax numbers that name no person
  (``VAT_NUMBER``, ``TAX_ID``), domestic bank accounts (``BANK_ACCOUNT``), identifiers
  without a check digit and identity documents' numbers (``IDENTIFIER``, as the twelfth
  set's Personalausweis), passports (``PASSPORT``), licence plates (``LICENCE_PLATE``),
  court case numbers (``REFERENCE``);
* negatives: the BICs the BIC field accepts (a bank's public code, as the eighth set's
  are); an input a field of a not-asked kind rejects, only where nothing of an asked
  kind's shape is in it (``seventh.datafog.look_alike`` and no IPv4 address). An input a
  field of an asked kind rejects is its kind's look-alike, left out, never a negative;
  so is an accepted one whose check python-stdnum rejects. Choice fields (states,
  provinces, regions) are skipped.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterator
from types import ModuleType

from stdnum import iban
from stdnum.ar import cuit
from stdnum.at import vnr
from stdnum.au import tfn
from stdnum.br import cpf
from stdnum.ca import sin
from stdnum.ch import ssn as ch_ssn
from stdnum.cl import rut
from stdnum.cn import ric
from stdnum.cz import rc
from stdnum.ee import ik
from stdnum.es import dni, nie
from stdnum.exceptions import ValidationError
from stdnum.fi import hetu
from stdnum.fr import nir
from stdnum.gr import amka
from stdnum.hr import oib
from stdnum.il import idnr
from stdnum.in_ import aadhaar
from stdnum.is_ import kennitala
from stdnum.it import codicefiscale
from stdnum.lt import asmens
from stdnum.lv import pvn
from stdnum.mx import curp, rfc
from stdnum.nl import bsn
from stdnum.no import fodselsnummer
from stdnum.pl import pesel
from stdnum.pt import cc
from stdnum.ro import cnp
from stdnum.se import personnummer
from stdnum.si import emso
from stdnum.za import idnr as za_idnr

from ..outside.harvest import Harvest
from ..seventh.datafog import look_alike
from ..twelfth.phileas import _IPV4

SOURCE = "localflavor"
FOLDER = "tests"
# Personal identifiers with a check digit, by field: python-stdnum's modules for it.
CHECKED: dict[str, tuple[ModuleType, ...]] = {
    "ARCUITField": (cuit,), "ATSocialSecurityNumberField": (vnr,), "BRCPFField": (cpf,),
    "AUTaxFileNumberField": (tfn,), "NLBSNFormField": (bsn,),
    "CASocialInsuranceNumberField": (sin,), "CHSocialSecurityNumberField": (ch_ssn,),
    "CLRutField": (rut,), "CNIDCardField": (ric,), "CZBirthNumberField": (rc,),
    "EEPersonalIdentificationCode": (ik,), "ESIdentityCardNumberField": (dni, nie),
    "FISocialSecurityNumber": (hetu,), "FRNationalIdentificationNumber": (nir,),
    "GRSocialSecurityNumberCodeField": (amka,), "HROIBField": (oib,),
    "ILIDNumberField": (idnr,), "INAadhaarNumberField": (aadhaar,),
    "ISIdNumberField": (kennitala,), "ITSocialSecurityNumberField": (codicefiscale,),
    "LTIDCodeField": (asmens,), "LVPersonalCodeField": (pvn,), "MXCURPField": (curp,),
    "NOSocialSecurityNumber": (fodselsnummer,), "PLPESELField": (pesel,),
    "PTCitizenCardNumberField": (cc,), "ROCNPField": (cnp,),
    "SEPersonalIdentityNumberField": (personnummer,), "SIEMSOField": (emso,),
    "ZAIDField": (za_idnr,),
}  # fmt: skip
# Personal identifiers with a check digit python-stdnum lacks: the field checks it.
FIELD_CHECKED = frozenset(
    {"SGNRICFINField", "UYCIField", "IRIDNumberField", "KWCivilIDNumberField",
     "MXSocialSecurityNumberField", "PTSocialSecurityNumberField", "HRJMBGField", "UMCNField"}
)  # fmt: skip
NOT_ASKED = {
    "COMPANY_ID": ("AUBusinessNumberField", "AUCompanyNumberField", "BRCNPJField",
                   "CZICNumberField", "EEBusinessRegistryCode", "FRSIRENField", "FRSIRETField",
                   "FRRNAField", "PLREGONField", "ROCIFField", "SEOrganisationNumberField"),
    "VAT_NUMBER": ("ITVatNumberField", "PLNIPField", "GRTaxNumberCodeField", "SITaxNumberField",
                   "UAVatNumberField", "UAETaxRegistrationNumberField"),
    "TAX_ID": ("CONITField", "USAdoptionTaxpayerIdentificationNumberField",
               "USIndividualTaxpayerIdentificationNumberField",
               "USTaxpayerIdentificationNumberField"),
    "BANK_ACCOUNT": ("ARCBUField", "ESCCCField", "MXCLABEField", "NOBankAccountNumber",
                     "NZBankAccountNumberField"),
    "IDENTIFIER": ("ARDNIField", "CHIdentityCardNumberField", "CUIdentityCardNumberField",
                   "DEIdentityCardNumberField", "EGNationalIDNumberField", "HRJMBAGField",
                   "IDNationalIdentityNumberField", "INPANCardNumberFormField",
                   "MACinNumberField", "MKIdentityCardNumberField", "MyKadFormField",
                   "PLNationalIDCardNumberField", "BYPassIdNumberField", "MDIDNOField",
                   "UAEEmiratesIDField"),
    "PASSPORT": ("BYPassNumberField", "RUAlienPassportNumberField", "RUPassportNumberField"),
    "LICENCE_PLATE": ("HRLicensePlateField", "IDLicensePlateField", "MDLicensePlateField",
                      "NLLicensePlateFormField"),
    "POSTAL_CODE": ("UAEPOBoxField",),
    "REFERENCE": ("BRProcessoField",),
}  # fmt: skip
_NOT_ASKED = {field: kind for kind, fields in NOT_ASKED.items() for field in fields}
_SSN = "USSocialSecurityNumberField"
_POSTAL = re.compile(r"(?:Zip|Post(?:al)?|Eir)[Cc]ode")


def _dicts(fn: ast.AST) -> Iterator[tuple[str, list[str] | None, list[str] | None]]:
    """(field, valid inputs, invalid inputs) of every ``assertFieldOutput`` in ``fn``."""
    bound: dict[str, ast.expr] = {}
    for node in sorted(
        ast.walk(fn), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))
    ):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            bound[node.targets[0].id] = node.value
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "assertFieldOutput":
            args = dict(zip(("field", "valid", "invalid"), node.args, strict=False))
            args.update((k.arg, k.value) for k in node.keywords if k.arg)
            field = args["field"]
            name = field.attr if isinstance(field, ast.Attribute) else getattr(field, "id", "")
            yield name, _keys(args.get("valid"), bound), _keys(args.get("invalid"), bound)


def _keys(arg: ast.expr | None, bound: dict[str, ast.expr]) -> list[str] | None:
    node = bound.get(arg.id) if isinstance(arg, ast.Name) else arg
    if not isinstance(node, ast.Dict):
        return None
    keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
    return keys if len(keys) == len(node.keys) and all(isinstance(k, str) for k in keys) else None


def cases(text: str) -> Iterator[tuple[str, list[str] | None, list[str] | None]]:
    """(field, valid inputs, invalid inputs) of every ``assertFieldOutput`` of a test
    module, in order; None where a dict is not a literal of string keys."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef):
            yield from _dicts(node)


def kind(field: str) -> str | None:
    """``ASKED`` for a field of a kind SPEC §4 asks for, ``NOT_ASKED:<kind>``, ``BIC``, or
    None (a choice field, or one these rules do not know)."""
    if field in CHECKED or field in FIELD_CHECKED or field in ("IBANFormField", _SSN):
        return "ASKED"
    if field == "BICFormField":
        return "BIC"
    if _POSTAL.search(field):
        return "NOT_ASKED:POSTAL_CODE"
    return "NOT_ASKED:" + _NOT_ASKED[field] if field in _NOT_ASKED else None


def label(field: str, value: str) -> str | None:
    """The suite's label of an input ``field`` accepts (rules above), or None."""
    if field == "IBANFormField":
        return "IBAN" if iban.is_valid(value) else None
    if field == _SSN:
        return "SSN"
    if field == "ESIdentityCardNumberField" and not (dni.is_valid(value) or nie.is_valid(value)):
        return "NOT_ASKED:COMPANY_ID" if value[:1].isalpha() else None
    if field == "MXRFCField":
        return _rfc(value)
    if field in CHECKED:
        return "NATIONAL_ID" if any(m.is_valid(value) for m in CHECKED[field]) else None
    if field == "PTSocialSecurityNumberField" and value.strip()[:1] == "2":
        return "NOT_ASKED:COMPANY_ID"  # a NISS led by 2 is a collective person's (an employer)
    if field in FIELD_CHECKED:
        return "NATIONAL_ID"
    k = kind(field)
    return k if k and k.startswith("NOT_ASKED:") else None


def _rfc(value: str) -> str | None:
    """Mexico's RFC: a person's (13 characters) ``NATIONAL_ID`` where its check digit holds,
    a company's (12) ``COMPANY_ID``; one without a check digit python-stdnum can test is
    an identifier."""
    compact = rfc.compact(value)
    try:
        rfc.validate(compact, validate_check_digits=True)
    except ValidationError:
        return "NOT_ASKED:IDENTIFIER" if rfc.is_valid(compact) else None
    return "NATIONAL_ID" if len(compact) == 13 else "NOT_ASKED:COMPANY_ID"


def negative_ok(text: str) -> bool:
    """A rejected input may be a negative: nothing of an asked kind's shape in it."""
    return bool(text.strip()) and not look_alike(text) and not _IPV4.search(text)


def harvest(h: Harvest, ls: Callable[[str], list[str]], show: Callable[[str], str]) -> Counter[str]:
    """Add every field test's inputs by the field's kind; returns what was skipped, by why."""
    skipped: Counter[str] = Counter()
    for path in sorted(p for p in ls(FOLDER) if p.endswith(".py")):
        for field, valid, invalid in cases(show(path)):
            k = "RFC" if field == "MXRFCField" else kind(field)
            if k is None:
                skipped[f"{field}: a choice field or an unknown kind"] += 1
                continue
            if valid is None or invalid is None:
                skipped["dict not a literal of string keys"] += 1
            for value in valid or []:
                lab = "NEGATIVE" if k == "BIC" else label(field, value)
                if lab is None:
                    skipped[f"{field}: a check python-stdnum rejects"] += 1
                elif lab == "NEGATIVE":
                    h.negative("BIC", value, SOURCE, path)
                else:
                    h.add(lab, value, SOURCE, path)
            for value in invalid or []:
                if k.startswith("NOT_ASKED:") and negative_ok(value):
                    h.negative(field, value, SOURCE, path)
                else:
                    skipped["rejected: a look-alike"] += 1
    return skipped
