"""Trivy's secret-scanner tests as values and negatives (used by ``harvest.py``).

``pkg/fanal/secret/scanner_test.go`` (``TestSecretScanner``) lists, per test case, a
testdata file, a config and the findings it expects. A finding's ``Match`` is the
line (or part of it) with the secret masked by ``*``: lining it up with the testdata
line gives the secret back. Only Trivy's builtin rules are taken (``rule1`` and the
other rules of the test configs are the tests' own patterns). Files whose case
expects no finding under ``skip-test.yaml`` (the builtin rules, allow rules for test
paths off) are negatives, line by line, unless a builtin allow rule skips the file by
its path (``example-secret.txt``: Trivy does not read it, so it says nothing of it).

The Go source is read with a few regular expressions, not parsed: string literals,
``+``, ``strings.Repeat`` and ``name := <expression>`` definitions, which is all the
expected findings use. A finding whose ``Match`` cannot be read this way or does not
line up with its file is left out (``main`` prints how many).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

TEST = "pkg/fanal/secret/scanner_test.go"
TESTDATA = "pkg/fanal/secret/testdata"
ALLOW_RULES = "pkg/fanal/secret/builtin-allow-rules.go"

# Builtin rule id -> label of the suite (None: public by design, scored apart).
LABELS: dict[str, str | None] = {
    "jwt-token": "JWT",
    "private-key": "PRIVATE_KEY",
    "maven-settings-password": "KEYWORD_SECRET",
    "maven-settings-passphrase": "KEYWORD_SECRET",
    "maven-settings-security-master": "KEYWORD_SECRET",
    "azure-app-config-connection-string": "URL_PASSWORD",  # a connection string's secret
    "stripe-publishable-token": None,  # pk_: published in web pages by design
}
CUSTOM_RULES = {"rule1", "multi-line-secret"}

_PRIVATE_KEY = re.compile(r"-----BEGIN[^-\n]*-----.*?-----END[^-\n]*-{4,5}", re.S)


@dataclass
class Finding:
    """One expected finding of a builtin rule."""

    rule: str
    start_line: int
    end_line: int
    match: str | None  # the masked Match, None when it could not be read


def _go_string(expr: str, defs: dict[str, str]) -> str | None:
    """A Go string expression of literals, ``+``, ``strings.Repeat`` and names."""
    out = ""
    for term in re.split(r"\s\+\s", expr.strip()):
        term = term.strip()
        if term.startswith('"') and term.endswith('"'):
            out += json.loads(term)
        elif term.startswith("`") and term.endswith("`"):
            out += term[1:-1]
        elif m := re.fullmatch(r'strings\.Repeat\("(.)", (\d+)\)', term):
            out += m.group(1) * int(m.group(2))
        elif term in defs:
            value = _go_string(defs[term], {})
            if value is None:
                return None
            out += value
        else:
            return None
    return out


def _block(text: str, start: int) -> str:
    """The text from ``start`` (an opening brace) to its closing brace."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
    return text[start:]


def _findings(test: str, defs: dict[str, str]) -> dict[str, Finding]:
    """The finding variables of TestSecretScanner, by name."""
    found = {}
    for m in re.finditer(r"\n\t(\w+) := types\.SecretFinding\{", test):
        block = _block(test, m.end() - 1)
        rule = re.search(r'RuleID:\s*"([^"]+)"', block)
        start = re.search(r"StartLine:\s*(\d+)", block)
        end = re.search(r"EndLine:\s*(\d+)", block)
        match = re.search(r"\n\t\tMatch:\s*(.+),\n", block)
        if rule and start and end:
            masked = _go_string(match.group(1), defs) if match else None
            found[m.group(1)] = Finding(
                rule.group(1), int(start.group(1)), int(end.group(1)), masked
            )
    helper = re.search(r"(\w+) := func\(ruleID, title, severity string, length int\)", test)
    if helper:  # openAIFinding(rule, title, severity, n): line 1, Match n stars
        call = re.compile(rf'(\w+) := {helper.group(1)}\("([^"]+)", "[^"]*", "[^"]*", (\d+)\)')
        for m in call.finditer(test):
            found[m.group(1)] = Finding(m.group(2), 1, 1, "*" * int(m.group(3)))
    return found


