"""How the plan looks: level-of-detail thresholds, colours, the racks' colour modes
(type, power density, status) and the per-type style table the canvas paints with."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QBrush, QColor, QPen

from designer.catalog import Catalog
from designer.engine.types import COMPUTE, KIND_CODES
from designer.model import Design
from designer.ui.evaluation_cache import derived

# ------------------------------------------------------------------ level of detail
#: Pixels per metre from which each detail is drawn.
LOD_OUTLINES = 6.0       # rack edges and front marks (a 0.6 m rack is ~4 px wide)
LOD_ANTIALIAS = 24.0     # antialiased rack fills (costly; racks mostly stand at multiples of 90°)
LOD_LABELS = 36.0        # rack ids (a 1.2 m deep rack fits "us12-r1" at 8 px)
LOD_BUSWAY_LABELS = 28.0  # busway ids, placed beside the racks
LOD_GRID = 10.0          # 0.6 m floor tiles (6 px apart)
#: Below this zoom a hall is painted with one path per colour instead of per chunk
#: (a 12 m chunk is then under ~50 px: culling it saves less than the calls cost).
LOD_MERGE = 4.0
#: Below this zoom hall items and their overlays are cached as pixmaps (see cache_for_zoom).
LOD_CACHE = 3.0
#: Side of the square floor chunks footprints are grouped in (metres).
CHUNK_M = 12.0
#: Depth of the light strip that marks a rack's front (metres, at most 20 % of the depth).
FRONT_MARK_M = 0.16
#: Width a busway is drawn with (metres; never thinner than 2 px).
BUSWAY_WIDTH_M = 0.3
#: The chunk index standing for "the whole hall" in path caches.
WHOLE_HALL = -1

# ------------------------------------------------------------------ colours
FLOOR_COLOR = QColor("#f7f5ef")
WALL_COLOR = QColor("#2b2f36")
COLUMN_COLOR = QColor("#50555c")
KEEPOUT_COLOR = QColor(200, 55, 55)
FRONT_COLOR = QColor(255, 255, 255, 150)
STATUS_COLORS = {1: QColor("#f2a900"), 2: QColor("#d62728")}
UNKNOWN_TYPE_COLOR = "#9a9a9a"
#: Outline and tint of selected equipment.
SELECTION_COLOR = QColor("#1a73e8")
#: Side of the square handles at busway ends and hall vertices (pixels).
HANDLE_PX = 7.0
#: Busways and feed lines per power feed: a red-orange and a blue-violet stay apart for
#: red-green colour-blind eyes (they differ in blue-yellow and in lightness) and differ
#: from the status colours (amber, red, purple, blue), which mark racks, not busways.
FEED_COLORS = {"A": QColor("#e66100"), "B": QColor("#4b3fd1")}
#: Items taken as failed in a what-if: greyed, hatched and crossed out.
FAILED_COLOR = QColor("#5b5f66")

# ------------------------------------------------------------------ colour modes
#: Colour modes of the racks: catalog colour, power density, evaluation status.
COLOUR_MODES = ("type", "density", "status")
COLOUR_MODE_LABELS = {"type": "Type", "density": "Power density", "status": "Status"}
#: Upper edges (kW per m² of footprint) of the power-density classes; the last class is
#: open-ended. Fixed, so that the same rack has the same colour in every design.
DENSITY_EDGES_KW_M2 = (10.0, 20.0, 40.0, 60.0, 80.0, 100.0, 125.0, 150.0)
#: Equipment without IT load (CDUs, air handlers) in the density mode.
NO_LOAD_COLOR = QColor("#c9c6bd")
#: Status classes: the evaluation's ok / warning / error, with unpowered and uncooled
#: (both errors) told apart; "not evaluated" while no evaluation is available.
STATUS_CLASSES = ("OK", "Warning", "Error", "Unpowered", "Uncooled", "Not evaluated")
STATUS_OK, STATUS_WARNING, STATUS_ERROR, STATUS_UNPOWERED, STATUS_UNCOOLED, STATUS_UNKNOWN = range(6)
STATUS_CLASS_COLORS = (QColor("#5fa55a"), QColor("#f2a900"), QColor("#d62728"), QColor("#7b3fa0"),
                       QColor("#1f78b4"), QColor("#b8b8b8"))


def density_colors() -> list[QColor]:
    """One colour per power-density class, light (low) to dark (high): viridis, reversed."""
    lut = pg.colormap.get("viridis").getLookupTable(0.0, 1.0, nPts=len(DENSITY_EDGES_KW_M2) + 1, alpha=False)
    return [QColor(int(r), int(g), int(b)) for r, g, b in lut[::-1]]


DENSITY_COLORS = density_colors()


def density_class(kw_per_m2: np.ndarray) -> np.ndarray:
    """Index into :data:`DENSITY_COLORS` per value; -1 where there is no IT load."""
    kw_per_m2 = np.asarray(kw_per_m2, float)
    cls = np.searchsorted(np.asarray(DENSITY_EDGES_KW_M2), kw_per_m2, side="right")
    return np.where(kw_per_m2 > 0, cls, -1)


def density_labels() -> list[str]:
    """Legend labels of the density classes ("< 10", "10–20", …, "≥ 150")."""
    edges = DENSITY_EDGES_KW_M2
    out = [f"< {edges[0]:g}"]
    out += [f"{a:g}–{b:g}" for a, b in zip(edges, edges[1:])]
    out.append(f"≥ {edges[-1]:g}")
    return out


def status_classes(evaluation) -> np.ndarray | None:
    """Per equipment row: the :data:`STATUS_CLASSES` index (cached on the evaluation)."""
    if evaluation is None:
        return None
    cached = derived(evaluation).get("ui.status_class")
    if cached is None:
        status = np.asarray(evaluation.items.status)
        cls = np.minimum(status, STATUS_ERROR).astype(np.int8)
        cls[~np.asarray(evaluation.items.cooled, bool)] = STATUS_UNCOOLED
        cls[~np.asarray(evaluation.items.powered, bool)] = STATUS_UNPOWERED  # the root cause first
        cached = derived(evaluation)["ui.status_class"] = cls
    return cached



@dataclass
class Palette:
    """Fill brush, edge pen and label colour per colour key."""

    brushes: list[QBrush]
    pens: list[QPen]
    texts: list[QColor]

    @classmethod
    def of(cls, colors: list[QColor]) -> "Palette":
        brushes, pens, texts = [], [], []
        for c in colors:
            brushes.append(QBrush(c))
            pen = QPen(c.darker(170), 1.0)
            pen.setCosmetic(True)
            pens.append(pen)
            texts.append(QColor("#111111") if c.lightnessF() > 0.55 else QColor("#ffffff"))
        return cls(brushes, pens, texts)


#: Density palette: the classes, then "no IT load" last (key -1 maps to it).
DENSITY_PALETTE = Palette.of([*DENSITY_COLORS, NO_LOAD_COLOR])
STATUS_PALETTE = Palette.of(list(STATUS_CLASS_COLORS))


@dataclass
class TypeStyle:
    """Per type code (aligned with ``EquipmentTable.types``): sizes, colours and power,
    plus the design-wide figures the overlays draw with (from the overridden catalog)."""

    width: np.ndarray
    depth: np.ndarray
    kind: np.ndarray
    brushes: list[QBrush]
    edge_pens: list[QPen]
    text_colors: list[QColor]
    shorts: list[str]
    colors: list[QColor]
    it_kw: np.ndarray = field(default_factory=lambda: np.zeros(0))
    front_m: float = 1.2
    rear_m: float = 0.9
    heat_cell_m: float = 1.2
    #: medium id → (short name, colour), in catalog order
    media: dict[str, tuple[str, QColor]] = field(default_factory=dict)

    @classmethod
    def build(cls, design: Design, catalog: Catalog) -> "TypeStyle":
        """Styles for every type the design's equipment table knows."""
        names = design.equipment.types.names
        width, depth, kind, it_kw = [], [], [], []
        colors, shorts = [], []
        for name in names:
            spec = catalog.types.get(name)
            if spec is None:  # not in the catalog: draw a grey rack-sized box
                w, d, k, color, short, kw = 0.6, 1.2, COMPUTE, UNKNOWN_TYPE_COLOR, name, 0.0
            else:
                w = spec.width_m if spec.on_floor else 0.0
                d = spec.depth_m if spec.on_floor else 0.0
                k, color, short = KIND_CODES.get(spec.kind, COMPUTE), spec.color, spec.short
                kw = spec.it_power_kw if spec.on_floor else 0.0
            width.append(w)
            depth.append(d)
            kind.append(k)
            it_kw.append(kw)
            colors.append(QColor(color))
            shorts.append(short)
        palette = Palette.of(colors)

        def figure(key: str, default: float) -> float:
            try:
                return float(catalog.value(key))
            except KeyError:
                return default

        media = {mid: (spec.short, QColor(spec.color)) for mid, spec in catalog.media.items()}
        return cls(np.array(width, float), np.array(depth, float), np.array(kind, np.int8),
                   palette.brushes, palette.pens, palette.texts, shorts, colors,
                   it_kw=np.array(it_kw, float), front_m=figure("clearance.front_m", 1.2),
                   rear_m=figure("clearance.rear_m", 0.9), heat_cell_m=figure("cooling.heat_grid_m", 1.2),
                   media=media)

    @property
    def palette(self) -> Palette:
        return Palette(self.brushes, self.edge_pens, self.text_colors)

    def density_kw_m2(self) -> np.ndarray:
        """Power density (kW per m² of footprint) per type; 0 without a footprint."""
        area = self.width * self.depth
        return np.divide(self.it_kw, area, out=np.zeros(len(area)), where=area > 0)
