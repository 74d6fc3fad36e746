"""Builds the holdout's ``values.jsonl`` from projects the outside suite does not use.

    .venv/bin/python -m benchmarks.redaction.holdout.harvest --mirrors /work/.mirror

Same shape as ``outside/harvest.py`` (whose ``Harvest`` it uses): every item names
its source (``sources.json``: project, commit, licence) and file, and the label is
the other project's. Five sources, none of them in ``outside/sources.json``:

* Nosey Parker's and Kingfisher's rule files: each rule's ``examples`` (the secret
  is what the rule's own pattern matches in the example; Kingfisher's examples are
  kept only when the match passes the rule's ``min_entropy``, as Kingfisher reports
  them) and ``negative_examples`` (kept only when no rule of the same project
  matches them). Rules whose categories say ``identifier`` and not ``secret``
  (public keys, account ids) and Kingfisher's ``visible: false`` helper rules (host
  names and ids its secret rules depend on) are not sensitive by their own label:
  written as ``NOT_ASKED:IDENTIFIER``. Where a rule captures several groups and one
  ends at an ``@`` (user, password, host of a URL), that one is the secret; where
  it captures a whole URL or connection string, its password or key field is
  (``_narrow``); a capture that is a whole JSON object is not one value (dropped);
  a "JSON Web Token Secret" rule's value is the signing key, a key-word secret;
* Whispers' fixtures: the values of each fixture's noncompliant section (the
  project's ``test_detection_by_value`` asserts that every value it reports holds
  ``hardcoded``, literally or base64-encoded), in their line (an indented line with
  the two lines before it, where the key of a list or element is), and the lines of
  the compliant sections as negatives;
* ripsecrets' ``test/one_per_line`` files (one secret a line; the file name is the
  label) and ``test/none`` (lines that must not be reported; those that carry an
  allowlist comment are left out: they hold secrets on purpose);
* scrubadub's detector tests: the spans replaced in each BEFORE/AFTER docstring
  and the arguments of ``check_phone_numbers``.

Items whose value the outside suite already holds are dropped, so that nothing
here was seen. Types SPEC §4 does not ask for (names, URLs, dates of birth, UK
National Insurance numbers, ...) are written with label ``NOT_ASKED:<type>`` and
reported apart by ``run.py``; so are values that are wholly a variable reference
(``NOT_ASKED:REFERENCE``, see ``_REFERENCE``).
"""

from __future__ import annotations

import argparse
import ast
import base64
import binascii
import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import regex  # type: ignore[import-untyped]
import yaml  # type: ignore[import-untyped]

from ..mirrors import PinnedSources
from ..outside.corpus import load_values
from ..outside.harvest import Harvest

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")


git_show = PINNED.show
git_ls = PINNED.ls


# ---------------------------------------------------------------- rule sets with examples

RULE_FOLDERS = {
    "noseyparker": "crates/noseyparker/data/default/builtin/rules",
    "kingfisher": "data/rules",
}


def _entropy(s: str) -> float:
    counts = Counter(s)
    return -sum(c / len(s) * math.log2(c / len(s)) for c in counts.values())


def _rule_label(rule: dict[str, Any]) -> str | None:
    """The suite type of a rule's secrets (None: not sensitive by the rule's own label)."""
    cats = set(rule.get("categories") or [])
    name = (rule.get("name") or "").lower()
    if "identifier" in cats and "secret" not in cats:
        return None
    if rule.get("visible") is False:
        return None  # Kingfisher's helper rules (host names, ids) that others depend on
    if "private key" in name or "pem" in name.split():
        return "PRIVATE_KEY"
    if ("jwt" in name or "json web token" in name) and "secret" not in name:
        return "JWT"  # a "JSON Web Token Secret" rule finds the signing key: a key-word secret
    if "hash" in name and ("password" in name or "crypt" in name):
        return "PASSWORD_HASH"
    if "url" in name and ("credential" in name or "password" in name):
        return "URL_PASSWORD"
    if "connection string" in name:
        return "URL_PASSWORD"
    if "fuzzy" in cats or name.startswith("generic"):
        return "KEYWORD_SECRET"
    return "TOKEN_PREFIXED"


