"""go-playground/validator's test tables for the sixth set (issue 16): ``validator_test.go``.

Read from the Go text (no Go run), per ``func Test...`` body: the table rows
``{"value", true|false}`` (or ``{"value", "tag", true|false}``) checked with
``validate.Var(test.<field>, "<tag>")``, and the statement runs ``s = "value"`` /
``errs = validate.Var(s, "<tag>")`` / ``Equal(t, errs, nil)`` (valid) or
``NotEqual(...)`` (invalid). Only interpreted string literals without ``%`` formatting.

Labels, by tag (each holds for the whole kind):

* valid values of the types SPEC §4 asks for: ``email`` (with a period in the domain)
  ``EMAIL``; ``e164`` written with ``+`` ``PHONE_INTL`` (the tag also takes bare digits,
  ``12345678``: nothing says a phone, left out); ``ssn`` ``SSN``; ``credit_card`` ``CARD``;
  ``ipv4``/``ip4_addr`` ``IPV4``, ``ipv6``/``ip6_addr`` ``IPV6`` and ``ip``/``ip_addr`` by
  shape; ``jwt`` ``JWT`` where the header segment is a JSON object (``eyJ``: RFC 7519's
  header is one; ``acb123-_.def456-_.ghi789-_`` passes the tag's regex but is no token,
  left out);
* valid values of kinds SPEC §4 does not ask for, scored apart: ``ein`` (a US employer's
  number: ``NOT_ASKED:COMPANY_ID``), ``mac`` (``NOT_ASKED:MAC_ADDRESS``), ``btc_addr*``
  and ``eth_addr*`` (public addresses: ``NOT_ASKED:CRYPTO_ADDRESS``);
* hard negatives, valid values of kinds nobody would redact: ISBN, ISSN, UUIDs, ULIDs,
  digests (``md4``, ``md5``, ``sha256``... ``tiger192``: a digest is not a secret), BICs
  (a bank's), semantic versions, CVE ids, cron lines, host names
  (``hostname``, ``fqdn``), each only where no IPv4 address, ``:`` or ``@`` is in it;
* invalid values are negatives only where nothing of the type is in them: an e-mail
  with nothing address-like (``email_negative``), an IP with no colon and no dotted
  quad of octets, a JWT with fewer than two periods. Invalid cards, SSNs and phone
  numbers (a bad checksum, another plan's number) are still card-, SSN- or phone-like
  and are left out.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator

from ..outside.harvest import Harvest

PATH = "validator_test.go"
SOURCE = "go-validator"
ASKED = {"email": "EMAIL", "e164": "PHONE_INTL", "ssn": "SSN", "credit_card": "CARD",
         "ipv4": "IPV4", "ip4_addr": "IPV4", "ipv6": "IPV6", "ip6_addr": "IPV6", "ip": "IP",
         "ip_addr": "IP", "jwt": "JWT"}  # fmt: skip
NOT_ASKED = {"ein": "NOT_ASKED:COMPANY_ID", "mac": "NOT_ASKED:MAC_ADDRESS",
             "btc_addr": "NOT_ASKED:CRYPTO_ADDRESS", "btc_addr_bech32": "NOT_ASKED:CRYPTO_ADDRESS",
             "eth_addr": "NOT_ASKED:CRYPTO_ADDRESS",
             "eth_addr_checksum": "NOT_ASKED:CRYPTO_ADDRESS"}  # fmt: skip
NEGATIVE_KINDS = {"isbn": "ISBN", "isbn10": "ISBN", "isbn13": "ISBN", "issn": "ISSN",
                  "ulid": "ULID", "md4": "DIGEST", "md5": "DIGEST", "sha256": "DIGEST",
                  "sha384": "DIGEST", "sha512": "DIGEST", "ripemd128": "DIGEST",
                  "ripemd160": "DIGEST", "tiger128": "DIGEST", "tiger160": "DIGEST",
                  "tiger192": "DIGEST", "bic": "BIC", "bic_iso_9362_2014": "BIC",
                  "semver": "SEMVER", "cve": "CVE", "cron": "CRON",
                  "hostname": "HOSTNAME", "hostname_rfc1123": "HOSTNAME", "fqdn": "HOSTNAME",
                  } | {f"uuid{v}{r}": "UUID" for v in ("", "3", "4", "5")
                       for r in ("", "_rfc4122")}  # fmt: skip
_GROUP = {"EMAIL": "EMAIL", "IP": "IPV4", "IPV4": "IPV4", "IPV6": "IPV4", "JWT": "JWT"}
_FUNC = re.compile(r"^func (Test\w+)\(", re.M)
_STR = r'"((?:[^"\\\n]|\\.)*)"'
_ROW = re.compile(r"\{\s*" + _STR + r"\s*,\s*(?:\"([\w=]+)\"\s*,\s*)?(true|false)\s*\}")
_TABLE_TAG = re.compile(r'validate\.Var\(test\.\w+,\s*"([\w]+)"\)')
_STEP = re.compile(
    r"\bs :?= " + _STR + r"|validate\.Var\(s, \"(\w+)\"\)|\b(Equal|NotEqual)\(t, errs, nil\)"
)
EMAIL_LIKE = re.compile(r"[^\s@]@[^\s@]*\.[^\W\d_]")
IPV4 = re.compile(r"(?<!\d)(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?!\d)")
_NEAR_EMAIL = re.compile(r"[^\s@]@[^\s@]")


def email_negative(value: str) -> bool:
    """An invalid e-mail input with nothing address-like in it: no IPv4 address and no
    ``x@y`` once white space and doubled ``@`` are taken out (``joeblow @apache.org``,
    ``a@b,com``, ``x@@y.com``, ``x@[::1]`` are addresses with a typo, ``joe@localhost``
    a local mailbox: not clean negatives)."""
    squeezed = re.sub(r"@+", "@", re.sub(r"\s+", "", value))
    return not (EMAIL_LIKE.search(value) or IPV4.search(value) or _NEAR_EMAIL.search(squeezed))


def _unquote(body: str) -> str | None:
    """A Go interpreted string's value (None where it holds an escape other than \\\\ \\")."""
    if re.search(r"\\[^\\\"]", body) or "%" in body:
        return None
    return body.replace('\\"', '"').replace("\\\\", "\\")


