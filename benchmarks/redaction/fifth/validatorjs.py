"""validator.js's test lists for the fifth set (issue 16): ``test({validator, args,
valid, invalid})`` calls in ``test/validators.test.js`` and ``test/validators/*.test.js``.

The lists are read from the JavaScript text (string literals only; a template literal
with ``${...}``, a spread or a variable is skipped), each with the ``validator`` of its
object, else of its ``it(...)`` block (the locale fixtures of ``isIdentityCard`` and
``isMobilePhone`` name it in the ``test`` call after them), and its locale (``locale:``
or the first string of ``args``).

Labels, by validator (each holds for the whole kind):

* valid values of the types SPEC §4 asks for: ``isEmail`` (without a display name
  ``Name <a@b>``, whose span is not the address, and with a period in the domain) is
  ``EMAIL``; ``isMobilePhone`` is ``PHONE_INTL`` when written with ``+``/``00``, else
  ``PHONE_NATIONAL``; ``isCreditCard`` ``CARD``; ``isIBAN`` ``IBAN``; ``isJWT`` ``JWT``;
  ``isIP`` ``IPV4``/``IPV6``; ``isIdentityCard`` and ``isTaxID`` (personal identity and
  tax numbers with check digits) ``NATIONAL_ID``, but for tax numbers whose format
  says they are not a person's (the US EIN, Brazil's CNPJ, Argentina's CUIT with a
  legal-entity prefix, India's PAN of a non-individual: ``_company_tax_id``):
  ``NOT_ASKED:COMPANY_ID``;
* valid values of personal types SPEC §4 does not ask for, scored apart:
  ``isPassportNumber``, ``isVAT`` (mostly companies'), ``isLicensePlate``, ``isIMEI``,
  ``isMACAddress``, ``isEthereumAddress``/``isBtcAddress`` (public addresses),
  ``isLatLong``, ``isStrongPassword`` (a password alone, no key word: as the holdout's
  ``NOT_ASKED:PASSWORD``);
* hard negatives, valid values of kinds nobody would redact that look like numbers or
  tokens: ISBN, ISSN, EAN, ISIN, BIC, ABA routing numbers (a bank's), ISRC, container
  ids, UUIDs, MongoDB ids, ULIDs, semantic versions, ISO 8601/RFC 3339 dates and times,
  currency amounts (the group is the kind, as the outside suite's ``ISBN``, ``UUID``);
* invalid values are negatives only where a human would agree nothing in them is the
  type: an e-mail invalid with no ``x@y.z`` in it (``invalidemail@``, ``@invalid.com``;
  ``foo@bar.com.`` holds an address and is left out), a JWT invalid with fewer than two
  periods, an IP invalid with no colon and no dotted quad of octets in it. Invalid
  cards, IBANs and phone numbers (a wrong checksum or another country's number is still
  card-, account- or phone-like) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..outside.harvest import Harvest

FILES: tuple[str, ...] = ("test/validators.test.js", "test/validators/isIP.test.js",
         "test/validators/isISBN.test.js")  # fmt: skip

ASKED = {"isCreditCard": "CARD", "isIBAN": "IBAN", "isJWT": "JWT", "isIdentityCard": "NATIONAL_ID",
         "isTaxID": "NATIONAL_ID"}  # fmt: skip
NOT_ASKED = {
    "isPassportNumber": "NOT_ASKED:PASSPORT",
    "isVAT": "NOT_ASKED:VAT_NUMBER",
    "isLicensePlate": "NOT_ASKED:LICENCE_PLATE",
    "isIMEI": "NOT_ASKED:IMEI",
    "isMACAddress": "NOT_ASKED:MAC_ADDRESS",
    "isEthereumAddress": "NOT_ASKED:CRYPTO_ADDRESS",
    "isBtcAddress": "NOT_ASKED:CRYPTO_ADDRESS",
    "isLatLong": "NOT_ASKED:GEO_COORDINATES",
    "isStrongPassword": "NOT_ASKED:PASSWORD",
}
NEGATIVE_KINDS = {
    "isISBN": "ISBN", "isISSN": "ISSN", "isEAN": "EAN", "isISIN": "ISIN", "isBIC": "BIC",
    "isAbaRouting": "ABA_ROUTING", "isISRC": "ISRC", "isFreightContainerID": "CONTAINER_ID",
    "isISO6346": "CONTAINER_ID", "isUUID": "UUID", "isMongoId": "MONGO_ID", "isULID": "ULID",
    "isSemVer": "SEMVER", "isISO8601": "DATE", "isRFC3339": "DATE", "isDate": "DATE",
    "isTime": "TIME", "isCurrency": "CURRENCY",
}  # fmt: skip

_TOKEN = re.compile(
    r"""//[^\n]*|/\*.*?\*/|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`"""
    r"""|\.\.\.|[A-Za-z_$][\w$]*|[\[\]{}():,]|\S""",
    re.S,
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}


