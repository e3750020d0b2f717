"""Defaults of output options that the command line, the desktop dialog and the writers share;
import-light (no reportlab, no folium) so a command's ``--help`` stays fast."""

from __future__ import annotations

PRIORITY_TOP = 30
"""The plan report's priority list shows this many places unless the planner asks for another
number (0: all); the full list goes to the annex and the XLSX tables."""
