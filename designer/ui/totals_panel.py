"""The Totals dock: what the layout delivers and draws, from the engine's report."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from designer.ui.widgets import set_style_sheet

DASH = "—"


def _int(v: float) -> str:
    return f"{int(round(v)):,}"


def _num(v: float, digits: int = 1) -> str:
    return f"{v:,.{digits}f}"


def _cables(report: dict) -> str:
    by = report.get("cables", {}).get("by_medium", {})
    count = sum(int(m.get("count", 0)) for m in by.values())
    metres = sum(float(m.get("metres", 0.0)) for m in by.values())
    return f"{count:,} ({metres:,.0f} m)" if count else "0"


def _problems(report: dict) -> str:
    counts = {"error": 0, "warning": 0}
    for v in report.get("violations", []):
        counts[v.get("severity", "error")] = counts.get(v.get("severity", "error"), 0) + 1
    e, w = counts["error"], counts["warning"]
    return f"{e:,} error{'s' if e != 1 else ''}, {w:,} warning{'s' if w != 1 else ''}"


def _get(*keys: str) -> Callable[[dict], float]:
    def read(report: dict) -> float:
        v = report
        for k in keys:
            v = v[k]
        return v
    return read


#: (group, field name, label, formatter(report) → text). Field names are stable for tests.
FIELDS: tuple[tuple[str, str, str, Callable[[dict], str]], ...] = (
    ("Compute", "chips", "Chips", lambda r: _int(r["chips"])),
    ("Compute", "ultraservers", "UltraServers", lambda r: _int(r["ultraservers"])),
    ("Compute", "racks", "Racks", lambda r: _int(r["racks"])),
    ("Compute", "peak_pflops", "Peak MXFP8",
     lambda r: f"{_num(_get('throughput', 'peak', 'mxfp8_pflops')(r))} PFLOPS"),
    ("Compute", "effective_pflops", "Effective MXFP8",
     lambda r: f"{_num(_get('throughput', 'effective', 'mxfp8_pflops')(r))} PFLOPS"),
    ("Compute", "stranded", "Stranded UltraServers",
     lambda r: _int(_get('throughput', 'stranded_ultraservers')(r))),
    ("Compute", "pflops_per_mw", "Effective per MW",
     lambda r: f"{_num(_get('throughput', 'pflops_per_mw')(r))} PFLOPS/MW"),
    ("Power", "it_mw", "IT load", lambda r: f"{_get('power', 'it_kw')(r) / 1000:,.2f} MW"),
    ("Power", "facility_mw", "Facility", lambda r: f"{_get('power', 'facility_kw')(r) / 1000:,.2f} MW"),
    ("Power", "pue", "PUE", lambda r: f"{_get('power', 'pue')(r):.2f}"),
    ("Cooling", "coolant_lpm", "Coolant flow", lambda r: f"{_int(_get('cooling', 'coolant_lpm')(r))} L/min"),
    ("Cooling", "airflow_m3h", "Airflow", lambda r: f"{_int(_get('cooling', 'airflow_m3h')(r))} m³/h"),
    ("Network", "cables", "Scale-out cables", _cables),
    ("Network", "longest_m", "Longest link", lambda r: f"{_num(_get('cables', 'longest_m')(r))} m"),
    ("Problems", "violations", "Violations", _problems),
)


class TotalsPanel(QWidget):
    """Readable totals of one evaluation: compute, power, cooling, cables, problems."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: dict[str, QLabel] = {}
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(8, 8, 8, 8)
        forms: dict[str, QFormLayout] = {}
        for group, name, label, _ in FIELDS:
            form = forms.get(group)
            if form is None:
                box = QGroupBox(group)
                form = forms[group] = QFormLayout(box)
                form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
                form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
                column.addWidget(box)
            value = QLabel(DASH)
            value.setObjectName(f"total_{name}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, value)
            self._values[name] = value
        self._note = QLabel()
        self._note.setWordWrap(True)
        self._note.setObjectName("totals_note")
        column.addWidget(self._note)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # wide enough for a long value ("1,790.6 PFLOPS/MW") beside its label
        for label in self._values.values():
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance("88,888.8 PFLOPS/MW"))
        self._inner, self._scroll = inner, scroll
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._note.hide()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        # never narrower than the widest group: values must not be clipped
        width = self._inner.minimumSizeHint().width() + self._scroll.verticalScrollBar().sizeHint().width()
        return QSize(width, 160)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.updateGeometry()  # hints change once the style has polished the fonts

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(self.minimumSizeHint().width(), self._inner.sizeHint().height())

    def show_report(self, report: dict) -> None:
        """Fill every field from an engine report (``Evaluation.report()``)."""
        self._note.hide()
        for _, name, _, fmt in FIELDS:
            try:
                text = fmt(report)
            except (KeyError, TypeError, ValueError):
                text = DASH
            self._values[name].setText(text)
        errors = any(v.get("severity") == "error" for v in report.get("violations", []))
        warnings = any(v.get("severity") == "warning" for v in report.get("violations", []))
        color = "#c0392b" if errors else "#b7791f" if warnings else "#2e7d32"
        set_style_sheet(self._values["violations"], f"color: {color}; font-weight: bold;")

    def show_unavailable(self, reason: str) -> None:
        """Blank every field and say why there are no totals."""
        for label in self._values.values():
            label.setText(DASH)
            set_style_sheet(label, "")
        self._note.setText(reason)
        self._note.show()

    def text(self, name: str) -> str:
        """The text shown for a field (``chips``, ``it_mw``, …)."""
        return self._values[name].text()
