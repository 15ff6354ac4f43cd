#!/usr/bin/env bash
# Register the built Designer app with the desktop for the current user (no root needed):
# menu entry, .dcplan file type and icons, and a `designer` command in ~/.local/bin.
#
#   packaging/linux/install.sh [--app PATH] [--uninstall]
#
#   --app PATH    the built app: its folder (dist/Designer) or its executable. Default: the
#                 folder this script sits in when it ships inside the app (Designer/linux/),
#                 else dist/Designer of the repository
#   --uninstall   remove everything the install wrote (the app folder itself stays)
#
# Writes to ${XDG_DATA_HOME:-~/.local/share}/{applications,mime/packages,metainfo,icons/hicolor}
# and ~/.local/bin, then refreshes the MIME, desktop and icon caches where those tools exist.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
app_id=io.designer.Designer
mime_icon=application-x-designer-plan
sizes=(16 24 32 48 64 128 256 512)
data=${XDG_DATA_HOME:-$HOME/.local/share}
bin_dir=$HOME/.local/bin
app=""
uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --app) app=$2; shift 2;;
    --uninstall) uninstall=1; shift;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2;;
  esac
done

refresh_caches() {
  if command -v update-mime-database >/dev/null; then update-mime-database "$data/mime" >/dev/null 2>&1 || true; fi
  if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$data/applications" 2>/dev/null || true; fi
  if command -v gtk-update-icon-cache >/dev/null; then
    gtk-update-icon-cache -q -f -t "$data/icons/hicolor" 2>/dev/null || true
  fi
}

installed_files() {
  echo "$data/applications/$app_id.desktop"
  echo "$data/mime/packages/$app_id.xml"
  echo "$data/metainfo/$app_id.metainfo.xml"
  for s in "${sizes[@]}"; do
    echo "$data/icons/hicolor/${s}x${s}/apps/$app_id.png"
    echo "$data/icons/hicolor/${s}x${s}/mimetypes/$mime_icon.png"
  done
  echo "$data/icons/hicolor/scalable/apps/$app_id.svg"
  echo "$data/icons/hicolor/scalable/mimetypes/$mime_icon.svg"
}

if [ "$uninstall" = 1 ]; then
  while read -r f; do rm -f "$f"; done < <(installed_files)
  if [ -L "$bin_dir/designer" ]; then rm -f "$bin_dir/designer"; fi
  refresh_caches
  echo "Designer removed from the desktop (the app folder itself was left where it is)."
  exit 0
fi

# --- find the app and its icons ----------------------------------------------------------
if [ -z "$app" ]; then
  if [ -x "$here/../Designer" ] && [ ! -d "$here/../Designer" ]; then
    app="$here/.."                      # shipped inside the app: Designer/linux/install.sh
  else
    app="$here/../../dist/Designer"     # in the repository, after packaging/build.sh
  fi
fi
if [ -d "$app" ]; then exe="$app/Designer"; else exe="$app"; app=$(dirname "$app"); fi
if [ ! -x "$exe" ] || [ -d "$exe" ]; then
  echo "install.sh: no built app at $exe; run packaging/build.sh first, or pass --app PATH" >&2
  exit 1
fi
exe=$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe")
icons=""
for d in "$app/_internal/resources/icons" "$here/../../resources/icons"; do
  if [ -f "$d/designer-48.png" ]; then icons=$(cd "$d" && pwd); break; fi
done
[ -n "$icons" ] || { echo "install.sh: cannot find the icons (resources/icons)" >&2; exit 1; }

# --- install -----------------------------------------------------------------------------
mkdir -p "$data/applications" "$data/mime/packages" "$data/metainfo" "$bin_dir"
ln -sfn "$exe" "$bin_dir/designer"
# the menu starts the app by absolute path: ~/.local/bin is not on every session's PATH
sed "s|^Exec=designer |Exec=\"$bin_dir/designer\" |" "$here/$app_id.desktop" >"$data/applications/$app_id.desktop"
cp "$here/$app_id.xml" "$data/mime/packages/$app_id.xml"
cp "$here/$app_id.metainfo.xml" "$data/metainfo/$app_id.metainfo.xml"
for s in "${sizes[@]}"; do
  mkdir -p "$data/icons/hicolor/${s}x${s}/apps" "$data/icons/hicolor/${s}x${s}/mimetypes"
  cp "$icons/designer-$s.png" "$data/icons/hicolor/${s}x${s}/apps/$app_id.png"
  cp "$icons/dcplan-document-$s.png" "$data/icons/hicolor/${s}x${s}/mimetypes/$mime_icon.png"
done
mkdir -p "$data/icons/hicolor/scalable/apps" "$data/icons/hicolor/scalable/mimetypes"
cp "$icons/designer.svg" "$data/icons/hicolor/scalable/apps/$app_id.svg"
cp "$icons/dcplan-document.svg" "$data/icons/hicolor/scalable/mimetypes/$mime_icon.svg"
refresh_caches

echo "Designer installed for $(id -un): menu entry, .dcplan files, icons; command $bin_dir/designer -> $exe"
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) echo "note: $bin_dir is not on your PATH; add it to run 'designer' from a terminal";;
esac
