"""Travel time over the road network (incl. ferry legs), in minutes.

The road layer becomes a graph whose nodes are the vertices of every road line (so a
person can join a long road anywhere along it, and two lines that share a vertex meet there),
snapped by rounding to 1 m in the data's UTM zone; lines that merely cross without a shared
vertex (a bridge over a road) are not connected.  An edge runs between consecutive vertices.
Edge minutes come from the road-class speeds of the rules (``speed.*``); a ferry leg
(``road_class == "ferry"``) takes its ``crossing_minutes`` when given, else its length at
``speed.ferry``.  People and facilities reach the network on foot (``speed.walking``) in a
straight line to the nearest road node.

Shortest paths from all facilities of one type at once run as ONE Dijkstra from a super-source
(``scipy.sparse.csgraph.dijkstra``) whose edges to each facility's road node weigh that
facility's walk to the road — so a population point's time is the time to its nearest
facility of that type, whichever it is.  networkx remains the model/export format
(:meth:`RoadGraph.to_networkx`), never the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from ilp_gis.i18n import register
from ilp_gis.rules import Rules

FERRY = "ferry"
_MIN_EDGE_MIN = 1e-6  # csgraph ignores nothing, but keep every edge strictly positive


@dataclass
class RoadGraph:
    """An undirected road graph in minutes, ready for scipy's Dijkstra."""

    crs: CRS
    nodes: np.ndarray  # (n, 2) UTM coordinates of the nodes
    matrix: sparse.csr_matrix  # (n, n) symmetric, minutes
    tree: cKDTree | None
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_min: np.ndarray
    edge_class: np.ndarray
    walking_kmh: float

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    def snap(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest road node of each point and the walking minutes to it (the last few point
        sets are remembered: the analysis asks for the same points several times)."""
        xy = np.ascontiguousarray(xy, dtype=float)
        if self.tree is None or len(xy) == 0:
            return np.full(len(xy), -1, dtype=np.int64), np.full(len(xy), np.inf)
        key = (xy.shape, hash(xy.tobytes()))
        cache = self.__dict__.setdefault("_snap_cache", {})
        if key in cache:
            return cache[key]
        dist, idx = self.tree.query(xy, k=1)
        out = (np.asarray(idx, dtype=np.int64), walk_minutes(dist, self.walking_kmh))
        if len(cache) >= 6:
            cache.pop(next(iter(cache)))
        cache[key] = out
        return out

    def to_networkx(self):
        """The road graph as a networkx Graph (nodes carry x, y; edges minutes and class)."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from((i, {"x": float(x), "y": float(y)}) for i, (x, y) in enumerate(self.nodes))
        g.add_edges_from((int(u), int(v), {"minutes": float(m), "road_class": str(c)})
                         for u, v, m, c in zip(self.edge_u, self.edge_v, self.edge_min,
                                               self.edge_class, strict=False))
        return g


def _project_xy(xy: np.ndarray, src, dst) -> np.ndarray:
    from pyproj import Transformer

    if src is None or CRS(src).equals(CRS(dst)):
        return xy
    t = Transformer.from_crs(CRS(src), CRS(dst), always_xy=True)
    x, y = t.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def walk_minutes(dist_m, walking_kmh: float) -> np.ndarray:
    dist_m = np.asarray(dist_m, dtype=float)
    if walking_kmh <= 0:
        return np.where(dist_m > 0, np.inf, 0.0)
    return dist_m / 1000.0 / walking_kmh * 60.0


def build_road_graph(roads: gpd.GeoDataFrame, crs: CRS, rules: Rules) -> RoadGraph | None:
    """Build the road graph of ``roads`` in ``crs`` (metric); None when there are no roads."""
    walking = float(rules.value("speed.walking", 4.0))
    if roads is None or len(roads) == 0:
        return None
    r = roads[roads.geometry.notna() & ~roads.geometry.is_empty]
    if len(r) == 0:
        return None
    geoms = np.asarray(r.geometry.values, dtype=object)
    types = shapely.get_type_id(geoms)
    if (types == 1).all():  # plain LineStrings: no need to split multi-part lines
        parts, part_idx = geoms, np.arange(len(geoms))
    else:
        parts, part_idx = shapely.get_parts(geoms, return_index=True)
        lines = shapely.get_type_id(parts) == 1
        parts, part_idx = parts[lines], part_idx[lines]
    if len(parts) == 0:
        return None
    # Nodes: every vertex of every line, snapped to 1 m (shared vertices are junctions); an edge
    # runs between consecutive vertices of a line.  Only coordinates are projected.
    coords, coord_idx = shapely.get_coordinates(parts, return_index=True)
    coords = _project_xy(coords, r.crs, crs)
    rounded = np.round(coords).astype(np.int64)
    key = rounded[:, 0] * 20_000_000 + rounded[:, 1]
    # Vertex labels (sorted keys; the node numbering below is by first appearance anyway).
    # np.unique's sort beats pandas' hash factorize on millions of int64 keys.
    uniq_keys, vinv = np.unique(key, return_inverse=True)
    brk = coord_idx[1:] != coord_idx[:-1]
    first = np.r_[True, brk]
    # Every vertex is a node: people walk to the nearest point of a road, not to its far end.
    is_node = np.ones(len(coords), dtype=bool)
    step = np.r_[0.0, np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))]
    step[first] = 0.0
    cum = np.cumsum(step)
    npos = np.nonzero(is_node)[0]
    node_id, uniq_nodes = pd.factorize(vinv[npos])
    n = len(uniq_nodes)
    node_xy = np.zeros((n, 2))
    node_xy[node_id] = rounded[npos].astype(float)
    same = coord_idx[npos[1:]] == coord_idx[npos[:-1]]
    u = node_id[:-1][same]
    v = node_id[1:][same]
    length_m = (cum[npos[1:]] - cum[npos[:-1]])[same]
    seg_part = coord_idx[npos[:-1]][same]
    # Minutes per segment.
    # Road classes: normalise the few distinct values, not every row.
    codes, uniques = pd.factorize(r["road_class"], use_na_sentinel=True)
    names = np.array([str(c).strip().lower() for c in uniques] + [""], dtype=object)
    cls_code = np.where(codes < 0, len(uniques), codes)[part_idx][seg_part]
    speeds = rules.group("speed")
    default_speed = float(speeds.get("default", 20.0))
    kmh_of = np.array([speeds.get(n, default_speed) if n not in ("walking", "default")
                       else default_speed for n in names], dtype=float)
    kmh = kmh_of[cls_code]
    kmh = np.where(kmh > 0, kmh, np.nan)
    minutes = length_m / 1000.0 / kmh * 60.0
    cls = names[cls_code]
    ferry = cls == FERRY
    if "crossing_minutes" in r.columns:
        crossing = pd.to_numeric(r["crossing_minutes"], errors="coerce").to_numpy(float)
        crossing = crossing[part_idx][seg_part]
        use = ferry & np.isfinite(crossing)
        # A crossing time belongs to the whole leg: share it over the leg's segments by length.
        part_len = np.bincount(seg_part, weights=length_m, minlength=len(parts))
        share = np.where(part_len[seg_part] > 0, length_m / np.maximum(part_len[seg_part], 1e-9),
                         1.0)
        minutes = np.where(use, crossing * share, minutes)
    keep = (u != v) & np.isfinite(minutes)
    u, v, minutes, cls = u[keep], v[keep], np.maximum(minutes[keep], _MIN_EDGE_MIN), cls[keep]
    # Parallel segments: keep the fastest (a sparse matrix would add them up).
    a = np.minimum(u, v)
    b = np.maximum(u, v)
    order = np.lexsort((minutes, a.astype(np.int64) * n + b))  # = lexsort((minutes, b, a))
    a, b, minutes, cls = a[order], b[order], minutes[order], cls[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    a, b, minutes, cls = a[first], b[first], minutes[first], cls[first]
    mat = sparse.csr_matrix((np.concatenate([minutes, minutes]),
                             (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n))
    tree = cKDTree(node_xy, balanced_tree=False, compact_nodes=False)
    return RoadGraph(crs=CRS(crs), nodes=node_xy, matrix=mat, tree=tree,
                     edge_u=a, edge_v=b, edge_min=minutes, edge_class=cls,
                     walking_kmh=walking)


@dataclass
class TravelField:
    """Minutes from every road node to the nearest facility of one type (and which one)."""

    minutes: np.ndarray  # per road node, inf when unreachable
    origin: np.ndarray  # per road node: positional index of the nearest facility, -1 if none
    fac_xy: np.ndarray  # facility coordinates (for the direct walk)
    fac_tree: cKDTree | None

    def nearest_facility(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Straight-line distance to and index of the nearest facility of each point (the
        last few point sets are remembered: coverage and travel time ask for the same)."""
        xy = np.ascontiguousarray(xy, dtype=float)
        key = (xy.shape, hash(xy.tobytes()))
        cache = self.__dict__.setdefault("_near_cache", {})
        if key not in cache:
            if len(cache) >= 4:
                cache.pop(next(iter(cache)))
            cache[key] = self.fac_tree.query(xy, k=1)
        return cache[key]


def travel_field(graph: RoadGraph, fac_xy: np.ndarray) -> TravelField:
    """One multi-source Dijkstra from all facilities ``fac_xy`` (UTM coordinates).

    Each facility becomes an extra node joined to its nearest road node by its walk (directed,
    facility → road), and ``dijkstra(min_only=True, indices=<all facility nodes>)`` returns in
    one pass the minutes to the nearest facility and which facility that is.
    """
    n = graph.n_nodes
    f = len(fac_xy)
    if f == 0:
        return TravelField(np.full(n, np.inf), np.full(n, -1, dtype=np.int64), fac_xy, None)
    node, walk = graph.snap(fac_xy)
    fac_nodes = np.arange(n, n + f, dtype=np.int64)
    m = graph.matrix
    # Append one row per facility (its walk to the road) straight into the CSR arrays.
    indptr = np.concatenate([m.indptr, m.indptr[-1] + np.arange(1, f + 1)])
    indices = np.concatenate([m.indices, node.astype(m.indices.dtype)])
    data = np.concatenate([m.data, np.maximum(walk, _MIN_EDGE_MIN)])
    big = sparse.csr_matrix((data, indices, indptr), shape=(n + f, n + f))
    dist, _pred, src = dijkstra(big, directed=True, indices=fac_nodes, min_only=True,
                                return_predecessors=True)
    origin = np.where(src[:n] >= 0, src[:n] - n, -1).astype(np.int64)
    return TravelField(dist[:n], origin, fac_xy, cKDTree(fac_xy))


def minutes_to_nearest(graph: RoadGraph | None, field: TravelField | None,
                       xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minutes from each point to its nearest facility of the field, and that facility's index.

    The time is the better of walking straight to the nearest facility and walking to the
    nearest road node then travelling the network.  NaN / -1 without roads or facilities.
    """
    n = len(xy)
    if graph is None or field is None or field.fac_tree is None or n == 0:
        return np.full(n, np.nan), np.full(n, -1, dtype=np.int64)
    node, walk = graph.snap(xy)
    via_road = walk + field.minutes[node]
    via_fac = field.origin[node]
    d_direct, i_direct = field.nearest_facility(xy)
    direct = walk_minutes(d_direct, graph.walking_kmh)
    use_direct = direct <= via_road
    minutes = np.where(use_direct, direct, via_road)
    fac = np.where(use_direct, i_direct, via_fac).astype(np.int64)
    minutes = np.where(np.isfinite(minutes), minutes, np.nan)
    return minutes, fac


register({
    "travel.no_roads": ("Tidak ada lapisan jalan: waktu tempuh tidak dihitung.",
                        "No roads layer: travel times were not computed."),
})
