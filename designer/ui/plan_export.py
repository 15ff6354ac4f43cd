"""Plan images (PNG, SVG, PDF) and the PDF report, drawn with Qt.

A plan sheet holds the plan to scale (the canvas's own drawing, with the overlays
that are shown), a legend, a scale bar, a north arrow and a title block (design name,
date, totals, the assumption note). SVG and PDF stay vector: the scene is rendered
through QPainter into QSvgGenerator / QPdfWriter, never through a bitmap.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QImage, QPageLayout, QPageSize, QPainter,
                           QPdfWriter, QPen, QPolygonF)
from PySide6.QtSvg import QSvgGenerator

from designer.catalog import Catalog
from designer.engine import Evaluation
from designer.io.bom import orderable_length
from designer.model import Design

PLAN_FORMATS = ("png", "svg", "pdf")
INK = QColor("#1d232b")
MUTED = QColor("#5b6573")
RULE = QColor("#c9ced6")
ERROR = QColor("#c0392b")
WARNING = QColor("#d68910")


class ExportCancelled(Exception):
    """The user cancelled a long export."""


def _nice_length(max_m: float) -> float:
    """A round scale-bar length (1, 2, 5 × 10^k m) no longer than ``max_m``."""
    if max_m <= 0:
        return 1.0
    k = 10 ** math.floor(math.log10(max_m))
    for f in (5, 2, 1):
        if f * k <= max_m:
            return f * k
    return k


def _totals_lines(ev: Evaluation | None) -> list[str]:
    if ev is None:
        return ["(not evaluated)"]
    t = ev.totals
    p, c, th = t["power"], t["cooling"], t["throughput"]
    counts = ev.count_by_severity()
    return [
        f"{t['ultraservers']:,} UltraServers · {t['chips']:,} chips · {t['racks']:,} racks",
        f"Peak {th['peak']['mxfp8_pflops']:,.1f} PFLOPS MXFP8 · effective {th['effective']['mxfp8_pflops']:,.1f}",
        f"IT {p['it_kw'] / 1000:,.2f} MW · facility {p['facility_kw'] / 1000:,.2f} MW · PUE {p['pue']:.2f}",
        f"Liquid {c['liquid_kw']:,.0f} kW ({c['coolant_lpm']:,.0f} L/min) · air {c['air_kw']:,.0f} kW",
        f"{counts['error']} error(s), {counts['warning']} warning(s)",
    ]


def _assumption_note(design: Design, catalog: Catalog) -> str:
    n = len(catalog.assumptions())
    o = len(design.assumptions)
    return (f"Figures marked as assumptions in the catalog: {n}; overridden in this design: {o}. "
            "Rack power, racks per UltraServer and cable reach are not published by AWS.")


class PlanSheet:
    """Draws one plan sheet into a painter's page rectangle (device units)."""

    def __init__(self, scene, design: Design, catalog: Catalog, evaluation: Evaluation | None):
        self.scene = scene
        self.design = design
        self.catalog = catalog.with_overrides(design.assumptions)
        self.base_catalog = catalog
        self.evaluation = evaluation

    def draw(self, painter: QPainter, page: QRectF, dots_per_mm: float) -> dict:
        """Draw the sheet; returns where things went (plan rect, device units per metre)."""
        mm = dots_per_mm
        margin = 8 * mm
        area = page.adjusted(margin, margin, -margin, -margin)
        title_h = 32 * mm
        legend_w = 58 * mm
        plan_box = QRectF(area.left(), area.top(), area.width() - legend_w - 4 * mm, area.height() - title_h - 4 * mm)
        source = self._plan_extent().adjusted(-1.5, -1.5, 1.5, 1.5)
        scale = min(plan_box.width() / source.width(), plan_box.height() / source.height())
        target = QRectF(0, 0, source.width() * scale, source.height() * scale)
        target.moveCenter(plan_box.center())
        painter.fillRect(page, Qt.GlobalColor.white)
        painter.save()
        painter.setClipRect(plan_box)
        painter.translate(target.topLeft())
        painter.scale(scale, scale)
        painter.translate(-source.topLeft())
        self._draw_plan(painter, scale)
        self._draw_overlays(painter)
        painter.restore()
        painter.setPen(QPen(RULE, 0.3 * mm))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(plan_box)
        self._north_arrow(painter, QPointF(plan_box.right() - 10 * mm, plan_box.top() + 12 * mm), mm)
        self._scale_bar(painter, QPointF(plan_box.left() + 6 * mm, plan_box.bottom() - 6 * mm), scale, mm)
        self._legend(painter, QRectF(plan_box.right() + 4 * mm, area.top(), legend_w, plan_box.height()), mm)
        self._title_block(painter, QRectF(area.left(), area.bottom() - title_h, area.width(), title_h), mm)
        return {"plan": target, "device_units_per_m": scale}

    # ------------------------------------------------------------------ the plan
    def _hall_pos(self) -> dict[str, tuple[float, float]]:
        """Scene position of each hall (as on the canvas: x east, y flipped)."""
        items = getattr(self.scene, "hall_items", [])
        if len(items) == len(self.design.halls):
            return {h.id: (it.pos().x(), it.pos().y()) for h, it in zip(self.design.halls, items)}
        return dict(self.design.hall_offsets())

    def _plan_extent(self) -> QRectF:
        rect = QRectF()
        pos = self._hall_pos()
        for hall in self.design.halls:
            x0, y0, x1, y1 = hall.bounds()
            dx, dy = pos[hall.id]
            rect = rect.united(QRectF(x0 + dx, -y1 + dy, x1 - x0, y1 - y0))
        return rect if rect.isValid() else QRectF(0, -30, 48, 30)

    def _draw_plan(self, painter: QPainter, units_per_m: float) -> None:
        """Halls, columns, keep-outs, busways and every item as its own polygon (so vector
        exports hold one element per rack), in scene coordinates (metres, y down)."""
        from designer.engine import boxes as bx

        t = self.design.equipment
        pos = self._hall_pos()
        status = None if self.evaluation is None else self.evaluation.status
        for hall in self.design.halls:
            dx, dy = pos[hall.id]

            def poly(points, dx=dx, dy=dy) -> QPolygonF:
                return QPolygonF([QPointF(x + dx, -y + dy) for x, y in points])

            painter.setPen(QPen(INK, 0.12))
            painter.setBrush(QColor("#f7f5ef"))
            painter.drawPolygon(poly(hall.outline))
            painter.setPen(QPen(QColor("#7a7f87"), 0.03))
            painter.setBrush(QColor("#4a4f57"))
            for c in hall.columns:
                painter.drawPolygon(poly(c))
            painter.setPen(QPen(ERROR, 0.05, Qt.PenStyle.DashLine))
            painter.setBrush(QColor(192, 57, 43, 40))
            for k in hall.keepouts:
                painter.drawPolygon(poly(k))
            x0, _, _, y1 = hall.bounds()
            font = QFont("DejaVu Sans")
            font.setPixelSize(1)
            painter.save()
            painter.translate(x0 + dx, -y1 + dy - 0.4)
            painter.scale(0.8, 0.8)
            painter.setFont(font)
            painter.setPen(INK)
            painter.drawText(QPointF(0, 0), hall.name)
            painter.restore()
        if not len(t):
            return
        hall_dx = np.array([pos.get(h, (0.0, 0.0))[0] for h in t.halls.names])
        hall_dy = np.array([pos.get(h, (0.0, 0.0))[1] for h in t.halls.names])
        ox, oy = hall_dx[t.hall_code], hall_dy[t.hall_code]
        specs = [self.catalog.types[name] for name in t.types.names]
        kind = np.array([s.kind for s in specs])[t.type_code]
        floor = np.flatnonzero(kind != "busway")
        w = np.array([s.width_m for s in specs])[t.type_code[floor]]
        d = np.array([s.depth_m for s in specs])[t.type_code[floor]]
        c, s = bx.axes(t.rotation[floor])
        corners = bx.rect_corners(t.x[floor], t.y[floor], w, d, c, s)
        colours = [QColor(sp.color) for sp in specs]
        pens = {0: QPen(INK, 0.02), 1: QPen(WARNING, 0.08), 2: QPen(ERROR, 0.08)}
        labels = units_per_m * 0.6 >= 40  # a rack at least 40 device units wide: room for its id
        font = QFont("DejaVu Sans")
        font.setPixelSize(1)
        # the front (intake) side: a light strip 15 % of the depth deep, inside the footprint
        inset = corners[:, [0, 1, 1, 0], :].copy()
        inset[:, 2, :] += (corners[:, 2, :] - corners[:, 1, :]) * 0.15
        inset[:, 3, :] += (corners[:, 3, :] - corners[:, 0, :]) * 0.15
        front_brush = QColor(255, 255, 255, 170)
        for k, r in enumerate(floor):
            painter.setPen(pens[int(status[r]) if status is not None else 0])
            painter.setBrush(colours[int(t.type_code[r])])
            sx, sy = ox[r], oy[r]
            painter.drawPolygon(QPolygonF([QPointF(px + sx, -py + sy) for px, py in corners[k]]))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(front_brush)
            painter.drawPolygon(QPolygonF([QPointF(px + sx, -py + sy) for px, py in inset[k]]))
        painter.setPen(QPen(QColor(192, 57, 43, 200), 0.12))
        for r in np.flatnonzero(kind == "busway"):
            sx, sy = ox[r], oy[r]
            painter.drawLine(QPointF(t.x[r] + sx, -t.y[r] + sy), QPointF(t.x2[r] + sx, -t.y2[r] + sy))
        if labels:  # ids last, in the rear half of each footprint, clear of the busway line
            painter.setFont(font)
            painter.setPen(INK)
            rear_x = t.x[floor] - s * d / 4   # the depth axis v = (−s, c) points to the rear
            rear_y = t.y[floor] + c * d / 4
            for k, r in enumerate(floor):
                painter.save()
                painter.translate(rear_x[k] + ox[r], -rear_y[k] + oy[r])
                painter.rotate(-90 if abs(s[k]) < 0.5 else 0)
                painter.scale(0.09, 0.09)
                painter.drawText(QRectF(-6, -1, 12, 2), Qt.AlignmentFlag.AlignCenter, t.ids[r])
                painter.restore()

    def _draw_overlays(self, painter: QPainter) -> None:
        """Whatever overlay items the canvas shows (heat map, cable routes, …)."""
        from PySide6.QtWidgets import QStyleOptionGraphicsItem

        hall_types = tuple(type(i) for i in getattr(self.scene, "hall_items", []))
        for item in self.scene.items(Qt.SortOrder.AscendingOrder):
            if not item.isVisible() or isinstance(item, hall_types) or item.parentItem() is not None:
                continue
            option = QStyleOptionGraphicsItem()
            option.exposedRect = item.boundingRect()
            painter.save()
            painter.setTransform(item.sceneTransform(), True)
            item.paint(painter, option, None)
            painter.restore()

    # ------------------------------------------------------------------ pieces
    def _font(self, painter: QPainter, size_mm: float, bold: bool = False) -> QFont:
        font = QFont("DejaVu Sans")
        font.setPixelSize(max(1, int(round(size_mm))))
        font.setBold(bold)
        painter.setFont(font)
        return font

    def _north_arrow(self, painter: QPainter, at: QPointF, mm: float) -> None:
        painter.save()
        painter.setPen(QPen(INK, 0.3 * mm))
        painter.setBrush(INK)
        h = 9 * mm
        arrow = QPolygonF([at + QPointF(0, -h / 2), at + QPointF(2.6 * mm, h / 2), at + QPointF(0, h / 4),
                           at + QPointF(-2.6 * mm, h / 2)])
        painter.drawPolygon(arrow)
        self._font(painter, 3.6 * mm, True)
        painter.drawText(QRectF(at.x() - 5 * mm, at.y() - h / 2 - 6 * mm, 10 * mm, 5 * mm),
                         Qt.AlignmentFlag.AlignCenter, "N")
        painter.restore()

    def _scale_bar(self, painter: QPainter, at: QPointF, units_per_m: float, mm: float) -> None:
        length_m = _nice_length(60 * mm / units_per_m)
        w = length_m * units_per_m
        painter.save()
        painter.setPen(QPen(INK, 0.25 * mm))
        for k in range(4):
            painter.setBrush(INK if k % 2 == 0 else Qt.GlobalColor.white)
            painter.drawRect(QRectF(at.x() + k * w / 4, at.y() - 1.6 * mm, w / 4, 1.6 * mm))
        self._font(painter, 2.8 * mm)
        painter.drawText(QPointF(at.x(), at.y() - 2.6 * mm), "0")
        label = f"{length_m:g} m"
        painter.drawText(QPointF(at.x() + w - QFontMetricsF(painter.font()).horizontalAdvance(label) / 2,
                                 at.y() - 2.6 * mm), label)
        painter.restore()

    def _legend(self, painter: QPainter, box: QRectF, mm: float) -> None:
        t = self.design.equipment
        present = sorted(set(t.types.names[int(c)] for c in np.unique(t.type_code))) if len(t) else []
        painter.save()
        self._font(painter, 3.6 * mm, True)
        painter.setPen(INK)
        y = box.top() + 4 * mm
        painter.drawText(QPointF(box.left(), y), "Legend")
        y += 6 * mm
        self._font(painter, 2.8 * mm)
        for type_id in present:
            spec = self.catalog.types[type_id]
            painter.setPen(QPen(INK, 0.2 * mm))
            painter.setBrush(QColor(spec.color))
            painter.drawRect(QRectF(box.left(), y - 3 * mm, 5 * mm, 3.4 * mm))
            painter.drawText(QPointF(box.left() + 7 * mm, y), spec.system_name or spec.name)
            y += 5 * mm
        y += 2 * mm
        for label, colour, style in (("Column", QColor("#4a4f57"), None), ("Keep-out zone", QColor("#c0392b"), "hatch"),
                                     ("Error", ERROR, "outline"), ("Warning", WARNING, "outline")):
            painter.setPen(QPen(colour, 0.5 * mm))
            painter.setBrush(colour if style is None else QColor(colour.red(), colour.green(), colour.blue(), 40))
            painter.drawRect(QRectF(box.left(), y - 3 * mm, 5 * mm, 3.4 * mm))
            painter.setPen(INK)
            painter.drawText(QPointF(box.left() + 7 * mm, y), label)
            y += 5 * mm
        if self.evaluation is not None and len(self.evaluation.links.rack):
            y += 2 * mm
            self._font(painter, 2.8 * mm, True)
            painter.drawText(QPointF(box.left(), y), "Cable media")
            y += 5 * mm
            self._font(painter, 2.8 * mm)
            used = set(int(m) for m in np.unique(self.evaluation.links.medium) if m >= 0)
            for m in sorted(used):
                spec = self.catalog.media[self.evaluation.media[m]]
                painter.setPen(QPen(QColor(spec.color), 0.8 * mm))
                painter.drawLine(QPointF(box.left(), y - 1.5 * mm), QPointF(box.left() + 5 * mm, y - 1.5 * mm))
                painter.setPen(INK)
                painter.drawText(QPointF(box.left() + 7 * mm, y), spec.short)
                y += 5 * mm
        painter.restore()

    def _title_block(self, painter: QPainter, box: QRectF, mm: float) -> None:
        painter.save()
        painter.setPen(QPen(INK, 0.35 * mm))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(box)
        left = QRectF(box.left() + 3 * mm, box.top() + 2 * mm, box.width() * 0.45, box.height() - 4 * mm)
        self._font(painter, 5 * mm, True)
        painter.drawText(left, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, self.design.name)
        self._font(painter, 2.8 * mm)
        painter.setPen(MUTED)
        halls = ", ".join(h.name for h in self.design.halls)
        painter.drawText(left.adjusted(0, 8 * mm, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                         | Qt.TextFlag.TextWordWrap,
                         f"{halls}\nExported {_dt.date.today().isoformat()} by Designer · plan to scale, metres\n"
                         + _assumption_note(self.design, self.base_catalog))
        right = QRectF(box.left() + box.width() * 0.5, box.top() + 2 * mm, box.width() * 0.5 - 3 * mm,
                       box.height() - 4 * mm)
        painter.setPen(INK)
        self._font(painter, 3.0 * mm)
        painter.drawText(right, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         "\n".join(_totals_lines(self.evaluation)))
        painter.restore()


def make_scene(design: Design, catalog: Catalog, evaluation: Evaluation | None):
    """A plan scene for exporting (headless is fine: offscreen platform)."""
    from designer.ui.plan_view import PlanScene

    scene = PlanScene()
    scene.set_design(design, catalog)
    if evaluation is not None:
        set_eval = getattr(scene, "set_evaluation", None)
        if callable(set_eval):
            set_eval(evaluation)
        else:
            scene.set_status(evaluation.status)
    return scene


def export_plan(design: Design, catalog: Catalog, evaluation: Evaluation | None, path: str | os.PathLike,
                fmt: str | None = None, scene=None, png_width_px: int = 3508) -> Path:
    """Write the plan sheet as PNG, SVG or PDF (A3 landscape proportions)."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    own_scene = scene is None
    scene = scene if scene is not None else make_scene(design, catalog, evaluation)
    sheet = PlanSheet(scene, design, catalog, evaluation)
    a3 = QSizeF(420, 297)  # mm
    tmp = path.with_name(f".{path.name}.partial")
    try:
        if fmt == "png":
            dpmm = png_width_px / a3.width()
            image = QImage(QSize(png_width_px, int(a3.height() * dpmm)), QImage.Format.Format_ARGB32)
            image.fill(Qt.GlobalColor.white)
            image.setDotsPerMeterX(int(dpmm * 1000))
            image.setDotsPerMeterY(int(dpmm * 1000))
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            sheet.draw(painter, QRectF(0, 0, image.width(), image.height()), dpmm)
            painter.end()
            if not image.save(str(tmp), "PNG"):
                raise OSError(f"cannot write {path}")
        elif fmt == "svg":
            gen = QSvgGenerator()
            gen.setFileName(str(tmp))
            dpmm = 1.0 / 0.2645833  # 96 dpi user units
            gen.setSize(QSize(int(a3.width() * dpmm), int(a3.height() * dpmm)))
            gen.setViewBox(QRectF(0, 0, a3.width() * dpmm, a3.height() * dpmm))
            gen.setTitle(design.name)
            gen.setDescription("Designer plan export")
            painter = QPainter(gen)
            sheet.draw(painter, QRectF(0, 0, a3.width() * dpmm, a3.height() * dpmm), dpmm)
            painter.end()
        elif fmt == "pdf":
            writer = QPdfWriter(str(tmp))
            writer.setTitle(design.name)
            writer.setCreator("Designer")
            writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A3), QPageLayout.Orientation.Landscape,
                                             QMarginsF(0, 0, 0, 0)))
            writer.setResolution(300)
            painter = QPainter(writer)
            dpmm = writer.resolution() / 25.4
            page = QRectF(0, 0, writer.width(), writer.height())
            sheet.draw(painter, page, dpmm)
            painter.end()
        else:
            raise ValueError(f"unknown plan format {fmt!r} (one of {', '.join(PLAN_FORMATS)})")
        if not tmp.exists():
            raise OSError(f"cannot write {path}")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
        if own_scene:
            scene.detach()
    return path


# ====================================================================== PDF report
class _Flow:
    """Writes text and tables down A4 pages, starting new pages as needed."""

    def __init__(self, writer: QPdfWriter, painter: QPainter, progress=None):
        self.writer = writer
        self.p = painter
        self.mm = writer.resolution() / 25.4
        self.page = QRectF(0, 0, writer.width(), writer.height()).adjusted(15 * self.mm, 15 * self.mm,
                                                                           -15 * self.mm, -15 * self.mm)
        self.y = self.page.top()
        self.pages = 1
        self.progress = progress

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
        """A horizontal bar chart (utilisation); bars over ``limit`` in red."""
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
            self.p.fillRect(QRectF(self.page.left() + label_w, self.y + bar_h * 0.15, w, bar_h * 0.7),
                            ERROR if value > limit + 1e-9 else QColor("#3b7dd8"))
            self.p.drawText(QPointF(self.page.left() + label_w + w + 2 * self.mm, self.y + bar_h * 0.75),
                            f"{value:,.0f}{unit}")
            self.y += bar_h
        x_lim = self.page.left() + label_w + span * limit / vmax
        self.p.setPen(QPen(INK, 1, Qt.PenStyle.DashLine))
        self.p.drawLine(QPointF(x_lim, self.y - bar_h * len(shown)), QPointF(x_lim, self.y))
        self.y += fm.height()


def export_pdf_report(design: Design, catalog: Catalog, evaluation: Evaluation, path: str | os.PathLike,
                      scene=None, progress=None) -> int:
    """Write the PDF report; returns its page count. ``progress(fraction|None)`` may
    return False to cancel (raises :class:`ExportCancelled`, nothing is written)."""
    path = Path(path)
    cat = catalog.with_overrides(design.assumptions)
    ev = evaluation
    t = design.equipment
    tmp = path.with_name(f".{path.name}.partial")
    writer = QPdfWriter(str(tmp))
    writer.setTitle(f"{design.name} — Designer report")
    writer.setCreator("Designer")
    writer.setResolution(150)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(0, 0, 0, 0)))
    painter = QPainter(writer)
    flow = _Flow(writer, painter, progress)
    try:
        # 1. summary
        flow.heading(f"{design.name}", 20)
        flow.text(f"Designer report · {_dt.date.today().isoformat()} · {len(design.halls)} hall(s), "
                  f"{len(t):,} items", 9, MUTED)
        flow.heading("Summary", 14)
        for line in _totals_lines(ev):
            flow.text(line, 10)
        th = ev.totals["throughput"]
        flow.text(f"Stranded UltraServers: {th['stranded_ultraservers']:,} · effective PFLOPS per facility MW: "
                  f"{th['pflops_per_mw']:,.1f}", 10)
        flow.heading("Binding constraints", 14)
        kinds: dict[str, int] = {}
        for v in ev.violations:
            kinds[v.kind] = kinds.get(v.kind, 0) + 1
        if kinds:
            flow.table(["Rule", "Severity", "Violations"],
                       [[k, "error" if k not in ("airflow", "incomplete-system") else "warning", f"{n:,}"]
                        for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])], [3, 2, 2])
        else:
            util = []
            load, limit = ev.load_kw, ev.limit_kw
            for label, kind in (("busway", "busway"), ("CDU", "cdu"), ("air handler", "air-handler")):
                rows = [r for r in range(len(t)) if cat.types[t.types[int(t.type_code[r])]].kind == kind
                        and limit[r] > 0]
                if rows:
                    worst = max(rows, key=lambda r: load[r] / limit[r])
                    util.append(f"highest {label} load: {t.ids[worst]} at {load[worst] / limit[worst] * 100:.0f} % "
                                f"of its limit")
            flow.text("No rule is broken. " + "; ".join(util) + ".", 10)
        # 2. the plan, on a landscape page
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                         QMarginsF(0, 0, 0, 0)))
        flow.new_page()
        own_scene = scene is None
        scene = scene if scene is not None else make_scene(design, catalog, ev)
        PlanSheet(scene, design, catalog, ev).draw(painter, QRectF(0, 0, writer.width(), writer.height()), flow.mm)
        if own_scene:
            scene.detach()
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                         QMarginsF(0, 0, 0, 0)))
        flow.new_page()
        flow.page = QRectF(0, 0, writer.width(), writer.height()).adjusted(15 * flow.mm, 15 * flow.mm,
                                                                           -15 * flow.mm, -15 * flow.mm)
        flow.y = flow.page.top()
        # 3. per hall
        kinds_of = np.array([cat.types[n].kind for n in t.types.names]) if len(t.types.names) else np.array([])
        kind_row = kinds_of[t.type_code] if len(t) else np.array([])
        for hall in design.halls:
            code = t.halls.codes.get(hall.id)
            rows = np.flatnonzero(t.hall_code == code) if code is not None else np.zeros(0, int)
            flow.heading(f"{hall.name}", 14)
            it = float(ev.it_kw[rows].sum())
            flow.table(["Quantity", "Value"], [
                ["Floor area", f"{hall.area():,.0f} m²"],
                ["IT load / critical capacity", f"{it:,.0f} kW / {hall.it_capacity_kw:,.0f} kW "
                                                f"({it / hall.it_capacity_kw * 100 if hall.it_capacity_kw else 0:.0f} %)"],
                ["Liquid / air heat", f"{float(ev.liquid_kw[rows].sum()):,.0f} kW / {float(ev.air_kw[rows].sum()):,.0f} kW"],
                ["Floor rating", f"{hall.floor_rating_kg_m2:,.0f} kg/m²"],
            ], [3, 4])
            for label, kind in (("Busway load (% of the 80 % continuous limit)", "busway"),
                                ("CDU load (% of capacity)", "cdu"), ("Air handler load (% of capacity)", "air-handler")):
                sel = rows[(kind_row[rows] == kind)] if len(rows) else rows
                sel = sel[ev.limit_kw[sel] > 0]
                if len(sel):
                    flow.bars(label, [t.ids[r] for r in sel], [float(ev.load_kw[r] / ev.limit_kw[r] * 100) for r in sel])
            if progress is not None and progress(None) is False:
                raise ExportCancelled()
        # 4. cable bill
        flow.heading("Cable bill by medium", 14)
        links = ev.links
        bill = []
        for m, medium_id in enumerate(ev.media):
            sel = links.medium == m
            spec = cat.media[medium_id]
            if not sel.any():
                continue
            steps = tuple(spec.get("length_steps_m"))
            ordered = np.array([orderable_length(L, steps) for L in links.length_m[sel]])
            for length in np.unique(ordered):
                n = int(round(float(links.count[sel][ordered == length].sum())))
                bill.append([spec.short, f"{length:g} m", f"{n:,}", f"{n * length:,.0f} m"])
        by = ev.totals["cables"]["by_medium"]
        flow.table(["Medium", "Orderable length", "Cables", "Ordered metres"], bill or [["—", "", "", ""]], [2, 2, 2, 2])
        flow.text("Routed totals: " + "; ".join(f"{cat.media[k].short} {v['count']:,} links, {v['metres']:,.1f} m"
                                                for k, v in by.items() if v["count"]) + ".", 9)
        # 5. violations
        flow.heading(f"Violations ({len(ev.violations):,})", 14)
        if ev.violations:
            flow.table(["Severity", "Rule", "Message"],
                       [[v.severity, v.kind, v.message] for v in ev.violations], [1.2, 1.8, 7], 7.5)
        else:
            flow.text("None.", 10)
        # 6. assumptions
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
        painter.end()
        os.replace(tmp, path)
    except BaseException:
        if painter.isActive():
            painter.end()
        if tmp.exists():
            tmp.unlink()
        raise
    return flow.pages
