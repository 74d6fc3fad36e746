"""Sign-up and everything under ``/v1/me`` except sessions (R3–R8, R15, R21, R27, R28).

None of these is ever blocked by a pending notice (R7): a user can always read and
change the choice, answer the notice, take their data and leave.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from consentry.domain.clock import iso
from consentry.entrypoints.api import schemas as s
from consentry.entrypoints.api.deps import Caller, Core, CurrentAccount, Guards, account_route
from consentry.entrypoints.api.errors import ERROR_RESPONSES
from consentry.entrypoints.api.render import run_ref_json
from consentry.service import (
    accounts,
    auto_delete,
    data_export,
    export_archive,
    gpc,
    jurisdiction,
    ledger,
    runs,
)
from consentry.service.views import privacy_json

router = APIRouter(responses=ERROR_RESPONSES)


@router.post("/v1/accounts", status_code=201, response_model=s.CredentialsOut, tags=["accounts"])
def sign_up(body: s.SignUp, core: Core, guards: Guards, request: Request) -> dict[str, Any]:
    """R4: consumer plans choose at sign-up (422 ``choice_required`` without one).

    Sign-ups per client address are limited (429 ``rate_limited`` with ``Retry-After``;
    ``CONSENTRY_SIGNUPS_PER_HOUR``, issue 17). With ``Sec-GPC: 1`` and no ``training``,
    a consumer sign-up is recorded as ``off`` with source ``gpc`` only when the policy's
    ``gpc`` is ``opt_out`` (P4); under the default ``record`` it stays 422.

    ``region`` (P16), or else the header that ``CONSENTRY_REGION_HEADER`` names, is the
    account's ISO 3166 region; its rule set (P14, P15) decides presets and GPC handling."""
    guards.sign_up(request)
    signal = gpc.signal(request.headers.get("sec-gpc"))
    header = core.settings.region_header
    region = jurisdiction.chosen_region(
        body.region, request.headers.get(header) if header else None
    )
    creds = gpc.sign_up(core.ctx, plan=body.plan, training=body.training, gpc=signal, region=region)
    return {"account_id": creds.account_id, "token": creds.token}


@router.get("/v1/me/privacy", response_model=s.PrivacyOut, tags=["privacy"])
@account_route
def get_privacy(core: Core, me: CurrentAccount) -> dict[str, Any]:
    return privacy_json(accounts.privacy_view(core.ctx, me))


@router.put("/v1/me/privacy", response_model=s.PrivacyOut, tags=["privacy"])
@account_route
def change_choice(body: s.ChoiceIn, core: Core, me: Caller) -> Any:
    """R8: change the choice any time; commercial plans answer 409 ``not_applicable``."""
    view = me.acting(
        lambda token: accounts.record_choice_with_token(
            core.ctx, token=token, training=body.training
        ),
        lambda account: accounts.record_choice(
            core.ctx, account_id=account.id, training=body.training
        ),
    )
    return privacy_json(view)


@router.put("/v1/me/privacy/auto-delete", response_model=s.PrivacyOut, tags=["privacy"])
@account_route
def choose_auto_delete(body: s.AutoDeleteIn, core: Core, me: CurrentAccount) -> Any:
    """P12/P13: keep history for ``months`` (one of the offered periods) after its last
    activity, or ``null``: until the user deletes it. Only ever shortens retention (R12);
    recorded in the ledger. 422 ``validation_error`` for a period not offered; commercial
    plans 409 ``not_applicable``."""
    auto_delete.choose_auto_delete(core.ctx, account_id=me.id, months=body.months)
    return privacy_json(accounts.get_privacy(core.ctx, account_id=me.id))


@router.post("/v1/me/notice/accept", response_model=s.PrivacyOut, tags=["privacy"])
@account_route
def accept_notice(body: s.ChoiceIn, core: Core, me: CurrentAccount) -> Any:
    view = accounts.accept_notice(core.ctx, account_id=me.id, training=body.training)
    return privacy_json(view)


