"""The planning panel: budget lines, budget sync, site optimisation and scenarios, one module per
tab (each a mixin over the panel's project and undo stack) plus the panel that joins them.
Imports Qt, ``ilp_gis``, ``layers`` and ui/ modules below the panels.  ``PlanningPanel`` is
imported at first use, so that a module using only ``undo`` does not pull in the siting and
scenario modules (scipy, HiGHS)."""

__all__ = ["PlanningPanel"]


def __getattr__(name: str):
    if name == "PlanningPanel":
        from ui.panels.planning.panel import PlanningPanel

        return PlanningPanel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
