"""Precision/recall per entity type, single-core throughput, and Presidio side by side.

    .venv/bin/python -m benchmarks.redaction.evaluate --records 3000 --presidio-records 300

Matching rule: a label is *recalled* when findings of the same type cover all of
it; it is *removed* when findings of any type cover it. A finding is a true
positive when it overlaps a label of its type. Throughput is input MB (UTF-8) per
second of process CPU time (single-threaded, so MB/s per core), after a warm-up
pass; CPU time rather than wall time keeps other load on the machine out of it.

Presidio configuration (no NLP model is loaded or downloaded): AnalyzerEngine
with ``NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])`` and
a RecognizerRegistry holding only EmailRecognizer, PhoneRecognizer,
CreditCardRecognizer, UsSsnRecognizer, IbanRecognizer and
IpRecognizer (all rule based), language "en", default score threshold 0.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable, Sequence

from consentry.redaction import Redactor
from consentry.redaction.engine import DEFAULT_DETECTORS

from .corpus import build_corpus
from .util import Record

Span = tuple[str, int, int]
PRESIDIO_TYPES = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CARD",
    "US_SSN": "SSN",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP",
}


def score(records: Sequence[Record], found: Sequence[Sequence[Span]]) -> dict[str, Counter[str]]:
    """Per-type counters: labels, recalled, removed, findings, true positives."""
    stats: dict[str, Counter[str]] = {}
    for rec, spans in zip(records, found, strict=True):
        for t, s, e in rec.labels:
            c = stats.setdefault(t, Counter())
            c["labels"] += 1
            c["recalled"] += _covered(s, e, [(fs, fe) for ft, fs, fe in spans if ft == t])
            c["removed"] += _covered(s, e, [(fs, fe) for _, fs, fe in spans])
        for ft, fs, fe in spans:
            c = stats.setdefault(ft, Counter())
            c["findings"] += 1
            c["tp"] += any(t == ft and fs < e and s < fe for t, s, e in rec.labels)
    return stats


def _covered(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    pos = s
    for fs, fe in sorted(spans):
        if fs <= pos < fe:
            pos = fe
    return pos >= e


def table(stats: dict[str, Counter[str]], title: str) -> str:
    """A Markdown table of the counters."""
    lines = [
        f"**{title}**",
        "",
        "| type | labels | recall | removed | findings | precision |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t in sorted(stats):
        c = stats[t]
        rec = c["recalled"] / c["labels"] if c["labels"] else float("nan")
        rem = c["removed"] / c["labels"] if c["labels"] else float("nan")
        prec = c["tp"] / c["findings"] if c["findings"] else float("nan")
        lines.append(
            f"| {t} | {c['labels']} | {rec:.4f} | {rem:.4f} | {c['findings']} | {prec:.4f} |"
        )
    return "\n".join(lines)


def throughput(fn: Callable[[str], object], texts: Sequence[str]) -> float:
    """MB/s of ``fn`` over ``texts`` after a warm-up pass."""
    for t in texts[:20]:
        fn(t)
    size = sum(len(t.encode()) for t in texts)
    start = time.process_time()
    for t in texts:
        fn(t)
    return size / (time.process_time() - start) / 1e6


def presidio_engine() -> Callable[[str], list[Span]]:
    """Presidio pattern/rule recognizers only, with a no-op NLP engine."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        UsSsnRecognizer,
    )

    registry = RecognizerRegistry(
        recognizers=[
            EmailRecognizer(),
            PhoneRecognizer(),
            CreditCardRecognizer(),
            UsSsnRecognizer(),
            IbanRecognizer(),
            IpRecognizer(),
        ],
        supported_languages=["en"],
    )
    engine = AnalyzerEngine(
        registry=registry,
        nlp_engine=NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}]),
        supported_languages=["en"],
    )
    entities = list(PRESIDIO_TYPES)

    def run(text: str) -> list[Span]:
        results = engine.analyze(text=text, language="en", entities=entities)
        return [(PRESIDIO_TYPES[r.entity_type], r.start, r.end) for r in results]

    return run


