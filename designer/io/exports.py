"""The export formats, defined once, and the exports that need no Qt (JSON report, CSV
bill of materials, DXF). The command line's ``--format`` choices, File ▸ Export and the
export dispatcher (``designer.ui.export``, which draws the plan and the PDF report with
Qt) all read :data:`FORMATS`."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from designer.catalog import Catalog, load_catalog
from designer.engine import Evaluation, evaluate
from designer.io.dcplan import atomic_write_bytes
from designer.model import Design


@dataclass(frozen=True)
class ExportFormat:
    """One export: its ``--format`` name, file suffix, File ▸ Export entry and dialog
    filter, whether drawing it needs Qt, and what it holds (for ``--help``)."""

    name: str
    suffix: str
    menu_text: str
    file_filter: str
    needs_qt: bool
    holds: str
    stem_suffix: str = ""  # added to the suggested file name ("pilot-plan.pdf")


#: every export, in the order of File ▸ Export
FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("png", "png", "Plan as &PNG…", "PNG image (*.png)", True, "the plan sheet"),
    ExportFormat("svg", "svg", "Plan as &SVG…", "SVG drawing (*.svg)", True, "the plan sheet"),
    ExportFormat("plan-pdf", "pdf", "Plan as P&DF…", "PDF document (*.pdf)", True, "the plan sheet", "-plan"),
    ExportFormat("pdf", "pdf", "PDF &report…", "PDF document (*.pdf)", True,
                 "the PDF report (summary, plan, tables, violations, assumptions)"),
    ExportFormat("csv", "csv", "&Bill of materials (CSV)…", "CSV table (*.csv)", False, "bill of materials"),
    ExportFormat("json", "json", "&JSON report…", "JSON document (*.json)", False, "the report"),
    ExportFormat("dxf", "dxf", "&DXF for CAD…", "DXF drawing (*.dxf)", False, "CAD"),
)
FORMAT_NAMES = tuple(f.name for f in FORMATS)
CORE_FORMATS = tuple(f.name for f in FORMATS if not f.needs_qt)


class ExportError(RuntimeError):
    """An export could not be written; the message says why."""


def export_format(name: str) -> ExportFormat:
    """The format called ``name`` (raises :class:`ExportError` for an unknown one)."""
    for f in FORMATS:
        if f.name == name:
            return f
    raise ExportError(f"unknown export format {name!r} (one of {', '.join(FORMAT_NAMES)})")


@contextmanager
def partial_file(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer that needs a file name: it replaces
    ``path`` when the block ends normally and is removed otherwise (nothing half-written)."""
    tmp = path.with_name(f".{path.name}.partial")
    try:
        yield tmp
        if not tmp.exists():
            raise OSError(f"cannot write {path}")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def export_design(design: Design, fmt: str, out: str | os.PathLike, evaluation: Evaluation | None = None,
                  catalog: Catalog | None = None, progress=None) -> Path:
    """Write ``design`` as ``fmt`` (json, csv, dxf) to ``out`` (written atomically)."""
    from designer.io.bom import bom_csv
    from designer.io.dxf import export_dxf

    if fmt not in CORE_FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (one of {', '.join(CORE_FORMATS)})")
    out = Path(out)
    base = catalog or load_catalog()
    ev = evaluation if evaluation is not None else evaluate(design, base)
    try:
        if fmt == "json":
            atomic_write_bytes(out, (json.dumps(ev.report(), indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        elif fmt == "csv":
            atomic_write_bytes(out, bom_csv(design, ev, base).encode("utf-8"))
        else:
            with partial_file(out) as tmp:
                export_dxf(design, tmp, ev, base, progress=progress)
    except InterruptedError:  # cancelled from the progress callback (an OSError, but no failure)
        raise
    except OSError as exc:
        raise ExportError(f"{out}: cannot write ({exc.strerror or exc})") from None
    return out
