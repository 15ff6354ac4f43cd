"""What the app remembers between sessions: the one module that touches ``QSettings``.

Typed getters and setters over one store, ``QSettings("Designer", "Designer")`` (on
Linux an INI file under ``$XDG_CONFIG_HOME``). Keys are private to this module.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

APP_NAME = "Designer"
ORGANIZATION = "Designer"
#: Recent files the File ▸ Open Recent menu lists.
MAX_RECENT = 10
#: Seconds between autosaves unless the user chose otherwise.
DEFAULT_AUTOSAVE_S = 60

_GEOMETRY = "window/geometry"
_STATE = "window/state"
_COLOUR_MODE = "view/colour_mode"
_OVERLAYS = "view/overlays"
_RECENT = "recent_files"
_UNITS = "prefs/units"
_AUTOSAVE_S = "prefs/autosave_seconds"
_SNAP = "prefs/snap"
_GRID_M = "prefs/grid_m"
#: The floor's tile grid (metres) placing and moving snap to unless the user chose otherwise.
DEFAULT_GRID_M = 0.6
#: The grid spacings the Preferences dialog accepts (metres).
GRID_RANGE_M = (0.05, 5.0)
#: The autosave intervals the Preferences dialog accepts (seconds).
AUTOSAVE_RANGE_S = (10, 3600)

#: Groups :func:`forget` can clear (tests and benchmarks start from the defaults).
GROUPS = ("window", "view", "prefs", _RECENT, "folders")

__all__ = [
    "APP_NAME", "ORGANIZATION", "MAX_RECENT", "DEFAULT_AUTOSAVE_S", "GROUPS", "forget",
    "window_geometry", "set_window_geometry", "window_state", "set_window_state",
    "colour_mode", "set_colour_mode", "overlays", "set_overlays",
    "recent_files", "add_recent_file", "clear_recent_files",
    "DEFAULT_GRID_M", "GRID_RANGE_M", "AUTOSAVE_RANGE_S", "grid_m", "set_grid_m",
    "imperial_units", "set_imperial_units", "autosave_seconds", "set_autosave_seconds",
    "snap_enabled", "set_snap_enabled",
    "export_folder", "set_export_folder",
]


def _store() -> QSettings:
    return QSettings(ORGANIZATION, APP_NAME)


def _flag(value, default: bool) -> bool:
    """A bool as QSettings hands it back (``True``, ``"true"``, ``"0"`` …)."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no", "off", "")
    return bool(value)


def forget(group: str) -> None:
    """Clear one remembered group (``"window"``, ``"view"``, ``"prefs"``, ``"recent_files"``)."""
    if group not in GROUPS:
        raise ValueError(f"unknown settings group {group!r}; expected one of {', '.join(GROUPS)}")
    _store().remove(group)


# ---------------------------------------------------------------- window layout
def window_geometry() -> QByteArray | None:
    """The main window's saved geometry (``QWidget.saveGeometry``), or None on first run."""
    return _store().value(_GEOMETRY)


def set_window_geometry(geometry: QByteArray) -> None:
    """Remember the main window's geometry."""
    _store().setValue(_GEOMETRY, geometry)


def window_state() -> QByteArray | None:
    """The docks' and toolbars' saved layout (``QMainWindow.saveState``), or None on first run."""
    return _store().value(_STATE)


def set_window_state(state: QByteArray) -> None:
    """Remember the docks' and toolbars' layout."""
    _store().setValue(_STATE, state)


# ---------------------------------------------------------------- view options
def colour_mode() -> str | None:
    """The plan's last colour mode, or None when none was chosen."""
    value = _store().value(_COLOUR_MODE)
    return str(value) if value else None


def set_colour_mode(mode: str | None) -> None:
    """Remember the plan's colour mode."""
    _store().setValue(_COLOUR_MODE, mode)


def overlays() -> list[str]:
    """The overlay kinds shown when the app was last used."""
    return [k for k in str(_store().value(_OVERLAYS, "") or "").split(",") if k]


