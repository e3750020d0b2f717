"""The map's layer store: the project's layers and the analysis result as geometry arrays in
local (origin-shifted UTM) metres, with bounds for culling and simplified copies per zoom band.
May import numpy/shapely/pyproj, the domain and ``layers.symbology``, ``ui.state`` and
:mod:`ui.map.qpaths` / ``bands`` / ``view``; it draws nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from PySide6.QtGui import QPainterPath

from ilp_gis import model
from ilp_gis.geo import inner_points, utm_crs
from layers import symbology as sym
from ui.map.bands import band_for, roads_shown
from ui.map.qpaths import path_from_arrays
from ui.map.shapes import Shapes
from ui.map.view import View
from ui.state import AppState, key_of

_TILES = 4  # big fills are split over a _TILES x _TILES grid (see GeometryLayer.fill_paths)
_TILE_MIN = 100  # ... when they hold at least this many features
_SUBSET_SHARE = 4  # a view holding under 1/4 of a layer simplifies only its features
_INPUT_LAYERS = ("kabupaten", "kecamatan", "desa", "roads", "facilities")
CHUNK = 20_000
"""Features per shapely call when a layer's geometry is made or simplified (see _chunked)."""


class NumberedKeys(Sequence):
    """The keys ``f"{prefix}{i}"`` of ``n`` features without a key of their own (road lines,
    network links), made when asked for: a nation's 959,000 roads keep no key strings."""

    def __init__(self, n: int, prefix: str = "#") -> None:
        self.n = n
        self.prefix = prefix

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [f"{self.prefix}{j}" for j in range(*i.indices(self.n))]
        if not -self.n <= i < self.n:
            raise IndexError(i)
        return f"{self.prefix}{i % self.n}"

    def __iter__(self):
        return (f"{self.prefix}{j}" for j in range(self.n))


class _KeyIndex:
    """``key_index`` of a layer: key -> position; made with the layer (in the worker that
    builds it), for numbered features only when first asked for."""

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        index = obj.__dict__.get("_key_index")
        if index is None:
            index = obj.__dict__["_key_index"] = {k: i for i, k in enumerate(obj.keys)}
        return index


@dataclass
class _Parts:
    """Rings (polygons) or parts (lines) of a layer at one simplification band."""

    coords: np.ndarray  # (M, 2)
    counts: np.ndarray  # vertices per ring/part
    feature: np.ndarray  # feature index per ring/part
    starts: np.ndarray  # index of each ring's first vertex in coords


