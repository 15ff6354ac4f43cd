"""The Inspector's "Evaluation" box: what the engine says about the selected items
(status, IT power, the busways of each feed, what cools them, a unit's load and a
busway's failover load, ports, problems)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox

from designer.engine import Evaluation
from designer.engine.evaluation import STATUS_ERROR, STATUS_OK, STATUS_WARNING
from designer.engine.fabric import oversubscription
from designer.model.clos import leaf_server_ports
from designer.ui.docks.context import InspectorContext
from designer.ui.docks.fields import form_layout, html_text, info_label, kw_pair_text, kw_text
from designer.ui.docks.status import STATUS_COLORS, STATUS_WORDS, problems_text, severity_color
from designer.ui.widgets import set_style_sheet

#: Problems listed for a selection before "… and N more".
MAX_PROBLEMS_SHOWN = 6
#: The colour of a unit loaded beyond its limit.
OVER_LIMIT_COLOR = STATUS_COLORS[STATUS_ERROR].name()
#: A busway whose failover load would exceed its limit, where no power redundancy is declared.
FAILOVER_WARNING_COLOR = STATUS_COLORS[STATUS_WARNING].name()


def feed_of(design, item_id: str) -> str:
    """A busway's feed, ``"A"`` (the default) or ``"B"``."""
    return "B" if design.equipment.extra.get(item_id, {}).get("feed") == "B" else "A"


def feeds_text(design, busway_a: int, busway_b: int) -> str:
    """``"A: bw1, B: bw2"`` for a rack under both feeds, ``"A: bw1 (no second feed)"`` for one."""
    ids = design.equipment.ids
    if busway_a < 0 and busway_b < 0:
        return "no busway"
    if busway_a >= 0 and busway_b >= 0:
        return f"{feed_of(design, ids[busway_a])}: {ids[busway_a]}, {feed_of(design, ids[busway_b])}: {ids[busway_b]}"
    only = ids[busway_a if busway_a >= 0 else busway_b]
    return f"{feed_of(design, only)}: {only} (no second feed)"


#: Spine racks a leaf's uplinks go to, named before "… and N more".
MAX_SPINES_SHOWN = 4


