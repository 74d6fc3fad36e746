"""The operator's consent report (issue 23 item 7, docs/rules.md P19-P20).

What the report counts, per time bucket (day, week or month, UTC; a bucket is named by
the ISO date of its first day):

* opt-in rate by plan: of the training choices consumer accounts made in the bucket
  (every source except ``account_deleted``, which is no answer about training), the
  share that were ``on``;
* opt-in rate by surface: of the consumer, non-incognito sessions started in the bucket,
  the share that are covered (R9, R10), the only place a surface meets the choice;
* deferrals per bucket, and the notices pending now against the current terms
  version's deadline (R5-R7), by plan, with how many of them deferred;
* opt-outs after opt-in: ``off`` choices whose previous choice was ``on``, by source;
* deletions (accounts, sessions, feedback), sweeps with what they purged, runs by
  purpose with their counts.

Everything is counted by the database in a few grouped statements
(:class:`ConsentReportSource`); the service only arranges the grouped rows, so the cost
does not depend on Python work per account.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from consentry.domain.clock import iso
from consentry.domain.errors import InvalidInput
from consentry.domain.notice import current_terms
from consentry.service.context import Context


class Bucket(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


MAX_BUCKETS = 400
"""A window longer than this many buckets is refused (422), so the answer stays small."""
DEFAULT_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class ChoiceCount:
    """Choice events of consumer accounts in one bucket, grouped."""

    bucket: str
    plan: str
    source: str
    value: str
    after_on: bool
    """The account's previous choice was ``on`` (an opt-out after opt-in when value is off)."""
    count: int


@dataclass(frozen=True)
class SurfaceCount:
    bucket: str
    surface: str
    sessions: int
    covered: int


@dataclass(frozen=True)
class PendingCount:
    """Consumer accounts (not deleted) with a pending notice now, by plan (R5)."""

    plan: str
    pending: int
    unset: int
    deferred: int
    """Of those pending, how many deferred the current terms version at least once (R6)."""


@dataclass(frozen=True)
class StateCount:
    plan: str
    training: str
    accounts: int


@dataclass(frozen=True)
class KeyedCount:
    """A count per bucket and key (deferrals: key ``deferral``; deletions: the item kind)."""

    bucket: str
    key: str
    count: int


@dataclass(frozen=True)
class SweepTotals:
    bucket: str
    sweeps: int
    sessions: int
    messages: int
    feedback: int
    scores: int


@dataclass(frozen=True)
class RunTotals:
    bucket: str
    purpose: str
    runs: int
    sessions: int
    messages: int
    feedback: int


@dataclass(frozen=True)
class ReportFacts:
    choices: list[ChoiceCount]
    surfaces: list[SurfaceCount]
    pending: list[PendingCount]
    state: list[StateCount]
    deferrals: list[KeyedCount]
    deletions: list[KeyedCount]
    sweeps: list[SweepTotals]
    runs: list[RunTotals]


