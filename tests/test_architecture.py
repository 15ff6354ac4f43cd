"""The core (catalog, model, engine, io) stays free of Qt, so ``designer report`` runs on a
server with no display and the engine can be tested and benchmarked alone (STYLE.md)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORE = ("designer.catalog", "designer.model", "designer.engine", "designer.io")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def test_import_contracts_hold() -> None:
    """import-linter with the contracts of pyproject.toml [tool.importlinter]."""
    bindir = Path(sys.executable).parent
    exe = next((bindir / name for name in ("lint-imports", "lint-imports.exe")
                if (bindir / name).exists()), None)
    assert exe is not None, f"lint-imports is not installed next to {sys.executable}"
    proc = subprocess.run([str(exe)], cwd=REPO, env=_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout, proc.stdout


def test_core_imports_with_qt_blocked() -> None:
    """Import every module of the core with PySide6, shiboken6 and pyqtgraph made unimportable."""
    script = textwrap.dedent(f"""
        import importlib, pkgutil, sys
        for name in ("PySide6", "shiboken6", "pyqtgraph"):
            sys.modules[name] = None  # any import of it now raises ImportError
        imported = []
        for top in {CORE!r}:
            pkg = importlib.import_module(top)
            imported.append(top)
            for info in pkgutil.walk_packages(pkg.__path__, prefix=top + ".",
                                              onerror=lambda name: (_ for _ in ()).throw(ImportError(name))):
                importlib.import_module(info.name)
                imported.append(info.name)
        leaked = sorted(m for m in sys.modules
                        if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph", "designer")
                        and (m.startswith("designer.ui") or not m.startswith("designer"))
                        and sys.modules[m] is not None)
        assert not leaked, leaked
        print("\\n".join(imported))
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    imported = proc.stdout.split()
    for top in CORE:
        assert top in imported
    # the walk really went into the packages, not just their __init__
    assert "designer.io.dcplan" in imported
    assert "designer.catalog.loader" in imported
    assert "designer.model.design" in imported
    assert any(name.startswith("designer.engine.") for name in imported), imported


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), i.e. import cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.find_modules_directly_imported_by(v)):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles() -> None:
    """No module of designer/ imports, directly or through others, one that imports it back
    (lazy imports inside functions and TYPE_CHECKING imports count too)."""
    import grimp

    graph = grimp.build_graph("designer")
    assert len(graph.modules) > 40
    assert _cycles(graph) == []
