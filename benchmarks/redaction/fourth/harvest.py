"""Builds the fourth set's ``values.jsonl``: from projects that neither the outside
suite, the holdout nor the fresh set uses, for a measurement nobody tuned on (issue 16).

    .venv/bin/python -m benchmarks.redaction.fourth.harvest --mirrors /work/.mirror

Same shape as ``fresh/harvest.py``: every item names its source (``sources.json``:
project, commit, licence) and file, and the label is the other project's. Sources:

* semgrep-rules' secret rules' test files (``generic/secrets/security`` and
  ``generic/secrets/gitleaks``): the line after a ``ruleid: <id>`` comment is one
  the rule must report, the line after ``ok: <id>`` one it must not (semgrep's
  test annotations). The secret is what the rule's own ``pattern-regex`` (sibling
  ``.yaml``) matches on that line: its secret group (``(?<SECRET>...)``, ``TOKEN``,
  ``ITEM``, ``CONTENT``); for the gitleaks ports, gitleaks' secret group
  (``_gitleaks_secret``) or the match; else the match's last piece where it holds a
  name, an operator or quotes (``aws_secret_access_key = <value>``). Rules without
  a regex (``languages: generic``: a GitHub token, an npm ``_auth`` entry, a URL's
  credentials) give their metavariable-regex's match in the line, a URL's password,
  or the value part of the line (after its first ``=``, else its first ``:``,
  unquoted); a private key is its BEGIN line and the lines up to a blank one;
  ``sshpass -p '<value>'`` (whose regex ends inside the value) is read from the
  line. The rule's id gives the label; a token that is not its whole line is a
  ``TOKEN_CONTEXT`` in its line, as the holdout's;
* microsoft/security-utilities' literal example keys (``secutils.py``);
* GitGuardian/ggshield's recorded API answers: the secrets GitGuardian marked in the
  documents ggshield's tests sent (``ggshield.py``).

Label corrections (each holds for any item of its kind, not for one item):

* client ids (the client-id rules' values, and a generic rule's value whose name is
  ``client_id``/``CLIENT_ID``), account ids, Google OAuth client ids
  (``...apps.googleusercontent.com``) and the ``"type": "service_account"`` line
  are identifiers, not secrets (as the holdout's and the fresh set's):
  ``NOT_ASKED:IDENTIFIER``;
* a secret in a URL's password field (a GitHub token in ``https://user:<token>@``,
  gitleaks' sidekiq-sensitive-url's ``user:password``) is the URL's password,
  ``URL_PASSWORD``, as the holdout labels URL credentials;
* semgrep's ``detected-etc-shadow`` case is a shadow line with an empty password
  field (``root::17431:...``): no hash, no secret (``NOT_ASKED:SHADOW_ENTRY``);
* an ``ok:`` line whose text is also a ``ruleid:`` line, or a value found on one,
  is no negative (another case reports it: ``AP6abc1231321`` is artifactory's secret
  after ``artifactoryx:_password=`` and its ``ok`` case alone); nor is an ``ok:``
  line that holds an IPv4 address (a value of a type SPEC §4 asks for, the other
  type's to find, as the fresh set leaves out sentences that name a card).

Items whose value the outside suite, the holdout or the fresh set already holds are
dropped.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import regex  # type: ignore[import-untyped]
import yaml  # type: ignore[import-untyped]

from ..mirrors import PinnedSources
from ..outside.corpus import load_values
from ..outside.harvest import Harvest
from . import ggshield, secutils

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")
SEEN = tuple(HERE.parent / name / "values.jsonl" for name in ("outside", "holdout", "fresh"))


git_show = PINNED.show
git_ls = PINNED.ls


# ---------------------------------------------------------------- semgrep-rules

SEMGREP_FOLDERS = ("generic/secrets/security", "generic/secrets/gitleaks")
_ANNOTATION = re.compile(r"^\s*(?:#|//|<!--|--|/\*)\s*(ruleid|ok|todoruleid|todook):\s*([\w.-]+)")
_NAMED = re.compile(r"\(\?<([A-Za-z_]\w*)>")
# A semgrep regex's match that holds more than the value (a name, an operator, quotes).
_SEPARATOR = re.compile(r"""[\s"'`=<>,;()&?]+""")
_URL = re.compile(r"://[^:/@\s]*:([^@\s]+)@[^@/\s]+")
# The value part of a line: after its first '=' (or ':' where it has none).
_OPERATOR_VALUE = re.compile(r"""^[^=]*?=>?\s*(\S+?)[);,]*$|^[^:]*:\s*(\S+?)[);,]*$""")
_NAME_COLON = re.compile(r"[A-Za-z_]+:(?=[^\s/])")  # a name: before the value, not a scheme
SECRET_GROUPS = {"SECRET", "TOKEN", "ITEM", "CONTENT"}  # semgrep's names for the secret's group
# Rules whose regex ends inside the value: the value read from the line.
RULE_VALUE = {"detected-ssh-password": re.compile(r"""sshpass -p\s*['"]([^'"]+)""")}
# An IPv4 address, not a version (hasql-1.6.0.1, Version=6.0.0.0).
_OCTET = r"(?:25[0-5]|2[0-4]\d|1?\d?\d)"
_IPV4 = re.compile(rf"(?<![\w.-])(?<![Vv]ersion=)(?:{_OCTET}\.){{3}}{_OCTET}(?![\w.-])")
_CLIENT_ID_KEY = re.compile(r"""(?i)client_?id["'`]?\s*[:=]""")
_IDENTIFIER_RULES = re.compile(r"client-id|account-id|google-oauth-url|gcm-service-account")


