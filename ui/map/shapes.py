"""A map layer's polygons or lines held as coordinate arrays (vertices, rings/parts and their
features) instead of shapely geometries: a nation's desa, roads, gaps and network links as
geometry objects took about a gigabyte, their coordinates a tenth of it.  Geometries are made
again from the arrays only where shapely is needed (simplifying a zoom band, a click), a
chunk of features at a time.  May import numpy and shapely; it draws nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely

CHUNK = 20_000
"""Features per shapely call when arrays are taken from geometries (shapely holds the GIL
while it makes geometries: between two chunks the UI thread gets it)."""

_POLYGON, _LINES = (3,), (1, 2)  # shapely type ids of the parts a layer keeps


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indices ``starts[i] .. starts[i] + counts[i] - 1`` of every ``i``, one after
    another."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(counts) - counts
    return np.repeat(np.asarray(starts, dtype=np.int64) - offsets, counts) + np.arange(total)


def _offsets(counts: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))


@dataclass
class Shapes:
    """The polygons (or lines) of ``n`` features: ``coords`` (M, 2) vertices, ring by ring
    (line part by part); ``ring_counts`` vertices per ring; ``ring_part`` the polygon each ring
    belongs to (exterior first, as shapely gives them; lines: None, a part is its ring);
    ``part_feature`` the feature of each polygon/line part; ``multi`` which features were
    multi-part geometries (made again as such)."""

    n: int
    lines: bool
    coords: np.ndarray
    ring_counts: np.ndarray
    ring_part: np.ndarray | None
    part_feature: np.ndarray
    multi: np.ndarray

    @classmethod
    def of(cls, geoms: np.ndarray, *, lines: bool = False,
           move: Callable[[np.ndarray], np.ndarray] | None = None,
           each_chunk: Callable[[np.ndarray, np.ndarray], None] | None = None) -> Shapes:
        """The arrays of ``geoms`` (shapely geometries; missing ones keep their place with no
        part), their vertices passed through ``move`` ((M, 2) -> (M, 2)) when given; only the
        polygons (lines) of a feature are kept.  ``each_chunk(indices, moved geometries)`` is
        called with every chunk's geometries in map coordinates (to simplify a zoom band from
        them while they are at hand)."""
        geoms = np.asarray(geoms, dtype=object)
        keep = _LINES if lines else _POLYGON
        chunks = []
        parts_before = 0
        for i in range(0, len(geoms), CHUNK):
            g = geoms[i:i + CHUNK]
            moving = move
            if each_chunk is not None:
                if move is not None:  # the geometries moved once, the arrays taken from them
                    g, moving = shapely.transform(g, move), None
                each_chunk(np.arange(i, i + len(g)), g)
            parts, idx = shapely.get_parts(g, return_index=True)
            # empty parts are left out (a polygon of no ring cannot be made again)
            ok = np.isin(shapely.get_type_id(parts), keep) & ~shapely.is_empty(parts)
            parts, idx = parts[ok], idx[ok]
            if lines:
                rings, ring_part = parts, None
            else:
                rings, ring_part = shapely.get_rings(parts, return_index=True)
                ring_part = ring_part.astype(np.int64) + parts_before
            counts = shapely.get_num_coordinates(rings).astype(np.int64)
            xy = shapely.get_coordinates(rings)
            if moving is not None and len(xy):
                xy = np.asarray(moving(xy), dtype=float)
            multi = ~np.isin(shapely.get_type_id(g), keep)
            chunks.append((xy, counts, ring_part, idx.astype(np.int64) + i, multi))
            parts_before += len(parts)
        if not chunks:
            z = np.zeros(0, dtype=np.int64)
            return cls(0, lines, np.zeros((0, 2)), z, None if lines else z, z,
                       np.zeros(0, dtype=bool))
        return cls(len(geoms), lines, np.concatenate([c[0] for c in chunks]),
                   np.concatenate([c[1] for c in chunks]),
                   None if lines else np.concatenate([c[2] for c in chunks]),
                   np.concatenate([c[3] for c in chunks]),
                   np.concatenate([c[4] for c in chunks]))

    @property
    def ring_feature(self) -> np.ndarray:
        """The feature of each ring (line part)."""
        return self.part_feature if self.lines else self.part_feature[self.ring_part]

    @property
    def ring_starts(self) -> np.ndarray:
        return np.cumsum(self.ring_counts) - self.ring_counts

    def vertex_counts(self) -> np.ndarray:
        """Vertices of each feature."""
        return np.bincount(self.ring_feature, weights=self.ring_counts,
                           minlength=self.n).astype(np.int64)

    def bounds(self) -> np.ndarray:
        """(n, 4) boxes of the features (NaN for one without vertices)."""
        out = np.full((self.n, 4), np.nan)
        counts = self.vertex_counts()
        has = counts > 0
        if has.any():
            starts = (np.cumsum(counts) - counts)[has]
            x, y = self.coords[:, 0], self.coords[:, 1]
            out[has] = np.column_stack((np.minimum.reduceat(x, starts),
                                        np.minimum.reduceat(y, starts),
                                        np.maximum.reduceat(x, starts),
                                        np.maximum.reduceat(y, starts)))
        return out

    def rings_of(self, which: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(vertices, vertices per ring, feature per ring) of the features ``which``
        (ascending indices), ring by ring as the arrays hold them."""
        rf = self.ring_feature
        lo, hi = np.searchsorted(rf, which, "left"), np.searchsorted(rf, which, "right")
        sel = ranges(lo, hi - lo)
        counts = self.ring_counts[sel]
        coords = self.coords[ranges(self.ring_starts[sel], counts)]
        return coords, counts, rf[sel]

    def geometries(self, which: np.ndarray | None = None) -> np.ndarray:
        """The shapely geometries of the features ``which`` (ascending indices; all when None)
        as they were given: a polygon (line) stays one, a multi-part one stays multi-part, a
        feature without parts is None."""
        which = np.arange(self.n) if which is None else np.asarray(which, dtype=np.int64)
        pf = self.part_feature
        lo, hi = np.searchsorted(pf, which, "left"), np.searchsorted(pf, which, "right")
        nparts = hi - lo
        psel = ranges(lo, nparts)
        if self.lines:
            rsel = psel
            part_rings = None
        else:
            rp = self.ring_part
            rlo, rhi = np.searchsorted(rp, psel, "left"), np.searchsorted(rp, psel, "right")
            rsel = ranges(rlo, rhi - rlo)
            part_rings = rhi - rlo
        counts = self.ring_counts[rsel]
        coords = self.coords[ranges(self.ring_starts[rsel], counts)]
        if self.lines:
            made = shapely.from_ragged_array(shapely.GeometryType.MULTILINESTRING, coords,
                                             (_offsets(counts), _offsets(nparts)))
        else:
            made = shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, coords,
                                             (_offsets(counts), _offsets(part_rings),
                                              _offsets(nparts)))
        out = np.asarray(made, dtype=object)
        single = (nparts == 1) & ~self.multi[which]
        if single.any():
            out[single] = shapely.get_geometry(out[single], 0)
        out[nparts == 0] = None
        return out

    def geometries_chunked(self, which: np.ndarray | None = None):
        """:meth:`geometries` of ``which`` :data:`CHUNK` features at a time: (indices,
        geometries) pairs."""
        which = np.arange(self.n) if which is None else np.asarray(which, dtype=np.int64)
        for i in range(0, len(which), CHUNK):
            part = which[i:i + CHUNK]
            yield part, self.geometries(part)
