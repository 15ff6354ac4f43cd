"""Exports drawn with Qt and the one dispatcher for every format (:data:`designer.io.exports.FORMATS`).

``plan``: the plan sheet (PNG, SVG, PDF) · ``report``: the PDF report · ``actions``:
File ▸ Export and Import in the main window.
"""

from __future__ import annotations

import os
from pathlib import Path

from designer.catalog import Catalog
from designer.engine import Evaluation
from designer.io.exports import export_design, export_format
from designer.model import Design
from designer.ui.export.plan import export_plan
from designer.ui.export.report import export_pdf_report


def export_file(design: Design, catalog: Catalog, evaluation: Evaluation, fmt: str, path: str | os.PathLike,
                scene=None, progress=None, resilience=None) -> Path:
    """Write ``design`` as the export format named ``fmt``. ``scene``: the canvas's scene
    (the plan as shown, overlays included), or None for one made for the export.
    ``resilience``: every single failure of the design, for the PDF report (tried there
    when None)."""
    spec = export_format(fmt)
    path = Path(path)
    if not spec.needs_qt:
        return export_design(design, spec.name, path, evaluation, catalog, progress=progress)
    if spec.name == "pdf":
        export_pdf_report(design, catalog, evaluation, path, scene=scene, progress=progress, resilience=resilience)
    else:
        export_plan(design, catalog, evaluation, path, spec.suffix, scene=scene)
    return path
