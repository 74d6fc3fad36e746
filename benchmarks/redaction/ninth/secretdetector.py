"""octarinesec/secret-detector's detector tests, for the ninth set (issue 16).

Each ``pkg/detectors/<detector>/*_test.go`` holds a ``testCases`` table of rows
``{"name", input, expectDetection}``; the rows are read as Go string literals (no test
run; a row whose input is built by a call, ``"amzn.mws." + generateRandomUUID()``, is
skipped). Labels by kind, from the detector the row tests:

* an input the detector must find is a value of its kind: a provider token alone
  (Artifactory, AWS key id, GitHub, Mailchimp, MWS, npm ``npm_…``, SendGrid, Slack tokens
  and webhook URLs, Square, Stripe, Twilio) ``TOKEN_PREFIXED``; a key word's value
  (``keyword``: the value after the row's first ``:=``, ``:`` or ``=``, the project's own
  split, quotes trimmed) and a Basic credential ``KEYWORD_SECRET`` in the row's line; a
  secret in its syntax (a Bearer token, ``aws"…"``, ``AccountKey=…``,
  ``//registry/:_authToken=…``) ``TOKEN_CONTEXT`` in the row's line; the password of a URL
  ``URL_PASSWORD`` in its URL; ``JWT``; ``PRIVATE_KEY`` (PEM blocks and PuTTY files,
  whole); a bare high-entropy string (``generic/high_entropy``) ``NOT_ASKED:HIGH_ENTROPY``:
  SPEC §4 asks for high-entropy tokens next to key words only;
* an input the detector must not find is a negative only where nothing in it has an
  asked kind's shape: no run of 10 or more token characters mixing letters and digits,
  no run of 8 or more hex digits, no run of 9 or more digits, no ``:password@`` of a URL,
  no Basic, Bearer or Authorization value of 3 or more characters. The rest (a token
  one character too long, a prefix in the wrong case, a body without its prefix) is a
  look-alike of a secret: left out, never a negative.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from ..outside.harvest import Harvest

SOURCE = "secretdetector"
ROOT = "pkg/detectors"
_ROW = re.compile(
    r'^\s*\{\s*"((?:[^"\\]|\\.)*)",\s*("(?:[^"\\]|\\.)*"|`[^`]*`),\s*(true|false)\s*\},?\s*$',
    re.M,
)
_PREFIXED = {"artifactory", "aws_client_id", "github", "mailchimp", "mws_key", "npm_token",
             "sendgrid", "slack", "square", "stripe", "twilio_auth"}  # fmt: skip
_LINES = {"keyword", "url_password", "basic_auth", "bearer_auth", "npm_token", "storage_key"}
KINDS = _PREFIXED | _LINES | {"aws_secret_key", "high_entropy_string", "jwt", "private_key"}
_TOKEN_RUN = re.compile(r"[A-Za-z0-9+/=_.\\-]{10,}")
_CREDENTIAL = re.compile(
    r"(?i):[^\s@/$:{]+@|\b(?:basic|bearer)\s+\S{3,}|authorization\W+[A-Za-z0-9+/=]{4,}"
)
_URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://(.+):([^:@/]+)@[^@]*$")


def rows(text: str) -> Iterator[tuple[str, str, bool]]:
    """(name, input, expectDetection) of every literal testCases row."""
    for m in _ROW.finditer(text):
        raw = m.group(2)
        value = raw[1:-1] if raw.startswith("`") else ast.literal_eval(raw)
        yield ast.literal_eval(f'"{m.group(1)}"'), value, m.group(3) == "true"


def detector(path: str) -> str:
    """The detector a test file tests (``aws_client_id`` of ``aws_client_id_detector_test.go``)."""
    return path.rsplit("/", 1)[-1].removesuffix("_test.go").removesuffix("_detector")


def _keyword_value(line: str) -> str:
    for sep in (":=", ":", "="):
        if sep in line:
            return line.split(sep, 1)[1].strip().strip("\"'")
    return line


def positive(kind: str, value: str) -> tuple[str, str, str] | None:
    """(label, value, context) of an input the ``kind`` detector must find."""
    if kind == "keyword":
        return "KEYWORD_SECRET", _keyword_value(value), value
    if kind == "high_entropy_string":
        return "NOT_ASKED:HIGH_ENTROPY", value, ""
    if kind == "jwt":
        return "JWT", value, ""
    if kind == "private_key":
        return "PRIVATE_KEY", value, ""
    if kind == "url_password":
        m = _URL_PASSWORD.match(value)
        return ("URL_PASSWORD", m.group(2), value) if m else None
    if kind in ("basic_auth", "bearer_auth"):
        m = re.search(r"(?i)\b(?:basic|bearer)\s+([A-Za-z0-9+/=_.-]+)", value)
        label = "KEYWORD_SECRET" if kind == "basic_auth" else "TOKEN_CONTEXT"
        return (label, m.group(1), value) if m else None
    if kind == "aws_secret_key":
        return "TOKEN_CONTEXT", value.rsplit(value[-1], 2)[1], value
    if kind in ("storage_key", "npm_token") and "=" in value:
        return "TOKEN_CONTEXT", value.split("=", 1)[1], value
    if kind in _PREFIXED:
        return "TOKEN_PREFIXED", value, ""
    return None


def clean(value: str) -> bool:
    """Nothing of an asked kind's shape in a rejected input (the rule above)."""
    mixed = any(
        re.search(r"[A-Za-z]", run) and re.search(r"\d", run) for run in _TOKEN_RUN.findall(value)
    )
    shaped = re.search(r"\d{9}|(?<![A-Za-z0-9])[0-9A-Fa-f]{8,}(?![A-Za-z0-9])", value)
    return not (mixed or shaped or _CREDENTIAL.search(value))


def _group(kind: str) -> str:
    return "KEYWORD_SECRET" if kind in _LINES else "TOKEN_PREFIXED"


def harvest(h: Harvest, ls: Callable[[str], list[str]], show: Callable[[str], str]) -> None:
    """Add every row of every detector's test table, labelled as above."""
    for path in ls(ROOT):
        if not path.endswith("_test.go"):
            continue
        kind = detector(path)
        if kind not in KINDS:
            continue
        for _name, value, expected in rows(show(path)):
            if not value.strip():
                continue
            if expected:
                got = positive(kind, value)
                if got is not None:
                    h.add(got[0], got[1], SOURCE, path, context=got[2])
            elif clean(value):
                h.negative(_group(kind), value, SOURCE, path)
