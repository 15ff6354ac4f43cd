"""Overlays on the floor plan: service clearances, cable routes, cooling and power
feeds, heat map and aisle widths, one module each; the view options that say which are
shown (:mod:`.options`), the legend (:mod:`.legend`) and the View toolbar (:mod:`.toolbar`).

Each overlay is one ``QGraphicsItem`` per hall and kind (:mod:`.base`). Overlays compute
their arrays lazily, on the first paint after something of *their* hall changed; a drag
in one hall of a 55-hall campus recomputes one hall's overlays, not all of them.
"""

#: Overlay kinds in toolbar order, with their labels and tooltips.
OVERLAYS: dict[str, tuple[str, str]] = {
    "clearances": ("Clearances", "Service clearances: front and rear zones of every rack; blocked zones in red"),
    "cables": ("Cables", "Scale-out cable routes from each rack to its network rack, coloured by medium"),
    "network": ("Network", "Leaf → spine links of the fabric coloured by medium; zoomed out, the links between "
                "the spine rooms of different halls"),
    "assignment": ("Feeds", "Which CDU, air handler and busway serves each rack; unserved racks marked"),
    "heat": ("Heat map", "Heat density (kW per m² of floor) on the cooling grid"),
    "aisles": ("Aisles", "Width of the cold and hot aisles between facing rows"),
}
