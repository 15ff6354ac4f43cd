"""Tools ▸ Fill Hall…: fill a hall (or every hall) with complete pods of UltraServers.

The planner picks the hall, the target (as many as fit, a number of UltraServers, or an
IT load), the UltraServer type and the row orientation; **Preview** plans the fill
(:func:`designer.engine.fill.plan_fill`, off the event loop in a worker thread, hall by
hall with progress and Cancel) and shows the result drawn on the hall with its count and
the constraint that binds; **Apply** adds it to the design as one undo step.
"""

from __future__ import annotations

import logging
import math

from PySide6.QtCore import QPointF, Qt, QThread, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QPainter, QPainterPath, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QHBoxLayout,
                               QLabel, QProgressBar, QPushButton, QSizePolicy, QSpinBox, QStackedWidget,
                               QVBoxLayout, QWidget)

from designer.engine.fill import BINDINGS, FillError, FillRequest, FillResult, plan_fill

log = logging.getLogger(__name__)

#: What each binding constraint means, as the preview says it.
BINDING_TEXT = {
    "space": "space — the floor is full (rows, aisles and clearances)",
    "utility": "utility — the site's utility feed is used up",
    "hall-capacity": "hall capacity — the hall's critical IT capacity is used up",
    "cooling": "cooling — the air handlers the walls hold (within reach) are used up",
    "network": "network — no room for the spine racks the fabric needs",
    "floor-load": "floor load — the floor rating is below what the equipment loads it with",
    "target": "target — the fill stopped at the target",
}
assert set(BINDING_TEXT) == set(BINDINGS)
ORIENTATION_CHOICES = (("auto", "Best of both"), ("x", "Rows east–west"), ("y", "Rows north–south"))
TARGET_CHOICES = (("max", "As many as fit"), ("ultraservers", "UltraServers"), ("it_kw", "IT load (kW)"))
ALL_HALLS = ""


class FillWorker(QThread):
    """Plans a fill off the event loop; reports each hall done and the result."""

    progressed = Signal(int, int, str)
    planned = Signal(object)
    failed = Signal(str)

    def __init__(self, design, catalog, request: FillRequest, parent=None):
        super().__init__(parent)
        self.design, self.catalog, self.request = design, catalog, request
        self._cancel = False

    def cancel(self) -> None:
        self._cancel = True

    def run(self) -> None:  # (the worker thread)
        try:
            result = plan_fill(self.design, self.catalog, self.request,
                               progress=lambda done, total, hall: self.progressed.emit(done, total, hall),
                               cancelled=lambda: self._cancel)
        except FillError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # a failed plan must not take the window down
            log.exception("fill failed")
            self.failed.emit(f"The fill could not be planned: {exc}")
            return
        self.planned.emit(result)


