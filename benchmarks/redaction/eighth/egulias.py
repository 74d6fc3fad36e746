"""egulias/EmailValidator's validation tests for the eighth set (issue 16).

The PHPUnit data providers of ``tests/EmailValidator/Validation/`` (``PROVIDERS``),
read as PHP literals (no PHP run: a small tokenizer takes string literals, ``[...]``
and ``array(...)``; a row built with ``sprintf``, ``chr`` or ``.`` is not a literal and
is skipped). Each row's one string literal is the address the test hands the validator.
Labels by provider (each holds for the whole kind):

* rows of the providers the tests assert valid (``getValidEmails``,
  ``getValidEmailsWithWarnings``, ``getValidEmailsWithoutWarnings``, the DNS check's
  ``validEmailsProvider``, the spoof check's ``validUTF8EmailsProvider``) are ``EMAIL``,
  but for an address a text scanner cannot take as one span, left out: white space or
  control characters in it (``fab\\ ien@symfony.com``, ``example @invalid.example.com``),
  no period in the domain (``example@localhost``: a local mailbox, as the fifth set's
  validator.js rows), or an address literal (``example@[127.0.0.1]``,
  ``validipv4@127.0.0.0``: the domain is an IP address, another type's);
* rows of the providers asserted invalid (``getInvalidEmails``,
  ``getInvalidEmailsWithErrors``, ``invalidUTF16Chars``) are negatives only where nothing
  address-like or IP-like is in them (``sixth.goplayground.email_negative``:
  ``example@`` and ``@example.co.uk`` are, ``test@example..com`` and
  ``user  name@example.com`` hold an address with a typo and are left out) and they
  neither start nor end with white space (their span is not the value's).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ..outside.harvest import Harvest
from ..sixth.goplayground import email_negative

SOURCE = "emailvalidator"
FOLDER = "tests/EmailValidator/Validation/"
VALID = ("getValidEmails", "getValidEmailsWithWarnings", "getValidEmailsWithoutWarnings",
         "validEmailsProvider", "validUTF8EmailsProvider")  # fmt: skip
INVALID = ("getInvalidEmails", "getInvalidEmailsWithErrors", "invalidUTF16Chars")
PROVIDERS = {
    "RFCValidationTest.php": VALID[:2] + INVALID[:2],
    "RFCValidationDomainPartTest.php": VALID[:2] + INVALID,
    "NoRFCWarningsValidationTest.php": VALID[2:3],
    "DNSCheckValidationTest.php": VALID[3:4],
    "Extra/SpoofCheckValidationTest.php": VALID[4:],
}
_TOKEN = re.compile(
    r"""'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|//[^\n]*|/\*.*?\*/|(array\s*\(|[\[\](),.;])|(\w+)|\s+|."""
    , re.S)  # fmt: skip
_DOUBLE = {"n": "\n", "t": "\t", "r": "\r", "v": "\v", "f": "\f", "e": "\x1b", "0": "\0",
           "\\": "\\", '"': '"', "$": "$"}  # fmt: skip
OPAQUE = object()


def _single(body: str) -> str:
    return re.sub(r"\\([\\'])", r"\1", body)


def _double(body: str) -> str:
    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] == "x":
            return chr(int(esc[1:], 16))
        return _DOUBLE.get(esc, "\\" + esc)

    return re.sub(r"\\(x[0-9a-fA-F]{1,2}|.)", one, body)


def tokens(text: str) -> list[tuple[str, Any]]:
    """PHP tokens: ("str", value), ("op", "[" "]" "(" ")" "," "." ";" "array("), ("word", w)."""
    out: list[tuple[str, Any]] = []
    for m in _TOKEN.finditer(text):
        single, double, op, word = m.groups()
        if single is not None:
            out.append(("str", _single(single)))
        elif double is not None:
            out.append(("str", _double(double)))
        elif op:
            out.append(("op", "array(" if op.startswith("array") else op))
        elif word:
            out.append(("word", word))
    return out


def _value(toks: list[tuple[str, Any]], i: int) -> tuple[Any, int]:
    """One expression from ``toks[i]``: a str, a list, or OPAQUE; and the index after it."""
    kind, tok = toks[i]
    if kind == "op" and tok in ("[", "array("):
        close = "]" if tok == "[" else ")"
        items: list[Any] = []
        i += 1
        while toks[i] != ("op", close):
            item, i = _value(toks, i)
            items.append(item)
            if toks[i] == ("op", ","):
                i += 1
        value: Any = items
        i += 1
    elif kind == "str":
        value, i = tok, i + 1
    else:  # a call, a constant, `new X(...)`: skip to the end of the expression
        depth = 0
        while depth or toks[i] not in (("op", ","), ("op", "]"), ("op", ")"), ("op", ";")):
            if toks[i] in (("op", "("), ("op", "["), ("op", "array(")):
                depth += 1
            elif toks[i] in (("op", ")"), ("op", "]")):
                depth -= 1
            i += 1
        return OPAQUE, i
    if toks[i] == ("op", "."):  # a concatenation is not a literal
        _, i = _value(toks, i + 1)
        return OPAQUE, i
    return value, i


def provider_rows(text: str, name: str) -> Iterator[Any]:
    """The string literal of every row the provider ``name`` returns (the address; the
    expected warnings or error beside it are not literals), rows without one left out."""
    toks = tokens(text)
    for i, tok in enumerate(toks):
        if tok == ("word", name) and toks[i - 1] == ("word", "function"):
            start = toks.index(("word", "return"), i) + 1
            rows, _ = _value(toks, start)
            for row in rows:
                strings = [e for e in row if isinstance(e, str)] if isinstance(row, list) else []
                if len(strings) == 1:
                    yield strings[0]
            return


def label(valid: bool, value: str) -> str | None:
    """``EMAIL``, ``NEGATIVE`` or None (left out), by the rules above."""
    if valid:
        domain = value.rsplit("@", 1)[-1]
        spaced = re.search(r"[\s\x00-\x1f\\]", value)
        literal = "[" in domain or re.fullmatch(r"[\d.]+", domain)
        return None if spaced or "." not in domain or literal else "EMAIL"
    if value and value == value.strip() and email_negative(value):
        return "NEGATIVE"
    return None


def harvest(h: Harvest, show: Callable[[str], str]) -> None:
    """Every labelled row of the providers."""
    for name, providers in PROVIDERS.items():
        text = show(FOLDER + name)
        for provider in providers:
            for value in provider_rows(text, provider):
                got = label(provider in VALID, value)
                if got == "EMAIL":
                    h.add("EMAIL", value, SOURCE, f"{FOLDER}{name}#{provider}")
                elif got == "NEGATIVE":
                    h.negative("EMAIL", value, SOURCE, f"{FOLDER}{name}#{provider}")
