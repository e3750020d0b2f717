"""One coverage measure per run: straight-line km or travel minutes, chosen once (from the
planner's limit, else the roads: minutes when the project has usable roads, as the gaps do) and
used by the planner and by the scenario comparison alike.  :class:`Ground` measures exactly as
``ilp_gis.analysis`` does (the same prepared desa, facilities, population points, KD-tree and
road travel field), so a planner's gain equals the gain the scenario's re-analysis reports.
Imports numpy, scipy and ``ilp_gis`` (coverage, errors, geo, i18n, location, model, prepare,
rules, travel).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from ilp_gis import geo
from ilp_gis.errors import InputError
from ilp_gis.i18n import format_number, register_catalog, tr
from ilp_gis.rules import Rules

UNITS = ("km", "min", "deficit")
BLOCK_BYTES = 192 * 1024 * 1024
"""Memory one block of bounded Dijkstra searches may hold (their minutes to every node of the
road graph): at national scale (~470,000 nodes) about 50 sources at a time, instead of one
float64 matrix of 256 × every node (~1 GB) and its temporaries."""


@dataclass(frozen=True)
class CoverageMeasure:
    """What "covered" means in one run.

    ``unit``: ``km`` (straight line in the data's UTM zone), ``min`` (travel over the roads) or
    ``deficit`` (Posyandu: the desa's missing Posyandu against its dusun count).  ``limit``: the
    km / minutes (for ``deficit`` the Posyandu per dusun).  ``chosen_by``: ``given`` (the
    planner's limit), ``roads`` (the project has usable roads, so minutes, as in the gaps),
    ``no_roads`` (no usable roads, so km) or ``rules`` (the Posyandu target).
    """

    site_type: str
    unit: str
    limit: float
    chosen_by: str

    @property
    def rule_name(self) -> str:
        if self.unit == "deficit":
            return "target.posyandu_per_dusun"
        return f"limit.{self.site_type}_{'distance_km' if self.unit == 'km' else 'travel_min'}"

    @property
    def column(self) -> str:
        """The analysis' per-desa column this measure is read from."""
        if self.unit == "deficit":
            return "posyandu_deficit"
        return f"pop_within_{self.site_type}_{self.unit}"

    def rules_for(self, rules: Rules) -> Rules:
        """``rules`` with this measure's limit, so an analysis measures as the planner did."""
        if self.rule_name in rules and rules.value(self.rule_name) == self.limit:
            return rules
        return rules.with_values(**{self.rule_name.replace(".", "__"): self.limit})

    def describe(self, lang: str | None = None) -> str:
        kw = {"lang": lang} if lang else {}
        return tr(f"siting.measure.{self.unit}", type=tr(f"facility.{self.site_type}", **kw),
                  limit=format_number(self.limit, 1),
                  why=tr(f"siting.measure.why.{self.chosen_by}", **kw), **kw)

    def short(self, lang: str | None = None) -> str:
        """A few words for a table cell: "≤ 30 menit ke Pustu", "kekurangan Posyandu"."""
        kw = {"lang": lang} if lang else {}
        return tr(f"siting.measure.short.{self.unit}", type=tr(f"facility.{self.site_type}",
                                                                **kw),
                  limit=format_number(self.limit, 1 if self.limit % 1 else 0), **kw)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CoverageMeasure:
        unit = str(d["unit"])
        if unit not in UNITS:
            raise InputError(tr("siting.measure.bad", value=unit))
        return cls(str(d["site_type"]), unit, float(d["limit"]), str(d.get("chosen_by") or
                                                                        "given"))


def choose_measure(site_type: str, rules: Rules, *, limit_km: float | None = None,
                   limit_min: float | None = None, has_roads: bool = False) -> CoverageMeasure:
    """The run's measure: the planner's limit when given; else minutes when roads are usable
    (the gaps use travel time then), else km; Posyandu count against the dusun target."""
    for v in (limit_km, limit_min):
        if v is not None and not (v > 0 and math.isfinite(v)):
            raise InputError(tr("siting.bad_limit", value=str(v)))
    if site_type == "posyandu" and limit_km is None and limit_min is None:
        return CoverageMeasure("posyandu", "deficit",
                               float(rules.value("target.posyandu_per_dusun")), "rules")
    if limit_min is not None:
        if not has_roads:
            raise InputError(tr("siting.no_travel"))
        return CoverageMeasure(site_type, "min", float(limit_min), "given")
    if limit_km is not None:
        return CoverageMeasure(site_type, "km", float(limit_km), "given")
    if has_roads and f"limit.{site_type}_travel_min" in rules:
        return CoverageMeasure(site_type, "min",
                               float(rules.value(f"limit.{site_type}_travel_min")), "roads")
    return CoverageMeasure(site_type, "km", float(rules.value(f"limit.{site_type}_distance_km")),
                           "no_roads")


def people_per_posyandu(population, needed):
    """People one missing Posyandu stands for: the desa's population over its Posyandu target
    (NaN when either is unknown) — the weight of a Posyandu slot for the planner and for the
    scenario comparison alike."""
    pop = pd.to_numeric(pd.Series(population), errors="coerce").to_numpy(float)
    need = np.ceil(pd.to_numeric(pd.Series(needed), errors="coerce").to_numpy(float) - 1e-9)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.isfinite(pop) & np.isfinite(need) & (need > 0), pop / need, np.nan)


class Ground:
    """The project prepared as the analysis prepares it, and the measure's arithmetic.

    ``desa``/``fac`` in ``crs`` (``prepare_desa``/``prepare_facilities``, ``fac`` with the
    location rule's ``positioned`` column, ``location.coverage_positions``), ``points`` the
    population points (``geo.population_points``), ``graph`` the road graph (None without
    usable roads).  ``done_with``, when given, is called with the names of the input layers
    the ground has finished reading (``("roads",)`` once the road graph is built,
    ``("settlements",)`` once the population points are placed), as ``ilp_gis.analysis``
    does, so that a caller that needs them no more can let go of their memory.
    """

    def __init__(self, project, rules: Rules, *, with_roads: bool = True,
                 done_with=None) -> None:
        from ilp_gis.location import coverage_positions
        from ilp_gis.prepare import prepare_desa, prepare_facilities, prepare_kecamatan
        from ilp_gis.travel import build_road_graph

        self.crs = geo.utm_crs(project.desa)
        self.rules = rules
        self.graph = build_road_graph(project.roads, self.crs, rules) \
            if with_roads and project.has("roads") else None
        if done_with is not None and self.graph is not None:
            done_with(("roads",))
        kec_in = project.kecamatan if project.has("kecamatan") else None
        self.desa = prepare_desa(project.desa, kec_in, self.crs)
        kec = prepare_kecamatan(kec_in, self.desa, self.crs)
        fac = prepare_facilities(project.facilities, self.desa, kec, self.crs)
        settlements = project.settlements if project.has("settlements") else None
        self.points = geo.population_points(self.desa, settlements, crs=self.crs)
        del settlements
        if done_with is not None:
            done_with(("settlements",))
        # the location rule, as the analysis applies it: ``positioned`` facilities only in
        # distance/travel coverage, desa-level ones at their desa point when the rules say so
        self.fac = coverage_positions(fac, self.points, rules)

    def point_xy(self) -> np.ndarray:
        p = self.points
        return np.column_stack([p.geometry.x.to_numpy(), p.geometry.y.to_numpy()]) if len(p) \
            else np.zeros((0, 2))

    def to_nearest(self, measure: CoverageMeasure, xy: np.ndarray,
                   targets: np.ndarray) -> np.ndarray:
        """km or minutes from each point to its nearest target, as ``compute_coverage``."""
        if measure.unit == "min":
            from ilp_gis.travel import minutes_to_nearest, travel_field

            if not len(targets):
                return np.full(len(xy), np.nan)
            minutes, _ = minutes_to_nearest(self.graph, travel_field(self.graph, targets), xy)
            return minutes
        if not len(targets) or not len(xy):
            return np.full(len(xy), np.inf)
        d, _ = geo.nearest_ground(xy, targets, self.crs)  # geodesic across UTM zones
        return np.where(np.isfinite(d), d / 1000.0, np.nan)

    @staticmethod
    def within(measure: CoverageMeasure, values: np.ndarray) -> np.ndarray:
        """The one test of "covered" (``compute_coverage``'s ``per_desa``)."""
        return np.isfinite(values) & (values <= measure.limit)

    def cover(self, measure: CoverageMeasure, xy: np.ndarray,
              cand_xy: np.ndarray) -> sparse.csr_matrix:
        """Points × candidates, True where the candidate alone would cover the point."""
        n, m = len(xy), len(cand_xy)
        if n == 0 or m == 0:
            return sparse.csr_matrix((n, m), dtype=bool)
        if measure.unit == "km":
            planar = geo.in_one_zone(self.crs, xy, cand_xy)
            # across UTM zones: candidates by earth-centred chord (never longer than the
            # geodesic), then each pair's geodesic metres
            pts, cands = (xy, cand_xy) if planar else (
                geo.ecef(geo.lonlat_of(xy, self.crs)), geo.ecef(geo.lonlat_of(cand_xy, self.crs)))
            lists = cKDTree(pts).query_ball_point(cands, r=measure.limit * 1000.0 * (1 + 1e-9)
                                                  + 1e-6)
            cols = np.repeat(np.arange(m), [len(v) for v in lists]).astype(np.int64)
            rows = np.concatenate([np.asarray(v, dtype=np.int64) for v in lists]) if m else \
                np.zeros(0, np.int64)
            if planar:
                diff = xy[rows] - cand_xy[cols]
                km = np.sqrt(diff[:, 0] * diff[:, 0] + diff[:, 1] * diff[:, 1]) / 1000.0
            else:
                km = geo.ground_distance(xy[rows], cand_xy[cols], self.crs, planar=False) / 1000.0
            ok = self.within(measure, km)
            rows, cols = rows[ok], cols[ok]
        else:
            rows, cols, _ = self.road_pairs(xy, cand_xy, measure.limit)
        m_ = sparse.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(n, m),
                               dtype=bool)
        m_.sum_duplicates()
        m_.data[:] = True
        return m_

    def matrix(self, measure: CoverageMeasure, xy: np.ndarray, cand_xy: np.ndarray) -> np.ndarray:
        """Dense km or minutes points × candidates (inf where unreachable)."""
        n, m = len(xy), len(cand_xy)
        if n == 0 or m == 0:
            return np.zeros((n, m))
        if measure.unit == "km":
            return _km_block(self.crs, xy, cand_xy, geo.in_one_zone(self.crs, xy, cand_xy))
        out = np.full((n, m), np.inf)
        rows, cols, vals = self.road_pairs(xy, cand_xy, math.inf)
        np.minimum.at(out, (rows, cols), vals)
        return out

    def pairs_below(self, measure: CoverageMeasure, xy: np.ndarray, cand_xy: np.ndarray,
                    bound: np.ndarray, *, block_bytes: int = BLOCK_BYTES):
        """``(rows, cols, values)``: the entries of :meth:`matrix` below each point's
        ``bound`` (strictly; finite only), sorted by point then candidate — for p-median (a
        candidate nearer than the nearest existing facility), without the dense matrix: km
        measured ``block_bytes`` of points at a time, minutes kept per Dijkstra block."""
        n, m = len(xy), len(cand_xy)
        bound = np.asarray(bound, dtype=float)
        if n == 0 or m == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        if measure.unit == "km":
            planar = geo.in_one_zone(self.crs, xy, cand_xy)
            step = max(1, int(block_bytes) // (8 * 4 * m))  # the block and its temporaries
            for start in range(0, n, step):
                d = _km_block(self.crs, xy[start:start + step], cand_xy, planar)
                r, c = np.nonzero(np.isfinite(d) & (d < bound[start:start + step, None]))
                rows.append(r.astype(np.int64) + start)
                cols.append(c.astype(np.int64))
                vals.append(d[r, c])
            return _cat(rows, np.int64), _cat(cols, np.int64), _cat(vals, float)
        finite = bound[np.isfinite(bound)]
        limit = float(finite.max()) if len(finite) == n else math.inf
        r, c, v = self.road_pairs(xy, cand_xy, limit, below=bound, block_bytes=block_bytes)
        order = np.lexsort((v, c, r))  # per pair its least minutes first
        r, c, v = r[order], c[order], v[order]
        first = np.r_[True, (r[1:] != r[:-1]) | (c[1:] != c[:-1])] if len(r) else \
            np.zeros(0, bool)
        return r[first], c[first], v[first]

    def road_pairs(self, fxy: np.ndarray, txy: np.ndarray, limit_min: float, *,
                   chunk: int = 256, block_bytes: int = BLOCK_BYTES,
                   below: np.ndarray | None = None):
        """(rows, cols, minutes) of the pairs within ``limit_min`` over the roads: walking
        straight, or walking to the road, travelling, walking from it (one bounded Dijkstra
        per point of the smaller side).  The Dijkstra sources go ``chunk`` at a time, fewer
        when their minutes to every node of the graph (one float64 row per source) and to
        every point of the other side would pass ``block_bytes``: the pairs found are the
        same whatever the block, only the memory held at once differs.  ``below``: per point
        of ``fxy``, keep only the pairs of fewer minutes (strictly)."""
        from scipy.sparse.csgraph import dijkstra

        from ilp_gis.travel import walk_minutes

        graph = self.graph
        n_f, n_t = len(fxy), len(txy)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        walk_r = limit_min / 60.0 * graph.walking_kmh * 1000.0 if math.isfinite(limit_min) \
            else math.inf
        tree = cKDTree(fxy)
        for j, idx in enumerate(tree.query_ball_point(txy, r=walk_r) if math.isfinite(walk_r)
                                else [list(range(n_f))] * n_t):
            idx = np.asarray(idx, dtype=np.int64)
            d = np.sqrt(((fxy[idx] - txy[j]) ** 2).sum(axis=1)) if len(idx) else np.zeros(0)
            mins = walk_minutes(d, graph.walking_kmh)
            ok = mins <= limit_min
            if below is not None:
                ok &= mins < below[idx]
            rows.append(idx[ok])
            cols.append(np.full(int(ok.sum()), j, dtype=np.int64))
            vals.append(mins[ok])
        f_vert, f_walk = graph.snap(fxy)
        t_vert, t_walk = graph.snap(txy)
        swap = n_f < n_t
        s_vert, s_walk, o_vert, o_walk = (f_vert, f_walk, t_vert, t_walk) if swap else \
            (t_vert, t_walk, f_vert, f_walk)
        ref = graph.refine(s_vert)
        s_node = ref.entry
        lo, c_lo, hi, c_hi = ref.bounds(o_vert)
        chunk = source_block(chunk, ref.matrix.shape[0] + 4 * len(o_vert), block_bytes)
        for start in range(0, len(s_node), chunk):
            sl = slice(start, min(len(s_node), start + chunk))
            budget = limit_min - s_walk[sl]
            if not np.any(budget > 0):
                continue
            dist = dijkstra(ref.matrix, directed=False, indices=s_node[sl],
                            limit=float(np.max(budget)))
            road = np.minimum(dist[:, lo] + c_lo[None, :], dist[:, hi] + c_hi[None, :])
            total = road + o_walk[None, :] + s_walk[sl][:, None]
            ok = np.isfinite(total) & (total <= limit_min)
            if below is not None:
                ok &= total < (below[start:sl.stop, None] if swap else below[None, :])
            si, oi = np.nonzero(ok)
            v = total[si, oi]
            si = si.astype(np.int64) + start
            oi = oi.astype(np.int64)
            rows.append(si if swap else oi)
            cols.append(oi if swap else si)
            vals.append(v)
        return _cat(rows, np.int64), _cat(cols, np.int64), _cat(vals, float)


def source_block(chunk: int, row_values: int, block_bytes: int = BLOCK_BYTES) -> int:
    """How many Dijkstra sources to run at once: at most ``chunk``, and no more than keep
    their float64 rows of ``row_values`` values each within ``block_bytes`` (at least one)."""
    return max(1, min(int(chunk), int(block_bytes) // max(1, 8 * int(row_values))))


def _cat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)


def ground_travel_cover(ground: Ground):
    """A ``travel_cover(from_points, to_points, limit_min)`` over the ground's roads (with a
    ``nearest`` attribute), for callers that work with GeoSeries."""
    def xy(pts):
        g = pts.to_crs(ground.crs).values
        import shapely

        return shapely.get_coordinates(np.asarray(g, dtype=object)).reshape(-1, 2)

    def cover(from_pts, to_pts, limit_min: float) -> sparse.csr_matrix:
        m = CoverageMeasure("pustu", "min", float(limit_min), "given")
        return ground.cover(m, xy(from_pts), xy(to_pts))

    def nearest(from_pts, to_pts):
        m = CoverageMeasure("pustu", "min", math.inf, "given")
        return ground.to_nearest(m, xy(from_pts), xy(to_pts))

    cover.nearest = nearest
    return cover


register_catalog("ilp_gis", "siting.measure")


def _km_block(crs, xy: np.ndarray, cand_xy: np.ndarray, planar: bool) -> np.ndarray:
    """Dense km points × candidates: planar in one UTM zone, geodesic across zones."""
    n, m = len(xy), len(cand_xy)
    if not planar:
        a = np.repeat(xy, m, axis=0)
        b = np.tile(cand_xy, (n, 1))
        return geo.ground_distance(a, b, crs, planar=False).reshape(n, m) / 1000.0
    diff = xy[:, None, :] - cand_xy[None, :, :]
    return np.sqrt((diff ** 2).sum(axis=2)) / 1000.0
