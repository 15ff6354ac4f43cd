"""The Totals dock: what the layout delivers and draws, from the engine's report."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from designer.ui.docks.report_text import DASH, cable_count_and_metres, figure, text_of
from designer.ui.docks.status import STATUS_COLORS, problems_text, status_of
from designer.ui.widgets import set_style_sheet


def _int(v: float) -> str:
    return f"{int(round(v)):,}"


def _num(v: float, digits: int = 1) -> str:
    return f"{v:,.{digits}f}"


def _cables(report: dict) -> str:
    count, metres = cable_count_and_metres(report)
    return f"{count:,} ({metres:,.0f} m)" if count else "0"


def _counts(report: dict) -> tuple[int, int]:
    """(errors, warnings) among the report's violations."""
    severities = [v.get("severity", "error") for v in report.get("violations", [])]
    return severities.count("error"), severities.count("warning")


#: (group, field name, label, formatter(report) → text). Field names are stable for tests.
FIELDS: tuple[tuple[str, str, str, Callable[[dict], str]], ...] = (
    ("Compute", "chips", "Chips", lambda r: _int(r["chips"])),
    ("Compute", "ultraservers", "UltraServers", lambda r: _int(r["ultraservers"])),
    ("Compute", "racks", "Racks", lambda r: _int(r["racks"])),
    ("Compute", "peak_pflops", "Peak MXFP8",
     lambda r: f"{_num(figure(r, 'throughput', 'peak', 'mxfp8_pflops'))} PFLOPS"),
    ("Compute", "effective_pflops", "Effective MXFP8",
     lambda r: f"{_num(figure(r, 'throughput', 'effective', 'mxfp8_pflops'))} PFLOPS"),
    ("Compute", "stranded", "Stranded UltraServers",
     lambda r: _int(figure(r, 'throughput', 'stranded_ultraservers'))),
    ("Compute", "pflops_per_mw", "Effective per MW",
     lambda r: f"{_num(figure(r, 'throughput', 'pflops_per_mw'))} PFLOPS/MW"),
    ("Power", "it_mw", "IT load", lambda r: f"{figure(r, 'power', 'it_kw') / 1000:,.2f} MW"),
    ("Power", "facility_mw", "Facility", lambda r: f"{figure(r, 'power', 'facility_kw') / 1000:,.2f} MW"),
    ("Power", "pue", "PUE", lambda r: f"{figure(r, 'power', 'pue'):.2f}"),
    ("Cooling", "coolant_lpm", "Coolant flow", lambda r: f"{_int(figure(r, 'cooling', 'coolant_lpm'))} L/min"),
    ("Cooling", "airflow_m3h", "Airflow", lambda r: f"{_int(figure(r, 'cooling', 'airflow_m3h'))} m³/h"),
    ("Network", "cables", "Scale-out cables", _cables),
    ("Network", "longest_m", "Longest link", lambda r: f"{_num(figure(r, 'cables', 'longest_m'))} m"),
    ("Problems", "violations", "Violations", lambda r: problems_text(*_counts(r))),
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

    def show_report(self, report: dict, violations: list | None = None) -> None:
        """Fill every field from an engine report (``Evaluation.report()``). ``violations``:
        those to count instead of the report's (the Problems dock's, which adds the
        ``redundancy`` errors of the last resilience check)."""
        self._note.hide()
        if violations is not None:
            report = {**report, "violations": [{"severity": v.severity} for v in violations]}
        for _, name, _, fmt in FIELDS:
            self._values[name].setText(text_of(fmt, report))
        color = STATUS_COLORS[status_of(*_counts(report))]
        set_style_sheet(self._values["violations"], f"color: {color.name()}; font-weight: bold;")

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
