"""A digest of everything the compiled scan finds, to show a speed change found the same.

    .venv/bin/python -m benchmarks.redaction.dump_scan --texts /tmp/texts.pkl

Candidates (``Engine.candidates``) and findings (``Engine.findings``) of the built-in
detectors on the 3,000 labelled records and the outside suite, hashed (sha256) and
counted. The texts are pickled to ``--texts`` on the first run and read back on later
ones, so two trees (say a copy at the commit before a change, with ``PYTHONPATH``
pointing at it, and the checkout) scan the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
from pathlib import Path

from consentry.redaction import native
from consentry.redaction.engine import DEFAULT_DETECTORS

from .corpus import build_corpus
from .outside.corpus import build as build_outside


def texts(path: Path | None) -> list[str]:
    """The labelled records then the outside suite's, from ``path`` if it exists."""
    if path is not None and path.exists():
        loaded: list[str] = pickle.loads(path.read_bytes())  # our own file
        return loaded
    built = [r.text for r in build_corpus(3000)] + [r.text for r in build_outside()]
    if path is not None:
        path.write_bytes(pickle.dumps(built))
    return built


def main() -> None:
    """Print the digest, the candidate and the finding counts, and the scan module used."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=Path, default=None)
    args = parser.parse_args()
    scan = native.build(DEFAULT_DETECTORS)
    if scan is None:
        raise SystemExit("the compiled scan is not built")
    digest = hashlib.sha256()
    candidates = findings = 0
    for text in texts(args.texts):
        data = text.encode("utf-8", "surrogatepass")
        found = scan.candidates(data)
        resolved = scan.findings(data, text.isascii())
        candidates += len(found)
        findings += len(resolved)
        digest.update(repr((found, [(f.type, f.start, f.end) for f in resolved])).encode())
    print(
        f"{digest.hexdigest()[:16]} candidates {candidates} findings {findings} "
        f"({native._native.__file__ if native._native else '-'})"
    )


if __name__ == "__main__":
    main()
