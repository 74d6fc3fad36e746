"""CPU cost of counting a run's content for the AI Act summary (docs/rules.md P7, P11).

The export counts every message row into ``manifest.json``'s ``content`` (characters,
sources, span) and identifies one language per session with py3langid. This measures,
in one process and on the same texts, the CPU time of that count against the filter the
export already runs on every text (SPEC §4, its pattern stages: the NER stage, when
installed, costs far more and is left out so the ratio is the unfavourable one), and
the count with the sample size of P11 against a 2,000-character sample, and the count
with only 100 sessions identified (what every row costs besides identification; past
``LANGUAGE_SESSIONS`` sessions an export pays that plus a fixed identification cost). Texts: Faker
paragraphs in five locales, sessions of ``--messages`` messages. Run:

    .venv/bin/python benchmarks/export/content_tally.py [--sessions 2000] [--messages 10]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime

from faker import Faker

from consentry.export import content
from consentry.export.content import ContentTally
from consentry.redaction import build_redactor

LOCALES = ("en_US", "de_DE", "fr_FR", "es_ES", "it_IT")
AT = datetime(2025, 9, 1, tzinfo=UTC)


def sessions(count: int, messages: int) -> list[list[str]]:
    out = []
    for i in range(count):
        fake = Faker(LOCALES[i % len(LOCALES)])
        fake.seed_instance(i)
        out.append([fake.paragraph(nb_sentences=3) for _ in range(messages)])
    return out


def cpu(work: Callable[[], object]) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def tally(data: list[list[str]], language_sessions: int | None = None) -> dict[str, object]:
    counter = ContentTally(language_sessions=language_sessions or content.LANGUAGE_SESSIONS)
    for i, texts in enumerate(data):
        for text in texts:
            counter.add(session=f"s{i:08d}", kind="chat", surface="web", text=text, at=AT)
    return counter.result()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=10)
    args = parser.parse_args()
    data = sessions(args.sessions, args.messages)
    texts = [t for s in data for t in s]
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    tally(data[:5])  # load the language model outside the measurement
    patterns = build_redactor(ner=False)
    patterns.redact(texts[0])
    t_tally = cpu(lambda: tally(data))
    t_patterns = cpu(lambda: [patterns.redact(t) for t in texts])
    result = tally(data)
    sample = content.SAMPLE_CHARS
    content.SAMPLE_CHARS = 2000
    t_wide = cpu(lambda: tally(data))
    content.SAMPLE_CHARS = sample
    t_rows = cpu(lambda: tally(data, language_sessions=100))
    print(f"{args.sessions} sessions, {len(texts)} messages, {megabytes:.2f} MB")
    print(f"languages: {[(e['language'], e['sessions']) for e in result['languages']]}")  # type: ignore[index]
    print(f"content tally        {t_tally:7.3f} s CPU  {megabytes / t_tally:7.2f} MB/s")
    print(f"filter (patterns)    {t_patterns:7.3f} s CPU  {megabytes / t_patterns:7.2f} MB/s")
    print(f"tally, 2,000-char sample {t_wide:7.3f} s CPU  {megabytes / t_wide:7.2f} MB/s")
    print(f"tally, 100 sessions identified {t_rows:7.3f} s CPU  {megabytes / t_rows:7.2f} MB/s")
    print(f"per session: {t_tally / args.sessions * 1e3:.3f} ms CPU (sample {sample} chars)")
    print(f"per row without identification: {t_rows / len(texts) * 1e6:.2f} us CPU")
    print(f"tally / pattern filter = {t_tally / t_patterns:.2f}")
    print(f"tally with 2,000-char sample / tally = {t_wide / t_tally:.2f}")


if __name__ == "__main__":
    main()
