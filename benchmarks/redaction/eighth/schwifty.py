"""mdomke/schwifty's IBAN and BIC tests for the eighth set (issue 16).

``tests/test_iban.py`` and ``tests/test_bic.py``, read with ``ast`` (no test run): every
string literal, by the test function it is in (module-level lists such as ``valid``,
``invalid`` and ``experimental`` by their name). Labels by kind:

* an IBAN-shaped literal (two letters, two check digits, 10 to 30 letters, digits and
  spaces) outside ``invalid`` lists and tests named ``invalid`` is ``IBAN`` where the
  ISO 7064 mod-97 check holds (the ``valid`` list, the ``experimental`` territories,
  the compact IBANs of ``test_bic_from_iban`` and ``test_generate_iban``); one that
  fails it, and every IBAN of the ``invalid`` list (too short, wrong country, wrong
  check digits), is an IBAN look-alike: left out, never a negative;
* a BIC-shaped literal (four letters of bank, two of country, two of location, three
  optional of branch) outside tests named ``invalid`` is a hard negative (group ``BIC``):
  a bank's public identifier, as the fifth set's validator.js BICs.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from ..outside.harvest import Harvest

SOURCE = "schwifty"
PATHS = ("tests/test_iban.py", "tests/test_bic.py")
_IBAN = re.compile(r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30}")
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")


def mod97(iban: str) -> bool:
    """The ISO 13616 check: the country and check digits moved to the end, letters as
    10-35, the number mod 97 is 1."""
    compact = iban.replace(" ", "")
    digits = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def literals(text: str) -> Iterator[tuple[str, str]]:
    """(the enclosing test function or module-level list's name, string literal)."""
    tree = ast.parse(text)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            name = node.name
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
        else:
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                yield name, sub.value


def label(where: str, value: str) -> str | None:
    """``IBAN``, ``NEGATIVE`` (a BIC) or None (left out), by the rules above."""
    if "invalid" in where:
        return None
    if _IBAN.fullmatch(value):
        return "IBAN" if mod97(value) else None
    return "NEGATIVE" if _BIC.fullmatch(value) else None


def harvest(h: Harvest, show: Callable[[str], str]) -> None:
    """Every labelled literal of the two test modules."""
    for path in PATHS:
        for where, value in literals(show(path)):
            got = label(where, value)
            if got == "IBAN":
                h.add("IBAN", value, SOURCE, f"{path}#{where}")
            elif got == "NEGATIVE":
                h.negative("BIC", value, SOURCE, f"{path}#{where}")
