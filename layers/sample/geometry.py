"""Synthetic geometry of the sample in a local metric frame (metres around a district centre):
outlines, coastline, desa cells, random points, spanning trees, and the step to WGS 84.

Imports numpy, scipy and shapely only; nothing of the project.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import Delaunay, cKDTree


def radial_outline(rng: np.random.Generator, cx: float, cy: float, radius: float,
                   n: int = 240, roughness: float = 1.0) -> shapely.Polygon:
    """A natural-looking closed outline: a circle perturbed by random harmonics."""
    theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 24):
        amp = roughness * (0.22 / k ** 1.15) * rng.uniform(0.4, 1.0)
        r += amp * np.sin(k * theta + rng.uniform(0, 2 * np.pi))
    r = np.clip(r, 0.45, None) * radius
    xy = np.column_stack([cx + r * np.cos(theta), cy + r * np.sin(theta)])
    poly = shapely.Polygon(xy)
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
        if poly.geom_type != "Polygon":
            poly = max(shapely.get_parts(poly), key=lambda g: g.area if g.geom_type == "Polygon"
                       else 0.0)
    return poly


def coast_cut(rng: np.random.Generator, outline: shapely.Polygon, radius: float):
    """Split ``outline`` by a noisy east-west coastline: returns (land, sea-side function)."""
    minx, miny, maxx, maxy = outline.bounds
    xs = np.linspace(minx - 1000, maxx + 1000, 400)
    base = miny + 0.32 * (maxy - miny)
    y = np.full_like(xs, base)
    for k in range(1, 30):
        amp = radius * 0.16 / k ** 1.2 * rng.uniform(0.3, 1.0)
        y += amp * np.sin(2 * np.pi * k * (xs - minx) / (maxx - minx + 2000)
                          + rng.uniform(0, 2 * np.pi))
    upper = shapely.Polygon(np.vstack([np.column_stack([xs, y]),
                                       [[xs[-1], maxy + 5000], [xs[0], maxy + 5000]]]))
    land = shapely.intersection(outline, upper)
    if land.geom_type != "Polygon":  # keep the main body; tiny capes cut off drop out
        land = max(shapely.get_parts(land), key=lambda g: g.area)

    def coast_y(x):
        return np.interp(x, xs, y)

    return land, coast_y


def jittered_seeds(rng: np.random.Generator, poly, n: int) -> np.ndarray:
    """About ``n`` well-spread random points inside ``poly`` (jittered grid)."""
    minx, miny, maxx, maxy = poly.bounds
    spacing = math.sqrt(poly.area / max(n, 1))
    best = None
    for _ in range(6):  # adjust the spacing until the count is close to n
        gx = np.arange(minx + spacing / 2, maxx, spacing)
        gy = np.arange(miny + spacing / 2, maxy, spacing * 0.866)
        xx, yy = np.meshgrid(gx, gy)
        xx = xx + (np.arange(len(gy))[:, None] % 2) * spacing / 2  # hexagonal rows
        pts = np.column_stack([xx.ravel(), yy.ravel()])
        pts += rng.uniform(-0.38, 0.38, pts.shape) * spacing
        inside = shapely.contains_xy(poly, pts[:, 0], pts[:, 1])
        pts = pts[inside]
        if best is None or abs(len(pts) - n) < abs(len(best) - n):
            best = pts
        if abs(len(pts) - n) <= max(2, n // 50):
            break
        spacing *= math.sqrt(len(pts) / max(n, 1)) if len(pts) else 0.8
    pts = best
    if len(pts) > n:  # drop random extras
        pts = pts[np.sort(rng.choice(len(pts), n, replace=False))]
    elif len(pts) < n:  # add random points inside
        extra = []
        while len(extra) < n - len(pts):
            cand = rng.uniform([minx, miny], [maxx, maxy], (64, 2))
            ok = shapely.contains_xy(poly, cand[:, 0], cand[:, 1])
            extra.extend(cand[ok].tolist())
        pts = np.vstack([pts, np.array(extra[: n - len(pts)])])
    return pts


def distance_along(coords: np.ndarray, idx: np.ndarray, n: int):
    """For the vertices ``coords`` of ``n`` lines (``idx``: the line of each vertex, grouped by
    line): the vertex count and first vertex of each line, and each vertex's distance along
    its line."""
    counts = np.bincount(idx, minlength=n)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    seg = np.zeros(len(coords))
    seg[1:] = np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))
    seg[starts] = 0.0
    cum = np.cumsum(seg)
    cum -= np.repeat(cum[starts], counts)
    return counts, starts, cum


def wiggle_lines(rng: np.random.Generator, lines: np.ndarray, step: float, amp: float,
                 max_amp: float | None = None) -> np.ndarray:
    """Replace straight lines by gently meandering ones with the same end points.

    Vectorised: every line is densified to ``step`` and each interior vertex shifted sideways
    by a smooth random curve (two sines under a sin(pi t) envelope, amplitude ``amp`` × length,
    capped at ``max_amp`` metres).  The same line always gets the same wiggle from the same
    random state, so both neighbours of a shared border see the same edge.
    """
    if len(lines) == 0:
        return lines
    dense = shapely.segmentize(lines, step)
    coords, idx = shapely.get_coordinates(dense, return_index=True)
    n = len(lines)
    counts, starts, cum = distance_along(coords, idx, n)
    length = np.repeat(cum[starts + counts - 1], counts)
    t = np.divide(cum, length, out=np.zeros_like(cum), where=length > 0)
    first = coords[starts]
    last = coords[starts + counts - 1]
    vec = last - first
    norm = np.hypot(vec[:, 0], vec[:, 1])
    norm[norm == 0] = 1.0
    nx, ny = -vec[:, 1] / norm, vec[:, 0] / norm
    a = amp * norm * rng.uniform(0.4, 1.0, n) * rng.choice([-1.0, 1.0], n)
    if max_amp is not None:
        a = np.clip(a, -max_amp, max_amp)
    f1 = rng.uniform(0.5, 1.5, n)
    f2 = rng.uniform(2.0, 4.0, n)
    p1 = rng.uniform(0, 2 * np.pi, n)
    p2 = rng.uniform(0, 2 * np.pi, n)
    env = np.sin(np.pi * t)
    wave = (np.sin(2 * np.pi * np.repeat(f1, counts) * t + np.repeat(p1, counts)) * 0.7
            + np.sin(2 * np.pi * np.repeat(f2, counts) * t + np.repeat(p2, counts)) * 0.3)
    off = np.repeat(a, counts) * env * wave
    off[starts] = 0.0  # end points stay exactly where they were (sin(pi) is not exactly 0),
    off[starts + counts - 1] = 0.0  # so wiggled edges still meet their neighbours
    coords = coords + np.column_stack([np.repeat(nx, counts) * off, np.repeat(ny, counts) * off])
    return shapely.linestrings(coords, indices=idx)


def desa_cells(rng: np.random.Generator, seeds: np.ndarray, land, wiggle: bool) -> np.ndarray:
    """Desa polygons: Voronoi cells of ``seeds`` clipped to ``land``; with ``wiggle`` the shared
    borders meander (polygonised from wiggled edges, so neighbours still share their edge)."""
    mp = shapely.multipoints(seeds)
    env = shapely.buffer(shapely.envelope(land), 20000)
    vor = np.asarray(shapely.get_parts(shapely.voronoi_polygons(mp, extend_to=env)))
    tree = shapely.STRtree(vor)
    pts = shapely.points(seeds)
    pi, vi = tree.query(pts, predicate="within")
    owner = np.full(len(vor), -1)
    owner[vi] = pi
    cells_by_seed = np.empty(len(seeds), dtype=object)
    cells_by_seed[owner[owner >= 0]] = vor[owner >= 0]
    if not wiggle or len(seeds) < 2:
        shapely.prepare(land)
        inside = shapely.contains_properly(land, cells_by_seed)  # most cells: no clipping
        out = cells_by_seed.copy()
        out[~inside] = shapely.intersection(cells_by_seed[~inside], land)
        return _largest_polygonal(out)
    # unique Voronoi edges, wiggled, then polygonised with the land outline.
    edges = shapely.get_parts(shapely.union_all(shapely.boundary(vor)))
    edges = edges[shapely.intersects(edges, shapely.buffer(land, 3000))]
    # canonical direction so a shared edge is wiggled from a stable orientation
    c = shapely.get_coordinates(edges).reshape(-1, 2, 2) if all(
        shapely.get_num_coordinates(edges) == 2) else None
    if c is not None:
        swap = (c[:, 0, 0] > c[:, 1, 0]) | ((c[:, 0, 0] == c[:, 1, 0]) & (c[:, 0, 1] > c[:, 1, 1]))
        c[swap] = c[swap][:, ::-1]
        edges = shapely.linestrings(c)
    wig = wiggle_lines(rng, edges, step=120.0, amp=0.07, max_amp=450.0)
    boundary = shapely.boundary(land)
    noded = shapely.union_all(np.concatenate([wig, [boundary]]))
    faces = np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))))
    reps = shapely.point_on_surface(faces)
    keep = shapely.contains(land, reps)  # faces outside the land are sea/beyond the border
    faces, reps = faces[keep], reps[keep]
    # each face belongs to the seed whose (straight) Voronoi cell holds its inner point
    fi, ci = tree.query(reps, predicate="within")
    face_owner = np.full(len(faces), -1)
    face_owner[fi] = owner[ci]
    if (face_owner < 0).any():  # on a cell border exactly: nearest seed
        miss = np.flatnonzero(face_owner < 0)
        _, near = cKDTree(seeds).query(shapely.get_coordinates(reps[miss]))
        face_owner[miss] = near
    out = np.empty(len(seeds), dtype=object)
    order = np.argsort(face_owner, kind="stable")
    bounds = np.searchsorted(face_owner[order], np.arange(len(seeds) + 1))
    for i in range(len(seeds)):
        group = faces[order[bounds[i]:bounds[i + 1]]]
        if len(group) == 0:
            out[i] = shapely.intersection(cells_by_seed[i], land)
        elif len(group) == 1:
            out[i] = group[0]
        else:
            out[i] = union(group)
    return _largest_polygonal(out)


def union(geoms: np.ndarray):
    """Union of polygons that tile an area (fast coverage union, exact union as fallback)."""
    try:
        return shapely.coverage_union_all(geoms)
    except shapely.errors.GEOSException:
        return shapely.union_all(geoms, grid_size=None)


def _largest_polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only polygonal parts (intersections may add stray lines/points)."""
    out = np.asarray(geoms, dtype=object).copy()
    types = shapely.get_type_id(out)
    bad = np.flatnonzero(~np.isin(types, (3, 6)))
    for i in bad:
        parts = [p for p in shapely.get_parts(out[i]) if p.geom_type in ("Polygon",
                                                                         "MultiPolygon")]
        out[i] = shapely.multipolygons(parts) if len(parts) > 1 else (
            parts[0] if parts else shapely.Polygon())
    return out


