"""Command line and application bootstrap — the one place where the CLI and Qt meet.

``designer [FILE]`` opens the app; ``designer report FILE [--json]``,
``designer check FILE`` and ``designer export FILE --format F -o OUT`` run headless.
An unreadable or invalid file exits with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import codecs
import gc
import os
import sys
from contextlib import contextmanager
from pathlib import Path

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT = 0, 1, 2
VERBS = ("report", "check", "export")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"designer: {message}\n")
        raise SystemExit(EXIT_BAD_INPUT)


def _build_parser() -> argparse.ArgumentParser:
    from designer.io.exports import FORMAT_NAMES, FORMATS

    p = _Parser(prog="designer", description="Plan AI datacenter halls built from Trainium3 UltraServers.")
    sub = p.add_subparsers(dest="verb")
    r = sub.add_parser("report", help="evaluate a design and print its totals")
    r.add_argument("file")
    r.add_argument("--json", action="store_true", help="print the full report as JSON")
    c = sub.add_parser("check", help="exit 1 when the design has error-severity violations")
    c.add_argument("file")
    e = sub.add_parser("export", help=f"export a design ({', '.join(FORMAT_NAMES)})")
    e.add_argument("file")
    for verb in (r, c, e):
        verb.add_argument("--fail", action="append", default=[], metavar="ID",
                          help="evaluate as if this item had failed (repeatable)")
    e.add_argument("--format", required=True, choices=FORMAT_NAMES,
                   help="; ".join(f"{f.name}: {f.holds}" for f in FORMATS))
    e.add_argument("-o", "--output", required=True)
    return p


def _load(path: str):
    from designer.io import DesignFileError, read_design

    try:
        return read_design(path)
    except DesignFileError as exc:
        sys.stderr.write(f"designer: {exc}\n")
        raise SystemExit(EXIT_BAD_INPUT) from None


def _readable_report(evaluation, catalog) -> str:
    """``designer report``: the totals, cables by medium and violations as plain text."""
    from designer.io.tables import routed_cables

    report = evaluation.report()
    p, c, t, cab = report["power"], report["cooling"], report["throughput"], report["cables"]
    pk, ef = t["peak"], t["effective"]
    errors = sum(1 for v in report["violations"] if v["severity"] == "error")
    warnings = len(report["violations"]) - errors
    lines = [
        f"{report['name']}",
        f"  {report['ultraservers']:,} UltraServers, {report['chips']:,} chips, {report['racks']:,} compute racks "
        f"in {report['halls']} hall(s)",
        "",
        "Throughput            peak                effective",
        f"  MXFP8      {pk['mxfp8_pflops'] * 1000:>14,.0f} TFLOPS {ef['mxfp8_pflops'] * 1000:>14,.0f} TFLOPS",
        f"  BF16       {pk['bf16_pflops'] * 1000:>14,.0f} TFLOPS {ef['bf16_pflops'] * 1000:>14,.0f} TFLOPS",
        f"  FP32       {pk['fp32_pflops'] * 1000:>14,.0f} TFLOPS {ef['fp32_pflops'] * 1000:>14,.0f} TFLOPS",
        f"  HBM        {pk['hbm_gib']:>14,.0f} GiB    {ef['hbm_gib']:>14,.0f} GiB",
        f"  HBM bw     {pk['hbm_tbps']:>14,.1f} TB/s   {ef['hbm_tbps']:>14,.1f} TB/s",
        f"  EFA        {pk['efa_tbps']:>14,.1f} Tbps   {ef['efa_tbps']:>14,.1f} Tbps",
        f"  stranded UltraServers: {t['stranded_ultraservers']:,}   "
        f"effective PFLOPS per facility MW: {t['pflops_per_mw']:,.1f}",
        "",
        "Power",
        f"  IT load {p['it_kw']:,.0f} kW, facility {p['facility_kw']:,.0f} kW at PUE {p['pue']:.3f} ({p['pue_mode']})",
        f"  {p['annual_mwh']:,.0f} MWh a year, {p['annual_cost']:,.0f} {p['currency']}, {p['annual_co2_t']:,.0f} t CO2",
        "",
        "Cooling",
        f"  liquid {c['liquid_kw']:,.0f} kW ({c['coolant_lpm']:,.0f} L/min at dT {c['delta_t_liquid_k']:g} K), "
        f"air {c['air_kw']:,.0f} kW ({c['airflow_m3h']:,.0f} m3/h at dT {c['delta_t_air_k']:g} K)",
        "",
        f"Cables: {cab['links']:,} scale-out links, longest {cab['longest_m']:.1f} m, "
        f"worst latency {cab['worst_latency_ns']:.0f} ns",
    ]
    for r in routed_cables(evaluation, catalog):
        if r.links:
            lines.append(f"  {r.medium:<12} {r.links:>8,} links {r.metres:>12,.1f} m")
    lines += ["", f"Violations: {errors} error(s), {warnings} warning(s)"]
    for v in report["violations"][:50]:
        lines.append(f"  [{v['severity']}] {v['kind']}: {v['message']}")
    if len(report["violations"]) > 50:
        lines.append(f"  … and {len(report['violations']) - 50} more (use --json for all)")
    return "\n".join(lines)


@contextmanager
def _without_cyclic_gc():
    """The cyclic garbage collector paused: a headless verb is one pass that builds a few
    hundred thousand small objects (the parsed file, violations, report records) and keeps
    them to the end, so the collector's passes over them find nothing (on the draft campus
    with 37,000 violations they took 5–12 % of ``report --json``). Reference counting still
    frees everything else; the collector resumes afterwards (tests call :func:`main`)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _write_stdout_bytes(data: bytes) -> None:
    """Write UTF-8 text to standard output: straight to its byte stream when that is what
    the text layer would write (UTF-8, "\n" line ends), else through the text layer."""
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    try:
        utf8 = codecs.lookup(stream.encoding).name == "utf-8"
    except (AttributeError, LookupError, TypeError):
        utf8 = False
    if buffer is None or not utf8 or os.linesep != "\n":
        stream.write(data.decode("utf-8"))
        return
    stream.flush()
    buffer.write(data)