class ConsentReportSource(Protocol):
    """Counts for the report, each computed by grouped SQL in one consistent read."""

    def read(
        self, *, since: datetime, until: datetime, bucket: Bucket, terms_version: str
    ) -> ReportFacts:
        """Facts for buckets of the window since <= t <= until (pending and state: as
        stored now); choice events are ordered per account by ledger sequence to find the
        previous choice."""
        ...


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def consent_report(
    ctx: Context,
    source: ConsentReportSource,
    *,
    bucket: str = "month",
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """P19: the report as a JSON-ready document."""
    try:
        size = Bucket(bucket)
    except ValueError:
        raise InvalidInput("bucket must be day, week or month") from None
    now = ctx.clock.now()
    end = until or now
    start = since or end - DEFAULT_WINDOW
    if start >= end:
        raise InvalidInput("since must be before until")
    width = {Bucket.DAY: 1, Bucket.WEEK: 7, Bucket.MONTH: 28}[size]
    if (end - start).days / width > MAX_BUCKETS:
        raise InvalidInput(f"at most {MAX_BUCKETS} buckets; choose a wider bucket")
    terms = current_terms(ctx.policy, now)
    facts = source.read(since=start, until=end, bucket=size, terms_version=terms.version)
    return {
        "generated_at": iso(now),
        "bucket": size.value,
        "since": iso(start),
        "until": iso(end),
        "opt_in_by_plan": _by_plan(facts.choices),
        "opt_in_by_surface": [
            {
                "bucket": s.bucket,
                "surface": s.surface,
                "sessions": s.sessions,
                "covered": s.covered,
                "rate": _rate(s.covered, s.sessions),
            }
            for s in facts.surfaces
        ],
        "opt_outs_after_opt_in": _opt_outs(facts.choices),
        "notices": _notices(facts, terms.version, terms.deadline, now),
        "deferrals": [{"bucket": d.bucket, "count": d.count} for d in facts.deferrals],
        "choices_now": [
            {"plan": s.plan, "training": s.training, "accounts": s.accounts} for s in facts.state
        ],
        "deletions": [
            {"bucket": d.bucket, "kind": d.key, "count": d.count} for d in facts.deletions
        ],
        "sweeps": [vars(s) for s in facts.sweeps],
        "runs": [vars(r) for r in facts.runs],
    }


def _by_plan(choices: list[ChoiceCount]) -> list[dict[str, Any]]:
    on: dict[tuple[str, str], int] = defaultdict(int)
    off: dict[tuple[str, str], int] = defaultdict(int)
    for c in choices:
        if c.source == "account_deleted":
            continue
        key = (c.bucket, c.plan)
        if c.value == "on":
            on[key] += c.count
        else:
            off[key] += c.count
    keys = sorted(set(on) | set(off))
    return [
        {
            "bucket": b,
            "plan": p,
            "on": on[(b, p)],
            "off": off[(b, p)],
            "rate": _rate(on[(b, p)], on[(b, p)] + off[(b, p)]),
        }
        for b, p in keys
    ]


def _opt_outs(choices: list[ChoiceCount]) -> list[dict[str, Any]]:
    found: dict[tuple[str, str], int] = defaultdict(int)
    for c in choices:
        if c.value == "off" and c.after_on:
            found[(c.bucket, c.source)] += c.count
    return [{"bucket": b, "source": s, "count": n} for (b, s), n in sorted(found.items())]


def _notices(facts: ReportFacts, version: str, deadline: datetime, now: datetime) -> dict[str, Any]:
    pending = sum(p.pending for p in facts.pending)
    passed = now >= deadline
    return {
        "terms_version": version,
        "deadline": iso(deadline),
        "deadline_passed": passed,
        "days_to_deadline": max(0, (deadline - now).days) if not passed else 0,
        "pending": pending,
        "blocked": pending if passed else 0,  # R7: pending from the deadline on is blocked
        "deferred": sum(p.deferred for p in facts.pending),
        "by_plan": [vars(p) for p in facts.pending],
    }


CSV_HEADER = ("section", "bucket", "key", "metric", "value")


def report_csv(report: dict[str, Any]) -> str:
    """P19: the report as CSV, one number per row (section, bucket, key, metric, value)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    sections = (
        ("opt_in_by_plan", "plan"),
        ("opt_in_by_surface", "surface"),
        ("opt_outs_after_opt_in", "source"),
        ("deferrals", None),
        ("deletions", "kind"),
        ("sweeps", None),
        ("runs", "purpose"),
    )
    for section, key in sections:
        for row in report[section]:
            for metric, value in row.items():
                if metric in {"bucket", key}:
                    continue
                writer.writerow((section, row["bucket"], row[key] if key else "", metric, value))
    notices = report["notices"]
    for metric in ("pending", "blocked", "deferred", "days_to_deadline"):
        writer.writerow(("notices", "", notices["terms_version"], metric, notices[metric]))
    for row in notices["by_plan"]:
        for metric in ("pending", "unset", "deferred"):
            writer.writerow(("notices_by_plan", "", row["plan"], metric, row[metric]))
    for row in report["choices_now"]:
        writer.writerow(("choices_now", "", row["plan"], row["training"], row["accounts"]))
    return out.getvalue()
