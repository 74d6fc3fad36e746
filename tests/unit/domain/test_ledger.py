"""R27: the hash chain detects any edit, deletion or reordering."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from consentry.domain.ledger import GENESIS, ConsentEvent, consent_receipt, event_hash, verify_chain
from consentry.domain.policy import DEFAULT_POLICY
from consentry.domain.types import ChoiceSource, EventType, Training

T0 = datetime(2025, 9, 1, tzinfo=UTC)


def chain(n: int) -> list[ConsentEvent]:
    events, prev = [], GENESIS
    for i in range(1, n + 1):
        fields = {
            "seq": i,
            "event_id": f"e{i}",
            "account_id": "a",
            "at": T0 + timedelta(minutes=i),
            "type": EventType.CHOICE,
            "value": Training.ON if i % 2 else Training.OFF,
            "source": ChoiceSource.SETTINGS,
            "terms_version": "2025-08-28",
            "prev_hash": prev,
        }
        digest = event_hash(**fields)  # type: ignore[arg-type]
        events.append(ConsentEvent(**fields, hash=digest))  # type: ignore[arg-type]
        prev = digest
    return events


def test_intact_chain_verifies_R27() -> None:
    events = chain(5)
    result = verify_chain(events, head_seq=5, head_hash=events[-1].hash)
    assert result.ok and result.events == 5 and result.head == events[-1].hash


def test_edit_is_detected_at_the_edited_event_R27() -> None:
    events = chain(5)
    events[2] = replace(
        events[2], value=Training.OFF if events[2].value is Training.ON else Training.ON
    )
    result = verify_chain(events, head_seq=5, head_hash=events[-1].hash)
    assert not result.ok and result.first_bad_seq == 3


def test_deletion_is_detected_R27() -> None:
    events = chain(5)
    del events[1]
    result = verify_chain(events, head_seq=5, head_hash=chain(5)[-1].hash)
    assert not result.ok and result.first_bad_seq == 3


def test_deleting_the_tail_is_detected_by_the_head_R27() -> None:
    events = chain(5)
    result = verify_chain(events[:4], head_seq=5, head_hash=events[-1].hash)
    assert not result.ok


def test_reordering_is_detected_R27() -> None:
    events = chain(5)
    events[1], events[2] = events[2], events[1]
    assert not verify_chain(events, head_seq=5, head_hash=events[-1].hash).ok


def test_receipt_has_iso_27560_core_fields_R27() -> None:
    receipt = consent_receipt(chain(1)[0], DEFAULT_POLICY)
    for key in (
        "record_id",
        "principal",
        "controller",
        "purposes",
        "notice",
        "collection_method",
        "retention_period_days",
        "withdrawal_method",
        "event_state",
        "time",
    ):
        assert key in receipt
    assert receipt["event_state"] == "given" and receipt["retention_period_days"] == 1825
