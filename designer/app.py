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
VERBS = ("report", "check", "export", "fill")


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it (``COLUMNS``, the
    terminal of standard output, else 80), without importing shutil (and with it bz2 and
    lzma: 4 ms of every ``designer report``, whose parser never prints help)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, as wide as the terminal (:func:`_columns`)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, width if width is not None else _columns() - 2)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit status 2."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

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
    w = r.add_argument_group("workload", "time to train and a decode bound (the report's 'workload' section)")
    w.add_argument("--train-params", metavar="N", help="model parameters, e.g. 70e9 or 70B")
    w.add_argument("--train-tokens", metavar="D", help="training tokens, e.g. 15e12 or 15T")
    w.add_argument("--mfu", metavar="M", type=float, default=None,
                   help="model FLOPs utilisation, 0-1 (default 0.4: Llama 3 reports 38-43 %%)")
    w.add_argument("--precision", default=None, choices=("fp4", "mxfp8", "bf16", "fp32"),
                   help="precision of the training FLOPs and of the weights (default bf16)")
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
    f = sub.add_parser("fill", help="fill halls with complete pods of UltraServers, to the most they hold or "
                                    "to a target; prints {ultraservers, chips, binding, seconds}")
    f.add_argument("file")
    f.add_argument("-o", "--output", required=True, help="the filled design (the input is never touched)")
    f.add_argument("--hall", action="append", default=[], metavar="ID", help="a hall to fill (repeatable; "
                   "default: every hall)")
    goal = f.add_mutually_exclusive_group(required=True)
    goal.add_argument("--max", action="store_true", help="as many UltraServers as the halls hold")
    goal.add_argument("--ultraservers", type=int, metavar="N", help="exactly N UltraServers in all")
    goal.add_argument("--it-kw", type=float, metavar="X", help="the most UltraServers within X kW of IT load")
    f.add_argument("--type", default="trn3-gen2-rack", help="compute rack type of the UltraServers "
                   "(default trn3-gen2-rack)")
    f.add_argument("--orientation", choices=("auto", "x", "y"), default="auto",
                   help="rows east-west (x), north-south (y), or whichever holds more (auto)")
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
        f"  FP4        {pk.get('fp4_pflops', 0.0) * 1000:>14,.0f} TFLOPS {ef.get('fp4_pflops', 0.0) * 1000:>14,.0f} TFLOPS"
        + (f"  (not counted, no FP4 figure: {', '.join(t['missing']['fp4_pflops'])})"
           if t.get("missing", {}).get("fp4_pflops") else ""),
        f"  FP32       {pk['fp32_pflops'] * 1000:>14,.0f} TFLOPS {ef['fp32_pflops'] * 1000:>14,.0f} TFLOPS",
        f"  HBM        {pk['hbm_gib']:>14,.0f} GiB    {ef['hbm_gib']:>14,.0f} GiB",
        f"  HBM bw     {pk['hbm_tbps']:>14,.1f} TB/s   {ef['hbm_tbps']:>14,.1f} TB/s",
        f"  EFA        {pk['efa_tbps']:>14,.1f} Tbps   {ef['efa_tbps']:>14,.1f} Tbps",
        f"  stranded UltraServers: {t['stranded_ultraservers']:,}   "
        f"effective PFLOPS per facility MW: {t['pflops_per_mw']:,.1f}",
        *_by_type_lines(t),
        "",
        "Power",
        f"  IT load {p['it_kw']:,.0f} kW, facility {p['facility_kw']:,.0f} kW at PUE {p['pue']:.3f} ({p['pue_mode']})",
        f"  {p['annual_mwh']:,.0f} MWh a year, {p['annual_cost']:,.0f} {p['currency']}, {p['annual_co2_t']:,.0f} t CO2",
        "",
        "Cooling",
        f"  liquid {c['liquid_kw']:,.0f} kW ({c['coolant_lpm']:,.0f} L/min at dT {c['delta_t_liquid_k']:g} K), "
        f"air {c['air_kw']:,.0f} kW ({c['airflow_m3h']:,.0f} m3/h at dT {c['delta_t_air_k']:g} K)",
        "",
        f"Cables: {cab['links']:,} server links (longest {cab['longest_m']:.1f} m, "
        f"worst latency {cab['worst_latency_ns']:.0f} ns) and {report['network']['fabric_links']:,} fabric "
        f"links (longest {report['network']['longest_fabric_link_m']:.1f} m); by medium, both:",
    ]
    for r in routed_cables(evaluation, catalog):
        if r.links:
            lines.append(f"  {r.medium:<12} {r.links:>8,} links {r.metres:>12,.1f} m")
    n = report["network"]
    tiers = " + ".join(f"{k:,}" for k in n["switches_by_tier"])
    lines += [
        "",
        "Network fabric",
        f"  {n['endpoints']:,} server links, oversubscription {n['oversubscription']:g}:1, {n['leaf_racks']:,} leaf "
        f"racks; {n['tiers']} tier(s), {n['switches']:,} switches ({tiers or 'none'})",
        f"  {n.get('spine_racks', 0):,} spine rack(s) with {n.get('spine_switches', 0):,} working switches; "
        f"{n['fabric_links']:,} fabric links, {n['inter_hall_links']:,} between halls",
        f"  {n['transceivers']:,} transceivers, optics {n['optics_kw']:,.1f} kW (within the racks' power), "
        f"bisection {n['bisection_tbps']:,.1f} Tb/s",
    ]
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


