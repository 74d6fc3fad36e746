"""Runs consentry over the holdout: projects the outside suite does not use.

    .venv/bin/python -m benchmarks.redaction.holdout.run [--misses N] [--check-scans] [--seeds N]

Built, scored and flagged as ``setrun`` says (``corpus.build``'s templates with
seed 16, ``--seeds``, ``--check-scans``, ``--misses`` grouped by source file: for
Nosey Parker and Kingfisher, by rule file).
"""

from __future__ import annotations

from pathlib import Path

from ..setrun import Records, arguments, run, templated

HERE = Path(__file__).parent


def records(seed: int = 16) -> Records:
    """The scored records, the not-asked ones, and each scored record's source path."""
    return templated(HERE / "values.jsonl", seed)


def main() -> None:
    """Scan the holdout and print the per-type table."""
    args = arguments(__doc__).parse_args()
    run("holdout", args, records(), lambda _source, path: path.rsplit("/", 1)[-1], records)


if __name__ == "__main__":
    main()
