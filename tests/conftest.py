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
from designer.paths import examples_dir  # noqa: E402


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
