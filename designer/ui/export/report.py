"""The PDF report, drawn with Qt: summary, the plan, per-hall tables and supply loads,
the cable bill, violations, resilience (every single failure, worst first), assumptions
and sources. Its tables come from
:mod:`designer.io.tables` (the CSV bill and ``designer report`` use the same)."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from designer.catalog import Catalog
from designer.engine import Evaluation, Evaluator
from designer.engine.resilience import Resilience
from designer.io import tables
from designer.io.exports import partial_file
from designer.model import Design
from designer.ui.export.plan import (ERROR, INK, MUTED, RULE, PlanSheet, pdf_writer, scene_for, set_page,
                                     totals_lines)

BAR = QColor("#3b7dd8")
#: Single failures listed on the resilience page (the worst that strand compute).
WORST_FAILURES_SHOWN = 20
#: Stranded UltraServer ids listed per failure before "+N".
SYSTEMS_SHOWN = 6


class ExportCancelled(Exception):
    """The user cancelled a long export."""


class _Flow:
    """Writes text and tables down A4 pages, starting new pages as needed."""

    def __init__(self, writer: QPdfWriter, painter: QPainter, progress=None):
        self.writer = writer
        self.p = painter
        self.mm = writer.resolution() / 25.4
        self.pages = 1
        self.progress = progress
        self.reset_page()

    def reset_page(self) -> None:
        """Take the writer's current page size (15 mm margins) and start at its top."""
        self.page = QRectF(0, 0, self.writer.width(), self.writer.height()).adjusted(
            15 * self.mm, 15 * self.mm, -15 * self.mm, -15 * self.mm)
        self.y = self.page.top()

    def font(self, size_pt: float, bold: bool = False) -> QFontMetricsF:
        f = QFont("DejaVu Sans")
        f.setPointSizeF(size_pt)
        f.setBold(bold)
        self.p.setFont(f)
        return QFontMetricsF(f, self.writer)

    def new_page(self) -> None:
        self.writer.newPage()
        self.pages += 1
        self.y = self.page.top()
        if self.progress is not None and self.progress(None) is False:
            raise ExportCancelled()

    def need(self, height: float) -> None:
        if self.y + height > self.page.bottom():
            self.new_page()

    def heading(self, text: str, size: float = 16) -> None:
        fm = self.font(size, True)
        self.need(fm.height() * 2)
        self.y += fm.height() * 0.4
        self.p.setPen(INK)
        self.p.drawText(QPointF(self.page.left(), self.y + fm.ascent()), text)
        self.y += fm.height() * 1.3

    def text(self, text: str, size: float = 10, colour: QColor = INK) -> None:
        fm = self.font(size)
        self.p.setPen(colour)
        rect = fm.boundingRect(QRectF(0, 0, self.page.width(), 1e6), int(Qt.TextFlag.TextWordWrap), text)
        self.need(rect.height())
        self.p.drawText(QRectF(self.page.left(), self.y, self.page.width(), rect.height() + 2),
                        Qt.TextFlag.TextWordWrap, text)
        self.y += rect.height() + fm.height() * 0.3

    def table(self, header: list[str], rows: list[list[str]], widths: list[float], size: float = 8.5) -> None:
        fm = self.font(size)
        row_h = fm.height() * 1.35
        total = sum(widths)
        xs = [self.page.left()]
        for w in widths[:-1]:
            xs.append(xs[-1] + w / total * self.page.width())
        cols = [w / total * self.page.width() for w in widths]

        def draw_row(cells: list[str], bold: bool) -> None:
            self.font(size, bold)
            self.p.setPen(INK)
            for x, w, cell in zip(xs, cols, cells):
                text = fm.elidedText(str(cell), Qt.TextElideMode.ElideRight, w - 4)
                self.p.drawText(QRectF(x + 2, self.y, w - 4, row_h), Qt.AlignmentFlag.AlignVCenter, text)
            self.p.setPen(QPen(RULE, 0.5))
            self.p.drawLine(QPointF(self.page.left(), self.y + row_h), QPointF(self.page.right(), self.y + row_h))
            self.y += row_h

        self.need(row_h * 2)
        draw_row(header, True)
        for cells in rows:
            if self.y + row_h > self.page.bottom():
                self.new_page()
                draw_row(header, True)
            draw_row(cells, False)
        self.y += row_h * 0.5

    def bars(self, title: str, labels: list[str], values: list[float], limit: float = 100.0, unit: str = "%") -> None:
        """A horizontal bar chart (utilisation); bars over ``limit``, and their value, in red."""
        fm = self.font(8)
        if not values:
            return
        shown = list(zip(labels, values))[:40]
        bar_h = fm.height() * 1.2
        height = bar_h * len(shown) + fm.height() * 2
        self.need(height)
        self.text(title, 10)
        label_w = 30 * self.mm
        span = self.page.width() - label_w - 20 * self.mm
        vmax = max(max(values), limit) or 1.0
        for label, value in shown:
            self.font(8)
            self.p.setPen(INK)
            self.p.drawText(QRectF(self.page.left(), self.y, label_w - 2, bar_h), Qt.AlignmentFlag.AlignVCenter, label)
            w = span * value / vmax
            over = value > limit + 1e-9  # an overloaded busway, CDU or air handler
            self.p.fillRect(QRectF(self.page.left() + label_w, self.y + bar_h * 0.15, w, bar_h * 0.7),
                            ERROR if over else BAR)
            self.p.setPen(ERROR if over else INK)
            self.p.drawText(QPointF(self.page.left() + label_w + w + 2 * self.mm, self.y + bar_h * 0.75),
                            f"{value:,.0f}{unit}")
            self.y += bar_h
        x_lim = self.page.left() + label_w + span * limit / vmax
        self.p.setPen(QPen(INK, 1, Qt.PenStyle.DashLine))
        self.p.drawLine(QPointF(x_lim, self.y - bar_h * len(shown)), QPointF(x_lim, self.y))
        self.y += fm.height()


