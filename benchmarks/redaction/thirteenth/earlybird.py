"""americanexpress/earlybird's rules and post-process tests, for the thirteenth set
(issue 16).

EarlyBird is a secret and PII scanner in Go. Two kinds of expected answers, read without
Go (``golit``) or running a rule:

* ``config/rules/{password-secret,content,ccnumber}.yaml``: each rule's ``Example``, a
  snippet its rule flags; only the rules of secrets and cards (``Category`` key,
  password-secret, cc-number): the PII and infrastructure rules' examples
  (``foo@bar.com``, ``8.8.8.8``) are kinds other sets hold, and the crypto and comment
  rules' are no secret;
* ``pkg/postprocess/*_test.go``: the tables of the checks a finding goes through after
  its rule matched (``PasswordFalse``, ``SkipSameKeyValue``, ``IsBasicAuthHeader``,
  ``IsValidJWT``, ``IsPrivatePem``, ``IsCard``, ``ValidSSN``, ``PasswordWeak``): each
  case's input and its answer, a secret where the check keeps the finding (``ANSWERS``
  says which answer keeps it, per file).

A kept finding is labelled by kind (``golit.kind``; a bare value the file calls a
password ``NOT_ASKED:PASSWORD``, a bare digit string outside 13 to 19 digits left out,
an SSN-shaped ``SSN``); a dropped one is a negative only where ``golit.clean`` holds,
else left out as a near-miss (an expired JWT, a Luhn-failing number, a password the
check drops for its Unicode letters).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import yaml

from ..outside.harvest import Harvest
from . import golit

SOURCE = "earlybird"
RULES = (
    "config/rules/password-secret.yaml",
    "config/rules/content.yaml",
    "config/rules/ccnumber.yaml",
)
SECRET_CATEGORIES = ("key", "password-secret", "cc-number")
POSTPROCESS = "pkg/postprocess"
ANSWERS = {
    "validatePassword_test.go": False,  # wantIgnore: false keeps the finding
    "skipSameKeyValue_test.go": False,
    "basicAuthHeader_test.go": True,  # isSecret
    "jwt_test.go": True,
    "pem_test.go": True,
    "luhn_test.go": True,  # IsCard
    "validateSSN_test.go": True,
    "passwordStrength_test.go": False,  # wantWeak: false, a strong password
}
ONLY_KEPT = ("passwordStrength_test.go",)  # a weak password is a password still
PASSWORDS = ("validatePassword_test.go", "skipSameKeyValue_test.go", "passwordStrength_test.go")
_SSN = re.compile(r"\d{3}-\d{2}-\d{4}")


def label(text: str, file: str, bare: str = "") -> tuple[str, str, str] | None:
    """(label, value, context) of a finding the check keeps, by kind (``bare``: the
    label of a value alone, where the rule says)."""
    one = text.strip().strip("'\"")
    if _SSN.fullmatch(one):
        return "SSN", one, ""
    digits = file in ("luhn_test.go", "ccnumber.yaml") or re.fullmatch(r"[\d\s-]+", one)
    if digits and not re.fullmatch(r"\d{13,19}", one):
        return None  # a digit string no card's length: the pattern, not the check, decides
    if not bare:
        bare = "NOT_ASKED:PASSWORD" if file in PASSWORDS else "NOT_ASKED:HIGH_ENTROPY"
    return golit.kind(text, bare)


def rule_bare(rule: dict[str, object], example: str) -> str:
    """A bare example's label: ``TOKEN_PREFIXED`` where the rule's pattern starts with
    a literal prefix (3 or more characters, more pattern after it) the example starts
    with and the example is a token's length (16 or more: not a default password such
    as ``admin1``), a password where the rule's caption says so, else a high-entropy
    string."""
    pattern = re.sub(r"^(?:\(\?i\)|\\b|\(|['\"])+", "", str(rule.get("Pattern") or ""))
    prefix = re.match(r"[A-Za-z0-9_-]{3,}(?=[\\\[(.])", pattern)  # more pattern after it
    value = example.strip("'\"")
    if prefix and value.lower().startswith(prefix.group(0).lower()) and len(value) >= 16:
        return "TOKEN_PREFIXED"
    if "password" in str(rule.get("Caption") or "").lower():
        return "NOT_ASKED:PASSWORD"
    return "NOT_ASKED:HIGH_ENTROPY"


def add(
    h: Harvest, skipped: Counter[str], path: str, text: str, kept: bool, bare: str = ""
) -> None:
    """One case or example, labelled by kind or as a negative."""
    file = path.rsplit("/", 1)[-1]
    if kept:
        got = label(text, file, bare)
        if got is None:
            skipped["kept, value unsure (no key, placeholder, length)"] += 1
        else:
            h.add(got[0], got[1], SOURCE, path, context=got[2])
    elif golit.clean(text):
        group = "KEYWORD_SECRET" if golit.after_word(text) is not None else "TOKEN_CONTEXT"
        h.negative(group, text.strip(), SOURCE, path)
    else:
        skipped["dropped, near-miss (secret-shaped)"] += 1


def harvest(h: Harvest, ls: Callable[[str], list[str]], show: Callable[[str], str]) -> Counter[str]:
    """Add every rule example and post-process case, labelled as above; returns what was
    skipped, by why."""
    skipped: Counter[str] = Counter()
    for path in RULES:
        for rule in yaml.safe_load(show(path))["rules"]:
            if rule.get("Category") not in SECRET_CATEGORIES:
                skipped["example of a rule of no secret"] += 1
            elif rule.get("Example"):
                example = str(rule["Example"])
                add(h, skipped, path, example, True, rule_bare(rule, example))
    for path in ls(POSTPROCESS):
        answer = ANSWERS.get(path.rsplit("/", 1)[-1])
        if answer is None:
            continue
        for strings, got in golit.cases(show(path)):
            if got != answer and path.endswith(ONLY_KEPT):
                continue
            add(h, skipped, path, strings[-1], got == answer)
    return skipped
