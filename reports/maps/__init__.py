"""Vector maps on paper, drawn with reportlab in the data's UTM zone with the one symbology.

The public API: ``prepare_map_data``, ``draw_map`` into a box, ``MapFlowable`` for documents and
``draw_sheet`` for a whole sheet.  Imports ilp_gis, layers and reports.styles only.
"""

from reports.maps.data import MapData, prepare_map_data
from reports.maps.draw import draw_map
from reports.maps.furniture import (
    draw_graticule,
    draw_north_arrow,
    draw_scalebar,
    scale_length_km,
    true_north_angle,
)
from reports.maps.inset import draw_inset
from reports.maps.labels import LabelPlacer, draw_desa_labels
from reports.maps.legend import draw_legend, legend_items
from reports.maps.options import MapOptions
from reports.maps.paths import Transform
from reports.maps.sheet import MapFlowable, SheetText, draw_sheet
from reports.maps.symbols import draw_area_style, draw_symbol, facility_style

__all__ = [
    "LabelPlacer", "MapData", "MapFlowable", "MapOptions", "SheetText", "Transform",
    "draw_area_style", "draw_desa_labels", "draw_graticule", "draw_inset", "draw_legend",
    "draw_map", "draw_north_arrow", "draw_scalebar", "draw_sheet", "draw_symbol",
    "facility_style", "legend_items", "prepare_map_data", "scale_length_km", "true_north_angle",
]
