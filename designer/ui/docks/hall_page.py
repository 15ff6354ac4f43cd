"""The Inspector's page when nothing is selected: the design's name, a hall's
properties and the site's (utility feed, PUE, energy price, carbon, currency).

Every edit is one undoable command; values the model cannot take are refused in the
inspector's message bar and the design is left as it was.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QGroupBox, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from designer.engine import Evaluation
from designer.engine.resilience import LEVELS, declared_redundancy
from designer.model.commands import Rename, SetHall, SetSite, move_hall
from designer.ui.docks.context import InspectorContext
from designer.ui.docks.fields import NoWheelComboBox, Units, form_layout, info_label, kw_pair_text, set_combo, set_text


class DesignBox(QGroupBox):
    """The design's name."""

    def __init__(self, context: InspectorContext) -> None:
        super().__init__("Design")
        self.context = context
        form = form_layout(self)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("inspector_design_name")
        self.name_edit.editingFinished.connect(self._on_name_edited)
        form.addRow("Name", self.name_edit)

    def refresh(self) -> None:
        """Show the design's name (unless it is being typed)."""
        set_text(self.name_edit, self.context.design.name)

    def _on_name_edited(self) -> None:
        name = self.context.edited_name(self.name_edit, self.context.design.name, "design")
        if name is not None:
            self.context.push(Rename(name))


