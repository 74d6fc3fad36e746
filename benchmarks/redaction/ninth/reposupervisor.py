"""auth0/repo-supervisor's test fixtures, for the ninth set (issue 16).

Read as text and JSON (no test run). Labels by kind:

* the secrets ``test/integration/src/cli.js`` expects in ``dir.with.secrets/`` (the JSON
  answer's list per file), each in its line of the fixture: a value after a key word
  (``secret``, ``key``, ``token``; a ``KEY=value`` answer split at its ``=``) is
  ``TOKEN_CONTEXT``; a value after a password key word, or on a Kubernetes ``value:`` line
  under ``- name: …PASSWORD`` (the two lines together), is ``KEYWORD_SECRET``; a
  high-entropy string with no key word in its line (an object key, ``USER_ID=…``,
  ``"FOO_BAR": "…"``) is ``NOT_ASKED:HIGH_ENTROPY``: SPEC §4 asks for high-entropy
  tokens next to key words. Every other line of those fixtures with a ``:`` or ``=``
  and a value (the project expects nothing from them) is a negative;
* the entropy meter's pre-filter fixtures (``test/fixtures/unit/…/pre.filters/``): a URL
  with a user and password (``urlsWithAuthParams``) is ``URL_PASSWORD`` in its URL; the
  strings the pre-filters must skip as no secret (URLs without or with empty
  credentials, CSS selectors, local paths, phrases, dictionary words, object keys) are
  negatives; ``test/fixtures/fixtures.json``'s ``randomSecrets`` (strings every
  pre-filter must let through) are ``NOT_ASKED:HIGH_ENTROPY``. The e-mail fixtures, and
  lists whose answer depends on a test's own configuration (skip prefixes, whitelist),
  are not read.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable

from ..outside.harvest import Harvest

SOURCE = "reposupervisor"
CLI = "test/integration/src/cli.js"
FILTERS = "test/fixtures/unit/src/filters/entropy.meter/pre.filters"
RANDOM = "test/fixtures/fixtures.json"
SKIPPED = {
    "authentication.urls.json": ("urlsWithoutAuthParams", "urlsWithEmptyAuthParams"),
    "css.selectors.json": ("validCSSSelectors",),
    "local.paths.json": ("validLocalPaths",),
    "multiple.words.json": ("multipleWords",),
    "dictionary.words.json": ("camelCase", "separators", "mixed", "singleWords"),
    "object.keys.identifiers.json": ("objectKeys",),
}
_ANSWER = re.compile(r"const msg = '(\{\"result\":\[\{.*?)';")
_PASSWORD = re.compile(r"(?i)pass(?:word|wd)?|pwd")
_KEY_WORD = re.compile(r"(?i)secret|key|token")


def expected(cli: str) -> dict[str, list[str]]:
    """The secrets per fixture path that the CLI test's JSON answer lists."""
    out: dict[str, list[str]] = {}
    for m in _ANSWER.finditer(cli):
        for entry in json.loads(m.group(1))["result"]:
            out[entry["filepath"].removeprefix("./")] = entry["secrets"]
    return out


def label(secret: str, lines: list[str]) -> tuple[str, str, str]:
    """(label, value, context) of an expected secret, by its line (rules above)."""
    i = next(n for n, line in enumerate(lines) if secret in line)
    line = lines[i].strip()
    key, value = "", secret
    if re.fullmatch(r"[A-Z_]+=\S+", secret):
        key, value = secret.split("=", 1)
    before = line[: line.index(secret)] + key
    above = lines[i - 1].strip() if i else ""
    if line.startswith("value:") and above.startswith("- name:") and _PASSWORD.search(above):
        return "KEYWORD_SECRET", value, textwrap.dedent(f"{lines[i - 1]}\n{lines[i]}")
    if _PASSWORD.search(before):
        return "KEYWORD_SECRET", value, line
    if _KEY_WORD.search(before):
        return "TOKEN_CONTEXT", value, line
    return "NOT_ASKED:HIGH_ENTROPY", value, line


def _fixtures(h: Harvest, show: Callable[[str], str]) -> None:
    for path, secrets in expected(show(CLI)).items():
        lines = show(path).splitlines()
        for secret in secrets:
            got = label(secret, lines)
            h.add(got[0], got[1], SOURCE, path, context=got[2])
        for line in lines:
            if re.search(r"\w\s*[:=]\s*\S", line) and not any(s in line for s in secrets):
                h.negative("KEYWORD_SECRET", line.strip(), SOURCE, path)


def harvest(h: Harvest, show: Callable[[str], str]) -> None:
    """Add the integration and pre-filter fixtures' items, labelled as above."""
    _fixtures(h, show)
    urls = f"{FILTERS}/authentication.urls.json"
    for url in json.loads(show(urls))["urlsWithAuthParams"]:
        m = re.match(r"[a-z]+://[^:/@]+:([^@/]+)@", url)
        if m:
            h.add("URL_PASSWORD", m.group(1), SOURCE, urls, context=url)
    for name, lists in SKIPPED.items():
        fixture = json.loads(show(f"{FILTERS}/{name}"))
        group = "URL_PASSWORD" if name.startswith("authentication") else "TOKEN_PREFIXED"
        for key in lists:
            for value in fixture[key]:
                h.negative(group, value, SOURCE, f"{FILTERS}/{name}")
    for value in json.loads(show(RANDOM))["randomSecrets"]:
        h.add("NOT_ASKED:HIGH_ENTROPY", value, SOURCE, RANDOM)
