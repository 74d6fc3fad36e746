"""Builds the ninth set's ``values.jsonl``: secrets (provider tokens, key-word secrets in
config and code syntaxes, private keys, URL passwords, JWTs) and their clean look-alikes,
from projects that none of the eight other outside sets use, measured before anybody
tunes on it (issue 16).

    .venv/bin/python -m benchmarks.redaction.ninth.harvest --mirrors /work/.mirror

Same shape as ``eighth/harvest.py``: every item names its source (``sources.json``:
project, commit, licence) and file, and the label is the other project's, mapped onto
the suite's types by kind. Sources, each with its label rules in its module:

* octarinesec/secret-detector's detector tests (``secretdetector.py``): each detector's
  table of inputs it must and must not find (provider tokens, key-word lines, Basic and
  Bearer credentials, URL passwords, AWS and Azure keys in their syntax, npm auth
  tokens, JWTs, private keys, bare high-entropy strings);
* bridgecrewio/checkov's secrets sanity fixtures (``checkov.py``): key-word secrets in
  JSON, and translated UI strings, setting names and check ids under key words that its
  key-word check must not flag;
* auth0/repo-supervisor's fixtures (``reposupervisor.py``): the secrets its CLI test
  expects in JS, JSON and Kubernetes YAML files, and the strings its entropy meter's
  pre-filters skip (CSS selectors, paths, words, URLs without credentials).

Across the three the label rules are the same by kind: the label is what the project
says is a secret, mapped to the suite's types (a token alone ``TOKEN_PREFIXED``, in its
syntax ``TOKEN_CONTEXT``, after a password key word ``KEYWORD_SECRET``); a bare
high-entropy string with no key word is ``NOT_ASKED:HIGH_ENTROPY`` (SPEC §4 asks for
high-entropy tokens next to key words); an input the project rejects is a negative
only where nothing of an asked kind's shape is in it; a rejected near-miss (a token one
character short, a prefix in the wrong case) is a secret's look-alike and left out,
never a negative. Items whose value another set already holds are dropped
(``Harvest.write_unseen``).
"""

from __future__ import annotations

from pathlib import Path

from ..mirrors import PinnedSources
from ..outside.harvest import Harvest, write_set
from . import checkov, reposupervisor, secretdetector

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")
SEEN = tuple(
    HERE.parent / name / "values.jsonl"
    for name in ("outside", "holdout", "fresh", "fourth", "fifth", "sixth", "seventh", "eighth")
)


def collect(mirrors: Path) -> Harvest:
    """Every source's items, in order."""
    h = Harvest()
    secretdetector.harvest(
        h,
        lambda folder: PINNED.ls(mirrors, "secretdetector", folder),
        lambda path: PINNED.show(mirrors, "secretdetector", path),
    )
    checkov.harvest(h, lambda path: PINNED.show(mirrors, "checkov", path))
    reposupervisor.harvest(h, lambda path: PINNED.show(mirrors, "reposupervisor", path))
    return h


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    write_set(__doc__, HERE / "values.jsonl", SEEN, collect)


if __name__ == "__main__":
    main()
