"""The floor-plan canvas: the scene of halls drawn to scale (:mod:`.scene`), the view
that zooms and pans (:mod:`.view`), one item per hall (:mod:`.hall_item` with
:mod:`.footprints`, :mod:`.racks`, :mod:`.labels` and :mod:`.status`), the look
(:mod:`.styles`, :mod:`.painting`), the overlays (:mod:`.overlays`) and the sketch a
gesture draws (:mod:`.sketch`). It draws; editing lives in :mod:`designer.ui.tools`.
"""
