"""The outside suite's records: each value of ``values.jsonl`` embedded in context.

One record per item, deterministic (seed 16). A value goes into a chat-like or a
code-like template; the negatives go through the same neutral templates as the
values they look like, so that a tool which flags a template rather than a value
pays for it in false positives. Templates that say what the value is ("reach me
at", an ``Authorization: Bearer`` header) are used for values only: a number in
"reach me at ..." is a contact detail whatever project it came from. Items that
came with their own line (detect-secrets' keyword cases, gitleaks' key names,
trufflehog's sample inputs) keep it. The label is the value's span.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent

PII = {"EMAIL", "PHONE_INTL", "PHONE_NATIONAL", "PHONE_FAKER", "CARD", "IBAN", "SSN", "IPV4",
       "IPV6", "NATIONAL_ID"}  # fmt: skip

CHAT = [
    "ok so the value is {v}\nlet me know if that works",
    "Could you double-check {v}? I think there's a typo.",
    "> {v}\nyes that's the one from the form",
    "Here you go: {v}.",
    "I pasted it below\n\n{v}\n\nis that the right format?",
]
CODE_PII = [
    '{{"id": 42, "ref": "{v}", "verified": true}}',
    "ref: {v}\nverified: true",
    "INSERT INTO items (id, ref) VALUES (42, '{v}');",
    "row = {{'id': 42, 'ref': '{v}'}}",
    '<td class="ref">{v}</td>',
]
# Contexts that say the value is someone's contact detail: values only, never negatives.
CLAIM_PII = [
    "Hi, you can reach me at {v} if anything changes.",
    "my details are {v} - please keep them private",
    'The customer wrote: "please update my record to {v}, thanks"',
    '{{"id": 42, "contact": "{v}", "verified": true}}',
    "contact: {v}\nverified: true",
    "INSERT INTO customers (id, contact) VALUES (42, '{v}');",
]
NATIONAL_ID_CHAT = [
    "my ID number is {v}",
    "national id: {v}",
    "Ihre Ausweisnummer lautet {v}.",
    "Personal number {v}, born in the spring",
    '{{"citizen_id": "{v}"}}',
]
CODE_SECRET = [
    'client = Client("{v}")',
    "const api = new Api('{v}');",
    "Here's what I have in my config: {v}",
    "```\n{v}\n```",
    'settings.configure("{v}")',
    "it fails with {v} - any idea why?",
]
# Contexts that say the value is a credential: values only, never negatives.
CLAIM_SECRET = [
    'curl https://api.example.com/v1/items -H "Authorization: Bearer {v}"',
    'connect({{ auth: "{v}", region: "eu" }})',
]
KEYWORD_LINE = [
    '{k} = "{v}"',
    "export {K}={v}",
    "{k}: {v}",
    '"{k}": "{v}",',
    "{K}='{v}'",
    "<{k}>{v}</{k}>",
]


@dataclass
class Record:
    """One text, the span of its value, and what the value is."""

    text: str
    label: str  # a type of the suite, or NEGATIVE
    group: str  # for negatives: what they look like
    start: int
    end: int
    source: str
    extra: dict[str, str] = field(default_factory=dict)


def load_values(path: Path = HERE / "values.jsonl") -> list[dict[str, str]]:
    """The harvested items."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _place(template: str, value: str, **keys: str) -> tuple[str, int, int]:
    marker = "\x00"
    text = template.format(v=marker, **keys)
    start = text.index(marker)
    return text.replace(marker, value), start, start + len(value)


