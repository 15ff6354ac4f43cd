"""tests/model runs without Qt: every module here imports with PySide6, shiboken6,
pyqtgraph and pytest-qt made unimportable. (tests/test_architecture.py checks the same
for designer.model, designer.engine and designer.io themselves.)"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_model_tests_import_with_qt_blocked():
    modules = sorted(p.stem for p in HERE.glob("*.py") if p.stem != "__init__")
    assert {"support", "test_commands", "test_events", "test_layouts", "test_undo_properties"} <= set(modules)
    script = textwrap.dedent(f"""
        import importlib, sys
        for name in ("PySide6", "shiboken6", "pyqtgraph", "pytestqt"):
            sys.modules[name] = None  # any import of it now raises ImportError
        sys.path.insert(0, {str(HERE.parent)!r})
        sys.path.insert(0, {str(HERE.parents[1])!r})
        for name in {modules!r}:
            importlib.import_module("{HERE.name}." + name)
        leaked = sorted(m for m in sys.modules if m.startswith("designer.ui") or
                        (m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph") and sys.modules[m] is not None))
        assert not leaked, leaked
        print("ok")
    """)
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([sys.executable, "-c", script], cwd=HERE.parents[1], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
