"""The plan sheet, drawn with Qt: PNG, SVG and PDF plan exports (and the plan page of
the PDF report).

A plan sheet holds the plan to scale (the canvas's own drawing, with the overlays
that are shown), a legend, a scale bar, a north arrow and a title block (design name,
date, totals, the assumption note). SVG and PDF stay vector: the scene is rendered
through QPainter into QSvgGenerator / QPdfWriter, never through a bitmap.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np
from PySide6.QtCore import QIODevice, QMarginsF, QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QImage, QPageLayout, QPageSize, QPainter,
                           QPdfWriter, QPen, QPolygonF)
from PySide6.QtSvg import QSvgGenerator

from designer.catalog import Catalog
from designer.engine import Evaluation
from designer.io.exports import partial_file
from designer.model import Design
from designer.ui.canvas.scene import PlanScene

PLAN_FORMATS = ("png", "svg", "pdf")
INK = QColor("#1d232b")
MUTED = QColor("#5b6573")
RULE = QColor("#c9ced6")
ERROR = QColor("#c0392b")
WARNING = QColor("#d68910")
#: Rack ids are drawn when a 0.6 m rack is at least this wide on paper (mm): the A3 PNG,
#: SVG and PDF plans and the report's A4 plan page of one hall all get them.
LABEL_MIN_RACK_MM = 2.0
#: Height of a rack id and of a hall's title, in plan metres.
RACK_LABEL_M = 0.1
HALL_TITLE_M = 0.8


def _nice_length(max_m: float) -> float:
    """A round scale-bar length (1, 2, 5 × 10^k m) no longer than ``max_m``."""
    if max_m <= 0:
        return 1.0
    k = 10 ** math.floor(math.log10(max_m))
    for f in (5, 2, 1):
        if f * k <= max_m:
            return f * k
    return k


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 error``, ``2 errors``, ``0 errors`` (thousands separated)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def scene_text(painter: QPainter, at: QPointF, height: float, text: str, angle_deg: float = 0.0,
               align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft, halo: QColor | None = None) -> None:
    """Text ``height`` plan units tall at ``at`` (plan coordinates), drawn in device units
    with a real font size: an SVG gets ``font-size="14.2"`` rather than ``font-size="1"``
    scaled up, which other renderers space letter by letter."""
    t = painter.worldTransform()
    k = math.hypot(t.m11(), t.m12())
    dpi = painter.device().logicalDpiY() or 72
    size_pt = height * k * 72.0 / dpi
    if size_pt <= 0.05:
        return
    font = QFont("DejaVu Sans")
    font.setPointSizeF(size_pt)
    painter.save()
    painter.resetTransform()
    painter.translate(t.map(at))
    painter.rotate(angle_deg)
    painter.setFont(font)
    fm = QFontMetricsF(font, painter.device())
    w = fm.horizontalAdvance(text)
    x, y = (-w / 2, (fm.ascent() - fm.descent()) / 2) if align & Qt.AlignmentFlag.AlignHCenter else (0.0, 0.0)
    if halo is not None:  # a light box keeps the text readable over busway lines
        pad = fm.height() * 0.12
        painter.fillRect(QRectF(x - pad, y - fm.ascent() - pad, w + 2 * pad, fm.ascent() + fm.descent() + 2 * pad),
                         halo)
    painter.drawText(QPointF(x, y), text)
    painter.restore()


def totals_lines(ev: Evaluation | None) -> list[str]:
    """The design's totals in five lines (title block and report summary)."""
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
        f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}",
    ]