class HallBox(QGroupBox):
    """One hall (the first, or the one picked): name, floor rating, IT capacity, tray drop."""

    def __init__(self, context: InspectorContext) -> None:
        super().__init__("Hall")
        self.context = context
        units = context.units
        self.form = form = form_layout(self)
        self.hall_pick = NoWheelComboBox()
        self.hall_pick.setObjectName("inspector_hall_pick")
        self.hall_pick.activated.connect(lambda _i: self.refresh())
        form.addRow("Hall", self.hall_pick)
        self.hall_name_edit = QLineEdit()
        self.hall_name_edit.setObjectName("inspector_hall_name")
        self.hall_name_edit.editingFinished.connect(self._on_name_edited)
        form.addRow("Name", self.hall_name_edit)
        self.floor_spin = context.measure_spin("inspector_floor_rating", "Floor rating", 1.0, 100_000.0, 0, 100.0,
                                       units.floor_suffix, lambda v: self._set_hall(floor_rating_kg_m2=v))
        self.floor_spin.setToolTip("Load the floor carries: a rack's weight over its footprint must stay below it.")
        form.addRow("Floor rating", self.floor_spin)
        self.capacity_spin = context.measure_spin("inspector_it_capacity", "Critical IT capacity", 0.0,
                                          10_000_000.0, 0, 500.0, " kW", lambda v: self._set_hall(it_capacity_kw=v))
        form.addRow("IT capacity", self.capacity_spin)
        tray = QWidget()
        row = QHBoxLayout(tray)
        row.setContentsMargins(0, 0, 0, 0)
        self.tray_default_check = QCheckBox("Design default")
        self.tray_default_check.setObjectName("inspector_tray_default")
        self.tray_default_check.setToolTip("Use the design-wide cable.tray_drop_m assumption")
        self.tray_default_check.toggled.connect(self._on_tray_default_toggled)
        self.tray_spin = context.measure_spin("inspector_tray_drop", "Tray drop", 0.0, 20.0, 2, 0.1,
                                      units.length_suffix, lambda v: self._set_hall(tray_drop_m=v))
        row.addWidget(self.tray_spin, 1)
        row.addWidget(self.tray_default_check)
        form.addRow("Tray drop", tray)
        # where the hall's (0, 0) sits on the campus plan (site metres); Automatic: side by side
        origin = QWidget()
        row = QHBoxLayout(origin)
        row.setContentsMargins(0, 0, 0, 0)
        self.origin_x_spin = context.measure_spin("inspector_origin_x", "Campus x", -100_000.0, 100_000.0, 2, 1.0,
                                                  units.length_suffix, lambda v: self._set_origin(x=v))
        self.origin_y_spin = context.measure_spin("inspector_origin_y", "Campus y", -100_000.0, 100_000.0, 2, 1.0,
                                                  units.length_suffix, lambda v: self._set_origin(y=v))
        self.origin_x_spin.setToolTip("East of the site's (0, 0): where the hall's own (0, 0) sits on the campus")
        self.origin_y_spin.setToolTip("North of the site's (0, 0): where the hall's own (0, 0) sits on the campus")
        self.origin_auto_check = QCheckBox("Side by side (automatic)")
        self.origin_auto_check.setObjectName("inspector_origin_auto")
        self.origin_auto_check.setToolTip("Lay the hall side by side after the halls before it; uncheck to "
                                          "type its place (or drag its title on the plan)")
        self.origin_auto_check.toggled.connect(self._on_origin_auto_toggled)
        row.addWidget(self.origin_x_spin, 1)
        row.addWidget(self.origin_y_spin, 1)
        self.origin_row = origin
        form.addRow("Campus place", self.origin_auto_check)
        form.addRow("Campus x, y", origin)
        self.hall_info = info_label()
        self.hall_info.setObjectName("inspector_hall_info")
        form.addRow("", self.hall_info)

    def apply_units(self, units: Units) -> None:
        """Show lengths and floor ratings in these units."""
        self.tray_spin.set_units(units.length_factor, units.length_suffix)
        self.floor_spin.set_units(units.floor_factor, units.floor_suffix)
        self.origin_x_spin.set_units(units.length_factor, units.length_suffix)
        self.origin_y_spin.set_units(units.length_factor, units.length_suffix)

    def current_hall(self):
        """The hall shown (the first, or the one picked)."""
        design = self.context.design
        hall_id = self.hall_pick.currentData()
        for hall in design.halls:
            if hall.id == hall_id:
                return hall
        return design.halls[0] if design.halls else None

    def refresh(self) -> None:
        """Show the hall from the model and the evaluation."""
        design, units = self.context.design, self.context.units
        halls = design.halls
        current = self.hall_pick.currentData()
        set_combo(self.hall_pick, [(h.name, h.id) for h in halls],
                  current if current in design.hall_ids() else (halls[0].id if halls else None), None)
        self.form.setRowVisible(self.hall_pick, len(halls) > 1)
        hall = self.current_hall()
        for widget in (self.hall_name_edit, self.floor_spin, self.capacity_spin, self.tray_spin,
                       self.tray_default_check):
            widget.setEnabled(hall is not None)
        if hall is None:
            self.hall_info.setText("This design has no hall yet.")
            return
        set_text(self.hall_name_edit, hall.name)
        self.floor_spin.set_model_value(hall.floor_rating_kg_m2)
        self.capacity_spin.set_model_value(hall.it_capacity_kw)
        default = hall.tray_drop_m is None
        blocker = self.tray_default_check.blockSignals(True)
        self.tray_default_check.setChecked(default)
        self.tray_default_check.blockSignals(blocker)
        self.tray_spin.setEnabled(not default)
        self.tray_spin.set_model_value(self.context.catalog().value("cable.tray_drop_m") if default
                                       else hall.tray_drop_m)
        campus = len(halls) > 1 or hall.origin is not None
        self.form.setRowVisible(self.origin_row, campus)
        self.form.setRowVisible(self.origin_auto_check, campus)
        ox, oy = design.hall_offsets()[hall.id]
        automatic = hall.origin is None
        blocker = self.origin_auto_check.blockSignals(True)
        self.origin_auto_check.setChecked(automatic)
        self.origin_auto_check.blockSignals(blocker)
        for spin, v in ((self.origin_x_spin, ox), (self.origin_y_spin, oy)):
            spin.set_model_value(v)
            spin.setEnabled(not automatic)
        x0, y0, x1, y1 = hall.bounds()
        info = [f"{units.length(x1 - x0, 1)} × {units.length(y1 - y0, 1)}, {units.area(hall.area())}"]
        load = self._it_kw(self.context.evaluation(), hall.id)
        if load is not None:
            pct = f" ({load / hall.it_capacity_kw * 100:.0f} %)" if hall.it_capacity_kw > 0 else ""
            load_text, capacity_text = kw_pair_text(load, hall.it_capacity_kw)
            info.append(f"IT load {load_text} of {capacity_text}{pct}")
        self.hall_info.setText("\n".join(info))

    @staticmethod
    def _it_kw(ev: Evaluation | None, hall_id: str) -> float | None:
        """The hall's IT load (kW) as evaluated, or None before an evaluation of it."""
        if ev is None or hall_id not in ev.halls.ids:
            return None
        return ev.halls.row(hall_id).it_kw

    # ------------------------------------------------------------------ edits
    def _on_name_edited(self) -> None:
        hall = self.current_hall()
        name = self.context.edited_name(self.hall_name_edit, hall.name, "hall") if hall is not None else None
        if name is not None:
            self.context.push(SetHall(hall.id, {"name": name}, "Rename hall"))

    def _set_hall(self, **fields) -> None:
        hall = self.current_hall()
        if hall is None:
            return
        changed = {k: v for k, v in fields.items() if getattr(hall, k) != v}
        if changed:
            self.context.push(SetHall(hall.id, changed, f"Edit {hall.name}"))

    def _set_origin(self, x: float | None = None, y: float | None = None) -> None:
        hall = self.current_hall()
        if hall is None or hall.origin is None:
            return
        ox, oy = hall.origin
        origin = (round(ox if x is None else x, 3), round(oy if y is None else y, 3))
        if origin != tuple(hall.origin):
            self.context.push(move_hall(self.context.design, hall.id, origin))

    def _on_origin_auto_toggled(self, automatic: bool) -> None:
        hall = self.current_hall()
        if hall is None:
            return
        if automatic:
            if hall.origin is not None:
                self.context.push(move_hall(self.context.design, hall.id, None, f"Lay {hall.name} side by side"))
        elif hall.origin is None:  # from where it is drawn now: nothing jumps
            here = self.context.design.hall_offsets()[hall.id]
            self.context.push(move_hall(self.context.design, hall.id, here, f"Place {hall.name}"))

    def _on_tray_default_toggled(self, default: bool) -> None:
        if self.current_hall() is None:
            return
        self.tray_spin.setEnabled(not default)
        self._set_hall(tray_drop_m=None if default else round(self.tray_spin.model_value(), 3))


