"""Shared fixtures. Tests run headless: Qt's offscreen platform unless told otherwise."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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
