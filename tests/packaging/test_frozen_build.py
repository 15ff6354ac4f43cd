"""The frozen app: packaging/build.sh builds it, and it runs from a folder outside the
repository with no Python on PATH and, where the kernel lets us, no network.

Slow (a PyInstaller build, about two minutes on two cores); CI runs it. It builds with the
interpreter running the tests (DESIGNER_BUILD_PYTHON), into which build.sh installs
PyInstaller when missing, so nothing else is downloaded.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1200),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the build test runs the Linux build"),
]


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> dict:
    """Build once: {"app": dist/Designer, "work": PyInstaller's work folder, "log": output}."""
    root = tmp_path_factory.mktemp("frozen-build")
    env = dict(os.environ)
    env.setdefault("DESIGNER_BUILD_PYTHON", sys.executable)
    env.pop("QT_QPA_PLATFORM", None)  # build.sh sets offscreen for its own self-test
    started = time.perf_counter()
    proc = subprocess.run(
        ["bash", str(REPO / "packaging" / "build.sh"), "--dist", str(root / "dist"), "--work", str(root / "work")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=1100,
    )
    took = time.perf_counter() - started
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-6000:]
    print(f"\nbuild.sh took {took:.0f} s; " + " ".join(line for line in log.splitlines() if line.startswith("size:")))
    return {"app": root / "dist" / "Designer", "work": root / "work", "log": log}


@pytest.fixture(scope="module")
def moved_app(build, tmp_path_factory) -> Path:
    """A copy of the built app in a folder of its own, away from the repository and the venv."""
    target = tmp_path_factory.mktemp("elsewhere") / "Designer"
    shutil.copytree(build["app"], target, symlinks=True)
    assert REPO not in target.parents
    return target


def _bare_env(home: Path) -> dict[str, str]:
    """No PATH (so no python3 to be found), a fresh home, the offscreen Qt platform."""
    env = {
        "PATH": "",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_RUNTIME_DIR": str(home / "runtime"),
    }
    (home / "runtime").mkdir(parents=True, mode=0o700, exist_ok=True)
    assert shutil.which("python3", path=env["PATH"]) is None and shutil.which("python", path=env["PATH"]) is None
    return env


def _offline_prefix() -> list[str]:
    """``unshare -rn`` (a new user and network namespace: loopback only) when the kernel allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"]
    warnings.warn("network isolation not enforced: `unshare -rn` is unavailable here", stacklevel=2)
    return []


def test_build_script_self_tests_the_result(build) -> None:
    assert "self-test passed" in build["log"]
    assert re.search(r"^size: \S+", build["log"], re.M)
    assert (build["app"] / "Designer").exists()
    assert (build["app"] / "linux" / "install.sh").exists()


def test_frozen_app_self_tests_offline_without_python(moved_app, tmp_path) -> None:
    cmd = [*_offline_prefix(), str(moved_app / "Designer"), "--self-test"]
    proc = subprocess.run(cmd, env=_bare_env(tmp_path), cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "self-test passed" in proc.stdout
    # the compiled allocation passes travel with the app when the build's Python has them
    from designer.engine import serve

    if serve._allocate is not None:
        assert "allocation passes: compiled" in proc.stdout


def test_frozen_app_runs_the_headless_verbs(moved_app, tmp_path) -> None:
    sample = moved_app / "_internal" / "resources" / "examples" / "pilot-hall.dcplan"
    env = _bare_env(tmp_path)
    proc = subprocess.run([str(moved_app / "Designer"), "report", str(sample)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "1,152 chips" in proc.stdout
    out = tmp_path / "plan.dxf"
    proc = subprocess.run([str(moved_app / "Designer"), "export", str(sample), "--format", "dxf", "-o", str(out)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert b"SECTION" in out.read_bytes()[:200]  # a DXF file's first group


def test_frozen_app_opens_its_window(moved_app, tmp_path) -> None:
    """Launch to a shown main window (offscreen), timed; the app's --script quits it."""
    script = tmp_path / "shown.py"
    script.write_text("print('shown' if window.isVisible() else 'hidden', flush=True)\napp.quit()\n")
    started = time.perf_counter()
    proc = subprocess.run([str(moved_app / "Designer"), "--recover", "none", "--script", str(script)],
                          env=_bare_env(tmp_path), capture_output=True, text=True, timeout=120)
    took = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "shown"
    print(f"\nlaunch to shown window and exit: {took:.2f} s")


def test_bundle_holds_only_what_the_app_needs(build) -> None:
    internal = build["app"] / "_internal"
    names = {p.relative_to(internal).as_posix() for p in internal.rglob("*")}
    for res in ("resources/catalog/compute.toml", "resources/examples/pilot-hall.dcplan",
                "resources/icons/designer.svg", "resources/icons/designer-256.png"):
        assert res in names
    qt_libs = {re.sub(r"^libQt6|\.so\.6$", "", Path(n).name) for n in names if re.search(r"libQt6\w+\.so\.6$", n)}
    assert {"Core", "Gui", "Widgets", "Svg", "OpenGL", "OpenGLWidgets"} <= qt_libs
    unwanted = {"Network", "Qml", "Quick", "Pdf", "Multimedia", "WebEngineCore", "Test", "Sql", "3DCore"}
    assert qt_libs.isdisjoint(unwanted), qt_libs & unwanted
    assert not any("/translations/" in n for n in names), "Qt translations were bundled"
    assert not any(n.startswith("PySide6/Qt/plugins/") and re.search(r"qgtk3|qvnc|qeglfs|qpdf", n) for n in names)

    # Python modules frozen into the app (PyInstaller's table of the PYZ archive)
    toc = ast.literal_eval((build["work"] / "designer" / "PYZ-00.toc").read_text())
    entries = next(part for part in toc if isinstance(part, list))
    modules = {entry[0] for entry in entries}
    assert "designer.app" in modules and "designer.ui.selftest" in modules
    for banned in ("pytest", "_pytest", "hypothesis", "IPython", "tkinter", "matplotlib", "PyInstaller"):
        assert not any(m == banned or m.startswith(banned + ".") for m in modules), banned

    size_mb = sum(p.stat().st_size for p in build["app"].rglob("*") if p.is_file() and not p.is_symlink()) / 2**20
    print(f"\nbundle size: {size_mb:.0f} MiB")
    assert size_mb < 300, f"the bundle grew to {size_mb:.0f} MiB"


def test_every_bundled_library_finds_its_dependencies(build) -> None:
    """Nothing the spec dropped was still needed: each bundled ELF resolves its libraries
    from the bundle or the base system (Wayland's client libraries come with a Wayland session)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        pytest.skip("ldd is not installed")
    internal = build["app"] / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}")
    missing = {}
    for path in [build["app"] / "Designer", *internal.rglob("*.so*")]:
        if path.is_symlink() or not path.is_file():
            continue
        out = subprocess.run([ldd, str(path)], env=env, capture_output=True, text=True).stdout
        gone = [line.split()[0] for line in out.splitlines()
                if "not found" in line and not line.strip().startswith("libwayland-")]
        if gone:
            missing[str(path.relative_to(build["app"]))] = gone
    assert not missing, missing


def test_install_script_shipped_with_the_app_registers_it(moved_app, tmp_path) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    proc = subprocess.run(["bash", str(moved_app / "linux" / "install.sh")], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    launcher = tmp_path / ".local" / "bin" / "designer"
    assert launcher.resolve() == (moved_app / "Designer").resolve()
    icon = tmp_path / ".local" / "share" / "icons" / "hicolor" / "48x48" / "apps" / "io.designer.Designer.png"
    assert icon.read_bytes() == (moved_app / "_internal" / "resources" / "icons" / "designer-48.png").read_bytes()
    proc = subprocess.run([str(launcher), "check", str(moved_app / "_internal" / "resources" / "examples" /
                                                     "pilot-hall.dcplan")],
                          env={**env, "QT_QPA_PLATFORM": "offscreen"}, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr  # 1: the sample's own violations, if any
    assert "error(s)" in proc.stdout
