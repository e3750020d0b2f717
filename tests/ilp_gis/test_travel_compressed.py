"""The compressed road graph (nodes: line ends and junctions only) gives the same minutes as a
reference graph where every vertex of every line is a node."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely.geometry import LineString, MultiLineString

from ilp_gis.rules import default_rules
from ilp_gis.travel import (
    build_road_graph,
    minutes_to_nearest,
    pair_minutes,
    travel_field,
    walk_minutes,
)
from tests.ilp_gis.micro import UTM, km

RULES = default_rules()


class Reference:
    """Every vertex a node; an edge between consecutive vertices (the former engine)."""

    def __init__(self, roads: gpd.GeoDataFrame):
        speeds = RULES.group("speed")
        default = float(speeds.get("default", 20.0))
        self.walking = float(RULES.value("speed.walking", 4.0))
        parts, part_idx = shapely.get_parts(np.asarray(roads.geometry.values), return_index=True)
        coords, ci = shapely.get_coordinates(parts, return_index=True)
        rounded = np.round(coords)
        keys = [tuple(p) for p in rounded]
        ids: dict = {}
        for k in keys:
            ids.setdefault(k, len(ids))
        self.xy = np.array(list(ids))
        n = len(ids)
        best: dict = {}
        cls = roads["road_class"].to_numpy(object)[part_idx]
        cross = (pd.to_numeric(roads["crossing_minutes"], errors="coerce").to_numpy(float)
                 if "crossing_minutes" in roads.columns else np.full(len(roads), np.nan))
        cross = cross[part_idx]
        for p in range(len(parts)):
            rows = np.nonzero(ci == p)[0]
            seg = np.hypot(*np.diff(coords[rows], axis=0).T)
            c = str(cls[p]).strip().lower()
            kmh = speeds.get(c, default) if c not in ("walking", "default") else default
            if c == "ferry" and np.isfinite(cross[p]):
                mins = cross[p] * seg / max(seg.sum(), 1e-9)
            else:
                mins = seg / 1000.0 / kmh * 60.0 if kmh > 0 else np.full(len(seg), np.nan)
            for i in range(len(seg)):
                u, v = ids[keys[rows[i]]], ids[keys[rows[i + 1]]]
                if u == v or not np.isfinite(mins[i]):
                    continue
                e = (min(u, v), max(u, v))
                best[e] = min(best.get(e, np.inf), max(mins[i], 1e-6))
        a = np.array([e[0] for e in best], dtype=np.int64)
        b = np.array([e[1] for e in best], dtype=np.int64)
        w = np.array(list(best.values()))
        self.matrix = sparse.csr_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n))
        self.tree = cKDTree(self.xy)

    def snap(self, pts):
        d, i = self.tree.query(pts)
        return i, walk_minutes(d, self.walking)

    def nearest(self, fac, pts):
        fn, fw = self.snap(fac)
        n = len(self.xy)
        road = np.full(n, np.inf)
        for node, walk in zip(fn, fw, strict=True):
            road = np.minimum(road, walk + dijkstra(self.matrix, directed=False, indices=node))
        pn, pw = self.snap(pts)
        direct = walk_minutes(cKDTree(fac).query(pts)[0], self.walking)
        return np.minimum(direct, pw + road[pn])

    def pairs(self, a, b):
        an, aw = self.snap(a)
        bn, bw = self.snap(b)
        dist = dijkstra(self.matrix, directed=False, indices=an)
        return aw + dist[np.arange(len(an)), bn] + bw


def random_roads(seed: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    hubs = rng.uniform(0, 30, size=(25, 2))  # shared vertices: junctions
    rows, geoms = [], []
    for _ in range(45):
        h = rng.choice(len(hubs), size=rng.integers(2, 4), replace=False)
        pts = [tuple(hubs[h[0]])]
        for j in h[1:]:
            start, end = np.array(pts[-1]), hubs[j]
            for t in np.sort(rng.uniform(0, 1, size=rng.integers(0, 6))):  # interior vertices
                pts.append(tuple(start + t * (end - start) + rng.normal(0, 0.3, 2)))
            pts.append(tuple(end))
        rows.append(dict(road_class=str(rng.choice(["arteri", "lokal", "setapak", "kolektor"])),
                         crossing_minutes=np.nan))
        geoms.append(LineString([km(*p) for p in pts]))
    # a ferry leg with a crossing time shared by length over its vertices
    rows.append(dict(road_class="ferry", crossing_minutes=40.0))
    geoms.append(LineString([km(*hubs[0]), km(35, 35), km(40, 32), km(45, 45)]))
    # a ferry without a crossing time, a loop, and a multi-part line
    rows.append(dict(road_class="ferry", crossing_minutes=np.nan))
    geoms.append(LineString([km(45, 45), km(47, 40), km(50, 50)]))
    rows.append(dict(road_class="lokal", crossing_minutes=np.nan))
    geoms.append(LineString([km(*hubs[1]), km(2, 40), km(3, 42), km(*hubs[1])]))
    rows.append(dict(road_class="arteri", crossing_minutes=np.nan))
    geoms.append(MultiLineString([[km(*hubs[2]), km(10, -5), km(20, -5)],
                                  [km(20, -5), km(25, -8), km(*hubs[3])]]))
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=UTM)


def rand_pts(rng, n):
    return np.array([km(*p) for p in rng.uniform(-5, 52, size=(n, 2))])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compressed_graph_gives_the_reference_minutes(seed):
    r = random_roads(seed)
    g = build_road_graph(r, UTM, RULES)
    ref = Reference(r)
    assert g.n_nodes < len(ref.xy)  # interior vertices are no graph nodes
    rng = np.random.default_rng(seed + 100)
    verts = ref.xy[rng.choice(len(ref.xy), 40, replace=False)]
    fac = np.vstack([rand_pts(rng, 4), verts[:4] + 3.0])  # some right next to any vertex
    pts = np.vstack([rand_pts(rng, 150), verts + rng.normal(0, 20, verts.shape)])
    assert (g.v_node[g.snap(fac)[0]] < 0).sum() >= 3  # facilities on interior vertices
    assert (g.v_node[g.snap(pts)[0]] < 0).sum() >= 30  # ... and people
    field = travel_field(g, fac)
    mins, idx = minutes_to_nearest(g, field, pts)
    want = ref.nearest(fac, pts)
    np.testing.assert_allclose(mins, np.where(np.isfinite(want), want, np.nan), rtol=1e-9)
    ok = np.isfinite(mins)
    got_back = ref.pairs(fac[idx[ok]], pts[ok])  # the named facility is at that time
    direct = walk_minutes(np.hypot(*(fac[idx[ok]] - pts[ok]).T), ref.walking)
    np.testing.assert_allclose(np.minimum(got_back, direct), mins[ok], rtol=1e-9)
    # pairs, incl. both ends on the same stretch of one line
    line0 = shapely.get_coordinates(r.geometry.iloc[int(np.argmax(
        shapely.get_num_coordinates(r.geometry.values)))])
    a = np.vstack([fac, verts[:10] + 1.0, line0[1:-2] + 2.0, line0[2:-1]])
    b = np.vstack([pts[: len(fac)], verts[:10] + np.array([5.0, -4.0]), line0[2:-1] - 2.0,
                   line0[1:-2]])
    np.testing.assert_allclose(pair_minutes(g, a, b), ref.pairs(a, b), rtol=1e-9)


def test_point_near_the_middle_of_a_long_line_joins_it_there():
    r = gpd.GeoDataFrame(pd.DataFrame([dict(road_class="arteri", crossing_minutes=np.nan),
                                       dict(road_class="ferry", crossing_minutes=30.0)]),
                         geometry=[LineString([km(0, 0), km(10, 0), km(20, 0), km(30, 0)]),
                                   LineString([km(30, 0), km(35, 5), km(40, 0)])], crs=UTM)
    g = build_road_graph(r, UTM, RULES)
    ref = Reference(r)
    assert g.n_nodes == 3
    fac = np.array([km(20, 0.1)])  # next to an interior vertex: enters the line there
    pts = np.array([km(10, 0.2), km(35, 5.1), km(40, 0), km(29, 0)])
    mins, _ = minutes_to_nearest(g, travel_field(g, fac), pts)
    np.testing.assert_allclose(mins, ref.nearest(fac, pts), rtol=1e-9)
    assert mins[0] == pytest.approx(1.5 + 10 + 3)  # 60 km/h arteri, 100 m + 200 m on foot
    assert mins[1] == pytest.approx(1.5 + 10 + 15 + 1.5)  # half the crossing, by length


def split_roads(roads: gpd.GeoDataFrame, seed: int) -> gpd.GeoDataFrame:
    """The same network with each line cut at some interior vertices into pieces, some pieces
    reversed, rows shuffled: lines meeting end to end at vertices nothing else uses."""
    rng = np.random.default_rng(seed)
    rows, geoms = [], []
    for rec, geom in zip(roads.drop(columns="geometry").to_dict("records"), roads.geometry,
                         strict=True):
        if geom.geom_type != "LineString" or np.isfinite(rec["crossing_minutes"]):
            rows.append(rec)  # a crossing time belongs to the whole leg: never cut
            geoms.append(geom)
            continue
        c = shapely.get_coordinates(geom)
        inner = np.arange(1, len(c) - 1)
        cuts = np.sort(rng.choice(inner, size=min(len(inner), int(rng.integers(0, 4))),
                                  replace=False)) if len(inner) else np.zeros(0, int)
        bounds = [0, *cuts.tolist(), len(c) - 1]
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            piece = c[lo:hi + 1]
            rows.append(rec)
            geoms.append(LineString(piece[::-1] if rng.random() < 0.5 else piece))
    order = rng.permutation(len(rows))
    return gpd.GeoDataFrame(pd.DataFrame([rows[i] for i in order]),
                            geometry=[geoms[i] for i in order], crs=roads.crs)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_lines_joined_end_to_end_become_one_chain(seed):
    whole = random_roads(seed)
    r = split_roads(whole, seed)
    assert len(r) > len(whole) + 10
    g = build_road_graph(r, UTM, RULES)
    g_whole = build_road_graph(whole, UTM, RULES)
    assert g.n_nodes == g_whole.n_nodes  # the cut points are no graph nodes
    assert len(g.edge_u) == len(g_whole.edge_u)
    ref = Reference(whole)
    rng = np.random.default_rng(seed + 7)
    verts = ref.xy[rng.choice(len(ref.xy), 60, replace=False)]
    fac = np.vstack([rand_pts(rng, 4), verts[:6] + 2.0])
    pts = np.vstack([rand_pts(rng, 100), verts + rng.normal(0, 15, verts.shape)])
    mins, idx = minutes_to_nearest(g, travel_field(g, fac), pts)
    want = ref.nearest(fac, pts)
    np.testing.assert_allclose(mins, np.where(np.isfinite(want), want, np.nan), rtol=1e-9)
    a, b = np.vstack([fac, verts[:20]]), np.vstack([pts[:10], verts[20:40]])
    np.testing.assert_allclose(pair_minutes(g, a, b), ref.pairs(a, b), rtol=1e-9)


def test_a_ring_of_lines_without_junctions_keeps_its_nodes():
    ring = [km(0, 0), km(10, 0), km(10, 10), km(0, 10)]
    r = gpd.GeoDataFrame(pd.DataFrame([dict(road_class="lokal", crossing_minutes=np.nan)] * 4),
                         geometry=[LineString([ring[i], ring[(i + 1) % 4]]) for i in range(4)],
                         crs=UTM)
    g = build_road_graph(r, UTM, RULES)
    ref = Reference(r)
    assert g.n_nodes == 4
    fac = np.array([km(5, 0.05)])
    pts = np.array([km(10, 10.1), km(0, 5), km(9, 0)])
    mins, _ = minutes_to_nearest(g, travel_field(g, fac), pts)
    np.testing.assert_allclose(mins, ref.nearest(fac, pts), rtol=1e-9)


def test_lines_of_different_classes_do_not_chain():
    r = gpd.GeoDataFrame(pd.DataFrame([dict(road_class="arteri", crossing_minutes=np.nan),
                                       dict(road_class="lokal", crossing_minutes=np.nan),
                                       dict(road_class="lokal", crossing_minutes=np.nan)]),
                         geometry=[LineString([km(0, 0), km(10, 0)]),
                                   LineString([km(20, 0), km(10, 0)]),
                                   LineString([km(20, 0), km(30, 0), km(40, 0)])], crs=UTM)
    g = build_road_graph(r, UTM, RULES)
    assert g.n_nodes == 3  # 0 km, 10 km (class change) and 40 km; 20 km passes through
    assert sorted(g.edge_class.tolist()) == ["arteri", "lokal"]
    mins, _ = minutes_to_nearest(g, travel_field(g, np.array([km(0, 0)])),
                                 np.array([km(30, 0), km(40, 0)]))
    np.testing.assert_allclose(mins, Reference(r).nearest(np.array([km(0, 0)]),
                                                          np.array([km(30, 0), km(40, 0)])))
