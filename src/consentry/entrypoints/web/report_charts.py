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
        no_data_text="No data in this window",
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


def report_charts(report: dict[str, Any]) -> list[Chart]:  # size: seven charts, one call each
    """P20: one chart per section of the report, in the page's order."""
    pygal = _pygal()
    b, s = _series(report["opt_in_by_plan"], "plan", "rate")
    charts = [
        _render(
            pygal.Line,
            "opt-in-plan",
            "Opt-in rate of choices made, by plan",
            f"Share of training choices that were 'on', per {report['bucket']}, one line per "
            f"consumer plan, {len(b)} periods.",
            b,
            s,
            percent=True,
        )
    ]
    b, s = _series(report["opt_in_by_surface"], "surface", "rate")
    charts.append(
        _render(
            pygal.Line,
            "opt-in-surface",
            "Covered share of new sessions, by surface",
            f"Share of consumer, non-incognito sessions started per {report['bucket']} that are "
            f"covered by an 'on' choice, one line per surface, {len(b)} periods.",
            b,
            s,
            percent=True,
        )
    )
    b, s = _series(report["opt_outs_after_opt_in"], "source", "count")
    charts.append(
        _render(
            pygal.StackedBar,
            "opt-outs",
            "Opt-outs after opt-in, by source",
            f"'Off' choices whose previous choice was 'on', per {report['bucket']}, stacked by "
            "how they were made.",
            b,
            s,
        )
    )
    deferrals = [
        {"bucket": r["bucket"], "kind": "deferrals", "count": r["count"]}
        for r in report["deferrals"]
    ]
    b, s = _series(deferrals, "kind", "count")
    charts.append(
        _render(
            pygal.Bar,
            "deferrals",
            "Notice deferrals ('Not now')",
            f"Deferrals of the notice per {report['bucket']}.",
            b,
            s,
        )
    )
    b, s = _series(report["deletions"], "kind", "count")
    charts.append(
        _render(
            pygal.Bar,
            "deletions",
            "Deletions, by kind",
            f"Accounts, sessions and feedback deleted per {report['bucket']}.",
            b,
            s,
        )
    )
    purged = [
        {"bucket": r["bucket"], "item": item, "count": r[item]}
        for r in report["sweeps"]
        for item in ("sessions", "messages", "feedback", "scores")
    ]
    b, s = _series(purged, "item", "count")
    charts.append(
        _render(
            pygal.Bar,
            "sweeps",
            "Items purged by retention sweeps",
            f"Sessions, messages, feedback and scores purged per {report['bucket']}.",
            b,
            s,
        )
    )
    b, s = _series(report["runs"], "purpose", "sessions")
    charts.append(
        _render(
            pygal.Bar,
            "runs",
            "Sessions in training runs, by purpose",
            f"Sessions in the manifests of runs created per {report['bucket']}.",
            b,
            s,
        )
    )
    return charts