def random_points_in(rng: np.random.Generator, polys: np.ndarray, counts: np.ndarray,
                     avoid_edge: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """``counts[i]`` random points inside ``polys[i]`` (vectorised rejection sampling).

    Returns (xy array, owner index array), rows grouped by owner in order.
    """
    shapely.prepare(polys)
    b = shapely.bounds(polys)
    need = counts.astype(int).copy()
    got_xy: list[np.ndarray] = []
    got_owner: list[np.ndarray] = []
    inner = shapely.buffer(polys, -avoid_edge, quad_segs=2) if avoid_edge > 0 else polys
    empty = shapely.is_empty(inner)
    inner = np.where(empty, polys, inner)
    shapely.prepare(inner)
    for attempt in range(12):
        idx = np.flatnonzero(need > 0)
        if not len(idx):
            break
        mult = 4 if attempt < 4 else 12
        rep = np.repeat(idx, need[idx] * mult)
        x = rng.uniform(b[rep, 0], b[rep, 2])
        y = rng.uniform(b[rep, 1], b[rep, 3])
        target = inner if attempt < 8 else polys
        ok = shapely.contains_xy(target[rep], x, y)
        rep, x, y = rep[ok], x[ok], y[ok]
        # keep at most need[i] per owner
        order = np.argsort(rep, kind="stable")
        rep, x, y = rep[order], x[order], y[order]
        first = np.searchsorted(rep, rep)
        rank = np.arange(len(rep)) - first
        take = rank < need[rep]
        got_xy.append(np.column_stack([x[take], y[take]]))
        got_owner.append(rep[take])
        need -= np.bincount(rep[take], minlength=len(polys))
    if (need > 0).any():  # degenerate slivers: fall back to a surface point
        idx = np.repeat(np.flatnonzero(need > 0), need[need > 0])
        got_xy.append(shapely.get_coordinates(shapely.point_on_surface(polys[idx])))
        got_owner.append(idx)
    xy = np.vstack(got_xy) if got_xy else np.empty((0, 2))
    owner = np.concatenate(got_owner) if got_owner else np.empty(0, dtype=int)
    order = np.argsort(owner, kind="stable")
    return xy[order], owner[order]


def inner_xy(polys: np.ndarray) -> np.ndarray:
    """A point surely inside each polygon (centroid when inside, else a surface point)."""
    cen = shapely.centroid(polys)
    ok = shapely.contains(polys, cen)
    pts = np.where(ok, cen, shapely.point_on_surface(polys))
    return shapely.get_coordinates(pts)


def mst_edges(xy: np.ndarray, land=None, penalty: float = 25.0) -> np.ndarray:
    """Edges (i, j) of a minimum spanning tree over the Delaunay graph of ``xy``; edges that
    leave ``land`` cost ``penalty`` times more so roads stay on land where possible."""
    n = len(xy)
    if n < 2:
        return np.empty((0, 2), dtype=int)
    if n == 2:
        return np.array([[0, 1]])
    if n == 3 or np.linalg.matrix_rank(xy - xy.mean(axis=0)) < 2:
        pairs = np.array([(i, j) for i in range(n) for j in range(i + 1, n)])
    else:
        tri = Delaunay(xy)
        s = tri.simplices
        pairs = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
        pairs.sort(axis=1)
        pairs = np.unique(pairs, axis=0)
    w = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T) + 1e-3
    if land is not None:
        lines = shapely.linestrings(np.stack([xy[pairs[:, 0]], xy[pairs[:, 1]]], axis=1))
        shapely.prepare(land)
        off = ~shapely.covers(land, lines)
        w = np.where(off, w * penalty, w)
    g = coo_matrix((w, (pairs[:, 0], pairs[:, 1])), shape=(n, n)).tocsr()
    t = minimum_spanning_tree(g).tocoo()
    return np.column_stack([t.row, t.col])


def to_lonlat(geoms: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    """Local metres (x east, y north around the centre) to WGS 84 (local equirectangular;
    under 0.1 % error across a district)."""
    kx = 1.0 / (111320.0 * math.cos(math.radians(lat0)))
    ky = 1.0 / 110574.0

    def f(c):
        return np.column_stack([lon0 + c[:, 0] * kx, lat0 + c[:, 1] * ky])

    return shapely.transform(np.asarray(geoms, dtype=object), f)

