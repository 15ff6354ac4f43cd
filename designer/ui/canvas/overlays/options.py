"""What a plan scene shows beyond the equipment: the colour mode, the overlays switched
on and the evaluation they draw (:class:`ViewOptions`, the scene's ``view_options``)."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor

from designer.ui.canvas.hall_item import HallItem
from designer.ui.canvas.overlays import OVERLAYS
from designer.ui.canvas.overlays.aisles import AisleOverlay
from designer.ui.canvas.overlays.base import HallOverlay
from designer.ui.canvas.overlays.cables import CableOverlay
from designer.ui.canvas.overlays.clearances import ClearanceOverlay
from designer.ui.canvas.overlays.feeds import AssignmentOverlay
from designer.ui.canvas.overlays.heat import HeatOverlay
from designer.ui.canvas.overlays.network import CampusNetworkItem, NetworkOverlay
from designer.ui.canvas.status import ChangedHalls
from designer.ui.canvas.styles import COLOUR_MODES, TypeStyle
from designer.ui.widgets import TEXT_INTERVAL_MS

#: The overlay item class of each kind.
OVERLAY_CLASSES: dict[str, type[HallOverlay]] = {
    "clearances": ClearanceOverlay,
    "cables": CableOverlay,
    "assignment": AssignmentOverlay,
    "heat": HeatOverlay,
    "aisles": AisleOverlay,
    "network": NetworkOverlay,
}
#: Overlays that also draw across halls: their one scene-level item (made when first shown).
CAMPUS_CLASSES = {"network": CampusNetworkItem}


class ViewOptions(QObject):
    """What a plan scene shows beyond the equipment: the colour mode, the overlays
    switched on, and the evaluation (of the scene's design) they draw."""

    #: the colour mode, the overlays shown or the evaluation changed
    changed = Signal()

    def __init__(self, scene) -> None:
        super().__init__(scene)
        self.scene = scene
        self.colour_mode = "type"
        self.shown: set[str] = set()
        self.evaluation = None
        self._evaluated_design = None
        self.changed_halls = ChangedHalls()
        #: overlay kind → its scene-level item (:data:`CAMPUS_CLASSES`), once shown
        self.campus_items: dict = {}
        # overlays to redo, all at once at most 10 times a second (HallOverlay._invalidate_soon):
        # after a quiet spell every request of the event-loop turn is served at once, then
        # those that follow wait for one timer that redoes them all
        self._to_refresh: set = set()
        self._last_refresh: float | None = None
        self._free_turn = False
        self._served: set = set()   # overlays redone in the free turn
        self._end_turn = QTimer(self)
        self._end_turn.setSingleShot(True)
        self._end_turn.setInterval(0)
        self._end_turn.timeout.connect(self._close_turn)
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self._refresh_overlays)

    # ------------------------------------------------------------------ overlays redone
    def refresh_soon(self, overlay: HallOverlay) -> None:
        """Redo ``overlay``: at once after a quiet spell (with every other overlay the same
        event-loop turn asks for), else with every other overlay waiting, at most 10 times
        a second (a drag changes a hall at every mouse move)."""
        interval = TEXT_INTERVAL_MS / 1000.0
        now = time.monotonic()
        if not self._free_turn and not self._later.isActive() and (
                self._last_refresh is None or now - self._last_refresh >= interval):
            self._free_turn = True
            self._served.clear()
            self._last_refresh = now
            self._end_turn.start()
        if self._free_turn and overlay not in self._served:   # (once: a second change waits)
            self._served.add(overlay)
            overlay.invalidate()
            return
        self._to_refresh.add(overlay)
        if not self._later.isActive():
            self._later.start(max(1, int((interval - (now - self._last_refresh)) * 1000) + 1))

    def refresh_pending(self, overlay: HallOverlay) -> bool:
        return overlay in self._to_refresh

    def _close_turn(self) -> None:
        self._free_turn = False
        self._served.clear()

    def _refresh_overlays(self) -> None:
        self._last_refresh = time.monotonic()
        waiting, self._to_refresh = self._to_refresh, set()
        for overlay in waiting:
            try:
                overlay.invalidate()
            except RuntimeError:   # (its item left the scene)
                pass

    # ------------------------------------------------------------------ state
    def evaluation_for(self, design):
        """The evaluation if it belongs to ``design`` (a new design's arrives later)."""
        return self.evaluation if design is self._evaluated_design else None

    def set_evaluation(self, evaluation) -> None:
        """Show a new evaluation of the scene's design (None: it failed)."""
        self.evaluation = evaluation
        self._evaluated_design = self.scene.design
        for item in self.scene.hall_items:
            item.set_evaluation(evaluation)
        for item in self.scene.hall_items:
            for overlay in item.overlays.values():
                overlay.site_evaluation_changed(evaluation)
        for kind, campus in self.campus_items.items():
            if kind in self.shown:
                campus.set_evaluation(evaluation)
        self.changed.emit()

    def set_colour_mode(self, mode: str) -> None:
        """Colour racks by ``type``, ``density`` or ``status``."""
        if mode not in COLOUR_MODES:
            raise ValueError(f"unknown colour mode {mode!r}")
        if mode == self.colour_mode:
            return
        self.colour_mode = mode
        for item in self.scene.hall_items:
            item.set_colour_mode(mode)
        self.changed.emit()

    def set_overlay(self, kind: str, shown: bool = True) -> None:
        """Switch an overlay (a key of :data:`OVERLAYS`) on or off for every hall."""
        if kind not in OVERLAYS:
            raise ValueError(f"unknown overlay {kind!r}; expected one of {', '.join(OVERLAYS)}")
        if shown == (kind in self.shown):
            return
        if shown:
            self.shown.add(kind)
            for item in self.scene.hall_items:
                self._overlay_of(item, kind).setVisible(True)
        else:
            self.shown.discard(kind)
            for item in self.scene.hall_items:
                overlay = item.overlays.get(kind)
                if overlay is not None:
                    overlay.setVisible(False)
        self._show_campus_item(kind, shown)
        self.changed.emit()

    def attach(self, item: HallItem) -> None:
        """Bring a hall item that just entered the scene in line with the options."""
        item.set_colour_mode(self.colour_mode)
        ev = self.evaluation_for(item.design)
        if ev is not None:
            item.set_evaluation(ev)
        for kind in self.shown:
            self._overlay_of(item, kind).setVisible(True)

    def _overlay_of(self, item: HallItem, kind: str) -> HallOverlay:
        overlay = item.overlays.get(kind)
        if overlay is None:
            overlay = item.overlays[kind] = OVERLAY_CLASSES[kind](item, self)
            if item.scene() is not None:
                item.scene().addItem(overlay)
        return overlay

    def _show_campus_item(self, kind: str, shown: bool) -> None:
        """Show (made on first use, fed the evaluation) or hide an overlay's scene-level item."""
        cls = CAMPUS_CLASSES.get(kind)
        if cls is None:
            return
        item = self.campus_items.get(kind)
        if item is None and shown:
            item = self.campus_items[kind] = cls(self)
            self.scene.addItem(item)
        if item is not None:
            if shown:
                item.set_evaluation(self.evaluation_for(self.scene.design))
            item.setVisible(shown)

    def overlay_items(self, kind: str) -> list[HallOverlay]:
        """The overlay items of one kind, one per hall (those created so far)."""
        return [i.overlays[kind] for i in self.scene.hall_items if kind in i.overlays]

    # ------------------------------------------------------------------ for the legend
    def styles(self) -> TypeStyle | None:
        items = self.scene.hall_items
        return items[0].styles if items else None

    def media_in_use(self) -> list[tuple[str, QColor]]:
        """(short name, colour) of the cable media the evaluation's links use."""
        ev = self.evaluation_for(self.scene.design)
        styles = self.styles()
        if ev is None or styles is None:
            return []
        by_medium = ev.totals.get("cables", {}).get("by_medium", {})
        return [styles.media[m] for m in styles.media if by_medium.get(m, {}).get("count", 0) > 0]
