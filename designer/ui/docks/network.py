"""The Metrics dock's Network section (issue 14): the scale-out fabric above the leaves
as the engine sizes it (``totals["network"]``): tiers, switches by tier, spine racks
placed against needed, transceivers, optics power, bisection bandwidth, links between
halls, the longest fabric link; and the leaf oversubscription, which the planner sets
here (one undoable command on ``design.extra["fabric"]``)."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QLabel, QSizePolicy, QWidget

from designer.engine.evaluation import STATUS_ERROR
from designer.model.clos import spine_racks_needed
from designer.model.commands import set_oversubscription
from designer.ui.docks.fields import METRIC, Units, kw_text
from designer.ui.docks.metric_tiles import FlowLayout, MetricTile
from designer.ui.docks.report_text import DASH, text_of
from designer.ui.docks.status import STATUS_COLORS
from designer.ui.widgets import set_style_sheet

#: The oversubscription a planner may set (the file format's range; 1 = non-blocking).
OVERSUBSCRIPTION_RANGE = (0.1, 16.0)
#: Undo merge id of oversubscription edits: stepping the spin box is one undo step.
OVERSUBSCRIPTION_MERGE_ID = 0x4F53


def spine_switches_per_rack(design, catalog) -> int:
    """Switches per spine rack: of the spine type placed most, else the catalog's largest
    (0 when the catalog has none)."""
    t = design.equipment
    specs = {n: catalog.types.get(n) for n in t.types.names}
    placed = [(int((t.type_code == code).sum()), spec) for code, spec in enumerate(specs.values())
              if spec is not None and spec.kind == "spine"]
    placed = [(n, s) for n, s in placed if n]
    if placed:
        return int(max(placed, key=lambda p: p[0])[1].switches)
    return max((int(s.switches) for s in catalog.types.values() if s.kind == "spine"), default=0)


def spine_racks_text(net: dict, per_rack: int) -> tuple[str, bool]:
    """``"1,227 (1,227 needed)"`` and whether too few are placed."""
    tiers = list(net["switches_by_tier"])
    placed = int(net["spine_racks"])
    if len(tiers) < 2:
        return f"{placed:,} (none needed)", False
    short = int(net["spine_switches"]) < sum(tiers[1:])
    if not per_rack:
        return f"{placed:,}", short
    return f"{placed:,} ({spine_racks_needed(tiers, per_rack):,} needed)", short


def _switches(n: dict, units: Units) -> str:
    tiers = [int(k) for k in n["switches_by_tier"]]
    by_tier = " + ".join(f"{k:,}" for k in tiers)
    return f"{int(n['switches']):,}" + (f" = {by_tier}" if len(tiers) > 1 else "")


def _between_halls(n: dict, units: Units) -> str:
    return f"{int(n['inter_hall_links']):,} of {int(n['fabric_links']):,}"


#: (field name, caption, formatter(network section, units) → text, tooltip). Names are stable for tests.
NETWORK_TILES: tuple[tuple[str, str, object, str], ...] = (
    ("tiers", "Tiers", lambda n, u: f"{int(n['tiers']):,}",
     "Tiers of the folded Clos (leaves included) that connect every server link"),
    ("switches", "Switches by tier", _switches,
     "Switches in all tiers = the leaves + each tier above (Al-Fares et al., SIGCOMM 2008)"),
    ("transceivers", "Transceivers", lambda n, u: f"{int(n['transceivers']):,}",
     "Pluggable optics of every scale-out and fabric link (none for copper and AOC)"),
    ("optics_kw", "Optics", lambda n, u: kw_text(float(n["optics_kw"])),
     "Power of the links' optics (36 W a link at the ~18 W per 800G port budget): already inside the IT "
     "load, in the switch racks' power (their ports' optics) and the servers' (their NICs'), not added again"),
    ("bisection_tbps", "Bisection", lambda n, u: f"{float(n['bisection_tbps']):,.1f} Tb/s",
     "Bandwidth through the middle of the fabric: half the servers' links, divided by the oversubscription"),
    ("inter_hall_links", "Fabric links between halls", _between_halls,
     "Fabric links (leaf → spine and between the upper tiers) that run from one hall to another, of all"),
    ("longest_fabric_link_m", "Longest", lambda n, u: u.length(float(n["longest_fabric_link_m"]), 0),
     "The longest routed fabric link (Manhattan + tray drops, × slack)"),
)


class NetworkSection(QWidget):
    """The fabric's figures as a wrapping strip of tiles after a "Network" heading, and
    the oversubscription spin box."""

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("metrics_network")
        self.document = document
        self.units = METRIC
        self.tiles: dict[str, MetricTile] = {}
        strip = FlowLayout(self)
        heading = QLabel("Network")
        bold = heading.font()
        bold.setBold(True)
        heading.setFont(bold)
        heading.setToolTip("The scale-out fabric above the leaves: a folded Clos of the leaves' switches")
        strip.addWidget(heading)
        self.oversubscription = QDoubleSpinBox()
        self.oversubscription.setObjectName("network_oversubscription")
        self.oversubscription.setRange(*OVERSUBSCRIPTION_RANGE)
        self.oversubscription.setDecimals(2)
        self.oversubscription.setSingleStep(0.5)
        self.oversubscription.setSuffix(" : 1")
        self.oversubscription.setKeyboardTracking(False)  # one command when typing ends, not per key
        self.oversubscription.setToolTip(
            "Leaf oversubscription o: a leaf gives o/(1+o) of its ports to servers and the rest to uplinks "
            "(1 = non-blocking; 3 : 1 gives three quarters to servers). Fewer tiers and spine switches, less "
            "bisection bandwidth.")
        self.oversubscription.valueChanged.connect(self._on_oversubscription_changed)
        spin_tile = MetricTile("oversubscription", "Oversubscription")
        spin_tile.layout().replaceWidget(spin_tile.value, self.oversubscription)
        spin_tile.value.hide()
        strip.addWidget(spin_tile)
        spine = MetricTile("spine_racks", "Spine racks")
        spine.setToolTip("Spine racks placed, and those the fabric needs (their switches hold the tiers above "
                         "the leaves); red when they hold too few working switches")
        self.tiles["spine_racks"] = spine
        strip.addWidget(spine)
        for name, caption, _, tip in NETWORK_TILES:
            tile = MetricTile(f"network_{name}", caption)
            tile.setToolTip(tip)
            self.tiles[name] = tile
            strip.addWidget(tile)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._show_oversubscription()

    # ------------------------------------------------------------------ API
    def show_report(self, report: dict, units: Units | None = None) -> None:
        """Fill the tiles from an engine report's ``network`` section (dashes without one)."""
        if units is not None:
            self.units = units
        net = report.get("network") if isinstance(report, dict) else None
        self._show_oversubscription()
        if not isinstance(net, dict):
            self.clear()
            return
        for name, _, fmt, _ in NETWORK_TILES:
            self.tiles[name].value.setText(text_of(lambda n, f=fmt: f(n, self.units), net))
        design = self.document.design
        try:
            text, short = spine_racks_text(net, spine_switches_per_rack(design, self.document.effective_catalog))
        except (KeyError, TypeError, ValueError):
            text, short = DASH, False
        value = self.tiles["spine_racks"].value
        value.setText(text)
        set_style_sheet(value, f"color: {STATUS_COLORS[STATUS_ERROR].name()};" if short else "")

    def clear(self) -> None:
        for tile in self.tiles.values():
            tile.value.setText(DASH)

    def text(self, name: str) -> str:
        """The text of a tile (``tiers``, ``switches``, ``spine_racks``, …)."""
        return self.tiles[name].value.text()

    # ------------------------------------------------------------------ oversubscription
    def design_oversubscription(self) -> float:
        fabric = self.document.design.extra.get("fabric")
        return float(fabric.get("oversubscription", 1.0)) if isinstance(fabric, dict) else 1.0

    def _show_oversubscription(self) -> None:
        spin = self.oversubscription
        if spin.hasFocus() and spin.lineEdit().isModified():
            return  # the planner is typing
        spin.blockSignals(True)
        spin.setValue(self.design_oversubscription())
        spin.blockSignals(False)

    def _on_oversubscription_changed(self, value: float) -> None:
        if abs(value - self.design_oversubscription()) < 1e-9:
            return
        try:
            command = set_oversubscription(self.document.design, value)
        except ValueError:
            self._show_oversubscription()
            return
        self.document.push(command, OVERSUBSCRIPTION_MERGE_ID)
