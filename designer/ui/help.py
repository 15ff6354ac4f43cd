"""Help ▸ User Guide, Help ▸ Keyboard Shortcuts and About.

The guide is bundled (``resources/help/guide.html``) and shown offline in a
``QTextBrowser``. The shortcuts table is generated from the window's own actions each
time it is opened, so it always says what the keys do in this build.
"""

from __future__ import annotations

import html
import sys
from importlib import metadata
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QDockWidget, QLineEdit, QMenu, QMessageBox, QTextBrowser, QVBoxLayout, QWidget,
)

import designer
from designer.paths import resources_dir

#: Keys the plan handles itself (not actions), listed under "On the plan".
PLAN_KEYS: tuple[tuple[str, str], ...] = (
    ("Arrow keys", "Nudge the selection one grid step (Shift: 0.1 m)"),
    ("Esc", "Cancel the gesture in progress, else back to Select, else clear the selection"),
    ("Space + drag", "Pan the plan (or drag with the middle or right button)"),
    ("Wheel", "Zoom about the cursor"),
    ("Shift while dropping", "Turn the dropped equipment round"),
    ("Menu key / right click", "Context menu of the item or hall under the cursor"),
)


def guide_path() -> Path:
    """The bundled user guide (HTML)."""
    return resources_dir() / "help" / "guide.html"


def app_version() -> str:
    """The installed package's version (its metadata), else the source's ``__version__``."""
    try:
        return metadata.version("designer")
    except metadata.PackageNotFoundError:
        return designer.__version__


# ---------------------------------------------------------------------- shortcuts
def shortcut_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """(menu, command, keys) of every action of ``window`` that has a shortcut, in menu
    order, then the tool bars' and the window's other actions; each action once."""
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()

    def add(action: QAction, where: str) -> None:
        if id(action) in seen or action.isSeparator():
            return
        keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts() if not s.isEmpty()]
        if not keys:
            return
        seen.add(id(action))
        text = action.text().replace("&", "").rstrip("…").strip() or action.iconText()
        if text.startswith(("Undo ", "Redo ")):  # the undo stack's actions name the next step
            text = text[:4]
        rows.append((where, text, ", ".join(dict.fromkeys(keys))))

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{path} ▸ {sub.title().replace('&', '')}")
            else:
                add(action, path)

    menubar = getattr(window, "menuBar", None)
    if menubar is not None:
        for top in menubar().actions():
            if isinstance(top.menu(), QMenu):
                walk(top.menu(), top.menu().title().replace("&", ""))
    for action in window.findChildren(QAction):  # a panel's own actions: under its title
        add(action, _owner_title(action))
    return rows


def _owner_title(action: QAction) -> str:
    """The title of the dock an action belongs to ("Problems"), else "Other"."""
    obj = action.parent()
    while obj is not None:
        if isinstance(obj, QDockWidget):
            return obj.windowTitle().split(" (")[0]
        obj = obj.parent()
    return "Other"


def shortcuts_html(window: QWidget) -> str:
    """The Keyboard Shortcuts page: one table per menu, then the plan's own keys."""
    out = ["<h2>Keyboard shortcuts</h2>",
           "<p>Single-key shortcuts (the tools, R) act on the plan; while you type in a field they type "
           "into the field.</p>"]
    current = None
    for where, command, keys in shortcut_rows(window):
        if where != current:
            if current is not None:
                out.append("</table>")
            out.append(f"<h3>{html.escape(where)}</h3><table cellspacing='0' cellpadding='3' width='100%'>")
            current = where
        out.append(f"<tr><td width='60%'>{html.escape(command)}</td><td><b>{html.escape(keys)}</b></td></tr>")
    if current is not None:
        out.append("</table>")
    out.append("<h3>On the plan</h3><table cellspacing='0' cellpadding='3' width='100%'>")
    for keys, what in PLAN_KEYS:
        out.append(f"<tr><td width='60%'>{html.escape(what)}</td><td><b>{html.escape(keys)}</b></td></tr>")
    out.append("</table>")
    return "\n".join(out)


# ---------------------------------------------------------------------- dialogs
class HelpBrowser(QDialog):
    """A non-modal window showing help text (HTML) with a find field; links to other
    pages of the guide stay inside it, links to the web open in the browser."""

    def __init__(self, title: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText("Find in this page…")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.returnPressed.connect(self.find_next)
        self.browser = QTextBrowser()
        self.browser.setObjectName(f"{name}_text")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_link)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.find_edit)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(760, 640)

    def find_next(self) -> bool:
        """Select the next match of the find field (wrapping to the start); False when none."""
        text = self.find_edit.text()
        if not text:
            return False
        if self.browser.find(text):
            return True
        cursor = self.browser.textCursor()
        cursor.movePosition(cursor.MoveOperation.Start)
        self.browser.setTextCursor(cursor)
        return self.browser.find(text)

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
        elif url.hasFragment() and (not url.path() or url.path() == self.browser.source().path()):
            self.browser.scrollToAnchor(url.fragment())
        else:
            self.browser.setSource(url)


def user_guide(parent: QWidget | None = None) -> HelpBrowser:
    """The user guide window (not yet shown)."""
    dialog = HelpBrowser("Designer User Guide", "user_guide", parent)
    path = guide_path()
    if path.is_file():
        dialog.browser.setSearchPaths([str(path.parent)])
        dialog.browser.setSource(QUrl.fromLocalFile(str(path)))
    else:
        dialog.browser.setHtml(f"<p>The user guide was not found at {html.escape(str(path))}. "
                               "This installation is incomplete; reinstall Designer.</p>")
    return dialog


def keyboard_shortcuts(window: QWidget) -> HelpBrowser:
    """The keyboard shortcuts of ``window``'s actions (not yet shown)."""
    dialog = HelpBrowser("Keyboard Shortcuts", "keyboard_shortcuts", window)
    dialog.browser.setHtml(shortcuts_html(window))
    dialog.resize(560, 680)
    return dialog


def about_text() -> str:
    """About Designer: version, what it is, where figures come from."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    py = ".".join(str(v) for v in sys.version_info[:3])
    return (f"<h3>Designer {html.escape(app_version())}</h3>"
            "<p>Plans AI datacenter halls built from AWS Trainium3 UltraServers: power, cooling, "
            "cable reach and compute, evaluated on every edit. Works offline.</p>"
            "<p>Every catalog figure carries its source or is marked as an assumption "
            "(see the Assumptions tab).</p>"
            f"<p style='color:#5f6368'>Python {py} · Qt {qVersion()} · PySide6 {pyside_version}</p>")


def show_about(parent: QWidget) -> None:
    """The About box (with the app's icon)."""
    box = QMessageBox(parent)
    box.setObjectName("about_box")
    box.setWindowTitle("About Designer")
    box.setText(about_text())
    icon = parent.windowIcon() if parent is not None else None
    if icon is not None and not icon.isNull():
        box.setIconPixmap(icon.pixmap(64, 64))
    box.exec()
