"""Checkmarx/2ms's rule tests for the fifth set (issue 16): ``engine/rules/ruledefine``.

Each ``<rule>_test.go`` runs one rule (``TwomsToGitleaksRule(<Rule>())``) over literal
``truePositives`` (each must give a finding) and ``falsePositives`` (none may). The
secret of a true positive is what gitleaks, which runs the rule, reports: the rule's
regex (its ``Regex`` variable in ``<rule>.go``, built the way 2ms' ``utils.go`` builds
it: ``generateSemiGenericRegex(identifiers, secret, ci)``,
``generateUniqueTokenRegex(secret, ci)``, ``regexp.MustCompile``, ``MergeRegexps``, with
the ``Hex``/``AlphaNumeric...``/``Numeric`` helpers) matched on the line, its
``SecretGroup`` or else its first non-empty group, else the whole match. A rule whose
regex the evaluator below cannot build (``fmt.Sprintf``) is skipped, and a line the
regex does not match is skipped. A value is kept once (its first line): 2ms writes the
same secret in two dozen syntaxes; and at most ``PER_TEST`` values of one rule test (its
first), so that one rule's generated cases (jwt-base64's 114) do not weigh as a type.

Labels: the secret alone on its line is ``TOKEN_PREFIXED``, else ``TOKEN_CONTEXT`` in
its line (as the fourth set's semgrep items); client ids and other identifiers (a rule
named ``...client-id``/``...-id``/``...-url``'s id part) ``NOT_ASKED:IDENTIFIER``; a
private key ``PRIVATE_KEY`` (the block); a JWT rule ``JWT``; ``Authenticated-URL``'s
``user:password`` and ``Curl-Auth-User``'s are the password after the colon:
``URL_PASSWORD`` and ``KEYWORD_SECRET``; ``Generic-Api-Key`` ``KEYWORD_SECRET``. A
false positive is a negative (``KEYWORD_SECRET`` group, the line alone, as the fourth
set's semgrep ``ok`` lines), unless a true positive of any rule is the same text or it
holds an IPv4 or e-mail address (another type's to find, as the fourth set's rule).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import regex  # type: ignore[import-untyped]

from ..outside.harvest import Harvest

FOLDER = "engine/rules/ruledefine"
PER_TEST = 12
_GO_TOKEN = re.compile(r'`[^`]*`|"(?:[^"\\\n]|\\.)*"|//[^\n]*|[\w.]+|\S', re.S)
# An IPv4 or e-mail address: a type SPEC §4 asks for, the other detector's to find.
_OTHER_TYPE = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.])"
    r"|[\w.+-]+@[\w-]+\.[\w.-]*[A-Za-z]"
)
_IDENTIFIER_RULE = re.compile(r"(?i)client.?id|-id$|account.?id|Access-Key-ID|api-key-id")
UTILS = {  # 2ms' utils.go
    "caseInsensitive": "(?i)",
    "identifierCaseInsensitivePrefix": r"[\w.-]{0,50}?(?i:",
    "identifierPrefix": r"[\w.-]{0,50}?(?:",
    "identifierSuffix": r""")(?:[ \t\w.-]{0,20})[\s'"]{0,3}""",
    "identifierSuffixIncludingXml": (
        r""")(?:[0-9a-z\-_\t .]{0,20})(?:<\/key>\s{0,10}<string)?(?:[\s|']|[\s|"]){0,3}"""
    ),
    "operator": r"(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)",
    "secretPrefixUnique": r"\b(",
    "secretPrefix": r"""[\x60'"\s=]{0,20}(""",
    "secretSuffix": r""")(?:[\x60'"\s;]|\\[nr]|$)""",
    "secretSuffixIncludingXml": r""")(?:['|\"|\n|\r|\s|\x60|;]|\\n|\\r|$|\s{0,10}<\/string>)""",
}
SIZED = {"Hex": "[a-f0-9]{%s}", "AlphaNumeric": "[a-z0-9]{%s}", "Numeric": "[0-9]{%s}",
         "AlphaNumericExtendedShort": "[a-z0-9_-]{%s}", "AlphaNumericExtended": r"[a-z0-9=_\-]{%s}",
         "AlphaNumericExtendedLong": r"[a-z0-9\/=_\+\-]{%s}"}  # fmt: skip


def _go_string(token: str) -> str | None:
    if token.startswith("`"):
        return token[1:-1]
    if token.startswith('"'):
        return str(eval(token, {"__builtins__": {}}))  # a Go "..." literal's escapes are Python's
    return None


