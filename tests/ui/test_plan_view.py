"""The floor-plan canvas: to scale, north up, what it draws at which zoom, zoom and pan."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QWheelEvent
from PySide6.QtWidgets import QApplication

from designer.model import Change, Design, Equipment, Hall
from designer.ui.canvas.hall_item import HallTitleItem
from designer.ui.canvas.painting import footprint_corners
from designer.ui.canvas.scene import HALL_GAP_M, PlanScene
from designer.ui.canvas.styles import FLOOR_COLOR, LOD_LABELS
from designer.ui.canvas.view import ZOOM_STEP

ORANGE = QColor("#e07b39")  # trn3-gen2-rack in the catalog


def close(a: QColor, b: QColor, tol: int = 12) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a.getRgb()[:3], b.getRgb()[:3]))


def wheel(view, steps: int, at: QPoint) -> None:
    event = QWheelEvent(QPointF(at), QPointF(view.viewport().mapToGlobal(at)), QPoint(0, 0),
                        QPoint(0, 120 * steps), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)


# ---------------------------------------------------------------- scale and layout
def test_hall_is_drawn_to_scale_with_north_up(plan):
    item = plan.plan_scene().hall_items[0]
    rect = item.mapRectToScene(item.outline_rect())
    assert (rect.width(), rect.height()) == pytest.approx((20.0, 10.0))  # metres
    # north is up: the hall's north-west corner (0, 10) is the top-left of the rect
    assert item.from_plan(0, 10) == rect.topLeft()
    assert item.from_plan(20, 0) == rect.bottomRight()


def test_pilot_hall_spans_its_outline(main_window):
    item = main_window.scene.hall_items[0]
    x0, y0, x1, y1 = main_window.design.halls[0].bounds()
    rect = item.mapRectToScene(item.outline_rect())
    assert rect.width() == pytest.approx(x1 - x0)
    assert rect.height() == pytest.approx(y1 - y0)


def test_halls_sharing_coordinates_are_laid_side_by_side(qtbot, catalog):
    design = Design("Two halls")
    square = ((0, 0), (30, 0), (30, 20), (0, 20))
    design.halls += [Hall("A", "Hall A", square), Hall("B", "Hall B", square)]
    design.equipment.insert([Equipment("r1", "trn3-gen2-rack", "B", 5, 5, 0, "us1")])
    scene = PlanScene()
    scene.set_design(design, catalog)
    a, b = (i.mapRectToScene(i.outline_rect()) for i in scene.hall_items)
    assert b.left() == pytest.approx(a.right() + HALL_GAP_M)
    assert b.top() == pytest.approx(a.top())
    # a rack of hall B sits in hall B's frame, and the cursor reads B's plan coordinates
    centre = scene.hall_items[1].from_plan(5, 5)
    assert b.contains(centre)
    assert scene.plan_point(centre) == ("Hall B", pytest.approx(5), pytest.approx(5))
    # zoomed far out, hall A's title is shortened so that it stays clear of hall B's
    title = next(c for c in scene.hall_items[0].childItems() if isinstance(c, HallTitleItem))
    font = QFontMetricsF(title.font)
    assert title.shown_text(None) == "Hall A  ·  30 × 20 m"
    for ppm in (0.5, 2.0, 5.0, 50.0):
        assert font.horizontalAdvance(title.shown_text(ppm)) <= (b.left() - a.left()) * ppm
    assert title.shown_text(50.0) == title.shown_text(None)
    scene.detach()


def test_footprint_front_edge_faces_south_at_rotation_0_and_turns_ccw():
    one = np.ones(1)
    c = footprint_corners(np.zeros(1), np.zeros(1), np.zeros(1), 0.6 * one, 1.2 * one)[0]
    assert c[0].tolist() == pytest.approx([-0.3, -0.6]) and c[1].tolist() == pytest.approx([0.3, -0.6])
    c = footprint_corners(np.zeros(1), np.zeros(1), 90 * one, 0.6 * one, 1.2 * one)[0]
    # turned 90° counter-clockwise, the front faces east (+x)
    assert c[0].tolist() == pytest.approx([0.6, -0.3]) and c[1].tolist() == pytest.approx([0.6, 0.3])


# ---------------------------------------------------------------- what is drawn
def test_rack_is_filled_with_its_catalog_colour_and_its_front_is_marked(plan, probe):
    scene = plan.plan_scene()
    item = scene.hall_items[0]
    source = probe.plan_rect(scene, 2.5, 2.0, 4.5, 7.0)
    image = probe.render(scene, source, 60.0)
    # us2-r1 (3.0, 6.0) at 180° faces north; us1-r1 (3.0, 3.0) at 0° faces south.
    # (Samples stay off the busway bw2 that runs over the north row at y = 6.)
    assert close(probe.pixel_at(image, source, item.from_plan(3.0, 6.3)), ORANGE)
    north_edge = probe.pixel_at(image, source, item.from_plan(3.0, 6.0 + 0.55))
    south_edge = probe.pixel_at(image, source, item.from_plan(3.0, 6.0 - 0.55))
    assert north_edge.lightness() > ORANGE.lightness() + 20, "front (north) of us2-r1 is marked"
    assert close(south_edge, ORANGE), "its rear is plain"
    south_front = probe.pixel_at(image, source, item.from_plan(3.0, 3.0 - 0.55))
    assert south_front.lightness() > ORANGE.lightness() + 20, "front (south) of us1-r1 is marked"


def test_columns_dark_and_keepouts_hatched(plan, probe):
    scene = plan.plan_scene()
    item = scene.hall_items[0]
    source = probe.plan_rect(scene, 8.0, 3.0, 19.5, 9.5)
    image = probe.render(scene, source, 30.0)
    assert probe.pixel_at(image, source, item.from_plan(9.3, 4.3)).lightness() < 110  # column
    keepout = [probe.pixel_at(image, source, item.from_plan(15.2 + 0.05 * k, 8.0)) for k in range(60)]
    reds = [c for c in keepout if c.red() > c.green() + 40]
    assert 3 < len(reds) < len(keepout), "hatch lines, not a solid fill"


def test_floor_grid_only_when_zoomed_in(plan, probe):
    scene = plan.plan_scene()
    source = probe.plan_rect(scene, 11.0, 0.5, 14.0, 3.5)  # empty floor

    def colours(ppm):
        image = probe.render(scene, source, ppm)
        return {image.pixelColor(x, y).rgb() for x in range(image.width()) for y in range(image.height())}

    assert colours(4.0) == {FLOOR_COLOR.rgb()}
    assert len(colours(40.0)) > 1  # tile lines


def test_labels_only_when_zoomed_in(plan, probe):
    scene = plan.plan_scene()
    # inside us2-r1 (0.6 × 1.2 m at 3.0, 6.0), away from its edges and front strip
    source = probe.plan_rect(scene, 2.8, 6.2, 3.2, 6.45)  # beside the busway over the row

    def darkest(ppm):
        image = probe.render(scene, source, ppm)
        return min(image.pixelColor(x, y).lightness()
                   for x in range(image.width()) for y in range(image.height()))

    assert darkest(LOD_LABELS * 0.7) > 80  # orange only
    assert darkest(LOD_LABELS * 2.5) < 60  # dark label text


def test_status_outlines_errors_in_red(plan, probe):
    scene = plan.plan_scene()
    item = scene.hall_items[0]
    status = np.zeros(len(scene.design.equipment), np.int8)
    status[scene.design.equipment.index["us2-r2"]] = 2
    scene.set_status(status)
    source = probe.plan_rect(scene, 3.2, 5.2, 4.0, 6.8)
    image = probe.render(scene, source, 60.0)
    edge = probe.pixel_at(image, source, item.from_plan(3.6 + 0.3, 6.35))  # east edge of us2-r2
    assert edge.red() > 180 and edge.green() < 90 and edge.blue() < 90


# ---------------------------------------------------------------- model changes
def test_moving_a_rack_in_the_model_redraws_it(plan, probe):
    scene = plan.plan_scene()
    design = scene.design
    item = scene.hall_items[0]
    t = design.equipment
    row = t.index["us2-r1"]
    t.x[row], t.y[row] = 12.0, 2.0
    design.notify(Change("moved", ("us2-r1",), ("A",)))
    source = probe.plan_rect(scene, 11.0, 1.0, 13.0, 3.0)
    image = probe.render(scene, source, 40.0)
    assert close(probe.pixel_at(image, source, item.from_plan(12.0, 2.0)), ORANGE)


# ---------------------------------------------------------------- zoom, fit, pan
def test_fit_shows_the_whole_hall(plan):
    scene = plan.plan_scene()
    plan.zoom_by(8.0)
    plan.pan_by(300, -200)
    plan.fit()
    visible = plan.mapToScene(plan.viewport().rect()).boundingRect()
    assert visible.contains(scene.content_rect())
    # and the hall fills most of the view (not fitted to a tiny speck)
    hall = scene.hall_items[0].mapRectToScene(scene.hall_items[0].outline_rect())
    assert hall.width() / visible.width() > 0.8 or hall.height() / visible.height() > 0.8


def test_wheel_zooms_by_one_step_per_notch_around_the_cursor(plan):
    at = QPoint(300, 200)
    before = plan.mapToScene(at)
    ppm = plan.pixels_per_metre()
    wheel(plan, 1, at)
    assert plan.pixels_per_metre() == pytest.approx(ppm * ZOOM_STEP)
    after = plan.mapToScene(at)
    assert (after.x(), after.y()) == pytest.approx((before.x(), before.y()), abs=2 / plan.pixels_per_metre())
    wheel(plan, -2, at)
    assert plan.pixels_per_metre() == pytest.approx(ppm / ZOOM_STEP)


def test_zoom_in_and_out_keep_the_centre(plan):
    ppm = plan.pixels_per_metre()
    plan.zoom_in()
    assert plan.pixels_per_metre() == pytest.approx(ppm * ZOOM_STEP)
    plan.zoom_out()
    plan.zoom_out()
    assert plan.pixels_per_metre() == pytest.approx(ppm / ZOOM_STEP)


def test_middle_drag_pans_with_the_hand(plan, qtbot):
    plan.zoom_by(4.0)
    ppm = plan.pixels_per_metre()
    start, end = QPoint(400, 300), QPoint(300, 250)
    grabbed = plan.mapToScene(start)
    qtbot.mousePress(plan.viewport(), Qt.MouseButton.MiddleButton, pos=start)
    qtbot.mouseMove(plan.viewport(), end)
    qtbot.mouseRelease(plan.viewport(), Qt.MouseButton.MiddleButton, pos=end)
    now = plan.mapToScene(end)  # the point grabbed is under the cursor again
    assert (now.x(), now.y()) == pytest.approx((grabbed.x(), grabbed.y()), abs=2 / ppm)


def test_space_drag_pans(plan, qtbot):
    plan.zoom_by(4.0)
    start, end = QPoint(400, 300), QPoint(460, 340)
    grabbed = plan.mapToScene(start)
    qtbot.keyPress(plan, Qt.Key.Key_Space)
    qtbot.mousePress(plan.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(plan.viewport(), end)
    qtbot.mouseRelease(plan.viewport(), Qt.MouseButton.LeftButton, pos=end)
    qtbot.keyRelease(plan, Qt.Key.Key_Space)
    now = plan.mapToScene(end)
    assert (now.x(), now.y()) == pytest.approx((grabbed.x(), grabbed.y()), abs=2 / plan.pixels_per_metre())


# ---------------------------------------------------------------- scale
def campus(n_halls: int = 4, racks_per_hall: int = 4000) -> Design:
    """A 1 M-chip-class campus: 16,000 racks in rows of 40, four halls."""
    design = Design("Campus")
    rows_per_hall = racks_per_hall // 40
    depth = rows_per_hall // 2 * 4.8 + 6
    records = []
    for h in range(n_halls):
        hid = f"H{h}"
        design.halls.append(Hall(hid, f"Hall {h}", ((0, 0), (30, 0), (30, depth), (0, depth))))
        for r in range(rows_per_hall):
            y = 3 + (r // 2) * 4.8 + (r % 2) * 2.4
            rot = 0.0 if r % 2 == 0 else 180.0
            for k in range(40):
                n = len(records)
                records.append(Equipment(f"{hid}-r{n}", "trn3-gen2-rack", hid, 3 + k * 0.6, y, rot, f"us{n // 2}"))
    design.equipment.insert(records)
    return design


def test_a_campus_of_16000_racks_is_a_handful_of_items_and_renders(qtbot, catalog, probe):
    design = campus()
    scene = PlanScene()
    scene.set_design(design, catalog)
    assert len(scene.items()) <= 2 * len(design.halls)  # a hall item and its title, not a rack each
    assert sum(len(i.footprints.rows) for i in scene.hall_items) == 16000
    source = scene.content_rect()
    image = probe.render(scene, source, 1200 / source.width())  # the whole campus, as after Fit
    item = scene.hall_items[2]
    assert close(probe.pixel_at(image, source, item.from_plan(3 + 20 * 0.6, 3.0)), ORANGE, tol=40)
    # zoomed in on a corner: only the exposed chunks are painted, labels included
    corner = probe.plan_rect(scene, 2.0, 2.0, 8.0, 6.0, hall=3)
    image = probe.render(scene, corner, 60.0)
    assert close(probe.pixel_at(image, corner, scene.hall_items[3].from_plan(3.0, 3.3)), ORANGE)
    scene.detach()
