"""A clock moved backwards (through a restart) told apart from tampering (issue 17).

The ledger and the activities keep their order by sequence number and id, and a run
takes everything up to the ledger event and activity it saw (``ledger_events``,
``activity_hwm``) as its history. The audit (R26) re-decides eligibility from those
facts by their *timestamps*; if the clock was moved back after some of them were
written, facts that came before the run carry instants after its cutoff, the
recomputed verdict differs from the manifest, and the audit used to report it as an
extra or missing item, just as it reports a manifest or ledger that was altered.

What tells the two apart:

* tampering changes content: the hash chain (R27) breaks, or the manifest disagrees
  with the facts whatever their timestamps say;
* a clock step changes only timestamps: the chain verifies, some fact *before* the run
  (by sequence) is stamped *after* its cutoff, and the verdict with those instants
  brought back to the cutoff (:func:`clamp_session`, :func:`clamp_feedback`) agrees
  with the manifest.

Only then is the difference a warning, ``clock_backwards``, and not a finding.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from consentry.domain.eligibility import FeedbackFacts, SessionFacts
from consentry.domain.types import ActivityFact, ChoicePoint

CLOCK_BACKWARDS = "clock_backwards"
"""The code of the warning (audit findings that do not fail the audit, ledger verify)."""


def _choices(choices: tuple[ChoicePoint, ...], cutoff: datetime) -> tuple[ChoicePoint, ...]:
    return tuple(replace(c, at=min(c.at, cutoff)) for c in choices)


def stamped_after(facts: SessionFacts | FeedbackFacts, cutoff: datetime) -> bool:
    """Does a fact of the run's history carry an instant after its cutoff? Only a clock
    that was moved back (or an edit) can do that: the history is taken by sequence."""
    if any(c.at > cutoff for c in facts.choices):
        return True
    if isinstance(facts, SessionFacts):
        return any(a.at > cutoff for a in facts.activities)
    return facts.submitted_at > cutoff


def clamp_session(facts: SessionFacts, cutoff: datetime) -> SessionFacts:
    """The session's history with every instant after the cutoff brought back to it:
    what the history says when its order, not its clock, is believed."""
    activities = tuple(ActivityFact(min(a.at, cutoff), a.covered) for a in facts.activities)
    return replace(facts, activities=activities, choices=_choices(facts.choices, cutoff))


def clamp_feedback(facts: FeedbackFacts, cutoff: datetime) -> FeedbackFacts:
    """:func:`clamp_session` for feedback."""
    return replace(
        facts,
        submitted_at=min(facts.submitted_at, cutoff),
        choices=_choices(facts.choices, cutoff),
    )
