"""Travel time over the road network (incl. ferry legs), in minutes.

The road layer becomes a graph whose nodes are the vertices of every road line, snapped by
rounding to 1 m in the data's UTM zone (lines that share a vertex are connected; lines that
merely cross, like a bridge over a road, are not).
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
        """Nearest road node of each point and the walking minutes to it."""
        if self.tree is None or len(xy) == 0:
            return np.full(len(xy), -1, dtype=np.int64), np.full(len(xy), np.inf)
        dist, idx = self.tree.query(xy, k=1)
        return np.asarray(idx, dtype=np.int64), walk_minutes(dist, self.walking_kmh)

    def to_networkx(self):
        """The road graph as a networkx Graph (nodes carry x, y; edges minutes and class)."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from((i, {"x": float(x), "y": float(y)}) for i, (x, y) in enumerate(self.nodes))
        g.add_edges_from((int(u), int(v), {"minutes": float(m), "road_class": str(c)})
                         for u, v, m, c in zip(self.edge_u, self.edge_v, self.edge_min,
                                               self.edge_class, strict=False))
        return g


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
    r = r.to_crs(crs)
    geoms = np.asarray(r.geometry.values, dtype=object)
    parts, part_idx = shapely.get_parts(geoms, return_index=True)
    lines = shapely.get_type_id(parts) == 1  # LineString (2 = LinearRing also fine)
    parts, part_idx = parts[lines], part_idx[lines]
    if len(parts) == 0:
        return None
    # Every vertex is a node; consecutive vertices of a line make an edge.
    coords, coord_idx = shapely.get_coordinates(parts, return_index=True)
    same = coord_idx[1:] == coord_idx[:-1]
    p0 = coords[:-1][same]
    p1 = coords[1:][same]
    seg_part = coord_idx[:-1][same]
    length_m = np.hypot(p1[:, 0] - p0[:, 0], p1[:, 1] - p0[:, 1])
    # Snap to 1 m and number the nodes.
    both = np.round(np.vstack([p0, p1])).astype(np.int64)
    key = both[:, 0] * 20_000_000 + both[:, 1]
    uniq, inv = np.unique(key, return_inverse=True)
    n = len(uniq)
    node_xy = np.column_stack([uniq // 20_000_000, uniq % 20_000_000]).astype(float)
    u = inv[: len(p0)]
    v = inv[len(p0):]
    # Minutes per segment.
    cls = r["road_class"].astype(object).where(r["road_class"].notna(), "")
    cls = cls.astype(str).str.strip().str.lower().to_numpy()[part_idx][seg_part]
    speeds = rules.group("speed")
    default_speed = float(speeds.get("default", 20.0))
    kmh = pd.Series(cls).map(speeds).fillna(default_speed).to_numpy(dtype=float)
    kmh = np.where(kmh > 0, kmh, np.nan)
    minutes = length_m / 1000.0 / kmh * 60.0
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
    order = np.lexsort((minutes, b, a))
    a, b, minutes, cls = a[order], b[order], minutes[order], cls[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    a, b, minutes, cls = a[first], b[first], minutes[first], cls[first]
    mat = sparse.csr_matrix((np.concatenate([minutes, minutes]),
                             (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n))
    return RoadGraph(crs=CRS(crs), nodes=node_xy, matrix=mat, tree=cKDTree(node_xy),
                     edge_u=a, edge_v=b, edge_min=minutes, edge_class=cls,
                     walking_kmh=walking)


@dataclass
class TravelField:
    """Minutes from every road node to the nearest facility of one type (and which one)."""

    minutes: np.ndarray  # per road node, inf when unreachable
    origin: np.ndarray  # per road node: positional index of the nearest facility, -1 if none
    fac_xy: np.ndarray  # facility coordinates (for the direct walk)
    fac_tree: cKDTree | None


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
    m = graph.matrix.tocoo()
    rows = np.concatenate([m.row, fac_nodes])
    cols = np.concatenate([m.col, node])
    data = np.concatenate([m.data, np.maximum(walk, _MIN_EDGE_MIN)])
    big = sparse.csr_matrix((data, (rows, cols)), shape=(n + f, n + f))
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
    d_direct, i_direct = field.fac_tree.query(xy, k=1)
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
