"""Re-analysis after a facility edit (add, move, delete, change): the edit-independent stages of
the last run are kept and the distance coverage re-measures only the population points the edit
can reach; every figure equals a full :func:`ilp_gis.analysis.analyze` of the edited project.

What an edit changed is found column by column, each column compared in its own dtype
(:func:`_spliced`): the changed rows alone are prepared again and spliced into the sorted
prepared frame, and the :class:`ilp_gis.incremental_stages.Change` they make (ids, rows
before and after) lets the Posyandu strata, the lokus check and the COE units be kept or
patched (``ilp_gis.incremental_stages``).

What an edit can reach, per facility type: the points whose nearest facility was removed or
moved, the points at least as close to an added or moved facility as to their nearest one, and
points whose nearest is a tie (kept from the previous query, re-measured every time so the
KD-tree breaks the tie as a full run does).  Every other point keeps its distance; its nearest
facility keeps its id (its index is renumbered).  The road graph, the prepared desa and
kecamatan and the population points are reused as long as those layers, the settlements, the
kabupaten layer and the rules are the same objects.  The network is kept when the edit
changed none of the columns it reads (``ilp_gis.incremental_stages.NETWORK_READS``: a change
of staff, kader or capacity), else built again.  Travel fields, gaps, priorities and the
summary are still recomputed from the per-point figures (vectorised, whole tables: priorities
are ranked across all desa).

Imports gc, numpy, pandas, scipy and ``ilp_gis`` (analysis, geo, incremental_stages, project,
rules).
"""

from __future__ import annotations

import operator
import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ilp_gis.column_compare import same_at
from ilp_gis.geo import ecef, lonlat_of, nearest_ground
from ilp_gis.incremental_stages import Change, StageCache
from ilp_gis.project import Project
from ilp_gis.results import AnalysisResult
from ilp_gis.rules import Rules
from ilp_gis.speed.collector import held_off

GROUND_LAYERS = ("desa", "kecamatan", "roads", "settlements", "kabupaten")
_REL = 1e-9  # a facility as close as the nearest one (to rounding) reaches the point
_FULL_SHARE = 0.5  # an edit reaching more than half of the points: query them all


@dataclass
class _Nearest:
    """The nearest facility of one type for every population point, as last measured."""

    ids: np.ndarray  # fac_id of each facility of the type (positional order of the query)
    xy: np.ndarray  # their coordinates
    dist: np.ndarray  # per point: metres to the nearest (inf without any)
    idx: np.ndarray  # per point: its position in ``ids`` (-1 without any)
    tied: np.ndarray  # per point: the second nearest is as near as the nearest


@dataclass
class EditStats:
    """What the last re-analysis re-measured (per facility type) and whether it was incremental."""

    incremental: bool = False
    points: int = 0
    reached: dict[str, int] = field(default_factory=dict)
    prepared: int = 0  # facility rows prepared (the others kept from the last run)


