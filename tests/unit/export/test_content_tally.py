"""The counts behind the AI Act summary: one language per session (docs/rules.md P11, P7)."""

from __future__ import annotations

import importlib.metadata
from datetime import UTC, datetime

from consentry.export.content import LANGUAGE_SESSIONS, MIN_LETTERS, SAMPLE_CHARS, ContentTally

AT = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)


def _tally(rows: list[tuple[str, str, str, str]]) -> dict[str, object]:
    tally = ContentTally()
    for i, (session, kind, surface, text) in enumerate(rows):
        at = AT.replace(minute=i)
        tally.add(session=session, kind=kind, surface=surface, text=text, at=at)
    return tally.result()


def test_one_language_per_session_with_the_bundled_model_P11() -> None:
    """P11: py3langid (its bundled model, recorded with its version) names each session's
    language from all its messages; shares are by characters and add up."""
    english = "I would like to book a table for two people tomorrow evening, please."
    german = "Ich möchte morgen Abend bitte einen Tisch für zwei Personen reservieren."
    spanish = "Quisiera reservar una mesa para dos personas mañana por la noche, por favor."
    result = _tally(
        [
            ("s1", "chat", "web", english),
            ("s1", "chat", "web", "Certainly, which time suits you best?"),
            ("s2", "chat", "mobile", german),
            ("s3", "code", "code", spanish),
        ]
    )
    languages = {e["language"]: e for e in result["languages"]}  # type: ignore[attr-defined]
    assert set(languages) == {"en", "de", "es"}
    assert languages["en"]["sessions"] == 1
    assert languages["en"]["characters"] == len(english) + len(
        "Certainly, which time suits you best?"
    )
    assert sum(e["characters"] for e in languages.values()) == result["characters"]
    identifier = result["identifier"]
    assert identifier == {
        "library": "py3langid",
        "version": importlib.metadata.version("py3langid"),
        "unit": "session",
        "sample_chars": SAMPLE_CHARS,
        "min_letters": MIN_LETTERS,
        "max_sessions": LANGUAGE_SESSIONS,
        "sample": "bottom-k by SHA-256 of the session pseudonym",
    }
    assert result["language_sample"] == {"sessions": 3, "characters": result["characters"]}


def test_too_few_letters_is_undetermined_P11() -> None:
    """P11: below 20 letters the sample is ``und``, whatever digits and signs it holds."""
    result = _tally(
        [("s1", "chat", "web", "ok 1234567890 !!! ??? 42"), ("s2", "chat", "web", "yes")]
    )
    assert result["languages"] == [{"language": "und", "sessions": 2, "characters": 27}]


def test_only_the_first_500_characters_decide_P11() -> None:
    """P11: a session that opens in German and goes on in English past the sample is German."""
    german = "Das ist ein ganz normaler deutscher Satz über das Wetter heute. " * 40
    english = "This is a perfectly ordinary English sentence about the weather. " * 200
    assert len(german) >= SAMPLE_CHARS
    result = _tally([("s1", "chat", "web", german), ("s1", "chat", "web", english)])
    assert [e["language"] for e in result["languages"]] == ["de"]  # type: ignore[index]


def test_sources_span_and_sizes_P7() -> None:
    """P7: per (surface, kind) sessions, messages, characters; earliest and latest instant
    in the fixed-width ISO form, from datetimes (store, Parquet) or that text (JSON Lines)."""
    tally = ContentTally(identify=lambda text: "xx")
    tally.add(session="a", kind="chat", surface="web", text="hello there", at=AT)
    tally.add(session="a", kind="chat", surface="web", text="hi", at=AT.replace(minute=5))
    tally.add(session="b", kind="code", surface="code", text="x = 1", at=AT.replace(hour=9))
    result = tally.result()
    assert result["sources"] == [
        {"surface": "code", "kind": "code", "sessions": 1, "messages": 1, "characters": 5},
        {"surface": "web", "kind": "chat", "sessions": 1, "messages": 2, "characters": 13},
    ]
    assert (result["sessions"], result["messages"], result["characters"]) == (2, 3, 18)
    assert result["earliest"] == "2025-09-01T09:00:00.000000Z"
    assert result["latest"] == "2025-09-01T12:05:00.000000Z"
    texts = ContentTally(identify=lambda text: "xx")
    for stamp in ("2025-09-01T12:05:00.000000Z", "2025-09-01T09:00:00.000000Z"):
        texts.add(session="a", kind="chat", surface="web", text="hi", at=stamp)
    assert (texts.result()["earliest"], texts.result()["latest"]) == (
        "2025-09-01T09:00:00.000000Z",
        "2025-09-01T12:05:00.000000Z",
    )


def test_languages_of_a_bounded_sample_whatever_the_row_order_P11() -> None:
    """P11: past ``language_sessions`` sessions only that many are identified, the ones
    with the smallest SHA-256 of their pseudonym, so the same sessions are chosen in any
    order (a reader of the same rows in another order picks the same sample)."""
    names = [f"session-{i:03d}" for i in range(40)]
    calls: list[str] = []

    def identify(text: str) -> str:
        calls.append(text)
        return "en" if "english" in text else "de"

    def run(order: list[str]) -> dict[str, object]:
        tally = ContentTally(identify=identify, language_sessions=5)
        for name in order:
            word = "english" if int(name[-3:]) % 2 else "deutsch"
            tally.add(session=name, kind="chat", surface="web", text=f"{word} " * 10, at=AT)
        return tally.result()

    forward, backward = run(names), run(names[::-1])
    assert forward == backward
    assert forward["language_sample"] == {"sessions": 5, "characters": 5 * 80}
    assert sum(e["sessions"] for e in forward["languages"]) == 5  # type: ignore[attr-defined]
    assert forward["sessions"] == 40
    assert len(calls) == 10  # five identifications per tally, not forty
