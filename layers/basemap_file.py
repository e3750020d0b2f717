"""An offline basemap file the planner supplies, read by its kind: MBTiles (an SQLite
database) or PMTiles (one file with its own directories), told apart by their first bytes.

May import ``ilp_gis`` (errors, i18n), ``layers.mbtiles`` and ``layers.pmtiles``.
"""

from __future__ import annotations

from pathlib import Path

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from layers.mbtiles import MAX_BYTES, Basemap, read_mbtiles
from layers.pmtiles import MAGIC as PMTILES_MAGIC
from layers.pmtiles import read_pmtiles

register_catalog("layers", "mbtiles")


def read_basemap(path: str | Path, bounds, *, max_bytes: int = MAX_BYTES) -> Basemap:
    """The tiles of the MBTiles or PMTiles file ``path`` around lon/lat ``bounds``."""
    path = Path(path)
    if not path.is_file():
        raise InputError(tr("mbtiles.not_found", file=str(path)))
    try:
        with path.open("rb") as fh:
            head = fh.read(len(PMTILES_MAGIC))
    except OSError as exc:
        raise InputError(tr("mbtiles.unreadable", file=str(path),
                            why=exc.strerror or str(exc))) from exc
    if head == PMTILES_MAGIC:
        return read_pmtiles(path, bounds, max_bytes=max_bytes)
    return read_mbtiles(path, bounds, max_bytes=max_bytes)
