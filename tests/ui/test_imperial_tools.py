"""Imperial units in the plan's tools (issue 17): with the units preference on imperial,
the Measure tool reads in feet, dimension lines are labelled in feet, and the Outline
tool's typed wall lengths are feet; the design keeps metres. Real widgets, synthetic
mouse and key events; the preference set through the settings module."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt

from designer.model import Design, Equipment, Hall
from designer.model.commands import annotations_of
from designer.ui import settings
from designer.ui.docks.fields import current_units

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
RACK = "trn3-gen2-rack"
FT = 0.3048  # metres per foot


def rect(x0, y0, x1, y1):
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def ten_feet_apart() -> Design:
    """Hall A (30 × 20 m): an UltraServer's racks at x 6.0 and a network rack at x 9.048
    (3.048 m = 10 ft east of us1-r1), all on y = 6; tray drop 1.5 m, slack 1.1."""
    d = Design("Ten feet")
    d.halls.append(Hall("A", "Hall A", rect(0, 0, 30, 20)))
    d.equipment.insert([
        Equipment("us1-r1", RACK, "A", 6.0, 6.0, 0.0, "us1"),
        Equipment("us1-r2", RACK, "A", 6.6, 6.0, 0.0, "us1"),
        Equipment("net1", "network-rack", "A", 9.048, 6.0, 0.0),
    ])
    return d


@pytest.fixture
def imperial():
    settings.set_imperial_units(True)
    yield
    settings.forget("prefs")


@pytest.fixture
def window(imperial, open_window):
    w = open_window(ten_feet_apart())
    w.set_units(current_units())  # as Preferences ▸ OK does
    w.plan_view.fit()
    return w


def px(window, x: float, y: float):
    return window.plan_view.mapFromScene(window.scene.hall_item("A").from_plan(x, y))


def drag(qtbot, window, a, b, steps=4):
    vp = window.plan_view.viewport()
    qtbot.mousePress(vp, LEFT, NONE, px(window, *a))
    for k in range(1, steps + 1):
        f = k / steps
        qtbot.mouseMove(vp, px(window, a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])))
    qtbot.mouseRelease(vp, LEFT, NONE, px(window, *b))


def test_the_measure_readout_is_in_feet(window, qtbot):
    assert current_units().imperial
    window.editor.set_tool("measure")
    tool = window.editor.tool
    drag(qtbot, window, (6.05, 6.1), (9.0, 5.9))  # rack to rack: the ends take their centres
    assert tool.state == "done"
    routed_m = (3.048 + 2 * 1.5) * 1.1  # (Manhattan + two tray drops) × slack = 6.6528 m = 21.83 ft
    assert f"{routed_m / FT:.1f}" == "21.8"
    assert tool.text.startswith("10.0 ft  (Δx 10.0 ft, Δy 0.0 ft)  ·  cable routed 21.8 ft")
    assert " m " not in tool.text + " " and "m)" not in tool.text
    assert tool.item.text == tool.text  # what is drawn beside the line
    assert window.statusBar().currentMessage().startswith("Measure: 10.0 ft")


def test_a_kept_dimension_line_is_metres_in_the_design_and_feet_on_the_plan(window, qtbot):
    window.editor.set_tool("measure")
    drag(qtbot, window, (6.05, 6.1), (9.0, 5.9))
    qtbot.keyClick(window.plan_view, Qt.Key.Key_Return)
    assert annotations_of(window.design) == [{"kind": "dimension", "hall": "A", "a": [6.0, 6.0], "b": [9.048, 6.0]}]
    assert window.statusBar().currentMessage() == "Dimension line of 10.0 ft added to Hall A"
    item = window.scene.annotations_item
    assert [text for _, _, _, text in item.shapes] == ["10.0 ft"]
    # Preferences ▸ Units ▸ Metric: the label follows at once, the design is untouched
    settings.set_imperial_units(False)
    window.set_units(current_units())
    assert [text for _, _, _, text in item.shapes] == ["3.05 m"]
    assert annotations_of(window.design)[0]["b"] == [9.048, 6.0]


def test_switching_units_rewords_a_measurement_on_show(window, qtbot):
    window.editor.set_tool("measure")
    tool = window.editor.tool
    drag(qtbot, window, (6.05, 6.1), (9.0, 5.9))
    assert tool.text.startswith("10.0 ft")
    settings.set_imperial_units(False)
    window.set_units(current_units())
    assert tool.text.startswith("3.05 m  (Δx 3.05 m, Δy 0.00 m)")
    assert tool.item.text == tool.text


def event(window, x, y, mods=NONE):
    view = window.plan_view
    return view.tool_event(QPointF(px(window, x, y)), mods)


def test_typed_outline_lengths_are_feet(window, qtbot):
    view, editor = window.plan_view, window.editor
    view.zoom_by(0.5)
    editor.set_tool("outline")
    tool = editor.tool
    status = window.statusBar()
    tool.mouse_press(event(window, 0, -30))  # beside the hall: a new hall
    tool.mouse_release(event(window, 0, -30))
    assert "type a length in ft" in status.currentMessage()
    # east: 10 ft
    tool.mouse_move(event(window, 5, -29.6, SHIFT))
    assert "ft" in status.currentMessage() and " m " not in status.currentMessage()
    view.setFocus()
    qtbot.keyClicks(view, "10")
    assert status.currentMessage().startswith("Next wall: 10 ft")
    qtbot.keyClick(view, Qt.Key.Key_Return)
    x0, y0 = tool.points[0]
    assert tool.points[-1] == pytest.approx((x0 + 3.048, y0))  # 10 ft = 3.048 m
    # north 20 ft, west 10 ft, Enter closes
    tool.mouse_move(event(window, 3.0, -20.0, SHIFT))
    qtbot.keyClicks(view, "20")
    qtbot.keyClick(view, Qt.Key.Key_Return)
    tool.mouse_move(event(window, -5.0, -23.9, SHIFT))
    qtbot.keyClicks(view, "10")
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    hall = window.design.hall("B")
    assert hall.outline == ((0.0, 0.0), (3.048, 0.0), (3.048, 6.096), (0.0, 6.096))  # metres in the model
    assert status.currentMessage() == "Added Hall B: 200 ft²"


def test_a_typed_zero_is_refused_in_feet(window, qtbot):
    view, editor = window.plan_view, window.editor
    editor.set_tool("outline")
    tool = editor.tool
    tool.mouse_press(event(window, 0, -30))
    tool.mouse_release(event(window, 0, -30))
    view.setFocus()
    qtbot.keyClicks(view, "0")
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert window.statusBar().currentMessage() == "Type a length above 0 ft"
    assert len(tool.points) == 1
