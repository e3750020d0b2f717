"""A planner's MBTiles file (an SQLite database of map tiles) read for an offline basemap: the
file is checked like any hostile input (not SQLite, no ``tiles`` table, vector tiles, tiles that
are not pictures, nothing over the district: a clear message naming the file) and the tiles
covering an area are taken zoom by zoom, lowest first, within a byte budget.

May import ``ilp_gis`` (errors, i18n) and the standard library (sqlite3 opened read-only).
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ilp_gis.errors import InputError
from ilp_gis.i18n import format_number, register_catalog, tr

register_catalog("layers", "mbtiles")

SQLITE_MAGIC = b"SQLite format 3\x00"
TILE_COLUMNS = ("zoom_level", "tile_column", "tile_row", "tile_data")
MAX_BYTES = 40_000_000
"""Tile bytes taken at most: a zoom level that would pass it is left out with all above it
(the map then enlarges the last zoom taken)."""
MARGIN = 0.2
"""The area is widened by this share of its width and height on each side."""
MAX_ZOOM = 22
_MIME = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


@dataclass
class Basemap:
    """The tiles taken from an MBTiles file: ``tiles`` maps ``"z/x/y"`` (XYZ rows, as the web
    map asks) to the picture's bytes."""

    name: str
    attribution: str
    mime: str
    min_zoom: int
    max_zoom: int
    tiles: dict[str, bytes] = field(default_factory=dict)
    zooms_left_out: list[int] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.tiles.values())


def tile_range(bounds, zoom: int) -> tuple[int, int, int, int]:
    """The XYZ tiles (x0, y0, x1, y1, inclusive) covering lon/lat ``bounds`` at ``zoom``."""
    lon0, lat0, lon1, lat1 = bounds
    n = 2 ** zoom

    def x_of(lon: float) -> int:
        return min(n - 1, max(0, int((lon + 180.0) / 360.0 * n)))

    def y_of(lat: float) -> int:
        lat = max(-85.05112878, min(85.05112878, lat))
        r = math.radians(lat)
        return min(n - 1, max(0, int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n)))

    return x_of(lon0), y_of(lat1), x_of(lon1), y_of(lat0)


def file_head(path: Path, n: int) -> bytes:
    """The first ``n`` bytes of a basemap file (its kind is told by content, never by its
    name); a missing or unreadable file is an :class:`InputError` naming it."""
    if not path.is_file():
        raise InputError(tr("mbtiles.not_found", file=str(path)))
    try:
        with path.open("rb") as fh:
            return fh.read(n)
    except OSError as exc:
        raise InputError(tr("mbtiles.unreadable", file=str(path),
                            why=exc.strerror or str(exc))) from exc


def read_mbtiles(path: str | Path, bounds, *, max_bytes: int = MAX_BYTES) -> Basemap:
    """The tiles of the MBTiles file ``path`` covering lon/lat ``bounds`` (widened by
    :data:`MARGIN`), lowest zoom first, at most ``max_bytes`` of them."""
    path = Path(path)
    if file_head(path, len(SQLITE_MAGIC)) != SQLITE_MAGIC:
        raise InputError(tr("mbtiles.not_tiles", file=str(path)))
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InputError(tr("mbtiles.broken", file=str(path), why=str(exc))) from exc
    try:
        return _read(con, path, widened(bounds), max_bytes)
    except sqlite3.Error as exc:  # a damaged or hostile database: said, never a traceback
        raise InputError(tr("mbtiles.broken", file=str(path), why=str(exc))) from exc
    finally:
        con.close()


def widened(bounds):
    """``bounds`` widened by :data:`MARGIN` on each side."""
    lon0, lat0, lon1, lat1 = (float(b) for b in bounds)
    dx, dy = (lon1 - lon0) * MARGIN, (lat1 - lat0) * MARGIN
    return lon0 - dx, lat0 - dy, lon1 + dx, lat1 + dy


def _read(con: sqlite3.Connection, path: Path, bounds, max_bytes: int) -> Basemap:
    columns = {row[1] for row in con.execute("PRAGMA table_info(tiles)")}
    missing = [c for c in TILE_COLUMNS if c not in columns]
    if missing:
        raise InputError(tr("mbtiles.schema", file=str(path), columns=", ".join(missing)))
    meta = _metadata(con)
    fmt = str(meta.get("format", "")).strip().lower()
    if fmt in ("pbf", "mvt"):
        raise InputError(tr("mbtiles.vector", file=str(path)))
    zooms = sorted(int(z) for (z,) in con.execute("SELECT DISTINCT zoom_level FROM tiles")
                   if isinstance(z, int) and 0 <= z <= MAX_ZOOM)
    tiles: dict[str, bytes] = {}
    taken: list[int] = []
    left_out: list[int] = []
    mime = _MIME.get(fmt)
    used = 0
    for z in zooms:
        if left_out:
            left_out.append(z)
            continue
        x0, y0, x1, y1 = tile_range(bounds, z)
        top = 2 ** z - 1  # MBTiles rows count from the south (TMS)
        where = ("zoom_level = ? AND tile_column BETWEEN ? AND ? AND tile_row BETWEEN ? AND ?")
        args = (z, x0, x1, top - y1, top - y0)
        (size,) = con.execute(f"SELECT COALESCE(SUM(LENGTH(tile_data)), 0) FROM tiles WHERE {where}",
                              args).fetchone()
        if not size:
            continue
        if used + int(size) > max_bytes:
            if not taken:  # even the lowest zoom alone is too big
                raise InputError(tr("mbtiles.too_big", file=str(path),
                                    mb=format_number(max_bytes / 1e6, 0)))
            left_out.append(z)
            continue
        for x, row, data in con.execute(
                f"SELECT tile_column, tile_row, tile_data FROM tiles WHERE {where}", args):
            if not isinstance(data, bytes | memoryview) or not isinstance(row, int):
                raise InputError(tr("mbtiles.not_image", file=str(path), z=z, x=x, y=row))
            data = bytes(data)
            kind = picture_kind(data)
            if kind is None:
                if data[:2] == b"\x1f\x8b":  # gzip: vector tiles without a format entry
                    raise InputError(tr("mbtiles.vector", file=str(path)))
                raise InputError(tr("mbtiles.not_image", file=str(path), z=z, x=x, y=row))
            mime = mime or _MIME[kind]
            tiles[f"{z}/{x}/{top - row}"] = data
        used += int(size)
        taken.append(z)
    if not tiles:
        raise InputError(tr("mbtiles.outside", file=str(path)))
    return Basemap(name=str(meta.get("name") or path.stem), attribution=str(
        meta.get("attribution") or ""), mime=mime or "image/png", min_zoom=min(taken),
        max_zoom=max(taken), tiles=tiles, zooms_left_out=left_out)


def _metadata(con: sqlite3.Connection) -> dict[str, str]:
    columns = {row[1] for row in con.execute("PRAGMA table_info(metadata)")}
    if not {"name", "value"} <= columns:
        return {}
    return {str(k).strip().lower(): v for k, v in con.execute("SELECT name, value FROM metadata")
            if k is not None and v is not None}


def picture_kind(data: bytes) -> str | None:
    """"png", "jpg" or "webp" from the picture's first bytes; None for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:3] == b"\xff\xd8\xff":
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None
