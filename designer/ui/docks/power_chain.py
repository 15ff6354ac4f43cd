"""The Power Chain dock: utility → transformers → switchboards → UPS modules → the busways
they feed, with each node's load against its capacity, what it draws and what it loses
(PRODUCT.md §8, issue 13), and the site's generators against the design-day load.

Edits go through :mod:`designer.model.commands` (one undo step each): add a node, remove
one (the nodes it fed move up to its parent, its busways lose their source), feed a node
or a busway from another node (the "Fed from" box, or a drag in the tree; a cycle is
refused with a message), feed the busways selected on the plan from a node, and declare
the generators. Picking a node selects on the plan the busways it feeds.
"""

from __future__ import annotations

from itertools import repeat

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QDockWidget, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QMainWindow, QPushButton, QSpinBox, QTreeWidget, QTreeWidgetItem, QWidget,
)

from designer.engine.evaluation import STATUS_ERROR, STATUS_WARNING
from designer.engine.power_chain import busway_load_by_id, busways_under, descendants
from designer.io.dcplan import NODE_KINDS
from designer.model.commands import (
    ChainError, Command, add_chain_node, chain_nodes, feed_busways, fresh_node_id, remove_chain_node,
    set_chain_parent, set_generators,
)
from designer.ui.docks.fields import NoWheelComboBox
from designer.ui.docks.status import STATUS_COLORS
from designer.ui.document import Document
from designer.ui.widgets import TEXT_INTERVAL_MS, RefreshedWhenShown, Throttle, column_layout, set_style_sheet

#: Role holding what a row stands for: (``"utility" | "node" | "busway" | "unfed" | "generators"``, id or None).
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
#: Shown where a figure is not known (no evaluation yet).
DASH = "—"
MUTED = QColor("#5f6368")
RED = STATUS_COLORS[STATUS_ERROR]
#: A new node's kind below a node of each kind (what "Add Node" proposes under it).
KIND_BELOW = {None: "transformer", "transformer": "switchboard", "switchboard": "ups", "ups": "ups"}
#: How the utility is named in the tree and in the "Fed from" boxes.
UTILITY = "Utility"


