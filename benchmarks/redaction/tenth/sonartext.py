"""SonarSource/sonar-text's secrets rules' examples, for the tenth set (issue 16).

Each ``configuration/*.yaml`` file is one provider's rules; each rule's ``examples`` are
code or config snippets (``text``) with the rule's answer (``containsSecret``) and, for
a secret, its exact text (``match``). Read as YAML (no rule run). Labels by kind:

* a secret (``containsSecret: true``): the ``match``; where none is given, the one value
  the rule's own pattern takes in the snippet (its first group), else the example is
  skipped. A private-key block (the ``match`` is its ``-----BEGIN`` line) is the whole
  block, ``PRIVATE_KEY``; a JWT alone ``JWT``; the password of a URL in the snippet
  ``URL_PASSWORD``; a snippet that is the token alone ``TOKEN_PREFIXED`` where the rule's
  pre-filter word starts it, else a bare high-entropy string (``NOT_ASKED:HIGH_ENTROPY``);
  in its snippet after a password word (``pass``, ``pwd``) on its line or the line
  above ``KEYWORD_SECRET``, else ``TOKEN_CONTEXT``; all in the snippet as it stands;
* a snippet the rule rejects (``containsSecret: false``) is a negative only where
  nothing secret-shaped is left in it: no example with a ``fileName`` (the rule rejects
  the file, not the text); no token-shaped run (16 or more key characters holding a
  letter and a digit), key block, JWT or URL password other than a placeholder, IPv4
  or e-mail address (asked too: ``127.0.0.1`` in a URL is found as an address); and
  every value the rule's pattern takes is one its own ``patternNot`` rejects
  (``${DB_PASS}``, ``<enter password>``, ``pass``): a near-miss token is left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import yaml

from ..outside.harvest import Harvest

SOURCE = "sonartext"
CONFIG = "sonar-text-plugin/src/main/resources/org/sonar/plugins/secrets/configuration"
_BLOCK = re.compile(r"-----BEGIN[A-Z ]*-----.*?-----END[A-Z ]*-----", re.S)
_JWT = re.compile(r"eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*")
_TOKEN_RUN = re.compile(r"[A-Za-z0-9+/=_\-.]{16,}")
_URL_AUTH = re.compile(r"://[^\s/:@]*:([^\s@/]+)@")
_PLACEHOLDER = re.compile(r"[$%{<*\[(]|^(?:x+|\.+|pass(?:word|wd)?)$", re.I)
_PASSWORD_WORD = re.compile(r"(?i)pass|pwd")
_SCHEME = re.compile(r"(?i)\b(?:bearer|basic|token)\s+([A-Za-z0-9+/=_\-.]{8,})")
_AFTER_PASSWORD = re.compile(r"(?i)(?:pass(?:word|wd)?|pwd)[\s'\"=:]{1,4}([^\s'\"`@)}]{6,})")
_PII = re.compile(
    r"\b(?:\d{1,3}\.){3}\d{1,3}\b|(?<![:/\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
)
_REPEAT = re.compile(r"(.)\1{5}")


def java_regex(pattern: str) -> re.Pattern[str] | None:
    """A rule's Java pattern as a Python one (named groups), or None where ``re`` cannot
    read it (a mid-pattern flag, a Unicode class)."""
    try:
        return re.compile(re.sub(r"\(\?<([A-Za-z]\w*)>", r"(?P<\1>", pattern))
    except re.error:
        return None


def candidates(rule: dict[str, Any], text: str) -> list[str] | None:
    """The values the rule's pattern takes in ``text`` (first group, else the match), or
    None where the pattern is not readable."""
    pattern = ((rule.get("detection") or {}).get("matching") or {}).get("pattern")
    rx = java_regex(pattern) if isinstance(pattern, str) else None
    if rx is None:
        return None
    out = []
    for m in rx.finditer(text):
        groups = [g for g in m.groups() if g]
        out.append(groups[0] if groups else m.group(0))
    return out


def rejected(value: str, nots: list[str]) -> bool:
    """Whether one of the rule's ``patternNot`` takes ``value``."""
    for pattern in nots:
        rx = java_regex(pattern)
        if rx is not None and rx.search(value):
            return True
    return False


