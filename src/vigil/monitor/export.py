"""The scorecard and the timeline as one document: self-contained HTML, or PDF made with fpdf2.

The PDF is laid out like the screening reports (:mod:`vigil.screening.reports`): A4 landscape,
the system's Unicode font (DejaVu Sans, NanumGothic for Korean) found at run time, Helvetica
with transliteration when there is none. The timeline chart is drawn with PDF primitives from the
same layout as the web page's SVG.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

import vigil
from vigil.monitor.chart import layout_chart, to_svg
from vigil.monitor.scorecard import Cell, Scorecard
from vigil.monitor.timeline import KIND_LABELS, Timeline

__all__ = ["MonitorReport"]

_TEMPLATES = Path(__file__).resolve().parents[1] / "web" / "templates" / "reports"
_MAX_PDF_EVENTS = 150


@dataclass(frozen=True)
class MonitorReport:
    """A scorecard and a timeline, ready to export."""

    scorecard: Scorecard
    timeline: Timeline
    title: str = "DPRK sanctions implementation monitor"
    generated_by: str | None = None
    generated_at: str = ""

    def stamp(self) -> str:
        return self.generated_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")

    def svg(self) -> str:
        flt = self.timeline.filter
        chart = layout_chart(self.timeline.events, flt.start, flt.end)
        return to_svg(chart, "Timeline of DPRK tests, resolutions, designations and enforcement events")

    def to_html(self) -> str:
        """A self-contained HTML page (inline CSS and SVG; nothing is fetched, no script)."""
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        template = env.get_template("monitor.html")
        css = (_TEMPLATES / "monitor.css").read_text(encoding="utf-8")
        return template.render(
            report=self,
            css=css,
            svg=self.svg(),
            kind_labels=KIND_LABELS,
            stamp=self.stamp(),
            version=vigil.__version__,
        )

    def to_pdf(self, fonts: Any = None) -> bytes:
        """The report as a PDF (A4 landscape); ``fonts`` default to the system's (see module doc)."""
        from vigil.screening.reports import find_pdf_fonts

        return _PdfMonitor(self, fonts or find_pdf_fonts()).render()


def _cell_text(cell: Cell) -> str:
    return cell.value


