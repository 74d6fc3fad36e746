"""The consent report's charts (P20): SVG drawn on the server by pygal, shown as images.

Each chart is a pygal chart rendered once per page load; pygal's own configuration
script and comments are removed (nothing on the page needs JavaScript), a ``<title>`` and
a ``<desc>`` lead the SVG (with ``role="img"``), and the page shows it as a ``data:``
image whose ``alt`` is that description, beside a table of the same numbers.
"""

from __future__ import annotations

import base64
import sys
import xml.etree.ElementTree as ET  # parses pygal's own output, never input
from dataclasses import dataclass
from functools import cache
from typing import Any

from consentry.entrypoints.web.i18n import gettext as _

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")


@cache
def _pygal() -> Any:
    """pygal, imported on first use. Its import appends a legacy ``find_module`` finder
    to ``sys.meta_path`` (for ``pygal.maps`` plugins, unused here) that makes every later
    failed import warn (ImportWarning); it is taken out again at once."""
    import pygal  # type: ignore[import-untyped]

    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]
    return pygal


@cache
def _style() -> Any:
    from pygal.style import Style  # type: ignore[import-untyped]

    return Style(
        background="white",
        plot_background="white",
        foreground="#1b1b1b",
        foreground_strong="#1b1b1b",
        foreground_subtle="#444444",
        font_family="system-ui, sans-serif",
        colors=("#1f5fa8", "#b3471d", "#2f7d32", "#6a3d9a", "#8a6d00", "#a01e5a", "#00707a"),
    )


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    desc: str
    svg: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _series(
    rows: list[dict[str, Any]], key: str, value: str
) -> tuple[list[str], dict[str, list[float | None]]]:
    buckets = sorted({r["bucket"] for r in rows})
    names = sorted({str(r[key]) for r in rows})
    at = {b: i for i, b in enumerate(buckets)}
    series: dict[str, list[float | None]] = {n: [None] * len(buckets) for n in names}
    for r in rows:
        series[str(r[key])][at[r["bucket"]]] = r[value]
    return buckets, series


def _render(
    kind: type[Any],
    key: str,
    title: str,
    desc: str,
    buckets: list[str],
    series: dict[str, list[float | None]],
    *,
    percent: bool = False,
) -> Chart:
    chart = kind(
        title=title,
        style=_style(),
        js=[],
        disable_xml_declaration=True,
        width=720,
        height=320,
        explicit_size=False,
        x_label_rotation=30,
        show_minor_x_labels=len(buckets) <= 16,
        legend_at_bottom=True,
        no_data_text=_("No data in this window."),
        value_formatter=(lambda v: f"{v:.0%}") if percent else (lambda v: f"{v:g}"),
        range=(0, 1) if percent else None,
    )
    chart.x_labels = buckets
    for name, values in series.items():
        chart.add(name, values)
    return Chart(key, title, desc, _accessible(chart.render(is_unicode=True), title, desc))


def _accessible(svg: str, title: str, desc: str) -> str:
    """Drop pygal's script and comments; lead with <title> and <desc>; role="img"."""
    root = ET.fromstring(svg)  # noqa: S314 - pygal's own output
    for parent in root.iter():
        for child in list(parent):
            if child.tag == f"{{{SVG_NS}}}script":
                parent.remove(child)
    for child in list(root):
        if child.tag == f"{{{SVG_NS}}}title":
            root.remove(child)
    title_el = ET.Element(f"{{{SVG_NS}}}title", {"id": "t"})
    title_el.text = title
    desc_el = ET.Element(f"{{{SVG_NS}}}desc", {"id": "d"})
    desc_el.text = desc
    root.insert(0, desc_el)
    root.insert(0, title_el)
    root.set("role", "img")
    root.set("aria-labelledby", "t d")
    return ET.tostring(root, encoding="unicode")


def _sections(report: dict[str, Any]) -> list[tuple[str, str, list[dict[str, Any]], str, str]]:
    """(chart key, pygal kind, rows, series column, value column) in the page's order."""
    deferrals = [
        {"bucket": r["bucket"], "kind": "deferrals", "count": r["count"]}
        for r in report["deferrals"]
    ]
    purged = [
        {"bucket": r["bucket"], "item": item, "count": r[item]}
        for r in report["sweeps"]
        for item in ("sessions", "messages", "feedback", "scores")
    ]
    return [
        ("opt-in-plan", "Line", report["opt_in_by_plan"], "plan", "rate"),
        ("opt-in-surface", "Line", report["opt_in_by_surface"], "surface", "rate"),
        ("opt-outs", "StackedBar", report["opt_outs_after_opt_in"], "source", "count"),
        ("deferrals", "Bar", deferrals, "kind", "count"),
        ("deletions", "Bar", report["deletions"], "kind", "count"),
        ("sweeps", "Bar", purged, "item", "count"),
        ("runs", "Bar", report["runs"], "purpose", "sessions"),
    ]


def _words(key: str, bucket: str, periods: int) -> tuple[str, str]:
    """The chart's title and description, in the reader's language."""
    values = {
        "bucket": {"day": _("day"), "week": _("week"), "month": _("month")}[bucket],
        "count": periods,
    }
    words = {
        "opt-in-plan": (
            _("Opt-in rate of choices made, by plan"),
            _(
                "Share of training choices that were 'on', per %(bucket)s, "
                "one line per consumer plan, %(count)s periods."
            ),
        ),
        "opt-in-surface": (
            _("Covered share of new sessions, by surface"),
            _(
                "Share of consumer, non-incognito sessions started per %(bucket)s that are "
                "covered by an 'on' choice, one line per surface, %(count)s periods."
            ),
        ),
        "opt-outs": (
            _("Opt-outs after opt-in, by source"),
            _(
                "'Off' choices whose previous choice was 'on', per %(bucket)s, "
                "stacked by how they were made."
            ),
        ),
        "deferrals": (
            _("Notice deferrals ('Not now')"),
            _("Deferrals of the notice per %(bucket)s."),
        ),
        "deletions": (
            _("Deletions, by kind"),
            _("Accounts, sessions and feedback deleted per %(bucket)s."),
        ),
        "sweeps": (
            _("Items purged by retention sweeps"),
            _("Sessions, messages, feedback and scores purged per %(bucket)s."),
        ),
        "runs": (
            _("Sessions in training runs, by purpose"),
            _("Sessions in the manifests of runs created per %(bucket)s."),
        ),
    }
    title, desc = words[key]
    return title, desc % values


def report_charts(report: dict[str, Any]) -> list[Chart]:
    """P20: one chart per section of the report, in the page's order."""
    pygal = _pygal()
    charts = []
    for key, kind, rows, series_key, value_key in _sections(report):
        buckets, series = _series(rows, series_key, value_key)
        title, desc = _words(key, report["bucket"], len(buckets))
        charts.append(
            _render(
                getattr(pygal, kind), key, title, desc, buckets, series, percent=value_key == "rate"
            )
        )
    return charts
