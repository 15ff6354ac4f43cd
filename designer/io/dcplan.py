"""The ``.dcplan`` design file (format v2): validating reader and stable, atomic writer.

The reader checks everything and answers a bad file with one message naming the
place (``equipment[12].x: expected a number, got "abc"``). The writer emits UTF-8
JSON with a fixed key order and one equipment item per line, so designs diff well
and a file Designer wrote reads back and saves byte for byte.

Version 2 (PRODUCT.md §8) adds optional fields, all validated here and kept where the
engine reads them (the ``extra`` dicts, written back in their sorted place):

* a busway's ``"feed": "A" | "B"`` and ``"source": <power_chain node id>``, any item's
  ``"loop": <cooling loop name>`` → ``design.equipment.extra[id]``;
* ``"power_chain": [{"id", "type", "parent"}]`` (transformer, switchboard or UPS types;
  ``parent`` null or absent: fed by the utility) → ``design.extra["power_chain"]``;
* ``site.generators {"type", "count"}``, ``site.redundancy {"power", "cooling",
  "network"}`` and ``site.coolant`` → ``design.site.extra``;
* a hall's ``"power_feed": "hall" | "busway"`` → ``hall.extra["power_feed"]``;
* ``"catalog"``: the design's own equipment types (the schema of a catalog file: ``{"sources":
  {…}, "<type-id>": {"kind": …, "<figure>": {"value": …, "source" | "assumption": …}}}``),
  validated by :func:`designer.catalog.with_design_types` → ``design.extra["catalog"]``;
* ``"annotations"``: dimension lines ``{"kind": "dimension", "hall", "a", "b"}`` and notes
  ``{"kind": "note", "hall", "at", "text"}`` in hall metres → ``design.extra["annotations"]``.

A version-1 file is read the same way (version 2 only names the fields) and saved as 2.
"""

from __future__ import annotations

import json
import math
import os
from itertools import compress, repeat
from pathlib import Path
from typing import Any, Callable

import numpy as np
import shapely

from designer.catalog import Catalog, CatalogError, load_catalog, with_design_types
from designer.io.atomic import (  # noqa: F401 (the saving API, also reached from here)
    BACKUP_SUFFIX, EXTENSION, STALE_TEMPORARY_S, _keep_backup, atomic_write_bytes, backup_path,
    remove_stale_temporaries,
)
from designer.io.columns import plain_busways, plain_flags, plain_point
from designer.io.json_text import RefusedText, parse_json
from designer.catalog.specs import FLOOR_KINDS
from designer.model.design import Design, Equipment, Hall, Site

FORMAT_NAME = "datacenter-designer"
FORMAT_VERSION = 2
#: Files larger than this are refused before parsing (a 1M-chip campus is ~3 MB).
MAX_FILE_BYTES = 256 * 1024 * 1024
#: Coordinates beyond ±100 km are certainly a unit mistake.
MAX_COORD_M = 100_000.0
#: Fields this Designer does not know (kept and written back as they are) may nest
#: lists and objects this deep; deeper is refused.
MAX_DEPTH = 64

#: A busway's feeds; a hall's power distribution; coolants; redundancy levels per system.
FEEDS = ("A", "B")
POWER_FEEDS = ("hall", "busway")
COOLANTS = ("water", "pg25")
REDUNDANCY_LEVELS = {"power": ("N", "N+1", "2N"), "cooling": ("N", "N+1"), "network": ("N", "N+1")}
#: Kinds of the nodes of a design's ``power_chain`` (generators are ``site.generators``).
NODE_KINDS = ("transformer", "switchboard", "ups")
#: Most generator sets a site may declare.
MAX_GENERATORS = 10_000
#: The physical range of each site and hall figure: (lowest, highest, least non-zero value
#: or None, unit). A figure such as a floor rating of 5e-324 kg/m² would be reported as
#: "0" and divide by almost nothing; where 0 itself means something (no capacity yet,
#: free or carbon-free power) it is allowed, and otherwise the least physical value.
#: (The inspector's fields stay within these ranges, so an edited design reopens.)
FIGURE_RANGES: dict[str, tuple[float, float, float | None, str]] = {
    "utility_capacity_kw": (0.0, 1e8, 1.0, "kW"),
    "pue": (1.0, 5.0, None, ""),
    "electricity_price_per_kwh": (0.0, 100.0, 1e-6, "per kWh"),
    "grid_kg_co2_per_kwh": (0.0, 10.0, 1e-9, "kg/kWh"),
    "floor_rating_kg_m2": (1.0, 1e6, None, "kg/m²"),
    "it_capacity_kw": (0.0, 1e8, 1.0, "kW"),
    "tray_drop_m": (0.0, 20.0, 1e-3, "m"),
}


def _migrate_1_to_2(doc: dict) -> dict:
    """Version 2 only names optional fields a version-1 file may already hold: unchanged."""
    return dict(doc)