def _semi_generic(env: dict[str, Any], ids: list[str], secret: str, ci: bool, xml: bool) -> str:
    head = env["caseInsensitive"] if ci else env["identifierCaseInsensitivePrefix"]
    suffix = env["identifierSuffixIncludingXml" if xml else "identifierSuffix"]
    ident = env["identifierPrefix"] + "|".join(ids) + suffix
    tail = env["secretSuffixIncludingXml" if xml else "secretSuffix"]
    return f"{head}{ident}{'' if ci else ')'}{env['operator']}{env['secretPrefix']}{secret}{tail}"


class _Expr:
    """A tiny evaluator of the Go expressions 2ms builds its regexes with."""

    def __init__(self, tokens: list[str], env: dict[str, Any]) -> None:
        self.t, self.i, self.env = tokens, 0, env

    def peek(self) -> str:
        return self.t[self.i] if self.i < len(self.t) else ""

    def take(self) -> str:
        self.i += 1
        return self.t[self.i - 1]

    def value(self) -> Any:
        out = self.atom()
        while self.peek() == "+":
            self.take()
            out = out + self.atom()
        return out

    def atom(self) -> Any:
        tok = self.take()
        literal = _go_string(tok)
        if literal is not None:
            return literal
        if tok == "[" and self.take() == "]" and self.take() == "string" and self.take() == "{":
            return self.items("}")
        if tok in ("true", "false"):
            return tok == "true"
        if self.peek() == "(":
            self.take()
            args = self.items(")")
            result = self.call(tok, args)
        elif tok in self.env:
            result = self.env[tok]
        else:
            raise ValueError(tok)
        if self.peek() == ".String":
            self.i += 3  # .String ( )
        elif self.peek() == "." and self.t[self.i + 1 : self.i + 2] == ["String"]:
            self.i += 4
        return result

    def items(self, close: str) -> list[Any]:
        out: list[Any] = []
        while self.peek() not in (close, ""):
            out.append(self.value())
            if self.peek() == ",":
                self.take()
        self.take()
        return out

    def call(self, name: str, args: list[Any]) -> Any:
        if name in SIZED:
            return SIZED[name] % args[0]
        if name == "Hex8_4_4_4_12":
            return "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        if name == "generateUniqueTokenRegex":
            head = "(?i)" if args[1] else ""
            return f"{head}{self.env['secretPrefixUnique']}{args[0]}{self.env['secretSuffix']}"
        if name in ("generateSemiGenericRegex", "generateSemiGenericRegexIncludingXml"):
            return _semi_generic(self.env, args[0], args[1], args[2], name.endswith("Xml"))
        if name in ("regexp.MustCompile", "regexp.MustCompile.String"):
            return args[0]
        if name == "utils.MergeRegexps":
            return "|".join(f"(?:{a})" for a in args)
        if name == "append":
            return list(args[0]) + list(args[1:])
        raise ValueError(name)


def _declarations(text: str) -> list[tuple[str, list[str]]]:
    """Each package-level ``var name = <expression>``'s name and tokens (to the end of
    the line where no bracket is open and the line does not end in ``+``/``,``/``.``)."""
    out = []
    for m in re.finditer(r"(?m)^var (\w+)\s*=\s*", text):
        tokens: list[str] = []
        depth, end = 0, m.end()
        for tok in _GO_TOKEN.finditer(text, m.end()):
            if tok.group(0).startswith("//"):
                continue
            ended = depth == 0 and tokens and tokens[-1] not in ("+", ",", ".", "(", "=")
            if ended and "\n" in text[end : tok.start()]:
                break
            t = tok.group(0)
            tokens.append(t)
            end = tok.end()
            depth += t in ("(", "{", "[")
            depth -= t in (")", "}", "]")
        out.append((m.group(1), tokens))
    return out


