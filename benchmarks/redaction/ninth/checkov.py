"""bridgecrewio/checkov's secrets sanity fixtures, for the ninth set (issue 16).

``tests/secrets/test_runner.py`` runs checkov's key-word check (``CKV_SECRET_6``) over
the folders of ``tests/secrets/sanity/`` and asserts what it finds. Read as text (no
test run), one item per line, each line as it stands in its file. Labels by kind:

* ``secrets/true_positive.json`` (six findings asserted): every ``"key": "value"`` line
  is a password or secret after a key word, ``KEYWORD_SECRET`` in its line;
* ``non_secrets/true_negative.json`` (no finding asserted): a line whose value is prose
  (holds white space) or one word of letters (``"password": "Passord"``: a form's
  label, not a password) is a negative; a line whose value is key- or password-shaped
  (``Pa$$w0rd``, an AWS key id, base64) is left out: checkov asserts only that its
  key-word check stays silent, and its provider checks would find some of them;
* ``iac_fp/`` and ``non_iac_fp/`` (no finding asserted: names of secrets, settings,
  hashes in API paths, check ids): every line holding a quoted literal is a negative.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from ..outside.harvest import Harvest

SOURCE = "checkov"
SANITY = "tests/secrets/sanity"
POSITIVES = f"{SANITY}/secrets/true_positive.json"
NEGATIVES = f"{SANITY}/non_secrets/true_negative.json"
FP_FILES = (f"{SANITY}/iac_fp/main.tf", f"{SANITY}/iac_fp/main.json", f"{SANITY}/non_iac_fp/a.py")
_PAIR = re.compile(r'^\s*"([^"\\]+)"\s*:\s*"((?:[^"\\]|\\.)*)",?\s*$')
_WORD = re.compile(r"[A-ZÆØÅa-zæøå][a-zæøå]*")


def pairs(text: str) -> list[tuple[str, str, str]]:
    """(key, value, the line without its trailing comma) of each one-line JSON pair whose
    value has no escape (so the value stands as it is in the line)."""
    out = []
    for line in text.splitlines():
        m = _PAIR.match(line)
        if m and json.loads(f'"{m.group(2)}"') == m.group(2):
            out.append((m.group(1), m.group(2), line.strip().rstrip(",")))
    return out


def plain(value: str) -> bool:
    """Prose or one word of letters: the true negatives' values that are negatives."""
    return bool(re.search(r"\s", value.strip())) or bool(_WORD.fullmatch(value))


def harvest(h: Harvest, show: Callable[[str], str]) -> None:
    """Add the sanity fixtures' items, labelled as above."""
    for _key, value, line in pairs(show(POSITIVES)):
        h.add("KEYWORD_SECRET", value, SOURCE, POSITIVES, context=line)
    for _key, value, line in pairs(show(NEGATIVES)):
        if plain(value):
            h.negative("KEYWORD_SECRET", line, SOURCE, NEGATIVES)
    for path in FP_FILES:
        for line in show(path).splitlines():
            if re.search(r"[\"'][^\"']+[\"']", line):
                h.negative("KEYWORD_SECRET", line.strip(), SOURCE, path)