def assumption_note(design: Design, catalog: Catalog) -> str:
    """How many catalog figures are assumptions, and how many this design overrides."""
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
        """Draw the sheet; returns where things went (plan rect, device units per metre).
        The north arrow and the scale bar sit in the legend column, clear of the plan."""
        mm = dots_per_mm
        margin = 8 * mm
        area = page.adjusted(margin, margin, -margin, -margin)
        title_h = 32 * mm
        legend_w = 58 * mm
        plan_box = QRectF(area.left(), area.top(), area.width() - legend_w - 4 * mm, area.height() - title_h - 4 * mm)
        painter.fillRect(page, Qt.GlobalColor.white)
        target, scale = self.draw_plan(painter, plan_box, mm)
        painter.setPen(QPen(RULE, 0.3 * mm))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(plan_box)
        column = QRectF(plan_box.right() + 4 * mm, area.top(), legend_w, plan_box.height())
        self._legend(painter, column, mm)
        self._north_arrow(painter, QPointF(column.left() + 6 * mm, column.bottom() - 24 * mm), mm)
        bar = self._scale_bar(painter, QPointF(column.left(), column.bottom() - 2 * mm), scale, mm,
                              max_w=column.width() - 8 * mm)
        self._title_block(painter, QRectF(area.left(), area.bottom() - title_h, area.width(), title_h), mm)
        return {"plan": target, "plan_box": plan_box, "device_units_per_m": scale, "scale_bar": bar}

    def draw_plan(self, painter: QPainter, box: QRectF, dots_per_mm: float, overlays: bool = True,
                  labels: bool = True) -> tuple[QRectF, float]:
        """The plan alone, to scale, centred in ``box`` (device units); returns where it
        went and the device units per metre. The report's cover draws its thumbnail so
        (without overlays and rack ids)."""
        source = self._plan_extent().adjusted(-1.5, -1.5, 1.5, 1.5)
        scale = min(box.width() / source.width(), box.height() / source.height())
        target = QRectF(0, 0, source.width() * scale, source.height() * scale)
        target.moveCenter(box.center())
        painter.save()
        painter.setClipRect(box)
        painter.translate(target.topLeft())
        painter.scale(scale, scale)
        painter.translate(-source.topLeft())
        self._draw_plan(painter, scale, dots_per_mm, labels)
        if overlays:
            self._draw_overlays(painter)
        painter.restore()
        return target, scale

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

    def _draw_plan(self, painter: QPainter, units_per_m: float, dots_per_mm: float, ids: bool = True) -> None:
        """Halls, columns, keep-outs, busways and every item as its own polygon (so vector
        exports hold one element per rack), in scene coordinates (metres, y down); rack
        ids when a rack is at least :data:`LABEL_MIN_RACK_MM` wide on paper."""
        from designer.engine import boxes as bx

        t = self.design.equipment
        pos = self._hall_pos()
        status = None if self.evaluation is None else self.evaluation.items.status
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
            painter.setPen(INK)
            scene_text(painter, QPointF(x0 + dx, -y1 + dy - 0.4), HALL_TITLE_M, hall.name)
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
        labels = ids and 0.6 * units_per_m / dots_per_mm >= LABEL_MIN_RACK_MM
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
            painter.setPen(INK)
            back = np.maximum(d / 2 - 0.25, d / 4)  # near the rear edge: A/B busways run nearer the middle
            rear_x = t.x[floor] - s * back   # the depth axis v = (−s, c) points to the rear
            rear_y = t.y[floor] + c * back
            halo = QColor(255, 255, 255, 190)
            for k, r in enumerate(floor):
                along_depth = d[k] >= w[k]  # the id runs along the footprint's longer side
                upright = (abs(s[k]) < 0.5) == along_depth
                scene_text(painter, QPointF(rear_x[k] + ox[r], -rear_y[k] + oy[r]), RACK_LABEL_M, t.ids[r],
                           -90 if upright else 0, Qt.AlignmentFlag.AlignHCenter, halo)

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

    def _scale_bar(self, painter: QPainter, at: QPointF, units_per_m: float, mm: float,
                   max_w: float | None = None) -> QRectF:
        """A four-part scale bar whose bottom-left corner is ``at``, at most ``max_w`` long;
        returns the rectangle it and its labels take."""
        length_m = _nice_length((max_w or 60 * mm) / units_per_m)
        w = length_m * units_per_m
        painter.save()
        painter.setPen(QPen(INK, 0.25 * mm))
        for k in range(4):
            painter.setBrush(INK if k % 2 == 0 else Qt.GlobalColor.white)
            painter.drawRect(QRectF(at.x() + k * w / 4, at.y() - 1.6 * mm, w / 4, 1.6 * mm))
        self._font(painter, 2.8 * mm)
        painter.drawText(QPointF(at.x(), at.y() - 2.6 * mm), "0")
        label = f"{length_m:g} m"
        fm = QFontMetricsF(painter.font(), painter.device())
        half = fm.horizontalAdvance(label) / 2
        painter.drawText(QPointF(at.x() + w - half, at.y() - 2.6 * mm), label)
        painter.restore()
        top = at.y() - 2.6 * mm - fm.ascent()
        return QRectF(at.x(), top, w + half, at.y() - top)

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
            # a long name wraps inside the column rather than running off the sheet
            fm = QFontMetricsF(painter.font(), painter.device())
            text_box = QRectF(box.left() + 7 * mm, y - fm.ascent(), box.width() - 7 * mm, 10 * fm.height())
            used = fm.boundingRect(text_box, int(Qt.TextFlag.TextWordWrap), spec.system_name or spec.name)
            painter.drawText(text_box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                             | Qt.TextFlag.TextWordWrap, spec.system_name or spec.name)
            y += 5 * mm + max(used.height() - fm.height(), 0.0)
        y += 2 * mm
        for label, colour, style in (("Column", QColor("#4a4f57"), None), ("Keep-out zone", QColor("#c0392b"), "hatch"),
                                     ("Error", ERROR, "outline"), ("Warning", WARNING, "outline")):
            painter.setPen(QPen(colour, 0.5 * mm))
            painter.setBrush(colour if style is None else QColor(colour.red(), colour.green(), colour.blue(), 40))
            painter.drawRect(QRectF(box.left(), y - 3 * mm, 5 * mm, 3.4 * mm))
            painter.setPen(INK)
            painter.drawText(QPointF(box.left() + 7 * mm, y), label)
            y += 5 * mm
        if self.evaluation is not None and len(self.evaluation.items.links.rack):
            y += 2 * mm
            self._font(painter, 2.8 * mm, True)
            painter.drawText(QPointF(box.left(), y), "Cable media")
            y += 5 * mm
            self._font(painter, 2.8 * mm)
            used = set(int(m) for m in np.unique(self.evaluation.items.links.medium) if m >= 0)
            fabric = getattr(self.evaluation, "fabric", None)
            if fabric is not None:   # the leaf → spine and upper-tier cables too
                used |= set(int(m) for m in np.unique(fabric.links.medium) if m >= 0)
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
        size = 5.0
        while True:  # the whole name on one line: smaller type before eliding
            font = self._font(painter, size * mm, True)
            fm = QFontMetricsF(font, painter.device())
            if fm.horizontalAdvance(self.design.name) <= left.width() or size <= 3.2:
                break
            size -= 0.2
        painter.drawText(left, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         fm.elidedText(self.design.name, Qt.TextElideMode.ElideRight, left.width()))
        self._font(painter, 2.8 * mm)
        painter.setPen(MUTED)
        halls = ", ".join(h.name for h in self.design.halls)
        painter.drawText(left.adjusted(0, 8 * mm, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                         | Qt.TextFlag.TextWordWrap,
                         f"{halls}\nExported {_dt.date.today().isoformat()} by Designer · plan to scale, metres\n"
                         + assumption_note(self.design, self.base_catalog))
        right = QRectF(box.left() + box.width() * 0.5, box.top() + 2 * mm, box.width() * 0.5 - 3 * mm,
                       box.height() - 4 * mm)
        painter.setPen(INK)
        self._font(painter, 3.0 * mm)
        painter.drawText(right, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         "\n".join(totals_lines(self.evaluation)))
        painter.restore()


def make_scene(design: Design, catalog: Catalog, evaluation: Evaluation | None):
    """A plan scene for exporting (headless is fine: offscreen platform)."""
    scene = PlanScene()
    scene.set_design(design, catalog)
    if evaluation is not None:
        set_eval = getattr(scene, "set_evaluation", None)
        if callable(set_eval):
            set_eval(evaluation)
        else:
            scene.set_status(evaluation.items.status)
    return scene


@contextmanager
def scene_for(design: Design, catalog: Catalog, evaluation: Evaluation | None, scene=None) -> Iterator:
    """``scene`` (what the canvas shows, overlays included), or a scene made for the
    export and detached from the design afterwards."""
    if scene is not None:
        yield scene
        return
    scene = make_scene(design, catalog, evaluation)
    try:
        yield scene
    finally:
        scene.detach()


def pdf_writer(path: Path | QIODevice, title: str, page: QPageSize.PageSizeId,
               orientation: QPageLayout.Orientation, resolution: int) -> QPdfWriter:
    """A PDF writer (to a file, or a device such as a buffer) with our metadata and its
    first page (no margins: the sheet draws its own)."""
    writer = QPdfWriter(path if isinstance(path, QIODevice) else str(path))
    writer.setTitle(title)
    writer.setCreator("Designer")
    writer.setResolution(resolution)
    set_page(writer, page, orientation)
    return writer


def set_page(writer: QPdfWriter, page: QPageSize.PageSizeId, orientation: QPageLayout.Orientation) -> None:
    """Use ``page`` in ``orientation``, without margins, from the next page on."""
    writer.setPageLayout(QPageLayout(QPageSize(page), orientation, QMarginsF(0, 0, 0, 0)))


def export_plan(design: Design, catalog: Catalog, evaluation: Evaluation | None, path: str | os.PathLike,
                fmt: str | None = None, scene=None, png_width_px: int = 3508) -> Path:
    """Write the plan sheet as PNG, SVG or PDF (A3 landscape proportions)."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in PLAN_FORMATS:
        raise ValueError(f"unknown plan format {fmt!r} (one of {', '.join(PLAN_FORMATS)})")
    a3 = QSizeF(420, 297)  # mm
    with scene_for(design, catalog, evaluation, scene) as scene, partial_file(path) as tmp:
        sheet = PlanSheet(scene, design, catalog, evaluation)
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
        else:
            writer = pdf_writer(tmp, design.name, QPageSize.PageSizeId.A3, QPageLayout.Orientation.Landscape, 300)
            painter = QPainter(writer)
            sheet.draw(painter, QRectF(0, 0, writer.width(), writer.height()), writer.resolution() / 25.4)
            painter.end()
    return path
