"""Web map export: one self-contained HTML file (folium/Leaflet) that opens offline, with
switchable boundary, coverage, road, facility, scenario-site, network and gap layers, an optional
embedded basemap (the planner's MBTiles/PMTiles), a legend, a search, a scale bar and a title.
Public: ``export_webmap`` and the figures the desa can be coloured by. May import ``ilp_gis``,
``layers`` (symbology, atomic, the basemap files) and ``reports.source``; each module below
has one job."""

from reports.webmap.assets import offline_problems
from reports.webmap.export import export_webmap
from reports.webmap.geometry import simplify_for_web
from reports.webmap.indicators import COLOUR_FIELDS, DEFAULT_COLOUR_BY, colour_field

__all__ = ["COLOUR_FIELDS", "DEFAULT_COLOUR_BY", "colour_field", "export_webmap",
           "offline_problems", "simplify_for_web"]