def semgrep_label(rule_id: str) -> str:
    """The suite type of a semgrep secret rule's findings, by its id."""
    if _IDENTIFIER_RULES.search(rule_id):
        return "NOT_ASKED:IDENTIFIER"
    if "etc-shadow" in rule_id:
        return "NOT_ASKED:SHADOW_ENTRY"
    if "private-key" in rule_id:
        return "PRIVATE_KEY"
    if "jwt" in rule_id:
        return "JWT"
    if "bcrypt" in rule_id:
        return "PASSWORD_HASH"
    if "password-in-uri" in rule_id:
        return "URL_PASSWORD"
    if "generic" in rule_id or "npm-registry-auth" in rule_id or "ssh-password" in rule_id:
        return "KEYWORD_SECRET"
    return "TOKEN_PREFIXED"


def _regexes(rule: dict[str, Any]) -> list[Any]:
    """The rule's positive pattern-regex entries, compiled (first of a ``patterns``
    list, every one of a ``pattern-either``)."""
    found: list[str] = []

    def walk(node: Any, either: bool) -> None:
        if isinstance(node, dict):
            if "pattern-regex" in node:
                found.append(node["pattern-regex"])
            for key in ("patterns", "pattern-either"):
                if key in node:
                    walk(node[key], key == "pattern-either")
        elif isinstance(node, list):
            for entry in node:
                before = len(found)
                walk(entry, either)
                if not either and len(found) > before:
                    return  # a ``patterns`` list: its first regex is the match

    walk(rule, True)
    out = []
    for pattern in found:
        try:
            out.append(regex.compile(_NAMED.sub(r"(?P<\1>", pattern.strip())))
        except regex.error:
            continue
    return out


def _metavariable_regex(rule: dict[str, Any]) -> Any:
    """The rule's regex on its secret's metavariable, where it has one."""
    text = json.dumps(rule)
    m = re.search(r'"metavariable": "\$(?:SECRET|VALUE|KEY)", "regex": "((?:[^"\\]|\\.)*)"', text)
    return regex.compile(json.loads(f'"{m.group(1)}"')) if m else None


def semgrep_secret(rule_id: str, rule: dict[str, Any], text: str, line_start: int) -> str | None:
    """The secret the rule finds on the line starting at ``line_start`` of ``text``."""
    line_end = text.find("\n", line_start)
    line_end = len(text) if line_end < 0 else line_end
    line = text[line_start:line_end].strip()
    label = semgrep_label(rule_id)
    if label == "PRIVATE_KEY":
        block = text[line_start:].split("\n\n", 1)[0].strip()
        return block if block.startswith("-----BEGIN") else None
    if rule_id in RULE_VALUE:
        m = RULE_VALUE[rule_id].search(line)
        return m.group(1) if m else None
    gitleaks = "/gitleaks/" in rule.get("_path", "")
    for compiled in _regexes(rule):
        for m in compiled.finditer(text):
            if m.end() <= line_start or m.start() >= line_end:
                continue
            named = [g for g in compiled.groupindex if g in SECRET_GROUPS and m.group(g)]
            if named:
                return _unquote(str(m.group(named[-1])))
            if gitleaks:
                return _unquote(_gitleaks_secret(compiled, m))
            return _last_piece(str(m.group(0)).strip())
    if label == "URL_PASSWORD":
        url = _URL.search(line)
        return url.group(1) if url else None
    meta = _metavariable_regex(rule)
    if meta is not None:
        m = meta.search(line)
        if m:
            return str(m.group(0))
    value = _OPERATOR_VALUE.search(line)
    return _unquote(value.group(1) or value.group(2)) if value else None


def _gitleaks_secret(compiled: Any, m: Any) -> str:
    """gitleaks' secret group: the capture that ends at a URL's ``@``, else the last
    capture of 8 or more characters that is not the match's prefix (``(CLOJARS_)``,
    ``(ghu|ghs)``), a word (``(services|workflows)``) nor a named part of it
    (jwt-base64's ``(?P<alg>...)``); else the match."""
    named = set(compiled.groupindex.values())
    groups = [i for i in range(1, compiled.groups + 1) if m.group(i) and i not in named]
    for i in groups:
        if m.string[m.end(i) : m.end(i) + 1] == "@":
            return str(m.group(i))
    kept = [
        i for i in groups
        if len(m.group(i)) >= 8 and m.start(i) > m.start() and not m.group(i).isalpha()
    ]  # fmt: skip
    return str(m.group(kept[-1]) if kept else m.group(0))


