"""Builds the fresh set's ``values.jsonl``: a third outside set, from projects that
neither the outside suite nor the holdout uses (issue 16).

    .venv/bin/python -m benchmarks.redaction.fresh.harvest --mirrors /work/.mirror

Same shape as ``holdout/harvest.py``: every item names its source (``sources.json``:
project, commit, licence) and file, and the label is the other project's. Three sources:

* secretlint's rule snapshots (``packages/@secretlint/secretlint-rule-*/test/snapshots``,
  not the preset packages, which repeat them): each message of a case's ``output.json``
  is a value, the secret its ``data`` names (the message's ``range`` is not always the
  secret's: the AWS and Azure rules' ranges start at the line), in the line it was
  found in; in a URL, its password. The rule gives the label. Cases without messages
  are negatives, line by line, unless a ``.secretlintrc.json`` configures them (an
  ``allows`` list, a rule switched off: the secret is there on purpose) or their name
  starts with ``ng.`` (a case the rule should find but whose snapshot has no message).
  Left out: the test rules (``example``, ``filter-comments``: ``SECRET A`` patterns),
  the file-name rules (``no-dotenv``, ``no-k8s-kind-secret``), binary inputs (p12);
* Trivy's secret-scanner tests (``trivy.py``);
* Recognizers-Text's sequence specs (phone numbers, e-mail and IP addresses, all
  languages): each Result's ``Text`` in its ``Input`` sentence; inputs without results
  are negatives, unless the sentence says its number is a card or an SSN (not a phone,
  but a value of another asked type). ``run.py`` scores these in the sentence as it is.

Label corrections (each holds for any item of its kind, not for one item):

* secretlint's AWS account ids and Azure tenant and client ids are identifiers, not
  secrets (as the holdout's ``identifier`` rules): ``NOT_ASKED:IDENTIFIER``; its home
  directory paths (``no-homedir``) are ``NOT_ASKED:HOME_PATH``;
* Trivy's Stripe publishable key (``pk_``) is published in web pages by design:
  ``NOT_ASKED:PUBLISHABLE_KEY``;
* a Recognizers-Text phone ``Text`` with fewer than 7 digits is not a phone number
  SPEC §4 asks for (extensions, short codes): ``NOT_ASKED:SHORT_NUMBER``.

Items whose value the outside suite or the holdout already holds are dropped.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from ..mirrors import PinnedSources
from ..outside.corpus import load_values
from ..outside.harvest import Harvest
from . import trivy

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")
SEEN = (HERE.parent / "outside" / "values.jsonl", HERE.parent / "holdout" / "values.jsonl")


git_show = PINNED.show
git_ls = PINNED.ls


def _line_of(text: str, start: int, end: int) -> str:
    """The whole lines of ``text`` that ``[start, end)`` touches."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    return text[first : last if last >= 0 else len(text)].strip()


# ---------------------------------------------------------------- secretlint

SECRETLINT = "packages/@secretlint"
SECRETLINT_SKIP = {"example", "filter-comments", "no-dotenv", "no-k8s-kind-secret"}
SECRETLINT_LABELS = {
    "privatekey": "PRIVATE_KEY",
    "gcp": "PRIVATE_KEY",
    "basicauth": "URL_PASSWORD",
    "database-connection-string": "URL_PASSWORD",
    "pattern": "KEYWORD_SECRET",
    "no-homedir": "NOT_ASKED:HOME_PATH",
}
SECRETLINT_IDS = {"AWSAccountID", "AzureTenantId", "AzureClientId"}
# Negative cases whose own text says their values are another rule's to find.
OTHER_RULES_VALUES = {("basicauth", "ok.database-urls-not-detected")}
_PRIVATE_KEY = re.compile(r"-----BEGIN[^-\n]*-----.*?-----END[^-\n]*-{4,5}", re.S)
_URL_PASSWORD = re.compile(r"://[^:/@\s\"']*:([^/\s\"']+)@[^@/\s\"']+")
_ASSIGNED = re.compile(r"^[\w.-]+\s*[=:]\s*(\S.*)$")
_COMMENT = re.compile(r"^(#|//|<!--)")


def _secret(message: dict[str, Any], source: str) -> tuple[int, int] | None:
    """The span of the secret a secretlint message names, in the scanned text."""
    data = message.get("data") or {}
    named = [v for k, v in data.items() if isinstance(v, str) and k != "typeName" and v]
    start, end = message.get("range") or (0, 0)
    if source[start:end] in named:
        return start, end
    for value in sorted(named, key=len, reverse=True):
        at = source.find(value)
        if at >= 0:
            return at, at + len(value)
    return None


