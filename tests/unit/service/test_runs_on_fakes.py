"""Run creation, manifests, audits and data-use reads (`service/runs.py`,
`service/data_use.py`) on the in-memory fakes of the run ports (issue 20). The manifest
is checked against hand-worked expectations and against the domain's eligibility
function as `explain` applies it (R26); tests/integration runs the same on SQLite and
PostgreSQL, where the manifest comes from set-based SQL."""

from __future__ import annotations

from datetime import timedelta

from consentry.domain.run_manifest import RunManifestEvent
from consentry.domain.types import Author, RunStatus
from consentry.service import accounts, data_use, ledger, runs, sessions
from consentry.service.context import Context
from tests.unit.service.conftest import T0, move_clock
from tests.unit.service.fake_uow import InMemoryStore


def _chat(ctx: Context, account_id: str, *, incognito: bool = False) -> str:
    started = sessions.start_session(ctx, account_id=account_id, kind="chat", incognito=incognito)
    sessions.add_message(
        ctx, account_id=account_id, session_id=started.session.id, role="user", content="q"
    )
    return started.session.id


def _history(ctx: Context) -> dict[str, str]:
    """Accounts and sessions whose eligibility differs by one rule each; returns them by name."""
    on = accounts.sign_up(ctx, plan="free", training="on").account_id
    switcher = accounts.sign_up(ctx, plan="free", training="off").account_id
    team = accounts.sign_up(ctx, plan="team", training=None).account_id
    named = {"on": on, "switcher": switcher}
    named["covered"] = _chat(ctx, on)
    answer = sessions.add_message(
        ctx,
        account_id=on,
        session_id=named["covered"],
        role="assistant",
        content="a",
        author=Author.SERVICE,
    )
    sessions.add_message(  # an account may write it; a run does not take it (issue 17)
        ctx, account_id=on, session_id=named["covered"], role="assistant", content="forged"
    )
    named["feedback_on"] = sessions.give_feedback(
        ctx, account_id=on, session_id=named["covered"], message_id=answer.id, rating="up"
    ).id
    named["incognito"] = _chat(ctx, on, incognito=True)
    named["deleted"] = _chat(ctx, on)
    sessions.delete_session(ctx, account_id=on, session_id=named["deleted"])
    named["commercial"] = _chat(ctx, team)
    named["old"] = _chat(ctx, switcher)
    named["resumed"] = _chat(ctx, switcher)
    reply = sessions.add_message(
        ctx,
        account_id=switcher,
        session_id=named["old"],
        role="assistant",
        content="r",
        author=Author.SERVICE,
    )
    named["feedback_off"] = sessions.give_feedback(
        ctx, account_id=switcher, session_id=named["old"], message_id=reply.id, rating="down"
    ).id
    move_clock(ctx, T0 + timedelta(minutes=5))
    accounts.record_choice(ctx, account_id=switcher, training="on")
    sessions.add_message(
        ctx, account_id=switcher, session_id=named["resumed"], role="user", content="again"
    )
    return named


def test_a_runs_manifest_is_what_the_rules_select_R2_R10_R11_R14_R20_R23_R27(
    fake_ctx: Context, fake_store: InMemoryStore
) -> None:
    """R20: consumer, not incognito (R11), not deleted (R14), covered, choice on at the
    cutoff; R2: commercial sessions never; R10: an old chat not resumed while on is not
    covered, a resumed one is, whole (`resume_scope` default); R23: feedback given while
    on; issue 17: an assistant message an account wrote is not counted; R27: the run's
    manifest root joins the ledger's chain."""
    named = _history(fake_ctx)
    cutoff = move_clock(fake_ctx, T0 + timedelta(hours=1))
    run = runs.create_run(fake_ctx, purpose="model_training")

    manifest = runs.get_manifest(fake_ctx, run_id=run.id)
    assert manifest.sessions == sorted([named["covered"], named["resumed"]])
    assert manifest.feedback == [named["feedback_on"]]
    assert (run.cutoff, run.status, run.sessions, run.feedback) == (
        cutoff,
        RunStatus.CREATED,
        2,
        1,
    )
    assert run.messages == 2 + 2  # covered: user + service's answer; resumed: both turns
    # R27, issue 21 item 4: the run records the consent ledger's head and appends its
    # manifest root as the next event of the same chain.
    *consent, event = fake_store.events
    assert (run.ledger_events, run.ledger_head) == (consent[-1].seq, consent[-1].hash)
    assert isinstance(event, RunManifestEvent) and event.run_id == run.id
    assert (event.manifest_size, event.prev_hash) == (3, consent[-1].hash)
    assert ledger.verify_ledger(fake_ctx).ok
    # The domain's eligibility function, as `explain` applies it (R26), agrees item by item.
    for session_id in fake_store.sessions:
        verdict = runs.explain(fake_ctx, session_id=session_id, purpose="model_training", at=cutoff)
        assert verdict.eligible is (session_id in manifest.sessions), session_id
    assert runs.runs_for_account(fake_ctx, account_id=named["switcher"]) == [run]
    assert fake_store.published[-1][0] == "run.created"


