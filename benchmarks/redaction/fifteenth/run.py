"""Runs consentry over the fifteenth set, of chat prompts with PII and secrets: measured
before tuning (issue 16).

    .venv/bin/python -m benchmarks.redaction.fifteenth.run [--misses N] [--check-scans]

As ``fresh/run.py``: a value that came with its own prompt (llm-guard's test prompts and
LLM outputs, rusty-hog's test lines), and a negative that is such a prompt, is scored in
that text as it is, the value where its text first occurs; values that came bare
(llm-guard's regex pattern examples) go through ``corpus.build``'s templates (seed 16)
and its label corrections. ``--templated`` puts every value in the templates instead.
Otherwise as ``setrun`` says (``--check-scans``, ``--misses`` grouped by source file).
"""

from __future__ import annotations

from pathlib import Path

from ..outside.corpus import Record, build, load_values
from ..setrun import Records, apart, arguments, file_name, run, templated

HERE = Path(__file__).parent


def _in_text(item: dict[str, str]) -> bool:
    """A value in its own prompt or line, or a negative that is one."""
    if item["label"] == "NEGATIVE":
        return True
    return item["value"] in item.get("context", "")


def records(templated_all: bool = False) -> Records:
    """The scored records, the not-asked ones, and each scored record's source path."""
    if templated_all:
        return templated(HERE / "values.jsonl")
    values = load_values(HERE / "values.jsonl")
    asked = [v for v in values if not v["label"].startswith("NOT_ASKED:")]
    in_templates = iter(build([v for v in asked if not _in_text(v)]))
    built = []
    for v in asked:
        if not _in_text(v):
            built.append(next(in_templates))
        elif v["label"] == "NEGATIVE":
            group = v.get("context", "")
            built.append(Record(v["value"], "NEGATIVE", group, 0, len(v["value"]), v["source"]))
        else:
            start = v["context"].index(v["value"])
            end = start + len(v["value"])
            built.append(Record(v["context"], v["label"], v["label"], start, end, v["source"]))
    return built, apart(values), {i: v["path"] for i, v in enumerate(asked)}


def main() -> None:
    """Scan the fifteenth set and print the per-type table."""
    parser = arguments(__doc__, seeds=False)
    parser.add_argument(
        "--templated", action="store_true", help="every value in the templates, not its own text"
    )
    args = parser.parse_args()
    run("fifteenth", args, records(args.templated), lambda _source, path: file_name(path))


if __name__ == "__main__":
    main()
