"""The docks around the plan: Inspector, Assumptions, Metrics, Problems, Halls, Totals,
History and the equipment palette.

Each dock is a module (or a few); import the one you need, e.g.
``from designer.ui.docks.inspector import Inspector``. Docks read the document and its
evaluation and change the design only by pushing commands.
"""
