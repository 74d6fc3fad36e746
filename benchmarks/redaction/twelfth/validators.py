"""philterd/phileas's identifier validator tests for the twelfth set (issue 16).

``src/test/java/ai/philterd/phileas/services/validators/*ValidatorTest.java``: each
``assertTrue(Validator.isValid…("value"))`` is a value the validator accepts,
``assertFalse`` one it rejects. Read as Java text, no test run. Labels by the
validator's kind, each only where python-stdnum's module for it says the check holds
too (each holds for the whole kind):

* kinds SPEC §4 asks for: Germany's Steuer-ID, Brazil's CPF, Spain's DNI and NIE (the
  mod-23 letter), France's NIR (mod 97) ``NATIONAL_ID``; an IBAN (mod 97) ``IBAN``; a
  Luhn value of a card's length ``CARD``, of a SIN's ``NATIONAL_ID``;
* kinds SPEC §4 does not ask for, alone: a company's number (Brazil's CNPJ, Spain's CIF:
  ``COMPANY_ID``), Germany's ID card number (a document's, as passports are:
  ``IDENTIFIER``);
* negatives: the BICs the BIC validator accepts (a bank's public code, as the eighth
  set's are). A rejected value is its kind's look-alike, left out, never a negative;
  so is an accepted one python-stdnum rejects (``046454286``: a SIN is never led by 0).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from types import ModuleType

from stdnum import iban, luhn
from stdnum.br import cnpj, cpf
from stdnum.ca import sin
from stdnum.de import idnr
from stdnum.es import cif, dni, nie
from stdnum.fr import nir

from ..outside.harvest import Harvest

SOURCE = "phileas"
FOLDER = "src/test/java/ai/philterd/phileas/services/validators"
_ASSERT = re.compile(r'assert(True|False)\((\w+)\.(isValid\w*)\(\s*"((?:[^"\\]|\\.)*)"')
# (validator class, method) -> (label, python-stdnum modules, one of which must accept it)
KINDS: dict[tuple[str, str], tuple[str, tuple[ModuleType, ...]]] = {
    ("DeSteuerIdValidator", "isValid"): ("NATIONAL_ID", (idnr,)),
    ("Mod11Validator", "isValidCpf"): ("NATIONAL_ID", (cpf,)),
    ("Mod11Validator", "isValidCnpj"): ("NOT_ASKED:COMPANY_ID", (cnpj,)),
    ("Mod23LetterValidator", "isValid"): ("NATIONAL_ID", (dni, nie)),
    ("Mod97Validator", "isValidNir"): ("NATIONAL_ID", (nir,)),
    ("Mod97Validator", "isValidIban"): ("IBAN", (iban,)),
    ("EsCifValidator", "isValid"): ("NOT_ASKED:COMPANY_ID", (cif,)),
    ("DePersonalausweisValidator", "isValid"): ("NOT_ASKED:IDENTIFIER", ()),
}


def label(validator: str, method: str, value: str) -> str | None:
    """The suite's label of a value ``validator.method`` accepts (rules above), or None."""
    if validator == "BicStructuralValidator":
        return "NEGATIVE"
    if validator == "LuhnValidator":
        digits = re.sub(r"\D", "", value)
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            return "CARD"
        return "NATIONAL_ID" if len(digits) == 9 and sin.is_valid(digits) else None
    kind = KINDS.get((validator, method))
    if kind is None:
        return None
    name, checks = kind
    return name if not checks or any(m.is_valid(value) for m in checks) else None


def harvest(h: Harvest, ls: Callable[[str], list[str]], show: Callable[[str], str]) -> Counter[str]:
    """Add every accepted value by its validator's kind; returns what was skipped, by why."""
    skipped: Counter[str] = Counter()
    for path in sorted(ls(FOLDER)):
        if not path.endswith("ValidatorTest.java"):
            continue
        for verdict, validator, method, value in _ASSERT.findall(show(path)):
            lab = label(validator, method, value) if verdict == "True" else None
            if verdict == "False":
                skipped["rejected: a look-alike"] += 1
            elif lab is None:
                skipped[f"{validator}: a check python-stdnum rejects"] += 1
            elif lab == "NEGATIVE":
                h.negative("BIC", value, SOURCE, path)
            else:
                h.add(lab, value, SOURCE, path)
    return skipped
