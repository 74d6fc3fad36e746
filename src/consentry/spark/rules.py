"""The domain rules of :mod:`consentry.domain` as DataFrame operations.

Each function mirrors one pure function and cites it; the equivalence tests in
tests/spark prove the two agree on every edge case. Times are compared as
timestamps and periods added in microseconds, so no time zone enters.

- :func:`choice_at` — :func:`consentry.domain.coverage.choice_at` (latest choice at or
  before T; at the same instant the later ledger entry wins).
- :func:`session_facts` — ``first_covered_at`` (R10) and
  :func:`consentry.domain.retention.retain_until` (R12, R18 ``shorten``, and the
  auto-delete choices of P12/P13, with :func:`add_months` for ``add_months``).
- :func:`region_days` — P21: the periods of the rule set of the account's region
  (:func:`consentry.domain.jurisdiction.rule_set_for`), in :func:`session_facts`.
- :func:`eligible_sessions` — :func:`consentry.domain.eligibility.check_eligibility`.
- :func:`eligible_feedback` — ``check_feedback_eligibility`` (R23).
- :func:`sessions_due` / :func:`feedback_due` — :func:`consentry.domain.retention.purge_due`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from consentry.domain.policy import FeedbackTrainable, OnOptOut, Policy, ResumeScope
from consentry.domain.types import EventType, HoldKind, Purpose, Scope, Training

DataFrame = Any
DAY_US = 86_400 * 1_000_000


def _f() -> Any:
    from pyspark.sql import functions as F

    return F


def plus_days(column: Any, days: int) -> Any:
    F = _f()
    return F.timestamp_micros(F.unix_micros(column) + F.lit(days * DAY_US))


@dataclass(frozen=True)
class Lake:
    """The lake tables one computation reads (DataFrames of the same snapshot)."""

    accounts: DataFrame
    consent_events: DataFrame
    sessions: DataFrame
    activities: DataFrame
    feedback: DataFrame
    holds: DataFrame
    tombstones: DataFrame


def choice_at(lake: Lake, at: datetime) -> DataFrame:
    """(account_id, choice): the choice in force at `at` per account that has one."""
    F = _f()
    ce = lake.consent_events
    return (
        ce.where((F.col("type") == "choice") & (F.col("at") <= F.lit(at)))
        .groupBy("account_id")
        .agg(F.max_by("value", F.struct("at", "seq")).alias("choice"))
    )


def accounts_deleted(lake: Lake, at: datetime) -> DataFrame:
    """(account_id, account_deleted_at) for accounts deleted at or before `at` (R15)."""
    F = _f()
    by_event = lake.consent_events.where(
        (F.col("type") == "choice")
        & (F.col("source") == "account_deleted")
        & (F.col("at") <= F.lit(at))
    ).select("account_id", F.col("at").alias("d"))
    by_row = lake.accounts.where(F.col("deleted_at") <= F.lit(at)).select(
        F.col("id").alias("account_id"), F.col("deleted_at").alias("d")
    )
    return (
        by_event.unionByName(by_row)
        .groupBy("account_id")
        .agg(F.min("d").alias("account_deleted_at"))
    )


def add_months(column: Any, months: Any) -> Any:
    """:func:`consentry.domain.retention.add_months` on a timestamp column: the same time
    of day `months` calendar months later, the day clamped to the month's last (Spark's
    ``add_months`` on the date clamps alike). Computed on the UTC epoch, no time zone."""
    F = _f()
    us = F.unix_micros(column)
    time_of_day = F.pmod(us, F.lit(DAY_US))
    day = ((us - time_of_day) / F.lit(DAY_US)).cast("int")
    shifted = F.add_months(F.date_from_unix_date(day), months)
    return F.timestamp_micros(F.unix_date(shifted).cast("long") * F.lit(DAY_US) + time_of_day)


def region_days(region: Any, policy: Policy, index: int) -> Any:
    """P21: the retention days (`index` 0: training on, 1: standard) of the rule set
    :func:`consentry.domain.jurisdiction.rule_set_for` picks for a `region` column: the
    region's own entry in the policy's table, else its country's (the code before its
    ``-``), else the default rule set's, a null region included; as
    :meth:`consentry.domain.policy.Policy.retention_days` gives them."""
    F = _f()
    table = dict(policy.jurisdictions.regions)
    default = F.lit(policy.retention_days(policy.rule_set(policy.jurisdictions.default))[index])
    if not table:
        return default
    by_days: dict[int, list[str]] = defaultdict(list)
    for code, name in sorted(table.items()):
        by_days[policy.retention_days(policy.rule_set(name))[index]].append(code)

    def lookup(key: Any) -> Any:
        cases = sorted(by_days.items())
        expr = F.when(key.isin(cases[0][1]), F.lit(cases[0][0]))
        for days, codes in cases[1:]:
            expr = expr.when(key.isin(codes), F.lit(days))
        return expr  # null for a code not in the table (or a null one)

    return F.coalesce(lookup(region), lookup(F.substring_index(region, "-", 1)), default)


def _activity_ends(lake: Lake, at: datetime, policy: Policy) -> DataFrame:
    """Each activity at or before `at` (not a delete) with its session and ``until``, the
    end of the period it earns (R2, R11, R12; R18 ``shorten``: a covered activity
    followed by an `off` choice at or before `at` earns the uncovered period)."""
    F = _f()
    r = policy.retention
    s = lake.sessions.select(F.col("id").alias("session_id"), "account_id", "scope", "incognito")
    work = (
        lake.activities.where((F.col("at") <= F.lit(at)) & (F.col("kind") != "delete"))
        .select("id", "session_id", "at", "covered")
        .join(s, "session_id")
    )
    covered = F.col("covered")
    on_days, standard_days = F.lit(r.training_on), F.lit(r.standard)
    if policy.jurisdictions.regional_retention:  # P21: the account's region's rule set
        regions = lake.accounts.select(F.col("id").alias("account_id"), "region")
        work = work.join(regions, "account_id", "left")
        on_days = region_days(F.col("region"), policy, 0)
        standard_days = region_days(F.col("region"), policy, 1)
    if r.on_opt_out is OnOptOut.SHORTEN:
        last_off = (
            lake.consent_events.where(
                (F.col("type") == "choice")
                & (F.col("value") == Training.OFF.value)
                & (F.col("at") <= F.lit(at))
            )
            .groupBy("account_id")
            .agg(F.max("at").alias("last_off"))
        )
        work = work.join(last_off, "account_id", "left")
        covered = covered & (F.col("last_off").isNull() | (F.col("last_off") <= F.col("at")))
    period = (
        F.when(F.col("scope") == Scope.COMMERCIAL.value, F.lit(r.commercial))
        .when(F.col("incognito"), F.lit(r.incognito))
        .when(covered, on_days)
        .otherwise(standard_days)
    )
    until = F.timestamp_micros(F.unix_micros("at") + period.cast("long") * F.lit(DAY_US))
    return work.select("id", "session_id", "account_id", "at", "covered", until.alias("until"))


def auto_delete_points(lake: Lake, at: datetime) -> DataFrame:
    """(account_id, p_seq, p_at, months): the auto-delete choices (P12) at or before `at`;
    ``months`` 0 for "until I delete it" (``off``, or no period: the store reads it so)."""
    F = _f()
    value = F.col("auto_delete")
    months = F.when(value.isNull() | (value == "off"), F.lit(0)).otherwise(
        F.regexp_replace(value, "m$", "").cast("int")
    )
    return lake.consent_events.where(
        (F.col("type") == EventType.AUTO_DELETE.value) & (F.col("at") <= F.lit(at))
    ).select(
        "account_id", F.col("seq").alias("p_seq"), F.col("at").alias("p_at"), months.alias("months")
    )


def _auto_deleted(ends: DataFrame, points: DataFrame) -> DataFrame:
    """P13 on each activity's ``until`` (:func:`consentry.domain.retention.retain_until`
    with ``auto_delete``): the earlier of it, the activity time + the months in force then
    (the latest choice by ledger order at or before it), and, for every choice made at c
    at or after the activity, the session's last activity at or before c + its months."""
    from pyspark.sql import Window

    F = _f()
    act = ends.select("id", "session_id", "account_id", F.col("at").alias("t"))
    in_force = (
        act.join(points, "account_id")
        .where(F.col("p_at") <= F.col("t"))
        .groupBy("id", "t")
        .agg(F.max_by("months", "p_seq").alias("in_force"))
        .where(F.col("in_force") > 0)
        .select("id", add_months(F.col("t"), F.col("in_force")).alias("force_end"))
    )
    per_choice = Window.partitionBy("session_id", "p_seq")
    caps = (
        act.join(points.where(F.col("months") > 0), "account_id")
        .where(F.col("t") <= F.col("p_at"))
        .withColumn("last", F.max("t").over(per_choice))
        .groupBy("id")
        .agg(F.min(add_months(F.col("last"), F.col("months"))).alias("cap"))
    )
    return (
        ends.join(in_force, "id", "left")
        .join(caps, "id", "left")
        .withColumn("until", F.least(F.col("until"), F.col("force_end"), F.col("cap")))
    )


