"""python-validators/validators' tests for the sixth set (issue 16): ``tests/**.py``.

``pytest.mark.parametrize`` rows, read with ``ast`` (no code run; a list named at module
level, or a sum of such lists, is resolved): the first element of each row is the
input, the validator is the function the test calls, and a test that expects a
``ValidationError`` lists invalid inputs. Tests of CIDR blocks are left out (the block is
not an address).

Labels, by validator (each holds for the whole kind):

* valid values of the types SPEC §4 asks for: ``email`` (with a period in the domain,
  no white space or control character in it) ``EMAIL``; ``card_number``, ``visa``,
  ``mastercard``... ``mir`` ``CARD``; ``iban`` ``IBAN``; ``ipv4`` ``IPV4``; ``ipv6``
  ``IPV6``; personal identifiers ``NATIONAL_ID``: Finland's henkilötunnus (``fi_ssn``),
  France's NIR (``fr_ssn``), Spain's DNI/NIF and NIE (``es_nif``, ``es_nie``), India's
  Aadhaar, India's PAN of an individual (fourth letter ``P``), Russia's INN of a person
  (12 digits);
* valid values of kinds SPEC §4 does not ask for, scored apart: company numbers
  (Spain's CIF, Finland's Y-tunnus, an INN of 10 digits, a PAN whose fourth letter is
  not ``P``: ``NOT_ASKED:COMPANY_ID``; ``es_doi`` takes both, split by the same rules: a
  CIF starts with a letter other than the NIE's X/Y/Z and the NIF's K/L/M), MAC
  addresses, crypto-currency public addresses;
* hard negatives, valid values of kinds nobody would redact: digests (``md5``...
  ``sha512``), securities codes (CUSIP, ISIN, SEDOL), UUIDs, calling codes (``+1``,
  ``+44``: a prefix, not a number), domain and host names, each only where no IPv4
  address, ``:`` or ``@`` is in it (``goplayground.clean``). Valid base16/32/58/64
  words are left out: an encoding is the shape keys take (``JBSWY3DPEHPK3PXP`` is a
  base32 TOTP seed, a base58 word of 52 characters starting ``c`` a Bitcoin WIF
  private key);
* invalid values are negatives only where nothing of the type is in them: an e-mail
  with nothing address-like (``goplayground.email_negative``), an IPv4 with no colon
  and no dotted quad of octets. Invalid cards, IBANs, identifiers, digests and
  encodings (a wrong check digit is still number-like; a 32-character non-hex word is
  token-like) are left out.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from ..outside.harvest import Harvest
from .goplayground import EMAIL_LIKE, IPV4, clean, email_negative

SOURCE = "py-validators"
CARDS = {"card_number", "visa", "mastercard", "amex", "unionpay", "diners", "jcb",
         "discover", "mir"}  # fmt: skip
ASKED = {"email": "EMAIL", "iban": "IBAN", "ipv4": "IPV4", "ipv6": "IPV6", "fi_ssn": "NATIONAL_ID",
         "fr_ssn": "NATIONAL_ID", "es_nif": "NATIONAL_ID", "es_nie": "NATIONAL_ID",
         "ind_aadhar": "NATIONAL_ID"} | dict.fromkeys(CARDS, "CARD")  # fmt: skip
NOT_ASKED = {"es_cif": "NOT_ASKED:COMPANY_ID", "fi_business_id": "NOT_ASKED:COMPANY_ID",
             "mac_address": "NOT_ASKED:MAC_ADDRESS", "btc_address": "NOT_ASKED:CRYPTO_ADDRESS",
             "eth_address": "NOT_ASKED:CRYPTO_ADDRESS", "bsc_address": "NOT_ASKED:CRYPTO_ADDRESS",
             "trx_address": "NOT_ASKED:CRYPTO_ADDRESS"}  # fmt: skip
NEGATIVE_KINDS = {"md5": "DIGEST", "sha1": "DIGEST", "sha224": "DIGEST", "sha256": "DIGEST",
                  "sha384": "DIGEST", "sha512": "DIGEST", "cusip": "SECURITY_CODE",
                  "isin": "SECURITY_CODE", "sedol": "SECURITY_CODE", "uuid": "UUID",
                  "calling_code": "CALLING_CODE", "domain": "HOSTNAME",
                  "hostname": "HOSTNAME"}  # fmt: skip


def _resolve(node: ast.expr, names: dict[str, ast.expr]) -> list[ast.expr]:
    """The rows of a parametrize list: a literal, a module-level name, or a sum of them."""
    if isinstance(node, ast.List | ast.Tuple):
        return list(node.elts)
    if isinstance(node, ast.Name) and node.id in names:
        return _resolve(names[node.id], names)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _resolve(node.left, names) + _resolve(node.right, names)
    return []


def _validator(fn: ast.FunctionDef) -> str:
    calls = (n.func.id for n in ast.walk(fn) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name) and n.func.id != "isinstance")  # fmt: skip
    return next(calls, "")


def rows(source: str) -> Iterator[tuple[str, str, bool]]:
    """(validator, input, valid) of every parametrize row of a test module."""
    tree = ast.parse(source)
    names = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign)
             for t in n.targets if isinstance(t, ast.Name)}  # fmt: skip
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef) or "cidr" in fn.name:
            continue
        valid = not any(isinstance(n, ast.Name) and n.id == "ValidationError" for n in ast.walk(fn))
        for deco in fn.decorator_list:
            if not (isinstance(deco, ast.Call) and getattr(deco.func, "attr", "") == "parametrize"):
                continue
            for row in _resolve(deco.args[1], names) if len(deco.args) > 1 else []:
                first = row.elts[0] if isinstance(row, ast.Tuple | ast.List) and row.elts else row
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield _validator(fn), first.value, valid


def _personal(validator: str, value: str) -> bool:
    """Whether an identifier's own format says it is a person's (the rules above)."""
    plain = re.sub(r"\W", "", value).upper()
    if validator == "ind_pan":
        return plain[3:4] == "P"
    if validator == "ru_inn":
        return len(plain) == 12
    if validator == "es_doi":
        return plain[:1].isdigit() or plain[:1] in "XYZKLM"
    return True


def label(validator: str, value: str, valid: bool) -> str | None:
    """The label of one row by the rules above (None: left out)."""
    if not valid:
        if validator == "email" and email_negative(value):
            return "NEGATIVE:EMAIL"
        if validator == "ipv4" and ":" not in value and not IPV4.search(value):
            return "NEGATIVE:IPV4"
        return None
    if validator in ("ind_pan", "ru_inn", "es_doi"):
        return "NATIONAL_ID" if _personal(validator, value) else "NOT_ASKED:COMPANY_ID"
    if validator == "email" and (
        not EMAIL_LIKE.search(value) or re.search(r"[\s\x00-\x1f]", value)
    ):
        return None
    if validator in ASKED:
        return ASKED[validator]
    if validator in NOT_ASKED:
        return NOT_ASKED[validator]
    hard = validator in NEGATIVE_KINDS and clean(value)
    return f"NEGATIVE:{NEGATIVE_KINDS[validator]}" if hard else None


def harvest(h: Harvest, ls: Callable[[str], list[str]], show: Callable[[str], str]) -> None:
    """Every labelled row of the test modules."""
    for path in ls("tests"):
        if not path.endswith(".py"):
            continue
        for validator, value, valid in rows(show(path)):
            got = label(validator, value, valid)
            if got is None or not value.strip() or value != value.strip():
                continue
            where = f"{path}#{validator}"
            if got.startswith("NEGATIVE:"):
                h.negative(got.split(":", 1)[1], value, SOURCE, where)
            else:
                h.add(got, value, SOURCE, where)
