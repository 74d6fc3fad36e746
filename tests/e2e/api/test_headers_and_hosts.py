"""Response headers and the Host header (issue 17, "also fix").

* Every answer carries ``X-Content-Type-Options: nosniff``; API answers (personal data
  under ``/v1/me``, the R28 export) carry ``Cache-Control: no-store``.
* A forged ``Host`` no longer aims redirects: Starlette's trailing-slash redirects were
  absolute URLs built from it (``Host: evil.example`` -> ``location: http://evil.example/…``).
* ``CONSENTRY_ALLOWED_HOSTS`` refuses requests for other hosts with 400 ``invalid_host``.
"""

from __future__ import annotations

import dataclasses

import pytest

from consentry.bootstrap import App
from consentry.config.settings import Settings
from consentry.domain.errors import InvalidInput
from consentry.entrypoints.api.middleware import host_allowed
from tests.e2e.api.conftest import ADMIN, Api, client_for, expect


def test_every_answer_says_nosniff_and_api_answers_are_not_stored(api: Api) -> None:
    user = api.signup()
    session = api.start_session(user)["session_id"]
    client = api.client
    answers = {
        "me/privacy": client.get("/v1/me/privacy", headers=user.headers),
        "me/export": client.get("/v1/me/export", headers=user.headers),
        "me/session": client.get(f"/v1/me/sessions/{session}", headers=user.headers),
        "401": client.get("/v1/me/privacy"),
        "404": client.get("/v1/me/sessions/ses_nothing", headers=user.headers),
        "422": client.post("/v1/me/sessions", json={"kind": "video"}, headers=user.headers),
        "413": client.post("/v1/me/sessions", content=b"x" * 3_000_000, headers=user.headers),
        "admin": client.get("/v1/admin/ledger/verify", headers=ADMIN),
    }
    for name, answer in answers.items():
        assert answer.headers["x-content-type-options"] == "nosniff", name
        assert "no-store" in answer.headers["cache-control"], name
    for path in ("/healthz", "/metrics", "/signin"):
        assert client.get(path).headers["x-content-type-options"] == "nosniff", path


@pytest.mark.parametrize("path", ["/v1/me/sessions/", "/healthz/", "/v1/admin/webhooks/"])
def test_a_forged_host_does_not_aim_redirects(api: Api, path: str) -> None:
    answer = api.client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
    assert answer.status_code in (307, 308)
    location = answer.headers["location"]
    assert "evil.example" not in location
    assert location == path.rstrip("/")


@pytest.fixture
def strict(core: App) -> App:
    settings = dataclasses.replace(
        core.settings, allowed_hosts=("consentry.example.org", "*.api.example.org")
    )
    return dataclasses.replace(core, settings=settings)


def test_allowed_hosts_refuse_other_hosts(strict: App) -> None:
    with client_for(strict) as client:
        for host in ("consentry.example.org", "CONSENTRY.example.org.", "eu.api.example.org:8443"):
            expect(client.get("/healthz", headers={"Host": host}), 200)
        for host in ("evil.example", "api.example.org", "consentry.example.org.evil.example"):
            answer = client.get("/v1/me/privacy", headers={"Host": host})
            expect(answer, 400, "invalid_host")


def test_allowed_hosts_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSENTRY_ALLOWED_HOSTS", " Consentry.Example.org, *.example.net ")
    assert Settings.from_env().allowed_hosts == ("consentry.example.org", "*.example.net")
    monkeypatch.setenv("CONSENTRY_ALLOWED_HOSTS", "example.org:443")
    with pytest.raises(InvalidInput, match="not a host name"):
        Settings.from_env()
    assert host_allowed("anything", ())  # unset: any host, as before
