"""The PDF report, drawn with Qt: a cover (key figures, verdicts, a plan thumbnail), the
summary, the plan, per-hall tables and supply loads, the cable bill, violations,
resilience (every single failure, worst first), and the figures the design relies on.
Its tables come from :mod:`designer.io.tables` (the CSV bill and ``designer report`` use
the same).

Each part of the report is one function ``(flow, report)`` listed in :data:`SECTIONS`: a
new page or section is one more function there. Pages carry "Page n of N": the report is
laid out once to count its pages (drawing nothing costly), then drawn.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from PySide6.QtCore import QBuffer, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen,
                           QTextLayout, QTextOption)

from designer.catalog import Catalog
from designer.engine import Evaluation, Evaluator
from designer.engine.resilience import Resilience
from designer.io import tables
from designer.io.exports import partial_file
from designer.model import Design
from designer.ui.export.plan import (ERROR, INK, MUTED, RULE, WARNING, PlanSheet, pdf_writer, plural, scene_for,
                                     set_page, totals_lines)

BAR = QColor("#3b7dd8")
GOOD = QColor("#1e8449")
PANEL = QColor("#f3f5f8")
#: Single failures listed on the resilience page (the worst that strand compute).
WORST_FAILURES_SHOWN = 20
#: Stranded UltraServer ids listed per failure before "+N".
SYSTEMS_SHOWN = 6
#: Busways, CDUs or air handlers charted per hall and kind (the most loaded, and every overloaded one).
LOADS_CHARTED = 12
#: Up to this many halls each get their figures and load charts; a larger campus gets a table.
HALLS_IN_FULL = 4
A4 = QPageSize.PageSizeId.A4
PORTRAIT, LANDSCAPE = QPageLayout.Orientation.Portrait, QPageLayout.Orientation.Landscape
#: Page margin and the footer's baseline above the page's bottom edge (mm).
MARGIN_MM = 15.0
FOOTER_MM = 8.0


class ExportCancelled(Exception):
    """The user cancelled a long export."""


#: A table cell: its text, (text, colour), or (text, colour or None, a note shown muted below it).
Cell = str | tuple[str, QColor] | tuple[str, QColor | None, str]


def _cell(cell: Cell) -> tuple[str, QColor, str]:
    """A cell's text, colour and note."""
    if isinstance(cell, tuple):
        return str(cell[0]), cell[1] or INK, str(cell[2]) if len(cell) > 2 else ""
    return str(cell), INK, ""


@dataclass
class Report:
    """What every section reads: the design, its catalogs, evaluation, the violations
    shown (the Problems dock's list), the single failures and the canvas's scene."""

    design: Design
    catalog: Catalog        # as shipped (the plan sheet applies the overrides itself)
    cat: Catalog            # the design's effective catalog
    ev: Evaluation
    violations: list
    resilience: Resilience
    scene: object = None
    date: _dt.date = field(default_factory=_dt.date.today)
    #: Pages where sections start ("plan"), known from the pass that counts the pages.
    anchors: dict = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0}
        for v in self.violations:
            out[v.severity] = out.get(v.severity, 0) + 1
        return out