class GeometryLayer:
    """Polygons or lines of one layer in local metres, with culling and zoom bands."""

    key_index = _KeyIndex()

    def __init__(self, geoms: np.ndarray | Shapes, keys: Sequence[str], *, lines: bool = False,
                 move=None, bands: Sequence[float] = (), later: bool = False) -> None:
        """``geoms``: shapely geometries (their vertices passed through ``move`` when given)
        or their :class:`Shapes`; the layer keeps only the coordinate arrays.  ``bands``: zoom
        bands simplified at once from the given geometries (not made again from the arrays).
        ``later``: the moved geometries are kept until the arrays are first asked for (the
        first view: its areas drawn without waiting for the arrays, taken in the background
        by :meth:`MapLayers.preparer`)."""
        self.lines = lines
        made: dict[float, list[_Parts]] = {t: [] for t in bands if t > 0}

        def simplify(which: np.ndarray, chunk: np.ndarray) -> None:
            valid = ~(shapely.is_missing(chunk) | shapely.is_empty(chunk))
            for t, out in made.items():
                out.append(self._simplified_of(chunk, which, valid, t))

        self._moved = None
        self._shapes = None
        if later and not isinstance(geoms, Shapes):
            moved = geoms if move is None else _chunked(
                lambda a: shapely.transform(a, move), np.asarray(geoms, dtype=object))
            self._moved, self._n = moved, len(moved)
            self.valid = ~(shapely.is_missing(moved) | shapely.is_empty(moved))
            self.bounds = np.full((len(moved), 4), np.nan)
            if self.valid.any():
                self.bounds[self.valid] = shapely.bounds(moved[self.valid])
            for i in range(0, len(moved), CHUNK):
                simplify(np.arange(i, min(i + CHUNK, len(moved))), moved[i:i + CHUNK])
        else:
            self._shapes = geoms if isinstance(geoms, Shapes) else Shapes.of(
                geoms, lines=lines, move=move, each_chunk=simplify if made else None)
            self._n = self._shapes.n
            self.bounds = self._shapes.bounds()
            self.valid = np.isfinite(self.bounds[:, 0])
        self.keys = keys
        if not isinstance(keys, NumberedKeys):
            _ = self.key_index  # made here, in the worker that builds the layer
        self._bands: dict[float, _Parts] = {t: _joined(c) for t, c in made.items() if c}
        self._paths: dict[tuple, QPainterPath] = {}
        self._tree = None
        self._label_pts = None
        self._sizes: np.ndarray | None = None

    @property
    def shapes(self) -> Shapes:
        """The layer's coordinate arrays (taken from the kept geometries when first asked)."""
        got = self._shapes
        if got is None:
            got = self._shapes = Shapes.of(self._moved, lines=self.lines)
            self._moved = None
        return got

    def __len__(self) -> int:
        return self._n

    def class_mask(self, attr: str, value: str) -> np.ndarray:
        """Features whose ``attr`` list equals ``value`` (cached per layer)."""
        cache = self.__dict__.setdefault("_class_masks", {})
        m = cache.get((attr, value))
        if m is None:
            m = cache[(attr, value)] = np.asarray(getattr(self, attr), dtype=object) == value
        return m

    @property
    def tree(self):
        """A spatial index of the features' boxes (positions among the valid features: see
        :meth:`_candidates`)."""
        if self._tree is None:
            self._tree = shapely.STRtree(shapely.box(*self.bounds[self.valid].T))
        return self._tree

    def _candidates(self, geom) -> np.ndarray:
        """Features whose box meets ``geom`` (ascending)."""
        return np.sort(np.flatnonzero(self.valid)[self.tree.query(geom)])

    def intersecting(self, rect: tuple[float, float, float, float]) -> np.ndarray:
        """Features that meet the box ``rect`` (ascending indices)."""
        box = shapely.box(*rect)
        idx = self._candidates(box)
        if not len(idx):
            return idx
        return idx[shapely.intersects(self.shapes.geometries(idx), box)]

    def extent(self) -> tuple[float, float, float, float] | None:
        if not self.valid.any():
            return None
        b = self.bounds[self.valid]
        return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()),
                float(b[:, 3].max()))

    def in_view(self, rect: tuple[float, float, float, float]) -> np.ndarray:
        x0, y0, x1, y1 = rect
        b = self.bounds
        with np.errstate(invalid="ignore"):
            return self.valid & (b[:, 2] >= x0) & (b[:, 0] <= x1) & (b[:, 3] >= y0) & (b[:, 1] <= y1)

    def extent_at_least(self, size: float) -> np.ndarray:
        """Features whose bounds are at least ``size`` metres wide or high (cached per size
        step: the sizes of a layer are computed once)."""
        if self._sizes is None:
            with np.errstate(invalid="ignore"):
                self._sizes = np.fmax(self.bounds[:, 2] - self.bounds[:, 0],
                                      self.bounds[:, 3] - self.bounds[:, 1])
        with np.errstate(invalid="ignore"):
            return self._sizes >= size

    def has_band(self, tol: float) -> bool:
        return tol in self._bands

    def parts(self, tol: float) -> _Parts:
        """Every feature's rings/parts at band ``tol`` (simplified once, then kept)."""
        got = self._bands.get(tol)
        if got is not None:
            return got
        if tol == 0:  # the arrays themselves
            sh = self.shapes
            out = _Parts(sh.coords, sh.ring_counts, sh.ring_feature, sh.ring_starts)
        else:
            out = self._simplified(np.arange(len(self)), tol)
        self._bands[tol] = out
        return out

    def _simplified(self, which: np.ndarray, tol: float) -> _Parts:
        """The rings/parts of the features ``which`` (indices) at band ``tol``, worked out
        :data:`CHUNK` features at a time (shapely holds the GIL while it makes geometries: a
        worker simplifying a nation's desa in one call would freeze the window meanwhile)."""
        if len(which) <= CHUNK:
            return self._simplified_chunk(which, tol)
        return _joined([self._simplified_chunk(which[i:i + CHUNK], tol)
                        for i in range(0, len(which), CHUNK)])

    def _simplified_chunk(self, which: np.ndarray, tol: float) -> _Parts:
        if tol == 0:
            coords, counts, feature = self.shapes.rings_of(which)
            return _Parts(coords, counts, feature, np.cumsum(counts) - counts)
        return self._simplified_of(self.shapes.geometries(which), which, self.valid[which], tol)

    def _simplified_of(self, geoms: np.ndarray, which: np.ndarray, valid: np.ndarray,
                       tol: float) -> _Parts:
        """The rings/parts of ``geoms`` (the features ``which``) at band ``tol`` (> 0)."""
        simple = shapely.simplify(geoms, tol, preserve_topology=False)
        lost = shapely.is_empty(simple) | shapely.is_missing(simple)
        if not self.lines:  # tiny desa must not vanish: keep their envelope instead
            lost |= ~shapely.is_valid_input(simple)
        lost &= valid
        if lost.any():  # the envelope of only those that vanished
            simple[lost] = shapely.envelope(geoms[lost])
        geoms = simple
        if self.lines:
            parts, idx = shapely.get_parts(geoms, return_index=True)
            rings, ridx = parts, np.arange(len(parts))
        else:
            parts, idx = shapely.get_parts(geoms, return_index=True)
            poly = shapely.get_type_id(parts) == 3
            parts, idx = parts[poly], idx[poly]
            rings, ridx = shapely.get_rings(parts, return_index=True)
        counts = shapely.get_num_coordinates(rings).astype(np.int64)
        coords = shapely.get_coordinates(rings)
        feature = which[idx[ridx]] if len(ridx) else np.zeros(0, dtype=np.int64)
        return _Parts(coords, counts, feature, np.cumsum(counts) - counts)

    def path(self, tol: float, mask: np.ndarray | None = None, cache_key=None) -> QPainterPath:
        """One path of the features in ``mask`` (all when None) at band ``tol``."""
        if cache_key is not None:
            got = self._paths.get((tol, cache_key))
            if got is not None:
                return got
        if mask is not None and tol not in self._bands and \
                int(mask.sum()) * _SUBSET_SHARE < len(self):
            # a band not simplified yet and a view showing a small part of the layer (a zoom
            # into a district): simplify just that part now, the whole band in the background
            # (BandPrefetcher)
            p = self._simplified(np.flatnonzero(mask), tol)
            coords, counts = p.coords, p.counts
            mask = None
        else:
            p = self.parts(tol)
        if mask is None:
            coords, counts = p.coords, p.counts
        else:  # gather only the visible rings: cost follows what is shown, not the layer size
            sel = np.flatnonzero(mask[p.feature]) if len(p.feature) else np.zeros(0, dtype=int)
            counts = p.counts[sel]
            first = p.starts[sel]
            offsets = np.cumsum(counts) - counts
            idx = np.repeat(first - offsets, counts) + np.arange(int(counts.sum()))
            coords = p.coords[idx]
        codes = np.ones(len(coords), dtype=np.int32)
        if len(counts):
            starts = np.cumsum(counts) - counts
            codes[starts] = 0
        path = path_from_arrays(coords[:, 0], coords[:, 1], codes) if len(coords) else QPainterPath()
        if cache_key is not None:
            self._paths[(tol, cache_key)] = path
        return path

    def class_path(self, tol: float, visible: np.ndarray, attr: str, value: str):
        """One path of the ``visible`` features whose ``attr`` is ``value``, None when there is
        none; cached while the whole class is in view."""
        cls = self.class_mask(attr, value)
        m = visible & cls
        if not m.any():
            return None
        full = bool(m.sum() == cls.sum())
        return self.path(tol, m, cache_key=(attr, value) if full else None)

    @property
    def tiles(self) -> np.ndarray:
        """Tile number (a 4x4 grid over the layer) of each feature's box centre."""
        got = self.__dict__.get("_tiles")
        if got is None:
            got = np.zeros(len(self), dtype=np.int64)
            if self.valid.any():
                b = self.bounds
                cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
                x0, y0, x1, y1 = self.extent()
                with np.errstate(invalid="ignore"):
                    ix = np.clip((cx - x0) / max(x1 - x0, 1e-9) * _TILES, 0, _TILES - 1)
                    iy = np.clip((cy - y0) / max(y1 - y0, 1e-9) * _TILES, 0, _TILES - 1)
                ok = self.valid
                got[ok] = ix[ok].astype(np.int64) * _TILES + iy[ok].astype(np.int64)
            self._tiles = got
        return got

    def fill_paths(self, tol: float, mask: np.ndarray | None = None,
                   cache_key=None) -> list[QPainterPath]:
        """Paths to FILL the features in ``mask``: one per map tile when there are many.

        Qt's aliased fill slows down more than linearly with the size and spread of a path (a
        class of desa scattered over a province); compact pieces fill 1.5-2x faster."""
        sel = self.valid if mask is None else (mask & self.valid)
        if int(sel.sum()) < _TILE_MIN:
            return [self.path(tol, mask, cache_key)]
        tiles = self.tiles
        out = []
        for t in np.unique(tiles[sel]).tolist():
            key = None
            if cache_key is not None:
                key = (*cache_key, "tile", t) if isinstance(cache_key, tuple) else (cache_key, "tile", t)
            out.append(self.path(tol, sel & (tiles == t), cache_key=key))
        return out

    def label_points(self) -> np.ndarray:
        if self._label_pts is None:
            xy = np.full((len(self), 2), np.nan)
            for which, geoms in self.shapes.geometries_chunked():
                for i, p in zip(which.tolist(), inner_points(geoms), strict=True):
                    if p is not None:
                        xy[i] = (p.x, p.y)
            self._label_pts = xy
        return self._label_pts

    def hit(self, x: float, y: float) -> int | None:
        """Index of the polygon containing (x, y), or None."""
        pt = shapely.points(x, y)
        idx = self._candidates(pt)
        if len(idx):
            idx = idx[shapely.intersects(self.shapes.geometries(idx), pt)]
        return int(idx[0]) if len(idx) else None


