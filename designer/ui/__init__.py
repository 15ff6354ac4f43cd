"""Everything Qt: the main window, the floor-plan canvas and the docks."""

from __future__ import annotations


def run_app(path: str | None = None, *, recover: str = "ask", autosave_seconds: int | None = None,
            script: str | None = None) -> int:
    """Open the app on ``path`` (the bundled sample hall when None); returns the exit code.

    A file that cannot be read is reported in a message box and a new design is
    opened instead. Autosaves of sessions that did not end cleanly are offered
    (``recover``: ask, all, none). ``script`` (automation and tests) is a Python file
    run once the window is shown, with ``window`` and ``app`` defined.
    """
    import sys

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from designer.io import DesignFileError
    from designer.paths import pilot_sample
    from designer.ui.main_window import APP_NAME, MainWindow

    from designer.ui import heap

    heap.enable()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    from PySide6.QtGui import QIcon

    from designer.paths import resources_dir

    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "designer.svg")))
    app.setDesktopFileName("io.designer.Designer")  # lets Wayland match the window to its menu entry
    from designer.ui import autosave

    holder: list = []
    autosave.install_error_dialog(app, lambda: holder[0] if holder else None)
    window = MainWindow(autosave_seconds=autosave_seconds)
    holder.append(window)
    try:
        window.open_file(path if path is not None else pilot_sample())
    except DesignFileError as exc:
        from designer.ui.main_window import backup_of

        message, error = str(exc), exc
        if path is not None and backup_of(path) is not None:  # say so, and offer to open the backup
            QTimer.singleShot(0, lambda: window.open_failed(path, error))
        else:
            QTimer.singleShot(0, lambda: QMessageBox.warning(window, "Cannot open design", message))
    window.show()
    QTimer.singleShot(0, lambda: autosave.offer_recovery(window, recover))
    if script is not None:
        code = compile(open(script, encoding="utf-8").read(), script, "exec")
        QTimer.singleShot(50, lambda: exec(code, {"window": window, "app": app}))  # noqa: S102 (explicit CLI option)
    return app.exec()


__all__ = ["run_app"]