@router.post("/v1/me/notice/defer", response_model=s.PrivacyOut, tags=["privacy"])
@account_route
def defer_notice(core: Core, me: CurrentAccount) -> dict[str, Any]:
    """R6: "Not now", only before the deadline (409 ``deadline_passed`` after it)."""
    view = accounts.defer_notice(core.ctx, account_id=me.id)
    return privacy_json(view)


@router.get("/v1/me/consent-history", response_model=list[s.HistoryItemOut], tags=["privacy"])
@account_route
def consent_history(core: Core, me: CurrentAccount) -> list[dict[str, Any]]:
    return [
        {
            "at": iso(item.at),
            "type": item.type,
            "value": item.value,
            "source": item.source,
            "terms_version": item.terms_version,
            **({"auto_delete": item.auto_delete} if item.auto_delete else {}),
        }
        for item in accounts.consent_history(core.ctx, account_id=me.id)
    ]


@router.get(
    "/v1/me/consent-receipts",
    response_model=list[s.JsonObject],
    tags=["privacy"],
    responses={200: {"content": {"application/ld+json": {}}}},
)
@account_route
def consent_receipts(
    core: Core,
    me: CurrentAccount,
    format: Annotated[
        Literal["json", "jsonld"],
        Query(description="json (default): ISO/IEC TS 27560 receipts; jsonld: W3C DPV (P9)"),
    ] = "json",
) -> Any:
    """R27: each consent event as an ISO/IEC TS 27560 receipt. ``?format=jsonld`` (P9):
    the same records as a JSON-LD document in the W3C Data Privacy Vocabulary."""
    if format == "jsonld":
        from fastapi.responses import JSONResponse

        from consentry.service.dpv_receipts import dpv_receipts

        document = dpv_receipts(core.ctx, account_id=me.id)
        return JSONResponse(document, media_type="application/ld+json")
    return ledger.receipts(core.ctx, account_id=me.id)


@router.get("/v1/me/training-runs", response_model=list[s.RunRef], tags=["privacy"])
@account_route
def my_runs(core: Core, me: CurrentAccount) -> list[dict[str, Any]]:
    """R21: the runs that contain this account's data."""
    return [run_ref_json(run) for run in runs.runs_for_account(core.ctx, account_id=me.id)]


@router.get(
    "/v1/me/export",
    response_model=s.JsonObject,
    tags=["privacy"],
    responses={200: {"content": {"application/zip": {}}}},
)
@account_route
def export_my_data(
    core: Core,
    me: CurrentAccount,
    format: Annotated[
        Literal["json", "zip"],
        Query(description="json (default): the R28 document; zip: P17's archive"),
    ] = "json",
) -> Any:
    """R28: account, privacy, consent history, sessions, feedback and training runs.
    ``?format=zip`` (P17): that document, every chat as one offline HTML page, the
    consent receipts and a README.txt, in a ZIP streamed as it is read."""
    if format == "zip":
        archive = export_archive.export_archive(core.ctx, account_id=me.id)
        return StreamingResponse(
            archive.chunks(),
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="{archive.filename}"',
                "Content-Length": str(archive.size),
            },
        )
    return data_export.export_account(core.ctx, account_id=me.id)


@router.post("/v1/me/tokens/rotate", response_model=s.CredentialsOut, tags=["accounts"])
@account_route
def rotate_token(core: Core, me: CurrentAccount) -> dict[str, Any]:
    """A new account token: the old one answers 401 from now on, and every browser
    session of the account is signed out (issue 17). Not blocked by a pending notice (R7)."""
    creds = accounts.rotate_token(core.ctx, account_id=me.id)
    return {"account_id": creds.account_id, "token": creds.token}


@router.delete("/v1/me", status_code=204, tags=["accounts"])
@account_route
def delete_me(core: Core, me: CurrentAccount) -> None:
    """R15: sessions and feedback deleted, a final ``off``, the token dead (401 after)."""
    accounts.delete_account(core.ctx, account_id=me.id)
