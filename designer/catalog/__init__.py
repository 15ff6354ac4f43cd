"""The equipment catalog: data in ``resources/catalog/*.toml``, loaded into frozen specs."""

from designer.catalog.loader import load_catalog, load_catalog_from, with_design_types
from designer.catalog.specs import Catalog, CatalogError, EquipmentType, Figure

__all__ = ["Catalog", "CatalogError", "EquipmentType", "Figure", "load_catalog", "load_catalog_from", "with_design_types"]
