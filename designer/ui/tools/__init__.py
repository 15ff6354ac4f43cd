"""Editing on the floor plan, one module per way of editing: the editor that wires them
(:mod:`.editor`), Select and move (:mod:`.select`), the Row tool (:mod:`.row`), the
outline, columns, keep-outs and busways (:mod:`.drawing`), palette drops (:mod:`.drop`),
the keyboard (:mod:`.keyboard`), the clipboard (:mod:`.clipboard`) and the actions
(:mod:`.actions`); with the ghost (:mod:`.ghost`), snapping (:mod:`.snapping`) and the
floor as arrays (:mod:`.floor`) they share. The rules a ghost shows come from the engine
(:mod:`designer.engine.placement`).
"""
