"""Copying to the clipboard must not crash the process when it exits."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
from PySide6.QtWidgets import QApplication
app = QApplication([])
from designer.model import Equipment
from designer.ui.tools.clipboard import clipboard_items, put_items
put_items([Equipment("us1-r1", "trn3-gen2-rack", "A", 1.0, 2.0, 0.0, "us1")])
assert [e.id for e in clipboard_items()] == ["us1-r1"]
print("copied")
"""


def test_a_process_that_copied_items_exits_cleanly():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120)
    assert proc.stdout.strip() == "copied"
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-500:]}"
