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


#: The application's name in the platform's application-data path (as Qt's
#: ``QStandardPaths.AppDataLocation`` builds it from the organisation and application names).
APP_ORGANIZATION = "Designer"
APP_NAME = "Designer"


def app_data_dir() -> Path:
    """The platform's application-data folder, the one Qt's ``QStandardPaths.AppDataLocation``
    names (computed here without Qt, so the core can read it headless)."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / APP_ORGANIZATION / APP_NAME


def user_catalog_dir() -> Path:
    """The planner's own equipment types: ``catalog/*.toml`` in the application-data
    folder (``DESIGNER_USER_CATALOG`` overrides it, e.g. for tests)."""
    override = os.environ.get("DESIGNER_USER_CATALOG")
    if override:
        return Path(override)
    return app_data_dir() / "catalog"
