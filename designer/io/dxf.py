"""DXF both ways with ezdxf: a layered export for the architect's CAD, and an import of
a hall outline, columns and keep-outs from an architect's drawing.

Export: metres ($INSUNITS = 6); layers HALL, COLUMNS, KEEPOUTS, RACKS (one block per
equipment type, inserted with attributes ID, TYPE, SYSTEM, KW), CLEARANCES, BUSWAYS,
CABLES (scale-out routes coloured by medium), LABELS, ANNOTATIONS (the design's
dimension lines as DIMENSION entities measuring in metres, its notes as MTEXT). Several
halls are placed side by side as on the canvas (:meth:`Design.hall_offsets`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from designer.catalog import Catalog, load_catalog
from designer.engine import Evaluation, evaluate
from designer.engine import boxes as bx
from designer.io.dcplan import MAX_COORD_M
from designer.model import Design

#: DXF files larger than this are refused before parsing.
MAX_DXF_BYTES = 200 * 1024 * 1024
LAYERS = {  # name: ACI colour
    "HALL": 7, "COLUMNS": 8, "KEEPOUTS": 1, "RACKS": 30, "CLEARANCES": 4, "BUSWAYS": 1, "CABLES": 3, "LABELS": 7,
    "ANNOTATIONS": 6,
}
#: Dimension lines as the canvas draws them: ticks at the ends, the length over the line
#: ("3.05 m": metres, 2 decimals, trailing zeros kept); text and tick sizes in drawing
#: units (metres). ezdxf's EZDXF style would show centimetres (dimlfac 100).
DIMENSION_STYLE = {"dimtxt": 0.25, "dimasz": 0.15, "dimblk": "ARCHTICK", "dimdec": 2, "dimzin": 0,
                   "dimlfac": 1.0, "dimpost": "<> m", "dimexe": 0.1, "dimexo": 0.0, "dimgap": 0.05, "dimtad": 1}
NOTE_HEIGHT_M = 0.25


class DxfError(ValueError):
    """A DXF cannot be read or holds no usable geometry; the message says why and where."""


def _rgb(color: str) -> int:
    from ezdxf import colors

    color = color.lstrip("#")
    return colors.rgb2int((int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)))


def export_dxf(design: Design, path: str | os.PathLike, evaluation: Evaluation | None = None,
               catalog: Catalog | None = None, progress=None) -> dict[str, int]:
    """Write the design as DXF; returns the number of entities per layer."""
    import ezdxf
    from ezdxf import units

    base = catalog or load_catalog()
    cat = base.with_overrides(design.assumptions)
    ev = evaluation if evaluation is not None else evaluate(design, base)
    doc = ezdxf.new("R2018", setup=True)
    doc.units = units.M
    doc.header["$MEASUREMENT"] = 1
    for name, aci in LAYERS.items():
        doc.layers.add(name, color=aci)
    msp = doc.modelspace()
    counts = dict.fromkeys(LAYERS, 0)
    offsets = design.hall_offsets()
    t = design.equipment

    def shift(hall_id, pts):
        dx, dy = offsets[hall_id]
        return [(float(x) + dx, float(y) + dy) for x, y in pts]

    for hall in design.halls:
        msp.add_lwpolyline(shift(hall.id, hall.outline), close=True, dxfattribs={"layer": "HALL"})
        counts["HALL"] += 1
        x0, _, _, y1 = hall.bounds()
        dx, dy = offsets[hall.id]
        msp.add_text(hall.name, height=0.8, dxfattribs={"layer": "LABELS"}).set_placement((x0 + dx, y1 + dy + 0.6))
        counts["LABELS"] += 1
        for poly in hall.columns:
            msp.add_lwpolyline(shift(hall.id, poly), close=True, dxfattribs={"layer": "COLUMNS"})
            counts["COLUMNS"] += 1
        for poly in hall.keepouts:
            msp.add_lwpolyline(shift(hall.id, poly), close=True, dxfattribs={"layer": "KEEPOUTS"})
            counts["KEEPOUTS"] += 1

    # one block per floor equipment type: footprint centred on the origin, front edge marked
    for code, type_id in enumerate(t.types.names):
        spec = cat.types[type_id]
        if spec.kind == "busway":
            continue
        blk = doc.blocks.new(name=type_id.upper())
        w, d = spec.width_m, spec.depth_m
        blk.add_lwpolyline([(-w / 2, -d / 2), (w / 2, -d / 2), (w / 2, d / 2), (-w / 2, d / 2)], close=True,
                           dxfattribs={"true_color": _rgb(spec.color)})
        blk.add_line((-w / 2, -d / 2 + 0.05), (w / 2, -d / 2 + 0.05))  # the front (intake) faces −y
        for k, tag in enumerate(("ID", "TYPE", "SYSTEM", "KW")):
            blk.add_attdef(tag, insert=(-w / 2 + 0.02, d / 2 - 0.12 * (k + 1)), height=0.08,
                           dxfattribs={"layer": "LABELS"})

    front = cat.value("clearance.front_m")
    rear = cat.value("clearance.rear_m")
    n = len(t)
    step = max(1, n // 50)
    for row in range(n):
        if progress is not None and row % step == 0 and progress(row / max(n, 1)) is False:
            raise InterruptedError("export cancelled")
        type_id = t.types[int(t.type_code[row])]
        spec = cat.types[type_id]
        hall_id = t.halls[int(t.hall_code[row])]
        dx, dy = offsets.get(hall_id, (0.0, 0.0))
        x, y = float(t.x[row]) + dx, float(t.y[row]) + dy
        item_id = t.ids[row]
        if spec.kind == "busway":
            msp.add_line((x, y), (float(t.x2[row]) + dx, float(t.y2[row]) + dy),
                         dxfattribs={"layer": "BUSWAYS", "lineweight": 100})
            counts["BUSWAYS"] += 1
            continue
        sc = int(t.system_code[row])
        ref = msp.add_blockref(type_id.upper(), (x, y), dxfattribs={"layer": "RACKS",
                                                                  "rotation": float(t.rotation[row])})
        ref.add_auto_attribs({"ID": item_id, "TYPE": type_id, "SYSTEM": "" if sc < 0 else t.systems[sc],
                              "KW": f"{spec.it_power_kw:g}"})
        counts["RACKS"] += 1
        c, s = bx.axes(np.array([t.rotation[row]]))
        zones = [(-1.0, front)] + ([(1.0, rear)] if spec.kind in ("compute", "network", "cdu") else [])
        for sign, length in zones:
            zx, zy = bx.offset_rects(np.array([x]), np.array([y]), np.array([spec.width_m]),
                                     np.array([spec.depth_m]), c, s, sign, length)
            corners = bx.rect_corners(zx, zy, np.array([spec.width_m]), np.array([length]), c, s)[0]
            msp.add_lwpolyline([tuple(p) for p in corners], close=True, dxfattribs={"layer": "CLEARANCES"})
            counts["CLEARANCES"] += 1

    links = ev.items.links
    colors = [_rgb(cat.media[m].color) for m in ev.media]
    for k in range(len(links.rack)):
        r, q = int(links.rack[k]), int(links.network[k])
        hall_id = t.halls[int(t.hall_code[r])]
        dx, dy = offsets.get(hall_id, (0.0, 0.0))
        a = (float(t.x[r]) + dx, float(t.y[r]) + dy)
        b = (float(t.x[q]) + dx, float(t.y[q]) + dy)
        attribs = {"layer": "CABLES"}
        if links.medium[k] >= 0:
            attribs["true_color"] = colors[int(links.medium[k])]
        msp.add_lwpolyline([a, (b[0], a[1]), b], dxfattribs=attribs)  # Manhattan route
        counts["CABLES"] += 1
    counts["ANNOTATIONS"] = _add_annotations(msp, design, offsets)
    doc.saveas(str(path))
    return counts


def _annotation_point(p, dx: float, dy: float) -> tuple[float, float] | None:
    """A hall point of an annotation placed on the site, or None when it is not a finite point."""
    try:
        x, y = (float(v) for v in p)
    except (TypeError, ValueError):
        return None
    return (x + dx, y + dy) if math.isfinite(x) and math.isfinite(y) else None


def _mtext(text: str) -> str:
    """Plain text as MTEXT content: backslashes and braces kept literal, lines as paragraphs."""
    text = text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")
    return text.replace("\r", "").replace("\n", "\\P")


def _add_annotations(msp, design: Design, offsets: dict[str, tuple[float, float]]) -> int:
    """The design's dimension lines and notes on layer ANNOTATIONS, each hall placed as
    the rest of the drawing; returns how many were written (malformed ones are skipped)."""
    written = 0
    for ann in design.extra.get("annotations") or []:
        if not isinstance(ann, dict) or ann.get("hall") not in offsets:
            continue
        dx, dy = offsets[ann["hall"]]
        if ann.get("kind") == "dimension":
            a, b = _annotation_point(ann.get("a"), dx, dy), _annotation_point(ann.get("b"), dx, dy)
            if a is None or b is None or math.dist(a, b) < 1e-6:
                continue
            dim = msp.add_aligned_dim(p1=a, p2=b, distance=0.0, dimstyle="EZDXF", override=DIMENSION_STYLE,
                                      dxfattribs={"layer": "ANNOTATIONS"})
            dim.render()
        elif ann.get("kind") == "note":
            at = _annotation_point(ann.get("at"), dx, dy)
            text = str(ann.get("text") or "").strip()
            if at is None or not text:
                continue
            mtext = msp.add_mtext(_mtext(text), dxfattribs={"layer": "ANNOTATIONS", "char_height": NOTE_HEIGHT_M})
            mtext.set_location(at, attachment_point=7)  # bottom left at the note's marker, as on the canvas
        else:
            continue
        written += 1
    return written


# ====================================================================== import
def _a(role: str) -> str:
    """``an outline``, ``a column``, ``a keep-out``."""
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"


def _distinct(pts: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    """Each point once: repeated neighbours dropped and the ring not closed by repeating
    its first point (as the design reader keeps a polygon, so a saved hall reads back
    the same)."""
    out = [pt for i, pt in enumerate(pts) if i == 0 or pt != pts[i - 1]]
    while len(out) > 1 and out[-1] == out[0]:
        out.pop()
    return tuple(out)


@dataclass
class HallGeometry:
    """What an architect's DXF gives a hall: outline, columns, keep-outs, in metres."""

    outline: tuple[tuple[float, float], ...]
    columns: list[tuple[tuple[float, float], ...]] = field(default_factory=list)
    keepouts: list[tuple[tuple[float, float], ...]] = field(default_factory=list)
    units: str = "m"
    scale: float = 1.0
    warnings: list[str] = field(default_factory=list)


