"""Record the OpenAPI examples (issue 24 item 4) from a real walk-through of the API.

Runs the README's walk-through (sign-up, privacy, notice, sessions, messages, feedback,
holds, runs, export, audit, ledger, sweep, events, webhooks, deletion) against a fresh
SQLite database in a temporary folder, through the real application, and writes each
route's request and answer to ``src/consentry/entrypoints/api/openapi_examples.json``,
keyed by ``"<METHOD> <path template>"``. Only cosmetic values are replaced: the local
receiver URL and the temporary export folder. Run:

    .venv/bin/python scripts/record_openapi_examples.py
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.entrypoints.api.app import create_app
from consentry.service.ledger_ports import CheckpointSigner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

OUT = (
    Path(__file__).parents[1]
    / "src"
    / "consentry"
    / "entrypoints"
    / "api"
    / "openapi_examples.json"
)
ADMIN_TOKEN = "example-admin-token-0123456789abcdef"  # noqa: S105 (a throwaway database)
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
RECEIVER = "https://receiver.example.com/consentry"
EXPORTS = "/var/lib/consentry/exports"
LOCAL_RECEIVER = "http://127.0.0.1:9/hook"


class Recorder:
    def __init__(self, client: TestClient, replace: dict[str, str]) -> None:
        self.client = client
        self.replace = replace
        self.examples: dict[str, dict[str, Any]] = {}

    def _clean(self, value: Any) -> Any:
        text = json.dumps(value)
        for old, new in self.replace.items():
            text = text.replace(old, new)
        return json.loads(text)

    def call(
        self,
        method: str,
        template: str,
        path: str | None = None,
        *,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        status: int,
    ) -> Any:
        response = self.client.request(method, path or template, json=json_body, headers=headers)
        if response.status_code != status:
            raise SystemExit(f"{method} {path or template}: {response.status_code} {response.text}")
        entry: dict[str, Any] = {"status": str(status)}
        if json_body is not None:
            entry["request"] = self._clean(json_body)
        kind = response.headers.get("content-type", "")
        answer: Any = None
        if status == 204:
            pass
        elif kind.startswith("application/json"):
            answer = response.json()
            entry["response"] = self._clean(answer)
        elif response.content:
            entry["response_text"] = response.text[:1500]
            entry["media_type"] = kind.split(";")[0]
        self.examples.setdefault(f"{method} {template}", entry)
        return answer


def walk(rec: Recorder) -> None:
    c = rec.call
    body = {"plan": "free", "training": "on", "region": "DE"}  # region: docs/rules.md P16
    user = c("POST", "/v1/accounts", json_body=body, status=201)
    me = {"Authorization": f"Bearer {user['token']}"}
    c("GET", "/v1/me/privacy", headers=me, status=200)
    c("PUT", "/v1/me/privacy", json_body={"training": "on"}, headers=me, status=200)
    c("PUT", "/v1/me/privacy/auto-delete", json_body={"months": 18}, headers=me, status=200)
    imported = c(
        "POST", "/v1/admin/accounts", json_body={"plan": "free"}, headers=ADMIN, status=201
    )
    other = {"Authorization": f"Bearer {imported['token']}"}
    c("POST", "/v1/me/notice/defer", headers=other, status=200)
    c("POST", "/v1/me/notice/accept", json_body={"training": "off"}, headers=other, status=200)
    c("GET", "/v1/me/consent-history", headers=me, status=200)
    c("GET", "/v1/me/consent-receipts", headers=me, status=200)
    session = c("POST", "/v1/me/sessions", json_body={"kind": "chat"}, headers=me, status=201)
    sid = session["session_id"]
    sp = f"/v1/me/sessions/{sid}"
    c("GET", "/v1/me/sessions", headers=me, status=200)
    message = c(
        "POST",
        "/v1/me/sessions/{session_id}/messages",
        f"{sp}/messages",
        json_body={"role": "user", "content": "How do I reverse a list in Python?"},
        headers=me,
        status=201,
    )
    made = c(
        "POST",
        "/v1/admin/service-tokens",
        json_body={"name": "assistant backend"},
        headers=ADMIN,
        status=201,
    )
    service = {"Authorization": f"Bearer {made['token']}"}
    c("GET", "/v1/admin/service-tokens", headers=ADMIN, status=200)
    reply = c(
        "POST",
        "/v1/service/accounts/{account_id}/sessions/{session_id}/messages",
        f"/v1/service/accounts/{user['account_id']}/sessions/{sid}/messages",
        json_body={"role": "assistant", "content": "Use reversed(xs) or xs[::-1]."},
        headers=service,
        status=201,
    )
    assert message
    assert reply
    c(
        "POST",
        "/v1/me/sessions/{session_id}/feedback",
        f"{sp}/feedback",
        json_body={"message_id": reply["message_id"], "rating": "up", "comment": "clear"},
        headers=me,
        status=201,
    )
    c("GET", "/v1/me/sessions/{session_id}", sp, headers=me, status=200)
    hold = c(
        "POST",
        "/v1/admin/holds",
        json_body={"session_id": sid, "kind": "legal"},
        headers=ADMIN,
        status=201,
    )
    c(
        "DELETE",
        "/v1/admin/holds/{hold_id}",
        f"/v1/admin/holds/{hold['hold_id']}",
        headers=ADMIN,
        status=204,
    )
    c(
        "GET",
        "/v1/admin/sessions/{session_id}/explain",
        f"/v1/admin/sessions/{sid}/explain?purpose=model_training",
        headers=ADMIN,
        status=200,
    )
    run = c(
        "POST",
        "/v1/admin/training-runs",
        json_body={"purpose": "model_training"},
        headers=ADMIN,
        status=201,
    )
    rp = f"/v1/admin/training-runs/{run['run_id']}"
    c("GET", "/v1/admin/training-runs", headers=ADMIN, status=200)
    c("GET", "/v1/admin/training-runs/{run_id}", rp, headers=ADMIN, status=200)
    c(
        "GET",
        "/v1/admin/training-runs/{run_id}/manifest",
        f"{rp}/manifest",
        headers=ADMIN,
        status=200,
    )
    c("POST", "/v1/admin/training-runs/{run_id}/start", f"{rp}/start", headers=ADMIN, status=200)
    c(
        "POST",
        "/v1/admin/training-runs/{run_id}/export",
        f"{rp}/export",
        json_body={"format": "jsonl"},
        headers=ADMIN,
        status=200,
    )
    c("POST", "/v1/admin/training-runs/{run_id}/audit", f"{rp}/audit", headers=ADMIN, status=200)
    c("GET", "/v1/admin/training-runs/{run_id}/audit", f"{rp}/audit", headers=ADMIN, status=200)
    c(
        "GET",
        "/v1/admin/training-runs/{run_id}/summary",
        f"{rp}/summary",
        headers=ADMIN,
        status=200,
    )  # docs/rules.md P7
    c("GET", "/v1/admin/reports/consent", headers=ADMIN, status=200)  # docs/rules.md P19
    c("GET", "/v1/me/training-runs", headers=me, status=200)
    c(
        "GET",
        "/v1/me/training-runs/{run_id}/proof",
        f"/v1/me/training-runs/{run['run_id']}/proof",
        headers=me,
        status=200,
    )
    c("GET", "/v1/ledger/checkpoint", status=200)
    c("GET", "/v1/ledger/consistency", "/v1/ledger/consistency?first=1&second=3", status=200)
    c("GET", "/v1/admin/ledger/checkpoints", headers=ADMIN, status=200)
    c("GET", "/v1/admin/ledger/verify", headers=ADMIN, status=200)
    c("GET", "/v1/me/export", headers=me, status=200)
    c(
        "POST",
        "/v1/admin/test-clock",
        json_body={"now": "2025-10-02T09:00:00Z"},
        headers=ADMIN,
        status=200,
    )
    c("POST", "/v1/admin/retention/sweep", headers=ADMIN, status=200)
    hook = c(
        "POST",
        "/v1/admin/webhooks",
        json_body={"url": LOCAL_RECEIVER, "event_types": ["consent.choice", "account.deleted"]},
        headers=ADMIN,
        status=201,
    )
    wp = f"/v1/admin/webhooks/{hook['id']}"
    c("GET", "/v1/admin/webhooks", headers=ADMIN, status=200)
    c(
        "POST",
        "/v1/admin/webhooks/{endpoint_id}/secret",
        f"{wp}/secret",
        json_body={"grace_s": 86400},
        headers=ADMIN,
        status=200,
    )
    c("PUT", "/v1/me/privacy", json_body={"training": "off"}, headers=me, status=200)
    c("GET", "/v1/admin/events", "/v1/admin/events?limit=2", headers=ADMIN, status=200)
    c(
        "GET",
        "/v1/admin/webhooks/{endpoint_id}/deliveries",
        f"{wp}/deliveries",
        headers=ADMIN,
        status=200,
    )
    c("DELETE", "/v1/admin/webhooks/{endpoint_id}", wp, headers=ADMIN, status=204)
    c(
        "DELETE",
        "/v1/admin/service-tokens/{token_id}",
        f"/v1/admin/service-tokens/{made['token_id']}",
        headers=ADMIN,
        status=204,
    )
    c("GET", "/v1/policy", status=200)  # issue 23: public policy facts
    c("GET", "/v1/policy/schema", status=200)
    c("GET", "/.well-known/gpc.json", status=200)
    c("GET", "/healthz", status=200)
    c("GET", "/readyz", status=200)
    c("GET", "/metrics", status=200)
    rotated = c("POST", "/v1/me/tokens/rotate", headers=me, status=200)
    me = {"Authorization": f"Bearer {rotated['token']}"}
    c("DELETE", "/v1/me/sessions/{session_id}", sp, headers=me, status=204)
    c("DELETE", "/v1/me", headers=me, status=204)


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            database_url=f"sqlite:///{scratch}/walk.db",
            admin_token=ADMIN_TOKEN,
            test_clock="2025-10-01T09:00:00Z",
            export_dir=f"{scratch}/exports",
            webhook_allow_private=True,
        )
        core = build(settings)
        signer = CheckpointSigner("consentry.example/ledger", Ed25519PrivateKey.generate())
        core = dataclasses.replace(core, ctx=dataclasses.replace(core.ctx, signer=signer))
        replace = {LOCAL_RECEIVER: RECEIVER, f"{scratch}/exports": EXPORTS}
        with TestClient(create_app(core)) as client:
            recorder = Recorder(client, replace)
            walk(recorder)
        core.engine.dispose()
    OUT.write_text(json.dumps(recorder.examples, indent=1, sort_keys=True) + "\n")
    print(f"{len(recorder.examples)} operations recorded in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