def kw(value: float) -> str:
    """A power in kW for a narrow column: ``12,345`` (one decimal under 100 kW)."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def _key(kind: str, item_id: str | None = None) -> tuple[str, str | None]:
    return kind, item_id


class ChainTree(QTreeWidget):
    """The chain as a tree; a node or busway dragged onto a node (or the utility) asks to be
    fed from it (:attr:`dropped`: what was dragged, where it was dropped — row keys)."""

    dropped = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)  # the tree never moves its rows itself

    def _target(self, event) -> QTreeWidgetItem | None:
        item = self.itemAt(event.position().toPoint())
        dragged = self.currentItem()
        if item is None or dragged is None or event.source() is not self:
            return None
        if item.data(0, KEY_ROLE)[0] not in ("utility", "node") or dragged.data(0, KEY_ROLE)[0] not in ("node",
                                                                                                        "busway"):
            return None
        return item

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self._target(event) is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt API)
        target = self._target(event)
        if target is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.dropped.emit(self.currentItem().data(0, KEY_ROLE), target.data(0, KEY_ROLE))


class AddNodeDialog(QDialog):
    """Add a node: its type (transformer, switchboard or UPS), what feeds it and its id
    (proposed from the type, ``ups3``, until the user types one)."""

    def __init__(self, document: Document, parent_id: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add power-chain node")
        self.document = document
        self.command: Command | None = None
        design, types = document.design, document.catalog.types
        nodes = chain_nodes(design)
        kinds = {n["id"]: types[n["type"]].kind for n in nodes if n["type"] in types}
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("add_node_type")
        for kind in NODE_KINDS:
            for spec in document.catalog.types_of_kind(kind):
                self.type_combo.addItem(spec.name, spec.id)
        self.parent_combo = QComboBox()
        self.parent_combo.setObjectName("add_node_parent")
        self.parent_combo.addItem(UTILITY, "")
        for n in nodes:
            self.parent_combo.addItem(n["id"], n["id"])
        self.parent_combo.setCurrentIndex(max(self.parent_combo.findData(parent_id or ""), 0))
        self.id_edit = QLineEdit()
        self.id_edit.setObjectName("add_node_id")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        set_style_sheet(self.error_label, f"color: {RED.name()};")
        self.error_label.hide()
        below = KIND_BELOW[kinds.get(parent_id)]
        for k in range(self.type_combo.count()):
            if types[self.type_combo.itemData(k)].kind == below:
                self.type_combo.setCurrentIndex(k)
                break
        self._propose_id()
        self.type_combo.currentIndexChanged.connect(self._propose_id)
        form = QFormLayout(self)
        form.addRow("Type", self.type_combo)
        form.addRow("Fed from", self.parent_combo)
        form.addRow("Id", self.id_edit)
        form.addRow(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _propose_id(self) -> None:
        if not self.id_edit.isModified():  # the user's own id stays
            kind = self.document.catalog.types[self.type_combo.currentData()].kind
            self.id_edit.setText(fresh_node_id(self.document.design, kind))

    def accept(self) -> None:
        """Close only on an id that is free; else say why and stay open."""
        try:
            self.command = add_chain_node(self.document.design, self.type_combo.currentData(),
                                          self.parent_combo.currentData() or None, self.id_edit.text())
        except ChainError as exc:
            self.error_label.setText(str(exc)[0].upper() + str(exc)[1:] + ".")
            self.error_label.show()
            return
        super().accept()


class PowerChainPanel(RefreshedWhenShown, QWidget):
    """The power chain as a tree with its figures, and the edits of the chain."""

    #: (two-line headers: the figures' columns stay as narrow as their numbers)
    COLUMNS = ("Node", "Type", "Load /\ncapacity kW", "Use", "Input\nkW", "Loss\nkW")
    NODE, TYPE, LOAD, USE, INPUT, LOSS = range(6)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("power_chain")
        self.document = document
        self.tree = ChainTree()
        self.tree.setObjectName("power_chain_tree")
        self.tree.setColumnCount(len(self.COLUMNS))
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setIndentation(12)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header_tips = ("Utility, transformers, switchboards, UPS modules and the busways they feed; drag a node or "
                       "a busway onto another node to feed it from there",
                       "Catalog type (busways: and their feed)", "What the node carries (its busways' load and what "
                       "the nodes below it draw) against its capacity", "Load as a share of capacity",
                       "What the node draws from its parent: load ÷ efficiency", "Input − load: lost as heat")
        for c, tip in enumerate(header_tips):
            self.tree.headerItem().setToolTip(c, tip)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # ids and figures never clipped
        for c in range(1, len(self.COLUMNS)):
            self.tree.headerItem().setTextAlignment(c, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.tree.headerItem().setTextAlignment(self.TYPE, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        self.add_button = QPushButton("Add Node…")
        self.add_button.setObjectName("power_chain_add")
        self.add_button.setToolTip("Add a transformer, switchboard or UPS to the chain")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("power_chain_remove")
        self.remove_button.setToolTip("Remove the node: the nodes it fed are fed from its parent, "
                                      "its busways lose their source")
        self.parent_combo = NoWheelComboBox()
        self.parent_combo.setObjectName("power_chain_parent")
        self.parent_combo.setToolTip("What feeds the node or busway picked in the tree")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.add_button)
        top.addWidget(self.remove_button)
        top.addSpacing(8)
        top.addWidget(QLabel("Fed from"))
        top.addWidget(self.parent_combo, 1)

        self.feed_button = QPushButton("Feed Selected Busways From")
        self.feed_button.setObjectName("power_chain_feed")
        self.feed_combo = NoWheelComboBox()
        self.feed_combo.setObjectName("power_chain_feed_node")
        self.feed_combo.setToolTip("The node the busways selected on the plan are to be fed from")
        feed = QHBoxLayout()
        feed.setContentsMargins(0, 0, 0, 0)
        feed.addWidget(self.feed_button)
        feed.addWidget(self.feed_combo, 1)

        self.generator_count = QSpinBox()
        self.generator_count.setObjectName("power_chain_generator_count")
        self.generator_count.setRange(0, 10_000)
        self.generator_count.setSpecialValueText("none")
        self.generator_count.setKeyboardTracking(False)  # one undo step per value, not per digit
        self.generator_count.setToolTip("Standby generator sets on the site (with the declared power redundancy: "
                                        "N+1 keeps one spare, 2N half of them)")
        self.generator_type = NoWheelComboBox()
        self.generator_type.setObjectName("power_chain_generator_type")
        gens = QHBoxLayout()
        gens.setContentsMargins(0, 0, 0, 0)
        gens.addWidget(QLabel("Generators"))
        gens.addWidget(self.generator_count)
        gens.addWidget(QLabel("×"))
        gens.addWidget(self.generator_type, 1)

        self.message_label = QLabel()
        self.message_label.setObjectName("power_chain_message")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        column_layout(self, top, (self.tree, 1), feed, gens, self.message_label)

        self._items: dict[tuple[str, str | None], QTreeWidgetItem] = {}
        self._structure: tuple | None = None
        self._busway_rows: tuple | None = None   # (what the rows were found for, busway ids)
        # the busways under each row that holds some (a node, or "not fed"), from the last rebuild
        self._children: dict[tuple, list[str]] = {}
        self._stale = False
        self._widened = False
        self._throttle = Throttle(TEXT_INTERVAL_MS, self._refresh_if_shown, self)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.parent_combo.activated.connect(self._on_parent_chosen)
        self.feed_button.clicked.connect(lambda: self.feed_selected(self.feed_combo.currentData()))
        self.feed_combo.currentIndexChanged.connect(lambda _i: self._update_feed_button())
        self.generator_count.valueChanged.connect(self._on_generators_edited)
        self.generator_type.activated.connect(self._on_generators_edited)
        self.tree.currentItemChanged.connect(self._on_current_item_changed)
        self.tree.itemExpanded.connect(lambda _item: self.refresh())  # its busways' figures
        self.tree.dropped.connect(self._on_dropped)
        document.evaluation_changed.connect(self._on_evaluation_changed)
        document.design_replaced.connect(self._on_design_replaced)
        document.selection_changed.connect(lambda _ids: self._update_feed_button())
        self.refresh()

    # ------------------------------------------------------------------ API
    def node_ids(self) -> list[str]:
        """The chain's node ids in the order the tree shows them (parents before children)."""
        return [key[1] for key in self._keys_in_order() if key[0] == "node"]

    def busways_shown_under(self, node_id: str) -> list[str]:
        """The busways the tree lists directly under a node (those it feeds itself)."""
        item = self._items.get(_key("node", node_id))
        if item is None:
            return []
        return [item.child(k).data(0, KEY_ROLE)[1] for k in range(item.childCount())
                if item.child(k).data(0, KEY_ROLE)[0] == "busway"]

    def text(self, kind: str, item_id: str | None, column: int) -> str:
        """The text a row shows in a column (``text("node", "ups1", PowerChainPanel.LOAD)``)."""
        item = self._items.get(_key(kind, item_id))
        return item.text(column) if item is not None else ""

    def is_over_capacity(self, node_id: str) -> bool:
        """Whether the tree shows a node in red (its load over its capacity)."""
        item = self._items.get(_key("node", node_id))
        return item is not None and item.foreground(self.NODE).color() == RED

    def pick(self, kind: str, item_id: str | None = None) -> None:
        """Make a row the current one (as a click would: busways selected on the plan)."""
        item = self._items.get(_key(kind, item_id))
        if item is not None:
            self.tree.setCurrentItem(item)

    def message(self) -> str:
        """The last message shown under the tree (why an edit was refused), or ""."""
        return "" if self.message_label.isHidden() else self.message_label.text()

    def add_node(self, node_type: str, parent: str | None, node_id: str | None = None) -> str | None:
        """Add a node (its id proposed when None); returns its id, or None when refused."""
        kind = self.document.catalog.types[node_type].kind
        node_id = node_id if node_id is not None else fresh_node_id(self.document.design, kind)
        return node_id if self._push(lambda: add_chain_node(self.document.design, node_type, parent, node_id)) \
            else None

    def remove_node(self, node_id: str) -> bool:
        """Remove a node: its children move up to its parent, its busways lose their source."""
        return self._push(lambda: remove_chain_node(self.document.design, node_id))

    def set_parent(self, node_id: str, parent: str | None) -> bool:
        """Feed a node from another (None: the utility); a cycle is refused with a message."""
        return self._push(lambda: set_chain_parent(self.document.design, node_id, parent))

    def feed_busways(self, busway_ids, node_id: str | None) -> bool:
        """Feed busways from a node (None: no source)."""
        return self._push(lambda: feed_busways(self.document.design, busway_ids, node_id))

    def feed_selected(self, node_id: str | None) -> bool:
        """Feed the busways selected on the plan from a node."""
        ids = self.selected_busways()
        if not ids or not node_id:
            self._show_message("Select busways on the plan first, then the node to feed them from.", error=False)
            return False
        return self.feed_busways(ids, node_id)

    def selected_busways(self) -> list[str]:
        """The busways among the items selected on the plan."""
        t, types = self.document.design.equipment, self.document.catalog.types
        out = []
        for i in self.document.selection:
            row = t.index.get(i)
            if row is not None:
                spec = types.get(t.types[int(t.type_code[row])])
                if spec is not None and spec.kind == "busway":
                    out.append(i)
        return out

    def updates_pending(self) -> bool:
        """Whether the tree has yet to show the latest evaluation."""
        return self._throttle.pending()

    # ------------------------------------------------------------------ edits
    def _push(self, build) -> bool:
        """Build a command (a :class:`ChainError` is shown, nothing changes) and push it."""
        try:
            command = build()
        except ChainError as exc:
            self._show_message(str(exc)[0].upper() + str(exc)[1:] + ".")
            return False
        if getattr(command, "commands", None) == []:  # nothing to change (already fed from there)
            return True
        self.message_label.hide()
        self.message_label.clear()
        self.document.push(command)
        return True

    def _show_message(self, text: str, error: bool = True) -> None:
        self.message_label.setText(text)
        set_style_sheet(self.message_label, f"color: {(RED if error else MUTED).name()};")
        self.message_label.show()

    def _on_add_clicked(self) -> None:
        key = self._current_key()
        dialog = AddNodeDialog(self.document, key[1] if key[0] == "node" else None, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.command is not None:
            self._push(lambda: dialog.command)
            node_id = dialog.command.nodes[-1]["id"]
            self.refresh()  # (the evaluation follows; the new row can be picked now)
            self.pick("node", node_id)

    def _on_remove_clicked(self) -> None:
        kind, node_id = self._current_key()
        if kind == "node":
            self.remove_node(node_id)

    def _on_parent_chosen(self, _index: int) -> None:
        kind, item_id = self._current_key()
        choice = self.parent_combo.currentData()
        if kind == "node":
            if not self.set_parent(item_id, choice or None):
                self._fill_parent_combo()  # back to what feeds it
        elif kind == "busway":
            self.feed_busways([item_id], choice or None)

    def _on_dropped(self, dragged, target) -> None:
        parent = target[1] if target[0] == "node" else None
        if dragged[0] == "node":
            self.set_parent(dragged[1], parent)
        elif parent is not None:
            self.feed_busways([dragged[1]], parent)
        else:
            self._show_message("A busway is fed from a UPS or another node, not from the utility directly.")

    def _on_generators_edited(self, *_args) -> None:
        count, gen_type = self.generator_count.value(), self.generator_type.currentData()
        current = self.document.design.site.extra.get("generators") or {}
        unchanged = count == int(current.get("count", 0)) and (not count or gen_type == current.get("type"))
        if gen_type is None or unchanged:
            return
        self.document.push(set_generators(self.document.design, gen_type, count))

    # ------------------------------------------------------------------ refresh
    def _on_design_replaced(self) -> None:
        self.tree.clear()
        self._items.clear()
        self._structure = None
        self._busway_rows = None
        self._children = {}
        self.message_label.hide()
        self.message_label.clear()
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not self._widened:
            self._widened = True
            QTimer.singleShot(0, self._widen_dock)

    def wanted_width(self) -> int:
        """Wide enough for every column of the tree (and a busway row one level deeper)."""
        tree = self.tree
        return (tree.header().length() + tree.indentation() + tree.verticalScrollBar().sizeHint().width()
                + 2 * tree.frameWidth() + 12)

    def _widen_dock(self) -> None:
        """The first time the panel is shown: widen its dock column so no figure is clipped
        (the user may narrow it again; the tree then scrolls)."""
        dock = self.parentWidget()
        window = dock.parentWidget() if dock is not None else None
        if isinstance(dock, QDockWidget) and isinstance(window, QMainWindow) and not dock.isFloating():
            wanted = self.wanted_width()
            if dock.width() < wanted:
                window.resizeDocks([dock], [wanted], Qt.Orientation.Horizontal)

    def refresh(self) -> None:
        """Show the document's chain and the figures of its latest evaluation."""
        self._stale = False
        doc = self.document
        design, types = doc.design, doc.catalog.types
        nodes = chain_nodes(design)
        t = design.equipment
        rows_key = (id(t.type_code), id(t.ids), len(t), len(t.types.names))
        if self._busway_rows is None or self._busway_rows[0] != rows_key:   # (a move keeps the rows)
            codes = [c for name, c in t.types.codes.items() if name in types and types[name].kind == "busway"]
            busways = [t.ids[r] for r in np.flatnonzero(np.isin(t.type_code, codes))] if codes else []
            self._busway_rows = (rows_key, busways)
        busways = self._busway_rows[1]
        extra, empty = t.extra, {}
        sources = dict(zip(busways, [extra.get(i, empty).get("source") for i in busways]))
        structure = (tuple((n["id"], n["type"], n["parent"]) for n in nodes), tuple(sources.items()))
        if structure != self._structure:
            self._rebuild(nodes, busways, sources)
            self._structure = structure
        self._fill(nodes, busways, sources)
        self._fill_generators_editor()
        self._on_current_item_changed(self.tree.currentItem(), None, select=False)
        self._fill_feed_combo(nodes)

    def _rebuild(self, nodes: list[dict], busways: list[str], sources: dict[str, str | None]) -> None:
        """New rows for a changed chain, keeping what was expanded and the current row."""
        known = set(self._items)
        expanded = {key for key, item in self._items.items() if item.isExpanded()}
        current = self._current_key()
        blocker = self.tree.blockSignals(True)
        self.tree.clear()
        self._items = {}
        ids = {n["id"] for n in nodes}

        def row(key, parent) -> QTreeWidgetItem:
            item = QTreeWidgetItem(parent)
            item.setData(0, KEY_ROLE, key)
            for c in (self.LOAD, self.USE, self.INPUT, self.LOSS):
                item.setTextAlignment(c, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if key[0] in ("node", "busway"):
                flags |= Qt.ItemFlag.ItemIsDragEnabled
            if key[0] in ("node", "utility"):
                flags |= Qt.ItemFlag.ItemIsDropEnabled
            item.setFlags(flags)
            self._items[key] = item
            return item

        utility = row(_key("utility"), self.tree)
        for n in nodes:  # parents first: a node's row exists before its children's
            self._add_node_row(n, nodes, row, utility)
        self._children = {}
        for bw in busways:
            if sources[bw] in ids:
                parent = _key("node", sources[bw])
                row(_key("busway", bw), self._items[parent])
                self._children.setdefault(parent, []).append(bw)
        unfed = [bw for bw in busways if sources[bw] not in ids]
        if unfed:
            group = row(_key("unfed"), self.tree)
            for bw in unfed:
                row(_key("busway", bw), group)
            self._children[_key("unfed")] = unfed
        row(_key("generators"), self.tree)
        for key, item in self._items.items():
            has_nodes = any(item.child(k).data(0, KEY_ROLE)[0] == "node" for k in range(item.childCount()))
            # rows shown before stay as they were; new ones: the chain's nodes open, the
            # busways beneath each UPS folded
            item.setExpanded(key in expanded if key in known else has_nodes)
        if current in self._items:
            self.tree.setCurrentItem(self._items[current])
        self.tree.blockSignals(blocker)

    def _add_node_row(self, node: dict, nodes: list[dict], row, utility: QTreeWidgetItem) -> QTreeWidgetItem:
        key = _key("node", node["id"])
        if key in self._items:
            return self._items[key]
        parent = next((n for n in nodes if n["id"] == node["parent"]), None)
        parent_item = utility if parent is None else self._add_node_row(parent, nodes, row, utility)
        return row(key, parent_item)

    def _fill(self, nodes: list[dict], busways: list[str], sources: dict[str, str | None]) -> None:
        doc = self.document
        types = doc.catalog.types
        ev = doc.evaluation
        figures = {n.id: n for n in (ev.chain or [])} if ev is not None else {}
        # (folded rows are filled when opened: thousands of busways on a campus)
        shown = [bw for parent, children in self._children.items() if self._items[parent].isExpanded()
                 for bw in children]
        loads = busway_load_by_id(ev) if ev is not None and (shown or _key("unfed") in self._children) else {}
        feeds = dict(zip(ev.busway_ids, ev.busway_feeds)) if ev is not None and shown else {}
        t = doc.design.equipment
        for n in nodes:
            item = self._items[_key("node", n["id"])]
            spec = types.get(n["type"])
            f = figures.get(n["id"])
            name = spec.name if spec is not None else n["type"]
            if f is None:
                cells = (n["id"], spec.short if spec else n["type"], DASH, "", DASH, DASH)
                tip = f"{n['id']}: {name}"
                over = False
            else:
                use = f.load_kw / f.capacity_kw * 100 if f.capacity_kw else 0.0
                over = f.load_kw > f.capacity_kw + 1e-9
                cells = (n["id"], spec.short, f"{kw(f.load_kw)} / {kw(f.capacity_kw)}", f"{use:.0f} %",
                         kw(f.input_kw), kw(f.loss_kw))
                tip = (f"{n['id']}: {name}\nCarries {f.load_kw:,.1f} kW of {f.capacity_kw:,.0f} kW ({use:.0f} %)"
                       f"{' — over its capacity' if over else ''}\nDraws {f.input_kw:,.1f} kW from "
                       f"{n['parent'] or 'the utility'}, losing {f.loss_kw:,.1f} kW")
            self._set_row(item, cells, tip, RED if over else None, bold_use=over)
        for bw in shown:
            item = self._items[_key("busway", bw)]
            row = t.index[bw]
            spec = types.get(t.types[int(t.type_code[row])])
            feed = feeds.get(bw, t.extra.get(bw, {}).get("feed", "A"))
            load = loads.get(bw)
            cells = (bw, f"{spec.short if spec else ''} · {feed}", DASH if load is None else kw(load), "", "", "")
            source = sources[bw]
            tip = (f"{bw}: busway on feed {feed}, fed from {source}" if item.parent().data(0, KEY_ROLE)[0] == "node"
                   else f"{bw}: busway on feed {feed}, fed from no node of the chain" +
                   (f" (its source {source} is not in the chain)" if source else ""))
            if load is not None:
                tip += f"\nThe racks beneath it ask for {load:,.1f} kW"
            self._set_row(item, cells, tip, MUTED if load is not None and load == 0 else None)
        self._fill_utility(nodes, figures, ev)
        self._fill_unfed(busways, sources, loads, {n["id"] for n in nodes})
        self._fill_generators_row(ev)

    def _fill_utility(self, nodes: list[dict], figures: dict, ev) -> None:
        roots = [figures[n["id"]] for n in nodes if n["parent"] is None and n["id"] in figures]
        site = self.document.design.site
        drawn = sum(f.input_kw for f in roots)
        loss = sum(f.loss_kw for f in figures.values())
        known = ev is not None and (roots or not nodes)
        cells = (UTILITY, "", "", "", kw(drawn) if known else DASH, kw(loss) if known else DASH)
        tip = f"The utility feeds the chain's {len(roots)} top node{'s' if len(roots) != 1 else ''}"
        if known:
            tip += f": {drawn:,.1f} kW at their inputs, {loss:,.1f} kW of it lost in the chain"
            facility = ev.totals.get("power", {}).get("facility_kw")
            if facility is not None:
                tip += (f"\nThe facility draws {facility:,.0f} kW in all (cooling included) of the "
                        f"{site.utility_capacity_kw:,.0f} kW utility capacity")
        self._set_row(self._items[_key("utility")], cells, tip, None)

    def _fill_unfed(self, busways: list[str], sources: dict, loads: dict, ids: set[str]) -> None:
        item = self._items.get(_key("unfed"))
        if item is None:
            return
        unfed = self._children.get(_key("unfed"), [])
        total = sum(map(loads.get, unfed, repeat(0.0)))
        n = len(unfed)
        cells = (f"Not fed ({n:,})", "", kw(total) if loads else DASH, "", "", "")
        tip = (f"{n:,} busway{'s' if n != 1 else ''} fed from no node of the chain: select them on the plan and "
               "feed them from a UPS below, or drag one onto a node")
        self._set_row(item, cells, tip, STATUS_COLORS[STATUS_WARNING] if unfed and ids else MUTED)

    def _fill_generators_row(self, ev) -> None:
        item = self._items[_key("generators")]
        gen = ev.generators if ev is not None else None
        declared = self.document.design.site.extra.get("generators")
        types = self.document.catalog.types
        if gen is None:
            if declared:
                spec = types.get(declared["type"])
                cells = (f"Generators ({declared['count']:,})", spec.short if spec else declared["type"], DASH,
                         "", "", "")
            else:
                cells = ("Generators", "none", "", "", "", "")
            self._set_row(item, cells, "Standby generators: none declared for the site" if not declared
                          else "Standby generators (not evaluated yet)", MUTED if not declared else None)
            return
        spec = types.get(gen["type"])
        usable, load = gen["usable_kw"], gen["load_kw"]
        over = load > usable + 1e-9
        use = load / usable * 100 if usable else 0.0
        cells = (f"Generators ({gen['count']:,})", spec.short if spec else gen["type"],
                 f"{kw(load)} / {kw(usable)}", f"{use:.0f} %" if usable else "", "", "")
        tip = (f"{gen['count']} × {spec.name if spec else gen['type']}, {gen['spare']} kept spare: {usable:,.0f} kW "
               f"usable against the design-day facility load of {load:,.0f} kW"
               f"{' — not enough' if over else ''}")
        self._set_row(item, cells, tip, RED if over else None, bold_use=over)

    def _set_row(self, item: QTreeWidgetItem, cells, tip: str, colour: QColor | None, bold_use: bool = False) -> None:
        for c, text in enumerate(cells):
            if item.text(c) != text:
                item.setText(c, text)
            if item.toolTip(c) != tip:
                item.setToolTip(c, tip)
            brush = item.foreground(c)
            if colour is not None and brush.color() != colour:
                item.setForeground(c, QBrush(colour))
            elif colour is None and brush.style() != Qt.BrushStyle.NoBrush:
                item.setData(c, Qt.ItemDataRole.ForegroundRole, None)
        if item.font(self.USE).bold() != bold_use:
            font = QFont(item.font(self.USE))
            font.setBold(bold_use)
            item.setFont(self.USE, font)

    # ------------------------------------------------------------------ the boxes
    def _current_key(self) -> tuple[str, str | None]:
        item = self.tree.currentItem()
        return item.data(0, KEY_ROLE) if item is not None else ("", None)

    def _keys_in_order(self) -> list[tuple[str, str | None]]:
        out = []

        def walk(item: QTreeWidgetItem) -> None:
            out.append(item.data(0, KEY_ROLE))
            for k in range(item.childCount()):
                walk(item.child(k))

        for k in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(k))
        return out

    def _on_current_item_changed(self, current: QTreeWidgetItem | None, _previous, select: bool = True) -> None:
        kind, item_id = current.data(0, KEY_ROLE) if current is not None else ("", None)
        self.remove_button.setEnabled(kind == "node")
        self._fill_parent_combo()
        if kind == "node" and self.feed_combo.findData(item_id) >= 0:
            self.feed_combo.setCurrentIndex(self.feed_combo.findData(item_id))
        if not select:
            return
        design = self.document.design
        if kind == "node":
            self.document.select(busways_under(design).get(item_id, []))
        elif kind == "busway":
            self.document.select([item_id])
        elif kind in ("utility", "unfed"):
            item = self._items[(kind, None)]
            self.document.select([key[1] for key in self._subtree_keys(item) if key[0] == "busway"])

    def _subtree_keys(self, item: QTreeWidgetItem) -> list:
        out = []
        for k in range(item.childCount()):
            child = item.child(k)
            out.append(child.data(0, KEY_ROLE))
            out += self._subtree_keys(child)
        return out

    def _fill_parent_combo(self) -> None:
        """"Fed from" for the current row: the utility or a node for a node (not itself nor
        a node it feeds), a node (or none) for a busway."""
        kind, item_id = self._current_key()
        combo = self.parent_combo
        blocker = combo.blockSignals(True)
        combo.clear()
        nodes = chain_nodes(self.document.design)
        if kind == "node":
            below = descendants(nodes).get(item_id, {item_id})
            combo.addItem(UTILITY, "")
            for n in nodes:
                combo.addItem(n["id"], n["id"])
                if n["id"] in below:  # choosing one would make a cycle
                    index = combo.count() - 1
                    combo.model().item(index).setEnabled(False)
                    combo.setItemData(index, f"{n['id']} is fed through {item_id}: a node cannot feed itself",
                                      Qt.ItemDataRole.ToolTipRole)
            parent = next((n["parent"] for n in nodes if n["id"] == item_id), None)
            combo.setCurrentIndex(max(combo.findData(parent or ""), 0))
        elif kind == "busway":
            combo.addItem("(no source)", "")
            for n in nodes:
                combo.addItem(n["id"], n["id"])
            source = self.document.design.equipment.extra.get(item_id, {}).get("source")
            combo.setCurrentIndex(max(combo.findData(source or ""), 0))
        combo.setEnabled(kind in ("node", "busway"))
        combo.blockSignals(blocker)

    def _fill_feed_combo(self, nodes: list[dict]) -> None:
        combo = self.feed_combo
        wanted = [n["id"] for n in nodes]
        if [combo.itemData(k) for k in range(combo.count())] != wanted:
            current = combo.currentData()
            blocker = combo.blockSignals(True)
            combo.clear()
            types = self.document.catalog.types
            for n in nodes:
                spec = types.get(n["type"])
                combo.addItem(n["id"] if spec is None else f"{n['id']} ({spec.short})", n["id"])
            # a UPS by default: busways hang below the UPS modules
            index = combo.findData(current)
            if index < 0:
                index = next((k for k, n in enumerate(nodes) if types.get(n["type"]) is not None
                              and types[n["type"]].kind == "ups"), 0)
            combo.setCurrentIndex(index)
            combo.blockSignals(blocker)
        self._update_feed_button()

    def _update_feed_button(self) -> None:
        n = len(self.selected_busways())
        node = self.feed_combo.currentData()
        self.feed_button.setEnabled(bool(n and node))
        self.feed_button.setText(f"Feed {n:,} Selected Busway{'s' if n != 1 else ''} From" if n
                                 else "Feed Selected Busways From")
        self.feed_button.setToolTip(f"Feed the {n:,} busway{'s' if n != 1 else ''} selected on the plan from "
                                    f"{node}" if n and node else "Select busways on the plan to feed them from "
                                    "the node on the right")

    def _fill_generators_editor(self) -> None:
        types = self.document.catalog.types
        combo = self.generator_type
        if combo.count() == 0:
            for spec in self.document.catalog.types_of_kind("generator"):
                combo.addItem(spec.name, spec.id)
        declared = self.document.design.site.extra.get("generators") or {}
        for widget in (self.generator_count, combo):
            widget.blockSignals(True)
        self.generator_count.setValue(int(declared.get("count", 0)))
        if declared.get("type") in types:
            combo.setCurrentIndex(max(combo.findData(declared["type"]), 0))
        for widget in (self.generator_count, combo):
            widget.blockSignals(False)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(self.wanted_width(), 480)