def _rule_secret(pattern: Any, text: str) -> str | None:
    """The last capture group of the rule's first match (the secret), or the match;
    in a URL's credentials, the group that ends at the ``@``."""
    m = pattern.search(text)
    if not m:
        return None
    groups = [i for i in range(1, len(m.groups()) + 1) if m.group(i)]
    if len(groups) > 1:
        for i in groups:
            if text[m.end(i) : m.end(i) + 1] == "@":
                return str(m.group(i))
    return str(m.group(groups[-1])) if groups else str(m.group(0))


_URL_PASSWORD = re.compile(r"://[^:/@\s]*:([^/\s]+)@[^@/\s]*(?:[/?].*)?$")
# A connection string's secret field (ADO.NET, ODBC, Azure): ``Password=…;``.
_SECRET_FIELD = re.compile(
    r"(?i)(?:^|[;\s\"'])(?:password|pwd|sharedaccesskey|accountkey)=([^;\s\"']+)"
)
_PAST_QUOTE = re.compile(r"[\"'][\s}\],]*$")  # a closing quote and what follows it


def _narrow(label: str, secret: str) -> str | None:
    """The secret inside a rule's capture that holds more than the secret.

    A URL's password (up to the last ``@``); a connection string's password or key
    field, up to its ``;``, quote or white space (rules that capture the whole
    string, or run past its closing quote); None for a capture that is a whole
    JSON object (Kingfisher's GCP rule locates a service account's fields: its
    values are e-mail addresses, ids and URLs, found or not by their own types,
    not one value).
    """
    if secret.startswith("{") and secret.rstrip().endswith("}") and "\n" in secret:
        return None
    if label != "URL_PASSWORD":
        return secret
    secret = _PAST_QUOTE.sub("", secret)
    url = _URL_PASSWORD.search(secret)
    if url:
        return url.group(1)
    field = _SECRET_FIELD.search(secret)
    if field and (field.start(1) > 0 or field.end(1) < len(secret)):
        return field.group(1)
    return secret


def rule_sets(h: Harvest, mirrors: Path, source: str, not_asked: Counter[str]) -> None:
    """Positive and negative examples of every rule of Nosey Parker or Kingfisher."""
    rules: list[tuple[str, dict[str, Any], Any]] = []
    for path in git_ls(mirrors, source, RULE_FOLDERS[source]):
        if not path.endswith((".yml", ".yaml")):
            continue
        doc = yaml.safe_load(git_show(mirrors, source, path)) or {}
        for rule in doc.get("rules") or []:
            try:
                compiled = regex.compile(rule["pattern"])
            except (regex.error, KeyError):
                continue
            rules.append((path, rule, compiled))
    for path, rule, compiled in rules:
        label = _rule_label(rule)
        for example in rule.get("examples") or []:
            secret = _rule_secret(compiled, example)
            if not secret or len(secret) < 8:
                continue
            if _entropy(secret) < float(rule.get("min_entropy", 0)):
                continue  # the rule itself would not report it
            if label is None:
                not_asked["rule-identifier"] += 1
                h.add("NOT_ASKED:IDENTIFIER", secret, source, path, context=example)
                continue
            text = example.strip()
            if len(secret) > 4 and secret[:2] == secret[-2:] == '\\"':
                secret = secret[2:-2]  # escaped quotes are syntax, as quotes are
            narrowed = _narrow(label, secret)
            if narrowed is None:
                not_asked["rule-structure"] += 1
                continue
            secret = narrowed
            if label == "TOKEN_PREFIXED" and text != secret:
                h.add("TOKEN_CONTEXT", secret, source, path, context=text)
            else:
                h.add(label, secret, source, path, context=text)
        for example in rule.get("negative_examples") or []:
            text = example.strip()
            if text and not any(_rule_secret(c, text) for _, r, c in rules if _rule_label(r)):
                h.negative("KEYWORD_SECRET", text, source, path)


# ---------------------------------------------------------------- Whispers' fixtures

WHISPERS_SKIP = {"webhooks.yml"}  # the whole URL is the secret there, not a value
_SECTION = re.compile(r"(?i)\b(non[- ]?)?compliant\b")
_BY_VALUE = re.compile(r'\("([^"]+)", (\d+)\),')
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_HARDCODED = re.compile(r"(?i)[^\s\"'<>=:,;()\[\]{}@`]*hardcoded[^\s\"'<>=:,;()\[\]{}@`]*")
_B64 = re.compile(r"[A-Za-z0-9+/]{12,}={0,2}")


def _luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