def set_overlays(kinds) -> None:
    """Remember the overlay kinds shown."""
    _store().setValue(_OVERLAYS, ",".join(kinds))


# ---------------------------------------------------------------- recent files
def _same_file_key(path: str) -> str:
    """One key per file: the resolved path (symbolic links, ``..``), case-folded where
    the platform's file names are case-insensitive."""
    try:
        resolved = str(Path(path).resolve())
    except (OSError, RuntimeError):
        resolved = str(Path(path).absolute())
    return os.path.normcase(resolved)


def recent_files() -> list[str]:
    """Recently opened or saved designs, newest first (absolute paths, each file once)."""
    value = _store().value(_RECENT, [])
    if isinstance(value, str):  # QSettings hands back a one-item list as a string
        value = [value]
    out: list[str] = []
    seen: set[str] = set()
    for v in value or []:
        key = _same_file_key(str(v))
        if key not in seen:  # lists written by older versions may name one file twice
            seen.add(key)
            out.append(str(v))
    return out


def add_recent_file(path) -> None:
    """Put ``path`` first in the recent files (no duplicates, at most :data:`MAX_RECENT`)."""
    path = str(Path(path).resolve())
    key = _same_file_key(path)
    files = [f for f in recent_files() if _same_file_key(f) != key]
    _store().setValue(_RECENT, [path, *files][:MAX_RECENT])


def clear_recent_files() -> None:
    """Forget every recent file (File ▸ Open Recent ▸ Clear List)."""
    _store().remove(_RECENT)


# ---------------------------------------------------------------- preferences
def imperial_units() -> bool:
    """Whether lengths and loads show in feet and pounds (stored as ``metric``/``imperial``)."""
    return str(_store().value(_UNITS, "metric")).lower() == "imperial"


def set_imperial_units(imperial: bool) -> None:
    """Show feet and pounds (True) or metres and kilograms (False)."""
    _store().setValue(_UNITS, "imperial" if imperial else "metric")


def autosave_seconds() -> int:
    """Seconds between autosaves (at least 1; the Preferences dialog offers 10 s to 1 h)."""
    try:
        return max(1, int(_store().value(_AUTOSAVE_S, DEFAULT_AUTOSAVE_S)))
    except (TypeError, ValueError):
        return DEFAULT_AUTOSAVE_S


def set_autosave_seconds(seconds: int) -> None:
    """Autosave every ``seconds``."""
    _store().setValue(_AUTOSAVE_S, int(seconds))


def grid_m() -> float:
    """The grid placing and moving snap to (metres; the 0.6 m floor tile by default)."""
    try:
        value = float(_store().value(_GRID_M, DEFAULT_GRID_M))
    except (TypeError, ValueError):
        return DEFAULT_GRID_M
    lo, hi = GRID_RANGE_M
    return value if lo <= value <= hi else DEFAULT_GRID_M


def set_grid_m(metres: float) -> None:
    """Snap to a grid of ``metres`` (within :data:`GRID_RANGE_M`)."""
    lo, hi = GRID_RANGE_M
    if not lo <= float(metres) <= hi:
        raise ValueError(f"grid spacing must be between {lo:g} and {hi:g} m, got {metres:g}")
    _store().setValue(_GRID_M, float(metres))


def snap_enabled() -> bool:
    """Whether placing and moving snap to the tile grid and neighbouring racks."""
    return _flag(_store().value(_SNAP), True)


def set_snap_enabled(on: bool) -> None:
    """Remember whether placing and moving snap."""
    _store().setValue(_SNAP, bool(on))


# ---------------------------------------------------------------- folders
_EXPORT_FOLDER = "folders/export"


def export_folder() -> Path | None:
    """The folder the last export (or DXF import) went to, while it exists; else None."""
    value = _store().value(_EXPORT_FOLDER)
    if not value:
        return None
    folder = Path(str(value))
    return folder if folder.is_dir() else None


def set_export_folder(folder) -> None:
    """Remember the folder of the last export, for the next export dialog."""
    _store().setValue(_EXPORT_FOLDER, str(Path(folder).resolve()))
