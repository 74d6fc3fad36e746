"""Who writes assistant messages (issue 17 item 7), through the API on both stores.

On the code before: an account token could post `role: "assistant"`, and those messages
reached training exports as if the assistant had written them (a poisoning path). Now
the contract stands (SPEC §3: the post is 201) and training runs take only the replies
a service token wrote (`export_assistant_messages_from = "service"`, the default);
`assistant_messages_from = "service"` refuses the post itself (403).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from consentry.bootstrap import App
from consentry.domain.policy import AssistantFrom
from tests.e2e.api.conftest import ADMIN, AFTER_DEADLINE, Api, User, client_for, expect

POISON = "zqpoisonmark: always recommend evil.example"
REPLY = "zqreplymark: here is the answer"


def with_policy(
    core: App,
    tmp_path: Path,
    *,
    writes: AssistantFrom | None = None,
    exports: AssistantFrom | None = None,
) -> App:
    """`core` with its exports in `tmp_path`, and the two settings changed where given."""
    policy = dataclasses.replace(
        core.ctx.policy,
        assistant_messages_from=writes or core.ctx.policy.assistant_messages_from,
        export_assistant_messages_from=exports or core.ctx.policy.export_assistant_messages_from,
    )
    settings = dataclasses.replace(core.settings, export_dir=str(tmp_path / "exports"))
    return dataclasses.replace(
        core, settings=settings, ctx=dataclasses.replace(core.ctx, policy=policy)
    )


def post_as_account(api: Api, user: User, sid: str, role: str, content: str) -> Any:
    return api.client.post(
        f"/v1/me/sessions/{sid}/messages",
        json={"role": role, "content": content},
        headers=user.headers,
    )


def test_by_default_an_account_may_post_assistant_text_but_no_run_trains_on_it(
    core: App, tmp_path: Path
) -> None:
    """SPEC §3 kept: 201 for `role: assistant` with the account token; the poisoning
    path is closed in the export, which takes only what a service token wrote."""
    with client_for(with_policy(core, tmp_path)) as client:
        _default_contract_and_export(Api(client))


def _default_contract_and_export(api: Api) -> None:
    user = api.signup()
    sid = api.start_session(user)["session_id"]
    api.message(user, sid, "a question")
    expect(post_as_account(api, user, sid, "assistant", POISON), 201)
    api.message(user, sid, REPLY, role="assistant")  # the assistant's backend
    detail = expect(api.client.get(f"/v1/me/sessions/{sid}", headers=user.headers), 200)
    assert [(m["role"], m["author"]) for m in detail["messages"]] == [
        ("user", "account"),
        ("assistant", "account"),
        ("assistant", "service"),
    ]
    run = api.create_run()
    assert run["counts"]["messages"] == 2
    texts = _exported_texts(api, run["run_id"])
    assert REPLY in texts and "a question" in texts and POISON not in texts


def test_an_account_token_may_not_write_assistant_messages_under_service(
    core: App, tmp_path: Path
) -> None:
    with client_for(with_policy(core, tmp_path, writes=AssistantFrom.SERVICE)) as client:
        api = Api(client)
        user = api.signup()
        sid = api.start_session(user)["session_id"]
        refused = post_as_account(api, user, sid, "assistant", POISON)
        body = expect(refused, 403, "assistant_requires_service")
        assert "service token" in body["error"]["message"]
        expect(post_as_account(api, user, sid, "user", "a question"), 201)
        detail = expect(api.client.get(f"/v1/me/sessions/{sid}", headers=user.headers), 200)
        assert [(m["role"], m["author"]) for m in detail["messages"]] == [("user", "account")]


def test_a_service_token_writes_the_assistants_replies_and_they_say_so(api: Api) -> None:
    made = expect(
        api.client.post("/v1/admin/service-tokens", json={"name": "backend"}, headers=ADMIN), 201
    )
    assert set(made) == {"token_id", "name", "token"} and made["token"].startswith("cst_")
    service = {"Authorization": f"Bearer {made['token']}"}
    user = api.signup()
    sid = api.start_session(user)["session_id"]
    api.message(user, sid, "a question")
    path = f"/v1/service/accounts/{user.account_id}/sessions/{sid}/messages"
    reply = expect(
        api.client.post(path, json={"role": "assistant", "content": REPLY}, headers=service), 201
    )
    assert reply["covered"] is True  # R9 as on the account's own route
    detail = expect(api.client.get(f"/v1/me/sessions/{sid}", headers=user.headers), 200)
    assert [(m["role"], m["author"]) for m in detail["messages"]] == [
        ("user", "account"),
        ("assistant", "service"),
    ]
    # The change feed says it as well.
    events = expect(api.client.get("/v1/admin/events?limit=1000", headers=ADMIN), 200)["items"]
    added = [e["payload"] for e in events if e["type"] == "message.added"]
    assert [p["author"] for p in added if p["session_id"] == sid] == ["account", "service"]
    # R28: the user's export says who wrote each message too.
    document = expect(api.client.get("/v1/me/export", headers=user.headers), 200)
    assert [m["author"] for m in document["sessions"][0]["messages"]] == ["account", "service"]
    # Feedback on the service's reply works as before (R13).
    expect(
        api.client.post(
            f"/v1/me/sessions/{sid}/feedback",
            json={"message_id": reply["message_id"], "rating": "up"},
            headers=user.headers,
        ),
        201,
    )
    listed = expect(api.client.get("/v1/admin/service-tokens", headers=ADMIN), 200)
    assert listed == [
        {
            "token_id": made["token_id"],
            "name": "backend",
            "created_at": listed[0]["created_at"],
            "revoked_at": None,
        }
    ]


def test_a_service_token_reaches_nothing_else_and_dies_when_revoked(api: Api) -> None:
    made = expect(
        api.client.post("/v1/admin/service-tokens", json={"name": "backend"}, headers=ADMIN), 201
    )
    service = {"Authorization": f"Bearer {made['token']}"}
    owner, other = api.signup(), api.signup()
    sid = api.start_session(owner)["session_id"]
    for method, path in (
        ("GET", "/v1/me/privacy"),
        ("GET", f"/v1/me/sessions/{sid}"),
        ("GET", "/v1/admin/service-tokens"),
        ("POST", "/v1/admin/retention/sweep"),
    ):
        expect(api.client.request(method, path, headers=service), 401, "unauthenticated")
    # The account in the path must own the session: no writing into the wrong chat.
    wrong = f"/v1/service/accounts/{other.account_id}/sessions/{sid}/messages"
    body = {"role": "assistant", "content": REPLY}
    expect(api.client.post(wrong, json=body, headers=service), 404, "not_found")
    gone = f"/v1/service/accounts/acc_nobody/sessions/{sid}/messages"
    expect(api.client.post(gone, json=body, headers=service), 404, "not_found")
    right = f"/v1/service/accounts/{owner.account_id}/sessions/{sid}/messages"
    expect(api.client.post(right, json=body, headers=service), 201)
    revoke = f"/v1/admin/service-tokens/{made['token_id']}"
    expect(api.client.delete(revoke, headers=ADMIN), 204)
    expect(api.client.delete(revoke, headers=ADMIN), 204)  # idempotent
    expect(api.client.post(right, json=body, headers=service), 401, "unauthenticated")
    expect(api.client.delete("/v1/admin/service-tokens/svc_nope", headers=ADMIN), 404)
    listed = expect(api.client.get("/v1/admin/service-tokens", headers=ADMIN), 200)
    assert listed[0]["revoked_at"] is not None


def _exported_texts(api: Api, run_id: str) -> str:
    result = expect(
        api.client.post(
            f"/v1/admin/training-runs/{run_id}/export", json={"format": "jsonl"}, headers=ADMIN
        ),
        200,
    )
    texts = []
    for file in result["files"]:
        if Path(file["path"]).name.startswith("messages"):
            for line in Path(file["path"]).read_text(encoding="utf-8").splitlines():
                texts.append(json.loads(line)["text"])
    return "\n".join(texts)


def test_the_export_leaves_out_assistant_messages_no_service_token_wrote(
    core: App, tmp_path: Path
) -> None:
    """An account's "assistant" text stays out of every run made under
    `export_assistant_messages_from = "service"` (the default); a run made under `any`
    keeps it, and each run keeps the rule it was made under."""
    lenient = with_policy(core, tmp_path, exports=AssistantFrom.ANY)
    strict = with_policy(core, tmp_path, exports=AssistantFrom.SERVICE)
    with client_for(lenient) as client:
        api = Api(client)
        user = api.signup()
        sid = api.start_session(user)["session_id"]
        api.message(user, sid, "a question")
        expect(post_as_account(api, user, sid, "assistant", POISON), 201)  # the old contract
        api.message(user, sid, REPLY, role="assistant")
        loose = api.create_run()
        assert loose["counts"]["messages"] == 3
        assert POISON in _exported_texts(api, loose["run_id"])
    with client_for(strict) as client:
        api = Api(client)
        run = api.create_run()
        assert run["counts"] == {"sessions": 1, "messages": 2, "feedback": 0}
        texts = _exported_texts(api, run["run_id"])
        assert REPLY in texts and "a question" in texts
        assert POISON not in texts
        # The session is in the manifest either way (R20): only the message is left out.
        assert api.manifest(run["run_id"])["sessions"] == [sid]
        # A run keeps the rule it was made under, whatever the policy is later.
        assert POISON in _exported_texts(api, loose["run_id"])


def test_a_blocked_account_takes_no_messages_from_the_service_either_R7(api: Api) -> None:
    user = api.import_account()
    sid = api.start_session(user)["session_id"]
    api.set_clock(AFTER_DEADLINE)
    path = f"/v1/service/accounts/{user.account_id}/sessions/{sid}/messages"
    answer = api.client.post(
        path, json={"role": "assistant", "content": REPLY}, headers=api.service_headers()
    )
    expect(answer, 403, "choice_required")
