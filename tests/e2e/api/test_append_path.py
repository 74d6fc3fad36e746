"""The message append's own path (issue 22): the token is looked up inside the append's
transaction, so every refusal the general `current_account` dependency gives must still
come from it, on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.e2e.api.conftest import Api, expect
from tests.e2e.api.test_abuse_limits import limited, time_  # noqa: F401 (fixtures)

BODY = {"role": "user", "content": "hello"}


def _session(api: Api, headers: dict[str, str]) -> str:
    made = expect(api.client.post("/v1/me/sessions", json={"kind": "chat"}, headers=headers), 201)
    return str(made["session_id"])


def test_a_dead_or_rotated_token_cannot_append_R15(api: Api) -> None:
    user = api.signup()
    path = f"/v1/me/sessions/{_session(api, user.headers)}/messages"
    expect(api.client.post(path, json=BODY, headers=user.headers), 201)
    rotated = expect(api.client.post("/v1/me/tokens/rotate", headers=user.headers), 200)
    expect(api.client.post(path, json=BODY, headers=user.headers), 401, "unauthenticated")
    new = {"Authorization": f"Bearer {rotated['token']}"}
    added = expect(api.client.post(path, json=BODY, headers=new), 201)
    assert set(added) == {"message_id", "at", "covered"}
    expect(api.client.delete("/v1/me", headers=new), 204)
    expect(api.client.post(path, json=BODY, headers=new), 401, "unauthenticated")
    expect(api.client.post(path, json=BODY), 401, "unauthenticated")


def test_another_accounts_session_is_not_found_and_gets_nothing_R9(api: Api) -> None:
    owner, other = api.signup(), api.signup()
    sid = _session(api, owner.headers)
    path = f"/v1/me/sessions/{sid}/messages"
    expect(api.client.post(path, json=BODY, headers=other.headers), 404, "not_found")
    detail = expect(api.client.get(f"/v1/me/sessions/{sid}", headers=owner.headers), 200)
    assert detail["messages"] == []


def test_an_append_with_the_gpc_signal_is_answered_P5(api: Api) -> None:
    user = api.signup()
    path = f"/v1/me/sessions/{_session(api, user.headers)}/messages"
    headers = {**user.headers, "Sec-GPC": "1"}
    added = expect(api.client.post(path, json=BODY, headers=headers), 201)
    detail = expect(api.client.get(path.removesuffix("/messages"), headers=user.headers), 200)
    assert [m["message_id"] for m in detail["messages"]] == [added["message_id"]]


def test_wrong_tokens_on_the_append_count_against_the_address(limited) -> None:  # type: ignore[no-untyped-def]
    """Issue 17 item 4: failed credentials count, and an address over its allowance is
    refused before its token is looked at, on the append's own path too."""
    attacker, _operator = limited
    guess = {"Authorization": "Bearer not-a-token"}
    path = "/v1/me/sessions/ses_x/messages"
    for _ in range(20):
        expect(attacker.post(path, json=BODY, headers=guess), 401, "unauthenticated")
    expect(attacker.post(path, json=BODY, headers=guess), 429, "rate_limited")


def test_a_wrong_token_is_refused_before_the_body_is_judged_R15(api: Api) -> None:
    """Every other route authenticates before it validates the body: a caller with a
    wrong token learns only 401, whatever it sends, and the failure counts (issue 17)."""
    user = api.signup()
    path = f"/v1/me/sessions/{_session(api, user.headers)}/messages"
    guess = {"Authorization": "Bearer not-a-token"}
    invalid = {"role": "nobody", "content": 7}
    expect(api.client.post(path, json=invalid, headers=guess), 401, "unauthenticated")
    expect(api.client.post("/v1/me/sessions", json={"kind": 7}, headers=guess), 401)
    expect(api.client.post(path, json=invalid, headers=user.headers), 422, "validation_error")
