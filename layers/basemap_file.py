"""An offline basemap file the planner supplies, read by its kind: MBTiles (an SQLite
database) or PMTiles (one file with its own directories), told apart by their first bytes.

May import ``ilp_gis`` (errors, i18n), ``layers.mbtiles`` and ``layers.pmtiles``.
"""

from __future__ import annotations

from pathlib import Path

from ilp_gis.i18n import register_catalog
from layers.mbtiles import MAX_BYTES, Basemap, file_head, read_mbtiles
from layers.pmtiles import MAGIC as PMTILES_MAGIC
from layers.pmtiles import read_pmtiles

register_catalog("layers", "mbtiles")


def read_basemap(path: str | Path, bounds, *, max_bytes: int = MAX_BYTES) -> Basemap:
    """The tiles of the MBTiles or PMTiles file ``path`` around lon/lat ``bounds``."""
    path = Path(path)
    if file_head(path, len(PMTILES_MAGIC)) == PMTILES_MAGIC:
        return read_pmtiles(path, bounds, max_bytes=max_bytes)
    return read_mbtiles(path, bounds, max_bytes=max_bytes)
