"""What the app remembers between sessions: the one module that touches ``QSettings``.

Typed getters and setters over one store, ``QSettings("Designer", "Designer")`` (on
Linux an INI file under ``$XDG_CONFIG_HOME``). Keys are private to this module.
"""

from __future__ import annotations

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

#: Groups :func:`forget` can clear (tests and benchmarks start from the defaults).
GROUPS = ("window", "view", "prefs", _RECENT)

__all__ = [
    "APP_NAME", "ORGANIZATION", "MAX_RECENT", "DEFAULT_AUTOSAVE_S", "GROUPS", "forget",
    "window_geometry", "set_window_geometry", "window_state", "set_window_state",
    "colour_mode", "set_colour_mode", "overlays", "set_overlays",
    "recent_files", "add_recent_file",
    "imperial_units", "set_imperial_units", "autosave_seconds", "set_autosave_seconds",
    "snap_enabled", "set_snap_enabled",
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
def recent_files() -> list[str]:
    """Recently opened or saved designs, newest first (absolute paths)."""
    value = _store().value(_RECENT, [])
    if isinstance(value, str):  # QSettings hands back a one-item list as a string
        value = [value]
    return [str(v) for v in (value or [])]


def add_recent_file(path) -> None:
    """Put ``path`` first in the recent files (no duplicates, at most :data:`MAX_RECENT`)."""
    path = str(Path(path).resolve())
    files = [f for f in recent_files() if f != path]
    _store().setValue(_RECENT, [path, *files][:MAX_RECENT])


# ---------------------------------------------------------------- preferences
def imperial_units() -> bool:
    """Whether lengths and loads show in feet and pounds (stored as ``metric``/``imperial``)."""
    return str(_store().value(_UNITS, "metric")).lower() == "imperial"


def set_imperial_units(imperial: bool) -> None:
    """Show feet and pounds (True) or metres and kilograms (False)."""
    _store().setValue(_UNITS, "imperial" if imperial else "metric")


def autosave_seconds() -> int:
    """Seconds between autosaves (at least 1)."""
    try:
        return max(1, int(_store().value(_AUTOSAVE_S, DEFAULT_AUTOSAVE_S)))
    except (TypeError, ValueError):
        return DEFAULT_AUTOSAVE_S


def set_autosave_seconds(seconds: int) -> None:
    """Autosave every ``seconds``."""
    _store().setValue(_AUTOSAVE_S, int(seconds))


def snap_enabled() -> bool:
    """Whether placing and moving snap to the tile grid and neighbouring racks."""
    return _flag(_store().value(_SNAP), True)


def set_snap_enabled(on: bool) -> None:
    """Remember whether placing and moving snap."""
    _store().setValue(_SNAP, bool(on))
