"""The equipment palette: catalog types to drag onto the floor plan.

Entries are grouped as a planner thinks of them: Compute (one entry per UltraServer,
placed as all its racks), Network, Cooling and Power; the planner's own types (user
catalog folder, the design's own "catalog" section) under "Your equipment". Dragging an entry starts a
``QDrag`` carrying the type id in our MIME type (orange-canvas-core's widget toolbox
does the same with its own); double-clicking it (or Enter) places one in the middle
of the view. Labels follow the design's assumption overrides (racks per UltraServer).

A busway is offered once per power feed ("… (feed A)", "… (feed B)"): the feed-B entry
also carries the extra fields the new item gets (``{"feed": "B"}``), as JSON in a second
MIME format.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem, QWidget,
)

from designer.catalog import Catalog
from designer.catalog.specs import EquipmentType
from designer.ui.widgets import column_layout

#: MIME type of a palette drag: the catalog type id, UTF-8.
EQUIPMENT_MIME = "application/x-designer-equipment"
#: … and the extra fields the placed items get (a JSON object), when the entry has any.
EQUIPMENT_EXTRA_MIME = "application/x-designer-equipment-extra"
#: The power feeds a busway entry is offered for, and the extra fields each gives the busway
#: (A is the default: no field).
BUSWAY_FEEDS = (("A", {}), ("B", {"feed": "B"}))
#: Palette groups: (title, catalog kinds), in the order shown.
GROUPS = (("Compute", ("compute",)), ("Network", ("network", "spine")),
          ("Cooling", ("cdu", "air-handler")), ("Power", ("busway",)))
#: The heading of a planner's own types (user catalog folder, the design's own section),
#: listed after the bundled groups whatever their kind.
OWN_GROUP = "Your equipment"
OWN_KINDS = tuple(k for _, kinds in GROUPS for k in kinds)
TYPE_ROLE = Qt.ItemDataRole.UserRole
EXTRA_ROLE = Qt.ItemDataRole.UserRole + 1
SWATCH_PX = 18


def equipment_mime(type_id: str, extra: dict | None = None) -> QMimeData:
    """The drag payload for a catalog type (and the extra fields the placed items get)."""
    mime = QMimeData()
    mime.setData(EQUIPMENT_MIME, type_id.encode("utf-8"))
    if extra:
        mime.setData(EQUIPMENT_EXTRA_MIME, json.dumps(extra, sort_keys=True).encode("utf-8"))
    return mime


def equipment_extra_of(mime: QMimeData | None) -> dict:
    """The extra fields a palette drag gives the placed items (``{}`` when none)."""
    if mime is None or not mime.hasFormat(EQUIPMENT_EXTRA_MIME):
        return {}
    try:
        extra = json.loads(bytes(mime.data(EQUIPMENT_EXTRA_MIME)).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}
    return extra if isinstance(extra, dict) else {}


def equipment_type_of(mime: QMimeData | None) -> str | None:
    """The catalog type id a drag carries, or None when it is not a palette drag."""
    if mime is None or not mime.hasFormat(EQUIPMENT_MIME):
        return None
    return bytes(mime.data(EQUIPMENT_MIME)).decode("utf-8", "replace").strip() or None


def entry_label(spec: EquipmentType) -> str:
    """What the palette calls a type: an UltraServer with its racks and chips for compute."""
    if spec.is_compute:
        n = spec.racks_per_system
        chips = int(spec.get("chips"))
        name = spec.system_name or spec.name
        return f"{name} ({n} rack{'s' if n != 1 else ''}, {chips:,} chips)"
    return spec.name


def entry_tooltip(spec: EquipmentType) -> str:
    """Figures a planner compares before dragging: footprint, power, compute."""
    lines = [f"<b>{entry_label(spec)}</b>"]
    if spec.on_floor:
        lines.append(f"Footprint {spec.width_m:g} × {spec.depth_m:g} m")
    if spec.is_compute:
        n = spec.racks_per_system
        lines.append(f"{spec.system_power_kw:,.0f} kW IT per UltraServer ({spec.it_power_kw:,.0f} kW per rack)")
        lines.append(f"{spec.get('mxfp8_tflops') / 1000:,.1f} PFLOPS MXFP8 peak")
        lines.append(f"Placed as {n} rack{'s' if n != 1 else ''} side by side, front facing south")
    elif spec.kind == "busway":
        lines.append(f"{spec.busway_rating_kw:,.0f} kW rating ({spec.get('amps'):g} A)")
        lines.append("Placed as a 6 m run along x; drag its ends to resize")
        lines.append("A rack under busways of both feeds (A and B) draws half from each; "
                     "if one feed fails the other carries all of it")
    elif spec.kind in ("network", "spine"):
        lines.extend(switch_lines(spec))
    else:
        if spec.get("capacity_kw"):
            lines.append(f"{spec.get('capacity_kw'):,.0f} kW cooling capacity")
        if spec.get("ports"):
            lines.append(f"{spec.get('ports'):g} ports")
        if spec.it_power_kw:
            lines.append(f"{spec.it_power_kw:,.1f} kW")
    lines.append("<i>Drag onto the floor, or double-click to place in the middle of the view.</i>")
    return "<br>".join(lines)


def switch_lines(spec: EquipmentType) -> list[str]:
    """A leaf or spine rack's switches, ports and power, for its tooltip."""
    lines = []
    radix = spec.get("switch_radix") if "switch_radix" in spec.figures else 0
    n = spec.switches
    if n:
        each = f" of {radix:g} ports" if radix else ""
        lines.append(f"{n:,} switch{'es' if n != 1 else ''}{each}"
                     + (f", {spec.get('switch_kw'):g} kW each" if "switch_kw" in spec.figures else ""))
    if spec.kind == "network" and spec.get("ports"):
        lines.append(f"{spec.get('ports'):g} ports: leaf switches, shared between servers and uplinks "
                     "by the oversubscription")
    elif spec.kind == "spine":
        lines.append("Holds the fabric's switches above the leaves; leaf uplinks are cabled to the "
                     "nearest spine rack with free ports")
    if spec.it_power_kw:
        lines.append(f"{spec.it_power_kw:,.1f} kW")
    return lines


