"""The map: a layer store in local UTM metres, a QPainter renderer and the map widget.

Callers use what is exported here; the modules below say what each of them may import.
"""

from ui.map.canvas import MapCanvas, Tool
from ui.map.qpaths import path_from_arrays
from ui.map.renderer import MapRenderer
from ui.map.view import View

__all__ = ["MapCanvas", "MapRenderer", "Tool", "View", "path_from_arrays"]
