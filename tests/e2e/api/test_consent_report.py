"""The operator's consent report over HTTP (issue 23 item 7, docs/rules.md P19), on SQLite
and PostgreSQL: every number of a small, known history, as JSON and as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.e2e.api.conftest import ADMIN, Api, expect

MONTH = "2025-09-01"  # the shared test clock starts on 1 Sep 2025


def _report(api: Api, query: str = "") -> dict[str, Any]:
    result: dict[str, Any] = expect(
        api.client.get(f"/v1/admin/reports/consent{query}", headers=ADMIN), 200
    )
    return result


def _history(api: Api) -> None:
    """Two sign-ups (free on, pro off), an imported user who defers, an opt-out after
    opt-in from settings, a deleted session, a sweep and a run; a commercial account whose
    sessions and choices must count nowhere (R2)."""
    on = api.signup("free", "on")
    off = api.signup("pro", "off")
    api.signup("team", None)  # commercial: no choice (R2)
    imported = api.import_account("max")
    expect(api.client.post("/v1/me/notice/defer", headers=imported.headers), 200)
    chat = api.start_session(on)
    api.message(on, chat["session_id"])
    api.start_session(on, kind="code", surface="code")
    api.start_session(on, incognito=True)  # never covered, never counted (R11)
    api.start_session(off)
    expect(api.client.delete(f"/v1/me/sessions/{chat['session_id']}", headers=on.headers), 204)
    api.choose(on, "off")
    api.sweep()
    api.create_run()


def test_report_counts_a_known_history_P9(api: Api) -> None:
    """P19: opt-in rate by plan and surface, opt-outs after opt-in, pending notices against
    the deadline with deferrals, deletions, sweeps and runs, per month."""
    _history(api)
    report = _report(api)
    assert report["bucket"] == "month"
    assert report["opt_in_by_plan"] == [
        {"bucket": MONTH, "plan": "free", "on": 1, "off": 1, "rate": 0.5},
        {"bucket": MONTH, "plan": "pro", "on": 0, "off": 1, "rate": 0.0},
    ]
    assert report["opt_in_by_surface"] == [
        {"bucket": MONTH, "surface": "code", "sessions": 1, "covered": 1, "rate": 1.0},
        {"bucket": MONTH, "surface": "web", "sessions": 2, "covered": 1, "rate": 0.5},
    ]
    assert report["opt_outs_after_opt_in"] == [{"bucket": MONTH, "source": "settings", "count": 1}]
    notices = report["notices"]
    assert notices["terms_version"] == "2025-08-28"
    assert notices["deadline"] == "2025-10-08T00:00:00Z"
    assert (notices["deadline_passed"], notices["days_to_deadline"]) == (False, 37)
    assert (notices["pending"], notices["deferred"], notices["blocked"]) == (1, 1, 0)
    assert notices["by_plan"] == [{"plan": "max", "pending": 1, "unset": 1, "deferred": 1}]
    assert report["deferrals"] == [{"bucket": MONTH, "count": 1}]
    assert report["deletions"] == [{"bucket": MONTH, "kind": "sessions", "count": 1}]
    [sweep] = report["sweeps"]
    assert (sweep["bucket"], sweep["sweeps"]) == (MONTH, 1)
    [run] = report["runs"]
    assert (run["purpose"], run["runs"], run["sessions"]) == ("model_training", 1, 0)
    assert sorted((c["plan"], c["training"], c["accounts"]) for c in report["choices_now"]) == [
        ("free", "off", 1),
        ("max", "unset", 1),
        ("pro", "off", 1),
    ]


def test_pending_notices_turn_blocked_at_the_deadline_P9(api: Api) -> None:
    """P19 with R7: from the deadline on, every pending notice counts as blocked."""
    api.import_account("free")
    api.set_clock("2025-10-09T00:00:00Z")
    notices = _report(api)["notices"]
    assert notices["deadline_passed"] is True
    assert (notices["pending"], notices["blocked"], notices["days_to_deadline"]) == (1, 1, 0)


def test_report_as_csv_has_the_same_numbers_P9(api: Api) -> None:
    """P19: ?format=csv, one number per row (section, bucket, key, metric, value)."""
    _history(api)
    report = _report(api)
    response = api.client.get("/v1/admin/reports/consent?format=csv", headers=ADMIN)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["section", "bucket", "key", "metric", "value"]
    body = {tuple(r[:4]): r[4] for r in rows[1:]}
    assert body[("opt_in_by_plan", MONTH, "free", "rate")] == "0.5"
    assert body[("opt_outs_after_opt_in", MONTH, "settings", "count")] == "1"
    assert body[("notices", "", "2025-08-28", "pending")] == "1"
    assert body[("deletions", MONTH, "sessions", "count")] == "1"
    numbers = sum(len(r) - 2 for r in report["opt_in_by_plan"])
    assert sum(1 for k in body if k[0] == "opt_in_by_plan") == numbers


def test_report_windows_and_buckets_P9(api: Api) -> None:
    """P19: day buckets name the day; a window that ends before the history is empty;
    a bad bucket or an empty window is a validation error; operators only."""
    api.signup("free", "on")
    day = _report(api, "?bucket=day")
    assert [r["bucket"] for r in day["opt_in_by_plan"]] == ["2025-09-01"]
    week = _report(api, "?bucket=week")
    assert [r["bucket"] for r in week["opt_in_by_plan"]] == ["2025-09-01"]  # a Monday
    empty = _report(api, "?until=2025-08-01T00:00:00Z")
    assert empty["opt_in_by_plan"] == [] and empty["since"] == "2024-08-01T00:00:00Z"
    bad = api.client.get("/v1/admin/reports/consent?bucket=year", headers=ADMIN)
    assert bad.status_code == 422
    backwards = "?since=2025-09-02T00:00:00Z&until=2025-09-01T00:00:00Z"
    expect(
        api.client.get(f"/v1/admin/reports/consent{backwards}", headers=ADMIN),
        422,
        "validation_error",
    )
    too_many = "?bucket=day&since=2020-01-01T00:00:00Z"
    expect(
        api.client.get(f"/v1/admin/reports/consent{too_many}", headers=ADMIN),
        422,
        "validation_error",
    )
    user = api.signup("free", "on")
    assert api.client.get("/v1/admin/reports/consent").status_code == 401
    assert api.client.get("/v1/admin/reports/consent", headers=user.headers).status_code == 403