def test_a_manifest_never_changes_and_its_audit_sees_the_history_as_it_was_R21_R26(
    fake_ctx: Context, fake_store: InMemoryStore
) -> None:
    """R21: turning training off or deleting a session after a run removes it from every
    later run, not from that one; R26: its audit reads history only up to the run's
    ledger position and activity high-water mark, so changes made at the cutoff instant
    after the run do not count and it still finds nothing wrong."""
    named = _history(fake_ctx)
    move_clock(fake_ctx, T0 + timedelta(hours=1))
    first = runs.create_run(fake_ctx, purpose="model_training")
    runs.start_run(fake_ctx, run_id=first.id)

    # At the cutoff instant itself (a frozen clock): only the high-water marks tell.
    accounts.record_choice(fake_ctx, account_id=named["switcher"], training="off")
    sessions.delete_session(fake_ctx, account_id=named["on"], session_id=named["covered"])
    second = runs.create_run(fake_ctx, purpose="model_training")

    assert runs.get_manifest(fake_ctx, run_id=second.id).sessions == []
    assert runs.get_manifest(fake_ctx, run_id=first.id).sessions == sorted(
        [named["covered"], named["resumed"]]
    )
    assert runs.get_run(fake_ctx, run_id=first.id).status is RunStatus.STARTED
    report = runs.audit_run(fake_ctx, run_id=first.id)
    assert report.ok, report.findings
    assert (report.checked_sessions, report.checked_feedback) == (
        len(fake_store.sessions),
        len(fake_store.feedback),
    )
    assert runs.audit_run(fake_ctx, run_id=second.id).ok


def test_an_audit_finds_a_manifest_that_disagrees_with_the_rules_R26(
    fake_ctx: Context, fake_store: InMemoryStore
) -> None:
    """R26: the audit recomputes eligibility with the domain rules; an item the stored
    manifest lacks is reported `missing`."""
    named = _history(fake_ctx)
    move_clock(fake_ctx, T0 + timedelta(hours=1))
    run = runs.create_run(fake_ctx, purpose="model_training")
    fake_store.run_sessions[run.id] = [
        m for m in fake_store.run_sessions[run.id] if m.session_id != named["resumed"]
    ]
    report = runs.audit_run(fake_ctx, run_id=run.id)
    assert not report.ok
    assert [(f.item_id, f.problem) for f in report.findings] == [
        (named["resumed"], "missing"),
        (run.id, "counts_mismatch"),
    ]


def test_the_data_use_page_shows_runs_and_what_a_run_now_would_take_R21(
    fake_ctx: Context, fake_store: InMemoryStore
) -> None:
    """R21: a user sees which runs used each session, and (issue 18) for which purposes
    a run created now would take it: the same rules as the run builder."""
    named = _history(fake_ctx)
    move_clock(fake_ctx, T0 + timedelta(hours=1))
    run = runs.create_run(fake_ctx, purpose="model_training")
    ids = [named["resumed"], named["old"]]
    uses = data_use.session_uses(fake_ctx, account_id=named["switcher"], session_ids=ids)
    assert [r.id for r in uses[named["resumed"]].runs] == [run.id]
    assert uses[named["old"]].runs == ()
    assert uses[named["resumed"]].may_be_trained_on
    assert uses[named["old"]].eligible_for == ()
    words = data_use.first_words(fake_ctx, account_id=named["switcher"], session_ids=ids)
    assert words == {named["resumed"]: "q", named["old"]: "q"}
