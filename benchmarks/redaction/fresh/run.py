"""Runs consentry over the fresh set: a third outside set, measured before tuning (issue 16).

    .venv/bin/python -m benchmarks.redaction.fresh.run [--misses N] [--check-scans]

As ``holdout/run.py``: the records are made by the outside suite's ``corpus.build``
(same templates, same seed, same label corrections) and scored by its
``run.score``, with one difference: a value of a PII type that came with its own
sentence (Recognizers-Text's ``Input``), and a negative that is such a sentence, is
scored in that sentence as it is, the value where its text first occurs, instead of
in a template (``--templated`` puts them in the templates too, as the holdout does:
Recognizers-Text's sentences nearly all say "my phone number is").
Otherwise as ``setrun`` says (``--check-scans``, ``--misses`` grouped by source file).
"""

from __future__ import annotations

from pathlib import Path

from ..outside.corpus import PII, Record, build, load_values
from ..setrun import Records, apart, arguments, run, templated

HERE = Path(__file__).parent


def _in_sentence(item: dict[str, str]) -> bool:
    """A PII value in its own sentence, or a sentence given as a PII look-alike."""
    context = item.get("context", "")
    if item["label"] == "NEGATIVE":
        return context in PII
    return item["label"] in PII and item["value"] in context


def records(templated_pii: bool = False) -> Records:
    """The scored records, the not-asked ones, and each scored record's source path
    (``templated_pii``: every item through ``build``, sentences or not, as the holdout)."""
    if templated_pii:
        return templated(HERE / "values.jsonl")
    values = load_values(HERE / "values.jsonl")
    asked = [v for v in values if not v["label"].startswith("NOT_ASKED:")]
    in_templates = iter(build([v for v in asked if not _in_sentence(v)]))
    built = []
    for v in asked:
        if not _in_sentence(v):
            built.append(next(in_templates))
        elif v["label"] == "NEGATIVE":
            built.append(
                Record(v["value"], "NEGATIVE", v["context"], 0, len(v["value"]), v["source"])
            )
        else:
            start = v["context"].index(v["value"])
            end = start + len(v["value"])
            built.append(Record(v["context"], v["label"], v["label"], start, end, v["source"]))
    return built, apart(values), {i: v["path"] for i, v in enumerate(asked)}


def _where(source: str, path: str) -> str:
    """A source file's short name: secretlint's rule and case, Recognizers-Text's
    language and model, Trivy's file."""
    if path.endswith("output.json"):
        return "/".join(path.split("/")[2:5:2])
    if source == "recognizers-text":
        return "/".join(path.split("/")[2:4])
    return path.rsplit("/", 1)[-1]


def main() -> None:
    """Scan the fresh set and print the per-type table."""
    parser = arguments(__doc__, seeds=False)
    parser.add_argument(
        "--templated",
        action="store_true",
        help="PII values in the outside suite's templates, not in their own sentence",
    )
    args = parser.parse_args()
    run("fresh", args, records(templated_pii=args.templated), _where)


if __name__ == "__main__":
    main()
