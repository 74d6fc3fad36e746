"""The optional, pluggable NER stage."""

from __future__ import annotations

from consentry.redaction import Finding, GazetteerNer, NerStage, Redactor


def test_ner_is_off_by_default() -> None:
    text = "Ada Lovelace wrote to a@b.com"
    assert Redactor().redact(text).text == "Ada Lovelace wrote to [EMAIL]"


def test_gazetteer_stage_plugs_in() -> None:
    ner = GazetteerNer(["Ada Lovelace", "José Álvarez"])
    assert isinstance(ner, NerStage)
    r = Redactor(ner=ner)
    text = "ada lovelace met José Álvarez (a@b.com); Adam Lovelaceworth did not"
    res = r.redact(text)
    assert res.text == "[PERSON] met [PERSON] ([EMAIL]); Adam Lovelaceworth did not"
    assert [f.type for f in res.findings] == ["PERSON", "PERSON", "EMAIL"]


def test_gazetteer_for_street_addresses() -> None:
    ner = GazetteerNer(["221B Baker Street"], "ADDRESS")
    assert Redactor(ner=ner).redact("lives at 221B Baker Street, London").text == (
        "lives at [ADDRESS], London"
    )


def test_custom_stage_findings_join_overlap_resolution() -> None:
    class Everything:
        def find(self, text: str) -> list[Finding]:
            return [Finding("PERSON", 0, len(text))]

    res = Redactor(ner=Everything()).redact("call a@b.com")
    assert res.findings == (Finding("PERSON", 0, 12),)  # union, typed by the longest
    assert res.text == "[PERSON]"
