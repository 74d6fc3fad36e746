"""Sessions, messages, coverage, pagination, feedback and deletion over HTTP (R1, R9–R14)."""

from __future__ import annotations

import dataclasses

from consentry.bootstrap import App
from tests.e2e.api.conftest import ADMIN, Api, client_for, expect


def test_session_covered_while_training_is_on_R9_R12(api: Api) -> None:
    user = api.signup("free", "on")
    session = api.start_session(user)
    assert session["covered"] is True
    assert session["retain_until"] == "2030-08-31T00:00:00Z"  # + retention.training_on
    message = api.message(user, session["session_id"])
    assert message["covered"] is True
    assert message["at"] == "2025-09-01T00:00:00Z"


def test_session_not_covered_while_training_is_off_R9_R12(api: Api) -> None:
    user = api.signup("free", "off")
    session = api.start_session(user)
    assert session["covered"] is False
    assert session["retain_until"] == "2025-10-01T00:00:00Z"  # + retention.standard


def test_incognito_session_is_never_covered_R11(api: Api) -> None:
    user = api.signup("free", "on")
    session = api.start_session(user, incognito=True)
    assert session["covered"] is False
    assert api.message(user, session["session_id"])["covered"] is False


def test_consumer_account_on_a_commercial_surface_is_not_covered_R1(api: Api) -> None:
    user = api.signup("pro", "on")
    sid = api.start_session(user, surface="api")["session_id"]
    detail = expect(api.client.get(f"/v1/me/sessions/{sid}", headers=user.headers), 200)
    assert detail["scope"] == "commercial"
    assert detail["covered"] is False


def test_coding_session_of_a_consumer_is_consumer_scoped_R1(api: Api) -> None:
    user = api.signup("pro", "on")
    sid = api.start_session(user, kind="code")["session_id"]
    detail = expect(api.client.get(f"/v1/me/sessions/{sid}", headers=user.headers), 200)
    assert (detail["kind"], detail["surface"], detail["scope"]) == ("code", "code", "consumer")
    assert detail["covered"] is True


def test_old_session_is_covered_only_when_resumed_R10(api: Api) -> None:
    user = api.signup("free", "off")
    sid = api.start_session(user)["session_id"]
    api.message(user, sid, "before")
    api.choose(user, "on")
    detail = expect(api.client.get(f"/v1/me/sessions/{sid}", headers=user.headers), 200)
    assert detail["covered"] is False  # no activity since training was turned on
    untouched = api.create_run()
    assert sid not in api.manifest(untouched["run_id"])["sessions"]
    assert api.message(user, sid, "resumed")["covered"] is True
    detail = expect(api.client.get(f"/v1/me/sessions/{sid}", headers=user.headers), 200)
    assert detail["covered"] is True
    assert [m["covered"] for m in detail["messages"]] == [False, True]
    resumed = api.create_run()
    assert sid in api.manifest(resumed["run_id"])["sessions"]


def test_session_list_is_a_plain_array_without_paging_parameters(api: Api) -> None:
    user = api.signup()
    ids = [api.start_session(user)["session_id"] for _ in range(3)]
    listed = expect(api.client.get("/v1/me/sessions", headers=user.headers), 200)
    assert isinstance(listed, list)
    assert [s["session_id"] for s in listed] == list(reversed(ids))  # newest first


def test_session_list_paginates_with_limit_and_cursor(api: Api) -> None:
    user = api.signup()
    ids = [api.start_session(user)["session_id"] for _ in range(3)]
    first = expect(api.client.get("/v1/me/sessions?limit=2", headers=user.headers), 200)
    assert [s["session_id"] for s in first["items"]] == [ids[2], ids[1]]
    assert first["next_cursor"]
    path = f"/v1/me/sessions?limit=2&cursor={first['next_cursor']}"
    second = expect(api.client.get(path, headers=user.headers), 200)
    assert [s["session_id"] for s in second["items"]] == [ids[0]]
    assert second["next_cursor"] is None


def test_session_list_refuses_bad_paging_parameters(api: Api) -> None:
    user = api.signup()
    for query in ("limit=0", "limit=201", "limit=x", "cursor=!!!", "cursor=bm90LWEtc2Vzc2lvbg"):
        response = api.client.get(f"/v1/me/sessions?{query}", headers=user.headers)
        expect(response, 422, "validation_error")


def test_session_detail_lists_messages_oldest_first(api: Api) -> None:
    user = api.signup()
    sid = api.start_session(user)["session_id"]
    first = api.message(user, sid, "question")
    second = api.message(user, sid, "answer", role="assistant")
    detail = expect(api.client.get(f"/v1/me/sessions/{sid}", headers=user.headers), 200)
    assert [(m["message_id"], m["role"], m["content"]) for m in detail["messages"]] == [
        (first["message_id"], "user", "question"),
        (second["message_id"], "assistant", "answer"),
    ]