class _Flow:
    """Writes text and tables down A4 pages, starting new pages as needed, and puts the
    footer ("Page n of N") on each page as it leaves it. With ``measuring`` it only lays
    out (sections skip their costly drawing): the first pass that counts the pages."""

    def __init__(self, writer: QPdfWriter, painter: QPainter, footer: str, total_pages: int | None = None,
                 progress=None):
        self.writer = writer
        self.p = painter
        self.mm = writer.resolution() / 25.4
        self.pages = 1
        self.total_pages = total_pages
        self.footer_text = footer
        self.progress = progress
        self.reset_page()

    @property
    def measuring(self) -> bool:
        return self.total_pages is None

    def reset_page(self) -> None:
        """Take the writer's current page size (15 mm margins) and start at its top."""
        self.full = QRectF(0, 0, self.writer.width(), self.writer.height())
        m = MARGIN_MM * self.mm
        self.page = self.full.adjusted(m, m, -m, -m)
        self.y = self.page.top()

    def font(self, size_pt: float, bold: bool = False) -> QFontMetricsF:
        f = QFont("DejaVu Sans")
        f.setPointSizeF(size_pt)
        f.setBold(bold)
        self.p.setFont(f)
        return QFontMetricsF(f, self.writer)

    def footer(self) -> None:
        """The design's name and date on the left, "Page n of N" on the right."""
        fm = self.font(7.5)
        self.p.setPen(MUTED)
        base = self.full.bottom() - FOOTER_MM * self.mm
        left = self.full.left() + MARGIN_MM * self.mm
        right = self.full.right() - MARGIN_MM * self.mm
        self.p.setPen(QPen(RULE, 0.4))
        self.p.drawLine(QPointF(left, base - fm.height()), QPointF(right, base - fm.height()))
        self.p.setPen(MUTED)
        self.p.drawText(QPointF(left, base), fm.elidedText(self.footer_text, Qt.TextElideMode.ElideRight,
                                                           (right - left) * 0.7))
        label = f"Page {self.pages} of {self.total_pages if self.total_pages is not None else self.pages}"
        self.p.drawText(QPointF(right - fm.horizontalAdvance(label), base), label)

    def new_page(self, orientation: QPageLayout.Orientation | None = None) -> None:
        """End this page (its footer) and start the next, turned as asked."""
        self.footer()
        if orientation is not None:
            set_page(self.writer, A4, orientation)
        self.writer.newPage()
        self.pages += 1
        self.reset_page()
        if self.progress is not None and self.progress(None) is False:
            raise ExportCancelled()

    def finish(self) -> None:
        self.footer()

    def need(self, height: float) -> None:
        if self.y + height > self.page.bottom():
            self.new_page()

    def space(self, mm: float) -> None:
        self.y += mm * self.mm

    def heading(self, text: str, size: float = 14) -> None:
        fm = self.font(size, True)
        self.need(fm.height() * 3)  # a heading never ends a page alone
        self.font(size, True)  # (a new page's footer took the font)
        self.y += fm.height() * 0.4
        self.p.setPen(INK)
        self.p.drawText(QPointF(self.page.left(), self.y + fm.ascent()), text)
        self.y += fm.height() * 1.3

    def lines(self, text: str, size: float, width: float, bold: bool = False) -> list[str]:
        """``text`` broken into lines no wider than ``width`` (at word boundaries, inside a
        word only when one word is wider than the line)."""
        font = QFont("DejaVu Sans")
        font.setPointSizeF(size)
        font.setBold(bold)
        out: list[str] = []
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        for para in str(text).split("\n"):
            if not para:
                out.append("")
                continue
            layout = QTextLayout(para, font, self.writer)
            layout.setTextOption(option)
            layout.beginLayout()
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(max(width, 1.0))
                out.append(para[line.textStart():line.textStart() + line.textLength()].rstrip())
            layout.endLayout()
        return out

    def text(self, text: str, size: float = 10, colour: QColor = INK, bold: bool = False,
             width: float | None = None) -> None:
        """A wrapped paragraph; it runs on to the next page when it does not fit."""
        fm = self.font(size, bold)
        for line in self.lines(text, size, width or self.page.width(), bold):
            self.need(fm.lineSpacing())
            self.font(size, bold)
            self.p.setPen(colour)
            self.p.drawText(QPointF(self.page.left(), self.y + fm.ascent()), line)
            self.y += fm.lineSpacing()
        self.y += fm.height() * 0.35

    def table(self, header: list[str], rows: Sequence[Sequence[Cell] | str], widths: list[float],
              size: float = 8.5, right: Sequence[int] = ()) -> None:
        """A table whose cells wrap: every word of every cell is shown. A row given as a
        string is a group title across the table; columns in ``right`` align right."""
        fm = self.font(size)
        fm_bold = self.font(size, True)
        pad = 1.2 * self.mm
        gap = 3 * self.mm  # between a right-aligned number and the column after it
        cols = self._column_widths(header, rows, widths, fm, fm_bold, 2 * pad, gap, right)
        xs = [self.page.left()]
        for w in cols[:-1]:
            xs.append(xs[-1] + w)

        def layout(cells: Sequence[Cell], bold: bool) -> tuple[list[tuple[list[str], list[str]]], float]:
            wrapped = []
            for k, (c, w) in enumerate(zip(cells, cols)):
                text, _, note = _cell(c)
                inner = w - 2 * pad - (gap if k in right else 0)
                wrapped.append((self.lines(text, size, inner, bold), self.lines(note, size, inner) if note else []))
            return wrapped, max(len(a) + len(b) for a, b in wrapped) * fm.lineSpacing() + 2 * pad

        def draw(cells: Sequence[Cell], wrapped: list[tuple[list[str], list[str]]], height: float, bold: bool) -> None:
            metrics = fm_bold if bold else fm
            for k, (x, w, cell, (lines, notes)) in enumerate(zip(xs, cols, cells, wrapped)):
                colour = _cell(cell)[1]
                for n, line in enumerate(lines + notes):
                    self.font(size, bold and n < len(lines))
                    self.p.setPen(colour if n < len(lines) else MUTED)
                    y = self.y + pad + n * fm.lineSpacing() + fm.ascent()
                    dx = w - 2 * pad - gap - metrics.horizontalAdvance(line) if k in right else 0.0
                    self.p.drawText(QPointF(x + pad + dx, y), line)
            self.p.setPen(QPen(INK if bold else RULE, 0.8 if bold else 0.5))
            self.p.drawLine(QPointF(self.page.left(), self.y + height), QPointF(self.page.right(), self.y + height))
            self.y += height

        head, head_h = layout(header, True)
        group_h = fm.lineSpacing() + 2 * pad
        first = rows[0] if rows else None
        first_h = layout(first, False)[1] if first is not None and not isinstance(first, str) else group_h
        self.need(head_h + first_h + (group_h if isinstance(first, str) else 0))
        if len(rows) <= 15:  # a short table stays on one page
            whole = sum(group_h if isinstance(c, str) else layout(c, False)[1] for c in rows)
            if whole < self.page.height() / 3:
                self.need(head_h + whole)
        draw(header, head, head_h, True)
        for k, cells in enumerate(rows):
            if isinstance(cells, str):  # a group title: kept with the row after it
                nxt = rows[k + 1] if k + 1 < len(rows) else None
                below = layout(nxt, False)[1] if nxt is not None and not isinstance(nxt, str) else 0.0
                if self.y + group_h + below > self.page.bottom():
                    self.new_page()
                    draw(header, head, head_h, True)
                self.font(size, True)
                self.p.setPen(INK)
                self.p.fillRect(QRectF(self.page.left(), self.y, self.page.width(), group_h), PANEL)
                self.p.drawText(QPointF(self.page.left() + pad, self.y + pad + fm.ascent()), cells)
                self.y += group_h
                continue
            wrapped, height = layout(cells, False)
            if self.y + height > self.page.bottom():
                self.new_page()
                draw(header, head, head_h, True)
            draw(cells, wrapped, height, False)
        self.y += fm.height() * 0.6

    def _column_widths(self, header: list[str], rows: Sequence[Sequence[Cell] | str], widths: list[float],
                       fm: QFontMetricsF, fm_bold: QFontMetricsF, pad: float, gap: float,
                       right: Sequence[int]) -> list[float]:
        """``widths`` in proportion across the page, widened where a column's longest word
        (a number, an id) would not fit, so that words break only when the page is too narrow."""
        page_w = self.page.width()
        need = []
        for k in range(len(widths)):
            words = [(w, fm_bold) for w in str(header[k]).split()]
            for cells in rows:
                if not isinstance(cells, str) and k < len(cells):
                    text, _, note = _cell(cells[k])
                    words += [(w, fm) for w in f"{text} {note}".split()]
            longest = max((m.horizontalAdvance(w) for w, m in words), default=0.0)
            need.append(longest + pad + (gap if k in right else 0.0) + 1.0)
        if sum(need) >= page_w:  # no way to keep every word whole: plain proportions
            return [w / sum(widths) * page_w for w in widths]
        fixed: set[int] = set()
        cols = [w / sum(widths) * page_w for w in widths]
        for _ in range(len(widths)):
            short = [k for k, c in enumerate(cols) if k not in fixed and c < need[k] - 1e-6]
            if not short:
                break
            fixed.update(short)
            left = page_w - sum(need[k] for k in fixed)
            flex = sum(widths[k] for k in range(len(widths)) if k not in fixed)
            cols = [need[k] if k in fixed else widths[k] / flex * left for k in range(len(widths))]
        return cols

    def bars(self, title: str, labels: list[str], values: list[float], limit: float = 100.0, unit: str = "%") -> None:
        """A horizontal bar chart (utilisation); bars over ``limit``, and their value, in red."""
        if not values:
            return
        fm = self.font(8)
        bar_h = fm.height() * 1.2
        self.need(bar_h * min(len(values), 4) + fm.height() * 2)
        self.text(title, 9.5, bold=True)
        label_w = 30 * self.mm
        span = self.page.width() - label_w - 20 * self.mm
        vmax = max(max(values), limit) or 1.0
        top = self.y
        for label, value in zip(labels, values):
            if self.y + bar_h > self.page.bottom():
                self._limit_line(top, label_w, span, limit, vmax)
                self.new_page()
                top = self.y
            self.font(8)
            self.p.setPen(INK)
            self.p.drawText(QRectF(self.page.left(), self.y, label_w - 2, bar_h), Qt.AlignmentFlag.AlignVCenter, label)
            w = span * value / vmax
            over = value > limit + 1e-9  # an overloaded busway, CDU or air handler
            self.p.fillRect(QRectF(self.page.left() + label_w, self.y + bar_h * 0.15, w, bar_h * 0.7),
                            ERROR if over else BAR)
            self.p.setPen(ERROR if over else INK)
            shown = f"{value:,.0f}{unit}"
            x_lim = span * limit / vmax
            end = w + 2 * self.mm + fm.horizontalAdvance(shown)
            # beside its bar, or past the limit line when it would cross it
            x_text = w if end < x_lim - self.mm or w > x_lim else x_lim
            self.p.drawText(QPointF(self.page.left() + label_w + x_text + 2 * self.mm, self.y + bar_h * 0.75), shown)
            self.y += bar_h
        self._limit_line(top, label_w, span, limit, vmax)
        self.y += fm.height() * 0.6

    def _limit_line(self, top: float, label_w: float, span: float, limit: float, vmax: float) -> None:
        x_lim = self.page.left() + label_w + span * limit / vmax
        self.p.setPen(QPen(INK, 1, Qt.PenStyle.DashLine))
        self.p.drawLine(QPointF(x_lim, top), QPointF(x_lim, self.y))


