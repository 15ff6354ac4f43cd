"""Overlays and colour modes on the plan: each draws what a planner expects where it
should be, follows edits, and stays a handful of items per hall."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from designer.engine import evaluate
from designer.engine.aisles import Aisles
from designer.model import Change, Equipment
from designer.model.commands import move_items
from designer.ui.canvas.overlays import OVERLAYS
from designer.ui.canvas.overlays.cables import CableOverlay
from designer.ui.canvas.overlays.feeds import CDU_LINE
from designer.ui.canvas.overlays.heat import HeatOverlay
from designer.ui.canvas.overlays.legend import legend_sections
from designer.ui.canvas.overlays.options import CAMPUS_CLASSES
from designer.ui.canvas.overlays.toolbar import ViewToolbar
from designer.ui.canvas.styles import (
    DENSITY_COLORS, FLOOR_COLOR, STATUS_CLASS_COLORS, STATUS_ERROR, STATUS_OK, STATUS_UNPOWERED,
    density_class,
)


def close(a: QColor, b: QColor, tol: int = 16) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a.getRgb()[:3], b.getRgb()[:3]))


def nearest(image, source, probe, centre: QPointF, color: QColor, radius_px: int = 3) -> QColor:
    """The pixel within ``radius_px`` of a scene point that is closest to ``color``
    (thin antialiased lines do not always centre on a pixel)."""
    sx = (centre.x() - source.left()) / source.width() * image.width()
    sy = (centre.y() - source.top()) / source.height() * image.height()
    best, dist = QColor(), 1e9
    for dx in range(-radius_px, radius_px + 1):
        for dy in range(-radius_px, radius_px + 1):
            x = min(max(int(sx) + dx, 0), image.width() - 1)
            y = min(max(int(sy) + dy, 0), image.height() - 1)
            c = image.pixelColor(x, y)
            d = sum((p - q) ** 2 for p, q in zip(c.getRgb()[:3], color.getRgb()[:3]))
            if d < dist:
                best, dist = c, d
    return best


def evaluate_scene(scene, catalog) -> None:
    scene.set_evaluation(evaluate(scene.design, catalog))


@pytest.fixture
def evaluated(plan, catalog):
    """The small hall's plan view with its evaluation."""
    evaluate_scene(plan.plan_scene(), catalog)
    return plan


def add(design, *records: Equipment) -> None:
    design.equipment.insert(list(records))
    design.notify(Change("added", tuple(r.id for r in records), tuple({r.hall for r in records})))


# ---------------------------------------------------------------- clearances
def test_clearance_zones_are_drawn_in_front_of_and_behind_racks(evaluated, probe):
    scene = evaluated.plan_scene()
    item = scene.hall_items[0]
    source = probe.plan_rect(scene, 2.0, 0.5, 5.0, 5.0)
    before = probe.render(scene, source, 40.0)
    scene.set_overlay("clearances")
    after = probe.render(scene, source, 40.0)
    # us1-r1 (3.0, 3.0) faces south: its 1.2 m front zone spans y 1.2–2.4, its 0.9 m rear zone y 3.6–4.5
    front = item.from_plan(3.15, 1.75)  # (off the 0.6 m floor grid lines)
    rear = item.from_plan(3.15, 4.05)
    assert probe.pixel_at(before, source, front).rgb() == FLOOR_COLOR.rgb()
    f = probe.pixel_at(after, source, front)
    assert f.blue() > f.red() + 15, "the front zone is tinted blue"
    r = probe.pixel_at(after, source, rear)
    assert r.red() > r.blue() + 15, "the rear zone is tinted orange"
    # beyond the zones the floor is untouched
    assert probe.pixel_at(after, source, item.from_plan(3.15, 0.8)).rgb() == FLOOR_COLOR.rgb()


def test_a_blocked_clearance_zone_is_red(evaluated, probe, catalog):
    scene = evaluated.plan_scene()
    design = scene.design
    # a rack standing in the south half of us1-r1's front zone (y 1.2–2.4)
    add(design, Equipment("x1", "network-rack", "A", 3.0, 1.2, 0.0))
    evaluate_scene(scene, catalog)
    assert any(v.kind == "clearance" and "us1-r1" in v.ids for v in scene.view_options.evaluation.violations)
    scene.set_overlay("clearances")
    item = scene.hall_items[0]
    source = probe.plan_rect(scene, 2.0, 0.5, 5.0, 3.0)
    image = probe.render(scene, source, 40.0)
    blocked = probe.pixel_at(image, source, item.from_plan(3.15, 2.1))  # the zone's free part, on the floor
    assert blocked.red() > blocked.green() + 60 and blocked.red() > blocked.blue() + 60
    free = probe.pixel_at(image, source, item.from_plan(3.75, 2.1))  # us1-r2's zone, clear
    assert free.blue() > free.red() + 15


