"""Shared fixtures. Tests run headless: Qt's offscreen platform unless told otherwise."""

from __future__ import annotations

import os

import tempfile  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep the user's settings, recent files and autosaves out of the tests: QSettings and
# QStandardPaths follow the XDG folders on Linux.
_sandbox = tempfile.mkdtemp(prefix="designer-tests-")
for _var, _sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"),
                   ("XDG_STATE_HOME", "state")):
    os.environ[_var] = os.path.join(_sandbox, _sub)

import pytest  # noqa: E402

from designer.catalog import load_catalog  # noqa: E402
from designer.model import Design, Equipment, Hall  # noqa: E402
from designer.paths import examples_dir  # noqa: E402


@pytest.fixture(autouse=True)
def _python_collector_defaults():
    """A test that runs the app in-process (run_app) switches on its collector settings
    (designer.ui.heap); the next test starts from Python's defaults again."""
    yield
    import sys

    heap = sys.modules.get("designer.ui.heap")
    if heap is not None:
        heap.disable()


@pytest.fixture(scope="session")
def catalog():
    """The bundled catalog (frozen; safe to share)."""
    return load_catalog()


@pytest.fixture
def pilot_path():
    return examples_dir() / "pilot-hall.dcplan"


@pytest.fixture
def full_hall_path():
    return examples_dir() / "full-hall.dcplan"


def small_design(fabric: bool = False) -> Design:
    """A 20 × 10 m hall: one column, one keep-out, two UltraServers back to back across a
    hot aisle, a network rack, a CDU, an air handler and a busway over each row.

    Under the fabric rules (issue 14) the two UltraServers' 2 × 36 EFA links need more
    than net1's 64 server ports (128 ports at oversubscription 1) and a tier above the
    leaves: on its own the hall has a ``network-ports`` and a ``fabric-capacity`` error
    (tests/ui/test_network_ui.py adds its own leaf and spine racks onto it). With
    ``fabric`` it is without problems: net2 beside net1 under bw1 (both leaves on one
    busway) and spine1 at the end of the second row under bw2 (E = 72 → tiers [3, 2]:
    2 switches of its 16)."""
    design = Design("Small test hall")
    design.halls.append(Hall(
        "A", "Hall A", ((0, 0), (20, 0), (20, 10), (0, 10)),
        columns=[((9.0, 4.0), (9.6, 4.0), (9.6, 4.6), (9.0, 4.6))],
        keepouts=[((15.0, 7.0), (19.0, 7.0), (19.0, 9.0), (15.0, 9.0))],
    ))
    design.equipment.insert([
        Equipment("cdu1", "cdu-in-row", "A", 2.4, 3.0, 0.0),
        Equipment("us1-r1", "trn3-gen2-rack", "A", 3.0, 3.0, 0.0, "us1"),
        Equipment("us1-r2", "trn3-gen2-rack", "A", 3.6, 3.0, 0.0, "us1"),
        Equipment("net1", "network-rack", "A", 4.2, 3.0, 0.0),
        Equipment("us2-r1", "trn3-gen2-rack", "A", 3.0, 6.0, 180.0, "us2"),
        Equipment("us2-r2", "trn3-gen2-rack", "A", 3.6, 6.0, 180.0, "us2"),
        Equipment("bw1", "busway-1200a", "A", 2.0, 3.0, 0.0, None, (5.0, 3.0)),
        Equipment("bw2", "busway-1200a", "A", 2.0, 6.0, 0.0, None, (5.0, 6.0)),
        Equipment("crah1", "crah", "A", 11.0, 8.5, 0.0),
    ])
    if fabric:
        design.equipment.insert([
            Equipment("net2", "network-rack", "A", 4.8, 3.0, 0.0),
            Equipment("spine1", "spine-rack", "A", 4.2, 6.0, 180.0),
        ])
    return design


@pytest.fixture
def make_small_design():
    """:func:`small_design` as a fixture (test folders have no common package to import)."""
    return small_design
