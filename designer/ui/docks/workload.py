"""The Workload dock: what a design buys for one training run, live on every edit.

Parameters N, tokens D, MFU and precision in; out: training compute 6·N·D (Kaplan et al.
2020), time to train on the design's effective FLOPS at that precision × MFU (default 0.4,
Meta's Llama 3 reports 38–43 %), and the decode bound (effective HBM bandwidth ÷ weight
bytes) in tokens/s and per facility MW. The figures come from
:func:`designer.engine.workload.workload_figures`, the same as ``report --json --train-…``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit, QWidget,
)

from designer.engine.workload import (
    DEFAULT_MFU, DEFAULT_PRECISION, MFU_SOURCE, PRECISIONS, TRAIN_FLOPS_SOURCE, Workload, WorkloadError,
    parse_count, workload_figures,
)
from designer.ui.docks.status import STATUS_COLORS
from designer.engine.evaluation import STATUS_ERROR
from designer.ui.document import Document
from designer.ui.widgets import TEXT_INTERVAL_MS, Throttle, column_layout, set_style_sheet

#: An example run to start from: 70 billion parameters on 15 trillion tokens.
DEFAULT_PARAMS = "70B"
DEFAULT_TOKENS = "15T"
#: Result fields (object names, stable for tests) and their captions.
RESULTS = (
    ("train_flops", "Training compute"),
    ("effective_pflops", "Effective compute"),
    ("train_days", "Time to train"),
    ("decode_tokens_s", "Decode bound"),
    ("decode_per_mw", "Decode per facility MW"),
    ("weights", "Weights"),
)
DASH = "—"


def flops_text(flops: float) -> str:
    """FLOPs in powers of ten as planners write them: ``5.88 × 10²³ FLOPs``."""
    mantissa, exponent = f"{flops:.2e}".split("e")
    sup = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{mantissa} × 10{sup} FLOPs"


class WorkloadPanel(QWidget):
    """Inputs of one training run and what the current design makes of it."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workload_panel")
        self.document = document
        self.params_edit = QLineEdit(DEFAULT_PARAMS)
        self.params_edit.setObjectName("params")
        self.params_edit.setToolTip("Model parameters N: 70e9, 70B, 405B, 1.8T …")
        self.tokens_edit = QLineEdit(DEFAULT_TOKENS)
        self.tokens_edit.setObjectName("tokens")
        self.tokens_edit.setToolTip("Training tokens D: 15e12, 15T …")
        self.mfu_spin = QDoubleSpinBox()
        self.mfu_spin.setObjectName("mfu")
        self.mfu_spin.setRange(0.01, 1.0)
        self.mfu_spin.setSingleStep(0.01)
        self.mfu_spin.setDecimals(2)
        self.mfu_spin.setValue(DEFAULT_MFU)
        self.mfu_spin.setToolTip(f"Model FLOPs utilisation (default {DEFAULT_MFU}): {MFU_SOURCE}")
        self.precision_combo = QComboBox()
        self.precision_combo.setObjectName("precision")
        for name in PRECISIONS:
            self.precision_combo.addItem(name.upper() if name != "mxfp8" else "MXFP8", name)
        self.precision_combo.setCurrentIndex(list(PRECISIONS).index(DEFAULT_PRECISION))
        self.precision_combo.setToolTip("Precision of the training FLOPs and of the weights the decode bound reads")
        inputs = QFormLayout()
        inputs.addRow("Parameters", self.params_edit)
        inputs.addRow("Tokens", self.tokens_edit)
        inputs.addRow("MFU", self.mfu_spin)
        inputs.addRow("Precision", self.precision_combo)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.VLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        self.values: dict[str, QLabel] = {}
        results = QFormLayout()
        for name, caption in RESULTS:
            label = QLabel(DASH)
            label.setObjectName(name)
            label.setWordWrap(True)
            self.values[name] = label
            results.addRow(caption, label)
        self.note = QLabel()
        self.note.setObjectName("workload_note")
        self.note.setWordWrap(True)
        self.sources = QLabel(f"<small>6·N·D: {TRAIN_FLOPS_SOURCE}.<br>MFU: {MFU_SOURCE}.<br>"
                              "Decode bound: effective HBM bandwidth ÷ (parameters × bytes per parameter), "
                              "one read of the weights per token.</small>")
        self.sources.setWordWrap(True)
        set_style_sheet(self.sources, "color: palette(mid);")
        # inputs on the left, what the design makes of them on the right
        left = QWidget()
        left.setLayout(inputs)
        left.setMaximumWidth(320)
        right = QWidget()
        column_layout(right, results, self.note, (self.sources, 1), margin=0)
        row = QHBoxLayout()
        row.addWidget(left, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(line)
        row.addWidget(right, 1)
        column_layout(self, (row, 1))
        self._throttle = Throttle(TEXT_INTERVAL_MS, self.refresh, self)
        self.params_edit.textChanged.connect(self.refresh)
        self.tokens_edit.textChanged.connect(self.refresh)
        self.mfu_spin.valueChanged.connect(self.refresh)
        self.precision_combo.currentIndexChanged.connect(self.refresh)
        document.evaluation_changed.connect(lambda _ev: self._throttle.request())
        self.refresh()

    # ------------------------------------------------------------------ API
    def text(self, name: str) -> str:
        """The text of a result (``train_days``, ``decode_tokens_s`` …)."""
        return self.values[name].text()

    def workload(self) -> Workload:
        """The inputs as a :class:`Workload` (raises :class:`WorkloadError` naming the bad one)."""
        return Workload(parse_count(self.params_edit.text(), "Parameters"),
                        parse_count(self.tokens_edit.text(), "Tokens"),
                        round(self.mfu_spin.value(), 4), self.precision_combo.currentData())

    def refresh(self) -> None:
        """Recompute from the inputs and the document's latest evaluation."""
        try:
            work = self.workload()
        except WorkloadError as exc:
            self._show_problem(str(exc))
            return
        evaluation = self.document.evaluation
        if evaluation is None:
            self._show_problem("No evaluation of the design yet")
            return
        w = workload_figures(evaluation.totals, work)
        d = w["decode"]
        label = self.precision_combo.currentText()
        self.values["train_flops"].setText(f"{flops_text(w['train_flops'])} (6·N·D)")
        self.values["effective_pflops"].setText(f"{w['effective_pflops']:,.1f} PFLOPS {label} × MFU {w['mfu']:.2f}")
        self.values["train_days"].setText(DASH if w["train_days"] is None else _days_text(w["train_days"]))
        self.values["decode_tokens_s"].setText(f"{d['tokens_per_s']:,.0f} tokens/s")
        self.values["decode_per_mw"].setText(DASH if d["tokens_per_s_per_mw"] is None
                                              else f"{d['tokens_per_s_per_mw']:,.0f} tokens/s per MW")
        self.values["weights"].setText(f"{d['weights_gib']:,.0f} GiB at {d['bytes_per_param']:g} B/parameter, "
                                       f"over {d['hbm_tbps']:,.1f} TB/s of effective HBM")
        notes = []
        if w["train_days"] is None:
            notes.append(f"No effective compute at {label}: nothing runs at this precision.")
        if w["not_counted"]:
            notes.append(f"Not counted (no published {label} figure): {', '.join(w['not_counted'])}.")
        self.note.setText(" ".join(notes))
        set_style_sheet(self.note, "")
        self.note.setVisible(bool(notes))

    def _show_problem(self, message: str) -> None:
        for label in self.values.values():
            label.setText(DASH)
        self.note.setText(message)
        set_style_sheet(self.note, f"color: {STATUS_COLORS[STATUS_ERROR].name()};")
        self.note.show()


def _days_text(days: float) -> str:
    """Days, with years beside a long run."""
    text = f"{days:,.1f} days"
    return text + f" ({days / 365.25:,.1f} years)" if days >= 365.25 else text
