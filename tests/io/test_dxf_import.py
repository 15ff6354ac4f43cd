"""What the DXF importer accepts becomes a hall that saves and reopens (issue 19, found by
tools/fuzz_campaign.py --dxf): no point beyond the ±100 km a design holds, each point
once, so the saved file reads back to the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from designer.io import dumps_design, loads_design
from designer.io.dcplan import MAX_COORD_M
from designer.io.dxf import DxfError, import_dxf
from designer.model import Design, Hall


def drawing(tmp_path: Path, outline, unit=None, polyline: bool = False, close: bool = True,
            columns=()) -> Path:
    import ezdxf

    doc = ezdxf.new("R2010")
    doc.units = ezdxf.units.M if unit is None else unit
    msp = doc.modelspace()
    add = msp.add_polyline2d if polyline else msp.add_lwpolyline
    add(outline, dxfattribs={"layer": "HALL"}).close(close)
    for col in columns:
        add(col, dxfattribs={"layer": "COLUMNS"}).close(True)
    path = tmp_path / "hall.dxf"
    doc.saveas(path)
    return path


def saved_and_reopened(geom) -> str:
    design = Design("imported")
    design.halls.append(Hall("H1", "Hall 1", tuple(geom.outline), list(geom.columns), list(geom.keepouts)))
    text = dumps_design(design)
    assert dumps_design(loads_design(text)) == text
    return text


@pytest.mark.parametrize("polyline", [False, True])
def test_a_hall_beyond_100_km_is_refused_naming_the_units(tmp_path: Path, polyline: bool) -> None:
    import ezdxf

    path = drawing(tmp_path, [(0, 0), (150, 0), (150, 1), (0, 1)], ezdxf.units.KM, polyline)
    with pytest.raises(DxfError) as err:
        import_dxf(path)
    message = str(err.value)
    assert "\n" not in message
    assert "a point of the outline is 150,000 m from the drawing's origin, beyond the ±100 km a design holds" \
           in message and "Kilometers" in message


def test_a_column_far_away_is_refused_too(tmp_path: Path) -> None:
    path = drawing(tmp_path, [(0, 0), (20, 0), (20, 10), (0, 10)],
                   columns=[[(0, 0), (1, 0), (1, 1), (0, 1e6)]])
    with pytest.raises(DxfError, match="a point of the column is 1,000,000 m"):
        import_dxf(path)


def test_a_hall_at_the_limit_is_read_and_reopens(tmp_path: Path) -> None:
    edge = MAX_COORD_M
    geom = import_dxf(drawing(tmp_path, [(edge - 20, edge - 10), (edge, edge - 10), (edge, edge), (edge - 20, edge)]))
    assert max(x for x, _ in geom.outline) == edge
    saved_and_reopened(geom)


def test_repeated_points_are_kept_once_so_the_saved_hall_reads_back_the_same(tmp_path: Path) -> None:
    outline = [(0, 0), (20, 0), (20, 0), (20, 10), (0, 10), (0, 10), (0, 0)]
    geom = import_dxf(drawing(tmp_path, outline, close=False))
    assert geom.outline == ((0.0, 0.0), (20.0, 0.0), (20.0, 10.0), (0.0, 10.0))
    saved_and_reopened(geom)


def test_points_that_round_to_one_are_kept_once(tmp_path: Path) -> None:
    """Millimetre noise below the importer's 1 µm rounding: the same point after rounding."""
    outline = [(0, 0), (20, 0), (20 + 1e-8, 1e-8), (20, 10), (0, 10)]
    geom = import_dxf(drawing(tmp_path, outline))
    assert len(geom.outline) == 4
    saved_and_reopened(geom)


def test_a_ring_of_one_repeated_point_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DxfError, match="LWPOLYLINE #[0-9A-F]+: an outline needs at least 3 distinct points$"):
        import_dxf(drawing(tmp_path, [(1, 1), (1, 1), (1, 1), (1, 1)]))


def test_millimetre_drawings_are_scaled_and_reopen(tmp_path: Path) -> None:
    import ezdxf

    geom = import_dxf(drawing(tmp_path, [(0, 0), (48000, 0), (48000, 30000), (0, 30000)], ezdxf.units.MM))
    assert geom.outline == ((0.0, 0.0), (48.0, 0.0), (48.0, 30.0), (0.0, 30.0))
    saved_and_reopened(geom)
