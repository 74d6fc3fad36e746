"""Sign-up, the notice, privacy settings, history, export and account deletion over HTTP."""

from __future__ import annotations

from tests.e2e.api.conftest import ADMIN, AFTER_DEADLINE, DEADLINE, Api, TestClient, expect


def test_signup_with_a_choice_answers_account_id_and_token_R4(api: Api) -> None:
    user = api.signup("pro", "off")
    assert user.account_id.startswith("acc_")
    assert len(user.token) >= 43  # 256 random bits, base64url
    privacy = expect(api.client.get("/v1/me/privacy", headers=user.headers), 200)
    assert privacy["training"] == "off"
    assert privacy["notice"] is None
    assert privacy["terms_version_accepted"] == "2025-08-28"


def test_signup_without_choice_refused_for_consumer_plans_R4(client: TestClient) -> None:
    expect(client.post("/v1/accounts", json={"plan": "free"}), 422, "choice_required")


def test_signup_with_unknown_plan_is_a_validation_error(client: TestClient) -> None:
    response = client.post("/v1/accounts", json={"plan": "platinum", "training": "on"})
    expect(response, 422, "validation_error")


def test_commercial_account_has_no_choice_R2(api: Api) -> None:
    user = api.signup("team", None)
    privacy = expect(api.client.get("/v1/me/privacy", headers=user.headers), 200)
    assert privacy["scope"] == "commercial"
    assert privacy["training"] == "not_applicable"
    assert privacy["notice"] is None
    assert privacy["retention_days"] == 30


def test_commercial_choice_change_is_not_applicable_R2(api: Api) -> None:
    user = api.signup("enterprise", None)
    put = api.client.put("/v1/me/privacy", json={"training": "on"}, headers=user.headers)
    expect(put, 409, "not_applicable")
    defer = api.client.post("/v1/me/notice/defer", headers=user.headers)
    expect(defer, 409, "not_applicable")


def test_imported_account_has_a_pending_notice_R5(api: Api) -> None:
    user = api.import_account("free")
    privacy = expect(api.client.get("/v1/me/privacy", headers=user.headers), 200)
    assert privacy["training"] == "unset"
    assert privacy["notice"] == {
        "terms_version": "2025-08-28",
        "deadline": DEADLINE,
        "can_defer": True,
        "default_training": "on",
    }
    assert privacy["blocked"] is False


def test_deferral_is_recorded_and_notice_stays_pending_R6(api: Api) -> None:
    user = api.import_account()
    privacy = expect(api.client.post("/v1/me/notice/defer", headers=user.headers), 200)
    assert privacy["notice"]["can_defer"] is True
    history = expect(api.client.get("/v1/me/consent-history", headers=user.headers), 200)
    assert [(h["type"], h["value"], h["source"]) for h in history] == [("deferral", None, "notice")]


def test_deferral_refused_after_deadline_R6(api: Api) -> None:
    user = api.import_account()
    api.set_clock(AFTER_DEADLINE)
    response = api.client.post("/v1/me/notice/defer", headers=user.headers)
    expect(response, 409, "deadline_passed")


def test_blocked_after_deadline_until_the_user_chooses_R7(api: Api) -> None:
    user = api.import_account()
    session = api.start_session(user)
    sid = session["session_id"]
    reply = api.message(user, sid, "answer", role="assistant")
    api.set_clock(AFTER_DEADLINE)
    h = user.headers
    c = api.client
    expect(c.post("/v1/me/sessions", json={"kind": "chat"}, headers=h), 403, "choice_required")
    body = {"role": "user", "content": "more"}
    expect(c.post(f"/v1/me/sessions/{sid}/messages", json=body, headers=h), 403, "choice_required")
    feedback = {"message_id": reply["message_id"], "rating": "up"}
    expect(
        c.post(f"/v1/me/sessions/{sid}/feedback", json=feedback, headers=h), 403, "choice_required"
    )
    # Reading, choosing, exporting and deleting are never blocked.
    privacy = expect(c.get("/v1/me/privacy", headers=h), 200)
    assert privacy["blocked"] is True
    assert privacy["notice"]["can_defer"] is False
    expect(c.get("/v1/me/sessions", headers=h), 200)
    expect(c.get(f"/v1/me/sessions/{sid}", headers=h), 200)
    expect(c.get("/v1/me/export", headers=h), 200)
    expect(c.get("/v1/me/consent-history", headers=h), 200)
    expect(c.delete(f"/v1/me/sessions/{sid}", headers=h), 204)
    privacy = expect(c.post("/v1/me/notice/accept", json={"training": "off"}, headers=h), 200)
    assert privacy["blocked"] is False
    assert privacy["training"] == "off"
    api.start_session(user)


