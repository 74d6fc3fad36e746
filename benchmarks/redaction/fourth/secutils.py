"""microsoft/security-utilities' literal example keys, for the fourth set (issue 16).

Only values written literally in its files (no C# or Rust code is run):

* the Rust scanner tests (``identifiable_scans.rs``): ``Case::new(input, expected)``
  (the key is ``expected``; where ``input`` glues more characters onto it, the key
  is scored inside ``input``) and ``cases.push(input)`` (the key is what the
  project's own pattern in ``GeneratedRegexPatterns/*.json`` matches, its
  ``refine`` group);
* ``SecretMaskerTests.cs``: the DataRows of the placeholder-test-secret test (Azure,
  NuGet, npm and Entra keys with placeholder bodies and valid checksums) and of the
  false-positive test (negatives); the URL tests: a masked URL's password is a
  value, a URL the test leaves alone a negative;
* the literal ``GenerateTruePositiveExamples`` of the JWT and Entra client-app
  classes; IPv4 and IPv6 examples (``DAT101_002``, ``DAT101_005``), ``256.0.0.1``
  as a negative (not an address); GUIDs (``DAT101_001``) are identifiers
  (``NOT_ASKED:IDENTIFIER``). ``3fff::``, the IPv6 class's false-positive example,
  is a valid IPv6 address, so no negative; the loose bearer-token examples
  (``Authorization: bearer notasecret==``) say they are no secret and are left out.

Labels: a key alone is ``TOKEN_PREFIXED`` (the identifiable keys carry their
provider's signature and checksum), inside a longer token ``TOKEN_CONTEXT``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import regex  # type: ignore[import-untyped]

RUST = "src/security_utilities_rust/src/microsoft_security_utilities_core/identifiable_scans.rs"
MASKER = "src/Tests.Microsoft.Security.Utilities.Core/SecretMaskerTests.cs"
CORE = "src/Microsoft.Security.Utilities.Core"
EXAMPLES = {
    f"{CORE}/PotentialSecurityKeys/SEC101_528_UnclassifiedJwt.cs": "JWT",
    f"{CORE}/PreciselyClassifiedSecurityKeys/SEC101_156_AzureClientAppIdentifiableCredentials.cs":
        "TOKEN_PREFIXED",
    f"{CORE}/DataClassification/DAT101_001_GuidValue.cs": "NOT_ASKED:IDENTIFIER",
    f"{CORE}/DataClassification/DAT101_002_IPv4.cs": "IPV4",
    f"{CORE}/DataClassification/DAT101_005_IPv6.cs": "IPV6",
}  # fmt: skip
# False-positive examples that are values of an asked type after all.
NOT_NEGATIVE = {"3fff::"}
PATTERNS = (
    "GeneratedRegexPatterns/HighConfidenceSecurityModels.json",
    "GeneratedRegexPatterns/PreciselyClassifiedSecurityKeys.json",
    "GeneratedRegexPatterns/MediumConfidenceSecurityModels.json",
)
_CASE = re.compile(r'Case::new\(\s*"([^"]+)",\s*"([^"]+)"\)')
_PUSH = re.compile(r'cases\.push\("([^"]+)"\)')
_DATA_ROW = re.compile(r'\[DataRow\("([^"]+)"(?:,\s*"[^"]*")?\)\]')
_TEST_METHOD = re.compile(r"public void (\w+)\(")
_INPUT = re.compile(r'string input = @?"([^"]+)";')
_EXPECTED = re.compile(r'string expected = "([^"]+)";')
_USERINFO_PASSWORD = re.compile(r"://[^:/@\s]*:([^@\s]+)@")
_YIELD = re.compile(r'(GenerateTruePositiveExamples|GenerateFalsePositiveExamples)|'
                    r'yield return \$?"([^"{}]+)";')  # fmt: skip


class Sink:
    """What the harvest's ``Harvest`` offers (``add`` and ``negative``)."""

    add: Callable[..., None]
    negative: Callable[..., None]


def _refine(patterns: list[Any], text: str) -> str | None:
    """The key inside ``text`` by the project's own patterns (their ``refine`` group)."""
    for pattern in patterns:
        m = pattern.search(text)
        if m and m.groupdict().get("refine"):
            return str(m.group("refine"))
    return None


def _key(h: Any, value: str, text: str, path: str) -> None:
    if text == value:
        h.add("TOKEN_PREFIXED", value, "security-utilities", path)
    else:
        h.add("TOKEN_CONTEXT", value, "security-utilities", path, context=text)


def _masker_tests(h: Any, source: str) -> None:
    """DataRows of the placeholder and false-positive tests; the URL tests."""
    method_of: list[tuple[int, str]] = [
        (m.start(), m.group(1)) for m in _TEST_METHOD.finditer(source)
    ]

    def method_after(at: int) -> str:
        return next((name for start, name in method_of if start > at), "")

    for m in _DATA_ROW.finditer(source):
        method = method_after(m.start())
        if "PlaceholderTestSecretsAreMasked" in method:
            _key(h, m.group(1), m.group(1), MASKER)
        elif "FalsePositiveValuesAreNotMasked" in method:
            h.negative("TOKEN_PREFIXED", m.group(1), "security-utilities", MASKER)
    bodies = re.split(r"\[TestMethod\]", source)
    for body in bodies:
        name = _TEST_METHOD.search(body)
        given = _INPUT.search(body)
        if not name or not given or "://" not in given.group(1):
            continue
        expected = _EXPECTED.search(body)
        if expected and "+++@" in expected.group(1):
            password = _USERINFO_PASSWORD.search(given.group(1))
            if password:
                h.add("URL_PASSWORD", password.group(1), "security-utilities", MASKER,
                      context=given.group(1))  # fmt: skip
        elif "Assert.AreEqual(input, " in body:
            h.negative("URL_PASSWORD", given.group(1), "security-utilities", MASKER)


def harvest(h: Any, show: Callable[[str], str]) -> None:
    """Add security-utilities' literal keys, addresses and negatives to ``h``."""
    patterns = []
    for path in PATTERNS:
        for entry in json.loads(show(path)):
            try:
                patterns.append(regex.compile(entry["Pattern"]))
            except regex.error:
                continue
    rust = show(RUST)
    for m in _CASE.finditer(rust):
        _key(h, m.group(2), m.group(1), RUST)
    for m in _PUSH.finditer(rust):
        key = _refine(patterns, m.group(1))
        if key:
            _key(h, key, m.group(1), RUST)
    _masker_tests(h, show(MASKER))
    for path, label in EXAMPLES.items():
        true_examples = True
        for m in _YIELD.finditer(show(path)):
            if m.group(1):
                true_examples = m.group(1) == "GenerateTruePositiveExamples"
                continue
            value = m.group(2).strip()
            if true_examples:
                h.add(label, value, "security-utilities", path)
            elif value not in NOT_NEGATIVE and not label.startswith("NOT_ASKED"):
                h.negative(label, value, "security-utilities", path)