def import_dxf(path: str | os.PathLike, outline_layer: str = "HALL", column_layer: str = "COLUMNS",
               keepout_layer: str = "KEEPOUTS") -> HallGeometry:
    """Read closed polylines from the chosen layers of a DXF (units from its header).

    The outline is the largest closed polyline on ``outline_layer``. Raises
    :class:`DxfError` with a clear message for unreadable files, unclosed or
    self-intersecting geometry, or a missing outline.
    """
    import ezdxf
    import shapely
    from ezdxf import recover, units

    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise DxfError(f"{p.name}: cannot be read ({exc.strerror or exc})") from None
    if size > MAX_DXF_BYTES:
        raise DxfError(f"{p.name}: {size / 2**20:.0f} MiB is more than the {MAX_DXF_BYTES // 2**20} MiB "
                       "a drawing may have")
    try:
        doc, auditor = recover.readfile(str(p))
    except IOError as exc:
        raise DxfError(f"{p.name}: cannot be read ({exc})") from None
    except ezdxf.DXFStructureError as exc:
        raise DxfError(f"{p.name}: not a readable DXF ({exc})") from None
    except Exception as exc:  # ezdxf raises a variety of errors on hostile input
        raise DxfError(f"{p.name}: not a readable DXF ({type(exc).__name__}: {exc})") from None
    warnings: list[str] = []
    if auditor.has_errors:
        warnings.append(f"{len(auditor.errors)} structural error(s) repaired while reading")
    insunits = int(doc.header.get("$INSUNITS", 0) or 0)
    if insunits == 0:
        scale, unit_name = 1.0, "m"
        warnings.append("the drawing declares no units ($INSUNITS = 0); read as metres")
    else:
        try:
            scale = units.conversion_factor(insunits, units.M)
            unit_name = units.unit_name(insunits)
        except Exception:
            raise DxfError(f"{p.name}: unknown drawing units ($INSUNITS = {insunits})") from None
    wanted = {outline_layer.upper(): "outline", column_layer.upper(): "column", keepout_layer.upper(): "keep-out"}
    found: dict[str, list] = {"outline": [], "column": [], "keep-out": []}
    try:
        entities = list(doc.modelspace())
    except Exception as exc:  # a damaged entities section
        raise DxfError(f"{p.name}: not a readable DXF ({type(exc).__name__}: {exc})") from None
    for entity in entities:
        try:
            layer = entity.dxf.get("layer", "")
            role = wanted.get(str(layer).upper())
            if role is None:
                continue
            kind = entity.dxftype()
            if kind == "LWPOLYLINE":
                pts = [(float(x), float(y)) for x, y in entity.get_points("xy")]
                closed = bool(entity.closed)
            elif kind == "POLYLINE":
                pts = [(float(v.dxf.location.x), float(v.dxf.location.y)) for v in entity.vertices]
                closed = bool(entity.is_closed)
            else:
                continue
        except (ezdxf.DXFError, AttributeError, TypeError, ValueError):
            warnings.append("an entity that could not be read was skipped")
            continue
        if len(pts) > 2 and pts[0] == pts[-1]:
            pts, closed = pts[:-1], True
        where = f"layer {entity.dxf.layer}, {kind} #{entity.dxf.handle}"
        if not closed:
            raise DxfError(f"{p.name}: {where}: the polyline is not closed, so it cannot be {_a(role)}")
        if len(pts) < 3:
            raise DxfError(f"{p.name}: {where}: {_a(role)} needs at least 3 points")
        if not all(math.isfinite(v) for pt in pts for v in pt):
            raise DxfError(f"{p.name}: {where}: coordinates are not finite numbers")
        far = max(abs(v) * scale for pt in pts for v in pt)
        if not far <= MAX_COORD_M:
            raise DxfError(f"{p.name}: {where}: a point of the {role} is {far:,.0f} m from the drawing's origin, "
                           f"beyond the ±{MAX_COORD_M / 1000:,.0f} km a design holds (the drawing's units: "
                           f"{unit_name})")
        pts = _distinct(tuple((round(x * scale, 6) + 0.0, round(y * scale, 6) + 0.0) for x, y in pts))
        if len(pts) < 3:
            raise DxfError(f"{p.name}: {where}: {_a(role)} needs at least 3 distinct points")
        shape = shapely.Polygon(pts)
        if shape.area <= 0 or not shape.is_valid:
            raise DxfError(f"{p.name}: {where}: the {role} intersects itself or has no area")
        found[role].append((shape.area, pts))
    if not found["outline"]:
        layers = sorted({str(e.dxf.get("layer", "")) for e in entities if e.dxf.hasattr("layer")})
        raise DxfError(f"{p.name}: no closed polyline on layer {outline_layer!r} for the hall outline "
                       f"(layers in the drawing: {', '.join(layers) or 'none'})")
    found["outline"].sort(key=lambda a: -a[0])
    if len(found["outline"]) > 1:
        warnings.append(f"{len(found['outline'])} closed polylines on {outline_layer}; the largest is the outline")
    return HallGeometry(outline=found["outline"][0][1], columns=[pts for _, pts in found["column"]],
                        keepouts=[pts for _, pts in found["keep-out"]], units=unit_name, scale=scale,
                        warnings=warnings)
