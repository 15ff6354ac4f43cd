"""The design document model (no Qt)."""

from designer.model.design import Change, Design, Equipment, EquipmentTable, Hall, Site

__all__ = ["Change", "Design", "Equipment", "EquipmentTable", "Hall", "Site"]
