"""Issue 23 item 2: Global Privacy Control (docs/rules.md P4–P6) over HTTP, on SQLite and
PostgreSQL: each policy mode, each effect a ledger event with source `gpc`, shown in the
consent history and the receipts, and `/.well-known/gpc.json`."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from consentry.bootstrap import App
from consentry.domain.policy import GpcMode, Policy
from tests.e2e.api.conftest import Api, User, client_for, expect

GPC = {"Sec-GPC": "1"}


@pytest.fixture
def modes(core: App) -> Iterator[dict[GpcMode, Api]]:
    """One API client per `gpc` policy mode, over the same database."""
    clients = {
        mode: client_for(
            dataclasses.replace(core, ctx=dataclasses.replace(core.ctx, policy=_policy(core, mode)))
        )
        for mode in GpcMode
    }
    yield {mode: Api(client) for mode, client in clients.items()}
    for client in clients.values():
        client.close()


def _policy(core: App, mode: GpcMode) -> Policy:
    return dataclasses.replace(core.ctx.policy, gpc=mode)


def _history(api: Api, user: User) -> list[dict[str, str]]:
    result: list[dict[str, str]] = expect(
        api.client.get("/v1/me/consent-history", headers=user.headers), 200
    )
    return result


def test_gpc_signup_by_api_without_a_choice_keeps_the_contract_under_record_P4_R4(
    api: Api,
) -> None:
    """P4, R4, SPEC §3: under the default `record`, an API sign-up without `training` is
    422 `choice_required` with or without the signal; the contract does not change."""
    expect(
        api.client.post("/v1/accounts", json={"plan": "free"}, headers=GPC), 422, "choice_required"
    )


def test_gpc_signup_without_a_choice_is_recorded_off_with_source_gpc_under_opt_out_P4_R4(
    modes: dict[GpcMode, Api],
) -> None:
    """P4, R4: under `opt_out` a consumer sign-up with `Sec-GPC: 1` and no choice is an
    `off` choice with source `gpc` in the ledger, the history and the receipt."""
    api = modes[GpcMode.OPT_OUT]
    assert api.client.post("/v1/accounts", json={"plan": "free"}).status_code == 422
    data = expect(api.client.post("/v1/accounts", json={"plan": "free"}, headers=GPC), 201)
    user = User(data["account_id"], data["token"])
    assert expect(api.client.get("/v1/me/privacy", headers=user.headers), 200)["training"] == "off"
    assert [(e["type"], e["value"], e["source"]) for e in _history(api, user)] == [
        ("choice", "off", "gpc")
    ]
    receipts = expect(api.client.get("/v1/me/consent-receipts", headers=user.headers), 200)
    assert receipts[0]["collection_method"] == "gpc"


def test_an_explicit_choice_wins_over_gpc_at_signup_P4(api: Api) -> None:
    """P4: the signal fills in a missing choice, never overrides one made."""
    data = expect(
        api.client.post("/v1/accounts", json={"plan": "free", "training": "on"}, headers=GPC), 201
    )
    user = User(data["account_id"], data["token"])
    assert [(e["value"], e["source"]) for e in _history(api, user)] == [("on", "signup")]


def test_gpc_ignore_changes_nothing_at_signup_P4_R4(modes: dict[GpcMode, Api]) -> None:
    """P4, R4: under `ignore` the signal is no choice: 422 `choice_required` as without it."""
    api = modes[GpcMode.IGNORE]
    expect(
        api.client.post("/v1/accounts", json={"plan": "free"}, headers=GPC), 422, "choice_required"
    )


def test_gpc_opt_out_turns_a_signed_in_choice_off_once_P5(modes: dict[GpcMode, Api]) -> None:
    """P5: under `opt_out` a signed-in consumer whose choice is `on` gets one opt-out with
    source `gpc` on their next request carrying the signal; it accepts no terms."""
    api = modes[GpcMode.OPT_OUT]
    user = api.signup(training="on")
    expect(api.client.get("/v1/me/privacy", headers=user.headers), 200)  # no signal: nothing
    privacy = expect(api.client.get("/v1/me/privacy", headers={**user.headers, **GPC}), 200)
    assert privacy["training"] == "off"
    expect(api.client.get("/v1/me/sessions", headers={**user.headers, **GPC}), 200)
    assert [(e["value"], e["source"]) for e in _history(api, user)] == [
        ("on", "signup"),
        ("off", "gpc"),
    ]
    # the user may turn it back on in settings; the next signal opts out again
    api.choose(user, "on")
    expect(api.client.get("/v1/me/privacy", headers={**user.headers, **GPC}), 200)
    assert [e["source"] for e in _history(api, user)][-2:] == ["settings", "gpc"]


@pytest.mark.parametrize("mode", [GpcMode.RECORD, GpcMode.IGNORE])
def test_gpc_leaves_a_signed_in_choice_alone_unless_opt_out_P5(
    modes: dict[GpcMode, Api], mode: GpcMode
) -> None:
    """P5: `record` and `ignore` never change a choice already made."""
    api = modes[mode]
    user = api.signup(training="on")
    privacy = expect(api.client.get("/v1/me/privacy", headers={**user.headers, **GPC}), 200)
    assert privacy["training"] == "on"
    assert len(_history(api, user)) == 1


def test_only_the_value_1_is_the_signal_P5(modes: dict[GpcMode, Api]) -> None:
    """P5: `Sec-GPC` is the signal only with the value `1` (GPC specification)."""
    api = modes[GpcMode.OPT_OUT]
    user = api.signup(training="on")
    for value in ("0", "true", ""):
        api.client.get("/v1/me/privacy", headers={**user.headers, "Sec-GPC": value})
    assert len(_history(api, user)) == 1


@pytest.mark.parametrize(
    ("mode", "honoured"), [(GpcMode.RECORD, True), (GpcMode.OPT_OUT, True), (GpcMode.IGNORE, False)]
)
def test_well_known_gpc_json_P6(modes: dict[GpcMode, Api], mode: GpcMode, honoured: bool) -> None:
    """P6: `/.well-known/gpc.json` as the GPC specification describes it, no token."""
    response = modes[mode].client.get("/.well-known/gpc.json")
    assert response.headers["content-type"].startswith("application/json")
    assert expect(response, 200) == {"gpc": honoured, "lastUpdate": "2025-08-28"}


def test_gpc_records_nothing_for_a_commercial_signup_P4_R2(api: Api) -> None:
    """P4, R2: commercial plans have no training choice, so the signal records nothing."""
    data = expect(api.client.post("/v1/accounts", json={"plan": "team"}, headers=GPC), 201)
    user = User(data["account_id"], data["token"])
    assert _history(api, user) == []
    privacy = expect(api.client.get("/v1/me/privacy", headers={**user.headers, **GPC}), 200)
    assert privacy["training"] == "not_applicable"


def test_gpc_records_nothing_for_a_commercial_signup_under_opt_out_P4_R2(
    modes: dict[GpcMode, Api],
) -> None:
    """P4, R2: even under `opt_out`, a commercial sign-up has no choice for the signal."""
    api = modes[GpcMode.OPT_OUT]
    data = expect(api.client.post("/v1/accounts", json={"plan": "team"}, headers=GPC), 201)
    user = User(data["account_id"], data["token"])
    assert _history(api, user) == []