class PointLayer:
    """Facility points in local metres."""

    key_index = _KeyIndex()

    def __init__(self, xy: np.ndarray, keys: Sequence[str], styles: list[str]) -> None:
        self.xy = xy
        self.keys = keys
        _ = self.key_index  # made here, in the worker that builds the layer
        self.styles = np.asarray(styles, dtype=object)
        self.valid = np.isfinite(xy).all(axis=1) if len(xy) else np.zeros(0, dtype=bool)
        self._masks: dict[str, np.ndarray] = {}

    def style_mask(self, name: str) -> np.ndarray:
        """Rows of one style (cached: comparing object arrays each redraw is slow)."""
        m = self._masks.get(name)
        if m is None:
            m = self._masks[name] = self.styles == name
        return m

    def __len__(self) -> int:
        return len(self.keys)

    def extent(self):
        if not self.valid.any():
            return None
        v = self.xy[self.valid]
        return (float(v[:, 0].min()), float(v[:, 1].min()), float(v[:, 0].max()),
                float(v[:, 1].max()))

    def in_view(self, rect) -> np.ndarray:
        x0, y0, x1, y1 = rect
        with np.errstate(invalid="ignore"):
            return (self.valid & (self.xy[:, 0] >= x0) & (self.xy[:, 0] <= x1)
                    & (self.xy[:, 1] >= y0) & (self.xy[:, 1] <= y1))

    def nearest(self, x: float, y: float, radius: float) -> int | None:
        if not self.valid.any():
            return None
        d = np.hypot(self.xy[:, 0] - x, self.xy[:, 1] - y)
        d[~self.valid] = np.inf
        i = int(np.argmin(d))
        return i if d[i] <= radius else None


