"""The export and ``consentry redact`` with the NER stage (SPEC §4: names and street addresses
go through the NER stage; R24: every exported text passes the filter; R28: never filtered).

Needs spaCy and en_core_web_sm (the dev extra installs them): fails under CI=true without
them, skips elsewhere.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentry.bootstrap import App
from consentry.domain.policy import NerMode, NerPolicy
from consentry.entrypoints.cli import app as cli
from consentry.export import read_manifest
from consentry.redaction.spacy_ner import NerModelMissing, spacy_installed
from consentry.service import runs
from consentry.service.data_export import export_account
from consentry.service.training_export import export_run
from tests.conftest import require_or_skip
from tests.ner_support import require_english_model

from .conftest import Population, everything_in

NAME_TEXT = "Hi, my name is Jana Novak and I live at 12 rue des Lilas, 75011 Paris."
COMMENT = "Barack Obama would like this answer"


@pytest.fixture
def english() -> None:
    require_english_model()


def _seed(population: Population) -> str:
    account = population.user()
    session = population.chat(account, NAME_TEXT, "Nice to meet you.")
    reply = population.say(account, session, "Anything else?")
    population.feedback(account, session, reply, COMMENT)
    population.advance(seconds=5)
    return account


def test_spec4_export_replaces_names_and_addresses_r24(
    english: None, app: App, population: Population, tmp_path: Path
) -> None:
    account = _seed(population)
    run = runs.create_run(app.ctx, purpose="model_training")
    export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path), shard_rows=100, batch_rows=4)
    directory = tmp_path / run.id
    content = everything_in(directory)
    for secret in ("Jana Novak", "rue des Lilas", "75011 Paris", "Barack Obama"):
        assert secret not in content
    assert "my name is [PERSON_" in content and "I live at [ADDRESS_" in content
    stages = read_manifest(directory)["filter"]["stages"]
    assert stages[0] == "patterns" and stages[1].startswith("spacy:en_core_web_sm")
    assert stages[1].endswith("==3.8.0") and stages[2].startswith("addresses:")
    # R28: the user's own export is never filtered.
    own = json.dumps(export_account(app.ctx, account_id=account))
    assert "Jana Novak" in own and "12 rue des Lilas" in own


def test_spec4_policy_off_exports_patterns_only(
    app: App, population: Population, tmp_path: Path
) -> None:
    _seed(population)
    ctx = dataclasses.replace(
        app.ctx, policy=dataclasses.replace(app.ctx.policy, ner=NerPolicy(mode=NerMode.OFF))
    )
    run = runs.create_run(ctx, purpose="model_training")
    export_run(ctx, run_id=run.id, out_dir=str(tmp_path), shard_rows=100, batch_rows=4)
    assert read_manifest(tmp_path / run.id)["filter"]["stages"] == ["patterns"]
    assert "Jana Novak" in everything_in(tmp_path / run.id)


def test_spec4_missing_model_fails_the_export_never_unfiltered(
    app: App, population: Population, tmp_path: Path
) -> None:
    _seed(population)
    missing = NerPolicy(mode=NerMode.ON, models=("xx_not_installed_model",))
    ctx = dataclasses.replace(app.ctx, policy=dataclasses.replace(app.ctx.policy, ner=missing))
    run = runs.create_run(ctx, purpose="model_training")
    with pytest.raises(NerModelMissing) as caught:
        export_run(ctx, run_id=run.id, out_dir=str(tmp_path), shard_rows=100, batch_rows=4)
    assert caught.value.code == "ner_model_missing"
    directory = tmp_path / run.id
    assert not directory.exists() or "Jana Novak" not in everything_in(directory)
    assert not (directory / "manifest.json").exists()


def test_spec4_cli_redact_ner_flag(english: None) -> None:
    line = json.dumps({"text": "Ask Barack Obama at a@b.com"}) + "\n"
    on = CliRunner().invoke(cli, ["redact", "--ner"], input=line)
    assert on.exit_code == 0, on.output
    out = json.loads(on.stdout)
    assert out["text"] == "Ask [PERSON] at [EMAIL]"
    assert out["findings"][0] == {"type": "PERSON", "start": 4, "end": 16}
    off = CliRunner().invoke(cli, ["redact", "--no-ner"], input=line)
    assert json.loads(off.stdout)["text"] == "Ask Barack Obama at [EMAIL]"


def test_spec4_cli_redact_missing_model_exits_2(tmp_path: Path) -> None:
    require_or_skip(spacy_installed(), "spaCy (pip install 'consentry[ner]')")
    policy = tmp_path / "policy.toml"
    policy.write_text('[ner]\nmode = "on"\nmodels = ["xx_not_installed_model"]\n')
    result = CliRunner().invoke(
        cli, ["redact", "--policy", str(policy)], input='{"text": "Ask Barack Obama"}\n'
    )
    assert result.exit_code == 2
    assert "ner_model_missing" in result.output and "Barack" not in result.stdout
