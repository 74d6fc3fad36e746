"""The Spark export runs the same NER stage as the embedded one (SPEC §4, §5; R24, R25).

Texts with names and street addresses, exported by both paths with the stage on: identical
rows and manifests (which name the model and its version), and no name left. The model is
loaded once per executor process from the name the policy gives (the stage pickles as its
settings). Needs pyspark with Java and spaCy with en_core_web_sm: fails under CI=true
without them, skips elsewhere.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.policy import DEFAULT_POLICY
from consentry.domain.types import Author
from consentry.service import accounts, sessions
from tests.conftest import BEFORE_DEADLINE
from tests.ner_support import require_english_model
from tests.spark.test_equivalence import SECRET_KEY, World, both_runs, read_rows

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")

TEXTS = (
    "Hi, I am Jana Novak and I live at 12 rue des Lilas, 75011 Paris.",
    "Barack Obama and Angela Merkel met in Berlin.",
    "plain words, no capitals here",
    "My landlord Peter Schmidt lives at Hauptstraße 5, 10115 Berlin.",
    "mail jane.doe@example.com, ask for Maria Garcia",
)


@pytest.fixture(scope="module")
def ner_world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    require_english_model()
    root = tmp_path_factory.mktemp("spark_ner_world")
    db = root / "consentry.db"
    shutil.copy(sqlite_template, db)
    clock = TestClock(BEFORE_DEADLINE)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CONSENTRY_SECRET_KEY", SECRET_KEY)
        app = build(Settings(database_url=f"sqlite:///{db}"), migrate=False, clock=clock)
        world = World(app, clock, str(root / "lake"), root)
        for i in range(6):
            account = accounts.sign_up(app.ctx, plan="pro", training="on").account_id
            session = sessions.start_session(app.ctx, account_id=account, kind="chat").session.id
            reply = ""
            for j in range(4):
                role = "user" if j % 2 == 0 else "assistant"
                reply = sessions.add_message(
                    app.ctx,
                    account_id=account,
                    session_id=session,
                    role=role,
                    content=TEXTS[(i + j) % len(TEXTS)],
                    author=Author.ACCOUNT if role == "user" else Author.SERVICE,
                ).id
            sessions.give_feedback(
                app.ctx,
                account_id=account,
                session_id=session,
                message_id=reply,
                rating="up",
                comment=TEXTS[i % len(TEXTS)],
            )
        world.export_lake()
        yield world
        app.engine.dispose()


def test_spec4_spark_export_with_ner_equals_embedded_r24_r25(spark: Any, ner_world: World) -> None:
    from consentry.export.manifest import read_manifest, verify_export
    from consentry.service.training_export import export_run as embedded_export
    from consentry.spark.export import export_run as spark_export

    world = ner_world
    embedded, run = both_runs(spark, world, policy=DEFAULT_POLICY, purpose="model_training")
    a, b = world.root / "embedded", world.root / "spark"
    embedded_export(world.app.ctx, run_id=embedded.id, out_dir=str(a), shard_rows=40, batch_rows=8)
    spark_export(
        spark,
        lake=world.lake,
        run_id=run.id,
        out_dir=str(b),
        shard_rows=40,
        batch_rows=8,
        ner=DEFAULT_POLICY.ner,
    )
    da, db = a / embedded.id, b / embedded.id
    assert verify_export(db) == []
    for kind in ("messages", "feedback"):
        assert read_rows(da, kind) == read_rows(db, kind), kind
    texts = " ".join(r["text"] for r in read_rows(db, "messages"))
    texts += " ".join(r["comment"] or "" for r in read_rows(db, "feedback"))
    for name in ("Jana Novak", "Obama", "Merkel", "Peter Schmidt", "Maria Garcia", "rue des"):
        assert name not in texts
    assert "[PERSON_" in texts and "[ADDRESS_" in texts
    ma, mb = read_manifest(da), read_manifest(db)
    assert ma["filter"] == mb["filter"]
    assert mb["filter"]["stages"][1].startswith("spacy:en_core_web_sm")
    ma.pop("shards"), mb.pop("shards")
    assert ma == mb
