"""Work-arounds for defects of the Qt binding that would crash the app.

PySide6 6.12.0 on CPython 3.11 releases one reference to ``None`` too many every
time a C++ method returning ``void`` is called from Python (``pen.setWidth(2)``,
``painter.drawPath(p)``, …). ``None`` starts with a few thousand references, so
after a few thousand such calls — one busy repaint — the interpreter aborts with
``Fatal Python error: none_dealloc``. From Python 3.12 ``None`` is immortal and the
extra release is harmless; on 3.11 we give ``None`` a reference count so large that
no session can use it up. The guard checks for the defect first and does nothing
on a binding that counts correctly.
"""

from __future__ import annotations

import ctypes
import sys

#: References added to ``None`` when the defect is present (≈ 10¹⁵ void calls).
_NONE_RESERVE = 1 << 50
_applied = False


def void_calls_release_none() -> bool:
    """True if calling a ``void`` Qt method drops a reference to ``None``."""
    from PySide6.QtCore import QRectF

    rect = QRectF()
    calls = 16
    before = sys.getrefcount(None)
    for _ in range(calls):
        rect.setX(0.0)
    return before - sys.getrefcount(None) >= calls // 2


def guard_none_refcount() -> bool:
    """Protect ``None`` from the binding's over-release; True if the guard was needed."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # None is immortal (PEP 683), or not CPython's object layout
    if not void_calls_release_none():
        return False
    # ob_refcnt is the first field of every object in a CPython 3.11 release build.
    ctypes.c_ssize_t.from_address(id(None)).value += _NONE_RESERVE
    _applied = True
    return True