def cases(test_go: str) -> list[dict[str, Any]]:
    """TestSecretScanner's cases: file, config and the names of the expected findings."""
    body = test_go[test_go.index("func TestSecretScanner(") :]
    body = body[: body.index("\nfunc ", 1)]
    out = []
    for chunk in re.split(r"\n\t\t\{\n(?:\t\t\t//[^\n]*\n)*\t\t\tname:", body)[1:]:
        path = re.search(r'inputFilePath:\s*(?:filepath\.Join\("testdata", "([^"]+)"\)|'
                         r'"testdata/([^"]+)")', chunk)  # fmt: skip
        config = re.search(r'configPath:\s*filepath\.Join\("testdata", "([^"]+)"\)', chunk)
        if not path or not config:
            continue
        names = re.search(r"Findings:\s*\[\]types\.SecretFinding\{([^}]*)\}", chunk)
        out.append(
            {
                "file": path.group(1) or path.group(2),
                "config": config.group(1),
                "findings": re.findall(r"\w+", names.group(1)) if names else [],
            }
        )
    return out


def _unmask(line: str, masked: str) -> list[tuple[int, int]]:
    """Spans of ``line`` that ``masked`` (the line or a part of it) hides with '*'."""
    pattern = "".join("." if c == "*" else re.escape(c) for c in masked)
    m = re.search(pattern, line)
    if not m:
        return []
    spans = []
    for run in re.finditer(r"\*+", masked):
        s, e = m.start() + run.start(), m.start() + run.end()
        if line[s:e].strip("*"):
            spans.append((s, e))
    return spans


def skipped_paths(allow_rules_go: str, disabled: frozenset[str] = frozenset({"tests"})) -> Any:
    """The path patterns of Trivy's builtin allow rules, less those a config disables:
    a file they match is skipped unread, so it is no negative."""
    rules = re.findall(r'ID:\s*"([^"]+)"[^}]*?Path:\s*MustCompile\(`([^`]*)`\)', allow_rules_go)
    return re.compile("|".join(f"(?:{path})" for rule, path in rules if rule not in disabled))


def values(
    test_go: str, files: dict[str, str], allow_rules_go: str
) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str]], int]:
    """(label, value, file, context) of each builtin finding, (file, line) negatives,
    and how many builtin findings could not be lined up."""
    skipped = skipped_paths(allow_rules_go)
    defs = dict(re.findall(r"\n\t(\w+) := ((?:\"|`|strings\.Repeat).*)\n", test_go))
    found = _findings(test_go, defs)
    out: list[tuple[str, str, str, str]] = []
    negatives: list[tuple[str, str]] = []
    unread = 0
    with_findings = {c["file"] for c in cases(test_go) if c["findings"]}
    for case in cases(test_go):
        text = files.get(case["file"])
        if text is None:
            continue
        if not case["findings"]:
            if (
                case["config"] == "skip-test.yaml"
                and case["file"] not in with_findings
                and not skipped.search(f"testdata/{case['file']}")
            ):
                negatives += [(case["file"], ln.strip()) for ln in text.splitlines() if ln.strip()]
            continue
        lines = text.splitlines()
        for name in case["findings"]:
            f = found.get(name)
            if f is None or f.rule in CUSTOM_RULES:
                continue
            label = LABELS.get(f.rule, "TOKEN")
            label = "NOT_ASKED:PUBLISHABLE_KEY" if label is None else label
            if label == "PRIVATE_KEY":
                first = sum(len(ln) + 1 for ln in lines[: f.start_line - 1])
                for k in _PRIVATE_KEY.finditer(text):
                    if k.start() <= first + len(lines[f.start_line - 1]) and k.end() >= first:
                        out.append((label, k.group(0), case["file"], ""))
                continue
            if f.match is None or f.start_line != f.end_line:
                unread += 1
                continue
            line = lines[f.start_line - 1]
            spans = _unmask(line, f.match)
            unread += not spans
            for s, e in spans:
                while e - s > 2 and line[s] in "\"'":
                    s += 1  # a quote the Match masked with the secret
                while e - s > 2 and line[e - 1] in "\"'":
                    e -= 1
                context = line[max(0, s - 200) : e + 200].strip()
                kind = label
                if label == "TOKEN":
                    kind = "TOKEN_PREFIXED" if context == line[s:e] else "TOKEN_CONTEXT"
                out.append((kind, line[s:e], case["file"], "" if context == line[s:e] else context))
    return out, negatives, unread
