"""``SetDesignExtra`` / ``set_oversubscription``: a design-level section of ``design.extra``
set and restored exactly (issue 14's oversubscription)."""

from __future__ import annotations

import pytest

from designer.model import Design
from designer.model.commands import SetDesignExtra, set_oversubscription


def test_set_oversubscription_and_its_inverse_round_trip():
    d = Design("x")
    d.extra["fabric"] = {"oversubscription": 1.0, "note": "kept"}
    seen = []
    d.subscribe(seen.append)
    inverse = set_oversubscription(d, 3).apply(d)
    assert d.extra["fabric"] == {"oversubscription": 3.0, "note": "kept"}
    assert [c.kind for c in seen] == ["site"]   # design-wide: everything is evaluated again
    redo = inverse.apply(d)
    assert d.extra["fabric"] == {"oversubscription": 1.0, "note": "kept"}
    redo.apply(d)
    assert d.extra["fabric"]["oversubscription"] == 3.0


def test_a_section_the_design_lacked_is_removed_again():
    d = Design("x")
    inverse = SetDesignExtra("fabric", {"oversubscription": 2.0}).apply(d)
    assert d.extra == {"fabric": {"oversubscription": 2.0}}
    inverse.apply(d)
    assert "fabric" not in d.extra


@pytest.mark.parametrize("bad", [0.0, 0.05, 17, float("nan"), float("inf")])
def test_an_oversubscription_outside_the_files_range_is_refused(bad):
    with pytest.raises(ValueError, match="from 0.1 to 16"):
        set_oversubscription(Design("x"), bad)
