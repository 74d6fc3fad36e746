"""Issue 18, polish: audits are stored with their time and the ledger head they saw, run
on demand (POST) and once in the background after a run is created (R26)."""

from __future__ import annotations

from consentry.bootstrap import App
from consentry.service import audits
from tests.e2e.api.conftest import ADMIN, Api, expect


def test_a_new_run_is_audited_in_the_background_and_stored_R26(api: Api, core: App) -> None:
    user = api.signup("free", "on")
    session = api.start_session(user)
    api.message(user, session["session_id"], "hello")
    run = api.create_run()
    stored = audits.latest_audits(core.ctx, run_ids=[run["run_id"]])
    record = stored[run["run_id"]]
    assert record.ok and record.checked_sessions == 1
    verify = expect(api.client.get("/v1/admin/ledger/verify", headers=ADMIN), 200)
    assert record.ledger_head == verify["head"]


def test_audit_on_demand_is_stored_with_its_time_and_ledger_head_R26(api: Api, core: App) -> None:
    api.signup("pro", "on")
    run = api.create_run()
    api.set_clock("2025-09-02T00:00:00Z")
    answer = expect(
        api.client.post(f"/v1/admin/training-runs/{run['run_id']}/audit", headers=ADMIN), 200
    )
    assert answer["run_id"] == run["run_id"]
    assert answer["ok"] is True
    assert answer["findings"] == []
    assert answer["audited_at"] == "2025-09-02T00:00:00Z"
    # The head the audit saw: the run's own `run_manifest` event follows the run's head.
    verify = expect(api.client.get("/v1/admin/ledger/verify", headers=ADMIN), 200)
    assert answer["ledger_head"] == verify["head"]
    latest = audits.latest_audits(core.ctx, run_ids=[run["run_id"]])[run["run_id"]]
    assert latest.id == answer["audit_id"]


def test_audit_of_an_unknown_run_is_not_found(api: Api) -> None:
    expect(api.client.post("/v1/admin/training-runs/run_nope/audit", headers=ADMIN), 404)