def main() -> None:
    """Print the evaluation report as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--presidio-records", type=int, default=300)
    parser.add_argument("--no-presidio", action="store_true")
    args = parser.parse_args()

    records = build_corpus(args.records)
    texts = [r.text for r in records]
    redactor = Redactor()

    def ours(text: str) -> list[Span]:
        return [(f.type, f.start, f.end) for f in redactor.redact(text).findings]

    print(f"corpus: {len(records)} records, {sum(len(t.encode()) for t in texts) / 1e6:.2f} MB\n")
    print(table(score(records, [ours(t) for t in texts]), "consentry.redaction"))
    mbps = throughput(redactor.redact, texts)
    sessions = ["\n".join(texts[i : i + 20]) for i in range(0, len(texts), 20)]
    session_mbps = throughput(redactor.redact, sessions)
    scan = "compiled scan" if redactor.compiled else "Python scan (the compiled one is not built)"
    print(
        f"\nconsentry throughput, one core, {scan}: {mbps:.1f} MB/s per record "
        f"(avg {sum(map(len, texts)) / len(texts):.0f} chars), "
        f"{session_mbps:.1f} MB/s on session-sized texts (20 records joined)\n"
    )
    python_mbps = throughput(Redactor(native=False).redact, texts)
    print(
        f"the Python scan (Redactor(native=False)), same records, same run: {python_mbps:.1f} MB/s "
        f"per record; compiled / Python {mbps / python_mbps:.1f}x\n"
    )
    from faker import Faker

    fake = Faker()
    fake.seed_instance(7)
    prose = [fake.paragraph(nb_sentences=40) for _ in range(300)]
    print(
        f"consentry throughput on clean Faker prose: {throughput(redactor.redact, prose):.1f} MB/s "
        f"(avg {sum(map(len, prose)) / len(prose):.0f} chars)\n"
    )
    if args.no_presidio:
        return
    subset = records[: args.presidio_records]
    sub_texts = [r.text for r in subset]
    presidio = presidio_engine()
    keep = set(PRESIDIO_TYPES.values())
    for rec in subset:
        rec.labels = [lab for lab in rec.labels if lab[0] in keep]
    ours_sub = [[s for s in ours(t) if s[0] in keep] for t in sub_texts]
    print(
        table(score(subset, ours_sub), f"consentry, Presidio's types, first {len(subset)} records")
    )
    print()
    print(table(score(subset, [presidio(t) for t in sub_texts]), "Presidio, same records"))
    ours_sub_mbps = throughput(redactor.redact, sub_texts)
    presidio_mbps = throughput(presidio, sub_texts)
    prose_ratio = throughput(redactor.redact, prose[:60]) / throughput(presidio, prose[:60])
    print(f"\nclean prose: consentry / Presidio throughput ratio {prose_ratio:.0f}x")
    print(
        f"\nsame {sum(len(t.encode()) for t in sub_texts) / 1e6:.2f} MB subset: consentry "
        f"{ours_sub_mbps:.1f} MB/s, Presidio {presidio_mbps:.3f} MB/s, "
        f"ratio {ours_sub_mbps / presidio_mbps:.0f}x"
    )
    # The same comparison with both engines looking for the same six types only: our
    # detectors for Presidio's types, nothing for keys, tokens, passwords or JWTs.
    six = Redactor(detectors=[d for d in DEFAULT_DETECTORS if getattr(d, "type", None) in keep])
    six_sub_mbps = throughput(six.redact, sub_texts)
    six_mbps = throughput(six.redact, texts)
    print(
        f"\nconsentry restricted to Presidio's six types: {six_sub_mbps:.1f} MB/s on the subset, "
        f"ratio {six_sub_mbps / presidio_mbps:.0f}x; {six_mbps:.1f} MB/s on the whole corpus"
    )


if __name__ == "__main__":
    main()
