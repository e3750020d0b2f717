"""What a printed map shows (labels, grid, edges, facilities) and at which sizes.

May import nothing of the project.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class MapOptions:
    labels: bool = True
    kecamatan_labels: bool = True
    graticule: bool = True
    edges: bool = False
    facilities: bool = True
    posyandu: bool | None = None  # None: drawn unless there are more than max_posyandu
    max_posyandu: int = 400
    label_size: float = 5.5
    grid_font: float = 5.5
    symbol_scale: float = 1.0
    line_scale: float = 1.0
