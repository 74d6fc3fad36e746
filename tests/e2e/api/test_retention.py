"""Holds and the sweeper over HTTP (R12, R14–R17)."""

from __future__ import annotations

from tests.e2e.api.conftest import ADMIN, Api, User, expect


def _expired_session(api: Api) -> tuple[User, str]:
    user = api.signup("free", "off")
    sid = api.start_session(user)["session_id"]
    api.message(user, sid, "one")
    api.message(user, sid, "two", role="assistant")
    return user, sid


def test_sweep_purges_sessions_whose_retention_ended_R12_R17(api: Api) -> None:
    _, expired = _expired_session(api)
    kept = api.start_session(api.signup("free", "on"))["session_id"]
    assert api.sweep() == {"sessions": 0, "messages": 0, "feedback": 0, "scores": 0}
    api.set_clock("2025-10-02T00:00:00Z")  # 31 days later: past retention.standard
    assert api.sweep() == {"sessions": 1, "messages": 2, "feedback": 0, "scores": 0}
    assert api.sweep() == {"sessions": 0, "messages": 0, "feedback": 0, "scores": 0}  # idempotent
    path = "/v1/admin/sessions/{}/explain"
    expect(api.client.get(path.format(kept), headers=ADMIN), 200)
    assert expired != kept


def test_legal_hold_stops_purging_until_released_R16(api: Api) -> None:
    _, sid = _expired_session(api)
    body = {"session_id": sid, "kind": "legal"}
    hold_id = expect(api.client.post("/v1/admin/holds", json=body, headers=ADMIN), 201)["hold_id"]
    api.set_clock("2026-01-01T00:00:00Z")
    assert api.sweep()["sessions"] == 0
    expect(api.client.delete(f"/v1/admin/holds/{hold_id}", headers=ADMIN), 204)
    expect(api.client.delete(f"/v1/admin/holds/{hold_id}", headers=ADMIN), 404, "not_found")
    assert api.sweep()["sessions"] == 1


def test_safety_hold_keeps_content_for_the_flag_period_R16(api: Api) -> None:
    _, sid = _expired_session(api)
    body = {"session_id": sid, "kind": "safety", "scores": {"abuse": 0.97}}
    expect(api.client.post("/v1/admin/holds", json=body, headers=ADMIN), 201)
    api.set_clock("2026-09-01T00:00:00Z")  # one year: still inside retention.safety_flagged
    assert api.sweep()["sessions"] == 0
    api.set_clock("2027-09-02T00:00:00Z")  # past 730 days; the scores stay (2555 days)
    purged = api.sweep()
    assert (purged["sessions"], purged["scores"]) == (1, 0)


def test_hold_never_makes_data_eligible_for_training_R16(api: Api) -> None:
    _, sid = _expired_session(api)
    body = {"session_id": sid, "kind": "safety"}
    expect(api.client.post("/v1/admin/holds", json=body, headers=ADMIN), 201)
    run = api.create_run("model_training")
    assert sid not in api.manifest(run["run_id"])["sessions"]


def test_hold_refuses_unknown_sessions_and_kinds(api: Api) -> None:
    _, sid = _expired_session(api)
    unknown = {"session_id": "ses_nope", "kind": "legal"}
    expect(api.client.post("/v1/admin/holds", json=unknown, headers=ADMIN), 404, "not_found")
    bad = {"session_id": sid, "kind": "forever"}
    expect(api.client.post("/v1/admin/holds", json=bad, headers=ADMIN), 422, "validation_error")


def test_deleted_session_is_purged_after_the_grace_period_R14(api: Api) -> None:
    user = api.signup("free", "on")
    sid = api.start_session(user)["session_id"]
    api.message(user, sid)
    expect(api.client.delete(f"/v1/me/sessions/{sid}", headers=user.headers), 204)
    assert api.sweep()["sessions"] == 0
    api.set_clock("2025-10-01T00:00:01Z")  # deletion + retention.deleted_grace (30 days)
    assert api.sweep() == {"sessions": 1, "messages": 1, "feedback": 0, "scores": 0}


def test_deleted_account_is_purged_after_the_grace_period_R15(api: Api) -> None:
    user = api.signup("free", "on")
    sid = api.start_session(user)["session_id"]
    answer = api.message(user, sid, "a", role="assistant")
    body = {"message_id": answer["message_id"], "rating": "up"}
    path = f"/v1/me/sessions/{sid}/feedback"
    expect(api.client.post(path, json=body, headers=user.headers), 201)
    expect(api.client.delete("/v1/me", headers=user.headers), 204)
    api.set_clock("2025-10-01T00:00:01Z")
    assert api.sweep() == {"sessions": 1, "messages": 1, "feedback": 1, "scores": 0}
