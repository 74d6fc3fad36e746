"""Issue 23 items 1 and 8 over HTTP, on SQLite and PostgreSQL: auto-delete chosen by the
user (docs/rules.md P12, P13) and rules by jurisdiction (P14-P16)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.bootstrap import App
from consentry.service import accounts
from consentry.service.ledger_ports import CheckpointSigner
from consentry.verify import VerificationError, verify_receipt
from tests.e2e.api.conftest import ADMIN, Api, User, client_for, expect

GPC = {"Sec-GPC": "1"}


def _privacy(api: Api, user: User) -> dict[str, Any]:
    result: dict[str, Any] = expect(api.client.get("/v1/me/privacy", headers=user.headers), 200)
    return result


def _auto_delete(api: Api, user: User, months: object) -> Any:
    return api.client.put(
        "/v1/me/privacy/auto-delete", json={"months": months}, headers=user.headers
    )


def _signup(api: Api, headers: dict[str, str] | None = None, **body: Any) -> User:
    data = expect(api.client.post("/v1/accounts", json=body, headers=headers or {}), 201)
    return User(data["account_id"], data["token"])


def test_auto_delete_is_a_ledger_choice_in_privacy_history_and_receipts_P12(api: Api) -> None:
    """P12: offered 3/18/36 months preset 18 until chosen; the choice is an `auto_delete`
    event (source settings) in the history and the receipts; the ledger still verifies."""
    user = api.signup("free", "on")
    before = _privacy(api, user)["auto_delete"]
    assert before == {
        "months": None,
        "chosen": False,
        "offered_months": [3, 18, 36],
        "preset_months": 18,
    }
    after = expect(_auto_delete(api, user, 3), 200)["auto_delete"]
    assert after == {"months": 3, "chosen": True, "offered_months": [3, 18, 36], "preset_months": 3}
    off = expect(_auto_delete(api, user, None), 200)["auto_delete"]
    assert (off["months"], off["chosen"], off["preset_months"]) == (None, True, None)
    history = expect(api.client.get("/v1/me/consent-history", headers=user.headers), 200)
    assert [(h["type"], h.get("auto_delete"), h["source"]) for h in history[1:]] == [
        ("auto_delete", "3m", "settings"),
        ("auto_delete", "off", "settings"),
    ]
    receipts = expect(api.client.get("/v1/me/consent-receipts", headers=user.headers), 200)
    assert [r.get("auto_delete") for r in receipts] == [None, "3m", "off"]
    assert receipts[1]["event_state"] == "given"
    assert expect(api.client.get("/v1/admin/ledger/verify", headers=ADMIN), 200)["ok"] is True
    assert _privacy(api, user)["training"] == "on"  # the training choice is untouched


def test_auto_delete_refuses_periods_not_offered_and_commercial_plans_P12(api: Api) -> None:
    """P12: 422 `validation_error` for a period not offered; 409 for a commercial plan."""
    user = api.signup("free", "off")
    for bad in (5, 0, -3, "18m", True):
        expect(_auto_delete(api, user, bad), 422, "validation_error")
    team = api.signup("team", None)
    expect(_auto_delete(api, team, 3), 409, "not_applicable")
    assert _privacy(api, team)["auto_delete"] is None


def test_auto_delete_shortens_retention_and_the_sweeper_purges_P13_R12_R17(api: Api) -> None:
    """P13, R17: with training on (five years), 3 months of auto-delete make the sweeper
    purge the chat 3 months after its last activity; an account without it keeps its
    chat; choosing `off` afterwards does not bring the shortened one back."""
    keeper, deleter = api.signup("free", "on"), api.signup("free", "on")
    kept = api.start_session(keeper)["session_id"]
    gone = api.start_session(deleter)["session_id"]
    api.message(keeper, kept)
    api.message(deleter, gone)
    expect(_auto_delete(api, deleter, 3), 200)
    expect(_auto_delete(api, deleter, None), 200)  # longer later: nothing restored
    api.set_clock("2025-11-30T00:00:00Z")  # under three months after the activity
    assert api.sweep()["sessions"] == 0
    api.set_clock("2026-01-02T00:00:00Z")  # past three months
    assert api.sweep()["sessions"] == 1
    expect(api.client.get(f"/v1/me/sessions/{gone}", headers=deleter.headers), 404)
    expect(api.client.get(f"/v1/me/sessions/{kept}", headers=keeper.headers), 200)


def test_new_activity_after_an_auto_delete_choice_earns_at_most_its_months_P13(api: Api) -> None:
    """P13: a session started under 18 months of auto-delete answers `retain_until` =
    start + 18 months, not start + five years."""
    user = api.signup("free", "on")
    expect(_auto_delete(api, user, 18), 200)
    session = api.start_session(user)
    api.message(user, session["session_id"])
    listed = expect(api.client.get("/v1/me/sessions", headers=user.headers), 200)
    items = listed["items"] if isinstance(listed, dict) else listed
    until = next(s["retain_until"] for s in items if s["session_id"] == session["session_id"])
    assert until.startswith("2027-03-")  # September 2025 + 18 months


def test_region_is_recorded_and_every_new_event_carries_it_P14_P16(api: Api) -> None:
    """P14, P16: `region` is checked, normalised and kept; the rule set follows from it;
    each new consent event's receipt carries both; the ledger verifies."""
    user = _signup(api, plan="free", training="on", region="de")
    privacy = _privacy(api, user)
    assert (privacy["region"], privacy["rule_set"]) == ("DE", "opt_in")
    api.choose(user, "off")
    receipts = expect(api.client.get("/v1/me/consent-receipts", headers=user.headers), 200)
    assert [(r["region"], r["rule_set"]) for r in receipts] == [("DE", "opt_in")] * 2
    quebec = _signup(api, plan="pro", training="off", region="CA-QC")
    assert _privacy(api, quebec)["rule_set"] == "opt_in"
    ontario = _signup(api, plan="pro", training="off", region="CA-ON")
    assert _privacy(api, ontario)["rule_set"] == "seed"
    nowhere = api.signup("free", "on")
    assert (_privacy(api, nowhere)["region"], _privacy(api, nowhere)["rule_set"]) == (None, "seed")
    assert expect(api.client.get("/v1/admin/ledger/verify", headers=ADMIN), 200)["ok"] is True