def token_shaped(text: str) -> bool:
    """A key-shaped run, key block, JWT or URL password that is not a placeholder, or an
    IPv4 or e-mail address (kinds SPEC §4 asks for too)."""
    if "-----BEGIN" in text or _JWT.search(text) or _PII.search(text):
        return True
    if any(re.search(r"\d", r) and re.search(r"[A-Za-z]", r) for r in _TOKEN_RUN.findall(text)):
        return True
    if any(re.search(r"\d", c) for c in _SCHEME.findall(text) + _AFTER_PASSWORD.findall(text)):
        return True
    return any(not _PLACEHOLDER.search(p) for p in _URL_AUTH.findall(text))


def placeholder(value: str, nots: list[str]) -> bool:
    """A value the rule's ``patternNot`` rejects that is a template, a variable, a
    password word or a run of one character (``123456`` is a weak password, not one)."""
    shaped = _PLACEHOLDER.search(value) or _REPEAT.search(value)
    return bool(shaped) and rejected(value, nots)


def clean(rule: dict[str, Any], nots: list[str], text: str) -> bool:
    """A rejected snippet with nothing secret-shaped left in it (see the module doc)."""
    if token_shaped(text):
        return False
    found = candidates(rule, text)
    return found is None or all(placeholder(v, nots) or not _mixed(v) for v in found)


def _mixed(value: str) -> bool:
    return bool(re.search(r"\d", value) and re.search(r"[A-Za-z]", value))


def positive(rule: dict[str, Any], example: dict[str, Any]) -> tuple[str, str, str] | None:
    """(label, value, context) of a secret example, or None where its value is unsure."""
    text = str(example["text"]).strip("\n")
    match = example.get("match")
    if match is None:
        found = set(candidates(rule, text) or [])
        if len(found) != 1:
            return None
        match = found.pop()
    value = str(match)
    if value.startswith("-----BEGIN"):
        block = _BLOCK.search(text)
        return ("PRIVATE_KEY", block.group(0), "") if block else None
    if value.startswith("PuTTY-User-Key-File"):
        return "PRIVATE_KEY", text[text.index(value) :], ""
    auth = [p for p in _URL_AUTH.finditer(text) if value.endswith(":" + p.group(1))]
    if auth and f"//{value}@" in text:
        value = auth[0].group(1)  # the rule's match is login:password; the password
    if text.count(value) != 1 and (len(value) < 16 or value not in text):
        return None  # a short value found twice: the harness would score the first
    if _JWT.fullmatch(value):
        return "JWT", value, ""
    if any(p == value for p in _URL_AUTH.findall(text)):
        return "URL_PASSWORD", value, text
    if text.strip() == value:
        words = ((rule.get("detection") or {}).get("pre") or {}).get("include") or {}
        prefixed = any(value.startswith(str(w)) for w in words.get("content") or [])
        return ("TOKEN_PREFIXED" if prefixed else "NOT_ASKED:HIGH_ENTROPY"), value, ""
    before = text[: text.index(value)].split("\n")
    near = "\n".join(before[-2:])
    label = "KEYWORD_SECRET" if _PASSWORD_WORD.search(near) else "TOKEN_CONTEXT"
    return label, value, text


def _nots(provider: dict[str, Any], rule: dict[str, Any]) -> list[str]:
    out = []
    for owner in (provider, rule):
        post = (owner.get("detection") or {}).get("post") or {}
        out += [str(p) for p in post.get("patternNot") or []]
    return out


def harvest(h: Harvest, ls: Callable[[str], list[str]], show: Callable[[str], str]) -> Counter[str]:
    """Add every rule's examples, labelled as above; returns what was skipped, by why."""
    skipped: Counter[str] = Counter()
    for path in ls(CONFIG):
        if not path.endswith(".yaml"):
            continue
        provider = yaml.safe_load(show(path))["provider"]
        for rule in provider.get("rules") or []:
            nots = _nots(provider, rule)
            for example in rule.get("examples") or []:
                text = str(example["text"]).strip("\n")
                if example.get("containsSecret"):
                    got = positive(rule, example)
                    if got is None:
                        skipped["secret whose value is unsure"] += 1
                    else:
                        h.add(got[0], got[1], SOURCE, path, context=got[2])
                elif example.get("fileName"):
                    skipped["rejected for its file name"] += 1
                elif clean(rule, nots, text):
                    group = "URL_PASSWORD" if "://" in text else "KEYWORD_SECRET"
                    h.negative(group, text, SOURCE, path)
                else:
                    skipped["rejected near-miss (secret-shaped)"] += 1
    return skipped