def _write_stdout_bytes(data: bytes | list[bytes]) -> None:
    """Write UTF-8 text (or its parts, one after the other) to standard output: straight
    to its byte stream when that is what the text layer would write (UTF-8, "\n" line
    ends), else through the text layer."""
    parts = data if isinstance(data, list) else [data]
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    try:
        utf8 = codecs.lookup(stream.encoding).name == "utf-8"
    except (AttributeError, LookupError, TypeError):
        utf8 = False
    if buffer is None or not utf8 or os.linesep != "\n":
        stream.write(b"".join(parts).decode("utf-8"))
        return
    stream.flush()
    buffer.writelines(parts)


#: Export formats that show the resilience section (the others draw or list the design).
RESILIENCE_FORMATS = ("json", "pdf")


def _evaluate(design, catalog, failed=(), resilience: bool = True):
    """The evaluation the headless verbs report (``benchmarks.run`` times this step too);
    with ``resilience`` every single failure is tried (the report's resilience section,
    ``redundancy`` errors)."""
    from designer.engine import evaluate

    return evaluate(design, catalog, failed=failed, resilience=resilience)


def _run_verb(args: argparse.Namespace) -> int:
    from designer.catalog import load_catalog, with_design_types

    with _without_cyclic_gc():
        design = _load(args.file)
        nodes = {n.get("id") for n in (design.extra.get("power_chain") or [])}
        unknown = [i for i in args.fail if i not in design.equipment.index and i not in nodes]
        if unknown:
            sys.stderr.write(f"designer: --fail {unknown[0]}: no item or power-chain node with that id in "
                             f"{args.file}\n")
            return EXIT_BAD_INPUT
        catalog = with_design_types(load_catalog(), design.extra.get("catalog"))
        for problem in catalog.problems:  # the user catalog folder: refused types, named
            sys.stderr.write(f"designer: warning: {problem}\n")
        work = _workload(args) if args.verb == "report" else None
        evaluation = _evaluate(design, catalog, args.fail,
                               resilience=args.verb != "export" or args.format in RESILIENCE_FORMATS)
        if args.verb != "export":
            return _report_or_check(args, design, catalog, evaluation, work)
    return _export(design, catalog, evaluation, args.format, Path(args.output))


def _by_type_lines(throughput: dict) -> list[str]:
    """Per compute type (with two or more): systems, chips, effective MXFP8 and FP4 PFLOPS."""
    by_type = throughput.get("by_type", {})
    if len(by_type) < 2:
        return []
    lines = ["  by type                          systems      chips   MXFP8 PFLOPS     FP4 PFLOPS (effective)"]
    for t in by_type.values():
        fp4 = t["effective"].get("fp4_pflops")
        lines.append(f"    {t['name'][:30]:<30} {t['systems']:>8,} {t['chips']:>10,} {t['effective']['mxfp8_pflops']:>14,.1f} "
                     f"{'n/a' if fp4 is None else f'{fp4:,.1f}':>14}")
    return lines


def _workload(args: argparse.Namespace):
    """The ``--train-*`` options as a :class:`Workload` (None without them); a bad value
    exits 2 with one line."""
    given = args.train_params is not None, args.train_tokens is not None
    if not any(given):
        if args.mfu is not None or args.precision is not None:
            sys.stderr.write("designer: --mfu and --precision need --train-params and --train-tokens\n")
            raise SystemExit(EXIT_BAD_INPUT)
        return None
    if not all(given):
        sys.stderr.write("designer: give both --train-params and --train-tokens\n")
        raise SystemExit(EXIT_BAD_INPUT)
    from designer.engine.workload import DEFAULT_MFU, DEFAULT_PRECISION, Workload, WorkloadError, parse_count

    try:
        return Workload(parse_count(args.train_params, "--train-params"), parse_count(args.train_tokens, "--train-tokens"),
                        DEFAULT_MFU if args.mfu is None else args.mfu, args.precision or DEFAULT_PRECISION)
    except WorkloadError as exc:
        sys.stderr.write(f"designer: {exc}\n")
        raise SystemExit(EXIT_BAD_INPUT) from None