def test_feedback_rates_an_assistant_message_R13(api: Api) -> None:
    user = api.signup()
    sid = api.start_session(user)["session_id"]
    question = api.message(user, sid, "q")
    answer = api.message(user, sid, "a", role="assistant")
    path = f"/v1/me/sessions/{sid}/feedback"
    body = {"message_id": answer["message_id"], "rating": "up", "comment": "good"}
    created = expect(api.client.post(path, json=body, headers=user.headers), 201)
    assert created["feedback_id"].startswith("fbk_")
    on_question = {"message_id": question["message_id"], "rating": "up"}
    expect(api.client.post(path, json=on_question, headers=user.headers), 422, "validation_error")
    unknown = {"message_id": "msg_nope", "rating": "up"}
    expect(api.client.post(path, json=unknown, headers=user.headers), 404, "not_found")
    bad_rating = {"message_id": answer["message_id"], "rating": "meh"}
    expect(api.client.post(path, json=bad_rating, headers=user.headers), 422, "validation_error")


def test_feedback_enters_runs_while_training_is_on_R23(api: Api) -> None:
    user = api.signup()
    sid = api.start_session(user)["session_id"]
    answer = api.message(user, sid, "a", role="assistant")
    body = {"message_id": answer["message_id"], "rating": "up"}
    path = f"/v1/me/sessions/{sid}/feedback"
    feedback_id = expect(api.client.post(path, json=body, headers=user.headers), 201)["feedback_id"]
    run = api.create_run()
    assert run["counts"]["feedback"] == 1
    assert api.manifest(run["run_id"])["feedback"] == [feedback_id]


def test_deleted_session_is_gone_from_every_read_R14(api: Api) -> None:
    user = api.signup()
    sid = api.start_session(user)["session_id"]
    keep = api.start_session(user)["session_id"]
    h = user.headers
    expect(api.client.delete(f"/v1/me/sessions/{sid}", headers=h), 204)
    expect(api.client.get(f"/v1/me/sessions/{sid}", headers=h), 404, "not_found")
    expect(api.client.delete(f"/v1/me/sessions/{sid}", headers=h), 404, "not_found")
    body = {"role": "user", "content": "x"}
    path = f"/v1/me/sessions/{sid}/messages"
    expect(api.client.post(path, json=body, headers=h), 404, "not_found")
    listed = expect(api.client.get("/v1/me/sessions", headers=h), 200)
    assert [s["session_id"] for s in listed] == [keep]
    export = expect(api.client.get("/v1/me/export", headers=h), 200)
    assert [s["session_id"] for s in export["sessions"]] == [keep]
    run = api.create_run()
    assert api.manifest(run["run_id"])["sessions"] == [keep]


def test_oversized_message_refused_413_too_large(api: Api) -> None:
    user = api.signup()
    sid = api.start_session(user)["session_id"]
    body = {"role": "user", "content": "x" * 200_001}
    path = f"/v1/me/sessions/{sid}/messages"
    expect(api.client.post(path, json=body, headers=user.headers), 413, "too_large")


def test_unknown_session_fields_are_refused(api: Api) -> None:
    user = api.signup()
    for body in ({"kind": "voice"}, {"kind": "chat", "surface": "fax"}, {"kind": "chat", "x": 1}):
        response = api.client.post("/v1/me/sessions", json=body, headers=user.headers)
        expect(response, 422, "validation_error")
    expect(api.client.post("/v1/me/sessions", json={"kind": "chat"}, headers=ADMIN), 401)


def test_message_limit_is_configurable(core: App) -> None:
    """CONSENTRY_MAX_MESSAGE_CHARS: the service refuses longer messages and comments, 413."""
    from consentry.bootstrap import build

    settings = dataclasses.replace(core.settings, max_message_chars=10)
    small = build(settings, migrate=False, clock=core.ctx.clock, policy=core.ctx.policy)
    with client_for(small) as client:
        api = Api(client)
        user = api.signup()
        sid = api.start_session(user)["session_id"]
        path = f"/v1/me/sessions/{sid}/messages"
        expect(
            client.post(path, json={"role": "user", "content": "x" * 10}, headers=user.headers), 201
        )
        refused = client.post(
            path, json={"role": "user", "content": "x" * 11}, headers=user.headers
        )
        body = expect(refused, 413, "too_large")
        assert "10 characters" in body["error"]["message"]
    small.engine.dispose()