def rows(text: str) -> Iterator[tuple[str, str, bool]]:
    """(tag, value, valid) of every table row and statement run of every test function."""
    starts = [m.start() for m in _FUNC.finditer(text)] + [len(text)]
    for begin, end in itertools.pairwise(starts):
        body = text[begin:end]
        tags = set(_TABLE_TAG.findall(body))
        for m in _ROW.finditer(body):
            tag = m.group(2) or (next(iter(tags)) if len(tags) == 1 else "")
            value = _unquote(m.group(1))
            if tag and value is not None:
                yield tag, value, m.group(3) == "true"
        value, tag = None, ""
        for m in _STEP.finditer(body):
            if m.group(1) is not None:
                value, tag = _unquote(m.group(1)), ""
            elif m.group(2):
                tag = m.group(2)
            elif tag and value is not None:
                yield tag, value, m.group(3) == "Equal"
                tag = ""


def label(tag: str, value: str, valid: bool) -> str | None:
    """The label of one row by the rules above (None: left out)."""
    asked = ASKED.get(tag)
    if not valid:
        group = _GROUP.get(asked or "")
        if group == "EMAIL" and email_negative(value):
            return "NEGATIVE:EMAIL"
        if group == "IPV4" and ":" not in value and not IPV4.search(value):
            return "NEGATIVE:IPV4"
        if group == "JWT" and value.count(".") < 2:
            return "NEGATIVE:JWT"
        return None
    if asked == "EMAIL":
        return "EMAIL" if EMAIL_LIKE.search(value) and "<" not in value else None
    if asked == "PHONE_INTL":
        return asked if value.startswith("+") else None
    if asked == "IP":
        return "IPV6" if ":" in value else "IPV4"
    if asked == "JWT":
        return "JWT" if value.startswith("eyJ") else None
    if asked:
        return asked
    if tag in NOT_ASKED:
        return NOT_ASKED[tag]
    return f"NEGATIVE:{NEGATIVE_KINDS[tag]}" if tag in NEGATIVE_KINDS and clean(value) else None


def clean(value: str) -> bool:
    """A hard negative holds no IPv4 address, ``:`` (a port, an IPv6 address) or ``@``."""
    return not (IPV4.search(value) or ":" in value or "@" in value)


def harvest(h: Harvest, show: Callable[[str], str]) -> None:
    """Every labelled row of ``validator_test.go``."""
    for tag, value, valid in rows(show(PATH)):
        got = label(tag, value, valid)
        if got is None or not value.strip() or value != value.strip():
            continue
        if got.startswith("NEGATIVE:"):
            h.negative(got.split(":", 1)[1], value, SOURCE, f"{PATH}#{tag}")
        else:
            h.add(got, value, SOURCE, f"{PATH}#{tag}")
