"""The export formats, defined once, and the exports that need no Qt (JSON report, CSV
bill of materials, DXF). The command line's ``--format`` choices, File ▸ Export and the
export dispatcher (``designer.ui.export``, which draws the plan and the PDF report with
Qt) all read :data:`FORMATS`."""

from __future__ import annotations

import json
import math
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from designer.catalog import Catalog, load_catalog
from designer.engine import Evaluation, Violation, evaluate
from designer.io.atomic import atomic_write_bytes
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
            atomic_write_bytes(out, evaluation_json(ev))
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


# ====================================================================== the JSON report
# orjson writes what a report holds as the standard library's indenting encoder does,
# byte for byte, but for three kinds of value. Each ends a line of the indented output as
# a whole token (a raw line break never occurs inside a JSON string, so text in names and
# messages cannot match), and is looked for there:
#: floats below 1e-4 in plain notation (``0.00001``; the library writes ``1e-05``) or with a
#: one-digit exponent (``1.5e-7``; the library writes ``1.5e-07``); a number merely ending
#: in such digits (``10.00001``) matches too, and the library then writes the report, as it
#: may. One pattern each, starting with a literal: a 10 MB report is scanned in ~10 ms.
_ORJSON_TINY_FLOAT = (re.compile(rb"0\.0000\d*(?=,?\n)"), re.compile(rb"e-\d(?=,?\n)"))
#: ``null``: None, as in the library, but also NaN and ±Infinity (the library's non-JSON
#: ``NaN``, ``Infinity``): where a ``null`` stands, the report's values are looked at.
_NULL = re.compile(rb"null(?=,?\n)")
#: Floats of every shape both write alike (the shortest repr; exponents from 1e16 up with a
#: sign, as orjson does since 3.11.7): :func:`_orjson` checks the installed orjson on them.
_PROBES = [0.1, 0.1 + 0.2, -0.0, 1.0, 100.0, 123456.789, 1e15, 9007199254740993.0, 1e16, 1.2345678901234568e+17,
           1e22, -2.5e+300, 1.7976931348623157e+308, 0.0001, 0.000123, 1e-10, -3.3e-100, 5e-324, 2**63 - 1]


@lru_cache(maxsize=1)
def _orjson():
    """The orjson module when installed and writing the probes as the standard library
    does (a future release formatting floats anew falls back to the library), else None."""
    try:
        import orjson
    except ImportError:  # an environment installed without it: the same bytes, slower
        return None
    try:
        agrees = orjson.dumps(_PROBES) == json.dumps(_PROBES, separators=(",", ":")).encode()
    except Exception:  # noqa: BLE001 (an orjson unlike the one we know)
        return None
    return orjson if agrees else None