# ---------------------------------------------------------------- cable routes
def test_cable_route_is_drawn_in_its_mediums_colour(evaluated, probe, catalog):
    scene = evaluated.plan_scene()
    ev = scene.view_options.evaluation
    t = scene.design.equipment
    links = ev.items.links
    k = int(np.flatnonzero(links.rack == t.index["us2-r1"])[0])
    medium = ev.media[int(links.medium[k])]
    color = QColor(catalog.media[medium].color)
    scene.set_overlay("cables")
    item = scene.hall_items[0]
    source = probe.plan_rect(scene, 2.0, 2.0, 6.0, 7.0)
    image = probe.render(scene, source, 60.0)
    # us2-r1's route runs along its row, then across the hot aisle to net1 (x = 4.2)
    across = nearest(image, source, probe, item.from_plan(4.2, 4.5), color)
    assert close(across, color, 30), f"{across.name()} is not the {medium} colour {color.name()}"
    # no route crosses the aisle elsewhere
    assert probe.pixel_at(image, source, item.from_plan(5.5, 4.5)).rgb() == FLOOR_COLOR.rgb()


def test_cable_routes_follow_a_moved_rack(evaluated, catalog):
    scene = evaluated.plan_scene()
    scene.set_overlay("cables")
    overlay = scene.hall_items[0].overlays["cables"]
    assert isinstance(overlay, CableOverlay)
    before = overlay.data()["pts"].copy()
    move_items(scene.design, ["us2-r1", "us2-r2"], 6.0, 0.0).apply(scene.design)
    evaluate_scene(scene, catalog)
    after = overlay.data()["pts"]
    assert not np.array_equal(before, after)
    assert after[..., 0].max() == pytest.approx(9.6 - 0.0, abs=0.01)  # us2-r2 now at x = 9.6


def test_during_a_drag_overlays_follow_a_few_times_a_second_and_end_on_the_last_state(evaluated, catalog, qtbot):
    scene = evaluated.plan_scene()
    scene.set_overlay("cables")
    overlay = scene.hall_items[0].overlays["cables"]
    overlay.data()
    computed = []
    original = overlay.compute
    overlay.compute = lambda: (computed.append(1), original())[1]  # type: ignore[method-assign]
    for _ in range(6):  # mouse moves: the model moves, the engine evaluates, the plan paints
        move_items(scene.design, ["us2-r1", "us2-r2"], 1.0, 0.0).apply(scene.design)
        evaluate_scene(scene, catalog)
        overlay.data()
    assert len(computed) < 6  # not redone on every move
    qtbot.waitUntil(lambda: not overlay.updates_pending(), timeout=2000)
    final = overlay.data()["pts"]
    fresh = CableOverlay(scene.hall_items[0], overlay.options).compute()["pts"]
    assert np.array_equal(final, fresh)
    assert final[..., 0].max() == pytest.approx(9.6, abs=0.01)  # us2-r2 now at x = 9.6


# ---------------------------------------------------------------- heat map
def test_heat_map_is_hotter_over_racks_than_over_empty_floor(evaluated, probe, catalog):
    scene = evaluated.plan_scene()
    scene.set_overlay("heat")
    overlay = scene.hall_items[0].overlays["heat"]
    assert isinstance(overlay, HeatOverlay)
    heat = overlay.heat()
    assert heat.cell == pytest.approx(catalog.value("cooling.heat_grid_m"))
    over_racks = heat.at(3.3, 3.0)
    assert over_racks > 20_000  # W/m²: 85 kW Trn3 racks over 1.44 m² cells
    assert heat.at(12.5, 1.5) == 0.0
    # total heat equals the IT load that stands in the hall
    it_kw = evaluate(scene.design, catalog).items.it_kw.sum()
    assert heat.grid.sum() * heat.cell ** 2 == pytest.approx(it_kw * 1000.0)
    item = scene.hall_items[0]
    source = probe.plan_rect(scene, 0.0, 0.0, 20.0, 10.0)
    image = probe.render(scene, source, 20.0)
    floor = probe.pixel_at(image, source, item.from_plan(12.5, 1.5))
    assert floor.rgb() == FLOOR_COLOR.rgb()  # no heat, no tint
    # hot-aisle floor (y 5.0) in a cell that us2's racks (y 5.4–6.6) reach into
    aisle = probe.pixel_at(image, source, item.from_plan(3.3, 5.0))
    assert aisle.blue() < FLOOR_COLOR.blue() - 30, "heat tints the floor warm"