def _unescape(body: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] == "u":
            return chr(int(e[2:-1] if e[1] == "{" else e[1:], 16))
        if e[0] == "x":
            return chr(int(e[1:], 16))
        return _ESCAPES.get(e, e)

    return re.sub(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", one, body, flags=re.S)


def _string(token: str) -> str | None:
    """A JavaScript string literal's value (None: not a literal, or a template with ``${``)."""
    if len(token) < 2 or token[0] not in "'\"`" or token[-1] != token[0]:
        return None
    if token[0] == "`" and "${" in token:
        return None
    return _unescape(token[1:-1])


@dataclass
class Listing:
    """One ``valid``/``invalid`` list with what names it."""

    kind: str  # valid | invalid
    values: list[str]
    block: int  # the it(...) block it is in
    obj: dict[str, str] = field(default_factory=dict)  # validator, locale of its object


def listings(text: str) -> Iterator[tuple[str, str, str, list[str]]]:
    """(validator, locale, valid|invalid, values) for every literal list in a test file."""
    tokens = [t for t in _TOKEN.findall(text) if not t.startswith(("//", "/*"))]
    stack: list[dict[str, str]] = [{}]
    found: list[Listing] = []
    block_validator: dict[int, str] = {}
    block = 0
    i = 0
    while i < len(tokens):
        t = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if t == "it" and nxt == "(":
            block += 1
        elif t == "{":
            stack.append({})
        elif t == "}" and len(stack) > 1:
            stack.pop()
        elif t in ("validator", "locale") and nxt == ":":
            value = _string(tokens[i + 2]) if i + 2 < len(tokens) else None
            if value is not None:
                stack[-1][t] = value
                if t == "validator":
                    block_validator.setdefault(block, value)
        elif t == "args" and nxt == ":" and tokens[i + 2] == "[":
            value = _string(tokens[i + 3])
            if value is not None:
                stack[-1]["locale"] = value
        elif t in ("valid", "invalid") and nxt == ":" and tokens[i + 2] == "[":
            values, i = _literal_list(tokens, i + 3)
            found.append(Listing(t, values, block, stack[-1]))
            continue
        i += 1
    for listing in found:
        validator = listing.obj.get("validator") or block_validator.get(listing.block, "")
        yield validator, listing.obj.get("locale", ""), listing.kind, listing.values


def _literal_list(tokens: list[str], i: int) -> tuple[list[str], int]:
    """The string literals of a list starting after its ``[`` (nested lists skipped)."""
    depth, values = 1, []
    while i < len(tokens) and depth:
        t = tokens[i]
        if t in "[{(":
            depth += 1
        elif t in "]})":
            depth -= 1
        elif depth == 1:
            value = _string(t)
            if value is not None and tokens[i + 1] in (",", "]"):
                values.append(value)
        i += 1
    return values, i


_EMAIL_LIKE = re.compile(r"[^\s@]@[^\s@]*\.[^\W\d_]")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1?\d?\d)"
_QUAD = re.compile(rf"(?<!\d)(?:{_OCTET}\.){{3}}{_OCTET}(?!\d)")


def _company_tax_id(locale: str, value: str) -> bool:
    """A tax number that its own format says is not a natural person's: the US one (an
    EIN), Brazil's 14-character CNPJ (digits or the new alphanumeric form; a CPF has 11),
    Argentina's CUIT with a legal-entity prefix (30, 33, 34; persons have 20, 23, 24,
    27), India's PAN whose fourth letter is not ``P`` (the holder's status: company,
    firm, association, ...)."""
    plain = re.sub(r"[\W_]", "", value)
    if locale == "en-US":
        return True
    if locale == "pt-BR":
        return len(plain) == 14
    if locale == "es-AR":
        return plain[:2] in ("30", "33", "34")
    if locale == "en-IN":
        return len(plain) == 10 and plain[3].upper() != "P"
    return False


def label(validator: str, locale: str, kind: str, value: str) -> str | None:
    """The suite label of a listed value (``NEGATIVE:<group>`` for a negative), or None."""
    if kind == "invalid":
        return _invalid_label(validator, value)
    if validator == "isEmail":
        return "EMAIL" if "<" not in value and _EMAIL_LIKE.search(value) else None
    if validator == "isMobilePhone":
        return "PHONE_INTL" if value.startswith(("+", "00")) else "PHONE_NATIONAL"
    if validator == "isIP":
        return "IPV6" if ":" in value else "IPV4"
    if validator == "isTaxID" and _company_tax_id(locale, value):
        return "NOT_ASKED:COMPANY_ID"
    if validator in ASKED:
        return ASKED[validator]
    if validator in NOT_ASKED:
        return NOT_ASKED[validator]
    if validator in NEGATIVE_KINDS:
        return f"NEGATIVE:{NEGATIVE_KINDS[validator]}"
    return None


def _invalid_label(validator: str, value: str) -> str | None:
    if validator == "isEmail" and not _EMAIL_LIKE.search(value):
        return "NEGATIVE:EMAIL"
    if validator == "isJWT" and value.count(".") < 2:
        return "NEGATIVE:JWT"
    if validator == "isIP" and ":" not in value and not _QUAD.search(value):
        return "NEGATIVE:IPV4"
    return None


def harvest(h: Harvest, show: Callable[[str], str]) -> None:
    """Every labelled value of the test files (a value's first listing wins); its path
    is the file's, with ``#<validator>(<locale>)``."""
    for path in FILES:
        for validator, locale, kind, values in listings(show(path)):
            for value in values:
                if not value.strip() or value != value.strip():
                    continue  # an empty or padded value: its span is not the value's
                got = label(validator, locale, kind, value)
                if got is None:
                    continue
                where = f"{path}#{validator}" + (f"({locale})" if locale else "")
                if got.startswith("NEGATIVE:"):
                    h.negative(got.split(":", 1)[1], value, "validator.js", where)
                else:
                    h.add(got, value, "validator.js", where)
