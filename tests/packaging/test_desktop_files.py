"""The Linux desktop integration (menu entry, .dcplan MIME type, AppStream metadata), the
icons, and the freeze recipe's list of Qt modules — checks that need no build.

The validators come from Debian's ``desktop-file-utils`` and ``appstream`` packages; a
test that needs one is skipped, saying so, where it is not installed.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINUX = REPO / "packaging" / "linux"
ICONS = REPO / "resources" / "icons"
APP_ID = "io.designer.Designer"
MIME_TYPE = "application/x-designer-plan"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian: apt-get install {package})")
    return path


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(LINUX / f"{APP_ID}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def _project_version() -> str:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version\s*=\s*"([^"]+)"', text, re.M).group(1)


# --- desktop entry ------------------------------------------------------------------------

def test_desktop_entry_passes_desktop_file_validate() -> None:
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    proc = subprocess.run([tool, str(LINUX / f"{APP_ID}.desktop")], capture_output=True, text=True)
    assert proc.returncode == 0 and "error" not in proc.stdout, proc.stdout + proc.stderr


def test_desktop_entry_opens_plans_with_the_app_icon() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Designer"
    assert entry["Exec"].split() == ["designer", "%f"]
    assert entry["Icon"] == APP_ID
    assert MIME_TYPE in entry["MimeType"].split(";")
    assert {"Graphics", "Engineering"} <= set(entry["Categories"].split(";"))


# --- AppStream metadata -------------------------------------------------------------------

def test_metainfo_passes_appstreamcli_validate() -> None:
    tool = _tool("appstreamcli", "appstream")
    proc = subprocess.run([tool, "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_metainfo_describes_this_app_and_release() -> None:
    root = ET.parse(LINUX / f"{APP_ID}.metainfo.xml").getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "LicenseRef-proprietary"
    assert root.find("launchable").text == f"{APP_ID}.desktop"
    assert (LINUX / root.find("launchable").text).exists()
    assert [m.text for m in root.iter("mediatype")] == [MIME_TYPE]
    assert root.find("content_rating") is not None
    releases = root.find("releases").findall("release")
    assert releases[0].get("version") == _project_version()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", releases[0].get("date"))


# --- MIME type ----------------------------------------------------------------------------

def _mime_type() -> ET.Element:
    root = ET.parse(LINUX / f"{APP_ID}.xml").getroot()  # raises when not well-formed
    assert root.tag == f"{MIME_NS}mime-info"
    (mime,) = root.findall(f"{MIME_NS}mime-type")
    return mime


def test_mime_type_globs_dcplan_and_is_json() -> None:
    mime = _mime_type()
    assert mime.get("type") == MIME_TYPE
    assert [g.get("pattern") for g in mime.findall(f"{MIME_NS}glob")] == ["*.dcplan"]
    assert [s.get("type") for s in mime.findall(f"{MIME_NS}sub-class-of")] == ["application/json"]
    assert mime.find(f"{MIME_NS}icon").get("name") == "application-x-designer-plan"


def test_mime_magic_matches_the_files_designer_writes(tmp_path: Path) -> None:
    """The magic string sits within its offset range in the samples and in a fresh save."""
    from designer.io import read_design, write_design
    from designer.paths import examples_dir

    (match,) = _mime_type().iter(f"{MIME_NS}match")
    assert match.get("type") == "string"
    start, end = (int(x) for x in match.get("offset").split(":"))
    needle = match.get("value").encode("utf-8")
    fresh = tmp_path / "fresh.dcplan"
    write_design(read_design(examples_dir() / "pilot-hall.dcplan"), fresh)
    for path in [*sorted(examples_dir().glob("*.dcplan")), fresh]:
        head = path.read_bytes()[: end + len(needle)]
        at = head.find(needle)
        assert start <= at <= end, f"{path.name}: {needle!r} not within bytes {start}:{end}"


def test_mime_database_registers_dcplan(tmp_path: Path) -> None:
    tool = _tool("update-mime-database", "shared-mime-info")
    (tmp_path / "mime" / "packages").mkdir(parents=True)
    shutil.copy(LINUX / f"{APP_ID}.xml", tmp_path / "mime" / "packages")
    proc = subprocess.run([tool, str(tmp_path / "mime")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert f"{MIME_TYPE}:*.dcplan" in (tmp_path / "mime" / "globs2").read_text()
    assert MIME_TYPE in (tmp_path / "mime" / "subclasses").read_text()


# --- icons --------------------------------------------------------------------------------

def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("name", ["designer", "dcplan-document"])
def test_icons_exist_as_square_pngs_of_every_size(name: str) -> None:
    root = ET.parse(ICONS / f"{name}.svg").getroot()
    assert root.get("viewBox") == "0 0 512 512"
    for size in SIZES:
        assert _png_size(ICONS / f"{name}-{size}.png") == (size, size)


@pytest.mark.parametrize("name", ["designer", "dcplan-document"])
def test_windows_and_macos_icons_hold_the_pngs(name: str) -> None:
    ico = (ICONS / f"{name}.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    sizes = sorted((struct.unpack("<B", ico[6 + 16 * i: 7 + 16 * i])[0] or 256) for i in range(count))
    assert sizes == [16, 24, 32, 48, 64, 128, 256]
    icns = (ICONS / f"{name}.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    kinds, at = [], 8
    while at < len(icns):
        kinds.append(icns[at: at + 4])
        at += struct.unpack(">I", icns[at + 4: at + 8])[0]
    assert at == len(icns) and {b"icp4", b"ic07", b"ic08", b"ic09"} <= set(kinds)


# --- install.sh ---------------------------------------------------------------------------

def test_install_registers_the_app_for_the_user_and_uninstall_removes_it(tmp_path: Path) -> None:
    app = tmp_path / "apps" / "Designer"
    app.mkdir(parents=True)
    (app / "Designer").write_text("#!/bin/sh\necho stand-in\n")
    (app / "Designer").chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env["HOME"] = str(home)
    script = str(LINUX / "install.sh")
    proc = subprocess.run(["bash", script, "--app", str(app)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    share = home / ".local" / "share"
    desktop = share / "applications" / f"{APP_ID}.desktop"
    assert f'Exec="{home}/.local/bin/designer" %f' in desktop.read_text()
    assert (share / "mime" / "packages" / f"{APP_ID}.xml").exists()
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").exists()
    for size in SIZES:
        assert _png_size(share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png") == (size, size)
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "mimetypes" / "application-x-designer-plan.png").exists()
    launcher = home / ".local" / "bin" / "designer"
    assert launcher.is_symlink() and launcher.resolve() == (app / "Designer").resolve()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
    if shutil.which("update-mime-database"):
        assert f"{MIME_TYPE}:*.dcplan" in (share / "mime" / "globs2").read_text()

    proc = subprocess.run(["bash", script, "--uninstall"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not desktop.exists() and not launcher.exists() and not launcher.is_symlink()
    left = [p for p in share.rglob("*") if p.is_file() and (APP_ID in p.name or "x-designer-plan" in p.name)]
    assert left == []
    assert (app / "Designer").exists()  # the app itself stays


def test_install_without_a_built_app_says_how_to_build(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env["HOME"] = str(tmp_path)
    proc = subprocess.run(["bash", str(LINUX / "install.sh"), "--app", str(tmp_path / "nowhere")],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "packaging/build.sh" in proc.stderr


# --- the freeze recipe --------------------------------------------------------------------

def _spec_list(name: str) -> list[str]:
    tree = ast.parse((REPO / "packaging" / "designer.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found in designer.spec")


def test_the_build_keeps_every_qt_module_the_app_imports() -> None:
    """A Qt module added to the code must not be one the freeze recipe leaves out."""
    used = set()
    for path in (REPO / "designer").rglob("*.py"):
        used |= set(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    assert {"QtCore", "QtGui", "QtWidgets"} <= used
    assert used.isdisjoint(_spec_list("QT_UNUSED")), "remove these from QT_UNUSED in packaging/designer.spec"
    # pyqtgraph imports these unconditionally
    assert {"QtOpenGL", "QtOpenGLWidgets", "QtSvg"}.isdisjoint(_spec_list("QT_UNUSED"))


def test_build_scripts_parse() -> None:
    for script in (REPO / "packaging" / "build.sh", LINUX / "install.sh"):
        proc = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{script.name}: {proc.stderr}"
        assert os.access(script, os.X_OK), f"{script.name} is not executable"