# ---------------------------------------------------------------- feeds
def test_feeds_draw_a_line_from_each_rack_to_its_cdu(evaluated, probe):
    scene = evaluated.plan_scene()
    item = scene.hall_items[0]
    source = probe.plan_rect(scene, 2.0, 2.0, 5.0, 7.0)
    before = probe.render(scene, source, 60.0)
    scene.set_overlay("assignment")
    after = probe.render(scene, source, 60.0)
    # us2-r1 (3.0, 6.0) is cooled by cdu1 (2.4, 3.0): the line crosses the hot aisle at its middle
    mid = item.from_plan(2.7, 4.5)
    assert probe.pixel_at(before, source, mid).rgb() == FLOOR_COLOR.rgb()
    line = nearest(after, source, probe, mid, CDU_LINE)
    assert line.green() > line.red() + 40 and line.blue() > line.red() + 30, line.name()


def test_feeds_cross_out_an_unpowered_rack(evaluated, probe, catalog):
    scene = evaluated.plan_scene()
    # away from every busway: unpowered
    add(scene.design, Equipment("x2", "trn3-gen2-rack", "A", 12.0, 2.0, 0.0, "us9"))
    evaluate_scene(scene, catalog)
    ev = scene.view_options.evaluation
    assert not ev.items.powered[scene.design.equipment.index["x2"]]
    scene.set_overlay("assignment")
    item = scene.hall_items[0]
    source = probe.plan_rect(scene, 11.0, 1.0, 13.0, 3.0)
    image = probe.render(scene, source, 60.0)
    purple = STATUS_CLASS_COLORS[STATUS_UNPOWERED]
    mark = nearest(image, source, probe, item.from_plan(12.0 + 0.15, 2.0 + 0.3), purple)
    assert close(mark, purple, 40), mark.name()


# ---------------------------------------------------------------- aisles
def test_aisle_overlay_labels_the_hot_aisle(evaluated, probe):
    scene = evaluated.plan_scene()
    scene.set_overlay("aisles")
    overlay = scene.hall_items[0].overlays["aisles"]
    aisles = overlay.aisles()
    assert len(aisles.u0) == 1 and aisles.kind[0] == Aisles.HOT
    assert aisles.width[0] == pytest.approx(1.8)  # rear edges at y 3.6 and 5.4
    item = scene.hall_items[0]
    source = probe.plan_rect(scene, 2.5, 3.7, 4.0, 5.3)
    image = probe.render(scene, source, 80.0)
    text = [c for c in (image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height()))
            if c.red() > c.green() + 60 and c.lightness() < 150]
    assert len(text) > 20, "the width is written in the aisle, in the hot-aisle red"
    scene.set_overlay("aisles", False)
    image = probe.render(scene, source, 80.0)
    assert probe.pixel_at(image, source, item.from_plan(3.3, 4.5)).lightness() > 200


def test_a_short_stretch_of_aisle_keeps_its_line_but_not_a_label_that_would_not_fit(evaluated, probe,
                                                                                    monkeypatch):
    """The hot aisle here runs 1.2 m: zoomed in, its width is written; zoomed out (where the
    label is longer than the aisle) only the dimension line is drawn, so that labels of
    short stretches side by side (between spine racks) do not run into each other."""
    from PySide6.QtGui import QPainter

    scene = evaluated.plan_scene()
    scene.set_overlay("aisles")
    written: list[str] = []
    real = QPainter.drawText

    def spy(self, *args):
        written.append(str(args[-1]))
        return real(self, *args)

    monkeypatch.setattr(QPainter, "drawText", spy)
    source = probe.plan_rect(scene, 2.0, 3.0, 5.0, 6.0)
    probe.render(scene, source, 80.0)
    assert any(t.startswith("1.80 m hot") for t in written)
    written.clear()
    probe.render(scene, source, 20.0)   # 1.2 m of aisle is 24 px: the label would not fit
    assert not any(t.startswith("1.80 m") for t in written)


