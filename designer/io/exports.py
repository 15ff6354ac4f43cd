"""Exports that need no Qt: JSON report, CSV bill of materials, DXF. Plan images and
the PDF report are drawn with Qt (``designer.ui.plan_export``) and dispatched from
``designer.app``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from designer.catalog import Catalog, load_catalog
from designer.engine import Evaluation, evaluate
from designer.io.dcplan import atomic_write_bytes
from designer.model import Design

CORE_FORMATS = ("json", "csv", "dxf")


class ExportError(RuntimeError):
    """An export could not be written; the message says why."""


def export_design(design: Design, fmt: str, out: str | os.PathLike, evaluation: Evaluation | None = None,
                  catalog: Catalog | None = None, progress=None) -> Path:
    """Write ``design`` as ``fmt`` (json, csv, dxf) to ``out`` (written atomically)."""
    from designer.io.bom import bom_csv
    from designer.io.dxf import export_dxf

    out = Path(out)
    base = catalog or load_catalog()
    ev = evaluation if evaluation is not None else evaluate(design, base)
    try:
        if fmt == "json":
            atomic_write_bytes(out, (json.dumps(ev.report(), indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        elif fmt == "csv":
            atomic_write_bytes(out, bom_csv(design, ev, base).encode("utf-8"))
        elif fmt == "dxf":
            tmp = out.with_name(f".{out.name}.partial")
            try:
                export_dxf(design, tmp, ev, base, progress=progress)
                os.replace(tmp, out)
            finally:
                if tmp.exists():
                    tmp.unlink()
        else:
            raise ExportError(f"unknown export format {fmt!r} (one of {', '.join(CORE_FORMATS)})")
    except OSError as exc:
        raise ExportError(f"{out}: cannot write ({exc.strerror or exc})") from None
    return out