class SiteBox(QGroupBox):
    """The site: utility feed, PUE (fixed or modelled), energy price, grid carbon, currency,
    and the redundancy it declares per system (power, cooling, network)."""

    def __init__(self, context: InspectorContext) -> None:
        super().__init__("Site")
        self.context = context
        form = form_layout(self)
        self.utility_spin = context.measure_spin("inspector_utility", "Utility capacity", 0.0, 100_000_000.0, 0,
                                         1000.0, " kW", lambda v: self._set_site(utility_capacity_kw=v))
        form.addRow("Utility feed", self.utility_spin)
        pue = QWidget()
        row = QHBoxLayout(pue)
        row.setContentsMargins(0, 0, 0, 0)
        self.pue_mode_combo = NoWheelComboBox()
        self.pue_mode_combo.setObjectName("inspector_pue_mode")
        self.pue_mode_combo.addItem("Fixed", "fixed")
        self.pue_mode_combo.addItem("Modelled", "modelled")
        self.pue_mode_combo.setToolTip("Modelled: from the partial PUEs of liquid- and air-cooled load")
        self.pue_mode_combo.setMinimumContentsLength(8)
        self.pue_mode_combo.activated.connect(self._on_pue_mode_activated)
        self.pue_spin = context.measure_spin("inspector_pue", "PUE", 1.0, 3.0, 2, 0.01, "",
                                     lambda v: self._set_site(pue=v))
        row.addWidget(self.pue_mode_combo)
        row.addWidget(self.pue_spin, 1)
        form.addRow("PUE", pue)
        self.price_spin = context.measure_spin("inspector_price", "Electricity price", 0.0, 10.0, 3, 0.01, "",
                                       lambda v: self._set_site(electricity_price_per_kwh=v))
        form.addRow("Price per kWh", self.price_spin)
        self.co2_spin = context.measure_spin("inspector_co2", "Grid carbon intensity", 0.0, 5.0, 3, 0.01,
                                     " kg/kWh", lambda v: self._set_site(grid_kg_co2_per_kwh=v))
        form.addRow("Grid CO₂", self.co2_spin)
        self.currency_edit = QLineEdit()
        self.currency_edit.setObjectName("inspector_currency")
        self.currency_edit.setMaxLength(8)
        self.currency_edit.setToolTip("ISO 4217 code such as USD, EUR, GBP")
        self.currency_edit.editingFinished.connect(self._on_currency_edited)
        form.addRow("Currency", self.currency_edit)
        self.redundancy_combos: dict[str, NoWheelComboBox] = {}
        for system, levels in LEVELS.items():
            combo = NoWheelComboBox()
            combo.setObjectName(f"inspector_redundancy_{system}")
            combo.setMinimumContentsLength(4)
            for level in levels:
                combo.addItem(level, level)
            combo.setToolTip(f"The {system} redundancy the site is built to: above N, no single failure of a "
                             f"{system} component may strand compute (a redundancy error when one does)")
            combo.activated.connect(lambda index, system=system: self._on_redundancy_activated(system, index))
            form.addRow(f"{system.capitalize()} redundancy", combo)
            self.redundancy_combos[system] = combo
        self.site_info = info_label()
        self.site_info.setObjectName("inspector_site_info")
        form.addRow("", self.site_info)

    def refresh(self) -> None:
        """Show the site from the model and the evaluation."""
        site = self.context.design.site
        ev = self.context.evaluation()
        self.utility_spin.set_model_value(site.utility_capacity_kw)
        modelled = site.pue_modelled
        blocker = self.pue_mode_combo.blockSignals(True)
        self.pue_mode_combo.setCurrentIndex(1 if modelled else 0)
        self.pue_mode_combo.blockSignals(blocker)
        self.pue_spin.setEnabled(not modelled)
        report_pue = ev.totals["power"]["pue"] if ev is not None else None
        self.pue_spin.set_model_value(float(report_pue) if modelled and report_pue else
                                      (float(site.pue) if not modelled else 1.0))
        self.price_spin.setPrefix(f"{site.currency} ")
        self.price_spin.set_model_value(site.electricity_price_per_kwh)
        self.co2_spin.set_model_value(site.grid_kg_co2_per_kwh)
        set_text(self.currency_edit, site.currency)
        for system, level in declared_redundancy(site).items():
            combo = self.redundancy_combos[system]
            blocker = combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(level), 0))
            combo.blockSignals(blocker)
        if ev is not None:
            p = ev.totals["power"]
            facility, feed = kw_pair_text(p["facility_kw"], p["utility_capacity_kw"])
            self.site_info.setText(f"Facility {facility} of {feed} feed\n"
                                   f"{p['annual_mwh']:,.0f} MWh/yr · {p['currency']} {p['annual_cost']:,.0f}/yr · "
                                   f"{p['annual_co2_t']:,.0f} t CO₂/yr")
        else:
            self.site_info.setText("")

    # ------------------------------------------------------------------ edits
    def _set_site(self, **fields) -> None:
        site = self.context.design.site
        changed = {k: v for k, v in fields.items() if getattr(site, k) != v}
        if changed:
            self.context.push(SetSite(changed, "Edit site"))

    def _on_pue_mode_activated(self, index: int) -> None:
        mode = self.pue_mode_combo.itemData(index)
        site = self.context.design.site
        if mode == "modelled" and not site.pue_modelled:
            self.context.push(SetSite({"pue": "modelled"}, "Model PUE from the cooling mix"))
        elif mode == "fixed" and site.pue_modelled:
            # start from today's modelled value, so facility power does not jump
            self.context.push(SetSite({"pue": round(max(self.pue_spin.model_value(), 1.0), 2)}, "Fix PUE"))

    def _on_redundancy_activated(self, system: str, index: int) -> None:
        level = self.redundancy_combos[system].itemData(index)
        site = self.context.design.site
        if level is None or declared_redundancy(site)[system] == level:
            return
        declared = dict(site.extra.get("redundancy") or {})
        declared[system] = level
        # a new extra dict: the command's inverse keeps the old one as it was
        self.context.push(SetSite({"extra": {**site.extra, "redundancy": declared}},
                                  f"Declare {system} redundancy {level}"))

    def _on_currency_edited(self) -> None:
        code = self.currency_edit.text().strip().upper()
        if code == self.context.design.site.currency:
            set_text(self.currency_edit, code, force=True)
            return
        if not code or not code.isalpha():
            self.context.refuse("A currency is a code of letters such as USD or EUR; "
                                f"“{self.currency_edit.text()}” was not applied.")
            return
        self.context.push(SetSite({"currency": code}, "Change currency"))


class DesignPage(QWidget):
    """The design, a hall and the site: what the inspector shows with nothing selected."""

    def __init__(self, context: InspectorContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.design_box = DesignBox(context)
        self.hall_box = HallBox(context)
        self.site_box = SiteBox(context)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        for box in (self.design_box, self.hall_box, self.site_box):
            column.addWidget(box)
        column.addStretch(1)

    def apply_units(self, units: Units) -> None:
        """Show lengths and floor ratings in these units."""
        self.hall_box.apply_units(units)

    def refresh(self) -> tuple[str, str]:
        """Show the design from the model and the evaluation; returns the inspector's title and subtitle."""
        for box in (self.design_box, self.hall_box, self.site_box):
            box.refresh()
        return self.context.design.name, "Nothing selected: design, hall and site settings"