class MapLayers:
    """The layers of an :class:`AppState` in local UTM metres, rebuilt when the state changes."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.crs: CRS = CRS.from_epsg(32749)
        self.origin = (0.0, 0.0)
        self.layers: dict[str, GeometryLayer | PointLayer] = {}
        self.gap_layers: dict[str, GeometryLayer] = {}
        self.gap_points: dict[str, PointLayer] = {}
        self.problem_ids: set[str] = set()
        self._fwd = self._inv = None
        self._prepared: dict[str, tuple] = {}  # name -> (frame or result, built in a worker)
        self._ready: tuple | None = None  # (project, prepare_project's answer)
        self.rebuild_all()

    def rebuild_all(self) -> None:
        p = self.state.project
        ready, self._ready = self._ready, None
        built = ready[1] if ready is not None and ready[0] is p else None
        if built is not None:  # placed and built in a worker (prepare_project)
            self.crs, self.origin = CRS.from_wkt(built["crs_wkt"]), built["origin"]
        else:
            self.crs, self.origin = _place(p)
        self._fwd = Transformer.from_crs(model.WGS84, self.crs, always_xy=True)
        self._inv = Transformer.from_crs(self.crs, model.WGS84, always_xy=True)
        self.layers = {}
        self._prepared = {}
        if built is not None:
            self.offer(built)
        for name in ("kabupaten", "kecamatan", "desa", "roads"):
            self.rebuild_layer(name)
        self.rebuild_layer("facilities")
        self.rebuild_result()

    def offer_project(self, project, built: dict) -> None:
        """The map layers :meth:`prepare_project` built for ``project``: the next
        :meth:`rebuild_all` for that very project takes them."""
        self._ready = (project, built)

    @classmethod
    def prepare_project(cls, project, size: tuple[int, int] = (1100, 750)) -> dict:
        """In the calling (worker) thread: the map's CRS and origin for ``project`` and the map
        layers of its areas, simplified for the whole-area view of a window about ``size``
        pixels; for :meth:`offer_project`.  Touches no state."""
        crs, origin = _place(project)
        local = (crs, origin)
        built: dict = {"origin": origin, "crs_wkt": crs.to_wkt()}
        bare = cls.__new__(cls)  # build_layer needs no state of the instance
        guess = ()  # the whole-area band, from the areas' box projected (checked below)
        box = _projected_box(project, crs)
        if box is not None:
            guess = (band_for(View.fitting(box, *size).mupp),)
        for name in ("kabupaten", "kecamatan", "desa"):
            frame = project.layers.get(name)
            if frame is not None and len(frame):
                built[name] = (frame, bare.build_layer(name, frame, local, guess, later=True))
        layers = [built[n][1] for n in ("kabupaten", "kecamatan", "desa") if n in built]
        extents = [e for e in (g.extent() for g in layers) if e is not None]
        if extents:
            e = np.array(extents)
            home = View.fitting((e[:, 0].min(), e[:, 1].min(), e[:, 2].max(), e[:, 3].max()),
                                *size)
            for g in layers:
                g.parts(band_for(home.mupp))
        return built

    def _local(self, frame, local: tuple | None = None):
        """(the frame's geometries, a function taking their (M, 2) vertices to map metres)
        (``local``: a worker's own (CRS, origin)); the geometries themselves are not copied."""
        if not len(frame):
            return np.zeros(0, dtype=object), None
        crs, (ox, oy) = local or (self.crs, self.origin)
        g = frame.geometry
        arr = np.asarray(g.values, dtype=object)
        if g.crs is None or g.crs.is_exact_same(crs):
            return arr, lambda c: c - np.array([ox, oy])
        # projected and moved to the origin in one pass over the coordinates (what to_crs
        # and then a shift gave, without writing the projected geometries in between)
        to_map = Transformer.from_crs(g.crs, crs, always_xy=True)

        def move(c: np.ndarray) -> np.ndarray:
            x, y = to_map.transform(c[:, 0], c[:, 1])
            return np.column_stack((np.asarray(x) - ox, np.asarray(y) - oy))

        return arr, move

    def _local_points(self, geoms: np.ndarray, move) -> np.ndarray:
        """(N, 2) map coordinates of the centroid of each of ``geoms`` (NaN where missing or
        empty): points taken as they are, other shapes moved first."""
        xy = np.full((len(geoms), 2), np.nan)
        if not len(geoms):
            return xy
        ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        if not ok.any():
            return xy
        if bool((shapely.get_type_id(geoms[ok]) == 0).all()):
            xy[ok] = move(shapely.get_coordinates(geoms[ok]))
        else:
            moved = _chunked(lambda a: shapely.transform(a, move), geoms[ok])
            xy[ok] = shapely.get_coordinates(_chunked(shapely.centroid, moved))
        return xy

    def rebuild_layer(self, name: str) -> None:
        frame = self.state.project.layer(name) if name in _INPUT_LAYERS else None
        if frame is None:
            return
        got = self._prepared.pop(name, None)
        if got is not None and got[0] is frame:  # built in the background for this frame
            layer = got[1]
        else:
            layer = self.build_layer(name, frame)
        self.layers[name] = layer
        if name == "facilities":
            self.facility_names = layer.names

    def build_layer(self, name: str, frame, local: tuple | None = None,
                    bands: Sequence[float] = (), later: bool = False):
        """The map layer of input layer ``name`` from ``frame`` (no state touched: safe in a
        worker thread, given its own ``local`` (CRS, origin)), with the zoom ``bands`` of its
        geometry simplified."""
        if name == "facilities":
            fac = frame
            xy = self._local_points(*self._local(fac, local))
            types = fac["type"].astype(object).tolist() if len(fac) else []
            prec = fac["precursor"].fillna(False).astype(bool).tolist() if len(fac) else []
            quals = fac["location_quality"].astype(object).tolist() \
                if len(fac) and "location_quality" in fac else [None] * len(types)
            # known only by its desa: the hollow marker of its type ("desa_pustu", ...)
            styles = [f"desa_{t}" if q == "desa" and t in sym.DESA_LEVEL_STYLES
                      else "precursor" if pr and t == "pustu"
                      else (t if t in sym.FACILITY_STYLES else "unknown")
                      for t, pr, q in zip(types, prec, quals, strict=False)]
            layer = PointLayer(xy, key_of(fac, "facilities"), styles)
            layer.names = fac["name"].astype(object).tolist() if len(fac) else []
            return layer
        keys = NumberedKeys(len(frame)) if name == "roads" else key_of(frame, name)
        geoms, move = self._local(frame, local)
        layer = GeometryLayer(geoms, keys, lines=(name == "roads"), move=move, bands=bands,
                              later=later)
        if name == "roads":
            layer.road_class = frame["road_class"].astype(object).tolist() if len(frame) else []
        else:
            layer.names = frame["name"].astype(object).tolist() if len(frame) else []
            # label priority: the more populous area first (no figure: after the others)
            layer.population = (pd.to_numeric(frame["population"], errors="coerce")
                                .to_numpy(dtype=float) if "population" in frame and len(frame)
                                else np.full(len(frame), np.nan))
        return layer

    def preparer(self):
        """A function ``prepare(frames, result=None, tol=None)`` for a worker thread: it builds
        the map layers of ``frames`` (input layer name -> frame) and of ``result`` in this
        map's coordinates, with zoom band ``tol`` of their geometry simplified, and returns
        them for :meth:`offer` in the UI thread.  It touches no state."""
        wkt, origin = self.crs.to_wkt(), self.origin

        def prepare(frames: dict, result=None, tol: float | None = None) -> dict:
            local = (CRS.from_wkt(wkt), origin)  # this thread's own PROJ context
            built: dict = {"origin": origin}
            for g in list(self.layers.values()):  # the first view's arrays and label
                if isinstance(g, GeometryLayer):  # points, off the UI thread
                    _ = g.shapes
                    if not g.lines:
                        g.label_points()
            for name, frame in frames.items():
                if name in _INPUT_LAYERS:
                    bands = () if tol is None or (name == "roads" and not roads_shown(tol)) \
                        else (tol,)
                    built[name] = (frame, self.build_layer(name, frame, local, bands))
            geometry = [b[1] for k, b in built.items() if k in _INPUT_LAYERS
                        and (k != "roads" or tol is None or roads_shown(tol))]
            if result is not None:
                parts = self.build_result(result, local)
                built["result"] = (result, parts)
                geometry += [*parts[0].values(), parts[3]]
            if tol is not None:
                for g in geometry:
                    if isinstance(g, GeometryLayer):
                        g.parts(tol)
                if result is not None:  # the gaps' fills of a whole-area view, as the
                    # renderer asks for them (ui.map.renderer._draw_gaps): made here, not in
                    # the first paint of the window
                    for g in built["result"][1][0].values():
                        g.fill_paths(tol, None, cache_key="fill")
            return built

        return prepare

    def offer(self, built: dict) -> None:
        """Layers :meth:`prepare` built: the next :meth:`rebuild_layer` / :meth:`rebuild_result`
        of the very same frame/result takes them instead of building them again (ignored when
        the map's origin moved since: another project)."""
        if built.get("origin") == self.origin:
            self._prepared.update({k: v for k, v in built.items()
                                   if k not in ("origin", "crs_wkt")})

    def rebuild_result(self) -> None:
        res = self.state.result
        got = self._prepared.pop("result", None)
        if res is None:
            self.gap_layers, self.gap_points, self.problem_ids = {}, {}, set()
            self.layers.pop("network", None)
            return
        parts = got[1] if got is not None and got[0] is res else self.build_result(res)
        self.gap_layers, self.gap_points, self.problem_ids, network = parts
        if network is None:
            self.layers.pop("network", None)
        else:
            self.layers["network"] = network

    def build_result(self, res, local: tuple | None = None):
        """(gap layers, gap points, problem facility ids, network layer) of a result."""
        gap_layers: dict[str, GeometryLayer] = {}
        gap_points: dict[str, PointLayer] = {}
        problem_ids: set[str] = set()
        network = None
        gaps = res.gaps
        if gaps is not None and len(gaps) and "kind" in gaps.columns:
            geoms, move = self._local(gaps, local)
            keys = key_of(gaps, "gaps")
            kinds = gaps["kind"].astype(str).to_numpy()
            gtype = shapely.get_type_id(geoms)
            for kind in np.unique(kinds):
                m = kinds == kind
                poly = m & np.isin(gtype, (3, 6))
                pts = m & (gtype == 0)
                if poly.any():
                    gap_layers[kind] = GeometryLayer(geoms[poly],
                                                     [k for k, f in zip(keys, poly, strict=False) if f],
                                                     move=move)
                if pts.any():
                    gap_points[kind] = PointLayer(self._local_points(geoms[pts], move),
                                                  [k for k, f in zip(keys, pts, strict=False) if f],
                                                  [kind] * int(pts.sum()))
        edges = res.edges
        if edges is not None and len(edges):
            geoms, move = self._local(edges, local)
            network = GeometryLayer(geoms, NumberedKeys(len(edges), ""), lines=True, move=move)
            network.link = (edges["link"].astype(str).tolist() if "link" in edges.columns
                            else ["given"] * len(edges))
        probs = res.network_problems
        if probs is not None and len(probs) and "fac_ids" in probs.columns:
            if "severity" in probs.columns:
                probs = probs[probs["severity"].astype(str) != "info"]
            for v in probs["fac_ids"].dropna():
                for fid in str(v).replace(",", ";").split(";"):
                    if fid.strip():
                        problem_ids.add(fid.strip())
        return gap_layers, gap_points, problem_ids, network

    def to_local(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self._fwd.transform(lon, lat)
        return x - self.origin[0], y - self.origin[1]

    def to_local_xy(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Local map coordinates of many lon/lat points at once."""
        x, y = self._fwd.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x) - self.origin[0], np.asarray(y) - self.origin[1]

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        return self._inv.transform(x + self.origin[0], y + self.origin[1])

    def to_utm(self, x: float, y: float) -> tuple[float, float]:
        return x + self.origin[0], y + self.origin[1]

    @property
    def utm_zone(self) -> str:
        epsg = self.crs.to_epsg() or 0
        zone = epsg % 100
        return f"{zone}{'S' if 32700 < epsg < 32800 else 'N'}"

    def extent(self) -> tuple[float, float, float, float] | None:
        ext = None
        for name in ("kabupaten", "kecamatan", "desa", "facilities"):
            layer = self.layers.get(name)
            e = layer.extent() if layer is not None else None
            if e is None:
                continue
            ext = e if ext is None else (min(ext[0], e[0]), min(ext[1], e[1]),
                                         max(ext[2], e[2]), max(ext[3], e[3]))
        return ext

    def groups(self, layer: str) -> list[GeometryLayer | PointLayer]:
        """The layer objects holding the features of ``layer`` (of "gaps": one per gap kind and
        geometry type)."""
        if layer == "gaps":
            return list(self.gap_layers.values()) + list(self.gap_points.values())
        data = self.layers.get(layer)
        return [] if data is None else [data]

    def feature_bounds(self, layer: str, keys) -> tuple[float, float, float, float] | None:
        boxes = []
        for group in self.groups(layer):
            for k in keys:
                i = group.key_index.get(k)
                if i is None:
                    continue
                if isinstance(group, PointLayer):
                    x, y = group.xy[i]
                    boxes.append((x, y, x, y))
                else:
                    boxes.append(tuple(group.bounds[i]))
        boxes = [b for b in boxes if np.all(np.isfinite(b))]
        if not boxes:
            return None
        b = np.array(boxes)
        return b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()


def _joined(chunks: list[_Parts]) -> _Parts:
    """The parts of consecutive chunks of features as one."""
    if len(chunks) == 1:
        return chunks[0]
    counts = np.concatenate([c.counts for c in chunks])
    return _Parts(np.concatenate([c.coords for c in chunks]), counts,
                  np.concatenate([c.feature for c in chunks]), np.cumsum(counts) - counts)


def _chunked(fn, arr: np.ndarray) -> np.ndarray:
    """``fn(arr)`` (an elementwise shapely function making geometries) :data:`CHUNK` features
    at a time: shapely holds the GIL while it makes geometries, and between two chunks the
    UI thread gets it (a nation's 959,000 roads in one call froze the window for a second)."""
    if len(arr) <= CHUNK:
        return fn(arr)
    return np.concatenate([fn(arr[i:i + CHUNK]) for i in range(0, len(arr), CHUNK)])


def _projected_box(project, crs: CRS):
    """The box of ``project``'s areas and facilities in ``crs`` (their bounds in degrees
    projected as one box), None when they hold none."""
    frames = [project.layer(n) for n in ("kabupaten", "kecamatan", "desa", "facilities")]
    ext = _degree_box([f for f in frames if len(f)])
    if ext is None:
        return None
    return Transformer.from_crs(model.WGS84, crs, always_xy=True).transform_bounds(*ext)


def _degree_box(frames):
    ext = None
    for f in frames:
        geographic = f.crs is None or f.crs.is_geographic
        b = f.total_bounds if geographic else f.geometry.to_crs(model.WGS84).total_bounds
        if np.all(np.isfinite(b)):
            ext = b if ext is None else np.r_[np.minimum(ext[:2], b[:2]), np.maximum(ext[2:], b[2:])]
    return ext


def _place(project) -> tuple[CRS, tuple[float, float]]:
    """The map's UTM CRS for ``project`` and its origin (the centre of its areas and
    facilities), from the layers' bounds in degrees projected as one box."""
    frames = [project.layer(n) for n in ("kabupaten", "kecamatan", "desa", "facilities")]
    frames = [f for f in frames if len(f)]
    crs = utm_crs(*frames) if frames else CRS.from_epsg(32749)
    ext = _degree_box(frames)
    if ext is None:
        return crs, (0.0, 0.0)
    fwd = Transformer.from_crs(model.WGS84, crs, always_xy=True)
    x0, y0, x1, y1 = fwd.transform_bounds(*ext)
    return crs, ((x0 + x1) / 2, (y0 + y1) / 2)