@pytest.mark.parametrize("region", ["XX", "CA-ZZ", "Germany", "D"])
def test_a_region_iso_3166_does_not_list_is_refused_P16(api: Api, region: str) -> None:
    """P16: 422 `validation_error`, and no account is made."""
    body = {"plan": "free", "training": "on", "region": region}
    expect(api.client.post("/v1/accounts", json=body), 422, "validation_error")


def test_gpc_follows_the_rule_set_of_the_region_P15_P4(api: Api) -> None:
    """P15 with P4: in an opt-in region GPC is honoured as `opt_out`, so an API sign-up
    with the signal and no choice is `off` with source gpc; elsewhere the seed's `record`
    keeps SPEC §3's 422."""
    user = _signup(api, GPC, plan="free", region="FR")
    assert _privacy(api, user)["training"] == "off"
    history = expect(api.client.get("/v1/me/consent-history", headers=user.headers), 200)
    assert [(h["value"], h["source"]) for h in history] == [("off", "gpc")]
    body = {"plan": "free", "region": "US"}
    expect(api.client.post("/v1/accounts", json=body, headers=GPC), 422, "choice_required")


@pytest.fixture
def edge_api(core: App) -> Iterator[Api]:
    """An API whose operator names the edge's region header (CONSENTRY_REGION_HEADER)."""
    settings = dataclasses.replace(core.settings, region_header="x-client-region")
    with client_for(dataclasses.replace(core, settings=settings)) as client:
        yield Api(client)