def test_blocked_account_can_always_delete_itself_R7_R15(api: Api) -> None:
    user = api.import_account()
    api.set_clock(AFTER_DEADLINE)
    expect(api.client.delete("/v1/me", headers=user.headers), 204)


def test_choice_change_takes_effect_at_once_R8(api: Api) -> None:
    user = api.signup("max", "on")
    assert api.start_session(user)["covered"] is True
    privacy = api.choose(user, "off")
    assert privacy["training"] == "off"
    assert privacy["retention_days"] == 30
    assert api.start_session(user)["covered"] is False
    history = expect(api.client.get("/v1/me/consent-history", headers=user.headers), 200)
    assert [(h["type"], h["value"], h["source"]) for h in history] == [
        ("choice", "on", "signup"),
        ("choice", "off", "settings"),
    ]
    assert all(h["terms_version"] == "2025-08-28" for h in history)


def test_consent_receipts_carry_the_core_fields_R27(api: Api) -> None:
    user = api.signup("free", "on")
    receipts = expect(api.client.get("/v1/me/consent-receipts", headers=user.headers), 200)
    assert len(receipts) == 1
    assert isinstance(receipts[0], dict)
    assert receipts[0]


def test_export_holds_everything_about_the_user_R28(api: Api) -> None:
    user = api.signup("free", "on")
    sid = api.start_session(user)["session_id"]
    reply = api.message(user, sid, "the answer", role="assistant")
    feedback = {"message_id": reply["message_id"], "rating": "down", "comment": "wrong"}
    path = f"/v1/me/sessions/{sid}/feedback"
    expect(api.client.post(path, json=feedback, headers=user.headers), 201)
    run = api.create_run()
    document = expect(api.client.get("/v1/me/export", headers=user.headers), 200)
    assert set(document) >= {
        "account",
        "privacy",
        "consent_history",
        "sessions",
        "feedback",
        "training_runs",
    }
    assert document["account"]["account_id"] == user.account_id
    assert document["sessions"][0]["messages"][0]["content"] == "the answer"
    assert document["feedback"][0]["comment"] == "wrong"
    assert [r["run_id"] for r in document["training_runs"]] == [run["run_id"]]


def test_account_deletion_kills_the_token_and_leaves_later_runs_R15(api: Api) -> None:
    user = api.signup("free", "on")
    sid = api.start_session(user)["session_id"]
    before = api.create_run()
    expect(api.client.delete("/v1/me", headers=user.headers), 204)
    expect(api.client.get("/v1/me/privacy", headers=user.headers), 401, "unauthenticated")
    expect(api.client.delete("/v1/me", headers=user.headers), 401, "unauthenticated")
    after = api.create_run()
    assert sid in api.manifest(before["run_id"])["sessions"]
    assert sid not in api.manifest(after["run_id"])["sessions"]


def test_admin_import_may_carry_a_prior_choice(api: Api) -> None:
    body = {"plan": "pro", "training": "off"}
    data = expect(api.client.post("/v1/admin/accounts", json=body, headers=ADMIN), 201)
    headers = {"Authorization": f"Bearer {data['token']}"}
    privacy = expect(api.client.get("/v1/me/privacy", headers=headers), 200)
    assert privacy["training"] == "off"
    assert privacy["notice"] is None
