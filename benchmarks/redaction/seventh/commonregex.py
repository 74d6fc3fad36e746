"""madisonmay/CommonRegex's extraction tests for the seventh set (issue 16): ``test.py``.

Read with ``ast`` (no test run): in each ``test_*`` method, the ``matching`` and
``non_matching`` lists and the parser method the loops call (``self.parser.<kind>(s)``
on ``matching``). CommonRegex extracts each ``matching`` string as its kind; labels by
kind (each holds for the whole kind):

* kinds SPEC §4 asks for: ``emails`` ``EMAIL``; ``ips`` ``IPV4``; ``ipv6s`` ``IPV6``;
  ``ssn_number`` ``SSN``; ``phones`` and ``phones_with_exts`` ``PHONE_INTL`` when
  written with ``+`` (``(+41) 22 730 5989``), else ``PHONE_NATIONAL`` (a seven-digit
  ``567-8900`` among them: the project extracts it as a phone); an extension
  (``ext 527``, ``x623``) is not the number and is not part of the value;
  ``credit_cards`` ``CARD`` only where the number passes Luhn and is not one digit
  repeated (``0000-0000-0000-0000`` is a placeholder: left out, as a failing number is);
* kinds it extracts that SPEC §4 does not ask for, scored apart: ``btc_addresses``
  (public addresses: ``NOT_ASKED:CRYPTO_ADDRESS``), ``street_addresses`` and
  ``po_boxes`` (addresses go through the optional NER stage), ``zip_codes``;
* hard negatives, kinds nobody would redact: ``dates``, ``times``, ``prices``,
  ``hex_colors`` and ``links`` (URLs without credentials), matching or not, and every
  kind's ``non_matching`` strings that hold nothing SPEC §4 asks for (``101 main
  straight``, ``123456``, ``$1,10,0``, ``www.google.con``);
* look-alikes are left out, never negatives: non-matching e-mails
  (``john.smith@gmail..com``), SSNs (``666-12-7856``: an invalid area is still
  SSN-like), phones (``222-5555``, a phone without an extension) and BTC addresses.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from ..outside.harvest import Harvest
from .redactpii import luhn

SOURCE = "commonregex"
PATH = "test.py"
ASKED = {"emails": "EMAIL", "ips": "IPV4", "ipv6s": "IPV6", "ssn_number": "SSN",
         "phones": "PHONE", "phones_with_exts": "PHONE", "credit_cards": "CARD"}  # fmt: skip
NOT_ASKED = {"btc_addresses": "CRYPTO_ADDRESS", "street_addresses": "STREET_ADDRESS",
             "po_boxes": "STREET_ADDRESS", "zip_codes": "POSTAL_CODE"}  # fmt: skip
NEGATIVE_KINDS = {"dates": "DATE", "times": "TIME", "prices": "CURRENCY",
                  "hex_colors": "HEX_COLOR", "links": "HOSTNAME"}  # fmt: skip
_LOOK_ALIKES = {"emails", "ssn_number", "phones", "phones_with_exts", "btc_addresses"}
_EXTENSION = re.compile(r"(?i)\s*(?:ext|x)\s*\d+$")


def cases(text: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """(parser method, matching, non_matching) of every ``test_*`` method."""
    for node in ast.walk(ast.parse(text)):
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
            continue
        lists: dict[str, list[str]] = {}
        kind = ""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Assign) and isinstance(sub.targets[0], ast.Name):
                value = ast.literal_eval(sub.value)
                lists[sub.targets[0].id] = [v for v in value if isinstance(v, str)]
            elif isinstance(sub, ast.For) and getattr(sub.iter, "id", "") == "matching":
                calls = [c for c in ast.walk(sub) if isinstance(c, ast.Call)]
                kind = next(
                    c.func.attr
                    for c in calls
                    if isinstance(c.func, ast.Attribute) and c.func.attr != "assertEqual"
                    and not c.func.attr.startswith("assert")
                )  # fmt: skip
        yield kind, lists.get("matching", []), lists.get("non_matching", [])


def label(kind: str, value: str) -> str | None:
    """The suite's label of a value the parser's ``kind`` extracts (rules above)."""
    if kind in NEGATIVE_KINDS:
        return "NEGATIVE:" + NEGATIVE_KINDS[kind]
    if kind in NOT_ASKED:
        return "NOT_ASKED:" + NOT_ASKED[kind]
    got = ASKED.get(kind)
    if got == "PHONE":
        return "PHONE_INTL" if value.lstrip("(").startswith("+") else "PHONE_NATIONAL"
    if got == "CARD":
        digits = re.sub(r"\D", "", value)
        return "CARD" if luhn(digits) and len(set(digits)) > 1 else None
    return got


def harvest(h: Harvest, show: Callable[[str], str]) -> None:
    """Every labelled literal of the test module."""
    for kind, matching, non_matching in cases(show(PATH)):
        for value in matching:
            got = label(kind, value)
            if kind == "phones_with_exts":
                value = _EXTENSION.sub("", value)
            if got and got.startswith("NEGATIVE:"):
                h.negative(got.split(":", 1)[1], value, SOURCE, f"{PATH}#{kind}")
            elif got:
                h.add(got, value, SOURCE, f"{PATH}#{kind}")
        if kind not in _LOOK_ALIKES:
            for value in non_matching:
                h.negative(NEGATIVE_KINDS.get(kind, "TEXT"), value, SOURCE, f"{PATH}#{kind}")