def _short(text: str, limit: int = 220) -> str:
    """Long citations cut for the PDF (line-breaking long URLs is slow); the HTML keeps them whole."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _PdfMonitor:
    FAMILY = "vigil"

    def __init__(self, report: MonitorReport, fonts: Any) -> None:
        from fpdf import FPDF

        self.report = report
        self.fonts = fonts
        self.unicode = fonts.latin is not None
        writer = self

        class _Doc(FPDF):
            def footer(self) -> None:
                writer._footer()

        self.pdf = _Doc(orientation="L", unit="mm", format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=14)
        self.pdf.set_margins(12, 12, 12)
        self.pdf.alias_nb_pages()
        self.pdf.set_title(report.title)
        self.pdf.set_creator(f"Vigil {vigil.__version__}")
        self.pdf.set_author(report.generated_by or "Vigil")
        if fonts.latin is None:
            self.family = "helvetica"
        else:
            self.family = self.FAMILY
            self.pdf.add_font(
                self.FAMILY, "", str(fonts.latin.path), collection_font_number=fonts.latin.index
            )
            bold = fonts.latin_bold or fonts.latin
            self.pdf.add_font(self.FAMILY, "B", str(bold.path), collection_font_number=bold.index)

    def text(self, value: Any) -> str:
        from vigil.screening.reports import transliterate

        text = "" if value is None else str(value)
        text = text.replace("\u2014", "-").replace("\u2013", "-")
        return text if self.unicode else transliterate(text)

    def _footer(self) -> None:
        pdf = self.pdf
        pdf.set_y(-10)
        pdf.set_font(self.family, "", 7)
        pdf.set_text_color(90, 90, 90)
        pdf.cell(0, 4, self.text(f"Vigil {vigil.__version__} - {self.report.stamp()}"), align="L")
        pdf.set_x(pdf.l_margin)
        pdf.cell(0, 4, f"Page {pdf.page_no()}/{{nb}}", align="R")
        pdf.set_text_color(0, 0, 0)

    def heading(self, title: str) -> None:
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 50:
            pdf.add_page()
        pdf.ln(2)
        pdf.set_font(self.family, "B", 12)
        pdf.set_text_color(20, 50, 90)
        pdf.cell(0, 7, self.text(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)

    def paragraph(self, text: str, size: float = 8.5) -> None:
        self.pdf.set_font(self.family, "", size)
        self.pdf.multi_cell(0, 4.2, self.text(text), new_x="LMARGIN", new_y="NEXT")

    def table(
        self, headings: list[str], rows: list[list[str]], widths: list[float], size: float = 7.0
    ) -> None:
        from fpdf.fonts import FontFace

        pdf = self.pdf
        pdf.set_font(self.family, "", size)
        if not rows:
            self.paragraph("None.")
            return
        with pdf.table(
            col_widths=tuple(widths),
            width=sum(widths),
            align="LEFT",
            text_align="LEFT",
            line_height=size * 0.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(225, 232, 242)),
            padding=1,
            borders_layout="SINGLE_TOP_LINE",
            v_align="TOP",
        ) as table:
            head = table.row()
            for title in headings:
                head.cell(self.text(title))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(self.text(value))
        pdf.ln(1)

    def render(self) -> bytes:
        from vigil.monitor.chart import draw_pdf

        report, pdf = self.report, self.pdf
        pdf.add_page()
        pdf.set_font(self.family, "B", 16)
        pdf.cell(0, 8, self.text(report.title), new_x="LMARGIN", new_y="NEXT")
        self.paragraph(
            f"Generated {report.stamp()} by {report.generated_by or 'Vigil'}. Every cell gives its source "
            "and confidence below; 'unknown' means the data hold nothing on it (never no or zero). "
            "Confidence 'low' means unsure: verify before publishing."
        )
        card = report.scorecard
        self.heading("Scorecard")
        widths = [30.0] + [13.0] * len(card.resolutions) + [22.0, 30.0, 36.0, 22.0]
        scale = 273.0 / sum(widths)
        widths = [w * scale for w in widths]
        rows = [
            [s.name]
            + [_cell_text(s.reports[r]) for r in card.resolutions]
            + [s.reports_summary.value, s.mission.value, s.visa.value, s.enforcement.value]
            for s in card.states
        ]
        self.table(
            ["State", *card.resolutions, "Reports", "DPRK mission", "Visa regime", "Enforcement"],
            rows,
            widths,
        )
        self.heading("Timeline")
        timeline = report.timeline
        flt = timeline.filter.to_dict()
        counts = ", ".join(f"{KIND_LABELS[k]}: {v}" for k, v in timeline.counts().items())
        self.paragraph(
            f"Filter: from {flt['from'] or 'start'} to {flt['to'] or 'end'}; kinds "
            f"{', '.join(flt['kinds']) or 'all'}; missile types {', '.join(flt['missile_types']) or 'all'}; "
            f"outcomes {', '.join(flt['outcomes']) or 'all'}. {counts}. "
            f"Designations: {timeline.designations_source}."
        )
        chart = layout_chart(timeline.events, timeline.filter.start, timeline.filter.end)
        if pdf.get_y() + chart.height * 273.0 / chart.width > pdf.h - 16:
            pdf.add_page()
        y = pdf.get_y() + 1
        height = draw_pdf(pdf, chart, pdf.l_margin, y, 273.0, self.family)
        pdf.set_y(y + height + 2)
        self.heading("Designations after each resolution")
        self.table(
            [
                "Resolution",
                "Category",
                "Adopted",
                "Next adopted",
                "On adoption day",
                "Until next",
                "Ind.",
                "Ent.",
            ],
            [
                [
                    a["resolution"],
                    a["category"],
                    a["adopted"],
                    a["next_adopted"] or "-",
                    str(a["on_adoption"]),
                    str(a["until_next"]),
                    str(a["individuals"]),
                    str(a["entities"]),
                ]
                for a in timeline.designations_after
            ],
            [22, 60, 25, 25, 30, 25, 15, 15],
        )
        self.heading("Sources of the scorecard cells")
        self.paragraph("Long citations are cut here; the HTML export and the JSON output give them whole.")
        source_rows = []
        for s in card.states:
            cells = [(f"report {r}", s.reports[r]) for r in card.resolutions]
            cells += [("DPRK mission", s.mission), ("visa regime", s.visa), ("enforcement", s.enforcement)]
            for what, cell in cells:
                if cell.source or cell.detail:
                    source_rows.append(
                        [s.name, what, cell.value, _short(cell.detail), cell.confidence, _short(cell.source)]
                    )
        self.table(
            ["State", "Cell", "Value", "Detail", "Confidence", "Source"],
            source_rows,
            [24, 22, 22, 75, 30, 100],
        )
        events = timeline.events[:_MAX_PDF_EVENTS]
        self.heading(f"Events ({len(timeline.events)})")
        if len(timeline.events) > len(events):
            self.paragraph(
                f"The first {len(events)} are listed; narrow the filter or use the HTML export for all."
            )
        self.table(
            ["Date", "Kind", "Event", "Detail", "Confidence", "Source"],
            [
                [e.date, KIND_LABELS[e.kind], e.label, _short(e.detail), e.confidence, _short(e.source, 160)]
                for e in events
            ],
            [20, 25, 45, 85, 30, 68],
        )
        return bytes(pdf.output())