def session_facts(lake: Lake, at: datetime, policy: Policy) -> DataFrame:
    """Per session (at `at`): first_covered_at, retain_until, deleted_at, purged.

    ``retain_until`` is the latest over activities at or before `at` of the end of the
    period each earns (:func:`_activity_ends`), shortened by the account's auto-delete
    choices (P13, :func:`_auto_deleted`).
    """
    F = _f()
    s = lake.sessions.select(
        F.col("id").alias("session_id"),
        "account_id",
        "scope",
        "incognito",
        "purged_at",
        F.col("deleted_at").alias("row_deleted_at"),
    )
    ends = _auto_deleted(_activity_ends(lake, at, policy), auto_delete_points(lake, at))
    per_session = ends.groupBy("session_id").agg(
        F.min(F.when(F.col("covered"), F.col("at"))).alias("first_covered_at"),
        F.max("until").alias("retain_until"),
    )
    deletes = (
        lake.activities.where((F.col("kind") == "delete") & (F.col("at") <= F.lit(at)))
        .groupBy("session_id")
        .agg(F.min("at").alias("act_deleted_at"))
    )
    tomb = (
        lake.tombstones.where(F.col("item_type") == "session")
        .groupBy(F.col("item_id").alias("session_id"))
        .agg(F.min("purged_at").alias("tomb_purged_at"))
    )
    row_deleted = F.when(F.col("row_deleted_at") <= F.lit(at), F.col("row_deleted_at"))
    return (
        s.join(per_session, "session_id", "left")
        .join(deletes, "session_id", "left")
        .join(tomb, "session_id", "left")
        .withColumn("deleted_at", F.least(F.col("act_deleted_at"), row_deleted))
        .withColumn("purged_at_any", F.least(F.col("purged_at"), F.col("tomb_purged_at")))
        .drop("act_deleted_at", "row_deleted_at", "tomb_purged_at")
    )