class IncrementalAnalysis:
    """Analyses a project, then re-analyses it after edits measuring only what changed.

    ``analyze(project)`` gives the same result as :func:`ilp_gis.analysis.analyze` every time;
    it reuses the previous run when the project differs from it only by its facilities (and
    tables), else it starts afresh."""

    def __init__(self, rules: Rules | None = None, *, gaps_min_desa: int | None = None) -> None:
        """``gaps_min_desa``: the gap table is spliced locally from this many desa (default
        :data:`ilp_gis.incremental_stages.GAPS_LOCAL_MIN_DESA`: not tried; 0: always tried)."""
        self.rules = rules
        self._gaps_min_desa = gaps_min_desa
        self.ground: dict | None = None
        self._layers: tuple = ()
        self._rules_used: Rules | None = None
        self._near: dict[str, _Nearest] = {}
        self._metric: tuple | None = None  # (planar, crs, points' metric coordinates)
        self._prepared: tuple | None = None
        self.stats = EditStats()
        self._stages = self._stage_cache()
        self._lock = threading.Lock()  # one run at a time (the window's worker threads)
        self._drop = False

    def reset(self) -> None:
        """Let the kept stages go (at the start of the next run: never waits for a running one)."""
        self._drop = True

    def _reset(self) -> None:
        self.ground = None
        self._layers = ()
        self._near = {}
        self._metric = None
        self._prepared = None  # (raw facility layer, its prepared frame) of the last run
        self._ground_points = None  # (desa, points, their coverage PointGround)
        self._stages = self._stage_cache()

    def _stage_cache(self) -> StageCache:
        if self._gaps_min_desa is None:
            return StageCache()
        return StageCache(gaps_min_desa=self._gaps_min_desa)

    def _same_ground(self, project: Project, rules: Rules) -> bool:
        return self.ground is not None and rules is self._rules_used and len(self._layers) == len(
            GROUND_LAYERS) and all(project.layers.get(n) is f for n, f in zip(
                GROUND_LAYERS, self._layers, strict=True))

    def analyze(self, project: Project, *, progress=None, is_cancelled=None) -> AnalysisResult:
        """The analysis of ``project``; a re-analysis after an edit runs with the cycle
        collector held off: with the last run's frames alive, its allocations set off full
        collections that walk every object of the process (provinsi sample: 0.04-0.07 s of a
        0.4 s edit)."""
        with self._lock, held_off(self.ground is not None):
            return self._analyze(project, progress, is_cancelled)

    def _analyze(self, project: Project, progress, is_cancelled) -> AnalysisResult:
        from ilp_gis.analysis import analyze

        rules = self.rules or project.rules
        reuse = not self._drop and self._same_ground(project, rules)
        self._drop = False
        if not reuse:
            self._reset()
        self.stats = EditStats(incremental=reuse)
        keep: dict = {}
        self._stages.change = None  # until _prepare finds what the edit changed
        result = analyze(project, rules=rules, progress=progress, is_cancelled=is_cancelled,
                         ground=self.ground, nearest=_Hook(self), keep=keep,
                         prepare_fn=self._prepare, stages=self._stages.stages())
        self._stages.rules = rules
        self.ground = {k: keep[k] for k in ("crs", "road", "desa", "kec", "points")}
        self._layers = tuple(project.layers.get(n) for n in GROUND_LAYERS)
        self._rules_used = rules
        return result

    # -- facilities prepared again only where they changed ----------------------------------------
    def _prepare(self, raw, desa, kec, crs):
        """``prepare_facilities(raw, ...)``: the rows the edit changed are prepared, the others
        kept from the last run (a layer without unique ids, or of other columns, in full)."""
        from ilp_gis.prepare import prepare_facilities

        last = self._prepared if self.ground is not None else None
        out = None

        def prepare(rows):
            self.stats.prepared = len(rows)
            return prepare_facilities(rows, desa, kec, crs)

        ids = None
        if last is not None:
            out = _spliced(last[0], last[1], raw, prepare, last[2])
        if out is None:
            out = prepare(raw)
        else:
            out, self._stages.change, ids = out
        self._prepared = (raw, out, ids)
        return out

    def _point_ground(self, desa, points):
        """``ilp_gis.coverage.point_ground(desa, points)``, kept while they are the same."""
        from ilp_gis.coverage import point_ground

        last = self._ground_points
        if last is not None and last[0] is desa and last[1] is points:
            return last[2]
        out = point_ground(desa, points)
        self._ground_points = (desa, points, out)
        return out

    # -- the nearest facility, re-measured where an edit reaches ---------------------------------
    def _metric_xy(self, pxy: np.ndarray, planar: bool, crs) -> np.ndarray:
        """The points in the metric the nearest query orders them by: the plane of the working
        zone, or earth-centred coordinates across zones (``ilp_gis.geo.nearest_ground``)."""
        m = self._metric
        if m is not None and m[0] == planar and m[1] is crs and len(m[2]) == len(pxy):
            return m[2]
        out = pxy if planar else ecef(lonlat_of(pxy, crs))
        self._metric = (planar, crs, out)
        return out

    def _nearest(self, ftype: str, pxy: np.ndarray, fxy: np.ndarray, fids: np.ndarray,
                 planar: bool, crs):
        self.stats.points = len(pxy)
        old = self._near.get(ftype)
        fxy = np.asarray(fxy, dtype=float)
        fids = np.asarray(fids, dtype=object)
        if old is None or len(old.dist) != len(pxy) or self._metric is None \
                or self._metric[0] != planar:
            dist, idx = nearest_ground(pxy, fxy, crs, planar=planar)
            reach = np.arange(len(pxy))
            tied = self._ties(pxy, fxy, planar, crs, reach)
        else:
            dist, idx, tied, reach = self._update(old, pxy, fxy, fids, planar, crs)
        self.stats.reached[ftype] = int(len(reach))
        self._near[ftype] = _Nearest(fids, fxy, dist, idx, tied)
        return dist, idx

    def _ties(self, pxy, fxy, planar, crs, rows) -> np.ndarray:
        """Per point of ``rows``: is its second nearest facility as near as its nearest?"""
        tied = np.zeros(len(pxy), dtype=bool)
        if len(fxy) < 2 or not len(rows):
            return tied
        metric = self._metric_xy(pxy, planar, crs)
        fm = fxy if planar else ecef(lonlat_of(fxy, crs))
        ok = rows[np.isfinite(metric[rows]).all(axis=1)]
        d, _ = cKDTree(fm).query(metric[ok], k=2, workers=-1)
        tied[ok] = d[:, 1] - d[:, 0] <= _REL * np.maximum(d[:, 0], 1.0) * 1e3
        return tied

    def _update(self, old: _Nearest, pxy, fxy, fids, planar, crs):
        metric = self._metric_xy(pxy, planar, crs)
        new_of_old = pd.Index(fids).get_indexer(pd.Index(old.ids)) if len(old.ids) \
            else np.zeros(0, dtype=np.int64)
        old_of_new = pd.Index(old.ids).get_indexer(pd.Index(fids)) if len(fids) \
            else np.zeros(0, dtype=np.int64)
        same_old = new_of_old >= 0
        if same_old.any():
            same_old[same_old] = (fxy[new_of_old[same_old]] == old.xy[same_old]).all(axis=1)
        added = np.ones(len(fids), dtype=bool)
        if len(fids):
            hit = old_of_new >= 0
            added[hit] = ~(old.xy[old_of_new[hit]] == fxy[hit]).all(axis=1)
        has_old = old.idx >= 0
        reach = old.tied.copy()
        reach[has_old] |= ~same_old[old.idx[has_old]]  # its nearest was removed or moved
        if len(fids) and not has_old.all():
            reach |= ~has_old & np.isfinite(metric).all(axis=1)  # no facility before
        a = np.flatnonzero(added)
        if len(a):
            am = fxy[a] if planar else ecef(lonlat_of(fxy[a], crs))
            near_m = np.full(len(pxy), np.inf)  # metric distance to the old nearest
            if has_old.any():
                om = old.xy[old.idx[has_old]]
                om = om if planar else ecef(lonlat_of(om, crs))
                near_m[has_old] = np.sqrt(((metric[has_old] - om) ** 2).sum(axis=1))
            limit = near_m * (1 + _REL) + 1e-6
            for row in am:  # few added facilities per edit: one vectorised pass each
                dd = np.sqrt(((metric - row) ** 2).sum(axis=1))
                reach |= dd <= limit
        rows = np.flatnonzero(reach)
        dist = old.dist.copy()
        idx = np.full(len(pxy), -1, dtype=np.int64)
        keep = has_old & ~reach
        idx[keep] = new_of_old[old.idx[keep]]
        if len(rows) > _FULL_SHARE * len(pxy):
            dist, idx = nearest_ground(pxy, fxy, crs, planar=planar)
            rows = np.arange(len(pxy))
        elif len(rows):
            d, i = nearest_ground(pxy[rows], fxy, crs, planar=planar)
            dist[rows], idx[rows] = d, i
        tied = old.tied & ~reach
        tied |= self._ties(pxy, fxy, planar, crs, rows)
        return dist, idx, tied, rows


