"""Everything Qt: the main window, the floor-plan canvas and the docks."""

from __future__ import annotations


def run_app(path: str | None = None) -> int:
    """Open the app on ``path`` (the bundled sample hall when None); returns the exit code.

    A file that cannot be read is reported in a message box and a new design is
    opened instead.
    """
    import sys

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from designer.io import DesignFileError
    from designer.paths import pilot_sample
    from designer.ui.main_window import APP_NAME, MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    window = MainWindow()
    try:
        window.open_file(path if path is not None else pilot_sample())
    except DesignFileError as exc:
        message = str(exc)
        QTimer.singleShot(0, lambda: QMessageBox.warning(window, "Cannot open design", message))
    window.show()
    return app.exec()


__all__ = ["run_app"]