def _workload_lines(w: dict) -> list[str]:
    """The readable report's workload section."""
    days = "no effective compute at this precision" if w["train_days"] is None else f"{w['train_days']:,.1f} days"
    d = w["decode"]
    per_mw = "" if d["tokens_per_s_per_mw"] is None else f", {d['tokens_per_s_per_mw']:,.0f} per facility MW"
    lines = ["", "Workload",
             f"  {w['params']:.4g} parameters x {w['tokens']:.4g} tokens = {w['train_flops']:.4g} FLOPs (6·N·D)",
             f"  at {w['precision']} {w['effective_pflops']:,.1f} effective PFLOPS and MFU {w['mfu']:.2f}: {days}",
             f"  decode bound {d['tokens_per_s']:,.0f} tokens/s{per_mw} "
             f"({d['weights_gib']:,.0f} GiB of weights over {d['hbm_tbps']:,.1f} TB/s)"]
    if w["not_counted"]:
        lines.append(f"  not counted (no {w['precision']} figure): {', '.join(w['not_counted'])}")
    return lines


def _report_or_check(args: argparse.Namespace, design, catalog, evaluation, work=None) -> int:
    report = evaluation.report(violations=False)   # (the violations: from the evaluation)
    if work is not None:
        from designer.engine.workload import workload_figures

        report["workload"] = workload_figures(report, work)
    if args.verb == "report":
        if args.json:
            from designer.io.exports import evaluation_json_parts

            # json.dumps(evaluation.report() + workload, indent=2, ensure_ascii=False) + "\n"
            _write_stdout_bytes(evaluation_json_parts(evaluation, report))
        else:
            text = _readable_report(evaluation, catalog.with_overrides(design.assumptions))
            if "workload" in report:
                text += "\n" + "\n".join(_workload_lines(report["workload"]))
            sys.stdout.write(text + "\n")
        return EXIT_OK
    counts = evaluation.count_by_severity()
    sys.stdout.writelines(f"{v.severity}: {v.kind}: {v.message}\n" for v in evaluation.violations)
    sys.stdout.write(f"{counts['error']} error(s), {counts['warning']} warning(s)\n")
    return EXIT_VIOLATIONS if counts["error"] else EXIT_OK


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


def _fill(args: argparse.Namespace) -> int:
    """``designer fill``: add complete pods to the halls and write the result to ``-o``;
    one JSON line ``{ultraservers, chips, binding, seconds}`` on standard output."""
    import json

    from designer.catalog import load_catalog, with_design_types
    from designer.engine.fill import FillError, FillRequest, apply_fill, plan_fill
    from designer.io import write_design

    source, out = Path(args.file), Path(args.output)
    if out.exists() and source.exists() and out.resolve() == source.resolve():
        sys.stderr.write(f"designer: -o {args.output}: the input file is never overwritten; name another file\n")
        return EXIT_BAD_INPUT
    design = _load(args.file)
    catalog = with_design_types(load_catalog(), design.extra.get("catalog"))
    request = FillRequest(halls=tuple(args.hall), ultraservers=args.ultraservers, it_kw=args.it_kw,
                          rack_type=args.type, orientation=args.orientation)
    try:
        result = plan_fill(design, catalog, request)
    except FillError as exc:
        sys.stderr.write(f"designer: {exc}\n")
        return EXIT_BAD_INPUT
    apply_fill(design, result)
    try:
        write_design(design, out)
    except OSError as exc:
        sys.stderr.write(f"designer: cannot write {out}: {exc.strerror or exc}\n")
        return EXIT_BAD_INPUT
    sys.stdout.write(json.dumps(result.summary(catalog, args.type)) + "\n")
    for problem in result.problems:  # (the check found what the layout did not foresee)
        sys.stderr.write(f"designer: error: {problem}\n")
    return EXIT_VIOLATIONS if result.problems else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``designer`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--self-test"]:
        from designer.ui.selftest import run_self_test

        return run_self_test()
    if argv and argv[0] in VERBS:
        args = _build_parser().parse_args(argv)
        try:
            return _fill(args) if args.verb == "fill" else _run_verb(args)
        except SystemExit as exc:
            return int(exc.code or 0)
        except BrokenPipeError:
            return EXIT_OK
        except OSError as exc:   # the output could not be written (a full disk, a closed stream)
            return _cannot_write(exc)
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


#: Verbs that only read a design and print: they may leave without tearing Python down.
_PRINTING_VERBS = ("report", "check")


def console() -> None:
    """The ``designer`` command and ``python -m designer``: :func:`main`, then exit. After
    ``report`` or ``check`` the output is flushed and the process ends at once: freeing the
    hundreds of thousands of objects of a large design one by one at shutdown took
    30–40 ms of a 1M-chip report and helps nobody (nothing is left to write)."""
    argv = sys.argv[1:]
    code = main(argv)
    if argv and argv[0] in _PRINTING_VERBS:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:   # (the reader left: nothing more to say)
            pass
        except OSError as exc:    # what was still buffered could not be written
            code = _cannot_write(exc)
        os._exit(code)
    raise SystemExit(code)


def _cannot_write(exc: OSError) -> int:
    """One line on standard error when the output cannot be written (a full disk)."""
    try:
        sys.stderr.write(f"designer: cannot write the output ({exc.strerror or exc})\n")
        sys.stderr.flush()
    except OSError:
        pass
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    console()