def report_json(report: dict, plain_violations: bool = False) -> bytes:
    """The JSON report document: exactly ``json.dumps(report, indent=2, ensure_ascii=False)``
    plus a line break, as UTF-8 (``designer report --json`` and the JSON export).

    orjson writes the same bytes 20–40× faster for what a report holds (dicts, lists,
    text, ints, floats, None); the standard library writes it instead when orjson is
    missing or cannot (huge ints, non-text keys, lone surrogates, numpy scalars, nesting
    past 255) or would write a value otherwise (tiny floats, NaN, ±Infinity).
    ``plain_violations``: the caller vouches that the top-level ``violations`` hold text
    and locations rounded to the millimetre (:meth:`Evaluation.report`): no float there
    can be tiny or not finite, so that part of the text (most of a draft's) is not scanned.
    """
    orjson = _orjson()
    if orjson is not None:
        try:
            out = orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
                               | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
                               | orjson.OPT_PASSTHROUGH_SUBCLASS)
        except TypeError:  # orjson.JSONEncodeError: something only the standard library writes (or nobody)
            out = None
        if out is not None and _written_alike(report, out, _violations_span(out) if plain_violations else None):
            return out
    return (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def evaluation_json(evaluation: Evaluation, report: dict | None = None) -> bytes:
    """:func:`evaluation_json_parts` joined."""
    return b"".join(evaluation_json_parts(evaluation, report))


def evaluation_json_parts(evaluation: Evaluation, report: dict | None = None) -> list[bytes]:
    """:func:`report_json` of ``evaluation.report()``, the same bytes in parts (to be
    written one after the other), with the violations' text written by the parts that can
    (halls' violations written from templates: ``json_lines``) rather than from records.
    ``report``: the evaluation's ``report()`` when the caller has it (keys may be added at
    its end; its ``violations`` are not read: ``report(violations=False)`` spares them).

    The report is written with an empty ``violations`` list and the list's items spliced
    in: its top-level key's line is the one line starting ``␣␣"violations": []`` (an
    indented report's top-level keys alone start with two spaces and a quote)."""
    if report is None:
        report = evaluation.report(violations=False)
    elif report.get("violations"):
        report = dict(report)   # (the same keys in the same order)
        report["violations"] = []
    pieces: list[bytes] = []
    records: list[dict] = []
    for part in evaluation.violation_parts:
        lines = getattr(part, "json_lines", None)
        if lines is None:
            records.extend(map(Violation.to_dict, part))
            continue
        if records:
            pieces.append(_records_text(records))
            records = []
        pieces.append(lines())
    if records:
        pieces.append(_records_text(records))
    out = report_json(report)
    if not pieces:
        return [out]
    empty = b'\n  "violations": []'
    at = out.find(empty)
    text = [out[:at], b'\n  "violations": [\n']
    for piece in pieces:
        text += (piece, b",\n")
    text[-1] = b"\n  ]"
    text.append(out[at + len(empty):])
    return text   # (written as they are, or joined: one copy of the megabytes)


def _records_text(records: list[dict]) -> bytes:
    """The lines of violation records as items of the report's top-level list."""
    text = report_json({"violations": records}, plain_violations=True)
    # b'{\n  "violations": [\n' … b'\n  ]\n}\n'
    return text[len(b'{\n  "violations": [\n'):-len(b"\n  ]\n}\n")]


def _violations_span(out: bytes) -> tuple[int, int] | None:
    """Where the top-level ``violations`` list is in an indented report (None: not found)."""
    start = out.find(b'\n  "violations": [\n')
    if start < 0:
        return None
    end = out.find(b"\n  ]", start)
    return (start, end) if end >= 0 else None


def _written_alike(doc, out: bytes, skip: tuple[int, int] | None = None) -> bool:
    """Whether orjson's ``out`` for ``doc`` is what the standard library writes (the bytes
    in ``skip``, vouched for by the caller, are not looked at)."""
    spans = [(0, len(out))] if skip is None else [(0, skip[0]), (skip[1], len(out))]
    for lo, hi in spans:
        if (out.find(b"0.0000", lo, hi) >= 0 and _ORJSON_TINY_FLOAT[0].search(out, lo, hi)
                or _ORJSON_TINY_FLOAT[1].search(out, lo, hi)):
            return False
    nulls = [m.start() for lo, hi in spans for m in _NULL.finditer(out, lo, hi)]
    if not nulls:
        return True
    # a null stands for None or a non-finite float: look at the values holding one
    suspects = {id(v): v for v in (_holding(doc, out, at) for at in nulls)}
    return not any(_holds_non_finite(v) for v in suspects.values())


def _holding(doc, out: bytes, at: int):
    """The value of the report that holds the ``null`` written at byte ``at``: the value
    of its top-level key, or of its second-level key when that value is an object (the
    lines of an indented object's keys start with 2 and 4 spaces); the whole document
    when the text does not say."""
    if type(doc) is not dict:
        return doc
    top = out.rfind(b'\n  "', 0, at)
    key = _key_at(out, top + 3) if top >= 0 else None
    if key not in doc:
        return doc
    value = doc[key]
    if type(value) is not dict:
        return value
    second = out.rfind(b'\n    "', top, at)
    inner = _key_at(out, second + 5) if second >= 0 else None
    return value[inner] if inner in value else value


def _key_at(out: bytes, quote: int) -> str | None:
    """The object key whose opening quote is at byte ``quote`` (None if unreadable)."""
    end = out.find(b'": ', quote + 1)
    if end < 0:
        return None
    try:
        key = json.loads(out[quote:end + 1])
    except ValueError:
        return None
    return key if type(key) is str else None


def _holds_non_finite(value) -> bool:
    """Whether ``value`` holds a NaN or infinite float (at any depth)."""
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is dict:
            stack.extend(v.values())
        elif t is list or t is tuple:
            stack.extend(v)
        elif t is float and (v != v or v in (math.inf, -math.inf)):
            return True
    return False