_KEY_AFTER = re.compile(r"[\"']?\s*(?:[:=>]|$)")


def _is_key(line: str, m: re.Match[str]) -> bool:
    """An element or key name (``<x_hardcoded>``, ``hardcoded_x:``), not a value."""
    if line[max(0, m.start() - 2) : m.start()].endswith(("<", "</")):
        return True
    after = line[m.end() :]
    return bool(after) and not after.startswith("://") and bool(_KEY_AFTER.match(after))


def whispers(h: Harvest, mirrors: Path) -> None:
    """Noncompliant values (holding 'hardcoded', plain or base64) and compliant lines
    of the fixtures ``test_detection_by_value`` runs."""
    tests = git_show(mirrors, "whispers", "tests/unit/test_secrets.py")
    by_value = tests[tests.index("def test_detection_by_value") - 1500 :]
    names = {name for name, _count in _BY_VALUE.findall(by_value)}
    for path in git_ls(mirrors, "whispers", "tests/fixtures"):
        name = path.split("tests/fixtures/", 1)[-1]
        if name in WHISPERS_SKIP or name not in names:
            continue
        try:
            text = git_show(mirrors, "whispers", path)
        except UnicodeDecodeError:
            continue
        section = None
        previous: list[str] = []  # the lines before, for the key of a value in a list
        for line in text.splitlines():
            m = _SECTION.search(line)
            if m and len(line.strip()) < 60 and not _HARDCODED.search(line):
                section = "non" if m.group(1) else "ok"
                continue
            stripped = line.strip()
            if not stripped or section is None:
                continue
            if section == "ok":
                if (
                    not stripped.startswith(("#", "//", "<!--"))
                    and len(stripped) > 6
                    and not _EMAIL.search(stripped)  # "not a secret" says nothing of PII
                ):
                    h.negative("KEYWORD_SECRET", stripped, "whispers", path)
                continue
            if name == "creditcards.yml":
                number = stripped.rsplit(":", 1)[-1].strip()
                if number.isdigit() and _luhn(number):
                    h.add("CARD", number, "whispers", path)
                continue
            values = [m.group(0) for m in _HARDCODED.finditer(stripped) if not _is_key(stripped, m)]
            for token in _B64.findall(stripped):
                try:
                    decoded = base64.b64decode(token + "=" * (-len(token) % 4))
                except (binascii.Error, ValueError):
                    continue
                if b"hardcoded" in decoded.lower():
                    values.append(token)
            context = "\n".join([*previous[-2:], line]) if line[:1] in " \t" else stripped
            previous.append(line)
            for value in values:
                h.add("KEYWORD_SECRET", value, "whispers", path, context=context)


# ---------------------------------------------------------------- ripsecrets' tests

RIPSECRETS_LABELS = {"jwt": "JWT", "random": "KEYWORD_SECRET", "maven": "KEYWORD_SECRET"}
RIPSECRETS_SKIP = {"url"}  # USERNAME:PASSWORD placeholders in example URLs
_RS_VALUE = [
    re.compile(r">([^<]+)</"),
    re.compile(r"\"((?:[^\"\\]|\\.)+)\"\s*,?\s*$"),
    re.compile(r"(?:=|:)\s*['\"]?([^'\"\s]+)['\"]?\s*$"),
]


def ripsecrets(h: Harvest, mirrors: Path) -> None:
    """One secret a line (labelled by file), private-key files, and the clean lines."""
    for path in git_ls(mirrors, "ripsecrets", "test/one_per_line"):
        kind = path.rsplit("/", 1)[-1]
        if kind in RIPSECRETS_SKIP:
            continue
        for line in git_show(mirrors, "ripsecrets", path).splitlines():
            line = line.strip()
            if not line:
                continue
            value = line
            for pattern in _RS_VALUE:
                m = pattern.search(line)
                if m:
                    value = m.group(1)
                    break
            label = RIPSECRETS_LABELS.get(kind, "TOKEN_PREFIXED")
            if value != line and label == "TOKEN_PREFIXED":
                label = "KEYWORD_SECRET"
            h.add(label, value, "ripsecrets", path, context=line)
    for path in git_ls(mirrors, "ripsecrets", "test/one_per_file"):
        if path.endswith(("private_key", "pem_key")):
            text = git_show(mirrors, "ripsecrets", path)
            m = re.search(r"-----BEGIN[^-]*-----.*?-----END[^-]*-----", text, re.S)
            if m:
                h.add("PRIVATE_KEY", m.group(0), "ripsecrets", path)
    for line in git_show(mirrors, "ripsecrets", "test/none").splitlines():
        line = line.strip()
        if (
            line
            and "allowlist" not in line
            and "secretsignore" not in line
            and not _EMAIL.search(line)
        ):
            h.negative("KEYWORD_SECRET", line, "ripsecrets", "test/none")


