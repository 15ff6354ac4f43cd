"""File ▸ Export and File ▸ Import: plan images, PDF report, bill of materials, JSON,
DXF both ways — with progress and cancel for the long ones."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QLabel, QMessageBox, QProgressDialog)

from designer.io.dxf import DxfError, HallGeometry, import_dxf
from designer.io.exports import FORMATS, ExportError, ExportFormat, export_format
from designer.model import Hall
from designer.model.commands import AddHall, SetHall
from designer.ui import settings
from designer.ui.export import export_file
from designer.ui.export.report import ExportCancelled


class _Progress:
    """A cancellable progress dialog as the exporters' ``progress`` callback."""

    def __init__(self, window, label: str):
        self.dialog = QProgressDialog(label, "Cancel", 0, 100, window)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(400)
        self.dialog.setAutoClose(True)

    def __call__(self, fraction: float | None) -> bool:
        if fraction is not None:
            self.dialog.setValue(int(fraction * 100))
        QApplication.processEvents()
        return not self.dialog.wasCanceled()

    def done(self) -> None:
        self.dialog.setValue(100)
        self.dialog.close()


def export_to(window, fmt: str, path: str | Path) -> None:
    """Export the window's document (what the canvas shows, overlays included). The PDF
    report is of the design as built: during a what-if, of the design with nothing failed,
    and with every single failure the document has tried (tried here when not yet known)."""
    from designer.engine import Evaluator, evaluate

    doc = window.document
    doc.evaluate_pending()  # edits not yet evaluated go first
    evaluation = doc.evaluation if doc.evaluation is not None else evaluate(doc.design, doc.catalog)
    scene, resilience = window.scene, None
    if export_format(fmt).name == "pdf":
        if doc.failed_ids:  # the what-if's state is not the design's: evaluate it as built
            evaluator = Evaluator(doc.design, doc.catalog)
            evaluation, resilience, scene = evaluator.evaluation, evaluator.resilience(), None
        elif not doc.resilience_pending():
            resilience = doc.resilience  # (None when not tried yet: the report tries it)
    progress = _Progress(window, f"Exporting {Path(path).name}…")
    try:
        export_file(doc.design, doc.catalog, evaluation, fmt, path, scene=scene, progress=progress,
                    resilience=resilience)
    finally:
        progress.done()


def export_start_path(window, spec: ExportFormat) -> str:
    """Where the Export dialog opens: the folder of the last export (else the design's
    folder, else home), with a file name made from the design's."""
    doc = window.document
    stem = doc.path.stem if doc.path else doc.design.name
    folder = settings.export_folder() or (doc.path.parent if doc.path else Path.home())
    return str(folder / f"{stem}{spec.stem_suffix}.{spec.suffix}")


def _on_export_triggered(window, spec: ExportFormat) -> None:
    path, _ = QFileDialog.getSaveFileName(window, "Export", export_start_path(window, spec), spec.file_filter)
    if not path:
        return
    settings.set_export_folder(Path(path).parent)
    if not path.lower().endswith(f".{spec.suffix}"):
        path += f".{spec.suffix}"
    try:
        export_to(window, spec.name, path)
    except (ExportCancelled, InterruptedError):
        window.statusBar().showMessage("Export cancelled; nothing was written", 4000)
        return
    except (ExportError, OSError, ValueError) as exc:
        QMessageBox.critical(window, "Export failed", f"{Path(path).name} was not written:\n{exc}")
        return
    window.statusBar().showMessage(f"Exported {path}", 5000)


class DxfImportDialog(QDialog):
    """Choose the layers holding the outline, columns and keep-outs, and the target hall."""

    def __init__(self, window, layers: list[str]):
        super().__init__(window)
        self.setWindowTitle("Import hall from DXF")
        form = QFormLayout(self)
        form.addRow(QLabel("Closed polylines on these layers become the hall outline (the largest one), "
                           "its columns and its keep-out zones. Units come from the drawing."))
        self.outline = QComboBox()
        self.columns = QComboBox()
        self.keepouts = QComboBox()
        for combo, guesses in ((self.outline, ("HALL", "A-WALL", "WALL", "OUTLINE")),
                               (self.columns, ("COLUMNS", "S-COLS", "COLUMN", "S-COLUMN")),
                               (self.keepouts, ("KEEPOUTS", "KEEPOUT", "KEEP-OUT"))):
            combo.addItem("(none)")
            combo.addItems(layers)
            for g in guesses:
                k = combo.findText(g, Qt.MatchFlag.MatchFixedString)
                if k >= 0:
                    combo.setCurrentIndex(k)
                    break
        self.target = QComboBox()
        self.target.addItem("A new hall", None)
        for hall in window.document.design.halls:
            self.target.addItem(f"Replace the geometry of {hall.name}", hall.id)
        form.addRow("Hall outline layer", self.outline)
        form.addRow("Columns layer", self.columns)
        form.addRow("Keep-outs layer", self.keepouts)
        form.addRow("Into", self.target)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def apply_hall_geometry(window, geom: HallGeometry, hall_id: str | None) -> str:
    """Push the imported geometry as a new hall or onto an existing one (one undo step)."""
    design = window.document.design
    if hall_id is None:
        n = 1
        while f"H{n}" in design.hall_ids():
            n += 1
        hall = Hall(f"H{n}", f"Hall {n}", tuple(geom.outline), list(geom.columns), list(geom.keepouts))
        window.document.push(AddHall(hall, label="Import hall from DXF"))
        return hall.id
    window.document.push(SetHall(hall_id, {"outline": tuple(geom.outline), "columns": list(geom.columns),
                                           "keepouts": list(geom.keepouts)}, label="Import hall geometry from DXF"))
    return hall_id


def _on_import_dxf_triggered(window) -> None:
    import ezdxf

    start = settings.export_folder() or (window.document.path.parent if window.document.path else Path.home())
    path, _ = QFileDialog.getOpenFileName(window, "Import hall from DXF", str(start), "DXF drawing (*.dxf)")
    if not path:
        return
    settings.set_export_folder(Path(path).parent)
    try:
        layers = sorted(layer.dxf.name for layer in ezdxf.recover.readfile(path)[0].layers)
    except Exception as exc:  # ezdxf raises many kinds of errors on hostile files
        QMessageBox.warning(window, "Cannot import", f"{Path(path).name}: not a readable DXF ({exc})")
        return
    dialog = DxfImportDialog(window, layers)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    pick = [c.currentText() if c.currentIndex() > 0 else "\u0000" for c in (dialog.outline, dialog.columns,
                                                                          dialog.keepouts)]
    try:
        geom = import_dxf(path, *pick)
    except DxfError as exc:
        QMessageBox.warning(window, "Cannot import", str(exc))
        return
    hall_id = apply_hall_geometry(window, geom, dialog.target.currentData())
    note = f" ({'; '.join(geom.warnings)})" if geom.warnings else ""
    window.statusBar().showMessage(f"Imported {Path(path).name} into hall {hall_id}{note}", 8000)


def install(window) -> QAction:
    """Fill File ▸ Export and add File ▸ Import hall from DXF… (returned: the window keeps it)."""
    for spec in FORMATS:
        action = QAction(spec.menu_text, window)
        action.setObjectName(f"export_{spec.name}")
        action.triggered.connect(lambda _=False, s=spec: _on_export_triggered(window, s))
        window.export_menu.addAction(action)
    import_dxf = QAction("&Import Hall from DXF…", window)
    import_dxf.triggered.connect(lambda: _on_import_dxf_triggered(window))
    window.file_menu.insertAction(window.export_menu.menuAction(), import_dxf)
    return import_dxf
