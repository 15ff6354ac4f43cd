"""Load ``resources/catalog/*.toml`` into a :class:`Catalog`.

A figure is an inline table ``{ value = …, source = "S2" }`` or
``{ value = …, assumption = "why", basis = "S6" }``; a bare number, a figure with
neither a source nor an assumption, or a source id not listed in ``sources.toml``
(= the sources of ``shared/reference/hardware.md``) is rejected.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from types import MappingProxyType

from designer.catalog.specs import (
    REQUIRED_FIGURES, Catalog, CatalogError, EquipmentType, Figure, check_value,
)
from designer.paths import catalog_dir

_TEXT_FIELDS = {"kind", "name", "short", "color", "system_name"}
_FIGURE_KEYS = {"value", "source", "assumption", "basis", "note"}


def _parse_figure(key: str, raw: object, sources: dict[str, str], place: str) -> Figure:
    if not isinstance(raw, dict):
        raise CatalogError(f"{place}: a figure must be a table {{ value = …, source = … }} "
                           f"or {{ value = …, assumption = … }}; got a bare {type(raw).__name__}")
    unknown = set(raw) - _FIGURE_KEYS
    if unknown:
        raise CatalogError(f"{place}: unknown field(s) {', '.join(sorted(unknown))}")
    if "value" not in raw:
        raise CatalogError(f"{place}: missing 'value'")
    source = raw.get("source")
    assumption = raw.get("assumption")
    if source is None and assumption is None:
        raise CatalogError(f"{place}: has neither a 'source' nor an 'assumption' (every catalog figure needs one)")
    if source is not None and assumption is not None:
        raise CatalogError(f"{place}: give either a 'source' or an 'assumption' (with 'basis'), not both")
    if assumption is not None and (not isinstance(assumption, str) or not assumption.strip()):
        raise CatalogError(f"{place}: 'assumption' must say why the value was chosen")
    cited = source if source is not None else raw.get("basis", "")
    if not isinstance(cited, str):
        raise CatalogError(f"{place}: source ids must be a string such as \"S2\" or \"S4 S11\"")
    ids = tuple(cited.split())
    for sid in ids:
        if sid not in sources:
            raise CatalogError(f"{place}: source '{sid}' is not an entry of hardware.md (sources.toml)")
    if source is not None and not ids:
        raise CatalogError(f"{place}: empty 'source'")
    field_name = key.rsplit(".", 1)[-1]
    value = check_value(field_name, raw["value"], f"{place}.value", list_ok=isinstance(raw["value"], list))
    return Figure(key=key, value=value, sources=ids, assumption=assumption, note=str(raw.get("note", "")))


def _parse_type(type_id: str, table: object, sources: dict[str, str], fname: str) -> EquipmentType:
    place = f"{fname}: [{type_id}]"
    if not isinstance(table, dict):
        raise CatalogError(f"{place}: expected a table")
    kind = table.get("kind")
    if kind not in REQUIRED_FIGURES:
        raise CatalogError(f"{place}.kind: unknown kind {kind!r} (one of {', '.join(REQUIRED_FIGURES)})")
    figures: dict[str, Figure] = {}
    text: dict[str, str] = {}
    for name, raw in table.items():
        if name in _TEXT_FIELDS:
            if not isinstance(raw, str):
                raise CatalogError(f"{place}.{name}: expected text")
            text[name] = raw
        else:
            figures[name] = _parse_figure(f"{type_id}.{name}", raw, sources, f"{place}.{name}")
    missing = [n for n in REQUIRED_FIGURES[kind] if n not in figures]
    if missing:
        raise CatalogError(f"{place}: missing figure(s) {', '.join(missing)} for a {kind}")
    return EquipmentType(
        id=type_id, kind=kind, name=text.get("name", type_id), short=text.get("short", type_id),
        color=text.get("color", "#888888"), system_name=text.get("system_name", ""),
        figures=MappingProxyType(figures),
    )


def load_catalog_from(directory: Path) -> Catalog:
    """Read every ``*.toml`` of a catalog folder (``sources.toml`` and ``globals.toml`` are special)."""
    directory = Path(directory)

    def read(path: Path) -> dict:
        try:
            with path.open("rb") as fh:
                return tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CatalogError(f"{path.name}: {exc}") from None

    src_file = directory / "sources.toml"
    sources = read(src_file).get("sources", {})
    if not isinstance(sources, dict) or not sources:
        raise CatalogError(f"{src_file.name}: needs a [sources] table")
    globals_: dict[str, Figure] = {}
    glob_file = directory / "globals.toml"
    if glob_file.exists():
        for section, fields in read(glob_file).items():
            if not isinstance(fields, dict):
                raise CatalogError(f"globals.toml: [{section}] must be a table")
            for name, raw in fields.items():
                key = f"{section}.{name}"
                globals_[key] = _parse_figure(key, raw, sources, f"globals.toml: {key}")
    types: dict[str, EquipmentType] = {}
    media: dict[str, EquipmentType] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name in ("sources.toml", "globals.toml"):
            continue
        for type_id, table in read(path).items():
            if type_id in types or type_id in media:
                raise CatalogError(f"{path.name}: [{type_id}] is defined twice")
            spec = _parse_type(type_id, table, sources, path.name)
            (media if spec.kind == "cable" else types)[type_id] = spec
    return Catalog(types=types, media=media, globals=globals_, sources=MappingProxyType(dict(sources)))


@functools.lru_cache(maxsize=4)
def _cached(directory: str) -> Catalog:
    return load_catalog_from(Path(directory))


def load_catalog(directory: Path | None = None) -> Catalog:
    """The bundled catalog (cached; specs are frozen so sharing is safe)."""
    return _cached(str(directory or catalog_dir()))
