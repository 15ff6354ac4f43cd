"""The heat map overlay: heat density (kW per m² of floor) on the cooling grid."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from designer.engine.heat import HeatGrid, heat_grid
from designer.ui.canvas.overlays.base import HallOverlay
from designer.ui.canvas.styles import TypeStyle

#: Heat ramp: transparent at zero, then light yellow → orange → red → dark red, more
#: opaque as it gets hotter so that cool floor stays readable under the map.
HEAT_STOPS = ((0.0, (255, 240, 170, 80)), (0.35, (253, 170, 70, 125)), (0.7, (225, 45, 30, 160)),
              (1.0, (120, 0, 30, 185)))
#: Zoom (px/m of a cell) from which cell values are written in.
LOD_HEAT_VALUES = 70.0


def heat_lut() -> np.ndarray:
    """256 RGBA entries of the heat ramp (index 0: transparent)."""
    pos = [p for p, _ in HEAT_STOPS]
    colors = [c for _, c in HEAT_STOPS]
    lut = pg.ColorMap(pos, colors).getLookupTable(0.0, 1.0, 256, alpha=True).astype(np.uint8)
    lut[0] = (0, 0, 0, 0)
    return lut


HEAT_LUT = heat_lut()


def nice_ceil(value: float) -> float:
    """The smallest 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ not below ``value``."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * exp >= value - 1e-9 * exp:
            return step * exp
    return 10 * exp


def heat_scale_w_m2(styles: TypeStyle) -> float:
    """Top of the heat colour scale: the densest footprint a type of the design has,
    rounded up. A cell cannot be hotter than that (unless footprints overlap), and the
    scale does not jump while racks are dragged."""
    dens = styles.density_kw_m2()
    return nice_ceil(float(dens.max(initial=0.0)) * 1000.0) if dens.size and dens.max() > 0 else 1000.0



class HeatOverlay(HallOverlay):
    """Heat density (W/m²) on cells of ``cooling.heat_grid_m``, from the IT power of
    each footprint (:func:`designer.engine.heat.heat_grid`), drawn as one translucent
    image per hall; cell values written in when the cells are large on screen."""

    kind = "heat"
    z = 1.0
    needs_evaluation = False

    def compute(self):
        hall = self.hall_item
        st = hall.styles
        fp = hall.footprints
        t = hall.design.equipment
        rows = fp.rows
        grid = heat_grid(t.x[rows], t.y[rows], fp.rotation, fp.sizes[:, 0], fp.sizes[:, 1],
                         st.it_kw[fp.types], hall.hall.bounds(), st.heat_cell_m)
        scale = heat_scale_w_m2(st)
        index = np.where(grid.grid > 0, np.clip(np.ceil(grid.grid / scale * 255.0), 1, 255), 0).astype(np.uint8)
        rgba = np.ascontiguousarray(HEAT_LUT[index][::-1])  # image rows run north to south
        rows_n, cols_n = index.shape
        image = QImage(rgba.tobytes(), cols_n, rows_n, 4 * cols_n, QImage.Format.Format_RGBA8888).copy()
        x0, y0, x1, y1 = grid.extent
        return {"grid": grid, "image": image, "target": QRectF(x0, -y1, x1 - x0, y1 - y0), "scale": scale}

    def heat(self) -> HeatGrid | None:
        """The hall's heat grid (W/m²)."""
        data = self.data()
        return None if data is None else data["grid"]

    def draw(self, painter, data, exposed, ppm) -> None:
        painter.setClipPath(self.hall_item.outline, Qt.ClipOperation.IntersectClip)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(data["target"], data["image"])
        grid: HeatGrid = data["grid"]
        if ppm * grid.cell < LOD_HEAT_VALUES:
            return
        # values in kW/m², centred in the cells that are on screen
        x0, y0, _, _ = grid.extent
        rows_n, cols_n = grid.grid.shape
        j0 = max(0, int((exposed.left() - x0) // grid.cell))
        j1 = min(cols_n - 1, int((exposed.right() - x0) // grid.cell))
        i0 = max(0, int((-exposed.bottom() - y0) // grid.cell))
        i1 = min(rows_n - 1, int((-exposed.top() - y0) // grid.cell))
        if j1 < j0 or i1 < i0:
            return
        sub = grid.grid[i0:i1 + 1, j0:j1 + 1]
        ii, jj = np.nonzero(sub > 0)
        if len(ii) > 2000:
            return
        tr = painter.worldTransform()
        painter.resetTransform()
        font = QFont()
        font.setPixelSize(11)
        painter.setFont(font)
        for i, j in zip(ii + i0, jj + j0):
            centre = tr.map(QPointF(x0 + (j + 0.5) * grid.cell, -(y0 + (i + 0.5) * grid.cell)))
            value = grid.grid[i, j] / 1000.0
            painter.setPen(QColor("#ffffff") if value / (data["scale"] / 1000.0) > 0.55 else QColor("#3a1500"))
            painter.drawText(QRectF(centre.x() - 40, centre.y() - 8, 80, 16), Qt.AlignmentFlag.AlignCenter,
                             f"{value:,.0f}")
        painter.setTransform(tr)
