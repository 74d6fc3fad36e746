"""Listing the filter's stages without loading a model (SPEC §4 NER stage; docs/rules.md P1).

The public policy facts (`GET /v1/policy`, `/privacy/policy`) name the filter stages a run
would record; they are read from the model packages' metadata, never by loading a model.
Tests that need spaCy and its English model fail under CI=true when they are missing and
skip elsewhere (tests/ner_support.py).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from tests.conftest import require_or_skip
from tests.ner_support import require_english_model

from consentry.domain.policy import DEFAULT_POLICY, NerMode, NerPolicy
from consentry.redaction import build_redactor
from consentry.redaction.pipeline import stage_names
from consentry.redaction.spacy_ner import NerModelMissing, spacy_installed

_POLICIES = [
    NerPolicy(mode=NerMode.ON),
    NerPolicy(mode=NerMode.OFF),
    NerPolicy(mode=NerMode.ON, entities=("ADDRESS",)),
    NerPolicy(mode=NerMode.ON, entities=("PERSON",), address_locales=("de", "fr")),
    NerPolicy(mode=NerMode.ON, entities=("PERSON", "LOCATION", "ADDRESS")),
]


@pytest.mark.parametrize("policy", _POLICIES, ids=lambda p: f"{p.mode}-{'+'.join(p.entities)}")
def test_spec4_stage_names_equal_the_built_filters_stages(policy: NerPolicy) -> None:
    """SPEC §4, P1: the same stages, text for text, as the filter a run builds."""
    if "PERSON" in policy.entities and policy.mode is NerMode.ON:
        require_english_model()
    assert stage_names(policy) == build_redactor(policy).stages
    assert stage_names(DEFAULT_POLICY, ner=False) == ("patterns",)


def test_spec4_stage_names_load_no_model_P1() -> None:
    """P1: the policy facts list the model and its version without importing spaCy."""
    require_english_model()
    script = (
        "import json, sys\n"
        "from consentry.domain.policy import DEFAULT_POLICY\n"
        "from consentry.entrypoints.policy_facts import policy_facts\n"
        "from datetime import UTC, datetime\n"
        "facts = policy_facts(DEFAULT_POLICY, datetime(2026, 1, 1, tzinfo=UTC))\n"
        "print(json.dumps([facts.filter.stages, 'spacy' in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    stages, spacy_imported = json.loads(out.stdout.strip().splitlines()[-1])
    assert spacy_imported is False
    assert stages == list(build_redactor(DEFAULT_POLICY).stages)
    assert stages[1].startswith("spacy:en_core_web_sm") and stages[1].endswith("==3.8.0")


def test_spec4_stage_names_of_a_missing_model_is_the_loading_error() -> None:
    """SPEC §4: a model that is not installed is the same error as building the filter."""
    require_or_skip(spacy_installed(), "spaCy (pip install 'consentry[ner]')")
    policy = NerPolicy(mode=NerMode.ON, models=("xx_no_such_model",))
    with pytest.raises(NerModelMissing) as listed:
        stage_names(policy)
    with pytest.raises(NerModelMissing) as built:
        build_redactor(policy)
    assert listed.value.message == built.value.message
    with pytest.raises(NerModelMissing, match="entities is empty"):
        stage_names(NerPolicy(mode=NerMode.ON, entities=()))
