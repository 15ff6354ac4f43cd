"""Autosave and crash recovery, the run-time error dialog and the log file.

Unsaved changes are written every N seconds (preference ``prefs/autosave_seconds``,
default 60) to ``<app data>/autosave/<session>.dcplan`` with a small JSON note (the
design's own path, name, time). Each running window holds a lock file for its session;
at the next start, autosaves whose lock is no longer held (the app was killed or
crashed) are offered for recovery, one by one. A recovered design opens modified.
Saving, or closing without changes, removes the autosave.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import logging.handlers
import sys
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer
from PySide6.QtWidgets import QMessageBox

from designer.io import DesignFileError, read_design, write_design
from designer.io.atomic import atomic_write_bytes
from designer.ui import settings

log = logging.getLogger("designer")


def data_dir() -> Path:
    """The platform's application-data folder for Designer (created on demand)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    if not base:
        base = str(Path.home() / ".local" / "share" / "Designer")
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def autosave_dir() -> Path:
    path = data_dir() / "autosave"
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_path() -> Path:
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path / "designer.log"


def setup_logging() -> Path:
    """A rotating log file (1 MB × 5) in the app-data folder; returns its path."""
    path = log_path()
    root = logging.getLogger()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        logging.getLogger("ezdxf").setLevel(logging.ERROR)
    return path


@dataclass
class Orphan:
    """An autosave left behind by a session that did not end cleanly."""

    design_path: Path
    note_path: Path
    lock_path: Path
    name: str
    original: str | None
    saved_at: str


class Autosaver(QObject):
    """Keeps an autosave of one window's document while it has unsaved changes."""

    def __init__(self, window, interval_s: int | None = None):
        super().__init__(window)
        self.window = window
        self.session = uuid.uuid4().hex[:12]
        folder = autosave_dir()
        self.path = folder / f"{self.session}.dcplan"
        self.note = folder / f"{self.session}.json"
        self.lock = QLockFile(str(folder / f"{self.session}.lock"))
        self.lock.setStaleLockTime(0)
        self.lock.tryLock(0)
        self._saved_index = None
        self.timer = QTimer(self)
        self.timer.setInterval(1000 * (interval_s or settings.autosave_seconds()))
        self.timer.timeout.connect(self.autosave_now)
        self.timer.start()
        stack = window.document.undo_stack
        stack.cleanChanged.connect(self._on_clean_changed)
        window.document.design_replaced.connect(self._on_design_replaced)

    def autosave_now(self) -> bool:
        """Write the autosave if there are unsaved changes not yet autosaved."""
        doc = self.window.document
        stack = doc.undo_stack
        if not doc.modified:
            return False
        if self._saved_index == (id(doc.design), stack.index()):
            return False
        try:
            write_design(doc.design, self.path, keep_backup=False)
            note = {"name": doc.design.name, "original": str(doc.path) if doc.path else None,
                    "saved_at": _dt.datetime.now().isoformat(timespec="seconds")}
            atomic_write_bytes(self.note, json.dumps(note).encode("utf-8"))
        except OSError as exc:  # a full disk must not stop the planner working
            log.warning("autosave failed: %s", exc)
            return False
        self._saved_index = (id(doc.design), stack.index())
        return True

    def discard(self) -> None:
        for p in (self.path, self.note):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
        self._saved_index = None

    def close(self) -> None:
        """The window closes normally: nothing to recover."""
        self.timer.stop()
        self.discard()
        self.lock.unlock()

    def _on_clean_changed(self, clean: bool) -> None:
        if clean:
            self.discard()

    def _on_design_replaced(self) -> None:
        self.discard()


def find_orphans() -> list[Orphan]:
    """Autosaves whose session is no longer running."""
    out = []
    for note in sorted(autosave_dir().glob("*.json")):
        session = note.stem
        design = note.with_suffix(".dcplan")
        lock_path = note.with_suffix(".lock")
        lock = QLockFile(str(lock_path))
        lock.setStaleLockTime(0)
        if not lock.tryLock(0):
            continue  # another running window owns it
        lock.unlock()
        if not design.exists():
            note.unlink(missing_ok=True)
            continue
        try:
            meta = json.loads(note.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        out.append(Orphan(design, note, lock_path, str(meta.get("name", session)), meta.get("original"),
                          str(meta.get("saved_at", ""))))
    return out


def recover(window, orphan: Orphan) -> bool:
    """Open an orphaned autosave in ``window``, marked modified; the autosave is removed
    once the window has taken it (it will autosave again under its own session)."""
    try:
        design = read_design(orphan.design_path, window.document.catalog)
    except DesignFileError as exc:
        log.warning("autosave %s unreadable: %s", orphan.design_path, exc)
        discard(orphan)
        return False
    window.document.set_design(design, orphan.original)
    window.document.undo_stack.resetClean()  # never clean: it has not been saved
    window.setWindowModified(True)
    discard(orphan)
    window.autosaver.autosave_now()
    return True


def discard(orphan: Orphan) -> None:
    for p in (orphan.design_path, orphan.note_path, orphan.lock_path):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def offer_recovery(window, policy: str = "ask") -> int:
    """Offer each orphaned autosave (``policy``: ask, all, none); returns how many were restored."""
    restored = 0
    for orphan in find_orphans():
        if policy == "none":
            continue
        answer = QMessageBox.StandardButton.Yes
        if policy == "ask":
            where = f"\n\nIt belongs to {orphan.original}." if orphan.original else ""
            answer = QMessageBox.question(
                window, "Recover unsaved changes",
                f"Designer did not close normally. Unsaved changes to “{orphan.name}” were autosaved at "
                f"{orphan.saved_at.replace('T', ' ')}.{where}\n\nRestore them?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            restored += bool(recover(window, orphan))
            if policy == "ask":
                break  # one window holds one document; the others are offered at the next start
        elif answer == QMessageBox.StandardButton.Discard:
            discard(orphan)
    return restored


def install(window, interval_s: int | None = None) -> Autosaver:
    """The window's autosaver (the window keeps it as ``autosaver``)."""
    return Autosaver(window, interval_s)


def install_error_dialog(app, window_getter) -> None:
    """Unexpected exceptions: log them, autosave, tell the planner where the log is; keep running."""
    path = setup_logging()

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("unexpected error\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        window = window_getter()
        if window is not None and getattr(window, "autosaver", None) is not None:
            try:
                window.autosaver.autosave_now()
            except Exception:  # noqa: BLE001 - never fail inside the hook
                log.exception("autosave after an error failed")
        box = QMessageBox(QMessageBox.Icon.Critical, "Something went wrong",
                          f"Designer hit an unexpected error and carried on:\n\n{exc_type.__name__}: {exc}",
                          QMessageBox.StandardButton.Ok, window)
        box.setInformativeText(f"Your unsaved work is autosaved. The details are in the log:\n{path}")
        box.exec()

    sys.excepthook = hook
