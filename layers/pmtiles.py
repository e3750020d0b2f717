"""A planner's PMTiles file (version 3: one file of map tiles addressed by a Hilbert-curve tile
id through compact, optionally gzip-compressed directories) read for an offline basemap, with
the same checks and zoom-by-zoom byte budget as :mod:`layers.mbtiles`.

May import ``ilp_gis`` (errors, i18n), ``layers.mbtiles`` (the basemap record, tile ranges,
picture kinds) and the standard library.
"""

from __future__ import annotations

import bisect
import struct
import zlib
from pathlib import Path

from ilp_gis.errors import InputError
from ilp_gis.i18n import format_number, register_catalog, tr
from layers.mbtiles import MAX_BYTES, MAX_ZOOM, Basemap, picture_kind, tile_range, widened

register_catalog("layers", "mbtiles")

MAGIC = b"PMTiles"
HEADER_LEN = 127
MAX_DEPTH = 4  # root directory, then at most three levels of leaf directories
MAX_DIRECTORY = 64_000_000  # bytes of one directory once decompressed
_TILE_TYPES = {2: "image/png", 3: "image/jpeg", 4: "image/webp"}
_VECTOR = 1
_NONE, _GZIP = 1, 2


class _Broken(Exception):
    """The file contradicts the PMTiles layout (told as ``pmtiles.broken``)."""


def tile_id(z: int, x: int, y: int) -> int:
    """The PMTiles tile id of XYZ tile ``z/x/y``: the tiles of all lower zooms, then the
    position of (x, y) along the Hilbert curve of zoom ``z``."""
    acc = ((1 << (2 * z)) - 1) // 3
    for a in range(z - 1, -1, -1):
        s = 1 << a
        rx, ry = s & x, s & y
        acc += ((3 * rx) ^ ry) << a
        if ry == 0:  # rotate the quadrant
            if rx:
                x, y = s - 1 - x, s - 1 - y
            x, y = y, x
    return acc


