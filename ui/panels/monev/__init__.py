"""The Monev panels: the action plan (rencana aksi) with undo and its XLSX, and the PWS views
(desa ranked per indicator and month; one desa's indicators over the months).  Imports Qt,
``ilp_gis``, ``layers``, ``reports`` and ui/ modules below the panels."""

from ui.panels.monev.action_plan import ActionPlanPanel
from ui.panels.monev.panel import MonevPanel
from ui.panels.monev.pws_view import PwsView

__all__ = ["ActionPlanPanel", "MonevPanel", "PwsView"]