def secretlint(h: Harvest, mirrors: Path) -> None:
    """Messages of every rule's snapshots as values; clean unconfigured cases as negatives."""
    cases: dict[str, set[str]] = {}
    for path in git_ls(mirrors, "secretlint", SECRETLINT):
        if "/test/snapshots/" in path and "/secretlint-rule-" in path:
            folder, name = path.rsplit("/", 1)
            cases.setdefault(folder, set()).add(name)
    for folder, names in sorted(cases.items()):
        rule = folder.split("/")[2].removeprefix("secretlint-rule-")
        case = folder.rsplit("/", 1)[1]
        if rule.startswith("preset-") or rule in SECRETLINT_SKIP or "output.json" not in names:
            continue
        output = json.loads(git_show(mirrors, "secretlint", f"{folder}/output.json"))
        source = output.get("sourceContent")
        if not isinstance(source, str) or not source.strip():
            continue  # a binary input (p12)
        path = f"{folder}/output.json"
        for message in output["messages"]:
            label = SECRETLINT_LABELS.get(rule, "TOKEN")
            if message.get("messageId") in SECRETLINT_IDS:
                label = "NOT_ASKED:IDENTIFIER"
            span = _secret(message, source)
            if label == "PRIVATE_KEY":
                for m in _PRIVATE_KEY.finditer(source):
                    h.add(label, m.group(0), "secretlint", path)
                continue
            if span is None:
                continue
            value = source[span[0] : span[1]]
            line = _line_of(source, *span)
            if label == "URL_PASSWORD":
                url = _URL_PASSWORD.search(value)
                if not url:
                    continue
                value = url.group(1)
            elif label == "KEYWORD_SECRET":
                assigned = _ASSIGNED.match(value)
                if not assigned:
                    continue  # a key's name (aws_access_key_id) or a file name
                value = assigned.group(1)
            elif label == "TOKEN":
                label = "TOKEN_PREFIXED" if line == value else "TOKEN_CONTEXT"
            h.add(label, value, "secretlint", path, context="" if line == value else line)
        if (
            output["messages"]
            or ".secretlintrc.json" in names
            or case.startswith("ng.")
            or (rule, case) in OTHER_RULES_VALUES
        ):
            continue
        lines = [source.strip()] if "-----BEGIN" in source else source.splitlines()
        for line in lines:
            line = line.strip()
            if line and not _COMMENT.match(line):
                h.negative("KEYWORD_SECRET", line, "secretlint", path)


# ---------------------------------------------------------------- Trivy


def trivy_tests(h: Harvest, mirrors: Path) -> None:
    """Trivy's expected findings of builtin rules, unmasked, and its clean files."""
    test_go = git_show(mirrors, "trivy", trivy.TEST)
    files = {}
    for path in git_ls(mirrors, "trivy", trivy.TESTDATA):
        try:
            files[path.rsplit("/", 1)[1]] = git_show(mirrors, "trivy", path)
        except UnicodeDecodeError:
            continue  # invalid-utf8.txt
    allow_rules = git_show(mirrors, "trivy", trivy.ALLOW_RULES)
    found, negatives, unread = trivy.values(test_go, files, allow_rules)
    for label, value, name, context in found:
        h.add(label, value, "trivy", f"{trivy.TESTDATA}/{name}", context=context)
    for name, line in negatives:
        h.negative("KEYWORD_SECRET", line, "trivy", f"{trivy.TESTDATA}/{name}")
    print(f"trivy: {len(found)} findings unmasked, {unread} left (Match not lined up)")


# ---------------------------------------------------------------- Recognizers-Text

RECOGNIZERS_MODELS = {
    "PhoneNumberModel.json": "PHONE_NATIONAL",
    "EmailModel.json": "EMAIL",
    "IpAddressModel.json": "IPV4",
}


# A sentence that says its number is a card or an SSN is no negative: the number is
# not a phone, but it is a value of another type SPEC §4 asks for.
_OTHER_KIND = re.compile(r"(?i)\b(?:credit card|card number|SSN|social security)\b")


def _recognizers_label(model: str, text: str) -> str:
    if model == "IPV4":
        return "IPV6" if ":" in text else "IPV4"
    if model == "PHONE_NATIONAL":
        if sum(c.isdigit() for c in text) < 7:
            return "NOT_ASKED:SHORT_NUMBER"
        return "PHONE_INTL" if text.startswith(("+", "00")) else "PHONE_NATIONAL"
    return model


def recognizers(h: Harvest, mirrors: Path) -> None:
    """Each Result's Text in its Input sentence; inputs without results as negatives."""
    for path in git_ls(mirrors, "recognizers-text", "Specs/Sequence"):
        model = RECOGNIZERS_MODELS.get(path.rsplit("/", 1)[-1])
        if model is None:
            continue
        for case in json.loads(git_show(mirrors, "recognizers-text", path)):
            sentence = case.get("Input", "")
            results = case.get("Results") or []
            if not sentence.strip():
                continue
            if not results and not _OTHER_KIND.search(sentence):
                h.negative(model, sentence, "recognizers-text", path)
            for result in results:
                text = result.get("Text", "")
                if text and text in sentence:
                    label = _recognizers_label(model, text)
                    h.add(label, text, "recognizers-text", path, context=sentence)


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--out", type=Path, default=HERE / "values.jsonl")
    args = parser.parse_args()
    h = Harvest()
    secretlint(h, args.mirrors)
    trivy_tests(h, args.mirrors)
    recognizers(h, args.mirrors)
    seen = {item["value"] for path in SEEN for item in load_values(path)}
    counts, dropped = h.write_unseen(args.out, seen)  # the outside suite and the holdout
    print(f"dropped {dropped} items whose value the outside suite or the holdout holds")
    print(json.dumps(dict(sorted(counts.items())), indent=1))


if __name__ == "__main__":
    main()
