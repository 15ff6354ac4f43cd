#!/usr/bin/env bash
# Build the stand-alone Designer app with PyInstaller, then check it with --self-test.
#
#   packaging/build.sh [--dist DIR] [--work DIR] [--clean] [--no-test]
#
# Result: DIR/Designer/ (Linux, Windows: a folder holding the Designer executable, Python
# and every library) or DIR/Designer.app (macOS). Default DIR: dist/ in the repository.
# Needs no network but the package registry, and only on the first run.
#
# Which Python builds it:
#   default                    a build venv, build/venv, made with `python3 -m venv` and
#                              `pip install ".[build]"` (the app, its dependencies, PyInstaller)
#   DESIGNER_BUILD_PYTHON=PY   an existing interpreter whose environment already has the
#                              app's dependencies (e.g. your dev venv); PyInstaller is
#                              installed into it when missing
#   DESIGNER_BASE_PYTHON=PY    the interpreter that makes the build venv (default python3,
#                              else python; Python >= 3.11)
#
# Runs on Linux, on macOS, and on Windows from Git Bash (or MSYS2).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dist="$root/dist"
work="$root/build/pyinstaller"
clean=()
self_test=1
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist=$2; shift 2;;
    --work) work=$2; shift 2;;
    --clean) clean=(--clean); shift;;
    --no-test) self_test=0; shift;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
    *) echo "build.sh: unknown option $1 (see --help)" >&2; exit 2;;
  esac
done
mkdir -p "$dist" "$work"
dist=$(cd "$dist" && pwd); work=$(cd "$work" && pwd)
cd "$root"

case "$(uname -s)" in
  Darwin) os=macos;;
  MINGW*|MSYS*|CYGWIN*) os=windows;;
  *) os=linux;;
esac
started=$SECONDS

# --- the Python that builds ---------------------------------------------------------------
if [ -n "${DESIGNER_BUILD_PYTHON:-}" ]; then
  py=$DESIGNER_BUILD_PYTHON
  if ! "$py" -c "import PySide6.QtWidgets, pyqtgraph, numpy, shapely, ezdxf" 2>/dev/null; then
    echo "build.sh: $py lacks the app's dependencies; pip install -e . into it first" >&2
    exit 2
  fi
  if ! "$py" -c "import PyInstaller" 2>/dev/null; then
    echo "== installing PyInstaller into $("$py" -c 'import sys; print(sys.prefix)')"
    "$py" -m pip install -q "pyinstaller>=6"
  fi
else
  venv="$root/build/venv"
  if [ "$os" = windows ]; then py="$venv/Scripts/python.exe"; else py="$venv/bin/python"; fi
  if [ ! -x "$py" ]; then
    echo "== making the build venv $venv"
    base=${DESIGNER_BASE_PYTHON:-$(command -v python3 || command -v python || true)}
    [ -n "$base" ] || { echo "build.sh: no python3 found; set DESIGNER_BASE_PYTHON" >&2; exit 2; }
    "$base" -m venv "$venv"
  fi
  echo "== installing the app and PyInstaller into the build venv"
  "$py" -m pip install -q --disable-pip-version-check ".[build]"
fi
echo "== building with $("$py" -c 'import sys, PyInstaller; print(f"Python {sys.version.split()[0]}, PyInstaller {PyInstaller.__version__}")')"

# --- freeze ------------------------------------------------------------------------------
"$py" -m PyInstaller --noconfirm --log-level WARN ${clean[@]+"${clean[@]}"} \
  --distpath "$dist" --workpath "$work" packaging/designer.spec

case "$os" in
  macos) app="$dist/Designer.app"; exe="$app/Contents/MacOS/Designer";;
  windows) app="$dist/Designer"; exe="$app/designer-cli.exe";;  # the console twin of Designer.exe
  *) app="$dist/Designer"; exe="$app/Designer";;
esac
[ -x "$exe" ] || { echo "build.sh: no executable at $exe" >&2; exit 1; }
if [ "$os" = linux ]; then
  # desktop integration ships with the app: Designer/linux/install.sh registers it
  rm -rf "$app/linux" && cp -R packaging/linux "$app/linux"
fi
build_s=$((SECONDS - started))

# --- check -------------------------------------------------------------------------------
if [ "$self_test" = 1 ]; then
  echo "== self-test of the frozen app"
  # no Python of the build environment may leak in
  env -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV QT_QPA_PLATFORM=offscreen "$exe" --self-test
fi

echo "== built in ${build_s} s"
echo "size: $(du -sh "$app" | cut -f1)"
echo "app:  $app"
echo "run:  $exe"
