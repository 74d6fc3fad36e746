"""Builds ``sentences.jsonl``: sentences with their gold person names, per locale.

    .venv/bin/python -m benchmarks.redaction.ner.harvest --mirrors /work/.mirror

Every outside sentence comes from another project's published NER test data (git
mirrors at the commits of ``sources.json``; the label is theirs), plus our own chat-style
sentences (``own.py``). Each line: ``{"locale", "text", "names": [[start, end], …],
"addresses": [[start, end], …], "source", "path"}``. Tokens are joined with single
spaces; a name is a maximal run of the source's person tags (``PER``/``PERSON``; the
GermEval ``PERderiv``/``PERpart`` tags are not names). Per source at most ``--per-source``
sentences are kept, in file order, of 20 to 400 characters. The output is committed;
``run.py`` reads it and never needs the network.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

from benchmarks.redaction.ner.own import OWN

HERE = Path(__file__).resolve().parent
SOURCES = json.loads((HERE / "sources.json").read_text())

Sentence = list[tuple[str, str]]  # (token, tag)


def _show(mirrors: Path, source: str, path: str) -> str:
    facts = SOURCES[source]
    repo = mirrors / facts["mirror"] / "repo"
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"{facts['commit']}:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _columns(text: str, token_col: int, tag_col: int) -> Iterator[Sentence]:
    """Blank-line separated sentences of whitespace-separated columns (``#`` comments)."""
    sentence: Sentence = []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        parts = line.split()
        if not parts:
            if sentence:
                yield sentence
            sentence = []
            continue
        sentence.append((parts[token_col], parts[tag_col]))
    if sentence:
        yield sentence


def _europeana(text: str) -> Iterator[Sentence]:
    """One token per line with no sentence breaks: cut after each ``.``/``!``/``?``."""
    sentence: Sentence = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 2:
            continue
        sentence.append((parts[0], parts[1]))
        if parts[0] in {".", "!", "?"}:
            yield sentence
            sentence = []


def _entity(tag: str) -> str:
    return tag.split("-", 1)[1] if "-" in tag else ""


def to_item(sentence: Sentence) -> dict[str, object]:
    """Join tokens with spaces; gold name spans from maximal runs of person tags."""
    pieces, names = [], []
    pos, run_start, prev_end = 0, -1, 0
    for token, tag in sentence:
        start = pos
        pieces.append(token)
        pos += len(token) + 1
        person = _entity(tag) in ("PER", "PERSON")
        begins = tag.startswith("B-")
        if run_start >= 0 and (not person or begins):
            names.append([run_start, prev_end])
            run_start = -1
        if person and run_start < 0:
            run_start = start
        prev_end = start + len(token)
    if run_start >= 0:
        names.append([run_start, prev_end])
    return {"text": " ".join(pieces), "names": names, "addresses": []}


def outside(mirrors: Path, per_source: int) -> Iterator[dict[str, object]]:
    readers = {
        "uner-en-ewt": lambda t: _columns(t, 1, 2),
        "presidio": None,
        "germeval2014": lambda t: _columns(t, 0, 3),
        "europeana-fr": _europeana,
        "europeana-nl": _europeana,
    }
    for source, facts in SOURCES.items():
        if source not in readers or source == "presidio":
            continue
        reader = readers[source]
        assert reader is not None
        kept = 0
        for sentence in reader(_show(mirrors, source, facts["path"])):
            item = to_item(sentence)
            if not 20 <= len(str(item["text"])) <= 400:
                continue
            yield {"locale": facts["locale"], **item, "source": source, "path": facts["path"]}
            kept += 1
            if kept >= per_source:
                break
    yield from _presidio(mirrors)


_CASE = re.compile(r'\("([^"]+)", 1, \(\((\d+), (\d+)\),\), 0\)')


def _presidio(mirrors: Path) -> Iterator[dict[str, object]]:
    """Presidio's own spaCy recognizer test cases whose expected entity is PERSON."""
    path = SOURCES["presidio"]["path"]
    for match in _CASE.finditer(_show(mirrors, "presidio", path)):
        text, start, end = match.group(1), int(match.group(2)), int(match.group(3))
        yield {
            "locale": "en",
            "text": text,
            "names": [[start, end]],
            "addresses": [],
            "source": "presidio",
            "path": path,
        }


_MARK = re.compile(r"\[([^\]]+)\]|\{([^}]+)\}")


def own() -> Iterator[dict[str, object]]:
    for locale, sentences in OWN.items():
        for marked in sentences:
            text, names, addresses, pos = [], [], [], 0
            last = 0
            for m in _MARK.finditer(marked):
                text.append(marked[last : m.start()])
                pos += m.start() - last
                value = m.group(1) or m.group(2)
                (names if m.group(1) else addresses).append([pos, pos + len(value)])
                text.append(value)
                pos += len(value)
                last = m.end()
            text.append(marked[last:])
            yield {
                "locale": locale,
                "text": "".join(text),
                "names": names,
                "addresses": addresses,
                "source": "own",
                "path": "benchmarks/redaction/ner/own.py",
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--per-source", type=int, default=300)
    args = parser.parse_args()
    items = [*outside(args.mirrors, args.per_source), *own()]
    with (HERE / "sentences.jsonl").open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for item in items:
        key = f"{item['locale']}/{item['source']}"
        counts[key] = counts.get(key, 0) + 1
    print(json.dumps(counts, indent=1))


if __name__ == "__main__":
    main()
