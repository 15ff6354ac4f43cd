"""Render the app and document icons from their SVGs into PNG sizes, .ico and .icns.

    python packaging/render_icons.py          # rewrites resources/icons/*.png|ico|icns

Run it after changing ``resources/icons/designer.svg`` or ``dcplan-document.svg``; the
results are committed so that a build needs no image tools. Qt's SVG renderer draws the
PNGs; the .ico (Windows) and .icns (macOS) are written here, holding those PNGs as they
are (both formats accept PNG entries), so no Pillow or iconutil is needed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SOURCES = ("designer", "dcplan-document")
#: PNG sizes written beside each SVG (the freedesktop hicolor sizes up to 512).
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: .icns element types that hold a PNG of the given size.
ICNS_TYPES = ((b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512))


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn on a transparent square of ``size`` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding the PNGs (a size of 256 is stored as 0, as the format says)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for s in sizes:
        png = pngs[s]
        entries += struct.pack("<BBBBHHII", s % 256, s % 256, 0, 0, 1, 32, len(png), offset + len(blobs))
        blobs += png
    return header + entries + blobs


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding the PNGs under their size's element type."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[s])) + pngs[s] for kind, s in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (fonts, image IO)
    for name in SOURCES:
        svg = ICONS / f"{name}.svg"
        pngs = {s: render_png(svg, s) for s in sorted(set(SIZES) | {s for _, s in ICNS_TYPES})}
        for s in SIZES:
            (ICONS / f"{name}-{s}.png").write_bytes(pngs[s])
        (ICONS / f"{name}.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
        (ICONS / f"{name}.icns").write_bytes(icns_bytes(pngs))
        print(f"{name}: {len(SIZES)} PNGs ({SIZES[0]}–{SIZES[-1]} px), .ico, .icns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