def fabric_text(design, catalog, fab, row: int, kind: str) -> str:
    """What the fabric says about one leaf (``kind`` "network") or spine rack: a leaf's
    uplinks with the spine racks they go to (and their halls when elsewhere), a spine
    rack's switches and how many of their down ports leaf uplinks take."""
    t = design.equipment
    links = fab.links
    leaf = links.tier == 1
    if kind == "spine":
        spec = catalog.types.get(t.types[int(t.type_code[row])])
        switches = int(spec.switches) if spec is not None else 0
        # a tier-2 switch gives all its ports to the leaves in a 2-tier fabric, else half
        down = switches * (fab.radix if len(fab.tiers) == 2 else fab.radix // 2)
        mine = leaf & (links.b == row)
        used = float(links.count[mine].sum())
        leaves = len(np.unique(links.a[mine]))
        text = f"{switches:,} switch{'es' if switches != 1 else ''}"
        if len(fab.tiers) < 2:
            return text + "; the fabric needs no tier above the leaves"
        text += f"; {used:,.0f} of {down:,} down ports in use"
        return text + (f" (uplinks of {leaves:,} leaf rack{'s' if leaves != 1 else ''})" if leaves else "")
    mine = np.flatnonzero(leaf & (links.a == row))
    if len(fab.tiers) < 2:
        return "No uplinks: one leaf switch serves every server link"
    if not len(mine):
        return "No uplinks cabled (no spine rack with free ports)"
    to = links.b[mine]
    counts = np.bincount(np.searchsorted(np.unique(to), to), links.count[mine])
    spines = np.unique(to)
    order = np.argsort(-counts, kind="stable")
    here = t.hall_code[row]
    names = []
    for k in order[:MAX_SPINES_SHOWN]:
        s = int(spines[k])
        where = "" if t.hall_code[s] == here else f" in {t.halls[int(t.hall_code[s])]}"
        names.append(f"{t.ids[s]}{where} ({counts[k]:,.0f})")
    more = len(spines) - MAX_SPINES_SHOWN
    longest = float(links.length_m[mine].max())
    return (f"{float(links.count[mine].sum()):,.0f} uplinks to {', '.join(names)}"
            + (f" … and {more:,} more" if more > 0 else "") + f"; longest {longest:,.1f} m")


class EvaluationBox(QGroupBox):
    """The engine's findings for the selection; rows that do not apply are hidden."""

    def __init__(self, context: InspectorContext) -> None:
        super().__init__("Evaluation")
        self.context = context
        self.form = form = form_layout(self)
        self.status_label = self._label("inspector_status")
        self.it_label = self._label("inspector_it_kw")
        self.power_label = self._label("inspector_power")
        self.liquid_label = self._label("inspector_liquid")
        self.air_label = self._label("inspector_air")
        self.load_label = self._label("inspector_load")
        self.failover_label = self._label("inspector_failover")
        self.ports_label = self._label("inspector_ports")
        self.fabric_label = self._label("inspector_fabric")
        self.fabric_label.setToolTip("The fabric above the leaves: a leaf rack's uplinks and the spine racks "
                                     "they go to; a spine rack's switches and the leaf uplinks it terminates")
        self.system_state_label = self._label("")
        self.problems_label = self._label("inspector_problems")
        self.problems_label.setTextFormat(Qt.TextFormat.RichText)
        for label, widget in (("Status", self.status_label), ("IT power", self.it_label),
                              ("Power", self.power_label), ("Liquid cooling", self.liquid_label),
                              ("Air cooling", self.air_label), ("Load", self.load_label),
                              ("Failover", self.failover_label),
                              ("Ports", self.ports_label), ("Fabric", self.fabric_label),
                              ("Compute", self.system_state_label),
                              ("Problems", self.problems_label)):
            form.addRow(label, widget)

    @staticmethod
    def _label(name: str):
        label = info_label()
        if name:
            label.setObjectName(name)
        return label

    def refresh(self, ids: list[str], rows: np.ndarray, kind: str | None) -> None:
        """Show what the engine says about the selected ``ids`` (equipment ``rows``), all of
        one ``kind`` or of several (None)."""
        ev = self.context.evaluation()
        t = self.context.design.equipment
        if ev is None or len(ev.items.status) != len(t):
            self._show_not_evaluated()
            return
        single = len(rows) == 1
        self._show_status(ev, ids, rows, single)
        self._show_power_and_cooling(ev, rows, single, kind)
        self._show_load(ev, rows, single, kind)
        self._show_ports(ev, rows, single, kind)
        self._show_fabric(ev, rows, single, kind)
        self._show_system(ev, rows, kind)
        self._show_problems(ids)

    def _show_not_evaluated(self) -> None:
        for label in (self.status_label, self.it_label, self.power_label, self.liquid_label, self.air_label,
                      self.load_label, self.failover_label, self.ports_label, self.fabric_label,
                      self.system_state_label,
                      self.problems_label):
            self.form.setRowVisible(label, label is self.status_label)
        self.status_label.setText("Not evaluated" if self.context.document.evaluation is None else "Evaluating…")
        set_style_sheet(self.status_label, "color: #5f6368;")

    def _show_status(self, ev: Evaluation, ids: list[str], rows: np.ndarray, single: bool) -> None:
        status = ev.items.status[rows]
        worst = min(int(status.max(initial=STATUS_OK)), STATUS_ERROR)
        text = STATUS_WORDS[worst]
        if not single:
            bad = int((status >= STATUS_ERROR).sum())
            text = f"{bad:,} of {len(rows):,} with errors" if bad else text
        failed = self.context.document.failed_ids
        n_failed = sum(1 for i in ids if i in failed)
        colour = STATUS_COLORS[worst].name()
        if n_failed:  # a what-if: say so before anything else
            text = ("Failed (what-if)" if single else f"{n_failed:,} of {len(rows):,} failed (what-if)") \
                + ("" if single else f"; {text}")
            colour = FAILOVER_WARNING_COLOR
        self.form.setRowVisible(self.status_label, True)
        self.status_label.setText(text)
        set_style_sheet(self.status_label, f"color: {colour}; font-weight: bold;")

    def _show_power_and_cooling(self, ev: Evaluation, rows: np.ndarray, single: bool, kind: str | None) -> None:
        form, ids = self.form, self.context.design.equipment.ids
        it = ev.items.it_kw[rows]
        form.setRowVisible(self.it_label, kind in ("compute", "network", "spine") or bool((it > 0).any()))
        self.it_label.setText(kw_text(float(it.sum())) + ("" if single else " in total"))

        consumers = rows[it > 0]
        form.setRowVisible(self.power_label, len(consumers) > 0)
        form.setRowVisible(self.liquid_label, len(consumers) > 0 and bool((ev.items.liquid_kw[consumers] > 0).any()))
        form.setRowVisible(self.air_label, len(consumers) > 0 and bool((ev.items.air_kw[consumers] > 0).any()))
        if not len(consumers):
            return
        items = ev.items
        if single:
            r = int(consumers[0])
            fed = feeds_text(self.context.design, int(items.served_by_busway[r]), int(items.served_by_busway_b[r]))
            self.power_label.setText(fed if ev.items.powered[r] else f"Not powered ({fed})")
            cdu, air = int(ev.items.served_by_cdu[r]), int(ev.items.served_by_air[r])
            self.liquid_label.setText(
                f"{kw_text(float(ev.items.liquid_kw[r]))} to CDU {ids[cdu]}" if cdu >= 0
                else f"{kw_text(float(ev.items.liquid_kw[r]))} not served")
            self.air_label.setText(
                f"{kw_text(float(ev.items.air_kw[r]))} to air handler {ids[air]}" if air >= 0
                else f"{kw_text(float(ev.items.air_kw[r]))} not served")
            return
        n = len(consumers)
        unpowered = int((~ev.items.powered[consumers]).sum())
        served = np.concatenate([items.served_by_busway[consumers], items.served_by_busway_b[consumers]])
        buses = [ids[b] for b in np.unique(served) if b >= 0]
        self.power_label.setText(
            (f"{n - unpowered:,} of {n:,} powered" if unpowered else f"All {n:,} powered")
            + (f" by {', '.join(buses[:4])}{' …' if len(buses) > 4 else ''}" if buses else ""))
        for label, served, heat, what in ((self.liquid_label, ev.items.served_by_cdu, ev.items.liquid_kw, "CDU"),
                                          (self.air_label, ev.items.served_by_air, ev.items.air_kw, "air handler")):
            units = [ids[u] for u in np.unique(served[consumers]) if u >= 0]
            to = (f" to {what}{'s' if len(units) > 1 else ''} {', '.join(units[:3])}"
                  f"{' …' if len(units) > 3 else ''}") if units else ""
            # what this kind of cooling leaves unserved (a CDU's line never blames the air handler)
            needing = heat[consumers] > 0
            unserved = int((needing & (served[consumers] < 0)).sum())
            article = "an" if what[0] in "aeiou" else "a"
            missing = f"; {unserved:,} of {int(needing.sum()):,} without {article} {what}" if unserved else ""
            label.setText(f"{kw_text(float(heat[consumers].sum()))}{to}{missing}")

    def _show_load(self, ev: Evaluation, rows: np.ndarray, single: bool, kind: str | None) -> None:
        """A busway's or a cooling unit's load against its limit: red when it is asked for
        more than that (a busway's load is what the racks beneath it ask for)."""
        show = single and kind in ("busway", "cdu", "air-handler")
        self.form.setRowVisible(self.load_label, show)
        self.form.setRowVisible(self.failover_label, show and kind == "busway")
        if not show:
            return
        r = int(rows[0])
        load, limit = float(ev.items.load_kw[r]), float(ev.items.limit_kw[r])
        pct = f" ({load / limit * 100:.0f} %)" if limit > 0 else ""
        what = "limit" if kind == "busway" else "capacity"
        load_text, limit_text = kw_pair_text(load, limit)
        self.load_label.setText(f"{load_text} of its {limit_text} {what}{pct}")
        self.load_label.setToolTip("A busway carries at most 80 % of its rating continuously"
                                   if kind == "busway" else "Heat served against the unit's capacity")
        set_style_sheet(self.load_label, f"color: {OVER_LIMIT_COLOR};" if limit and load > limit + 1e-9 else "")
        if kind == "busway":
            if self.context.design.equipment.ids[r] in self.context.document.failed_ids:
                self.failover_label.setText("Failed in the what-if: it carries nothing")
                set_style_sheet(self.failover_label, "")
            else:
                self._show_failover(float(ev.items.failover_kw[r]), load, limit)

    def _show_failover(self, failover: float, load: float, limit: float) -> None:
        """A busway's load if the other feed failed (its dual-fed racks draw all from it):
        over its limit in red when the site declares power redundancy, else in amber."""
        label = self.failover_label
        if abs(failover - load) < 1e-6:
            label.setText("Same as its load (no rack under it has a second feed)")
            set_style_sheet(label, "")
            return
        pct = f" ({failover / limit * 100:.0f} %)" if limit > 0 else ""
        over = limit > 0 and failover > limit + 1e-9
        failover_text, limit_text = kw_pair_text(failover, limit)
        label.setText(f"{failover_text} of its {limit_text} limit{pct} if the other feed fails"
                      + (" — over the limit" if over else ""))
        declared = self.context.design.site.extra.get("redundancy") or {}
        colour = (OVER_LIMIT_COLOR if declared.get("power", "N") != "N" else FAILOVER_WARNING_COLOR) if over else ""
        set_style_sheet(label, f"color: {colour};" if colour else "")
        label.setToolTip("What this busway would carry if the busway of the other feed failed: the racks fed "
                         "from both sides then draw all their power from it")

    def _show_ports(self, ev: Evaluation, rows: np.ndarray, single: bool, kind: str | None) -> None:
        show = single and kind == "network"
        self.form.setRowVisible(self.ports_label, show)
        if show:
            t = self.context.design.equipment
            r = int(rows[0])
            spec = self.context.catalog().types.get(t.types[int(t.type_code[r])])
            total = int(spec.get("ports")) if spec is not None else 0
            # a leaf shares its ports between servers and uplinks by the oversubscription (issue 14)
            radix = spec.get("switch_radix") if spec is not None else 0
            servers = leaf_server_ports(total, radix, oversubscription(self.context.design))
            self.ports_label.setText(f"{int(ev.items.ports_used[r]):,} of {servers:,} server ports used"
                                     + (f"; {total - servers:,} for uplinks" if total > servers else ""))

    def _show_fabric(self, ev: Evaluation, rows: np.ndarray, single: bool, kind: str | None) -> None:
        """A leaf rack's uplinks and where they go; a spine rack's switches and the leaf
        uplinks it terminates (from the fabric's links, ``evaluation.fabric``)."""
        fab = getattr(ev, "fabric", None)
        show = single and kind in ("network", "spine") and fab is not None
        self.form.setRowVisible(self.fabric_label, show)
        if show:
            self.fabric_label.setText(fabric_text(self.context.design, self.context.catalog(), fab, int(rows[0]),
                                                  kind))

    def _show_system(self, ev: Evaluation, rows: np.ndarray, kind: str | None) -> None:
        show = kind == "compute"
        self.form.setRowVisible(self.system_state_label, show)
        if not show:
            return
        codes = np.unique(self.context.design.equipment.system_code[rows])
        codes = codes[codes >= 0]
        eff = ev.items.system_effective
        good = int(sum(1 for c in codes if c < len(eff) and eff[c]))
        if len(codes) == 1:
            self.system_state_label.setText("UltraServer delivers its compute" if good
                                            else "UltraServer is stranded (not counted as effective)")
        else:
            self.system_state_label.setText(f"{good:,} of {len(codes):,} UltraServers effective")

    def _show_problems(self, ids: list[str]) -> None:
        self.form.setRowVisible(self.problems_label, True)
        problems = self.context.violations_of(ids)
        if not problems:
            self.problems_label.setText("None")
            return
        errors = sum(1 for v in problems if v.severity == "error")
        lines = [f"<span style='color:{severity_color(v.severity).name()}'>●</span> <b>{v.kind}</b>: "
                 f"{html_text(v.message)}" for v in problems[:MAX_PROBLEMS_SHOWN]]
        more = len(problems) - MAX_PROBLEMS_SHOWN
        if more > 0:
            lines.append(f"… and {more:,} more (see Problems)")
        self.problems_label.setText(problems_text(errors, len(problems) - errors) + "<br>" + "<br>".join(lines))
