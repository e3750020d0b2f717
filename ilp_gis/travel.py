"""Travel time over the road network (incl. ferry legs), in minutes: the road graph, travel
fields from all facilities of a type, minutes to the nearest and between pairs.  Imports numpy,
scipy, geopandas, shapely, pyproj and ``ilp_gis`` (geo, i18n, rules, speed).
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from ilp_gis.geo import geodesic_steps, in_one_zone, project_xy
from ilp_gis.i18n import register_catalog
from ilp_gis.road_noding import node_at_crossings, node_crossings_on
from ilp_gis.rules import Rules
from ilp_gis.speed.threads import in_background

FERRY = "ferry"
_MIN_EDGE_MIN = 1e-6  # csgraph ignores nothing, but keep every edge strictly positive


@dataclass
class RoadGraph:
    """An undirected road graph in minutes, ready for scipy's Dijkstra.

    Graph nodes are the end points of road lines and their junctions (vertices shared by two
    or more lines); every other vertex lies on exactly one stretch of line between two nodes.
    People and facilities may join a road at ANY vertex (KD-tree over all vertices): an
    interior vertex reaches the graph through the two nodes bounding its stretch, at the
    minutes along the line (:meth:`refine` adds interior vertices as extra nodes when they are
    Dijkstra sources).
    """

    crs: CRS
    nodes: np.ndarray  # (n, 2) UTM coordinates of the nodes
    matrix: sparse.csr_matrix  # (n, n) symmetric, minutes
    tree_source: cKDTree | Future | None  # over all vertices (a Future while it is built)
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_min: np.ndarray
    edge_class: np.ndarray
    walking_kmh: float
    v_node: np.ndarray | None = None  # per vertex: its node, or -1 for an interior vertex
    v_row: np.ndarray | None = None  # per vertex: one coordinate row of it
    row_node: np.ndarray | None = None  # per coordinate row: node of its vertex or -1
    row_a: np.ndarray | None = None  # per row: the row of the node before it on its line
    row_b: np.ndarray | None = None  # per row: the row of the node after it on its line
    cum_min: np.ndarray | None = None  # per row: minutes along its line from the line's start

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def tree(self) -> cKDTree | None:
        """The KD-tree over all road vertices (built beside the graph; waited for here)."""
        if isinstance(self.tree_source, Future):
            self.tree_source = self.tree_source.result()
        return self.tree_source

    def snap(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest road vertex of each point and the walking minutes to it (the last few point
        sets are remembered: the analysis asks for the same points several times).  Turn the
        vertices into graph nodes with :meth:`refine`."""
        xy = np.ascontiguousarray(xy, dtype=float)
        if self.tree is None or len(xy) == 0:
            return np.full(len(xy), -1, dtype=np.int64), np.full(len(xy), np.inf)
        key = (xy.shape, hash(xy.tobytes()))
        cache = self.__dict__.setdefault("_snap_cache", {})
        if key in cache:
            return cache[key]
        dist, idx = self.tree.query(xy, k=1, workers=-1)
        out = (np.asarray(idx, dtype=np.int64), walk_minutes(dist, self.walking_kmh))
        if len(cache) >= 6:
            cache.pop(next(iter(cache)))
        cache[key] = out
        return out

    def refine(self, vertices: np.ndarray) -> Refined:
        """The graph with the interior ``vertices`` (from :meth:`snap`) added as nodes, cutting
        their stretches of line; ``entry`` gives each vertex's node in the refined graph."""
        vertices = np.asarray(vertices, dtype=np.int64)
        n = self.n_nodes
        vn = self.v_node[vertices]
        rows = np.unique(self.v_row[vertices[vn < 0]])
        k = len(rows)
        entry = vn.copy()
        if k:
            entry[vn < 0] = n + np.searchsorted(rows, self.v_row[vertices[vn < 0]])
        if k == 0:
            return Refined(self, self.matrix, rows, entry)
        ra = self.row_a[rows]
        same_prev = np.r_[False, ra[1:] == ra[:-1]]
        last = np.r_[ra[1:] != ra[:-1], True]
        ext = n + np.arange(k)
        left_node = np.where(same_prev, np.r_[0, ext[:-1]], self.row_node[ra])
        left_row = np.where(same_prev, np.r_[0, rows[:-1]], ra)
        rb = self.row_b[rows[last]]
        u = np.concatenate([ext, ext[last]])
        v = np.concatenate([left_node, self.row_node[rb]])
        w = np.concatenate([self.cum_min[rows] - self.cum_min[left_row],
                            self.cum_min[rb] - self.cum_min[rows[last]]])
        w = np.maximum(w, _MIN_EDGE_MIN)
        # A loop stretch with one cut joins the cut twice to the same node: keep the faster.
        a, b = np.minimum(u, v), np.maximum(u, v)
        order = np.lexsort((w, b, a))
        a, b, w = a[order], b[order], w[order]
        keep = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])]
        a, b, w = a[keep], b[keep], w[keep]
        m = self.matrix
        big = sparse.csr_matrix((m.data, m.indices, np.r_[m.indptr, np.full(k, m.indptr[-1])]),
                                shape=(n + k, n + k))
        add = sparse.csr_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n + k, n + k))
        return Refined(self, (big + add).tocsr(), rows, entry)

    def to_networkx(self):
        """The road graph as a networkx Graph (nodes carry x, y; edges minutes and class)."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from((i, {"x": float(x), "y": float(y)}) for i, (x, y) in enumerate(self.nodes))
        g.add_edges_from((int(u), int(v), {"minutes": float(m), "road_class": str(c)})
                         for u, v, m, c in zip(self.edge_u, self.edge_v, self.edge_min,
                                               self.edge_class, strict=False))
        return g


@dataclass
class Refined:
    """A road graph cut at some interior vertices (extra nodes ``n_nodes + j`` at ``rows[j]``)."""

    graph: RoadGraph
    matrix: sparse.csr_matrix
    rows: np.ndarray  # sorted coordinate rows of the extra nodes
    entry: np.ndarray  # the refined node of each vertex given to :meth:`RoadGraph.refine`

    def bounds(self, vertices: np.ndarray):
        """For each vertex: the two refined nodes bounding it and the minutes to each along
        its line (a node vertex: itself twice, 0 minutes)."""
        g = self.graph
        vertices = np.asarray(vertices, dtype=np.int64)
        vn = g.v_node[vertices]
        interior = vn < 0
        lo, hi = vn.copy(), vn.copy()
        c_lo = np.zeros(len(vertices))
        c_hi = np.zeros(len(vertices))
        if interior.any():
            r = g.v_row[vertices[interior]]
            ra, rb = g.row_a[r], g.row_b[r]
            n, k, rows = g.n_nodes, len(self.rows), self.rows
            j = np.searchsorted(rows, r, side="right") - 1
            use = j >= 0
            use[use] = g.row_a[rows[j[use]]] == ra[use]
            lrow = np.where(use, rows[np.maximum(j, 0)] if k else ra, ra)
            lnode = np.where(use, n + j, g.row_node[ra])
            j2 = np.searchsorted(rows, r, side="left")
            use2 = j2 < k
            use2[use2] = g.row_a[rows[j2[use2]]] == ra[use2]
            rrow = np.where(use2, rows[np.minimum(j2, k - 1)] if k else rb, rb)
            rnode = np.where(use2, n + j2, g.row_node[rb])
            lo[interior], hi[interior] = lnode, rnode
            c_lo[interior] = g.cum_min[r] - g.cum_min[lrow]
            c_hi[interior] = g.cum_min[rrow] - g.cum_min[r]
        return lo, c_lo, hi, c_hi


def walk_minutes(dist_m, walking_kmh: float) -> np.ndarray:
    dist_m = np.asarray(dist_m, dtype=float)
    if walking_kmh <= 0:
        return np.where(dist_m > 0, np.inf, 0.0)
    return dist_m / 1000.0 / walking_kmh * 60.0


def build_road_graph(roads: gpd.GeoDataFrame, crs: CRS, rules: Rules) -> RoadGraph | None:
    """Build the road graph of ``roads`` in ``crs`` (metric); None when there are no roads.

    The road layer's vertices are snapped by rounding to 1 m in the data's UTM zone; lines that
    share a vertex meet there, lines that merely cross without a shared vertex (a bridge over a
    road) are not connected unless the rule ``roads.node_at_crossings`` is 1
    (``ilp_gis.road_noding``).  The Dijkstra graph's nodes are the line ends and junctions (vertices
    used more than once); an edge runs along each stretch of line between two nodes.  Lines that
    meet end to end at a vertex nothing else uses (same road class, both timed) are walked as one
    chain, so such a pass-through vertex is no node either (half the nodes of the national sample).
    Every other vertex stays reachable: a person or facility joins the road at its nearest vertex
    (KD-tree over all vertices), which reaches the graph through the two nodes bounding its stretch
    at the minutes along the line (:meth:`RoadGraph.refine` cuts stretches at source vertices), so
    the times equal those of a graph with every vertex a node.  Segment minutes come from the
    road-class speeds of the rules (``speed.*``); a ferry leg (``road_class == "ferry"``) takes its
    ``crossing_minutes`` when given (shared over its segments by length), else its length at
    ``speed.ferry``.  People and facilities reach the network on foot (``speed.walking``) in a
    straight line to the nearest road vertex.
    """
    walking = float(rules.value("speed.walking", 4.0))
    if roads is None or len(roads) == 0:
        return None
    if node_crossings_on(rules):  # a layer drawn without shared vertices at its junctions
        roads, _added = node_at_crossings(roads)
    usable = (roads.geometry.notna() & ~roads.geometry.is_empty).to_numpy()
    r = roads if usable.all() else roads[usable]
    if len(r) == 0:
        return None
    geoms = np.asarray(r.geometry.values, dtype=object)
    types = shapely.get_type_id(geoms)
    single = (types == 1) | ((types == 5) & (shapely.get_num_geometries(geoms) == 1))
    if single.all():  # LineStrings, or MultiLineStrings of one line: the same coordinates,
        parts, part_idx = geoms, np.arange(len(geoms))  # no need to split them into parts
    else:
        parts, part_idx = shapely.get_parts(geoms, return_index=True)
        lines = shapely.get_type_id(parts) == 1
        parts, part_idx = parts[lines], part_idx[lines]
    if len(parts) == 0:
        return None
    # Only these columns are read from here on: the frame (and, once the caller let go of
    # it, its line geometries) goes as soon as the coordinates are out (peak memory).
    src_crs = r.crs
    road_class = r["road_class"]
    crossing_given = r["crossing_minutes"] if "crossing_minutes" in r.columns else None
    del roads, r, usable, types, single
    # Vertices of every line, snapped to 1 m.  Graph nodes: line ends, vertices used more than
    # once (junctions of lines, a line crossing itself) and the vertices of lines without a
    # usable speed; an edge runs along each stretch of line between consecutive nodes.  Only
    # coordinates are projected.
    coords, coord_idx = shapely.get_coordinates(parts, return_index=True)
    n_parts = len(parts)
    del geoms, parts
    given = coords
    coords = project_xy(coords, src_crs, crs)
    rounded = np.round(coords).astype(np.int64)
    n_rows = len(coords)
    brk = coord_idx[1:] != coord_idx[:-1]
    first = np.r_[True, brk]
    last = np.r_[brk, True]
    if in_one_zone(crs, coords):
        step = np.r_[0.0, np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))]
    else:  # roads across UTM zones: each segment's geodesic length, not the centre zone's
        ll = given if src_crs is not None and CRS(src_crs).is_geographic else \
            project_xy(coords, crs, "EPSG:4326")
        # only the segments within a line: a line's first row steps from another line
        # (its length is set to 0 below; a quarter of the national rows, and long ones)
        inner = np.flatnonzero(~first)
        step = np.zeros(n_rows)
        step[inner] = geodesic_steps(ll, inner)
        del ll, inner
    del coords, given  # before the sort of the vertex keys (its peak memory)
    key = rounded[:, 0] * 20_000_000 + rounded[:, 1]
    # np.unique's sort beats pandas' hash factorize on millions of int64 keys.
    uniq_keys, v_first, vinv = np.unique(key, return_index=True, return_inverse=True)
    vinv = vinv.reshape(-1)
    nv = len(uniq_keys)
    del key, uniq_keys  # the large temporaries go as soon as they are used (peak memory:
    # the graph is built beside the preparation of the boundaries and facilities)
    vxy = rounded[v_first].astype(float)
    del v_first
    # The KD-tree over all vertices is built on the second core while the graph is made.
    tree = in_background(lambda: cKDTree(vxy, balanced_tree=False, compact_nodes=False))
    step[first] = 0.0
    # Minutes per segment (row i: the segment from row i-1 to row i of the same line).
    # Road classes: normalize the few distinct values, not every row.
    codes, uniques = pd.factorize(road_class, use_na_sentinel=True)
    names = np.array([str(c).strip().lower() for c in uniques] + [""], dtype=object)
    part_cls = np.where(codes < 0, len(uniques), codes)[part_idx]
    speeds = rules.group("speed")
    default_speed = float(speeds.get("default", 20.0))
    kmh_of = np.array([speeds.get(n, default_speed) if n not in ("walking", "default")
                       else default_speed for n in names], dtype=float)
    kmh_of = np.where(kmh_of > 0, kmh_of, np.nan)
    part_kmh = kmh_of[part_cls]
    minutes = step / 1000.0 / part_kmh[coord_idx] * 60.0
    part_ferry = names[part_cls] == FERRY
    if crossing_given is not None:
        crossing = pd.to_numeric(crossing_given, errors="coerce").to_numpy(float)
        crossing = crossing[part_idx]
        use = (part_ferry & np.isfinite(crossing))[coord_idx] & ~first
        # A crossing time belongs to the whole leg: share it over the leg's segments by length.
        part_len = np.bincount(coord_idx, weights=step, minlength=n_parts)
        plen = part_len[coord_idx]
        share = np.where(plen > 0, step / np.maximum(plen, 1e-9), 1.0)
        minutes = np.where(use, crossing[coord_idx] * share, minutes)
        del crossing, use, part_len, plen, share
    # A line's segments are all timed or all untimed (speed and crossing are per line).
    part_ok = np.ones(n_parts, dtype=bool)
    bad = ~np.isfinite(minutes) & ~first
    part_ok[coord_idx[bad]] = False
    row_ok = part_ok[coord_idx]
    same_v = np.r_[False, vinv[1:] == vinv[:-1]]  # a segment within one 1 m vertex: none
    seg_min = np.where(first | same_v | ~row_ok, 0.0, np.maximum(minutes, _MIN_EDGE_MIN))
    del step, minutes, bad, same_v
    count = np.bincount(vinv, minlength=nv)
    # Lines meeting end to end at a vertex nothing else uses (same class, both timed) form one
    # chain: the rows are reordered so each chain's lines follow each other in one direction,
    # and such a pass-through vertex is no graph node (Dijkstra runs on far fewer nodes).
    perm, flip, chain, pass_v = _chains(vinv, coord_idx, first, last, count, part_ok, part_cls)
    seg_next = np.r_[seg_min[1:], 0.0]
    seg_next[last] = 0.0  # a reversed line: row i's segment now leads to row i + 1
    seg_min = np.where(flip, seg_next[perm], seg_min[perm])
    del seg_next, flip
    vinv, coord_idx, rounded, row_ok = vinv[perm], coord_idx[perm], rounded[perm], row_ok[perm]
    brk = chain[1:] != chain[:-1]
    first, last = np.r_[True, brk], np.r_[brk, True]  # now: chain ends
    cum_min = np.cumsum(seg_min)
    # Nodes.
    v_is_node = (count >= 2) & ~pass_v
    v_is_node[vinv[first | last | ~row_ok]] = True
    v_node = np.full(nv, -1, dtype=np.int64)
    node_v = np.nonzero(v_is_node)[0]
    # Node numbering by first appearance along the lines.
    row_is_node = v_is_node[vinv]
    npos = np.nonzero(row_is_node)[0]
    node_id, uniq_nodes = pd.factorize(vinv[npos])
    n = len(uniq_nodes)
    v_node[uniq_nodes] = np.arange(n)
    node_xy = np.zeros((n, 2))
    node_xy[node_id] = rounded[npos].astype(float)
    row_node = v_node[vinv]
    idx = np.arange(n_rows)
    row_a = np.maximum.accumulate(np.where(row_is_node, idx, -1))
    row_b = np.minimum.accumulate(np.where(row_is_node, idx, n_rows)[::-1])[::-1]
    v_row = np.zeros(nv, dtype=np.int64)
    v_row[vinv] = idx
    # Edges along the stretches between consecutive nodes of a chain.
    same = chain[npos[1:]] == chain[npos[:-1]]
    same &= part_ok[coord_idx[npos[1:]]]
    u = node_id[:-1][same]
    v = node_id[1:][same]
    minutes = (cum_min[npos[1:]] - cum_min[npos[:-1]])[same]
    cls = names[part_cls[coord_idx[npos[1:]]]][same]
    keep = u != v
    u, v, minutes, cls = u[keep], v[keep], np.maximum(minutes[keep], _MIN_EDGE_MIN), cls[keep]
    # Parallel stretches: keep the fastest (a sparse matrix would add them up).
    a = np.minimum(u, v)
    b = np.maximum(u, v)
    pair_key = a.astype(np.int64) * n + b
    order = np.argsort(pair_key, kind="stable")
    a, b, minutes, cls, pair_key = a[order], b[order], minutes[order], cls[order], pair_key[order]
    dup = np.flatnonzero(pair_key[1:] == pair_key[:-1])
    if len(dup):  # the few parallel stretches: the fastest of each pair of nodes first
        rows = np.unique(np.r_[dup, dup + 1])
        sub = rows[np.lexsort((minutes[rows], pair_key[rows]))]
        for arr in (a, b, minutes, cls, pair_key):
            arr[rows] = arr[sub]
    first = np.r_[True, pair_key[1:] != pair_key[:-1]]
    a, b, minutes, cls = a[first], b[first], minutes[first], cls[first]
    mat = sparse.csr_matrix((np.concatenate([minutes, minutes]),
                             (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n))
    del node_v
    return RoadGraph(crs=CRS(crs), nodes=node_xy, matrix=mat, tree_source=tree,
                     edge_u=a, edge_v=b, edge_min=minutes, edge_class=cls,
                     walking_kmh=walking, v_node=v_node, v_row=v_row, row_node=row_node,
                     row_a=row_a, row_b=row_b, cum_min=cum_min)


def _chains(vinv, line_of_row, first, last, count, line_ok, line_cls):
    """Order the coordinate rows into chains of lines joined end to end.

    A pass-through vertex is used exactly twice, by the end rows of two different timed lines
    of the same class.  Returns ``perm`` (the new row order), ``flip`` (per new row: its line is
    walked backwards), ``chain`` (per new row: its chain id, chains contiguous) and ``pass_v``
    (per vertex: a pass-through vertex).  Chains closed into a ring keep their vertices as nodes.
    """
    n_lines = int(line_of_row[-1]) + 1 if len(line_of_row) else 0
    nv = len(count)
    pass_v = np.zeros(nv, dtype=bool)
    end_rows = np.flatnonzero(first | last)
    cand = end_rows[count[vinv[end_rows]] == 2]
    order = np.argsort(vinv[cand], kind="stable")
    cand = cand[order]
    cv = vinv[cand]
    pair = np.flatnonzero(cv[1:] == cv[:-1])
    r1, r2 = cand[pair], cand[pair + 1]
    l1, l2 = line_of_row[r1], line_of_row[r2]
    ok = (l1 != l2) & line_ok[l1] & line_ok[l2] & (line_cls[l1] == line_cls[l2])
    r1, r2, l1, l2 = r1[ok], r2[ok], l1[ok], l2[ok]
    # Oriented lines: 2*l walks line l forwards, 2*l + 1 backwards.  Arriving at a pass-through
    # vertex on one line, the walk goes on along the other line, away from the vertex.
    into1 = 2 * l1 + (~last[r1]).astype(np.int64)  # ends at r1's vertex
    into2 = 2 * l2 + (~last[r2]).astype(np.int64)
    out1 = 2 * l1 + (~first[r1]).astype(np.int64)  # starts at r1's vertex
    out2 = 2 * l2 + (~first[r2]).astype(np.int64)
    m = 2 * n_lines
    nxt = np.full(m, -1, dtype=np.int64)
    nxt[into1], nxt[into2] = out2, out1
    # List ranking by pointer jumping: the last oriented line of each walk and how many lines
    # follow.  Walks that never end are rings.
    ptr = np.where(nxt >= 0, nxt, np.arange(m))
    rank = (nxt >= 0).astype(np.int64)
    live = np.flatnonzero(ptr != np.arange(m))
    while len(live):
        nxt_ptr = ptr[ptr[live]]
        rank[live] += rank[ptr[live]]
        ptr[live] = nxt_ptr
        done = ptr[nxt_ptr] == nxt_ptr
        still = live[~done]
        if len(still) == len(live):  # nothing ended in a full round: rings
            break
        live = still
    ring = np.zeros(m, dtype=bool)
    ring[live] = True
    ring_line = ring[0::2] | ring[1::2]
    fwd_end, back_end = ptr[0::2], ptr[1::2]
    fwd_rank, back_rank = rank[0::2], rank[1::2]
    lines = np.arange(n_lines)
    fwd_end = np.where(ring_line, 2 * lines, fwd_end)
    back_end = np.where(ring_line, 2 * lines + 1, back_end)
    # Each chain is walked in the direction ending on the smaller oriented line.
    back = back_end < fwd_end
    key = np.where(back, back_end, fwd_end)
    pos = np.where(ring_line, 0, -np.where(back, back_rank, fwd_rank))
    line_order = np.lexsort((pos, key))
    # Pass-through vertices: those joining two lines of one (non-ring) chain.
    pass_v[vinv[r1[~ring_line[l1]]]] = True
    # Row permutation.
    starts = np.flatnonzero(first)
    lens = np.diff(np.r_[starts, len(first)])
    ln, lb = lens[line_order], back[line_order]
    new_start = np.r_[0, np.cumsum(ln)[:-1]]
    # New row r, the p-th of its line: old row start + p (forwards) or start + len - 1 - p.
    line_start = starts[line_order]
    offset = np.where(lb, line_start + ln - 1 + new_start, line_start - new_start)
    flip = np.repeat(lb, ln)
    rows = np.arange(len(first))
    perm = np.repeat(offset, ln) + np.where(flip, -rows, rows)
    _, chain_of_line = np.unique(key[line_order], return_inverse=True)
    chain = np.repeat(chain_of_line.reshape(-1), ln)
    return perm, flip, chain, pass_v


@dataclass
class TravelField:
    """Minutes from every road node to the nearest facility of one type (and which one)."""

    minutes: np.ndarray  # per refined road node, inf when unreachable
    origin: np.ndarray  # per refined road node: positional index of the nearest facility, -1
    fac_xy: np.ndarray  # facility coordinates (for the direct walk)
    fac_tree: cKDTree | None
    refined: Refined | None = None  # the road graph cut at the facilities' interior vertices

    def nearest_facility(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Straight-line distance to and index of the nearest facility of each point (the
        last few point sets are remembered: coverage and travel time ask for the same)."""
        xy = np.ascontiguousarray(xy, dtype=float)
        key = (xy.shape, hash(xy.tobytes()))
        cache = self.__dict__.setdefault("_near_cache", {})
        if key not in cache:
            if len(cache) >= 4:
                cache.pop(next(iter(cache)))
            cache[key] = self.fac_tree.query(xy, k=1, workers=-1)
        return cache[key]

    def at_vertices(self, vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Minutes from road vertices to the nearest facility, and which facility."""
        lo, c_lo, hi, c_hi = self.refined.bounds(vertices)
        m_lo = c_lo + self.minutes[lo]
        m_hi = c_hi + self.minutes[hi]
        use_hi = m_hi < m_lo
        return np.where(use_hi, m_hi, m_lo), np.where(use_hi, self.origin[hi], self.origin[lo])


def travel_field(graph: RoadGraph, fac_xy: np.ndarray) -> TravelField:
    """One multi-source Dijkstra from all facilities ``fac_xy`` (UTM coordinates).

    Each facility becomes an extra node joined to its road vertex by its walk (directed,
    facility → road; an interior vertex first becomes a node of the refined graph), and
    ``dijkstra(min_only=True, indices=<all facility nodes>)`` returns in one pass the minutes
    to the nearest facility and which facility that is.

    Shortest paths from all facilities of one type at once run as ONE Dijkstra from a super-source
    (``scipy.sparse.csgraph.dijkstra``) whose edges to each facility's road node weigh that
    facility's walk to the road — so a population point's time is the time to its nearest
    facility of that type, whichever it is.  networkx remains the model/export format
    (:meth:`RoadGraph.to_networkx`), never the engine.
    """
    f = len(fac_xy)
    if f == 0:
        n = graph.n_nodes
        return TravelField(np.full(n, np.inf), np.full(n, -1, dtype=np.int64), fac_xy, None,
                           graph.refine(np.zeros(0, dtype=np.int64)))
    vert, walk = graph.snap(fac_xy)
    ref = graph.refine(vert)
    m = ref.matrix
    n = m.shape[0]
    fac_nodes = np.arange(n, n + f, dtype=np.int64)
    # Append one row per facility (its walk to the road) straight into the CSR arrays.
    indptr = np.concatenate([m.indptr, m.indptr[-1] + np.arange(1, f + 1)])
    indices = np.concatenate([m.indices, ref.entry.astype(m.indices.dtype)])
    data = np.concatenate([m.data, np.maximum(walk, _MIN_EDGE_MIN)])
    big = sparse.csr_matrix((data, indices, indptr), shape=(n + f, n + f))
    dist, _pred, src = dijkstra(big, directed=True, indices=fac_nodes, min_only=True,
                                return_predecessors=True)
    origin = np.where(src[:n] >= 0, src[:n] - n, -1).astype(np.int64)
    return TravelField(dist[:n], origin, fac_xy, cKDTree(fac_xy), ref)


def minutes_to_nearest(graph: RoadGraph | None, field: TravelField | None,
                       xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minutes from each point to its nearest facility of the field, and that facility's index.

    The time is the better of walking straight to the nearest facility and walking to the
    nearest road vertex then travelling the network.  NaN / -1 without roads or facilities.
    """
    n = len(xy)
    if graph is None or field is None or field.fac_tree is None or n == 0:
        return np.full(n, np.nan), np.full(n, -1, dtype=np.int64)
    vert, walk = graph.snap(xy)
    road_min, via_fac = field.at_vertices(vert)
    via_road = walk + road_min
    d_direct, i_direct = field.nearest_facility(xy)
    direct = walk_minutes(d_direct, graph.walking_kmh)
    use_direct = direct <= via_road
    minutes = np.where(use_direct, direct, via_road)
    fac = np.where(use_direct, i_direct, via_fac).astype(np.int64)
    minutes = np.where(np.isfinite(minutes), minutes, np.nan)
    return minutes, fac


def pair_minutes(graph: RoadGraph, src_xy: np.ndarray, dst_xy: np.ndarray) -> np.ndarray:
    """Minutes over the road network from ``src_xy[i]`` to ``dst_xy[i]`` (walk to the road,
    road, walk from the road; inf when not connected).  One Dijkstra per distinct source
    vertex: keep the sources few."""
    s_vert, s_walk = graph.snap(src_xy)
    d_vert, d_walk = graph.snap(dst_xy)
    if len(s_vert) == 0:
        return np.zeros(0)
    ref = graph.refine(s_vert)
    uniq, inv = np.unique(ref.entry, return_inverse=True)
    dist = dijkstra(ref.matrix, directed=False, indices=uniq)
    inv = inv.reshape(-1)
    lo, c_lo, hi, c_hi = ref.bounds(d_vert)
    road = np.minimum(dist[inv, lo] + c_lo, dist[inv, hi] + c_hi)
    return road + s_walk + d_walk


register_catalog("ilp_gis", "travel")
