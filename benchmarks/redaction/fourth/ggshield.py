"""GitGuardian/ggshield's recorded scans, for the fourth set (issue 16).

ggshield's unit tests replay GitGuardian API calls recorded in
``tests/unit/cassettes/*.yaml``: each request sends documents (files, patches) and
each response lists the policy breaks found in them, every match with its type and
its span in the document. The secret is a match of type ``password`` or ``apikey``
(host, port and user-name matches are not secrets and are left out), in its line of
the document (a multi-line match, a private key: alone). Labels: a private key
``PRIVATE_KEY``; a password ``KEYWORD_SECRET`` (ggshield's "MySQL Assignment" and
"Username Password" detectors find it after a key word); an API key alone
``TOKEN_PREFIXED``, in a longer line ``TOKEN_CONTEXT``. The HasMySecretLeaked
cassettes (``*hmsl*``) hold hashes, not documents, and are not read. Documents
without policy breaks are not used as negatives: they are whole patches with commit
headers (author e-mail addresses), not clean lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import yaml  # type: ignore[import-untyped]

CASSETTES = "tests/unit/cassettes"
SECRET_MATCHES = {"password", "apikey"}


def _line(text: str, start: int, end: int) -> str:
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    return text[first : last if last >= 0 else len(text)].strip()


def _label(detector: str, kind: str, value: str, line: str) -> str:
    if "PRIVATE KEY" in value:
        return "PRIVATE_KEY"
    if kind == "password":
        return "KEYWORD_SECRET"
    return "TOKEN_PREFIXED" if line == value else "TOKEN_CONTEXT"


def harvest(h: Any, paths: list[str], show: Callable[[str], str]) -> None:
    """Add the secrets GitGuardian's recorded answers mark in the recorded documents."""
    for path in paths:
        if not path.startswith(CASSETTES) or "hmsl" in path or not path.endswith(".yaml"):
            continue
        for interaction in (yaml.safe_load(show(path)) or {}).get("interactions", []):
            body = interaction["request"].get("body")
            answer = interaction["response"]["body"].get("string")
            if not body or not answer or "policy_breaks" not in answer:
                continue
            sent, results = json.loads(body), json.loads(answer)
            documents = sent if isinstance(sent, list) else sent.get("documents", [sent])
            results = results if isinstance(results, list) else [results]
            for document, result in zip(documents, results, strict=False):
                text = document.get("document", "")
                for brk in result.get("policy_breaks", []):
                    for match in brk.get("matches", []):
                        start, end = match["index_start"], match["index_end"] + 1
                        value = match["match"]
                        if match["type"] not in SECRET_MATCHES or text[start:end] != value:
                            continue
                        line = "" if "\n" in value else _line(text, start, end)
                        label = _label(brk.get("type", ""), match["type"], value, line)
                        context = "" if label == "PRIVATE_KEY" or line == value else line
                        h.add(label, value, "ggshield", path, context=context)