def _summary(flow: _Flow, design: Design, cat: Catalog, ev: Evaluation, violations: list) -> None:
    flow.heading(f"{design.name}", 20)
    flow.text(f"Designer report · {_dt.date.today().isoformat()} · {len(design.halls)} hall(s), "
              f"{len(design.equipment):,} items", 9, MUTED)
    flow.heading("Summary", 14)
    for line in totals_lines(ev):
        flow.text(line, 10)
    th = ev.totals["throughput"]
    flow.text(f"Stranded UltraServers: {th['stranded_ultraservers']:,} · effective PFLOPS per facility MW: "
              f"{th['pflops_per_mw']:,.1f}", 10)
    flow.heading("Binding constraints", 14)
    kinds: dict[str, list] = {}
    for v in violations:
        kinds.setdefault(v.kind, []).append(v)
    if kinds:
        flow.table(["Rule", "Severity", "Violations"],
                   [[k, found[0].severity, f"{len(found):,}"]
                    for k, found in sorted(kinds.items(), key=lambda kv: -len(kv[1]))], [3, 2, 2])
    else:
        util = [f"highest {label} load: {u.item_id} at {u.percent:.0f} % of its limit"
                for label, u in tables.highest_loads(design, cat, ev)]
        flow.text("No rule is broken. " + "; ".join(util) + ".", 10)


def _hall(flow: _Flow, h: tables.HallTables) -> None:
    f = {key: fig.value for key, fig in h.figures.items()}
    flow.heading(f"{h.hall.name}", 14)
    flow.table(["Quantity", "Value"], [
        ["Floor area", f"{f['area_m2']:,.0f} m²"],
        ["IT load / critical capacity", f"{f['it_kw']:,.0f} kW / {f['it_capacity_kw']:,.0f} kW "
                                        f"({f['it_share_pct']:.0f} %)"],
        ["Liquid / air heat", f"{f['liquid_kw']:,.0f} kW / {f['air_kw']:,.0f} kW"],
        ["Floor rating", f"{f['floor_rating_kg_m2']:,.0f} kg/m²"],
    ], [3, 4])
    for table in h.utilisation:
        if table.rows:
            flow.bars(table.title, [u.item_id for u in table.rows], [u.percent for u in table.rows])


def _cable_bill(flow: _Flow, cat: Catalog, ev: Evaluation) -> None:
    flow.heading("Cable bill by medium", 14)
    bill = [[c.short, f"{c.length_m:g} m", f"{c.cables:,}", f"{c.metres:,.0f} m"] for c in tables.cable_bill(ev, cat)]
    flow.table(["Medium", "Orderable length", "Cables", "Ordered metres"], bill or [["—", "", "", ""]], [2, 2, 2, 2])
    flow.text("Routed totals: " + "; ".join(f"{r.short} {r.links:,} links, {r.metres:,.1f} m"
                                            for r in tables.routed_cables(ev, cat) if r.links) + ".", 9)