def read_pmtiles(path: str | Path, bounds, *, max_bytes: int = MAX_BYTES) -> Basemap:
    """The tiles of the PMTiles file ``path`` covering lon/lat ``bounds`` (see
    :func:`layers.mbtiles.read_mbtiles`)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            return _read(fh, path, widened(bounds), max_bytes)
    except OSError as exc:
        raise InputError(tr("mbtiles.unreadable", file=str(path),
                            why=exc.strerror or str(exc))) from exc
    except (_Broken, zlib.error, struct.error, ValueError, IndexError) as exc:
        raise InputError(tr("pmtiles.broken", file=str(path), why=str(exc) or "?")) from exc


def _read(fh, path: Path, bounds, max_bytes: int) -> Basemap:
    head = fh.read(HEADER_LEN)
    if len(head) < HEADER_LEN or head[:7] != MAGIC:
        raise InputError(tr("mbtiles.not_tiles", file=str(path)))
    if head[7] != 3:
        raise InputError(tr("pmtiles.version", file=str(path), version=head[7]))
    (root_off, root_len, meta_off, meta_len, leaf_off, leaf_len, data_off, data_len,
     _, _, _) = struct.unpack_from("<11Q", head, 8)
    internal, tile_comp, tile_type, min_zoom, max_zoom = head[97], head[98], head[99], \
        head[100], head[101]
    if tile_type == _VECTOR:
        raise InputError(tr("mbtiles.vector", file=str(path)))
    if tile_type not in _TILE_TYPES and tile_type != 0:
        raise InputError(tr("pmtiles.tile_type", file=str(path), kind=tile_type))
    size = fh.seek(0, 2)
    for off, length in ((root_off, root_len), (leaf_off, leaf_len), (data_off, data_len)):
        if off + length > size:
            raise _Broken(tr("pmtiles.past_end"))

    def blob(off: int, length: int, compression: int) -> bytes:
        if off + length > size:
            raise _Broken(tr("pmtiles.past_end"))
        fh.seek(off)
        raw = fh.read(length)
        if compression == _GZIP:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out = d.decompress(raw, MAX_DIRECTORY)
            if d.unconsumed_tail:
                raise _Broken(tr("pmtiles.too_large"))
            return out
        if compression in (_NONE, 0):
            return raw
        raise InputError(tr("pmtiles.compression", file=str(path), kind=compression))

    root = _directory(blob(root_off, root_len, internal))
    leaves: dict[tuple[int, int], list] = {}

    def find(tid: int):
        entries, depth = root, 0
        while depth < MAX_DEPTH:
            ids = [e[0] for e in entries]
            i = bisect.bisect_right(ids, tid) - 1
            if i < 0:
                return None
            t0, off, length, run = entries[i]
            if run == 0:  # a leaf directory
                key = (off, length)
                if key not in leaves:
                    leaves[key] = _directory(blob(leaf_off + off, length, internal))
                entries, depth = leaves[key], depth + 1
                continue
            return (off, length) if tid - t0 < run else None
        raise _Broken(tr("pmtiles.too_deep"))

    tiles: dict[str, bytes] = {}
    taken: list[int] = []
    left_out: list[int] = []
    mime = _TILE_TYPES.get(tile_type)
    used = 0
    for z in range(min(min_zoom, MAX_ZOOM), min(max_zoom, MAX_ZOOM) + 1):
        if left_out:
            left_out.append(z)
            continue
        x0, y0, x1, y1 = tile_range(bounds, z)
        found = {}
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                hit = find(tile_id(z, x, y))
                if hit is not None:
                    found[f"{z}/{x}/{y}"] = hit
        zoom_bytes = sum(length for _, length in found.values())
        if not found:
            continue
        if used + zoom_bytes > max_bytes:
            if not taken:
                raise InputError(tr("mbtiles.too_big", file=str(path),
                                    mb=format_number(max_bytes / 1e6, 0)))
            left_out.append(z)
            continue
        for key, (off, length) in found.items():
            data = blob(data_off + off, length, tile_comp)
            kind = picture_kind(data)
            if kind is None:
                zz, x, y = key.split("/")
                raise InputError(tr("mbtiles.not_image", file=str(path), z=zz, x=x, y=y))
            tiles[key] = data
        used += zoom_bytes
        taken.append(z)
    if not tiles:
        raise InputError(tr("mbtiles.outside", file=str(path)))
    name, attribution = _metadata(blob, meta_off, meta_len, internal, size)
    return Basemap(name=name or path.stem, attribution=attribution,
                   mime=mime or "image/png", min_zoom=min(taken), max_zoom=max(taken),
                   tiles=tiles, zooms_left_out=left_out)


def _metadata(blob, off: int, length: int, compression: int, size: int) -> tuple[str, str]:
    """The name and attribution of the JSON metadata (empty when it has none or is broken)."""
    import json

    if not length or off + length > size:
        return "", ""
    try:
        meta = json.loads(blob(off, length, compression).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, _Broken, zlib.error):
        return "", ""
    if not isinstance(meta, dict):
        return "", ""
    return str(meta.get("name") or ""), str(meta.get("attribution") or "")


def _directory(data: bytes) -> list[tuple[int, int, int, int]]:
    """Entries (tile_id, offset, length, run_length) of a directory, tile ids ascending."""
    pos = 0

    def varint() -> int:
        nonlocal pos
        value = shift = 0
        while True:
            if pos >= len(data) or shift > 63:
                raise _Broken(tr("pmtiles.directory"))
            b = data[pos]
            pos += 1
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7

    n = varint()
    if n > len(data):  # every entry takes at least one byte per field
        raise _Broken(tr("pmtiles.directory"))
    ids, last = [], 0
    for _ in range(n):
        last += varint()
        ids.append(last)
    runs = [varint() for _ in range(n)]
    lengths = [varint() for _ in range(n)]
    offsets: list[int] = []
    for i in range(n):
        v = varint()
        offsets.append(offsets[i - 1] + lengths[i - 1] if v == 0 and i > 0 else v - 1)
        if offsets[-1] < 0:
            raise _Broken(tr("pmtiles.directory"))
    return list(zip(ids, offsets, lengths, runs, strict=True))
