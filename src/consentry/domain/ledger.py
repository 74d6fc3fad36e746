"""The consent ledger (R27): append-only events in one hash chain, and consent receipts.

Each event stores the hash of its predecessor; the hash covers the event's sequence
number, so an edit, a deletion or a reordering breaks the chain at the first bad event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from consentry.domain.clock import iso
from consentry.domain.policy import Policy, TermsVersion
from consentry.domain.run_manifest import RunManifestEvent
from consentry.domain.types import ChoiceSource, EventType, Training

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class ConsentEvent:
    seq: int
    event_id: str
    account_id: str
    at: datetime
    type: EventType
    value: Training | None
    source: ChoiceSource | None
    terms_version: str
    prev_hash: str
    hash: str
    extra: tuple[tuple[str, str], ...] = ()
    """Members added after the first ledgers (issue 23, docs/rules.md P12, P16, P22): the
    auto-delete option, the account's region, the retention days in force when the event
    was appended (decimal text) and the rule set applied. Only those present enter the
    canonical entry, so older events hash as they always did."""


EXTRA_MEMBERS = ("auto_delete", "region", "retention_days", "rule_set")
"""The names :attr:`ConsentEvent.extra` may hold (P16, P22), in canonical order."""


LedgerEvent = ConsentEvent | RunManifestEvent
"""Any event of the ledger: an account's consent event or a run's (issue 21 item 4)."""


def canonical_entry(
    *,
    seq: int,
    event_id: str,
    account_id: str,
    at: datetime,
    type: EventType,
    value: Training | None,
    source: ChoiceSource | None,
    terms_version: str,
    prev_hash: str,
    extra: tuple[tuple[str, str], ...] = (),
) -> bytes:
    """The event's canonical serialisation: JSON of its nine fields, keys sorted, no spaces,
    ASCII only (``json.dumps(sort_keys=True, separators=(",", ":"))``). Its SHA-256 is the
    chain hash; SHA-256(0x00 ‖ it) is the event's leaf in the Merkle tree."""
    # P16/P22: `extra` members (auto_delete, region, retention_days, rule_set) join the
    # object only when present, so an event without them serialises exactly as before.
    unknown = [name for name, _ in extra if name not in EXTRA_MEMBERS]
    if unknown:
        raise ValueError(f"unknown ledger members {unknown}")
    body: dict[str, object] = dict(extra)
    body |= {
        "seq": seq,
        "event_id": event_id,
        "account_id": account_id,
        "at": iso(at),
        "type": str(type),
        "value": None if value is None else str(value),
        "source": None if source is None else str(source),
        "terms_version": terms_version,
        "prev_hash": prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def event_hash(
    *,
    seq: int,
    event_id: str,
    account_id: str,
    at: datetime,
    type: EventType,
    value: Training | None,
    source: ChoiceSource | None,
    terms_version: str,
    prev_hash: str,
    extra: tuple[tuple[str, str], ...] = (),
) -> str:
    """The chain hash (R27): SHA-256 of the event's canonical entry, as hex."""
    entry = canonical_entry(
        extra=extra,
        seq=seq,
        event_id=event_id,
        account_id=account_id,
        at=at,
        type=type,
        value=value,
        source=source,
        terms_version=terms_version,
        prev_hash=prev_hash,
    )
    return hashlib.sha256(entry).hexdigest()


def entry_of(event: LedgerEvent) -> bytes:
    """The event's canonical entry: the leaf input of the ledger's Merkle tree (a run's
    `run_manifest` event has its own members, docs/ledger.md §1)."""
    if isinstance(event, RunManifestEvent):
        return event.entry()
    return canonical_entry(
        extra=event.extra,
        seq=event.seq,
        event_id=event.event_id,
        account_id=event.account_id,
        at=event.at,
        type=event.type,
        value=event.value,
        source=event.source,
        terms_version=event.terms_version,
        prev_hash=event.prev_hash,
    )


def recompute(event: LedgerEvent) -> str:
    return hashlib.sha256(entry_of(event)).hexdigest()


@dataclass(frozen=True, slots=True)
class LedgerVerification:
    ok: bool
    events: int
    head: str
    first_bad_seq: int | None = None
    problem: str | None = None
    clock_backwards_at: int | None = None
    """The first event stamped earlier than one before it: a clock moved back (issue
    17), a warning, not a break; order is the sequence, which the chain proves."""


def verify_chain(
    events: Iterable[LedgerEvent], *, head_seq: int, head_hash: str | None
) -> LedgerVerification:
    """Walk the chain in stored order; the first event that does not link names the break.

    `head_seq`/`head_hash` are the separately stored head, so a deleted tail is caught too;
    `head_hash=None` checks only a prefix of `head_seq` events.
    """
    prev = GENESIS
    count = 0
    latest: datetime | None = None
    step: int | None = None
    for event in events:
        count += 1
        if latest is not None and event.at < latest and step is None:
            step = event.seq
        latest = event.at if latest is None or event.at > latest else latest
        if event.seq != count:
            problem = f"expected sequence {count}, found {event.seq} (deleted or reordered)"
            return LedgerVerification(False, count, prev, event.seq, problem)
        if event.prev_hash != prev:
            return LedgerVerification(
                False, count, prev, event.seq, "prev_hash does not match the previous event"
            )
        if recompute(event) != event.hash:
            return LedgerVerification(
                False, count, prev, event.seq, "hash does not match the event's content"
            )
        prev = event.hash
    if count != head_seq or (head_hash is not None and prev != head_hash):
        return LedgerVerification(
            False,
            count,
            prev,
            count + 1 if count < head_seq else count,
            f"chain ends at {count} events but the head records {head_seq}",
        )
    return LedgerVerification(True, count, prev, clock_backwards_at=step)


def promised_days(policy: Policy, value: Training | None, rule_set: str | None) -> int:
    """R12/P21: the retention in days a consent event with `value` promises under
    `policy`: the training-on period for ``on``, the standard period otherwise, of the
    rule set `rule_set` names (the policy's own when None)."""
    on = value is Training.ON
    if rule_set is None:
        return policy.retention.training_on if on else policy.retention.standard
    return policy.retention_days(policy.rule_set(rule_set))[0 if on else 1]


RECORDED = "recorded"
"""P22: the receipt's days are the event's `retention_days`, fixed when it was appended."""
CURRENT_POLICY = "current_policy"
"""P22: an event appended before `retention_days` existed: the days are computed from
the policy in force now (for the rule set the event records, P21)."""


def consent_receipt(event: ConsentEvent, policy: Policy) -> dict[str, object]:
    """An ISO/IEC TS 27560-style consent record with its core fields.

    P22: `retention_period_days` is what the event promised when it was made (its
    recorded `retention_days`), so a later change of the policy's retention or region
    table does not change an old receipt; `retention_period_basis` says whether it is
    that recorded value or, for an event older than the field, today's computation."""
    terms = policy.terms_version(event.terms_version)
    on = event.value is Training.ON
    members = dict(event.extra)
    recorded = members.pop("retention_days", None)
    if recorded is not None:
        days, basis = int(recorded), RECORDED
    else:
        days, basis = promised_days(policy, event.value, members.get("rule_set")), CURRENT_POLICY
    receipt = _receipt_core(event, policy, on, days, terms)
    receipt["retention_period_basis"] = basis
    # P12/P16 (issue 23): the auto-delete option, the region and the rule set applied,
    # as the event's canonical entry carries them; absent on older events.
    receipt.update(members)
    if event.type is EventType.AUTO_DELETE:
        receipt["event_state"] = "given"
        receipt["withdrawal_method"] = (
            'privacy settings: PUT /v1/me/privacy/auto-delete {"months": null}'
        )
    return receipt


def _receipt_core(
    event: ConsentEvent, policy: Policy, on: bool, days: int, terms: TermsVersion | None
) -> dict[str, object]:
    return {
        "record_id": event.event_id,
        "principal": event.account_id,
        "controller": policy.controller,
        "purposes": ["model_training", "safety_classifiers"],
        "notice": {
            "version": event.terms_version,
            "text_digest": terms.text_digest if terms else None,
        },
        "collection_method": str(event.source) if event.source else str(event.type),
        "retention_period_days": days,
        "withdrawal_method": 'privacy settings: PUT /v1/me/privacy {"training": "off"}',
        "event_state": "given" if on else ("withdrawn" if event.value else "deferred"),
        "time": iso(event.at),
        "hash": event.hash,
    }


def latest_choice_at(events: Iterable[ConsentEvent], at: datetime) -> Training:
    value = Training.UNSET
    for e in events:
        if e.type is EventType.CHOICE and e.at <= at and e.value is not None:
            value = e.value
    return value