#: Export formats that show the resilience section (the others draw or list the design).
RESILIENCE_FORMATS = ("json", "pdf")


def _evaluate(design, catalog, failed=(), resilience: bool = True):
    """The evaluation the headless verbs report (``benchmarks.run`` times this step too);
    with ``resilience`` every single failure is tried (the report's resilience section,
    ``redundancy`` errors)."""
    from designer.engine import evaluate

    return evaluate(design, catalog, failed=failed, resilience=resilience)


def _run_verb(args: argparse.Namespace) -> int:
    from designer.catalog import load_catalog

    with _without_cyclic_gc():
        design = _load(args.file)
        nodes = {n.get("id") for n in (design.extra.get("power_chain") or [])}
        unknown = [i for i in args.fail if i not in design.equipment.index and i not in nodes]
        if unknown:
            sys.stderr.write(f"designer: --fail {unknown[0]}: no item or power-chain node with that id in "
                             f"{args.file}\n")
            return EXIT_BAD_INPUT
        catalog = load_catalog()
        evaluation = _evaluate(design, catalog, args.fail,
                               resilience=args.verb != "export" or args.format in RESILIENCE_FORMATS)
        if args.verb != "export":
            return _report_or_check(args, design, catalog, evaluation)
    return _export(design, catalog, evaluation, args.format, Path(args.output))


def _report_or_check(args: argparse.Namespace, design, catalog, evaluation) -> int:
    report = evaluation.report()
    if args.verb == "report":
        if args.json:
            from designer.io.exports import report_json

            _write_stdout_bytes(report_json(report))  # json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        else:
            sys.stdout.write(_readable_report(evaluation, catalog.with_overrides(design.assumptions)) + "\n")
        return EXIT_OK
    errors = [v for v in report["violations"] if v["severity"] == "error"]
    for v in report["violations"]:
        sys.stdout.write(f"{v['severity']}: {v['kind']}: {v['message']}\n")
    sys.stdout.write(f"{len(errors)} error(s), {len(report['violations']) - len(errors)} warning(s)\n")
    return EXIT_VIOLATIONS if errors else EXIT_OK


def _export(design, catalog, evaluation, fmt: str, out: Path) -> int:
    """Export headless; plan images and the PDF report are drawn with Qt offscreen."""
    from designer.io.exports import export_design, export_format

    try:
        if not export_format(fmt).needs_qt:
            export_design(design, fmt, out, evaluation, catalog)
            return EXIT_OK
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed for files
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication(["designer"])  # noqa: F841 (keeps Qt alive)
        from designer.ui.export import export_file

        export_file(design, catalog, evaluation, fmt, out)
    except (OSError, ValueError, RuntimeError) as exc:
        sys.stderr.write(f"designer: cannot export to {out}: {getattr(exc, 'strerror', None) or exc}\n")
        return EXIT_BAD_INPUT
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``designer`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--self-test"]:
        from designer.ui.selftest import run_self_test

        return run_self_test()
    if argv and argv[0] in VERBS:
        args = _build_parser().parse_args(argv)
        try:
            return _run_verb(args)
        except SystemExit as exc:
            return int(exc.code or 0)
        except BrokenPipeError:
            return EXIT_OK
    gui = _Parser(prog="designer", description="Open the Designer application.",
                  epilog="Headless verbs: designer report|check|export FILE … (designer report -h); "
                         "designer --self-test checks an installation.")
    gui.add_argument("file", nargs="?", help="a .dcplan design (default: the bundled pilot hall)")
    gui.add_argument("--recover", choices=("ask", "all", "none"), default="ask",
                     help="what to do with autosaves of sessions that did not end cleanly")
    gui.add_argument("--autosave-seconds", type=int, default=None, help=argparse.SUPPRESS)
    gui.add_argument("--script", default=None, help=argparse.SUPPRESS)  # automation and tests
    args = gui.parse_args(argv)
    if args.file and not Path(args.file).exists():
        sys.stderr.write(f"designer: {args.file}: no such file\n")
        return EXIT_BAD_INPUT
    from designer.ui import run_app

    return run_app(args.file, recover=args.recover, autosave_seconds=args.autosave_seconds, script=args.script)


if __name__ == "__main__":
    raise SystemExit(main())