# Label corrections (issue 16, second round; docs/bench/redaction.md says what each changes).
# The sources label line fixtures and regex groups, not always the secret itself:
# * enclosing quotes (gitleaks' secret groups that capture ``"..."``, trufflehog's
#   GoCardless sample ending in ``"``) and a leading ``=``/``:`` (detect-secrets'
#   ``=MTAy...`` Discord case) are syntax, not secret: trimmed;
# * a whole ``key=value`` line labelled as one value (detect-secrets' npm fixtures
#   ``//registry.npmjs.org/:_authToken=<token>``, trufflehog's Azure App Configuration
#   ``Endpoint=...;Id=...;Secret=<secret>``): the secret is the value after the last
#   ``=`` that follows a key word; the registry or endpoint before it is not secret;
# * a value whose body is a run of 8+ ``x``/``X``/``*`` (detect-secrets' Artifactory,
#   Twilio and npm regex cases ``AP6xxxxxxxxxx``, ``SKxxxx...``) is a placeholder,
#   which issue 16 asks the filter *not* to flag: scored as a negative.
# ``build(harvested_labels=True)`` (``run.py --harvested-labels``) keeps the labels as harvested.
SECRET_LABELS = frozenset(
    {"TOKEN_PREFIXED", "TOKEN_FORMAT", "TOKEN_KEYWORD", "TOKEN_CONTEXT", "KEYWORD_SECRET"}
)
_PLACEHOLDER_RUN = re.compile(r"[xX*]{8,}")
_KEY_VALUE = re.compile(r"(?i)(?:token|key|secret|password|passwd|pwd|auth)\s*=\s*")


def correct_label(label: str, value: str) -> tuple[str, int, int]:
    """The label and the secret's span inside ``value`` after the corrections above."""
    if label not in SECRET_LABELS:
        return label, 0, len(value)
    if _PLACEHOLDER_RUN.search(value):
        return "NEGATIVE", 0, len(value)
    start, end = 0, len(value)
    while end > start and value[end - 1] in "\"'` \t":
        end -= 1
    while start < end and value[start] in "\"'` \t=:":
        start += 1
    assignments = list(_KEY_VALUE.finditer(value, start, end))
    if assignments and assignments[-1].end() < end:
        start = assignments[-1].end()
    return label, start, end


def build(
    values: list[dict[str, str]] | None = None, seed: int = 16, harvested_labels: bool = False
) -> list[Record]:
    """Every item in a template (labels corrected as above unless ``harvested_labels``)."""
    rng = random.Random(seed)
    out: list[Record] = []
    for item in values if values is not None else load_values():
        label, value = item["label"], item["value"]
        context = item.get("context", "")
        group = context if label == "NEGATIVE" else label
        if label in ("KEYWORD_SECRET", "URL_PASSWORD") and value in context:
            # detect-secrets' own line: embedded as it is, maybe in a chat turn.
            line = context
            start = line.index(value)
            if rng.random() < 0.5:
                prefix = "my config has\n"
                line, start = prefix + line, start + len(prefix)
            text, s, e = line, start, start + len(value)
        elif label == "TOKEN_CONTEXT" and value in context:
            # trufflehog's own sample input around the secret.
            text = context
            s = text.index(value)
            e = s + len(value)
        elif label == "TOKEN_KEYWORD" and "|" in context and context.split("|", 1)[1]:
            key = context.split("|", 1)[1]
            text, s, e = _place(rng.choice(KEYWORD_LINE), value, k=key, K=key.upper())
        elif label == "NEGATIVE" and group in ("KEYWORD_SECRET", "URL_PASSWORD"):
            text, s, e = value, 0, len(value)
        elif group == "NATIONAL_ID":
            text, s, e = _place(rng.choice(NATIONAL_ID_CHAT), value)
        elif group in PII or (
            label == "NEGATIVE"
            and group.isupper()
            and group not in ("TOKEN_PREFIXED", "TOKEN_FORMAT", "JWT", "COMMIT_HASH", "UUID")
        ):
            claims = [] if label == "NEGATIVE" else CLAIM_PII
            text, s, e = _place(rng.choice(CHAT + CODE_PII + claims), value)
        else:
            claims = [] if label == "NEGATIVE" else CLAIM_SECRET
            text, s, e = _place(rng.choice(CODE_SECRET + CHAT + claims), value)
        if not harvested_labels:
            label, cut_start, cut_end = correct_label(label, value)
            s, e = s + cut_start, s + cut_end
        out.append(Record(text, label, group, s, e, item["source"]))
    return out