def safety_flagged(lake: Lake, at: datetime) -> DataFrame:
    """(session_id) with a safety hold active at `at` (HoldFact.active_at)."""
    F = _f()
    return (
        lake.holds.where(
            (F.col("kind") == HoldKind.SAFETY.value)
            & (F.col("placed_at") <= F.lit(at))
            & (F.col("released_at").isNull() | (F.col("released_at") > F.lit(at)))
        )
        .select("session_id")
        .distinct()
        .withColumn("flagged", F.lit(True))
    )


def eligible_sessions(lake: Lake, *, purpose: Purpose, at: datetime, policy: Policy) -> DataFrame:
    """(session_id, account_id, include_from): the manifest's sessions (R20, R22)."""
    F = _f()
    facts = (
        session_facts(lake, at, policy)
        .join(choice_at(lake, at), "account_id", "left")
        .join(accounts_deleted(lake, at), "account_id", "left")
        .join(safety_flagged(lake, at), "session_id", "left")
    )
    via_flag_on = purpose is Purpose.SAFETY_CLASSIFIERS and policy.safety_train_on_flagged
    covered_path = (F.col("choice") == Training.ON.value) & F.col("first_covered_at").isNotNull()
    flagged = F.coalesce(F.col("flagged"), F.lit(False))
    path = (covered_path | flagged) if via_flag_on else covered_path
    eligible = facts.where(
        (F.col("scope") == Scope.CONSUMER.value)
        & ~F.col("incognito")
        & F.col("account_deleted_at").isNull()
        & F.col("deleted_at").isNull()
        & (F.col("purged_at_any").isNull() | (F.col("purged_at_any") > F.lit(at)))
        & path
        & F.col("retain_until").isNotNull()
        & (F.col("retain_until") > F.lit(at))
    )
    if policy.resume_scope is ResumeScope.FROM_FIRST_COVERED_ACTIVITY:
        frm = F.when(flagged, F.lit(None)) if via_flag_on else None
        include = (
            frm.otherwise(F.col("first_covered_at"))
            if frm is not None
            else F.col("first_covered_at")
        )
    else:
        include = F.lit(None).cast("timestamp")
    return eligible.select("session_id", "account_id", include.alias("include_from"))