class FillPreview(QWidget):
    """The hall drawn to scale (north up): what stands there already in grey, what the
    fill adds in its catalog colours, busways as lines."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(420, 280)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.hall = None
        self.existing: list = []
        self.added: list = []
        self.catalog = None

    def show_fill(self, design, catalog, hall_id: str | None, added: list) -> None:
        self.catalog = catalog
        self.hall = design.hall(hall_id) if hall_id else None
        t = design.equipment
        code = t.halls.codes.get(hall_id) if hall_id else None
        self.existing = [t.record(int(r)) for r in range(len(t)) if code is not None and t.hall_code[r] == code]
        self.added = [e for e in added if e.hall == hall_id]
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        if self.hall is None:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Preview a fill to see it here")
            return
        x0, y0, x1, y1 = self.hall.bounds()
        m = 10.0
        scale = min((self.width() - 2 * m) / max(x1 - x0, 1e-6), (self.height() - 2 * m) / max(y1 - y0, 1e-6))
        # plan (y up) → widget (y down)
        to_widget = QTransform(scale, 0, 0, -scale, m - x0 * scale + (self.width() - 2 * m - (x1 - x0) * scale) / 2,
                               m + y1 * scale + (self.height() - 2 * m - (y1 - y0) * scale) / 2)
        p.setTransform(to_widget)
        outline = QPolygonF([QPointF(x, y) for x, y in self.hall.outline])
        p.setPen(QPen(self.palette().text().color(), 0))
        p.setBrush(QBrush(self.palette().alternateBase()))
        p.drawPolygon(outline)
        p.setBrush(QBrush(QColor("#9a9a9a")))
        for poly in (*self.hall.columns, *self.hall.keepouts):
            p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in poly]))
        for items, faded in ((self.existing, True), (self.added, False)):
            self._draw_items(p, items, faded)

    def _draw_items(self, p: QPainter, items: list, faded: bool) -> None:
        cat = self.catalog
        for e in items:
            spec = cat.types.get(e.type) if cat is not None else None
            color = QColor("#b0b0b0") if faded or spec is None else QColor(spec.color)
            if e.end is not None:
                p.setPen(QPen(color, 0))
                p.drawLine(QPointF(e.x, e.y), QPointF(*e.end))
                continue
            if spec is None or not spec.on_floor:
                continue
            w, d = spec.width_m, spec.depth_m
            th = math.radians(e.rotation)
            c, s = math.cos(th), math.sin(th)
            corners = [(-w / 2, -d / 2), (w / 2, -d / 2), (w / 2, d / 2), (-w / 2, d / 2)]
            poly = QPolygonF([QPointF(e.x + c * u - s * v, e.y + s * u + c * v) for u, v in corners])
            path = QPainterPath()
            path.addPolygon(poly)
            p.fillPath(path, color)


class FillHallDialog(QDialog):
    """Tools ▸ Fill Hall…: the request, a preview with its count and binding constraint,
    and Apply (one undo step)."""

    def __init__(self, window):
        super().__init__(window)
        self.setWindowTitle("Fill Hall")
        self.setObjectName("fill_dialog")
        self.window_ = window
        self.document = window.document
        self.result: FillResult | None = None
        self.worker: FillWorker | None = None
        design = self.document.design
        catalog = self.document.catalog

        self.hall_combo = QComboBox()
        for hall in design.halls:
            self.hall_combo.addItem(f"{hall.name} ({hall.id})", hall.id)
        if len(design.halls) > 1:
            self.hall_combo.addItem(f"Every hall ({len(design.halls)})", ALL_HALLS)
        # the hall of the selection, else the first
        selection = [i for i in self.document.selection if i in design.equipment.index]
        current = design.equipment.get(selection[0]).hall if selection else None
        if current in design.hall_ids():
            self.hall_combo.setCurrentIndex(design.hall_ids().index(current))
        self.target_combo = QComboBox()
        for key, text in TARGET_CHOICES:
            self.target_combo.addItem(text, key)
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, 1_000_000)
        self.count_spin.setValue(10)
        self.kw_spin = QDoubleSpinBox()
        self.kw_spin.setRange(1.0, 1e8)
        self.kw_spin.setDecimals(0)
        self.kw_spin.setSuffix(" kW")
        self.kw_spin.setValue(5000.0)
        self.amount = QStackedWidget()
        self.amount.addWidget(QLabel("—"))
        self.amount.addWidget(self.count_spin)
        self.amount.addWidget(self.kw_spin)
        target_row = QHBoxLayout()
        target_row.addWidget(self.target_combo)
        target_row.addWidget(self.amount, 1)
        self.type_combo = QComboBox()
        for spec in catalog.types_of_kind("compute"):
            self.type_combo.addItem(spec.system_name or spec.name, spec.id)
        idx = self.type_combo.findData("trn3-gen2-rack")
        if idx >= 0:
            self.type_combo.setCurrentIndex(idx)
        self.orientation_combo = QComboBox()
        for key, text in ORIENTATION_CHOICES:
            self.orientation_combo.addItem(text, key)

        form = QFormLayout()
        form.addRow("&Hall:", self.hall_combo)
        target_label = QLabel("&Target:")
        target_label.setBuddy(self.target_combo)
        form.addRow(target_label, target_row)
        form.addRow("&UltraServer:", self.type_combo)
        form.addRow("&Rows:", self.orientation_combo)

        self.preview_button = QPushButton("&Preview")
        self.preview_button.setObjectName("fill_preview_button")
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel fill")
        self.cancel_button.setVisible(False)
        run_row = QHBoxLayout()
        run_row.addWidget(self.preview_button)
        run_row.addWidget(self.progress, 1)
        run_row.addWidget(self.cancel_button)
        run_row.addStretch(0)

        self.summary = QLabel("Preview the fill to see how many UltraServers the hall holds and what limits it.")
        self.summary.setObjectName("fill_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview = FillPreview()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Close)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setEnabled(False)
        self.apply_button.setToolTip("Add the previewed fill to the design (one undo step)")

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(run_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.buttons)

        self.target_combo.currentIndexChanged.connect(self._on_target_changed)
        for w in (self.hall_combo, self.target_combo, self.type_combo, self.orientation_combo):
            w.currentIndexChanged.connect(self._on_request_changed)
        self.count_spin.valueChanged.connect(self._on_request_changed)
        self.kw_spin.valueChanged.connect(self._on_request_changed)
        self.preview_button.clicked.connect(self.start_preview)
        self.cancel_button.clicked.connect(self.cancel_preview)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        self.resize(640, 620)

    # ------------------------------------------------------------------ the request
    def request(self) -> FillRequest:
        hall = self.hall_combo.currentData()
        target = self.target_combo.currentData()
        return FillRequest(halls=() if hall == ALL_HALLS else (hall,),
                           ultraservers=self.count_spin.value() if target == "ultraservers" else None,
                           it_kw=float(self.kw_spin.value()) if target == "it_kw" else None,
                           rack_type=self.type_combo.currentData(), orientation=self.orientation_combo.currentData())

    def _on_target_changed(self, index: int) -> None:
        self.amount.setCurrentIndex(index)

    def _on_request_changed(self, *_args) -> None:
        """A changed request makes the preview stale: Apply waits for a new one."""
        if self.result is not None:
            self.result = None
            self.apply_button.setEnabled(False)
            self.summary.setText("The request changed: preview again before applying.")

    # ------------------------------------------------------------------ planning
    def start_preview(self) -> None:
        if self.worker is not None:
            return
        self.document.evaluate_pending()
        request = self.request()
        self.result = None
        self.apply_button.setEnabled(False)
        self.preview_button.setEnabled(False)
        halls = len(request.halls) or len(self.document.design.halls)
        self.progress.setRange(0, halls)
        self.progress.setValue(0)
        self.progress.setFormat("%v of %m halls")
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.summary.setText("Planning the fill…")
        self.worker = FillWorker(self.document.design, self.document.catalog, request, self)
        self.worker.progressed.connect(self._on_progressed)
        self.worker.planned.connect(self._on_planned)
        self.worker.failed.connect(self._on_failed)
        self.worker.finished.connect(self._on_worker_finished)
        self.worker.start()

    def cancel_preview(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.summary.setText("Cancelling after this hall…")

    def wait_for_preview(self, timeout_ms: int = 60000) -> None:
        """Block until the planning thread is done and its result shown (tests, scripts)."""
        from PySide6.QtCore import QCoreApplication

        if self.worker is not None:
            self.worker.wait(timeout_ms)
        QCoreApplication.processEvents()
        QCoreApplication.processEvents()

    def _on_progressed(self, done: int, total: int, hall: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _on_planned(self, result: FillResult) -> None:
        if result.cancelled:
            self.summary.setText("Cancelled: nothing will be added.")
            self.preview.show_fill(self.document.design, self.document.catalog, None, [])
            return
        self.result = result
        self.summary.setText(self.describe(result))
        shown = next((h.hall for h in result.halls if h.ultraservers), result.halls[0].hall if result.halls else None)
        self.preview.show_fill(self.document.design, self.document.catalog, shown, result.items)
        self.apply_button.setEnabled(bool(result.items))

    def _on_failed(self, message: str) -> None:
        self.summary.setText(f"Cannot fill: {message}")
        self.preview.show_fill(self.document.design, self.document.catalog, None, [])

    def _on_worker_finished(self) -> None:
        self.worker = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.preview_button.setEnabled(True)

    def describe(self, result: FillResult) -> str:
        """The preview's text: count, chips, binding constraint, per hall, and the check."""
        rack_type = self.request().rack_type
        spec = self.document.catalog.types[rack_type]
        n = result.ultraservers
        lines = [f"<b>{n:,} {spec.system_name or spec.name}{'s' if n != 1 else ''}</b> "
                 f"({result.chips(self.document.catalog, rack_type):,} chips) in "
                 f"{sum(1 for h in result.halls if h.ultraservers)} hall(s), planned in {result.seconds:.2f} s.",
                 f"Binding constraint: <b>{BINDING_TEXT.get(result.binding, result.binding)}</b>."]
        if len(result.halls) > 1:
            rows = "".join(f"<tr><td>{h.hall}</td><td align='right'>{h.ultraservers:,}</td><td>{h.binding}</td></tr>"
                           for h in result.halls)
            lines.append(f"<table cellspacing='6'><tr><th align='left'>Hall</th><th>UltraServers</th>"
                         f"<th align='left'>binding</th></tr>{rows}</table>")
        counts: dict[str, int] = {}
        for e in result.items:
            counts[e.type] = counts.get(e.type, 0) + 1
        cat = self.document.catalog
        parts = [f"{c:,} {cat.types[t].short if t in cat.types else t}" for t, c in counts.items()]
        if parts:
            lines.append("Adds " + ", ".join(parts) + ".")
        if result.generators is not None:
            lines.append(f"The site's generators become {result.generators['count']} × {result.generators['type']}.")
        if result.problems:
            lines.append(f"<span style='color:#c0392b'>The check still finds {len(result.problems)} problem(s): "
                         f"{result.problems[0]}</span>")
        else:
            lines.append("Checked: no errors; with the site's declared redundancy, no single failure strands an "
                         "UltraServer.")
        return "<br>".join(lines)

    # ------------------------------------------------------------------ applying
    def apply(self) -> None:
        if self.result is None or not self.result.items:
            return
        self.document.push(self.result.command(self.document.design))
        self.window_.statusBar().showMessage(
            f"Filled with {self.result.ultraservers:,} UltraServers ({self.result.binding} binds)", 8000)
        self.accept()

    def done(self, code: int) -> None:  # noqa: D401 (Qt API) — closing stops the planning first
        if self.worker is not None:
            self.worker.cancel()
            self.worker.wait()
        super().done(code)


def install(window) -> QAction:
    """Tools ▸ Fill Hall…"""
    action = QAction("&Fill Hall…", window)
    action.setObjectName("fill_hall_action")
    action.setStatusTip("Fill a hall with complete pods of UltraServers, to the most it holds or to a target")
    action.triggered.connect(lambda: open_fill_dialog(window))
    window.tools_menu.addSeparator()
    window.tools_menu.addAction(action)
    return action


def open_fill_dialog(window) -> FillHallDialog:
    dialog = FillHallDialog(window)
    dialog.setModal(True)
    dialog.show()
    dialog.start_preview()
    return dialog