def _origin_note(spec: EquipmentType) -> str:
    """Where a planner's own type was read from (empty for a bundled type)."""
    if spec.origin == "user":
        return f"<br><i>Your type, from {spec.defined_in}</i>"
    if spec.origin == "design":
        return "<br><i>Your type, defined in this design (saved with it)</i>"
    return ""


def swatch(spec: EquipmentType, device_pixel_ratio: float = 1.0) -> QIcon:
    """A small picture of the type in its plan colour: a rack with its front strip,
    a row of racks for an UltraServer, a bar for a busway."""
    size = round(SWATCH_PX * device_pixel_ratio)
    pixmap = QPixmap(size, size)
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    color = QColor(spec.color)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    s = SWATCH_PX
    if spec.kind == "busway":
        p.setPen(QPen(color, 5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
        p.drawLine(2, s // 2, s - 2, s // 2)
        p.setPen(QPen(color.darker(190), 1.5))
        p.drawLine(2, s // 2, s - 2, s // 2)
    else:
        n = spec.racks_per_system if spec.is_compute else 1
        n = max(1, min(n, 4))
        w = (s - 4) / n
        for k in range(n):
            p.setPen(QPen(color.darker(170), 1))
            p.setBrush(color)
            p.drawRect(2 + k * w, 2, w, s - 4)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(255, 255, 255, 170))
        p.drawRect(3, s - 6, s - 6, 2.5)  # the front (south at 0°)
    p.end()
    return QIcon(pixmap)


class _PaletteTree(QTreeWidget):
    """The tree of entries; drags carry :data:`EQUIPMENT_MIME`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(6)
        self.setIconSize(QSize(SWATCH_PX, SWATCH_PX))
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformRowHeights(True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        # wide enough for the longest entry, so no label is cut off at first sight
        metrics = self.fontMetrics()
        widest = 0
        for g in range(self.topLevelItemCount()):
            group = self.topLevelItem(g)
            for k in range(group.childCount()):
                widest = max(widest, metrics.horizontalAdvance(group.child(k).text(0)))
        chrome = 2 * self.indentation() + SWATCH_PX + 6 + 2 * self.frameWidth() + 24  # + a scroll bar
        hint = super().sizeHint()
        return QSize(max(hint.width(), widest + chrome), hint.height())

    def mimeTypes(self) -> list[str]:  # noqa: N802 (Qt API)
        return [EQUIPMENT_MIME]

    def mimeData(self, items) -> QMimeData | None:  # noqa: N802 (Qt API)
        items = [i for i in items if i.data(0, TYPE_ROLE)]
        return equipment_mime(items[0].data(0, TYPE_ROLE), items[0].data(0, EXTRA_ROLE)) if items else None

    def startDrag(self, supported_actions) -> None:  # noqa: N802 (Qt API)
        item = self.currentItem()
        type_id = item.data(0, TYPE_ROLE) if item is not None else None
        if not type_id:
            return
        drag = QDrag(self)
        drag.setMimeData(equipment_mime(type_id, item.data(0, EXTRA_ROLE)))
        drag.setPixmap(item.icon(0).pixmap(QSize(SWATCH_PX * 2, SWATCH_PX * 2), self.devicePixelRatioF()))
        drag.exec(Qt.DropAction.CopyAction, Qt.DropAction.CopyAction)


class PaletteWidget(QWidget):
    """The catalog as a palette: filter box over a grouped list of draggable entries."""

    #: A type was double-clicked or Enter was pressed on it: place one (type id, extra fields).
    type_activated = Signal(str, object)
    #: The current entry changed (the row tool lays this compute type, the busway tool this busway).
    type_chosen = Signal(str)

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("palette")
        self.catalog = catalog
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter equipment…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.tree = _PaletteTree()
        self.tree.itemActivated.connect(self._on_item_activated)
        self.tree.currentItemChanged.connect(self._on_current_item_changed)
        column_layout(self, self.filter_edit, self.tree)
        self.set_catalog(catalog)

    # ------------------------------------------------------------------ content
    def set_catalog(self, catalog: Catalog) -> None:
        """List this catalog's types (call again after an assumption override)."""
        self.catalog = catalog
        current, current_extra = self.current_type(), self.current_extra()
        self.tree.clear()
        dpr = self.devicePixelRatioF()
        own = [t for t in catalog.types.values() if t.is_own and t.kind in OWN_KINDS]
        for title, kinds in (*GROUPS, (OWN_GROUP, OWN_KINDS)):
            if title == OWN_GROUP:
                specs = own
            else:
                specs = [t for t in catalog.types.values() if t.kind in kinds and not t.is_own]
            if not specs:
                continue
            group = QTreeWidgetItem(self.tree, [title])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            for spec in specs:
                variants = [(f" (feed {feed})", extra) for feed, extra in BUSWAY_FEEDS] \
                    if spec.kind == "busway" else [("", {})]
                for suffix, extra in variants:
                    entry = QTreeWidgetItem(group, [entry_label(spec) + suffix])
                    entry.setData(0, TYPE_ROLE, spec.id)
                    entry.setData(0, EXTRA_ROLE, dict(extra))
                    entry.setIcon(0, swatch(spec, dpr))
                    entry.setToolTip(0, entry_tooltip(spec) + _origin_note(spec))
                    entry.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                                   | Qt.ItemFlag.ItemIsDragEnabled)
            group.setExpanded(True)
        #: what the user catalog folder holds that was refused (one message each)
        self.refused = list(catalog.problems)
        self._show_refused(catalog.problems)
        self._on_filter_changed(self.filter_edit.text())
        if current is not None:
            self.select_type(current, current_extra)
        self.tree.updateGeometry()

    def _show_refused(self, problems: tuple[str, ...]) -> None:
        """Types of the user catalog folder that break the catalog's rules: one line under
        "Your equipment" saying so, each message (file and field) in its tooltip."""
        if not problems:
            return
        groups = [self.tree.topLevelItem(g) for g in range(self.tree.topLevelItemCount())]
        group = next((g for g in groups if g.text(0) == OWN_GROUP), None)
        if group is None:
            group = QTreeWidgetItem(self.tree, [OWN_GROUP])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setExpanded(True)
        n = len(problems)
        note = QTreeWidgetItem(group, [f"⚠ {n} type{'s' if n != 1 else ''} refused (hover for why)"])
        note.setFlags(Qt.ItemFlag.ItemIsEnabled)
        note.setForeground(0, QColor("#c0392b"))
        note.setToolTip(0, "<br>".join(problems))

    def entries(self) -> dict[str, list[tuple[str, str]]]:
        """``{group: [(type id, label), …]}`` as listed."""
        out: dict[str, list[tuple[str, str]]] = {}
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            out[group.text(0)] = [(group.child(k).data(0, TYPE_ROLE), group.child(k).text(0))
                                  for k in range(group.childCount())]
        return out

    def item_for(self, type_id: str, extra: dict | None = None) -> QTreeWidgetItem | None:
        """The entry of a type (a busway's: the one of feed A, unless ``extra`` says B)."""
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            for k in range(group.childCount()):
                child = group.child(k)
                if child.data(0, TYPE_ROLE) == type_id and (child.data(0, EXTRA_ROLE) or {}) == (extra or {}):
                    return child
        return None

    def current_type(self) -> str | None:
        item = self.tree.currentItem() if hasattr(self, "tree") else None
        return item.data(0, TYPE_ROLE) if item is not None else None

    def current_extra(self) -> dict:
        """The extra fields the current entry gives what it places (a busway's feed)."""
        item = self.tree.currentItem() if hasattr(self, "tree") else None
        return dict(item.data(0, EXTRA_ROLE) or {}) if item is not None else {}

    def select_type(self, type_id: str, extra: dict | None = None) -> None:
        """Make a type (the entry with these extra fields) the current entry."""
        item = self.item_for(type_id, extra) or self.item_for(type_id)
        if item is not None:
            self.tree.setCurrentItem(item)

    # ------------------------------------------------------------------ handlers
    def _on_filter_changed(self, text: str) -> None:
        words = text.lower().split()
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            shown = 0
            for k in range(group.childCount()):
                child = group.child(k)
                haystack = f"{group.text(0)} {child.text(0)} {child.data(0, TYPE_ROLE)}".lower()
                hide = not all(w in haystack for w in words)
                child.setHidden(hide)
                shown += not hide
            group.setHidden(shown == 0)

    def _on_item_activated(self, item: QTreeWidgetItem, column: int) -> None:
        type_id = item.data(0, TYPE_ROLE)
        if type_id:
            self.type_activated.emit(type_id, dict(item.data(0, EXTRA_ROLE) or {}))

    def _on_current_item_changed(self, current: QTreeWidgetItem | None, previous) -> None:
        type_id = current.data(0, TYPE_ROLE) if current is not None else None
        if type_id:
            self.type_chosen.emit(type_id)
