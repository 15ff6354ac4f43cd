"""The Metrics dock's header: key totals as a strip of tiles that wraps to the dock's width."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QFrame, QLabel, QLayout, QSizePolicy, QVBoxLayout, QWidget, QWidgetItem

from designer.ui.docks.fields import METRIC, Units
from designer.ui.docks.report_text import DASH, cable_count_and_metres, figure, text_of

#: Litres per US gallon; cubic feet per minute in one m³/h (1 ft = 0.3048 m exactly).
L_PER_US_GAL = 3.785411784
CFM_PER_M3H = 1.0 / (0.3048 ** 3 * 60.0)


def _coolant(r: dict, units: Units) -> str:
    lpm = figure(r, "cooling", "coolant_lpm")
    return f"{lpm / L_PER_US_GAL:,.0f} gal/min" if units.imperial else f"{lpm:,.0f} L/min"


def _airflow(r: dict, units: Units) -> str:
    m3h = figure(r, "cooling", "airflow_m3h")
    return f"{m3h * CFM_PER_M3H:,.0f} CFM" if units.imperial else f"{m3h:,.0f} m³/h"


#: Tiles whose text follows the units preference: field name → formatter(report, units).
UNIT_TILES = {
    "coolant_lpm": _coolant,
    "airflow_m3h": _airflow,
    "cable_m": lambda r, u: u.length(cable_count_and_metres(r)[1], 0),
}

#: (field name, caption, formatter(report) → text, in metric units). Field names are stable for tests.
TILES: tuple[tuple[str, str, object], ...] = (
    ("chips", "Chips", lambda r: f"{int(r['chips']):,}"),
    ("ultraservers", "UltraServers", lambda r: f"{int(r['ultraservers']):,}"),
    ("peak_pflops", "Peak MXFP8", lambda r: f"{figure(r, 'throughput', 'peak', 'mxfp8_pflops'):,.1f} PFLOPS"),
    ("effective_pflops", "Effective MXFP8",
     lambda r: f"{figure(r, 'throughput', 'effective', 'mxfp8_pflops'):,.1f} PFLOPS"),
    ("it_mw", "IT load", lambda r: f"{figure(r, 'power', 'it_kw') / 1000:,.2f} MW"),
    ("facility_mw", "Facility", lambda r: f"{figure(r, 'power', 'facility_kw') / 1000:,.2f} MW"),
    ("pue", "PUE", lambda r: f"{figure(r, 'power', 'pue'):.2f}"),
    ("coolant_lpm", "Coolant", lambda r: f"{figure(r, 'cooling', 'coolant_lpm'):,.0f} L/min"),
    ("airflow_m3h", "Airflow", lambda r: f"{figure(r, 'cooling', 'airflow_m3h'):,.0f} m³/h"),
    # every cable by medium, fabric links too (as the Totals dock and the Cable length tile count them)
    ("cables", "Scale-out cables", lambda r: f"{cable_count_and_metres(r)[0]:,}"),
    ("cable_m", "Cable length", lambda r: f"{cable_count_and_metres(r)[1]:,.0f} m"),
)


class MetricTile(QFrame):
    """A caption above a value, like a dashboard figure."""

    def __init__(self, name: str, caption: str) -> None:
        super().__init__()
        self.setObjectName(f"metric_{name}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 3, 8, 3)
        layout.setSpacing(0)
        self.caption = QLabel(caption)
        small = self.caption.font()
        small.setPointSizeF(max(small.pointSizeF() * 0.85, 7.0))
        self.caption.setFont(small)
        self.caption.setStyleSheet("color: #5f6368;")
        self.value = QLabel(DASH)
        bold = self.value.font()
        bold.setBold(True)
        self.value.setFont(bold)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)


class FlowLayout(QLayout):
    """Lays widgets out left to right and wraps to a new line when the width runs out
    (the Qt "Flow Layout" example), so the tiles fit a narrow dock."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QWidgetItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:  # noqa: N802 (Qt API)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: N802 (Qt API)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: N802 (Qt API)
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt API)
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt API)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt API)
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt API)
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt API)
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = area.x(), area.y(), 0
        gap = self.spacing()
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line > 0:
                x, y, line = area.x(), y + line + gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            line = max(line, hint.height())
        return y + line - rect.y() + m.bottom()



class MetricTiles(QWidget):
    """The tiles of :data:`TILES` in a wrapping strip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles: dict[str, MetricTile] = {}
        strip = FlowLayout(self)
        for name, caption, _ in TILES:
            tile = MetricTile(name, caption)
            self.tiles[name] = tile
            strip.addWidget(tile)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def show_report(self, report: dict, units: Units | None = None) -> None:
        """Fill every tile from an engine report (a dash where a figure is missing), lengths,
        flows and airflow in ``units`` (metric when None)."""
        units = units if units is not None else METRIC
        for name, _, fmt in TILES:
            by_units = UNIT_TILES.get(name)
            if by_units is not None:
                fmt = (lambda r, f=by_units: f(r, units))
            self.tiles[name].value.setText(text_of(fmt, report))

    def clear(self) -> None:
        """A dash in every tile (no evaluation)."""
        for tile in self.tiles.values():
            tile.value.setText(DASH)

    def text(self, name: str) -> str:
        """The text of a tile (``chips``, ``effective_pflops``, ``it_mw``, …)."""
        return self.tiles[name].value.text()