def feedback_state(lake: Lake, at: datetime) -> DataFrame:
    """Feedback with its session's scope, and when it was deleted or purged (R13–R15)."""
    F = _f()
    deletes = (
        lake.activities.where((F.col("kind") == "delete") & (F.col("at") <= F.lit(at)))
        .groupBy("session_id")
        .agg(F.min("at").alias("session_deleted_at"))
    )
    tomb = (
        lake.tombstones.where(F.col("item_type") == "feedback")
        .groupBy(F.col("item_id").alias("id"))
        .agg(F.min("purged_at").alias("tomb_purged_at"))
    )
    s = lake.sessions.select(F.col("id").alias("session_id"), "scope", "incognito")
    row_deleted = F.when(F.col("deleted_at") <= F.lit(at), F.col("deleted_at"))
    return (
        lake.feedback.join(s, "session_id")
        .join(deletes, "session_id", "left")
        .join(accounts_deleted(lake, at), "account_id", "left")
        .join(tomb, "id", "left")
        .withColumn(
            "gone_at",
            F.least(row_deleted, F.col("session_deleted_at"), F.col("account_deleted_at")),
        )
        .withColumn("purged_any", F.least(F.col("purged_at"), F.col("tomb_purged_at")))
    )


def eligible_feedback(lake: Lake, *, at: datetime, policy: Policy) -> DataFrame:
    """(feedback_id, account_id): the manifest's feedback (R23)."""
    F = _f()
    state = feedback_state(lake, at).join(choice_at(lake, at), "account_id", "left")
    cond = (
        (F.col("scope") == Scope.CONSUMER.value)
        & ~F.col("incognito")
        & (F.col("at") <= F.lit(at))
        & F.col("account_deleted_at").isNull()
        & F.col("gone_at").isNull()
        & (F.col("purged_any").isNull() | (F.col("purged_any") > F.lit(at)))
        & (plus_days(F.col("at"), policy.retention.feedback) > F.lit(at))
    )
    if policy.feedback_trainable is FeedbackTrainable.FOLLOWS_SETTING:
        cond = (
            cond
            & (F.col("choice_at_submission") == Training.ON.value)
            & (F.col("choice") == Training.ON.value)
        )
    return state.where(cond).select(F.col("id").alias("feedback_id"), "account_id")


def sessions_due(lake: Lake, *, now: datetime, policy: Policy) -> DataFrame:
    """(session_id, account_id, reason): sessions whose purge is due at `now` (R14, R16, R17)."""
    F = _f()
    r = policy.retention
    facts = session_facts(lake, now, policy).where(F.col("purged_at_any").isNull())
    active = lake.holds.where(
        (F.col("placed_at") <= F.lit(now))
        & (F.col("released_at").isNull() | (F.col("released_at") > F.lit(now)))
    )
    holds = active.groupBy("session_id").agg(
        F.max(F.col("kind") == HoldKind.LEGAL.value).alias("legal"),
        F.max(
            F.when(
                F.col("kind") == HoldKind.SAFETY.value,
                plus_days(F.col("placed_at"), r.safety_flagged),
            )
        ).alias("keep_until"),
    )
    grace_end = plus_days(F.col("deleted_at"), r.deleted_grace)
    by_delete = F.col("deleted_at").isNotNull() & (grace_end < F.col("retain_until"))
    due = F.when(by_delete, grace_end).otherwise(F.col("retain_until"))
    kept = F.col("keep_until").isNotNull() & (F.col("keep_until") > F.col("due"))
    return (
        facts.join(holds, "session_id", "left")
        .withColumn("due", due)
        .withColumn(
            "reason",
            F.when(F.col("deleted_at").isNotNull(), "deleted").otherwise("retention_ended"),
        )
        .withColumn("due", F.when(kept, F.col("keep_until")).otherwise(F.col("due")))
        .where(
            ~F.coalesce(F.col("legal"), F.lit(False))
            & F.col("due").isNotNull()
            & (F.col("due") <= F.lit(now))
        )
        .select("session_id", "account_id", "reason")
    )


def feedback_due(lake: Lake, *, now: datetime, policy: Policy) -> DataFrame:
    """(id, session_id, account_id): feedback whose retention (or deletion grace) ended."""
    F = _f()
    state = feedback_state(lake, now).where(F.col("purged_any").isNull())
    until = plus_days(F.col("at"), policy.retention.feedback)
    grace = plus_days(F.col("gone_at"), policy.retention.deleted_grace)
    due = F.when(F.col("gone_at").isNotNull(), F.least(until, grace)).otherwise(until)
    return state.where(due <= F.lit(now)).select("id", "session_id", "account_id")