def _resilience(flow: _Flow, cat: Catalog, design: Design, res: Resilience) -> None:
    """The verdict, the declared redundancy and the worst single failures."""
    from designer.ui.docks.resilience import redundancy_text, unmet_systems, verdict_text

    flow.heading("Resilience", 14)
    flow.text(verdict_text(res), 11, INK if res.n_minus_1_safe else ERROR)
    flow.text(redundancy_text(res), 10, ERROR if unmet_systems(res) else INK)
    stranding = [f for f in res.single_failures if f.stranded_ultraservers > 0]
    flow.text(f"Every single failure tried: {len(res.single_failures):,} components (busways, CDUs, air handlers, "
              f"network racks), each evaluated as failed with the rest working; {len(stranding):,} strand compute. "
              "A failure's blast radius is the UltraServers it strands beyond those already stranded.", 9, MUTED)
    if not stranding:
        return
    halls = {h.id: h.name for h in design.halls}
    shown = stranding[:WORST_FAILURES_SHOWN]
    rows = []
    for f in shown:
        more = len(f.stranded_systems) - SYSTEMS_SHOWN
        systems = ", ".join(f.stranded_systems[:SYSTEMS_SHOWN]) + (f" +{more}" if more > 0 else "")
        spec = cat.types.get(f.type)
        rows.append([f.id, spec.name if spec is not None else f.type, halls.get(f.hall, f.hall) or "Site", f.system,
                     f"{f.stranded_ultraservers:,}", f"{f.stranded_mxfp8_pflops:,.0f}", systems])
    title = (f"Worst single failures (the {len(shown)} of {len(stranding):,} that strand the most)"
             if len(stranding) > len(shown) else "Single failures that strand compute")
    flow.heading(title, 12)
    flow.table(["Component", "Type", "Hall", "System", "UltraServers", "PFLOPS MXFP8", "Stranded"], rows,
               [1.3, 2.4, 1.2, 1.0, 1.2, 1.3, 3.0], 7.5)


def _assumptions(flow: _Flow, cat: Catalog) -> None:
    flow.heading("Assumptions and sources", 14)
    flow.text("Every catalog figure that no public source gives, with its value, the catalog default and the "
              "sources it leans on (see the project's hardware reference).", 9, MUTED)
    rows_a = []
    for fig in cat.assumptions():
        value = fig.value if not isinstance(fig.value, tuple) else ", ".join(f"{v:g}" for v in fig.value)
        default = "" if not fig.overridden else f" (catalog {fig.catalog_value})"
        rows_a.append([fig.key, f"{value}{default}", " ".join(fig.sources), fig.assumption or ""])
    flow.table(["Key", "Value", "Basis", "Why"], rows_a, [3.2, 1.6, 1.0, 5.2], 7)
    flow.heading("Sourced figures", 12)
    rows_s = [[fig.key, f"{fig.value}", " ".join(fig.sources), cat.sources.get(fig.sources[0], "") if fig.sources else ""]
              for fig in cat.figures() if not fig.is_assumption]
    flow.table(["Key", "Value", "Source", "Reference"], rows_s, [3.2, 1.6, 0.8, 5.4], 7)


def export_pdf_report(design: Design, catalog: Catalog, evaluation: Evaluation, path: str | os.PathLike,
                      scene=None, progress=None, resilience: Resilience | None = None) -> int:
    """Write the PDF report; returns its page count. ``progress(fraction|None)`` may
    return False to cancel (raises :class:`ExportCancelled`, nothing is written).
    ``resilience``: every single failure of the design (the evaluation's, or tried here
    when it has none)."""
    path = Path(path)
    if resilience is None:
        resilience = evaluation.resilience or Evaluator(design, catalog).resilience()
    cat = catalog.with_overrides(design.assumptions)
    ev = evaluation
    # the Problems dock's list: the evaluation's, and the redundancy errors when it has none
    violations = ev.violations if ev.resilience is not None else ev.violations + resilience.violations(design)
    a4 = QPageSize.PageSizeId.A4
    portrait, landscape = QPageLayout.Orientation.Portrait, QPageLayout.Orientation.Landscape
    with partial_file(path) as tmp:
        writer = pdf_writer(tmp, f"{design.name} — Designer report", a4, portrait, 150)
        painter = QPainter(writer)
        try:
            flow = _Flow(writer, painter, progress)
            _summary(flow, design, cat, ev, violations)
            set_page(writer, a4, landscape)  # the plan, on a landscape page
            flow.new_page()
            with scene_for(design, catalog, ev, scene) as plan_scene:
                PlanSheet(plan_scene, design, catalog, ev).draw(painter, QRectF(0, 0, writer.width(), writer.height()),
                                                                flow.mm)
            set_page(writer, a4, portrait)
            flow.new_page()
            flow.reset_page()
            for hall in tables.hall_tables(design, cat, ev):
                _hall(flow, hall)
                if progress is not None and progress(None) is False:
                    raise ExportCancelled()
            _cable_bill(flow, cat, ev)
            flow.heading(f"Violations ({len(violations):,})", 14)
            if violations:
                flow.table(["Severity", "Rule", "Message"],
                           [[v.severity, v.kind, v.message] for v in violations], [1.2, 1.8, 7], 7.5)
            else:
                flow.text("None.", 10)
            flow.new_page()
            _resilience(flow, cat, design, resilience)
            _assumptions(flow, cat)
        finally:
            if painter.isActive():
                painter.end()
    return flow.pages