# ---------------------------------------------------------------- scrubadub's tests

SCRUBADUB_LABELS = {
    "EMAIL": "EMAIL",
    "PHONE": "PHONE",
    "CREDIT_CARD": "CARD",
    "SOCIAL_SECURITY_NUMBER": "SSN",
}
_BEFORE_AFTER = re.compile(r"BEFORE:\s?(.*)\n\s*AFTER:\s+(.*)\n")


def _replaced_spans(before: str, after: str) -> list[tuple[str, str]] | None:
    """(type, text) for each ``{{TYPE}}`` of ``after`` aligned with ``before``."""
    parts = re.split(r"\{\{([A-Z_]+)\}\}", after)
    pattern = ""
    types = []
    for i, part in enumerate(parts):
        if i % 2:
            pattern += "(.+?)"
            types.append(part)
        else:
            pattern += re.escape(part)
    m = re.fullmatch(pattern, before, re.S)
    if not m:
        return None
    return list(zip(types, m.groups(), strict=True))


def scrubadub(h: Harvest, mirrors: Path) -> None:
    """BEFORE/AFTER docstrings and ``check_phone_numbers`` arguments."""
    for path in git_ls(mirrors, "scrubadub", "tests"):
        if not re.search(r"tests/test_detector_\w+\.py$", path):
            continue
        source = git_show(mirrors, "scrubadub", path)
        for before, after in _BEFORE_AFTER.findall(source):
            before = before.strip().replace("\\n", "\n")
            after = after.strip().replace("\\n", "\n")
            for kind, value in _replaced_spans(before, after) or []:
                label = SCRUBADUB_LABELS.get(kind, f"NOT_ASKED:{kind}")
                if label == "PHONE":
                    if sum(c.isdigit() for c in value) < 7:
                        continue  # the helper's template ("My phone number is %s")
                    label = "PHONE_INTL" if value.startswith("+") else "PHONE_NATIONAL"
                h.add(label, value, "scrubadub", path, context=before)
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "check_phone_numbers"
            ):
                for arg in node.args:
                    if (
                        isinstance(arg, ast.Constant)
                        and isinstance(arg.value, str)
                        and sum(c.isdigit() for c in arg.value) >= 7  # not a "%s"
                    ):
                        label = "PHONE_INTL" if arg.value.startswith("+") else "PHONE_NATIONAL"
                        h.add(label, arg.value, "scrubadub", path,
                              context=f"My phone number is {arg.value}")  # fmt: skip


# A value that is wholly a variable reference or a template (``$Password``, ``%nothing%``,
# ``#{datastore['DBPASSWORD']}``) names where the secret is kept; issue 16 asks the filter
# not to flag such references (``${SECRET}``), so they are scored apart, not as secrets.
_REFERENCE = re.compile(
    r"^(?:\$\{?[A-Za-z_][\w.]*\}?|#\{[^}]*\}|%[A-Za-z_]\w*%|\$\([^)]*\)|\{\{[^}]*\}\})$"
)


def main() -> None:
    """Write values.jsonl and print the counts per label."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--out", type=Path, default=HERE / "values.jsonl")
    args = parser.parse_args()
    h = Harvest()
    not_asked: Counter[str] = Counter()
    rule_sets(h, args.mirrors, "noseyparker", not_asked)
    rule_sets(h, args.mirrors, "kingfisher", not_asked)
    whispers(h, args.mirrors)
    ripsecrets(h, args.mirrors)
    scrubadub(h, args.mirrors)
    for item in h.items:
        if item["label"] != "NEGATIVE" and _REFERENCE.match(item["value"]):
            item["label"] = "NOT_ASKED:REFERENCE"
    counts, _ = h.write_unseen(args.out, {item["value"] for item in load_values()})  # outside
    print(json.dumps(dict(sorted(counts.items())), indent=1))


if __name__ == "__main__":
    main()
