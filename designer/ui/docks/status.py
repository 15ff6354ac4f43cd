"""Status as the docks show it: a word and a colour per engine status code.

The codes are the engine's (``STATUS_OK``, ``STATUS_WARNING``, ``STATUS_ERROR`` in
:mod:`designer.engine.evaluation`); a violation's severity maps onto them.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from designer.engine.evaluation import STATUS_ERROR, STATUS_OK, STATUS_WARNING

#: Text and icon colour per status code (readable on a white background).
STATUS_COLORS = {STATUS_OK: QColor("#2e7d32"), STATUS_WARNING: QColor("#b7791f"), STATUS_ERROR: QColor("#c0392b")}
#: One word per status code.
STATUS_WORDS = {STATUS_OK: "OK", STATUS_WARNING: "Warning", STATUS_ERROR: "Error"}
#: A violation's severity as a status code.
SEVERITY_STATUS = {"warning": STATUS_WARNING, "error": STATUS_ERROR}


def severity_color(severity: str) -> QColor:
    """The colour of a violation of this severity (``"error"`` or ``"warning"``)."""
    return STATUS_COLORS[SEVERITY_STATUS[severity]]


def status_of(errors: int, warnings: int) -> int:
    """The status code of something with these many errors and warnings."""
    return STATUS_ERROR if errors else STATUS_WARNING if warnings else STATUS_OK


def problems_text(errors: int, warnings: int, zeros: bool = True) -> str:
    """``"2 errors, 1 warning"``; with ``zeros=False`` a count of 0 is left out and
    nothing at all reads as an en dash."""
    parts = [(errors, "error"), (warnings, "warning")]
    text = ", ".join(f"{n:,} {word}{'s' if n != 1 else ''}" for n, word in parts if n or zeros)
    return text or "–"
