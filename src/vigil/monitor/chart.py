"""The timeline chart, laid out once and drawn as SVG (web page, HTML export) or into a PDF.

One lane per event kind on a shared time axis: missile tests as dots on one row per missile
type (dark blue success, red failure, grey unknown), nuclear tests as diamonds, resolutions as
ticks with their number (vetoed drafts dashed), designation waves as bars whose area grows
with the number of designations, enforcement events as green dots. Every mark carries its date
and label as a tooltip (SVG ``<title>``); nothing is fetched and no script runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any

from vigil.monitor.timeline import KIND_LABELS, KINDS, Event

__all__ = ["Chart", "Shape", "draw_pdf", "layout_chart", "to_svg"]

MISSILE_ROWS = ("SRBM", "MRBM", "IRBM", "ICBM", "SLBM", "SLV", "HGV", "Unknown")
OUTCOME_COLOURS = {"success": "#1f5f99", "failure": "#c0392b", "unknown": "#9a9a9a"}
KIND_COLOURS = {
    "nuclear_test": "#7d3c98",
    "resolution": "#333333",
    "designations": "#d68910",
    "enforcement": "#1e8449",
}
LANE_HEIGHTS = {
    "missile_test": 100,
    "nuclear_test": 30,
    "resolution": 44,
    "designations": 64,
    "enforcement": 30,
}
LEFT, RIGHT, TOP, AXIS = 120.0, 16.0, 10.0, 26.0


@dataclass(frozen=True)
class Shape:
    """One mark: ``kind`` is circle, rect, line, text or polygon; ``points`` its coordinates
    (circle: cx, cy, r; rect: x, y, w, h; line: x1, y1, x2, y2; text: x, y; polygon: x, y pairs)."""

    kind: str
    points: tuple[float, ...]
    fill: str = "none"
    stroke: str = "none"
    css: str = ""
    title: str = ""
    text: str = ""
    size: float = 9.0
    anchor: str = "start"
    dashed: bool = False
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Chart:
    """A laid-out chart in abstract units (``width`` × ``height``)."""

    width: float
    height: float
    shapes: list[Shape]
    start: date
    end: date
    marks: int


def _span(events: Sequence[Event], start: date | None, end: date | None) -> tuple[date, date]:
    first = start or (min(e.day for e in events) if events else date(2006, 1, 1))
    last = end or (max(e.day for e in events) if events else date.today())
    first = date(first.year, 1, 1) if start is None else first
    last = date(last.year, 12, 31) if end is None else last
    if last <= first:
        last = date(first.year, 12, 31)
    return first, last


def _year_step(years: int) -> int:
    for step in (1, 2, 5, 10, 20):
        if years / step <= 20:
            return step
    return 50


def layout_chart(
    events: Sequence[Event], start: date | None = None, end: date | None = None, width: float = 1100.0
) -> Chart:
    """Lay out ``events`` between ``start`` and ``end`` (default: the whole years they span)."""
    first, last = _span(events, start, end)
    days = (last - first).days or 1
    plot = width - LEFT - RIGHT

    def x_of(day: date) -> float:
        return LEFT + plot * min(max((day - first).days, 0), days) / days

    shapes: list[Shape] = []
    tops: dict[str, float] = {}
    y = TOP
    for kind in KINDS:
        tops[kind] = y
        height = LANE_HEIGHTS[kind]
        shapes.append(Shape("rect", (LEFT, y, plot, height), fill="#f5f7fa", css="lane"))
        shapes.append(
            Shape("text", (LEFT - 8, y + height / 2 + 3), text=KIND_LABELS[kind], anchor="end", size=10)
        )
        y += height + 4
    bottom = y
    if tops:
        for i, row in enumerate(MISSILE_ROWS):
            shapes.append(
                Shape(
                    "text",
                    (LEFT + 2, tops["missile_test"] + 9 + i * 12),
                    text=row,
                    size=6.5,
                    fill="#7a7a7a",
                    css="row-label",
                )
            )
    # Year axis.
    step = _year_step(last.year - first.year + 1)
    for year in range(first.year, last.year + 1):
        tick = date(year, 1, 1)
        if tick < first or year % step:
            continue
        x = x_of(tick)
        shapes.append(Shape("line", (x, TOP, x, bottom), stroke="#d5dbe3", css="grid"))
        shapes.append(Shape("text", (x, bottom + 12), text=str(year), anchor="middle", size=9, css="year"))
    marks = 0
    resolution_row = 0
    for event in events:
        x = x_of(event.day)
        tip = f"{event.date}: {event.label}" + (f" — {event.detail}" if event.detail else "")
        data = {"kind": event.kind, "date": event.day.isoformat()}
        css = f"ev ev-{event.kind}"
        top = tops[event.kind]
        if event.kind == "missile_test":
            slot = (
                MISSILE_ROWS.index(event.category)
                if event.category in MISSILE_ROWS
                else len(MISSILE_ROWS) - 1
            )
            colour = OUTCOME_COLOURS.get(event.outcome, OUTCOME_COLOURS["unknown"])
            data["outcome"] = event.outcome
            data["type"] = event.category
            shapes.append(
                Shape("circle", (x, top + 6 + slot * 12, 3.2), fill=colour, css=css, title=tip, data=data)
            )
        elif event.kind == "nuclear_test":
            cy, r = top + 15, 8.0
            shapes.append(
                Shape(
                    "polygon",
                    (x, cy - r, x + r, cy, x, cy + r, x - r, cy),
                    fill=KIND_COLOURS["nuclear_test"],
                    css=css,
                    title=tip,
                    data=data,
                )
            )
        elif event.kind == "resolution":
            failed = event.category.casefold().startswith("failed")
            resolution_row = (resolution_row + 1) % 3
            label_y = top + 10 + resolution_row * 10
            shapes.append(
                Shape(
                    "line",
                    (x, label_y + 2, x, top + LANE_HEIGHTS["resolution"]),
                    stroke="#9a9a9a" if failed else KIND_COLOURS["resolution"],
                    css=css,
                    title=tip,
                    dashed=failed,
                    data=data,
                )
            )
            number = event.label.replace("Resolution ", "")
            shapes.append(
                Shape("text", (x + 2, label_y), text="veto" if failed else number, size=7.5, css="ev-label")
            )
        elif event.kind == "designations":
            lane = LANE_HEIGHTS["designations"]
            bar = min(lane - 12, 4 + 7 * math.sqrt(event.count))
            data["count"] = str(event.count)
            shapes.append(
                Shape(
                    "rect",
                    (x - 3, top + lane - bar, 6, bar),
                    fill=KIND_COLOURS["designations"],
                    css=css,
                    title=tip,
                    data=data,
                )
            )
            shapes.append(
                Shape("text", (x, top + lane - bar - 2), text=str(event.count), size=7.5, anchor="middle")
            )
        else:
            data["state"] = event.state
            shapes.append(
                Shape(
                    "circle",
                    (x, top + 15, 4.0),
                    fill=KIND_COLOURS["enforcement"],
                    css=css,
                    title=tip,
                    data=data,
                )
            )
        marks += 1
    if not events:
        shapes.append(
            Shape("text", (LEFT + plot / 2, TOP + 60), text="No events match the filter.", anchor="middle")
        )
    return Chart(width, bottom + AXIS, shapes, first, last, marks)


def _attrs(values: dict[str, Any]) -> str:
    return " ".join(f'{k}="{escape(str(v), quote=True)}"' for k, v in values.items() if v not in (None, ""))


def to_svg(chart: Chart, title: str = "Timeline") -> str:
    """The chart as an inline SVG element (no script, no external reference, no style attribute)."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="monitor-timeline" viewBox="0 0 {chart.width:.0f} '
        f'{chart.height:.0f}" width="100%" role="img" aria-label="{escape(title, quote=True)}" '
        f'data-marks="{chart.marks}" font-family="sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for s in chart.shapes:
        data = {f"data-{k}": v for k, v in s.data.items()}
        common = {"class": s.css, "fill": s.fill, "stroke": s.stroke, **data}
        tip = f"<title>{escape(s.title)}</title>" if s.title else ""
        p = s.points
        if s.kind == "circle":
            attrs = {
                "cx": f"{p[0]:.1f}",
                "cy": f"{p[1]:.1f}",
                "r": f"{p[2]:.1f}",
                **common,
                "fill-opacity": "0.75",
            }
            out.append(f"<circle {_attrs(attrs)}>{tip}</circle>")
        elif s.kind == "rect":
            attrs = {
                "x": f"{p[0]:.1f}",
                "y": f"{p[1]:.1f}",
                "width": f"{p[2]:.1f}",
                "height": f"{p[3]:.1f}",
                **common,
            }
            out.append(f"<rect {_attrs(attrs)}>{tip}</rect>")
        elif s.kind == "line":
            attrs = {
                "x1": f"{p[0]:.1f}",
                "y1": f"{p[1]:.1f}",
                "x2": f"{p[2]:.1f}",
                "y2": f"{p[3]:.1f}",
                **common,
                "stroke-width": "1.5" if s.title else "1",
                "stroke-dasharray": "3 2" if s.dashed else "",
            }
            out.append(f"<line {_attrs(attrs)}>{tip}</line>")
        elif s.kind == "polygon":
            points = " ".join(f"{p[i]:.1f},{p[i + 1]:.1f}" for i in range(0, len(p), 2))
            out.append(f'<polygon points="{points}" {_attrs(common)}>{tip}</polygon>')
        else:
            attrs = {
                "x": f"{p[0]:.1f}",
                "y": f"{p[1]:.1f}",
                "font-size": f"{s.size:g}",
                "text-anchor": s.anchor,
                "class": s.css,
                "fill": s.fill if s.fill != "none" else "#222222",
            }
            out.append(f"<text {_attrs(attrs)}>{escape(s.text)}</text>")
    out.append("</svg>")
    return "\n".join(out)


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def draw_pdf(pdf: Any, chart: Chart, x0: float, y0: float, width: float, family: str) -> float:
    """Draw ``chart`` into an fpdf2 document at (``x0``, ``y0``) mm, ``width`` mm wide; the height."""
    k = width / chart.width
    for s in chart.shapes:
        p = s.points
        if s.fill != "none" and s.kind != "text":
            pdf.set_fill_color(*_rgb(s.fill))
        if s.stroke != "none":
            pdf.set_draw_color(*_rgb(s.stroke))
        if s.kind == "circle":
            r = p[2] * k
            pdf.circle(x0 + p[0] * k, y0 + p[1] * k, r, style="F")
        elif s.kind == "rect":
            pdf.rect(x0 + p[0] * k, y0 + p[1] * k, p[2] * k, p[3] * k, style="F")
        elif s.kind == "line":
            pdf.set_line_width(0.25 if s.title else 0.1)
            if s.dashed:
                pdf.set_dash_pattern(dash=1, gap=0.6)
            pdf.line(x0 + p[0] * k, y0 + p[1] * k, x0 + p[2] * k, y0 + p[3] * k)
            if s.dashed:
                pdf.set_dash_pattern()
        elif s.kind == "polygon":
            pts = [(x0 + p[i] * k, y0 + p[i + 1] * k) for i in range(0, len(p), 2)]
            pdf.polygon(pts, style="F")
        else:
            size = s.size * k * 2.835  # abstract units -> mm -> points
            pdf.set_font(family, "", max(size, 4.0))
            pdf.set_text_color(*_rgb(s.fill if s.fill != "none" else "#222222"))
            text_width = pdf.get_string_width(s.text)
            shift = text_width if s.anchor == "end" else text_width / 2 if s.anchor == "middle" else 0.0
            pdf.text(x0 + p[0] * k - shift, y0 + p[1] * k, s.text)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_line_width(0.2)
    return chart.height * k