def test_the_region_header_counts_only_when_a_setting_names_it_P16(api: Api, edge_api: Api) -> None:
    """P16: the edge's header is read only when the setting names it, and the explicit
    field wins over it; nothing else (no IP lookup) sets a region."""
    header = {"X-Client-Region": "BR"}
    plain = _signup(api, header, plan="free", training="on")
    assert _privacy(api, plain)["region"] is None
    edge = _signup(edge_api, header, plan="free", training="on")
    assert _privacy(edge_api, edge)["region"] == "BR"
    explicit = _signup(edge_api, header, plan="free", training="on", region="CH")
    assert _privacy(edge_api, explicit)["region"] == "CH"
    expect(
        edge_api.client.post(
            "/v1/accounts",
            json={"plan": "free", "training": "on"},
            headers={"X-Client-Region": "ZZ"},
        ),
        422,
        "validation_error",
    )


def test_receipts_with_region_and_auto_delete_verify_offline_P12_P16_R27(core: App) -> None:
    """P12, P16, R27: a receipt of an `auto_delete` event of an account with a region
    carries the entry's members and verifies against a signed checkpoint with the
    offline verifier (consentry.verify); a receipt whose region was changed does not."""
    key = Ed25519PrivateKey.generate()
    ctx = dataclasses.replace(core.ctx, signer=CheckpointSigner("consentry.test/ledger", key))
    with client_for(dataclasses.replace(core, ctx=ctx)) as client:
        api = Api(client)
        user = _signup(api, plan="free", training="on", region="CH")
        expect(_auto_delete(api, user, 36), 200)
        api.create_run()  # signs a checkpoint covering both events
        receipts = expect(api.client.get("/v1/me/consent-receipts", headers=user.headers), 200)
    assert [(r["region"], r["rule_set"], r.get("auto_delete")) for r in receipts] == [
        ("CH", "opt_in", None),
        ("CH", "opt_in", "36m"),
    ]
    for receipt in receipts:
        entry = json.loads(receipt["ledger_entry"])
        assert (entry["region"], entry["rule_set"]) == ("CH", "opt_in")
        verify_receipt(receipt, key.public_key())
    with pytest.raises(VerificationError, match="region"):
        verify_receipt({**receipts[1], "region": "US"}, key.public_key())


def test_the_notice_preset_follows_the_rule_set_of_the_region_P15_R5(api: Api, core: App) -> None:
    """P15 with R5: an existing user with no choice yet sees the notice's toggle preset
    to the rule set's `notice_default_training`: off in an opt-in region (GDPR: nothing
    preset), the policy's `notice.default_training` (on) elsewhere."""
    eu = accounts.import_account(core.ctx, plan="free", region="IE")
    us = accounts.import_account(core.ctx, plan="free", region="US-TX")
    eu_notice = _privacy(api, User(eu.account_id, eu.token))["notice"]
    us_notice = _privacy(api, User(us.account_id, us.token))["notice"]
    assert (eu_notice["default_training"], us_notice["default_training"]) == ("off", "on")


def test_an_imported_user_can_carry_a_region_P16(api: Api) -> None:
    """P16: the admin import takes the region too, checked like the sign-up's."""
    body = {"plan": "free", "region": "br"}
    made = expect(api.client.post("/v1/admin/accounts", json=body, headers=ADMIN), 201)
    privacy = _privacy(api, User(made["account_id"], made["token"]))
    assert (privacy["region"], privacy["rule_set"], privacy["training"]) == (
        "BR",
        "opt_in",
        "unset",
    )
    assert privacy["notice"]["default_training"] == "off"  # P15: opt-in presets nothing
    bad = {"plan": "free", "region": "ZZ"}
    expect(api.client.post("/v1/admin/accounts", json=bad, headers=ADMIN), 422, "validation_error")
