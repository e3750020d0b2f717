"""The planning panel: budget lines, budget sync, site optimisation and scenarios, one module per
tab (each a mixin over the panel's project and undo stack) plus the panel that joins them.
Imports Qt, ``ilp_gis``, ``layers`` and ui/ modules below the panels."""

from ui.panels.planning.panel import PlanningPanel

__all__ = ["PlanningPanel"]