class _Hook:
    """The ``nearest`` handed to ``ilp_gis.coverage.compute_coverage``: the nearest facility
    re-measured where an edit reaches, and the points' figures kept between runs."""

    def __init__(self, owner: IncrementalAnalysis) -> None:
        self._owner = owner

    def __call__(self, *args):
        return self._owner._nearest(*args)

    def point_ground(self, desa, points):
        return self._owner._point_ground(desa, points)


def _unique_ids(frame) -> np.ndarray | None:
    """The ids of ``frame`` as text (an object array), None when some are missing."""
    if "fac_id" not in frame.columns or not len(frame):
        return None
    ids = frame["fac_id"]
    if ids.isna().any():
        return None
    return ids.astype(str).to_numpy(object)


def _spliced(old_raw, old_prepared, raw, prepare, old_ids=None):
    """The prepared frame of ``raw`` from the one of ``old_raw``: unchanged rows (same id, same
    values, same point) kept, the others prepared by ``prepare``; None when that cannot give
    exactly what preparing all of ``raw`` would (ids missing or repeated, other columns or
    CRS, or most rows changed); with it, the :class:`Change`.  ``old_ids``: the ids of
    ``old_raw`` as :func:`_unique_ids` gives them (kept from the last run).  An edit that
    keeps every id (a move, a changed figure) patches the changed rows in place: only the
    columns it changed are copied."""
    import shapely

    from ilp_gis.incremental_stages import patched, sorted_splice

    if list(old_raw.columns) != list(raw.columns) or old_raw.crs != raw.crs or \
            list(old_raw.dtypes) != list(raw.dtypes):
        return None
    old_ids = _unique_ids(old_raw) if old_ids is None else old_ids
    new_ids = _unique_ids(raw)
    if old_ids is None or new_ids is None or len(old_prepared) != len(old_raw):
        return None
    k = min(len(old_ids), len(new_ids))
    if k and np.array_equal(old_ids[:k], new_ids[:k]):  # an edit in place, or rows added
        at = np.r_[np.arange(k), np.full(len(new_ids) - k, -1)]
        old_index = pd.Index(old_ids, dtype=object)
        if not (old_index.is_unique and (len(new_ids) == k or pd.Index(
                new_ids, dtype=object).is_unique)):
            return None
        if len(new_ids) > k:
            at[k:] = old_index.get_indexer(new_ids[k:])
    else:
        old_index, new_index = pd.Index(old_ids, dtype=object), pd.Index(new_ids, dtype=object)
        if not (old_index.is_unique and new_index.is_unique):
            return None
        at = old_index.get_indexer(new_index)
    same = at >= 0
    geom = raw.geometry.name
    rows = np.flatnonzero(same)
    a = np.asarray(raw.geometry.values, dtype=object)[rows]
    b = np.asarray(old_raw.geometry.values, dtype=object)[at[rows]]
    ok = np.fromiter(map(operator.is_, a, b), dtype=bool, count=len(a))  # the same shapes
    rest = np.flatnonzero(~ok)
    if len(rest):
        ok[rest] = (shapely.is_missing(a[rest]) & shapely.is_missing(b[rest])) | \
            shapely.equals_exact(a[rest], b[rest], 0.0)
    for col in raw.columns:
        if col == geom or not ok.any():
            continue
        ok &= same_at(raw[col], old_raw[col], rows, at[rows])  # no column copied
    same[rows] = ok
    changed = np.flatnonzero(~same)
    if len(changed) > max(16, len(raw) // 10):
        return None
    kept = np.zeros(len(old_raw), dtype=bool)
    kept[at[same]] = True
    gone_ids = frozenset(old_ids[~kept].tolist())
    new = prepare(raw.iloc[changed]) if len(changed) else old_prepared.iloc[0:0]
    new_changed = frozenset(new_ids[changed].tolist())
    ids = gone_ids | new_changed
    out = patched(old_prepared, "fac_id", new) if gone_ids == new_changed and len(new) == len(
        gone_ids) else None
    if out is not None:  # every id kept: the changed rows replaced where they stand
        out, pos = out
        old_rows = old_prepared.iloc[np.sort(pos)]
    else:
        prep_ids = old_prepared["fac_id"].to_numpy(object)
        gone = pd.Series(prep_ids, dtype=object).isin(list(gone_ids)).to_numpy() \
            if gone_ids else np.zeros(len(prep_ids), dtype=bool)
        out = sorted_splice(old_prepared, "fac_id", gone_ids, new)
        old_rows = old_prepared.iloc[np.flatnonzero(gone)]
    out = out.__class__(out, geometry=old_prepared.geometry.name, crs=old_prepared.crs)
    return out, Change(ids, old_rows, new), new_ids
