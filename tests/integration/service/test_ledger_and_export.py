"""R27 (ledger tampering, via `consentry ledger verify`) and R28 (the user's export)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from consentry.entrypoints.cli import app as cli
from consentry.service import ledger, runs, sessions
from consentry.service.data_export import export_account
from tests.integration.service.conftest import World
from tests.integration.service.test_runs import _tamper_ledger


def _populate(world: World) -> None:
    for training in ("on", "off", "on"):
        uid = world.user(training=training)
        world.choose(uid, "off" if training == "on" else "on")
    world.imported()


def _verify(world: World) -> tuple[int, dict[str, object]]:
    url = world.app.settings.database_url
    result = CliRunner().invoke(cli, ["ledger", "verify", "--database-url", url])
    return result.exit_code, json.loads(result.stdout)


def test_intact_ledger_verifies_R27(world: World) -> None:
    _populate(world)
    code, body = _verify(world)
    assert code == 0 and body["ok"] is True and body["events"] == 6
    assert ledger.verify_ledger(world.ctx).ok


def test_ledger_is_append_only_in_the_database_R27(world: World) -> None:
    _populate(world)
    with pytest.raises(Exception, match="append-only"), world.app.engine.begin() as conn:
        conn.execute(text("UPDATE consent_events SET value = 'on' WHERE seq = 2"))


@pytest.mark.parametrize(
    ("statement", "first_bad"),
    [
        ("UPDATE consent_events SET value = 'on' WHERE seq = 2", 2),
        ("DELETE FROM consent_events WHERE seq = 3", 4),
        (
            "UPDATE consent_events SET seq = -seq WHERE seq IN (4, 5);"
            "UPDATE consent_events SET seq = CASE seq WHEN -4 THEN 5 ELSE 4 END WHERE seq < 0",
            4,
        ),
        ("DELETE FROM consent_events WHERE seq = 6", 6),
    ],
    ids=["edit", "delete", "reorder", "delete-tail"],
)
def test_tampering_fails_verify_and_names_first_bad_event_R27(
    world: World, statement: str, first_bad: int
) -> None:
    _populate(world)
    for part in statement.split(";"):
        _tamper_ledger(world, part)
    code, body = _verify(world)
    assert code == 1 and body["ok"] is False
    assert body["first_bad_seq"] == first_bad, body


def test_export_holds_everything_about_the_user_R28(world: World) -> None:
    uid = world.user(training="on")
    sid = world.chat(uid, "hi there")
    mid = world.say(uid, sid, "answer", role="assistant")
    sessions.give_feedback(world.ctx, account_id=uid, session_id=sid, message_id=mid, rating="up")
    run = runs.create_run(world.ctx, purpose="model_training")
    doc = export_account(world.ctx, account_id=uid)
    assert set(doc) == {
        "account",
        "privacy",
        "consent_history",
        "sessions",
        "feedback",
        "training_runs",
    }
    assert doc["privacy"]["training"] == "on"
    assert doc["consent_history"][0]["receipt"]["principal"] == uid
    assert [m["content"] for m in doc["sessions"][0]["messages"]] == ["hi there", "answer"]
    assert doc["feedback"][0]["rating"] == "up"
    proof = doc["training_runs"][0].pop("membership_proof")
    assert doc["training_runs"] == [
        {"run_id": run.id, "purpose": "model_training", "cutoff": doc["training_runs"][0]["cutoff"]}
    ]
    # Issue 21 item 4: the export proves the user's session is in the run.
    assert proof["run_id"] == run.id
    assert [(i["id"], i["member"]) for i in proof["items"]] == [(sid, True)]
    json.dumps(doc)  # machine-readable as is


def test_export_never_includes_other_users_or_deleted_sessions_R28(world: World) -> None:
    uid, other = world.user(), world.user()
    world.chat(other, "not yours")
    gone = world.chat(uid, "deleted")
    sessions.delete_session(world.ctx, account_id=uid, session_id=gone)
    doc = export_account(world.ctx, account_id=uid)
    assert doc["sessions"] == []