def _unquote(value: str) -> str:
    return value.strip().strip("\"'`")


def _last_piece(match: str) -> str:
    """A match that holds a name, an operator or quotes: its last piece (the value)."""
    if not _SEPARATOR.search(match):
        named = _NAME_COLON.match(match)
        return match[named.end() :] if named else match
    pieces = [p for p in _SEPARATOR.split(match) if p]
    return pieces[-1] if pieces else match


def semgrep_item(rule_id: str, secret: str, line: str) -> tuple[str, str]:
    """The label and value of a ruleid line's secret, with the corrections above."""
    label = semgrep_label(rule_id)
    if _CLIENT_ID_KEY.search(line) and label != "NOT_ASKED:IDENTIFIER":
        return "NOT_ASKED:IDENTIFIER", secret  # a generic rule's value named client id
    url = _URL.search(line)
    if url and secret in url.group(0) and url.group(1).endswith(secret.split(":")[-1]):
        return "URL_PASSWORD", url.group(1)  # in a URL's password field
    if label == "TOKEN_PREFIXED" and secret != line:
        return "TOKEN_CONTEXT", secret
    return label, secret


def semgrep_context(rule_id: str, secret: str, line: str) -> str:
    """The line a value is scored in (none for a private key or a value alone)."""
    label, value = semgrep_item(rule_id, secret, line)
    return "" if label == "PRIVATE_KEY" or value == line else line


def annotated_lines(lines: list[str], notes: Counter[str]) -> list[tuple[str, str, int]]:
    """Each semgrep test annotation: its kind (``ruleid``, ``ok``, ...), its rule id
    and the index of the line it is about (the next line that is no annotation)."""
    out = []
    for i, line in enumerate(lines):
        annotation = _ANNOTATION.match(line)
        if not annotation:
            continue
        target = i + 1
        while target < len(lines) and _ANNOTATION.match(lines[target]):
            target += 1
        if target >= len(lines) or not lines[target].strip():
            notes["annotation without a line"] += 1
            continue
        out.append((annotation.group(1), annotation.group(2), target))
    return out


def semgrep(h: Harvest, mirrors: Path) -> Counter[str]:
    """Every ruleid line's secret as a value; every ok line as a negative."""
    notes: Counter[str] = Counter()
    positives: set[str] = set()
    negatives: list[tuple[str, str]] = []
    for folder in SEMGREP_FOLDERS:
        paths = git_ls(mirrors, "semgrep-rules", folder)
        rules = {}
        for path in paths:
            if path.endswith(".yaml"):
                for rule in yaml.safe_load(git_show(mirrors, "semgrep-rules", path))["rules"]:
                    rules[rule["id"]] = {**rule, "_path": path}
        for path in paths:
            if path.endswith(".yaml"):
                continue
            text = git_show(mirrors, "semgrep-rules", path)
            lines = text.split("\n")
            offsets = [0]
            for line in lines:
                offsets.append(offsets[-1] + len(line) + 1)
            for kind, rule_id, target in annotated_lines(lines, notes):
                target_line = lines[target].strip()
                if kind in ("ok", "todook"):
                    negatives.append((target_line, path))
                    continue
                positives.add(target_line)
                rule = rules.get(rule_id)
                if rule is None:
                    notes["ruleid of an unknown rule"] += 1
                    continue
                secret = semgrep_secret(rule_id, rule, text, offsets[target])
                if not secret:
                    notes[f"no secret found: {rule_id}"] += 1
                    continue
                h.add(*semgrep_item(rule_id, secret, target_line), "semgrep-rules", path,
                      context=semgrep_context(rule_id, secret, target_line))  # fmt: skip
    values = {item["value"] for item in h.items}
    for line, path in negatives:
        if line in positives or line in values:
            notes["ok line another case reports"] += 1
            continue
        if _IPV4.search(line):
            notes["ok line holding an IPv4 address"] += 1
            continue
        h.negative("KEYWORD_SECRET", line, "semgrep-rules", path)
    return notes


# ---------------------------------------------------------------- main


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--out", type=Path, default=HERE / "values.jsonl")
    args = parser.parse_args()
    h = Harvest()
    notes = semgrep(h, args.mirrors)
    secutils.harvest(h, lambda path: git_show(args.mirrors, "security-utilities", path))
    ggshield.harvest(
        h,
        git_ls(args.mirrors, "ggshield", ggshield.CASSETTES),
        lambda path: git_show(args.mirrors, "ggshield", path),
    )
    seen = {item["value"] for path in SEEN for item in load_values(path)}
    counts, dropped = h.write_unseen(args.out, seen)  # the outside suite, the holdout, fresh
    print(f"dropped {dropped} items whose value another set holds")
    for note, n in sorted(notes.items()):
        print(f"semgrep-rules: {note}: {n}")
    print(json.dumps(dict(sorted(counts.items())), indent=1))


if __name__ == "__main__":
    main()