def _rules(files: dict[str, str]) -> dict[str, tuple[str, str, int]]:
    """Each rule function's (RuleName, regex, SecretGroup) where its regex could be built."""
    env: dict[str, Any] = dict(UTILS)
    pending = [decl for text in files.values() for decl in _declarations(text)]
    for _ in range(3):  # a declaration may use one declared in a later file
        for name, tokens in pending:
            if name not in env:
                try:
                    env[name] = _Expr(tokens, env).value()
                except (ValueError, IndexError, TypeError, KeyError, SyntaxError):
                    continue
    out = {}
    for text in files.values():
        for func in re.finditer(r"(?ms)^func (\w+)\(\) \*Rule \{\n(.*?)^\}", text):
            body = func.group(2)
            rule_name = re.search(r'RuleName:\s*"([^"]+)"', body)
            var = re.search(r"\bRegex:\s*(\w+)", body)
            group = re.search(r"SecretGroup:\s*(\d+)", body)
            if rule_name and var and isinstance(env.get(var.group(1)), str):
                out[func.group(1)] = (rule_name.group(1), env[var.group(1)],
                                      int(group.group(1)) if group else 0)  # fmt: skip
    return out


def _literals(text: str, key: str) -> list[str]:
    """The string literals of every ``<key>: []string{...}`` list (a concatenation or a
    call in the list is skipped)."""
    out = []
    for m in re.finditer(rf"{key}:\s*\[\]string\{{", text):
        tokens = [t.group(0) for t in _GO_TOKEN.finditer(text, m.end())]
        tokens = [t for t in tokens if not t.startswith("//")]
        for j, tok in enumerate(tokens):
            if tok == "}":
                break
            literal = _go_string(tok)
            before = tokens[j - 1] if j else "{"
            if literal is not None and before in ("{", ",") and tokens[j + 1] in (",", "}"):
                out.append(literal)
    return out


def _secret(compiled: Any, group: int, line: str) -> str | None:
    """What gitleaks reports for the rule on ``line``: its secret group, else the first
    non-empty group, else the match (a regex with named groups: the match)."""
    m = compiled.search(line)
    if not m:
        return None
    if group and m.group(group):
        return str(m.group(group))
    if compiled.groupindex:
        return str(m.group(0))  # named parts of one token (jwt-base64's header, payload)
    groups = [g for g in m.groups() if g]
    return str(groups[0] if groups else m.group(0))


def item(rule_name: str, secret: str, line: str) -> tuple[str, str, str]:
    """The label, value and context of a rule's secret on its line."""
    lower = rule_name.lower()
    if "private-key" in lower or secret.startswith("-----BEGIN"):
        return "PRIVATE_KEY", secret, ""
    if _IDENTIFIER_RULE.search(rule_name):
        return "NOT_ASKED:IDENTIFIER", secret, line
    context = "" if secret == line.strip() else line
    if "authenticated-url" in lower or "curl-auth" in lower:
        password = secret.split(":", 1)[-1].strip("\"'")
        return ("KEYWORD_SECRET" if "curl" in lower else "URL_PASSWORD"), password, line
    if "jwt" in lower:
        return "JWT", secret, context
    if "generic" in lower:
        return "KEYWORD_SECRET", secret, line
    return ("TOKEN_CONTEXT" if context else "TOKEN_PREFIXED"), secret, context


def harvest(h: Harvest, ls: Callable[[str], list[str]], show: Callable[[str], str]) -> Counter[str]:
    """Every rule test's true positives' secrets as values, its false positives as negatives."""
    notes: Counter[str] = Counter()
    paths = [p for p in ls(FOLDER) if p.endswith(".go")]
    rules = _rules({p: show(p) for p in paths if not p.endswith("_test.go")})
    tests = [(p, show(p)) for p in paths if p.endswith("_test.go")]
    seen: set[str] = set()
    positives = {line for _, text in tests for line in _literals(text, "truePositives")}
    for path, text in tests:
        called = re.search(r"TwomsToGitleaksRule\((\w+)\(\)\)", text)
        rule = rules.get(called.group(1)) if called else None
        if rule is None:
            notes["rule test whose regex is not built"] += 1
            continue
        name, pattern, group = rule
        try:
            compiled = regex.compile(pattern)
        except regex.error:
            notes["regex Python cannot compile"] += 1
            continue
        kept = 0
        for line in _literals(text, "truePositives"):
            if kept == PER_TEST:
                notes["values over PER_TEST"] += 1
                continue
            secret = _secret(compiled, group, line)
            if not secret:
                notes["true positive the regex does not match"] += 1
                continue
            label, value, context = item(name, secret, line)
            if value in seen:
                continue
            seen.add(value)
            kept += 1
            h.add(label, value, "2ms", path, context=context)
        for line in _literals(text, "falsePositives"):
            if _OTHER_TYPE.search(line):
                notes["false positive holding an IPv4 or e-mail address"] += 1
            elif line.strip() and line not in positives:
                h.negative("KEYWORD_SECRET", line, "2ms", path)
    return notes