# ---------------------------------------------------------------- colour modes
def test_colour_by_status_paints_an_erroring_rack_red(evaluated, probe, catalog, make_small_design):
    scene = evaluated.plan_scene()
    scene.set_design(make_small_design(fabric=True), catalog)  # its leaves and spine: us2 finds its ports
    design = scene.design
    # us1-r2 slid half onto us1-r1: both overlap (error), still powered and cooled
    move_items(design, ["us1-r2"], -0.3, 0.0).apply(design)
    evaluate_scene(scene, catalog)
    scene.set_colour_mode("status")
    item = scene.hall_items[0]
    source = probe.plan_rect(scene, 2.0, 2.0, 5.0, 7.0)
    image = probe.render(scene, source, 60.0)
    red = probe.pixel_at(image, source, item.from_plan(2.85, 3.35))
    assert close(red, STATUS_CLASS_COLORS[STATUS_ERROR]), red.name()
    ok = probe.pixel_at(image, source, item.from_plan(3.0, 6.3))  # us2-r1 has no problem
    assert close(ok, STATUS_CLASS_COLORS[STATUS_OK]), ok.name()
    scene.set_colour_mode("type")
    image = probe.render(scene, source, 60.0)
    assert close(probe.pixel_at(image, source, item.from_plan(3.0, 6.3)), QColor("#e07b39"))


def test_colour_by_power_density(evaluated, probe, catalog):
    scene = evaluated.plan_scene()
    scene.set_colour_mode("density")
    item = scene.hall_items[0]
    source = probe.plan_rect(scene, 2.0, 2.0, 5.0, 7.0)
    image = probe.render(scene, source, 60.0)
    for rack_id, (x, y) in (("us2-r1", (3.0, 6.3)), ("net1", (4.2, 3.35))):
        spec = catalog.types[scene.design.equipment.get(rack_id).type]
        kw_m2 = spec.it_power_kw / (spec.width_m * spec.depth_m)
        expected = DENSITY_COLORS[int(density_class(np.array([kw_m2]))[0])]
        assert close(probe.pixel_at(image, source, item.from_plan(x, y)), expected), rack_id
    assert density_class(np.array([118.0, 16.7, 0.0])).tolist() == [6, 1, -1]


# ---------------------------------------------------------------- scale and wiring
def test_overlays_are_one_item_per_hall_and_kind(evaluated):
    scene = evaluated.plan_scene()
    halls = len(scene.hall_items)
    base = len(scene.items())
    for kind in OVERLAYS:
        scene.set_overlay(kind)
    # (and one scene-level item for an overlay that draws across halls: the network's)
    assert len(scene.items()) == base + halls * len(OVERLAYS) + len(CAMPUS_CLASSES)
    for kind in OVERLAYS:
        scene.set_overlay(kind, False)
    assert all(not o.isVisible() for i in scene.hall_items for o in i.overlays.values())
    # a rebuilt scene (hall edit) gets its overlays back, and only those shown
    scene.set_overlay("heat")
    scene.rebuild()
    assert [sorted(k for k, o in i.overlays.items() if o.isVisible()) for i in scene.hall_items] == [["heat"]]
    assert len(scene.items()) == base + halls + len(CAMPUS_CLASSES)


def test_toolbar_switches_overlays_and_colour_mode(main_window, qtbot):
    toolbar = main_window.findChild(ViewToolbar)
    assert toolbar is not None
    scene = main_window.scene
    toolbar.overlay_actions["heat"].trigger()
    assert "heat" in scene.view_options.shown
    assert scene.hall_items[0].overlays["heat"].isVisible()
    toolbar.set_colour_mode("status")
    assert scene.hall_items[0].colour_mode == "status"
    # the legend explains both, below the plan, never over it
    legend = main_window.plan_legend
    titles = [title for title, _ in legend_sections(scene.view_options)]
    assert titles[0] == "Status" and titles[1].startswith("Heat")
    view = main_window.plan_view
    assert legend.isVisible() and legend.height() > 30
    assert not legend.geometry().intersects(view.viewport().geometry())
    assert legend.geometry().bottom() <= view.height()
    toolbar.overlay_actions["heat"].trigger()
    toolbar.set_colour_mode("type")
    assert not legend.isVisible()
    assert view.viewport().height() == view.height() - 2 * view.frameWidth()  # the margin is given back
