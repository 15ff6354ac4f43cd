"""Load ``resources/catalog/*.toml`` into a :class:`Catalog`.

A figure is an inline table ``{ value = …, source = "S2" }`` or
``{ value = …, assumption = "why", basis = "S6" }``; a bare number, a figure with
neither a source nor an assumption, or a source id not listed in ``sources.toml``
(= the sources of ``shared/reference/hardware.md``) is rejected.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from pathlib import Path
from types import MappingProxyType

from designer.catalog.specs import (
    RANGES, REQUIRED_FIGURES, USER_KINDS, Catalog, CatalogError, EquipmentType, Figure, check_value, kept,
)
from designer.paths import catalog_dir, user_catalog_dir

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


def _parse_type(type_id: str, table: object, sources: dict[str, str], fname: str,
                kinds: tuple[str, ...] = tuple(REQUIRED_FIGURES), origin: str = "bundled") -> EquipmentType:
    place = f"{fname}: [{type_id}]"
    if not isinstance(table, dict):
        raise CatalogError(f"{place}: expected a table")
    kind = table.get("kind")
    if kind not in kinds:
        raise CatalogError(f"{place}.kind: unknown kind {kind!r} (one of {', '.join(kinds)})")
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
        figures=MappingProxyType(figures), origin=origin, defined_in=fname,
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


#: How a planner's own type id must look (what the palette, files and assumption keys use).
_TYPE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


def _own_sources(doc: dict, base: Catalog, where: str) -> dict[str, str]:
    """A user file's (or design section's) own ``[sources]``: id → description; an id may
    not redefine a source of hardware.md."""
    raw = doc.get("sources", {})
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: [sources] must be a table of id = \"description\"")
    for sid, text in raw.items():
        if not isinstance(text, str) or not text.strip():
            raise CatalogError(f"{where}: [sources].{sid} must describe the source (title, publisher, date)")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", str(sid)):
            raise CatalogError(f"{where}: [sources].{sid}: a source id is letters, digits, '-' or '_'")
        if sid in base.sources and base.sources[sid] != text:
            raise CatalogError(f"{where}: [sources].{sid} is already a source of hardware.md; pick another id")
    return dict(raw)


def parse_types(doc: object, base: Catalog, where: str, origin: str, fname: str | None = None
                ) -> tuple[dict[str, EquipmentType], dict[str, EquipmentType], dict[str, str]]:
    """A planner's own types: a catalog document (a user ``*.toml`` file, or a design's
    ``"catalog"`` section) of ``[type-id]`` tables and an optional ``[sources]`` table.
    Same schema and rule as the bundled catalog: every figure cites a source (of
    hardware.md or of the document's own ``[sources]``) or says ``assumption``. Returns
    (types, media, own sources); the first problem raises :class:`CatalogError`."""
    if not isinstance(doc, dict):
        raise CatalogError(f"{where}: expected a table of equipment types")
    sources = _own_sources(doc, base, where)
    known = {**base.sources, **sources}
    types: dict[str, EquipmentType] = {}
    for type_id, table in doc.items():
        if type_id == "sources":
            continue
        if not _TYPE_ID.match(str(type_id)):
            raise CatalogError(f"{where}: [{type_id}]: a type id is lower-case letters, digits, '.', '-' "
                               "or '_' (at most 63)")
        spec = base.types.get(type_id) or base.media.get(type_id)
        if spec is not None and not spec.is_own:
            raise CatalogError(f"{where}: [{type_id}] is a type of the bundled catalog; give yours another id")
        if isinstance(table, dict):  # (lists are for cable media, which a planner's types are not)
            kind = table.get("kind")
            for name, raw in table.items():
                if isinstance(raw, dict) and isinstance(raw.get("value"), list):
                    raise CatalogError(f"{fname or where}: [{type_id}].{name}.value: expected a number, got a list")
                if kind in USER_KINDS and name not in _TEXT_FIELDS and name not in RANGES:
                    has = (*REQUIRED_FIGURES[kind], *(("fp4_tflops",) if kind == "compute" else ()))
                    raise CatalogError(f"{fname or where}: [{type_id}].{name}: unknown figure (a {kind} type has "
                                       f"{', '.join(has)})")
        types[type_id] = _parse_type(type_id, table, known, fname or where, USER_KINDS, origin)
    return types, {}, sources


def with_design_types(base: Catalog, section: object, where: str = "catalog") -> Catalog:
    """The catalog with a design's own ``"catalog"`` section added (validated; the same
    schema and source rule as a catalog file). A design type replaces a user type of the
    same id; redefining a bundled type is refused. Kept per section on ``base`` (the last
    few), like :meth:`Catalog.with_overrides`, so every view of one design shares one."""
    if not section:
        return base
    def build() -> Catalog:
        types, _, sources = parse_types(section, base, where, "design")
        return Catalog(types={**base.types, **types}, media=base.media, globals=base.globals,
                       sources=MappingProxyType({**base.sources, **sources}), problems=base.problems)

    return kept(base, "_with_design", (where, json.dumps(section, sort_keys=True, default=repr)), build)


def load_user_types(base: Catalog, folder: Path) -> Catalog:
    """The catalog with the types of the user catalog folder (``catalog/*.toml`` in the
    platform's application-data folder) added. A file or type that breaks the rules is
    left out with one message in :attr:`Catalog.problems` (file and field); the rest load."""
    folder = Path(folder)
    if not folder.is_dir():
        return base
    types = dict(base.types)
    sources = dict(base.sources)
    problems: list[str] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            with path.open("rb") as fh:
                doc = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: {exc}")
            continue
        try:
            own = _own_sources(doc, base, str(path))
        except CatalogError as exc:
            problems.append(str(exc))
            continue
        for type_id, table in doc.items():
            if type_id == "sources":
                continue
            try:
                found, _, _ = parse_types({"sources": own, type_id: table}, base, str(path), "user")
            except CatalogError as exc:
                problems.append(str(exc))
                continue
            if type_id in types and types[type_id].origin == "user":
                problems.append(f"{path}: [{type_id}] is already defined in {types[type_id].defined_in}; "
                                "this one is left out")
                continue
            types.update(found)
            sources.update(own)
    return Catalog(types=types, media=base.media, globals=base.globals, sources=MappingProxyType(sources),
                   problems=base.problems + tuple(problems))


def _folder_signature(folder: Path) -> tuple:
    """What the cache of the user folder depends on: its files and their modification times."""
    try:
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.toml")))
    except OSError:
        return ()


@functools.lru_cache(maxsize=4)
def _cached(directory: str) -> Catalog:
    return load_catalog_from(Path(directory))


@functools.lru_cache(maxsize=8)
def _cached_with_user(directory: str, user: str, signature: tuple) -> Catalog:
    return load_user_types(_cached(directory), Path(user))


def load_catalog(directory: Path | None = None) -> Catalog:
    """The bundled catalog (cached; specs are frozen so sharing is safe). Without a
    ``directory`` it also holds the planner's own types of the user catalog folder
    (:func:`designer.paths.user_catalog_dir`); what was refused there is in ``problems``."""
    if directory is not None:
        return _cached(str(directory))
    user = user_catalog_dir()
    return _cached_with_user(str(catalog_dir()), str(user), _folder_signature(user))
