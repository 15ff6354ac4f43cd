"""Where the bundled resources (catalog, examples, icons) live."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """The ``resources/`` folder: beside the package in a checkout, inside a frozen build."""
    override = os.environ.get("DESIGNER_RESOURCES")
    if override:
        return Path(override)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def catalog_dir() -> Path:
    return resources_dir() / "catalog"


def examples_dir() -> Path:
    return resources_dir() / "examples"


def pilot_sample() -> Path:
    """The sample hall opened when the app starts without a file."""
    return examples_dir() / "pilot-hall.dcplan"
