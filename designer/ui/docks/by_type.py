"""Throughput by compute type (``throughput.by_type`` of the report): a compact table the
Metrics dock shows under its tiles for a mixed fleet — per type its systems (stranded), chips and effective
of peak PFLOPS, and a total row equal to the report's totals. A type without a figure for
a precision (Trn2 has no published FP4 rate) shows "n/a" there: it adds nothing to that total."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

#: (column title, report key or None, tooltip)
COLUMNS = (
    ("Type", None, "Compute type (what one system of it is)"),
    ("Systems", None, "Systems (UltraServers, or NVL72 racks) placed; stranded ones in brackets"),
    ("Chips", None, "Chips (Trainium) or GPUs"),
    ("MXFP8 PFLOPS", "mxfp8_pflops", "Effective of peak dense (MX)FP8 PFLOPS"),
    ("BF16 PFLOPS", "bf16_pflops", "Effective of peak dense BF16 PFLOPS"),
    ("FP4 PFLOPS", "fp4_pflops", "Effective of peak dense FP4 PFLOPS; n/a: the type publishes no FP4 figure"),
    ("HBM TB/s", "hbm_tbps", "Effective of peak HBM bandwidth"),
)
NOT_PUBLISHED = "n/a"


def of_text(effective: float, peak: float) -> str:
    """``effective of peak`` (just the figure when nothing is stranded)."""
    if abs(effective - peak) < 1e-9:
        return f"{peak:,.1f}"
    return f"{effective:,.1f} of {peak:,.1f}"


def by_type_rows(throughput: dict) -> list[list[str]]:
    """The table's text, one row per type and a total row (``throughput`` of a report)."""
    rows = []
    for type_id, t in throughput.get("by_type", {}).items():
        row = [t.get("name", type_id),
               f"{t['systems']:,}" + (f" ({t['stranded_systems']:,})" if t["stranded_systems"] else ""),
               f"{t['chips']:,}"]
        for _, key, _ in COLUMNS[3:]:
            row.append(NOT_PUBLISHED if key not in t["peak"] else of_text(t["effective"][key], t["peak"][key]))
        rows.append(row)
    if len(rows) > 1:
        systems = sum(t["systems"] for t in throughput["by_type"].values())
        stranded = throughput.get("stranded_ultraservers", 0)
        chips = sum(t["chips"] for t in throughput["by_type"].values())
        total = ["All types", f"{systems:,}" + (f" ({stranded:,})" if stranded else ""), f"{chips:,}"]
        for _, key, _ in COLUMNS[3:]:
            total.append(of_text(throughput["effective"].get(key, 0.0), throughput["peak"].get(key, 0.0)))
        rows.append(total)
    return rows


class ByTypeTable(QTableWidget):
    """Per compute type: systems, chips, effective of peak PFLOPS and HBM bandwidth."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("by_type_table")
        self.setHorizontalHeaderLabels([c[0] for c in COLUMNS])
        for k, (_, _, tip) in enumerate(COLUMNS):
            self.horizontalHeaderItem(k).setToolTip(tip)
        self.verticalHeader().hide()
        # compact rows: the charts below keep their height
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.verticalHeader().setMinimumSectionSize(self.fontMetrics().height() + 4)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.hide()

    def show_throughput(self, throughput: dict | None) -> None:
        """Fill from a report's ``throughput`` (shown for two compute types or more)."""
        rows = by_type_rows(throughput or {})
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = self.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    self.setItem(r, c, item)
                if item.text() != text:
                    item.setText(text)
                item.setTextAlignment((Qt.AlignmentFlag.AlignLeft if c == 0 else Qt.AlignmentFlag.AlignRight)
                                      | Qt.AlignmentFlag.AlignVCenter)
                font = item.font()
                font.setBold(r == len(rows) - 1 and len(rows) > 1)
                item.setFont(font)
                item.setToolTip("No published figure for this precision: adds nothing to its total"
                                if text == NOT_PUBLISHED else "")
        height = self.horizontalHeader().height() + sum(self.rowHeight(r) for r in range(len(rows))) \
            + 2 * self.frameWidth()
        self.setFixedHeight(height)
        # one type: the tiles above already say it all; the table speaks for a mixed fleet
        self.setVisible(len(rows) > 1)

    def cell_text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text() if item is not None else ""