# ---------------------------------------------------------------- formatting
def _mw(kw: float) -> str:
    return f"{kw / 1000:,.2f} MW" if abs(kw) >= 1000 else f"{kw:,.0f} kW"


def _money(amount: float, currency: str) -> str:
    if abs(amount) >= 1e9:
        return f"{currency} {amount / 1e9:,.2f} billion"
    if abs(amount) >= 1e6:
        return f"{currency} {amount / 1e6:,.2f} million"
    return f"{currency} {amount:,.0f}"


def _pflops(pflops: float) -> str:
    """PFLOPS below 10,000, EFLOPS above."""
    return f"{pflops / 1000:,.1f} EFLOPS" if abs(pflops) >= 10_000 else f"{pflops:,.1f} PFLOPS"


def _date(day: _dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def _loads_sentence(report: Report) -> str:
    """``Highest loads: busway bw2A at 28 % of its limit, CDU cdu1 at 29 %.``"""
    loads = tables.highest_loads(report.design, report.cat, report.ev)
    if not loads:
        return ""
    parts = [f"{label} {u.item_id} at {u.percent:,.0f} %" + (" of its limit" if k == 0 else "")
             for k, (label, u) in enumerate(loads)]
    return "Highest loads: " + ", ".join(parts) + "."


# ---------------------------------------------------------------- sections
def cover_page(flow: _Flow, r: Report) -> None:
    """Page 1: the design's name and date, a verdict, the key figures and a plan thumbnail."""
    t = r.ev.totals
    p, th = t["power"], t["throughput"]
    counts = r.counts
    names = [h.name for h in r.design.halls]
    halls = f" ({', '.join(names)})" if 0 < len(names) <= 4 else ""
    flow.text("DESIGNER · DESIGN REPORT", 9, MUTED, bold=True)
    flow.text(r.design.name, 24, bold=True)
    flow.text(f"{_date(r.date)} · {plural(len(r.design.halls), 'hall')}{halls} · "
              f"{plural(len(r.design.equipment), 'item')}", 10, MUTED)
    flow.space(3)
    # the verdict, in a coloured band
    res = r.resilience
    if counts["error"]:
        verdict, colour = (f"{plural(counts['error'], 'error')} to fix before this design can be built "
                           f"({plural(counts['warning'], 'warning')}); see Violations."), ERROR
    elif not res.n_minus_1_safe:
        verdict, colour = "No rule is broken, but one failure strands compute; see Resilience.", WARNING
    else:
        verdict, colour = "No rule is broken and no single failure strands compute.", GOOD
        if counts["warning"]:
            verdict = f"No rule is broken ({plural(counts['warning'], 'warning')} to review); no single failure " \
                      "strands compute."
    fm = flow.font(11, True)
    band = QRectF(flow.page.left(), flow.y, flow.page.width(), fm.height() * 2.2)
    flow.p.fillRect(band, QColor(colour.red(), colour.green(), colour.blue(), 30))
    flow.p.fillRect(QRectF(band.left(), band.top(), 1.5 * flow.mm, band.height()), colour)
    flow.p.setPen(INK)
    flow.p.drawText(band.adjusted(5 * flow.mm, 0, -2 * flow.mm, 0),
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                    fm.elidedText(verdict, Qt.TextElideMode.ElideRight, band.width() - 7 * flow.mm))
    flow.y = band.bottom() + 4 * flow.mm
    # key figures, three to a row
    worst = res.worst
    tiles = [
        ("Chips", f"{t['chips']:,}", f"{plural(t['racks'], 'rack')}"),
        ("UltraServers", f"{t['ultraservers']:,}", f"{plural(th['stranded_ultraservers'], 'stranded UltraServer')}"),
        ("Effective compute (MXFP8)", _pflops(th["effective"]["mxfp8_pflops"]),
         f"peak {_pflops(th['peak']['mxfp8_pflops'])}"),
        ("IT power", _mw(p["it_kw"]), f"critical load of {plural(len(r.design.halls), 'hall')}"),
        ("Facility power", _mw(p["facility_kw"]), f"PUE {p['pue']:.2f}"),
        ("PFLOPS per MW", f"{th['pflops_per_mw']:,.1f}", "effective MXFP8 per facility MW"),
        ("Annual energy", f"{p['annual_mwh']:,.0f} MWh", "at the facility power, all year"),
        ("Annual electricity cost", _money(p["annual_cost"], p.get("currency", r.design.site.currency)),
         f"at {r.design.site.electricity_price_per_kwh:g} per kWh"),
        ("Annual CO₂", f"{p['annual_co2_t']:,.0f} t", f"at {r.design.site.grid_kg_co2_per_kwh:g} kg per kWh"),
        ("Errors", f"{counts['error']:,}", "rules broken (see Violations)"),
        ("Warnings", f"{counts['warning']:,}", "to review"),
        ("Resilience" if worst is None else "Worst single failure",
         "N−1 safe" if worst is None else plural(worst.stranded_ultraservers, "UltraServer"),
         "no single failure strands compute" if worst is None
         else f"if {worst.id} fails ({worst.stranded_mxfp8_pflops:,.0f} PFLOPS)"),
    ]
    cols, gap = 3, 3 * flow.mm
    tile_w = (flow.page.width() - gap * (cols - 1)) / cols
    label_fm, value_fm, note_fm = (flow.font(*a) for a in ((8, False), (15, True), (7.5, False)))
    tile_h = label_fm.height() + value_fm.height() + note_fm.height() + 4 * flow.mm
    for k, (label, value, note) in enumerate(tiles):
        x = flow.page.left() + (k % cols) * (tile_w + gap)
        y = flow.y + (k // cols) * (tile_h + gap)
        flow.p.fillRect(QRectF(x, y, tile_w, tile_h), PANEL)
        bad = (label == "Errors" and counts["error"]) or label == "Worst single failure"
        inner = tile_w - 6 * flow.mm
        flow.font(8)
        flow.p.setPen(MUTED)
        flow.p.drawText(QPointF(x + 3 * flow.mm, y + 2 * flow.mm + label_fm.ascent()), label)
        size = 15.0
        fm = flow.font(size, True)
        while fm.horizontalAdvance(value) > inner and size > 9:  # smaller type before eliding
            size -= 0.5
            fm = flow.font(size, True)
        flow.p.setPen(ERROR if bad else INK)
        flow.p.drawText(QPointF(x + 3 * flow.mm, y + 2 * flow.mm + label_fm.height() + value_fm.ascent()),
                        fm.elidedText(value, Qt.TextElideMode.ElideRight, inner))
        flow.font(7.5)
        flow.p.setPen(MUTED)
        flow.p.drawText(QPointF(x + 3 * flow.mm, y + 2 * flow.mm + label_fm.height() + value_fm.height()
                                + note_fm.ascent()), note_fm.elidedText(note, Qt.TextElideMode.ElideRight, inner))
    rows = (len(tiles) + cols - 1) // cols
    flow.y += rows * (tile_h + gap) + 2 * flow.mm
    from designer.ui.docks.resilience import redundancy_text, verdict_text

    flow.text(verdict_text(res) + ". " + redundancy_text(res) + ".", 9.5, INK if res.n_minus_1_safe else ERROR)
    # the plan thumbnail fills the rest of the page
    flow.space(2)
    box = QRectF(flow.page.left(), flow.y, flow.page.width(), flow.page.bottom() - flow.y - 6 * flow.mm)
    if box.height() > 30 * flow.mm and r.design.halls:
        flow.p.setPen(QPen(RULE, 0.5))
        flow.p.setBrush(Qt.BrushStyle.NoBrush)
        flow.p.drawRect(box)
        if not flow.measuring:
            with scene_for(r.design, r.catalog, r.ev, None) as scene:
                PlanSheet(scene, r.design, r.catalog, r.ev).draw_plan(
                    flow.p, box.adjusted(2 * flow.mm, 2 * flow.mm, -2 * flow.mm, -2 * flow.mm), flow.mm,
                    overlays=False, labels=False)
        fm = flow.font(8)
        flow.p.setPen(MUTED)
        flow.p.drawText(QPointF(box.left(), box.bottom() + 1.5 * flow.mm + fm.ascent()),
                        f"The plan, north up (to scale on page {r.anchors.get('plan', 3)}).")


def summary_section(flow: _Flow, r: Report) -> None:
    """The totals, the equipment by type and what binds: the rules broken, or the highest loads."""
    flow.new_page()
    flow.heading("Summary", 16)
    for line in totals_lines(r.ev):
        flow.text(line, 10)
    th = r.ev.totals["throughput"]
    flow.text(f"{plural(th['stranded_ultraservers'], 'UltraServer')} stranded; effective PFLOPS per facility MW: "
              f"{th['pflops_per_mw']:,.1f}.", 10)
    header, by_type = tables.throughput_by_type_table(r.ev)  # what each compute type buys (issue 16)
    if by_type:
        flow.heading("Throughput by compute type", 13)
        flow.text("Effective / peak where compute is stranded; one figure where all of it runs.", 9)
        flow.table(header, by_type, [3.2, 1.6, 1.1, 2.2, 2.2, 2.2, 2.2], right=(1, 2, 3, 4, 5, 6))
        missing = th.get("missing", {})
        if missing:
            flow.text("n/a: no published figure; adds nothing to that total ("
                      + "; ".join(f"{k}: {', '.join(v)}" for k, v in missing.items()) + ").", 9)
    flow.heading("Equipment", 13)
    rows = []
    for e in tables.equipment_lines(r.design, r.cat):
        amount = f"{e.metres:,.1f} m" if e.metres is not None else (f"{e.it_kw:,.0f} kW" if e.it_kw else "")
        rows.append([e.name, f"{e.quantity:,}", amount, e.note])
    flow.table(["Type", "Quantity", "IT power or length", "Note"], rows or [["—", "", "", ""]], [4, 1.4, 2.2, 3],
               right=(1, 2))
    flow.heading("Binding constraints", 13)
    kinds: dict[str, list] = {}
    for v in r.violations:
        kinds.setdefault(v.kind, []).append(v)
    if kinds:
        flow.table(["Rule", "Severity", "Count", "First"],
                   [[k, (found[0].severity, ERROR if found[0].severity == "error" else WARNING), f"{len(found):,}",
                     found[0].message]
                    for k, found in sorted(kinds.items(), key=lambda kv: -len(kv[1]))], [2.2, 1.4, 1.4, 7],
                   right=(2,))
    else:
        flow.text("No rule is broken.", 10)
    loads = _loads_sentence(r)
    if loads:
        flow.text(loads, 10)


def plan_page(flow: _Flow, r: Report) -> None:
    """The plan sheet to scale on a landscape page (legend, scale bar, title block)."""
    flow.new_page(LANDSCAPE)
    r.anchors["plan"] = flow.pages
    if flow.measuring:
        return
    sheet = QRectF(0, 0, flow.writer.width(), flow.writer.height() - (FOOTER_MM + 2) * flow.mm)
    with scene_for(r.design, r.catalog, r.ev, r.scene) as plan_scene:
        PlanSheet(plan_scene, r.design, r.catalog, r.ev).draw(flow.p, sheet, flow.mm)


def hall_sections(flow: _Flow, r: Report) -> None:
    """Per hall: its figures and the loads of its busways, CDUs and air handlers. A campus
    (more than :data:`HALLS_IN_FULL` halls) gets one row per hall, and charts only for
    the halls with an overloaded busway, CDU or air handler."""
    flow.new_page(PORTRAIT)
    halls = tables.hall_tables(r.design, r.cat, r.ev)
    if len(halls) > HALLS_IN_FULL:
        _halls_overview(flow, halls)
        halls = [h for h in halls if any(u.overloaded for t in h.utilisation for u in t.rows)]
    for h in halls:
        f = {key: fig.value for key, fig in h.figures.items()}
        flow.heading(h.hall.name, 14)
        flow.table(["Quantity", "Value"], [
            ["Floor area", f"{f['area_m2']:,.0f} m²"],
            ["IT load / critical capacity", f"{f['it_kw']:,.0f} kW of {f['it_capacity_kw']:,.0f} kW "
                                            f"({f['it_share_pct']:,.0f} %)"],
            ["Liquid / air heat", f"{f['liquid_kw']:,.0f} kW / {f['air_kw']:,.0f} kW"],
            ["Floor rating", f"{f['floor_rating_kg_m2']:,.0f} kg/m²"],
        ], [3, 4])
        for table in h.utilisation:
            _loads(flow, table)
        if flow.progress is not None and flow.progress(None) is False:
            raise ExportCancelled()


def _halls_overview(flow: _Flow, halls: list[tables.HallTables]) -> None:
    """One row per hall: its IT load against capacity, heat, and its most loaded supply."""
    flow.heading(f"Halls ({len(halls):,})", 14)
    rows = []
    for h in halls:
        f = {key: fig.value for key, fig in h.figures.items()}
        most = []
        for t in h.utilisation:
            if t.rows:
                top = max(t.rows, key=lambda u: u.percent)
                over = sum(u.overloaded for u in t.rows)
                most.append((f"{top.percent:,.0f} %", ERROR) if over else f"{top.percent:,.0f} %")
            else:
                most.append("—")
        rows.append([h.hall.name, f"{f['it_kw']:,.0f} of {f['it_capacity_kw']:,.0f} kW ({f['it_share_pct']:,.0f} %)",
                     f"{f['liquid_kw']:,.0f} / {f['air_kw']:,.0f} kW", *most])
    flow.table(["Hall", "IT load of capacity", "Liquid / air heat", "Busway max", "CDU max", "Air handler max"],
               rows, [1.6, 3.2, 2.4, 1.4, 1.4, 1.6], 7.5, right=(1, 2, 3, 4, 5))
    overloaded = sum(any(u.overloaded for t in h.utilisation for u in t.rows) for h in halls)
    flow.text("Busway loads are against the 80 % continuous limit, CDUs and air handlers against their capacity. "
              + (f"{plural(overloaded, 'hall')} with an overloaded unit follow in detail." if overloaded
                 else "No busway, CDU or air handler is overloaded."), 9, MUTED)


def _loads(flow: _Flow, table: tables.UtilisationTable) -> None:
    """One kind of supply in one hall: the spread in a sentence, then the most loaded
    (and every overloaded one) as bars."""
    if not table.rows:
        return
    rows = sorted(table.rows, key=lambda u: -u.percent)
    over = [u for u in rows if u.overloaded]
    shown = rows[:max(LOADS_CHARTED, len(over))]
    name = {"busway": "busway", "cdu": "CDU", "air-handler": "air handler"}.get(table.kind, table.kind)
    lo, hi = rows[-1].percent, rows[0].percent
    spread = f"{lo:,.0f} %" if round(lo) == round(hi) else f"{lo:,.0f} to {hi:,.0f} %"
    sentence = (f"{plural(len(rows), name)}, loaded {spread}; "
                + (f"{plural(len(over), 'is', 'are')} overloaded." if over else "none is overloaded."))
    if len(over) == 1:
        sentence = sentence.replace("1 is overloaded", "one is overloaded")
    title = table.title if len(shown) == len(rows) else f"{table.title}: the {len(shown)} most loaded of {len(rows):,}"
    flow.bars(title, [u.item_id for u in shown], [u.percent for u in shown])
    flow.y -= flow.font(8).height() * 0.2
    flow.text(sentence, 8.5, MUTED)
    flow.space(2)


def cable_section(flow: _Flow, r: Report) -> None:
    """Scale-out cables by medium and orderable length, and the routed totals."""
    bill = [[c.short, f"{c.length_m:g} m", f"{c.cables:,}", f"{c.metres:,.0f} m"]
            for c in tables.cable_bill(r.ev, r.cat)]
    if len(bill) <= 15:  # the heading, its note and a short bill on one page
        row_h = flow.font(8.5).lineSpacing() + 2.4 * flow.mm
        flow.need(flow.font(14, True).height() * 2 + flow.font(9).lineSpacing() * 3 + row_h * (len(bill) + 2))
    flow.heading("Cable bill by medium", 14)
    routed = [f"{x.short} {x.links:,} links, {x.metres:,.1f} m" for x in tables.routed_cables(r.ev, r.cat) if x.links]
    flow.text(("Routed totals: " + "; ".join(routed) + ". Each cable is ordered at the shortest vendor length "
               "that covers its routed length.") if routed else "No scale-out links.", 9)
    if bill:
        flow.table(["Medium", "Orderable length", "Cables", "Ordered metres"], bill, [2, 2, 2, 2], right=(1, 2, 3))


def network_section(flow: _Flow, r: Report) -> None:
    """The fabric above the leaves (issue 14): its figures, the switches placed and needed
    by tier, and the fabric's cables by medium and orderable length; its own page."""
    rows = tables.network_rows(r.ev)
    if not rows:
        return
    flow.new_page()
    flow.heading("Network fabric", 14)
    flow.text("A folded Clos of the leaf switches' radix above the network racks (Al-Fares et al., SIGCOMM 2008); "
              "leaf uplinks are cabled to the nearest spine rack with free ports, on the cheapest medium that "
              "reaches.", 9, MUTED)
    flow.table(["Figure", "Value"], [list(row) for row in rows], [4, 6])
    switches = [[sw.description, f"{sw.switches:,}", "—" if sw.kw is None else f"{sw.kw:,.1f} kW", sw.note]
                for sw in tables.switch_lines(r.design, r.cat, r.ev)]
    if switches:
        flow.heading("Switches placed and needed", 12)
        flow.table(["Switches", "Count", "Power", "Note"], switches, [4, 1.2, 1.4, 3.4], 8, right=(1, 2))
    bill = [[c.short, f"{c.length_m:g} m", f"{c.cables:,}", f"{c.metres:,.0f} m"]
            for c in tables.fabric_cable_bill(r.ev, r.cat)]
    if bill:
        flow.heading("Fabric cables by medium", 12)
        flow.table(["Medium", "Orderable length", "Cables", "Ordered metres"], bill, [2, 2, 2, 2], right=(1, 2, 3))


def violations_section(flow: _Flow, r: Report) -> None:
    """Every violation, its message whole."""
    flow.heading(f"Violations ({len(r.violations):,})", 14)
    if not r.violations:
        flow.text("None: every rule is met.", 10)
        return
    flow.table(["Severity", "Rule", "Message"],
               [[(v.severity, ERROR if v.severity == "error" else WARNING), v.kind, v.message] for v in r.violations],
               [1.2, 1.8, 7], 7.5)


def resilience_section(flow: _Flow, r: Report) -> None:
    """The verdict, the declared redundancy and the worst single failures."""
    from designer.ui.docks.resilience import redundancy_text, unmet_systems, verdict_text

    res = r.resilience
    flow.new_page()  # its own page, with the figures behind it
    flow.heading("Resilience", 14)
    flow.text(verdict_text(res), 11, INK if res.n_minus_1_safe else ERROR)
    flow.text(redundancy_text(res), 10, ERROR if unmet_systems(res) else INK)
    stranding = [f for f in res.single_failures if f.stranded_ultraservers > 0]
    flow.text(f"Every single failure tried: {plural(len(res.single_failures), 'component')} (busways, CDUs, air "
              f"handlers, leaf and spine racks), each evaluated as failed with the rest working; {len(stranding):,} "
              f"strand{'s' if len(stranding) == 1 else ''} compute. A failure's blast radius is the UltraServers it "
              "strands beyond those already stranded.", 9, MUTED)
    if not stranding:
        return
    names = {h.id: h.name for h in r.design.halls}
    shown = stranding[:WORST_FAILURES_SHOWN]
    rows = []
    for f in shown:
        more = len(f.stranded_systems) - SYSTEMS_SHOWN
        systems = ", ".join(f.stranded_systems[:SYSTEMS_SHOWN]) + (f" +{more}" if more > 0 else "")
        spec = r.cat.types.get(f.type)
        rows.append([f.id, spec.name if spec is not None else f.type, names.get(f.hall, f.hall) or "Site", f.system,
                     f"{f.stranded_ultraservers:,}", f"{f.stranded_mxfp8_pflops:,.0f}", systems])
    title = (f"Worst single failures (the {len(shown)} of {len(stranding):,} that strand the most)"
             if len(stranding) > len(shown) else "Single failures that strand compute")
    flow.heading(title, 12)
    flow.table(["Component", "Type", "Hall", "System", "UltraServers", "PFLOPS MXFP8", "Stranded"], rows,
               [1.3, 2.4, 1.2, 1.0, 1.2, 1.3, 3.0], 7.5, right=(4, 5))


def assumptions_section(flow: _Flow, r: Report) -> None:
    """The catalog figures this design relies on (only the equipment it uses), grouped by
    equipment: the assumptions with their basis, then the sourced figures."""
    figures = tables.used_figures(r.design, r.cat, r.ev)
    flow.heading("Assumptions and sources", 14)
    flow.text("The figures this design relies on, for the equipment it uses: first those no public source gives "
              "(assumptions, with the sources they lean on and why), then the published ones. Ids refer to the "
              "project's hardware reference; a design may override an assumption by its key.", 9, MUTED)

    def grouped(lines: list[tables.FigureLine], last: Callable[[tables.FigureLine], str]) -> list:
        rows: list = []
        group = None
        for f in lines:
            if f.group != group:
                rows.append(f.group)
                group = f.group
            value = f.value if f.catalog_value is None else f"{f.value} (catalog {f.catalog_value})"
            rows.append([(f.label, None, f.key), value, " ".join(f.sources), last(f)])
        return rows

    assumed = [f for f in figures if f.is_assumption]
    if assumed:
        flow.table(["Figure and key", "Value", "Basis", "Why"], grouped(assumed, lambda f: f.basis),
                   [3.4, 1.8, 1.1, 5.0], 7.5)
    sourced = [f for f in figures if not f.is_assumption]
    if sourced:
        flow.heading("Sourced figures", 12)
        flow.table(["Figure and key", "Value", "Source", "Reference"], grouped(sourced, lambda f: f.basis),
                   [3.4, 1.8, 1.1, 5.0], 7.5)


#: The report, in order: each section starts its own page when it needs one.
SECTIONS: tuple[Callable[[_Flow, Report], None], ...] = (
    cover_page, summary_section, plan_page, hall_sections, cable_section, network_section, violations_section,
    resilience_section, assumptions_section)


def _render(device, report: Report, total_pages: int | None, progress) -> int:
    """Lay out (``total_pages`` None) or draw the report onto ``device``; returns its pages."""
    writer = pdf_writer(device, f"{report.design.name} — Designer report", A4, PORTRAIT, 150)
    painter = QPainter(writer)
    try:
        flow = _Flow(writer, painter, f"{report.design.name} · Designer report · {_date(report.date)}",
                     total_pages, progress)
        for section in SECTIONS:
            section(flow, report)
        flow.finish()
    finally:
        if painter.isActive():
            painter.end()
    return flow.pages


def export_pdf_report(design: Design, catalog: Catalog, evaluation: Evaluation, path: str | os.PathLike,
                      scene=None, progress=None, resilience: Resilience | None = None) -> int:
    """Write the PDF report; returns its page count. ``progress(fraction|None)`` may
    return False to cancel (raises :class:`ExportCancelled`, nothing is written).
    ``resilience``: every single failure of the design (the evaluation's, or tried here
    when it has none)."""
    path = Path(path)
    if resilience is None:
        resilience = evaluation.resilience or Evaluator(design, catalog).resilience()
    ev = evaluation
    # the Problems dock's list: the evaluation's, and the redundancy errors when it has none
    violations_shown = ev.violations if ev.resilience is not None else ev.violations + resilience.violations(design)
    report = Report(design, catalog, catalog.with_overrides(design.assumptions), ev, violations_shown, resilience,
                    scene, _dt.date.today())
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pages = _render(buffer, report, None, progress)  # count the pages
    buffer.close()
    with partial_file(path) as tmp:
        drawn = _render(tmp, report, pages, progress)
    return drawn
