"""Training runs, explanations, audits and the ledger over HTTP (R19–R27)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from consentry.bootstrap import App
from tests.e2e.api.conftest import ADMIN, Api, client_for, expect


def test_purpose_not_permitted_R19(api: Api) -> None:
    for purpose in ("advertising", "resale", ""):
        response = api.client.post(
            "/v1/admin/training-runs", json={"purpose": purpose}, headers=ADMIN
        )
        expect(response, 422, "purpose_not_permitted")


def test_run_holds_only_covered_consumer_data_R20(api: Api) -> None:
    on = api.signup("free", "on")
    covered = api.start_session(on)["session_id"]
    api.message(on, covered)
    api.start_session(on, incognito=True)
    api.start_session(api.signup("free", "off"))
    api.start_session(api.signup("team", None))
    api.start_session(api.import_account())
    run = api.create_run()
    assert run["purpose"] == "model_training"
    assert run["status"] == "created"
    assert run["cutoff"] == "2025-09-01T00:00:00Z"
    assert run["counts"] == {"sessions": 1, "messages": 1, "feedback": 0}
    assert api.manifest(run["run_id"]) == {
        "run_id": run["run_id"],
        "sessions": [covered],
        "feedback": [],
    }


def test_opt_out_removes_data_from_later_runs_only_R21(api: Api) -> None:
    user = api.signup("free", "on")
    sid = api.start_session(user)["session_id"]
    before = api.create_run()
    api.choose(user, "off")
    after = api.create_run()
    assert api.manifest(before["run_id"])["sessions"] == [sid]
    assert api.manifest(after["run_id"])["sessions"] == []
    mine = expect(api.client.get("/v1/me/training-runs", headers=user.headers), 200)
    assert mine == [
        {"run_id": before["run_id"], "purpose": "model_training", "cutoff": before["cutoff"]}
    ]


def test_session_deletion_removes_it_from_later_runs_only_R14_R21(api: Api) -> None:
    user = api.signup("free", "on")
    sid = api.start_session(user)["session_id"]
    before = api.create_run()
    expect(api.client.post(f"/v1/admin/training-runs/{before['run_id']}/start", headers=ADMIN), 200)
    expect(api.client.delete(f"/v1/me/sessions/{sid}", headers=user.headers), 204)
    after = api.create_run()
    assert api.manifest(before["run_id"])["sessions"] == [sid]
    assert api.manifest(after["run_id"])["sessions"] == []


def test_run_starts_once_R21(api: Api) -> None:
    run_id = api.create_run()["run_id"]
    path = f"/v1/admin/training-runs/{run_id}/start"
    started = expect(api.client.post(path, headers=ADMIN), 200)
    assert (started["run_id"], started["status"]) == (run_id, "started")
    expect(api.client.post(path, headers=ADMIN), 409, "invalid_state")
    one = expect(api.client.get(f"/v1/admin/training-runs/{run_id}", headers=ADMIN), 200)
    assert one["status"] == "started"


def test_unknown_run_is_not_found(api: Api) -> None:
    for method, suffix in (
        ("GET", ""),
        ("GET", "/manifest"),
        ("POST", "/start"),
        ("GET", "/audit"),
    ):
        response = api.client.request(
            method, f"/v1/admin/training-runs/run_nope{suffix}", headers=ADMIN
        )
        expect(response, 404, "not_found")


def test_runs_are_listed(api: Api) -> None:
    first = api.create_run()["run_id"]
    second = api.create_run("safety_classifiers")["run_id"]
    listed = expect(api.client.get("/v1/admin/training-runs", headers=ADMIN), 200)
    assert {r["run_id"]: r["purpose"] for r in listed} == {
        first: "model_training",
        second: "safety_classifiers",
    }


def test_audit_of_an_untouched_run_finds_nothing_R26(api: Api) -> None:
    user = api.signup("free", "on")
    api.message(user, api.start_session(user)["session_id"])
    api.start_session(api.signup("free", "off"))
    run_id = api.create_run()["run_id"]
    api.choose(user, "off")  # later events do not change what was right at the cutoff
    audit = expect(api.client.get(f"/v1/admin/training-runs/{run_id}/audit", headers=ADMIN), 200)
    assert audit["ok"] is True, audit["findings"]
    assert audit["checked_sessions"] == 2
    assert audit["findings"] == []


def test_explain_lists_each_rule_with_pass_or_fail_R26(api: Api) -> None:
    on = api.signup("free", "on")
    sid = api.start_session(on)["session_id"]
    path = f"/v1/admin/sessions/{sid}/explain"
    result = expect(api.client.get(path, params={"purpose": "model_training"}, headers=ADMIN), 200)
    assert result["eligible"] is True
    assert result["checks"]
    assert all(c["passed"] for c in result["checks"])
    earlier = {"purpose": "model_training", "at": "2025-08-01T00:00:00Z"}
    result = expect(api.client.get(path, params=earlier, headers=ADMIN), 200)
    assert result["eligible"] is False
    assert any(not c["passed"] for c in result["checks"])
    bad = {"purpose": "marketing"}
    expect(api.client.get(path, params=bad, headers=ADMIN), 422, "purpose_not_permitted")
    unknown = "/v1/admin/sessions/ses_nope/explain"
    expect(api.client.get(unknown, headers=ADMIN), 404, "not_found")


def test_ledger_verifies_R27(api: Api) -> None:
    user = api.signup("free", "on")
    api.choose(user, "off")
    result = expect(api.client.get("/v1/admin/ledger/verify", headers=ADMIN), 200)
    assert result["ok"] is True
    assert result["events"] == 2
    assert len(result["head"]) == 64


@contextmanager
def _run_with_an_email(core: App, tmp_path: Path) -> Iterator[tuple[TestClient, str, str, str]]:
    """A client exporting under tmp_path, and a run holding one chat with an e-mail:
    (client, account id, session id, run id)."""
    settings = dataclasses.replace(core.settings, export_dir=str(tmp_path / "exports"))
    with client_for(dataclasses.replace(core, settings=settings)) as client:
        api = Api(client)
        user = api.signup("free", "on")
        sid = api.start_session(user)["session_id"]
        api.message(user, sid, "mail me at jane.doe@example.com")
        yield client, user.account_id, sid, api.create_run()["run_id"]


def test_export_writes_filtered_shards_and_a_manifest_R24_R25(core: App, tmp_path: Path) -> None:
    with _run_with_an_email(core, tmp_path) as (client, account_id, sid, run_id):
        path = f"/v1/admin/training-runs/{run_id}/export"
        result = expect(client.post(path, json={"format": "jsonl"}, headers=ADMIN), 200)
        assert Path(result["directory"]).is_absolute()
        names = [Path(f["path"]).name for f in result["files"]]
        assert "manifest.json" in names
        text = ""
        for file in result["files"]:
            content = Path(file["path"]).read_bytes()
            assert Path(file["path"]).is_absolute()
            assert hashlib.sha256(content).hexdigest() == file["sha256"]
            text += content.decode()
        assert "jane.doe@example.com" not in text
        assert sid not in text and account_id not in text
        again = expect(client.post(path, json={"format": "jsonl"}, headers=ADMIN), 200)
        assert [f["sha256"] for f in again["files"]] == [f["sha256"] for f in result["files"]]
        parquet = expect(client.post(path, headers=ADMIN), 200)
        assert any(f["path"].endswith(".parquet") for f in parquet["files"])
        missing = "/v1/admin/training-runs/run_nope/export"
        expect(client.post(missing, headers=ADMIN), 404, "not_found")
        bad = client.post(path, json={"format": "csv"}, headers=ADMIN)
        expect(bad, 422, "validation_error")


def test_a_failing_filter_exports_nothing_R24(
    core: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filter fails closed: the export answers 500 `redaction_failed`, no manifest."""
    from consentry.redaction import Redactor
    from consentry.redaction.errors import RedactionError

    def broken(self: Redactor, text: str) -> None:
        raise RedactionError("a detector crashed")

    with _run_with_an_email(core, tmp_path) as (client, _, _, run_id):
        monkeypatch.setattr(Redactor, "redact", broken)
        answer = client.post(f"/v1/admin/training-runs/{run_id}/export", headers=ADMIN)
        body = expect(answer, 500, "redaction_failed")
        assert "jane.doe" not in body["error"]["message"]
    assert not list((tmp_path / "exports").rglob("manifest.json"))


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_run_that_cannot_get_past_a_stuck_writer_answers_503_busy_R20(
    api: Api, core: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: creating a run waits for writers in flight; past the limit it answers
    503 `busy` with Retry-After and creates nothing, and the next try succeeds."""
    from consentry.adapters.sql import uow as uow_module

    monkeypatch.setattr(uow_module, "RUN_BARRIER_WAIT_S", 0.3)
    api.signup()
    with uow_module.SqlUnitOfWork(core.engine):  # a writer that does not finish
        answer = api.client.post(
            "/v1/admin/training-runs", json={"purpose": "model_training"}, headers=ADMIN
        )
    body = expect(answer, 503, "busy")
    assert "try again" in body["error"]["message"]
    assert answer.headers["retry-after"] == "5"
    assert expect(api.client.get("/v1/admin/training-runs", headers=ADMIN), 200) == []
    assert api.create_run()["counts"]["sessions"] == 0