#: Migrations from an older version to the next: ``MIGRATIONS[v](doc) -> doc of v+1``.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {1: _migrate_1_to_2}


class DesignFileError(ValueError):
    """The file cannot be read as a design; ``str()`` is the one-line message for the user."""

    def __init__(self, message: str) -> None:
        # names taken from the file (keys, ids) may hold line breaks or control characters:
        # show them escaped so the message stays one line
        super().__init__("".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                                 for ch in str(message)))


# ====================================================================== reading
def read_design(path: str | os.PathLike, catalog: Catalog | None = None) -> Design:
    """Read and validate a ``.dcplan`` file."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DesignFileError(f"{p.name}: the file is {size / 2**20:.0f} MiB, larger than the "
                                  f"{MAX_FILE_BYTES // 2**20} MiB a design may have")
        data = p.read_bytes()
    except DesignFileError:
        raise
    except IsADirectoryError:
        raise DesignFileError(f"{p}: is a folder, not a design file") from None
    except FileNotFoundError:
        raise DesignFileError(f"{p}: no such file") from None
    except OSError as exc:
        raise DesignFileError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    return loads_design(data, catalog, source=p.name)


def loads_design(data: bytes | str, catalog: Catalog | None = None, source: str = "design") -> Design:
    """Parse and validate design JSON (bytes or text)."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise DesignFileError(f"{source}: larger than the {MAX_FILE_BYTES // 2**20} MiB a design may have")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DesignFileError(f"{source}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    else:
        text = data
    if not text.strip():
        raise DesignFileError(f"{source}: the file is empty")
    try:
        raw = (data[3:] if data.startswith(b"\xef\xbb\xbf") else data) if isinstance(data, bytes) else None
        doc = parse_json(text, from_utf8=raw is not None, raw=raw)
    except json.JSONDecodeError as exc:
        raise DesignFileError(f"{source}: line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise DesignFileError(f"{source}: nested too deeply to be a design") from None
    except RefusedText as exc:
        raise DesignFileError(str(exc)) from None
    except ValueError as exc:
        if "integer string conversion" in str(exc):  # Python's 4,300-digit limit
            raise DesignFileError(f"{source}: holds an integer of thousands of digits, "
                                  "not a number a design may hold") from None
        raise DesignFileError(f"{source}: {exc}") from None
    try:
        return design_from_document(doc, catalog or load_catalog())
    except RecursionError:
        raise DesignFileError(f"{source}: nested too deeply to be a design") from None


class _V:
    """Small validators that raise :class:`DesignFileError` naming the place."""

    @staticmethod
    def show(value: Any) -> str:
        if isinstance(value, str):
            s = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, (dict, list)):
            s = "an object" if isinstance(value, dict) else "a list"
            return s
        elif value is None:
            return "null"
        else:
            s = json.dumps(value)
        return s if len(s) <= 40 else s[:37] + '..."'

    @classmethod
    def fail(cls, place: str, problem: str) -> DesignFileError:
        return DesignFileError(f"{place}: {problem}")

    @classmethod
    def obj(cls, value: Any, place: str) -> dict:
        if not isinstance(value, dict):
            raise cls.fail(place, f"expected an object, got {cls.show(value)}")
        return value

    @classmethod
    def lst(cls, value: Any, place: str) -> list:
        if not isinstance(value, list):
            raise cls.fail(place, f"expected a list, got {cls.show(value)}")
        return value

    @classmethod
    def req(cls, obj: dict, key: str, place: str) -> Any:
        if key not in obj:
            raise cls.fail(f"{place}.{key}" if place else key, "missing")
        return obj[key]

    @classmethod
    def text(cls, value: Any, place: str, nonempty: bool = True) -> str:
        if not isinstance(value, str):
            raise cls.fail(place, f"expected text, got {cls.show(value)}")
        if nonempty and not value.strip():
            raise cls.fail(place, "must not be empty")
        if len(value) > 10_000:
            raise cls.fail(place, "text longer than 10,000 characters")
        return value

    @classmethod
    def num(cls, value: Any, place: str, lo: float | None = None, hi: float | None = None,
            lo_open: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise cls.fail(place, f"expected a number, got {cls.show(value)}")
        try:
            v = float(value)
        except OverflowError:  # an integer with hundreds of digits
            raise cls.fail(place, f"expected a finite number, got an integer of {len(str(abs(value)))} "
                                  "digits") from None
        if not math.isfinite(v):
            raise cls.fail(place, f"expected a finite number, got {value}")
        if lo is not None and (v < lo or (lo_open and v == lo)):
            raise cls.fail(place, f"must be {'greater than' if lo_open else 'at least'} {lo:g}, got {value}")
        if hi is not None and v > hi:
            raise cls.fail(place, f"must be at most {hi:g}, got {value}")
        return v

    @classmethod
    def figure(cls, value: Any, place: str, key: str) -> float:
        """A site or hall figure within its physical range (:data:`FIGURE_RANGES`)."""
        lo, hi, least, unit = FIGURE_RANGES[key]
        v = cls.num(value, place, lo, hi)
        if least is not None and 0 < v < least:
            unit = f" {unit}" if unit else ""
            raise cls.fail(place, f"must be 0 or at least {least:g}{unit}, got {value}")
        return v

    @classmethod
    def choice(cls, value: Any, place: str, options: tuple[str, ...]) -> str:
        """One of ``options`` (``expected "A" or "B", got "C"``)."""
        if isinstance(value, str) and value in options:
            return value
        shown = [f'"{o}"' for o in options]
        expected = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
        raise cls.fail(place, f"expected {expected}, got {cls.show(value)}")

    @classmethod
    def free(cls, value: Any, place: str) -> Any:
        """A value of a field this Designer does not know, kept to be written back as it
        is: finite numbers, nesting at most :data:`MAX_DEPTH` deep (integers of any size
        are written back digit for digit)."""
        stack: list[tuple[str, Any, int]] = [(place, value, 0)]
        while stack:
            where, node, depth = stack.pop()
            if type(node) is float and not math.isfinite(node):
                raise cls.fail(where, "the number is too large to store (beyond ±1.8e308)")
            if isinstance(node, (dict, list)):
                if depth >= MAX_DEPTH:
                    raise cls.fail(place, f"nested deeper than {MAX_DEPTH} levels of lists and objects")
                if isinstance(node, dict):
                    stack.extend((f"{where}.{k}", v, depth + 1) for k, v in reversed(node.items()))
                else:
                    stack.extend((f"{where}[{i}]", v, depth + 1) for i, v in reversed(list(enumerate(node))))
        return value

    @classmethod
    def extra(cls, obj: dict, known: tuple[str, ...], place: str) -> dict:
        """The fields of ``obj`` this Designer does not know, checked with :meth:`free`."""
        return {k: cls.free(v, f"{place}.{k}" if place else k) for k, v in obj.items() if k not in known}

    @classmethod
    def point(cls, value: Any, place: str) -> tuple[float, float]:
        pt = cls.lst(value, place)
        if len(pt) != 2:
            raise cls.fail(place, f"expected a point [x, y], got a list of {len(pt)}")
        return (cls.num(pt[0], f"{place}[0]", -MAX_COORD_M, MAX_COORD_M),
                cls.num(pt[1], f"{place}[1]", -MAX_COORD_M, MAX_COORD_M))

    @classmethod
    def polygon(cls, value: Any, place: str) -> tuple[tuple[float, float], ...]:
        pts = cls.lst(value, place)
        if len(pts) < 3:
            raise cls.fail(place, f"a polygon needs at least 3 points, got {len(pts)}")
        points = [cls.point(p, f"{place}[{i}]") for i, p in enumerate(pts)]
        # tolerate an explicitly closed ring (closed once or more) and repeated points, but
        # keep each point once: what is written back then reads back the same
        distinct = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
        while len(distinct) > 1 and distinct[-1] == distinct[0]:
            distinct.pop()
        if len(distinct) < 3:
            raise cls.fail(place, f"a polygon needs at least 3 distinct points, got {len(distinct)}")
        poly = tuple(distinct)
        shape = shapely.Polygon(poly)
        if shape.area <= 0:
            raise cls.fail(place, "the polygon has no area (its points are on one line)")
        if not shape.is_valid:
            reason = shapely.is_valid_reason(shape)
            raise cls.fail(place, f"the polygon is not simple: it intersects itself ({reason})")
        return poly

    @classmethod
    def polygons(cls, value: Any, place: str) -> list[tuple[tuple[float, float], ...]]:
        """A list of polygons (``place[i]``), each as :meth:`polygon` would read it: the
        ordinary ones (plain points, none repeated, not closed, simple, with area) are
        checked together in one shapely call; anything else goes through :meth:`polygon`,
        which names the place of the first fault."""
        polys = cls.lst(value, place)
        rings = _plain_rings(polys)
        if rings and _sound(rings):
            return rings
        return [cls.polygon(p, f"{place}[{i}]") for i, p in enumerate(polys)]


def _plain_rings(polys: Any) -> list | None:
    """The polygons of a list as :meth:`_V.polygon` reads them when each is ordinary
    (plain points in range, at least three, none repeated, not closed), else None."""
    if type(polys) is not list or not all(type(p) is list and len(p) >= 3
                                          and all(map(plain_point, p, repeat(MAX_COORD_M))) for p in polys):
        return None
    rings = [tuple((float(x), float(y)) for x, y in p) for p in polys]
    if all(r[0] != r[-1] and all(map(tuple.__ne__, r[1:], r[:-1])) for r in rings):
        return rings
    return None


def _sound(rings: list) -> bool:
    """Whether every ring bounds a simple polygon with area (one shapely call for all)."""
    sizes = [len(r) for r in rings]
    flat = np.array([pt for r in rings for pt in r], float)
    shapes = shapely.polygons(shapely.linearrings(flat, indices=np.repeat(np.arange(len(rings)), sizes)))
    return bool((shapely.area(shapes) > 0).all()) and bool(shapely.is_valid(shapes).all())


def _halls_rings(halls: list) -> list | None:
    """Per hall: its outline, columns and keep-outs (:meth:`_V.polygon` of each) when
    every one of every hall is ordinary and sound, checked in one shapely call; else None
    (each hall is then read on its own, naming the place of a fault)."""
    out, every = [], []
    for raw in halls:
        if type(raw) is not dict:
            return None
        parts = [_plain_rings([raw.get("outline")]), _plain_rings(raw.get("columns", [])),
                 _plain_rings(raw.get("keepouts", []))]
        if any(p is None for p in parts):
            return None
        out.append((parts[0][0], parts[1], parts[2]))
        every += parts[0] + parts[1] + parts[2]
    return out if every and _sound(every) else None


def _migrate(doc: dict) -> dict:
    version = _V.req(doc, "version", "")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _V.fail("version", f"expected a whole number, got {_V.show(version)}")
    if version > FORMAT_VERSION:
        raise _V.fail("version", f"this file is format version {_V.show(version)}; this Designer reads up to "
                      f"version {FORMAT_VERSION} (update Designer to open it)")
    if version < 1 and version not in MIGRATIONS:
        raise _V.fail("version", f"unknown format version {_V.show(version)}")
    while version < FORMAT_VERSION:
        doc = MIGRATIONS[version](doc)
        version += 1
        doc["version"] = version
    return doc


_SITE_KEYS = ("utility_capacity_kw", "pue", "electricity_price_per_kwh", "grid_kg_co2_per_kwh", "currency")
_HALL_KEYS = ("id", "name", "outline", "columns", "keepouts", "floor_rating_kg_m2", "it_capacity_kw", "tray_drop_m",
              "origin")
_ITEM_KEYS = ("id", "type", "hall", "x", "y", "rotation", "system", "start", "end")
_TOP_KEYS = ("format", "version", "name", "site", "assumptions", "halls", "equipment")


def _read_site(raw: Any, catalog: Catalog) -> Site:
    obj = _V.obj(raw, "site")
    site = Site()
    if "utility_capacity_kw" in obj:
        site.utility_capacity_kw = _V.figure(obj["utility_capacity_kw"], "site.utility_capacity_kw",
                                             "utility_capacity_kw")
    if "pue" in obj:
        pue = obj["pue"]
        if isinstance(pue, str):
            if pue != "modelled":
                raise _V.fail("site.pue", f'expected a number or "modelled", got {_V.show(pue)}')
            site.pue = pue
        else:
            site.pue = _V.figure(pue, "site.pue", "pue")
    for key in ("electricity_price_per_kwh", "grid_kg_co2_per_kwh"):
        if key in obj:
            setattr(site, key, _V.figure(obj[key], f"site.{key}", key))
    if "currency" in obj:
        site.currency = _V.text(obj["currency"], "site.currency")
    site.extra = _V.extra(obj, _SITE_KEYS, "site")
    if "generators" in site.extra:
        _check_generators(site.extra["generators"], "site.generators", catalog)
    if "redundancy" in site.extra:
        declared = _V.obj(site.extra["redundancy"], "site.redundancy")
        for system, level in declared.items():
            if system not in REDUNDANCY_LEVELS:
                raise _V.fail(f"site.redundancy.{system}", "unknown system (expected power, cooling or network)")
            _V.choice(level, f"site.redundancy.{system}", REDUNDANCY_LEVELS[system])
    if "coolant" in site.extra:
        _V.choice(site.extra["coolant"], "site.coolant", COOLANTS)
    return site


def _check_generators(raw: Any, place: str, catalog: Catalog) -> None:
    obj = _V.obj(raw, place)
    type_id = _V.text(_V.req(obj, "type", place), f"{place}.type")
    _chain_type(type_id, f"{place}.type", catalog, ("generator",))
    count = _V.req(obj, "count", place)
    _V.num(count, f"{place}.count", 1, MAX_GENERATORS)
    if not float(count).is_integer():
        raise _V.fail(f"{place}.count", f"expected a whole number of generator sets, got {_V.show(count)}")


def _chain_type(type_id: str, place: str, catalog: Catalog, kinds: tuple[str, ...]) -> None:
    """A catalog type of one of ``kinds`` (a power-chain node's, or the generators')."""
    spec = catalog.types.get(type_id)
    names = [_kind_name(k) for k in kinds]
    what = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    if spec is None:
        known = [t for t, s in catalog.types.items() if s.kind in kinds]
        label = "generator" if kinds == ("generator",) else "power-chain"
        raise _V.fail(place, f"unknown {label} type {_V.show(type_id)} (known: {', '.join(known) or 'none'})")
    if spec.kind not in kinds:
        hint = " (generators are site.generators)" if spec.kind == "generator" else ""
        raise _V.fail(place, f"{_V.show(type_id)} is a {_kind_name(spec.kind)}, not a {what}{hint}")


def _kind_name(kind: str) -> str:
    return "UPS" if kind == "ups" else kind


def _read_power_chain(raw: Any, catalog: Catalog) -> set[str]:
    """Check ``power_chain`` (ids once each, types of a node kind, parents that exist and
    no cycle); returns its node ids."""
    nodes = _V.lst(raw, "power_chain")
    ids: dict[str, int] = {}
    parents: list[str | None] = []
    for i, node in enumerate(nodes):
        place = f"power_chain[{i}]"
        obj = _V.obj(node, place)
        node_id = _V.text(_V.req(obj, "id", place), f"{place}.id")
        if node_id in ids:
            raise _V.fail(f"{place}.id", f"node id {_V.show(node_id)} is used twice")
        ids[node_id] = i
        _chain_type(_V.text(_V.req(obj, "type", place), f"{place}.type"), f"{place}.type", catalog, NODE_KINDS)
        parent = obj.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise _V.fail(f"{place}.parent", f"expected a node id or null, got {_V.show(parent)}")
        parents.append(parent)
    for i, parent in enumerate(parents):
        if parent is not None and parent not in ids:
            raise _V.fail(f"power_chain[{i}].parent", f"no node {_V.show(parent)}")
    names = list(ids)
    done: set[int] = set()  # nodes known to lead to the utility
    for i in range(len(parents)):
        path: list[int] = []
        on_path: set[int] = set()
        k: int | None = i
        while k is not None and k not in done:
            if k in on_path:
                cycle = path[path.index(k):]  # each node's parent is the next one's
                first = min(cycle)
                feeding = [first, *reversed(cycle[cycle.index(first) + 1:] + cycle[:cycle.index(first)]), first]
                chain = " → ".join(_V.show(names[j]) for j in feeding)
                raise _V.fail(f"power_chain[{first}].parent", f"the chain is a cycle ({chain}): a node cannot "
                              "feed itself")
            path.append(k)
            on_path.add(k)
            parent = parents[k]
            k = None if parent is None else ids[parent]
        done.update(path)
    return set(ids)


def _read_hall(raw: Any, place: str, rings: tuple | None = None) -> Hall:
    """A hall; ``rings``: its outline, columns and keep-outs, already read and checked."""
    obj = _V.obj(raw, place)
    hall_id = _V.text(_V.req(obj, "id", place), f"{place}.id")
    outline = rings[0] if rings else _V.polygon(_V.req(obj, "outline", place), f"{place}.outline")
    hall = Hall(id=hall_id, name=_V.text(obj.get("name", hall_id), f"{place}.name"), outline=outline)
    for k, key in enumerate(("columns", "keepouts")):
        setattr(hall, key, rings[1 + k] if rings else _V.polygons(obj.get(key, []), f"{place}.{key}"))
    for key in ("floor_rating_kg_m2", "it_capacity_kw", "tray_drop_m"):
        if key in obj:
            setattr(hall, key, _V.figure(obj[key], f"{place}.{key}", key))
    if "origin" in obj:  # the hall's (0, 0) on the campus plan, site metres
        hall.origin = _V.point(obj["origin"], f"{place}.origin")
    hall.extra = _V.extra(obj, _HALL_KEYS, place)
    if "power_feed" in hall.extra:
        _V.choice(hall.extra["power_feed"], f"{place}.power_feed", POWER_FEEDS)
    return hall


def design_from_document(doc: Any, catalog: Catalog) -> Design:
    """Validate a parsed JSON document and build the :class:`Design`."""
    doc = _V.obj(doc, "the file")
    fmt = _V.req(doc, "format", "")
    if fmt != FORMAT_NAME:
        raise _V.fail("format", f'expected "{FORMAT_NAME}", got {_V.show(fmt)} (not a Designer file)')
    doc = _migrate(doc)
    design = Design(name=_V.text(doc.get("name", "Untitled design"), "name"))
    if "catalog" in doc:  # the design's own equipment types: validated, kept in design.extra
        try:
            catalog = with_design_types(catalog, _V.obj(doc["catalog"], "catalog"))
        except CatalogError as exc:
            raise DesignFileError(str(exc)) from None
    if "site" in doc:
        design.site = _read_site(doc["site"], catalog)
    assumptions = _V.obj(doc.get("assumptions", {}), "assumptions")
    try:
        catalog.with_overrides(assumptions)
    except CatalogError as exc:
        raise DesignFileError(str(exc)) from None
    design.assumptions = dict(assumptions)
    halls = _V.lst(_V.req(doc, "halls", ""), "halls")
    if not halls:
        raise _V.fail("halls", "a design needs at least one hall")
    seen_halls: set[str] = set()
    rings = _halls_rings(halls) or [None] * len(halls)
    for i, (raw, hall_rings) in enumerate(zip(halls, rings)):
        hall = _read_hall(raw, f"halls[{i}]", hall_rings)
        if hall.id in seen_halls:
            raise _V.fail(f"halls[{i}].id", f"hall id {_V.show(hall.id)} is used twice")
        seen_halls.add(hall.id)
        design.halls.append(hall)
    nodes = _read_power_chain(doc["power_chain"], catalog) if "power_chain" in doc else set()
    items = _V.lst(doc.get("equipment", []), "equipment")
    design.equipment.extend_columns(*_read_items(items, catalog, seen_halls, nodes))
    if "annotations" in doc:  # dimension lines and notes: checked, kept in design.extra
        _check_annotations(doc["annotations"], seen_halls)
    design.extra = _V.extra(doc, _TOP_KEYS, "")
    if "fabric" in design.extra:
        _check_fabric(design.extra["fabric"])
    return design


def _check_fabric(raw: Any) -> None:
    """``fabric {"oversubscription": o}``: the share o/(1+o) of leaf ports facing servers."""
    obj = _V.obj(raw, "fabric")
    if "oversubscription" in obj:
        o = obj["oversubscription"]
        if isinstance(o, bool) or not isinstance(o, (int, float)) or not 0.1 <= o <= 16:
            raise _V.fail("fabric.oversubscription",
                          f"expected a number from 0.1 to 16 (1 = non-blocking), got {_V.show(o)}")


#: The fields of each kind of annotation (dimension lines and notes, hall metres).
ANNOTATION_FIELDS = {"dimension": ("a", "b"), "note": ("at", "text")}


def _check_annotations(raw: Any, halls: set[str]) -> None:
    """Check ``annotations``: a list of ``{"kind": "dimension", "hall", "a", "b"}`` and
    ``{"kind": "note", "hall", "at", "text"}`` (points in the hall's metres); kept in
    ``design.extra["annotations"]`` as they are."""
    for i, ann in enumerate(_V.lst(raw, "annotations")):
        place = f"annotations[{i}]"
        ann = _V.obj(ann, place)
        kind = _V.choice(_V.req(ann, "kind", place), f"{place}.kind", tuple(ANNOTATION_FIELDS))
        hall = _V.text(_V.req(ann, "hall", place), f"{place}.hall")
        if hall not in halls:
            raise _V.fail(f"{place}.hall", f"no hall {_V.show(hall)}")
        for key in ANNOTATION_FIELDS[kind]:
            value = _V.req(ann, key, place)
            if key == "text":
                _V.text(value, f"{place}.text")
            else:
                _V.point(value, f"{place}.{key}")
        if kind == "dimension" and _V.point(ann["a"], f"{place}.a") == _V.point(ann["b"], f"{place}.b"):
            raise _V.fail(place, "a dimension line needs two different ends (a and b are the same point)")
        for key, value in ann.items():
            if key not in ("kind", "hall", *ANNOTATION_FIELDS[kind]):
                _V.free(value, f"{place}.{key}")


#: The kinds of equipment placed in a hall (the power chain and generators are not).
_PLACED_KINDS = (*FLOOR_KINDS, "busway")

def _read_items(items: list, catalog: Catalog, seen_halls: set[str], nodes: set[str]) -> tuple:
    """Every equipment entry as columns, in file order: (ids, types, halls, systems, x, y,
    rotation, x2, y2, extras). Ordinary racks and units (:func:`~designer.io.columns.plain_flags`) and ordinary
    busways (:func:`~designer.io.columns.plain_busways`) are checked in bulk; anything else, and any id seen
    before, goes through :func:`_read_item`, which names the place of the first fault."""
    n = len(items)
    plain, cols = plain_flags(items, catalog.types, seen_halls, MAX_COORD_M)
    bus_rows, bus_extra = plain_busways(items, np.flatnonzero(~plain), catalog.types, seen_halls, nodes, FEEDS,
                                        MAX_COORD_M)
    ids: list = [None] * n
    type_ids: list = [None] * n
    hall_ids: list = [None] * n
    systems: list = [None] * n
    x = np.zeros(n)
    y = np.zeros(n)
    rotation = np.zeros(n)
    x2 = np.full(n, np.nan)
    y2 = np.full(n, np.nan)
    extras: dict[str, dict] = {}
    if plain.any():
        good = plain[cols["rows"]]
        rows = cols["rows"][good]
        x[rows], y[rows], rotation[rows] = cols["x"][good], cols["y"][good], cols["rotation"][good]
        if good.all() and len(rows) == n:
            ids, type_ids, hall_ids, systems = cols["id"], cols["type"], cols["hall"], cols["system"]
        else:   # (a column at a time, through object arrays: no Python step per entry)
            columns = []
            for name in ("id", "type", "hall", "system"):
                column = np.empty(n, object)
                column[rows] = list(compress(cols[name], good))   # (plain entries: text or None)
                columns.append(column.tolist())
            ids, type_ids, hall_ids, systems = columns
    if len(bus_rows):
        fields = [items[r] for r in bus_rows.tolist()]
        x[bus_rows], y[bus_rows] = zip(*(o["start"] for o in fields))
        x2[bus_rows], y2[bus_rows] = zip(*(o["end"] for o in fields))
        for r, o in zip(bus_rows.tolist(), fields):
            ids[r], type_ids[r], hall_ids[r] = o["id"], o["type"], o["hall"]
    if None not in ids and len(set(ids)) == n:   # every entry ordinary, every id once
        for r, extra in bus_extra.items():
            extras[ids[r]] = extra
        return ids, type_ids, hall_ids, systems, x, y, rotation, x2, y2, extras
    seen: set[str] = set()
    for i in range(n):
        item_id = ids[i]
        if item_id is not None and item_id not in seen and i in bus_extra:
            extras[item_id] = bus_extra[i]
        elif item_id is None or item_id in seen:   # not plain, or an id used twice: the full check
            rec = _read_item(items[i], f"equipment[{i}]", catalog, seen_halls, seen, nodes)
            ids[i], type_ids[i], hall_ids[i], systems[i] = rec.id, rec.type, rec.hall, rec.system
            x[i], y[i], rotation[i] = rec.x, rec.y, rec.rotation
            if rec.end is not None:
                x2[i], y2[i] = rec.end
            if rec.extra:
                extras[rec.id] = rec.extra
            item_id = rec.id
        seen.add(item_id)
    return ids, type_ids, hall_ids, systems, x, y, rotation, x2, y2, extras


def _read_item(raw: Any, place: str, catalog: Catalog, seen_halls: set[str], seen: set[str],
               nodes: set[str] = frozenset()) -> Equipment:
    """Validate one equipment entry, naming the place of the first fault."""
    obj = _V.obj(raw, place)
    item_id = _V.text(_V.req(obj, "id", place), f"{place}.id")
    if item_id in seen:
        raise _V.fail(f"{place}.id", f"id {_V.show(item_id)} is used twice")
    type_id = _V.text(_V.req(obj, "type", place), f"{place}.type")
    spec = catalog.types.get(type_id)
    if spec is None:
        raise _V.fail(f"{place}.type", f"unknown equipment type {_V.show(type_id)} "
                      f"(known: {', '.join(t for t, s in catalog.types.items() if s.kind in _PLACED_KINDS)})")
    if spec.kind not in _PLACED_KINDS:
        where = "site.generators" if spec.kind == "generator" else "power_chain"
        raise _V.fail(f"{place}.type", f"{_V.show(type_id)} is a {_kind_name(spec.kind)}, not placed in a hall "
                      f"(it belongs in {where})")
    hall_id = _V.text(_V.req(obj, "hall", place), f"{place}.hall")
    if hall_id not in seen_halls:
        raise _V.fail(f"{place}.hall", f"no hall with id {_V.show(hall_id)}")
    extra = _V.extra(obj, _ITEM_KEYS, place)
    if "loop" in extra:
        _V.text(extra["loop"], f"{place}.loop")
    for key in ("feed", "source"):
        if key in extra and spec.kind != "busway":
            raise _V.fail(f"{place}.{key}", f"a {spec.kind} item is not a busway (only busways have a {key})")
    if "feed" in extra:
        _V.choice(extra["feed"], f"{place}.feed", FEEDS)
    if "source" in extra:
        source = _V.text(extra["source"], f"{place}.source")
        if source not in nodes:
            raise _V.fail(f"{place}.source", f"no power_chain node {_V.show(source)}")
    if spec.kind == "busway":
        start = _V.point(_V.req(obj, "start", place), f"{place}.start")
        end = _V.point(_V.req(obj, "end", place), f"{place}.end")
        if start == end:
            raise _V.fail(place, "a busway's start and end are the same point")
        return Equipment(item_id, type_id, hall_id, start[0], start[1], 0.0, None, end, extra)
    x = _V.num(_V.req(obj, "x", place), f"{place}.x", -MAX_COORD_M, MAX_COORD_M)
    y = _V.num(_V.req(obj, "y", place), f"{place}.y", -MAX_COORD_M, MAX_COORD_M)
    rotation = _V.num(obj.get("rotation", 0), f"{place}.rotation", -360, 360)
    system = None
    if spec.is_compute:
        system = _V.text(_V.req(obj, "system", place), f"{place}.system")
    elif "system" in obj:
        raise _V.fail(f"{place}.system", f"a {spec.kind} item is not part of an UltraServer")
    return Equipment(item_id, type_id, hall_id, x, y, rotation, system, None, extra)


# ====================================================================== writing
def _num(v: float) -> str:
    """Shortest exact text for a number; whole numbers without a trailing ``.0``."""
    f = float(v)
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    if not math.isfinite(f):  # JSON has no infinity: refuse rather than write a file that cannot be read
        raise ValueError(f"cannot save the number {f}: a design holds finite numbers only")
    return repr(f)


def _value(v: Any) -> str:
    """Compact JSON for a value on one line (numbers as :func:`_num`)."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, int):
        return str(int(v))  # exactly, whatever its size
    if isinstance(v, float):
        return _num(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__}")


def _obj_lines(pairs: list[tuple[str, Any]], indent: str) -> str:
    inner = indent + "  "
    body = ",\n".join(f"{inner}{json.dumps(k, ensure_ascii=False)}: {v}" for k, v in pairs)
    return "{\n" + body + "\n" + indent + "}" if pairs else "{}"


def _sorted_extra(extra: dict) -> list[tuple[str, str]]:
    return [(k, _value(extra[k])) for k in sorted(extra)]


def dumps_design(design: Design) -> str:
    """The file text of a design: stable key order, one equipment item per line."""
    site = design.site
    site_pairs = [
        ("utility_capacity_kw", _num(site.utility_capacity_kw)),
        ("pue", _value(site.pue)),
        ("electricity_price_per_kwh", _num(site.electricity_price_per_kwh)),
        ("grid_kg_co2_per_kwh", _num(site.grid_kg_co2_per_kwh)),
        ("currency", _value(site.currency)),
        *_sorted_extra(site.extra),
    ]
    assumption_pairs = [(k, _value(design.assumptions[k])) for k in sorted(design.assumptions)]
    hall_texts = []
    for hall in design.halls:
        pairs = [
            ("id", _value(hall.id)), ("name", _value(hall.name)),
            ("outline", _value([list(p) for p in hall.outline])),
            ("columns", _poly_list(hall.columns, "      ")),
            ("keepouts", _poly_list(hall.keepouts, "      ")),
            ("floor_rating_kg_m2", _num(hall.floor_rating_kg_m2)),
            ("it_capacity_kw", _num(hall.it_capacity_kw)),
        ]
        if hall.tray_drop_m is not None:
            pairs.append(("tray_drop_m", _num(hall.tray_drop_m)))
        if hall.origin is not None:
            pairs.append(("origin", _value([float(v) for v in hall.origin])))
        pairs.extend(_sorted_extra(hall.extra))
        hall_texts.append("    " + _obj_lines(pairs, "    "))
    item_lines = [_item_line(design.equipment, row) for row in range(len(design.equipment))]
    top = [
        ("format", _value(FORMAT_NAME)),
        ("version", str(FORMAT_VERSION)),
        ("name", _value(design.name)),
        ("site", _obj_lines(site_pairs, "  ")),
        ("assumptions", _obj_lines(assumption_pairs, "  ")),
        ("halls", "[\n" + ",\n".join(hall_texts) + "\n  ]" if hall_texts else "[]"),
        ("equipment", "[\n" + ",\n".join("    " + line for line in item_lines) + "\n  ]" if item_lines else "[]"),
        *_sorted_extra(design.extra),
    ]
    return _obj_lines(top, "") + "\n"


def _poly_list(polys: list, indent: str) -> str:
    if not polys:
        return "[]"
    inner = indent + "  "
    return "[\n" + ",\n".join(inner + _value([list(p) for p in poly]) for poly in polys) + "\n" + indent + "]"


def _item_line(table, row: int) -> str:
    item_id = table.ids[row]
    parts = [f'"id": {_value(item_id)}', f'"type": {_value(table.types[int(table.type_code[row])])}',
             f'"hall": {_value(table.halls[int(table.hall_code[row])])}']
    x2 = table.x2[row]
    if not math.isnan(x2):
        parts.append(f'"start": [{_num(table.x[row])}, {_num(table.y[row])}]')
        parts.append(f'"end": [{_num(x2)}, {_num(table.y2[row])}]')
    else:
        parts.append(f'"x": {_num(table.x[row])}')
        parts.append(f'"y": {_num(table.y[row])}')
        parts.append(f'"rotation": {_num(table.rotation[row])}')
        sc = int(table.system_code[row])
        if sc >= 0:
            parts.append(f'"system": {_value(table.systems[sc])}')
    extra = table.extra.get(item_id)
    if extra:
        parts.extend(f"{json.dumps(k, ensure_ascii=False)}: {v}" for k, v in _sorted_extra(extra))
    return "{" + ", ".join(parts) + "}"


def write_design(design: Design, path: str | os.PathLike, keep_backup: bool = True) -> None:
    """Save atomically: write a temporary file beside the target, flush it to disk, replace.

    The version being replaced is kept as ``<name>.bak`` (linked, or copied where the
    file system cannot link), so a bad save can be undone by hand. A failure
    (read-only folder, disk full, path gone) raises :class:`OSError` and leaves the
    existing file untouched.
    """
    target = Path(path)
    data = dumps_design(design).encode("utf-8")
    if keep_backup and target.exists():
        _keep_backup(target)
    atomic_write_bytes(target, data)
