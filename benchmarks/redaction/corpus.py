"""Labelled evaluation corpus for the sensitive-data filter (deterministic, seeded).

A record is a text plus the (type, start, end) spans that must be found. Records
mix Faker prose, planted entities of every type, hard negatives that must NOT be
flagged (UUIDs, git SHAs, digests, base64 blobs, versions, timestamps, ordinary
code, non-ASCII prose) and code snippets that leak keys.

    python benchmarks/redaction/corpus.py --records 2000 > corpus.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable

from faker import Faker

from .entities import ENTITY_MAKERS
from .negatives import NEGATIVE_MAKERS, SNIPPET_MAKERS
from .util import Record

SEED = 20250828


def build_corpus(records: int, seed: int = SEED) -> list[Record]:
    """``records`` labelled records, identical for the same seed."""
    rng = random.Random(seed)
    Faker.seed(seed)
    fakers = {loc: Faker(loc) for loc in ("en_US", "en_GB", "de_DE", "fr_FR", "ru_RU", "ja_JP")}
    for i, f in enumerate(fakers.values()):
        f.seed_instance(seed + i)
    out = []
    for _ in range(records):
        rec = Record()
        for _ in range(rng.randint(4, 10)):
            roll = rng.random()
            sep = rng.choice([" ", "\n", ". ", ": ", ", "])
            if roll < 0.35:
                rec.add(fakers["en_US"].paragraph(nb_sentences=rng.randint(1, 4)) + sep)
            elif roll < 0.6:
                entity_type, make = rng.choice(ENTITY_MAKERS)
                prefix, value, suffix = make(rng, fakers)
                rec.add(prefix)
                rec.add_entity(entity_type, value)
                rec.add(suffix + sep)
            elif roll < 0.85:
                rec.add(rng.choice(NEGATIVE_MAKERS)(rng, fakers) + sep)
            else:
                snippet: Callable[[random.Random, Record], None] = rng.choice(SNIPPET_MAKERS)
                snippet(rng, rec)
                rec.add("\n")
        out.append(rec)
    return out


def main() -> None:
    """Write the corpus as JSON Lines ``{"text", "labels"}``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    for rec in build_corpus(args.records, args.seed):
        sys.stdout.write(json.dumps({"text": rec.text, "labels": rec.labels}) + "\n")


if __name__ == "__main__":
    main()
