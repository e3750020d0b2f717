"""The generated sample district "Kabupaten Contoh" — fictional data the project owns.

:func:`generate_sample` builds a clean in-memory :class:`~ilp_gis.project.Project` (what a
careful import would give), deterministic by seed; :func:`write_sources` writes the raw files a
district health office (Dinkes) would hand over — with a realistic share of defects (bad
coordinates, codes that lost their dots or leading zeros, duplicates, orphans, a Poskesdes, an
unknown facility type, a facility outside the district) for the importers to find.

Every output is marked fictional (project meta ``fictional=true``, the title, README.txt).
Area codes use provinces that do not exist (Kemendagri ``99``, BPS ``99``; for the national
scale other unused province numbers), so they can never be mistaken for a real place.

Scales:

``kabupaten``  one district, 8–12 kecamatan, 250–300 desa, a coastline and two small islands
               reached by ferry (the bundled ``sample_data/kabupaten_contoh.gpkg``).
``provinsi``   twelve districts (~3,500 desa), for benchmarks.
``nasional``   ~514 districts (~84,000 desa, ~10,000 Puskesmas, ~40,000 Pustu,
               ~300,000 Posyandu, ~1,000,000 road segments), for benchmarks.

Geometry is built per district in a local metric frame (metres around the district centre)
with vectorised numpy/shapely, then converted to WGS 84 longitude/latitude.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import Delaunay, cKDTree

from ilp_gis import model
from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.jobs import checkpoint
from ilp_gis.project import Project

SCALES = ("kabupaten", "provinsi", "nasional")

# Province codes that no real Indonesian province uses (Kemendagri and BPS share them).
_FICTIONAL_PROVINCES = (99, 98, 97, 90, 89, 88, 87, 86, 85, 84, 83, 80, 79, 78, 77, 70, 69, 68,
                        67, 66, 60, 59, 58, 57, 56, 55, 54, 50, 49, 48, 47, 46, 45, 44, 43, 42,
                        41, 40)

_TWO_WORD_PREFIXES = {"Tanjung", "Batu", "Bukit", "Teluk", "Tana", "Air", "Pulau", "Kampung"}
_PREFIXES = ("Suka", "Sumber", "Tanjung", "Batu", "Wolo", "Nanga", "Lewo", "Watu", "Mata", "Nua",
             "Wai", "Rana", "Lela", "Bukit", "Teluk", "Sari", "Mekar", "Tirta", "Wae", "Ria",
             "Koro", "Tana", "Ladu", "Manu", "Kewa", "Air", "Kampung", "Mbay", "Detu", "Ndu")
_SUFFIXES = ("maju", "jaya", "makmur", "rejo", "sari", "baru", "indah", "mulya", "asri", "wangi",
             "lestari", "harapan", "mekar", "agung", "raya", "damai", "tani", "laut", "gunung",
             "bele", "lolo", "wutun", "ndao", "rua", "tuka", "mbawa", "leko", "nggela", "wena",
             "sambi")
_DIRECTIONS = ("Utara", "Selatan", "Timur", "Barat", "Tengah")
_NAME_COMBOS = [(p, s) for p in _PREFIXES for s in _SUFFIXES
                if not (p.lower().startswith(s) or s.startswith(p.lower()))]

PRECURSOR_NAMES = {"poskesdes": "Poskesdes", "polindes": "Polindes"}


@dataclass(frozen=True)
class _TileSpec:
    index: int            # position in the run
    prov: int             # fictional province number
    kab: int              # kabupaten number within the province
    lon: float            # centre
    lat: float
    n_desa: int           # target desa count (mainland + islands)
    n_kec: int
    coast: bool           # sea on the south side
    n_islands: int
    wiggle: bool          # natural (wiggled) desa borders
    name: str
    pustu_share: float = 0.70   # share of desa (without a Puskesmas) that have a Pustu
    posyandu_gap: float = 0.35  # share of desa with fewer Posyandu than dusun
    segment_m: float = 1500.0   # roads are cut into segments of about this length


@dataclass(frozen=True)
class _ScaleSpec:
    n_tiles: int
    desa_range: tuple[int, int]
    kec_range: tuple[int, int]


_SCALE_SPECS = {
    "kabupaten": _ScaleSpec(1, (250, 300), (8, 12)),
    "provinsi": _ScaleSpec(12, (260, 320), (9, 14)),
    "nasional": _ScaleSpec(514, (130, 196), (10, 18)),
}

DESA_SPACING_M = 3000.0  # typical distance between neighbouring desa centres


# ------------------------------------------------------------------------------------------------
# Public API
# ------------------------------------------------------------------------------------------------
def generate_sample(scale: str = "kabupaten", seed: int = 1, *, progress=None,
                    is_cancelled=None) -> Project:
    """Generate the fictional sample as a clean :class:`Project` (deterministic by ``seed``).

    Parameters
    ----------
    scale
        ``"kabupaten"`` (one district), ``"provinsi"`` (12 districts) or ``"nasional"``
        (~514 districts, for benchmarks).
    seed
        Same seed, same data — frame for frame.
    progress, is_cancelled
        The usual long-work callbacks (:mod:`ilp_gis.jobs`).
    """
    if scale not in _SCALE_SPECS:
        raise InputError(tr("sample.bad_scale", scale=scale, scales=", ".join(SCALES)))
    tiles = _tile_specs(scale, int(seed))
    parts: list[dict] = []
    for i, spec in enumerate(tiles):
        checkpoint(progress, is_cancelled, 0.9 * i / len(tiles), tr("sample.progress.tile",
                                                                     i=i + 1, n=len(tiles)))
        rng = np.random.default_rng([int(seed), spec.index, 7919])
        parts.append(_build_tile(spec, rng))
    checkpoint(progress, is_cancelled, 0.92, tr("sample.progress.assemble"))
    layers = {}
    for name in ("kabupaten", "kecamatan", "desa", "facilities", "roads", "settlements",
                 "budget"):
        cols = {c: np.concatenate([p[name][c] for p in parts]) for c in parts[0][name]}
        if name == "budget":
            layers[name] = pd.DataFrame(cols).astype({"year": "Int64"})
        else:
            geom = cols.pop("geometry")
            layers[name] = gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries(geom, crs=model.WGS84),
                                            crs=model.WGS84)
    title = (tr("sample.title_kabupaten") if scale == "kabupaten"
             else tr("sample.title_scale", scale=scale))
    meta = {
        model.META_FICTIONAL: "true",
        model.META_TITLE: title,
        "sample_scale": scale,
        "sample_seed": str(int(seed)),
        model.META_SOURCES: _json({"generator": "layers.sample", "scale": scale,
                                   "seed": int(seed), "fictional": True}),
    }
    project = Project(layers=layers, meta=meta)
    checkpoint(progress, is_cancelled, 1.0, tr("sample.progress.done"))
    return project


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


# ------------------------------------------------------------------------------------------------
# Tiles (one kabupaten each)
# ------------------------------------------------------------------------------------------------
def _tile_specs(scale: str, seed: int) -> list[_TileSpec]:
    s = _SCALE_SPECS[scale]
    rng = np.random.default_rng([seed, 104729])
    names = _unique_names(rng, s.n_tiles + 5)
    specs = []
    if scale == "kabupaten":
        return [_TileSpec(0, 99, 1, 121.95, -8.62, int(rng.integers(s.desa_range[0] + 8,
                                                                       s.desa_range[1] - 8)),
                          int(rng.integers(s.kec_range[0], s.kec_range[1] + 1)), True, 2, True,
                          "Kabupaten Contoh")]
    if scale == "provinsi":
        # 4 x 3 districts west to east along a Flores-like island chain.
        for i in range(s.n_tiles):
            col, row = i % 4, i // 4
            lon = 119.9 + col * 0.95 + rng.uniform(-0.05, 0.05)
            lat = -8.2 - row * 0.85 + rng.uniform(-0.05, 0.05)
            specs.append(_TileSpec(i, 99, i + 1, lon, lat,
                                   int(rng.integers(*s.desa_range)),
                                   int(rng.integers(s.kec_range[0], s.kec_range[1] + 1)),
                                   row == 2, 1 if row == 2 else 0, True,
                                   f"Kabupaten {names[i]} Contoh"))
        return specs
    # nasional: districts on a coarse grid over the Indonesian bounding box (cells 0.7° apart,
    # wider than any district, so districts never overlap).
    cols, rows = 66, 24
    cells = rng.choice(cols * rows, size=s.n_tiles, replace=False)
    cells.sort()
    per_prov = math.ceil(s.n_tiles / len(_FICTIONAL_PROVINCES))
    for i, cell in enumerate(cells):
        col, row = int(cell % cols), int(cell // cols)
        lon = 95.3 + col * 0.7 + rng.uniform(-0.03, 0.03)
        lat = 5.6 - row * 0.7 + rng.uniform(-0.03, 0.03)
        prov = _FICTIONAL_PROVINCES[i // per_prov]
        specs.append(_TileSpec(i, prov, i % per_prov + 1, lon, lat,
                               int(rng.integers(*s.desa_range)),
                               int(rng.integers(s.kec_range[0], s.kec_range[1] + 1)),
                               False, 0, False, f"Kabupaten {names[i % len(names)]} Contoh",
                               pustu_share=0.47, segment_m=1000.0, posyandu_gap=0.15))
    return specs


def _unique_names(rng: np.random.Generator, n: int, taken: set[str] | None = None) -> list[str]:
    """``n`` distinct plausible Indonesian place names."""
    combos = _NAME_COMBOS
    order = rng.permutation(len(combos))
    out: list[str] = []
    taken = set(taken or ())
    k = 0
    while len(out) < n:
        p, s = combos[order[k % len(combos)]]
        name = f"{p} {s.capitalize()}" if p in _TWO_WORD_PREFIXES else f"{p}{s}"
        if k >= len(combos):
            name = f"{name} {_DIRECTIONS[(k // len(combos) - 1) % len(_DIRECTIONS)]}"
        if name not in taken:
            taken.add(name)
            out.append(name)
        k += 1
    return out


def _radial_outline(rng: np.random.Generator, cx: float, cy: float, radius: float,
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


def _coast_cut(rng: np.random.Generator, outline: shapely.Polygon, radius: float):
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


def _jittered_seeds(rng: np.random.Generator, poly, n: int) -> np.ndarray:
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


def _wiggle_lines(rng: np.random.Generator, lines: np.ndarray, step: float, amp: float,
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
    counts = np.bincount(idx, minlength=n)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    seg = np.zeros(len(coords))
    d = np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))
    seg[1:] = d
    seg[starts] = 0.0
    cum = np.cumsum(seg)
    cum -= np.repeat(cum[starts], counts)
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


def _cells(rng: np.random.Generator, seeds: np.ndarray, land, wiggle: bool) -> np.ndarray:
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
    wig = _wiggle_lines(rng, edges, step=120.0, amp=0.07, max_amp=450.0)
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
            out[i] = _union(group)
    return _largest_polygonal(out)


def _union(geoms: np.ndarray):
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


def _random_points_in(rng: np.random.Generator, polys: np.ndarray, counts: np.ndarray,
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


def _inner_xy(polys: np.ndarray) -> np.ndarray:
    """A point surely inside each polygon (centroid when inside, else a surface point)."""
    cen = shapely.centroid(polys)
    ok = shapely.contains(polys, cen)
    pts = np.where(ok, cen, shapely.point_on_surface(polys))
    return shapely.get_coordinates(pts)


def _mst_edges(xy: np.ndarray, land=None, penalty: float = 25.0) -> np.ndarray:
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


def _to_lonlat(geoms: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    """Local metres (x east, y north around the centre) to WGS 84 (local equirectangular;
    under 0.1 % error across a district)."""
    kx = 1.0 / (111320.0 * math.cos(math.radians(lat0)))
    ky = 1.0 / 110574.0

    def f(c):
        return np.column_stack([lon0 + c[:, 0] * kx, lat0 + c[:, 1] * ky])

    return shapely.transform(np.asarray(geoms, dtype=object), f)


# ------------------------------------------------------------------------------------------------
# One district
# ------------------------------------------------------------------------------------------------
def _build_tile(spec: _TileSpec, rng: np.random.Generator) -> dict:
    pp, kk = f"{spec.prov:02d}", f"{spec.kab:02d}"
    kab_code, kab_bps = f"{pp}.{kk}", f"{pp}{kk}"

    # --- land: a noisy outline, cut by the sea, plus small islands --------------------------
    n_island_desa = [int(rng.integers(2, 4)) for _ in range(spec.n_islands)]
    n_main = spec.n_desa - sum(n_island_desa)
    frac = 0.72 if spec.coast else 1.0
    radius = math.sqrt(n_main * DESA_SPACING_M ** 2 / (math.pi * frac))
    outline = _radial_outline(rng, 0.0, 0.0, radius)
    if spec.coast:
        land, coast_y = _coast_cut(rng, outline, radius)
    else:
        land, coast_y = outline, None
    islands = []
    for k, nd in enumerate(n_island_desa):
        r_i = math.sqrt(nd * (DESA_SPACING_M * 0.75) ** 2 / math.pi)
        for _ in range(50):
            x = rng.uniform(-0.55, 0.55) * radius + (k - 0.5) * radius * 0.5
            y = coast_y(x) - rng.uniform(5000, 9000) if coast_y is not None else -radius * 1.3
            isl = _radial_outline(rng, x, y, r_i, n=120, roughness=0.8)
            if shapely.distance(isl, land) > 2500 and all(
                    shapely.distance(isl, o) > 2500 for o in islands):
                break
        islands.append(isl)

    # --- desa seeds, a town around the district capital --------------------------------------
    seeds = _jittered_seeds(rng, land, n_main)
    # capital: a coastal point (or the middle) with denser kelurahan around it
    if coast_y is not None:
        cx = rng.uniform(-0.25, 0.25) * radius
        cy = coast_y(cx) + 2500
        cap = shapely.Point(cx, cy)
        if not land.contains(cap):
            cap = land.point_on_surface()
    else:
        cap = land.point_on_surface()
    capxy = np.array([cap.x, cap.y])
    d_cap = np.hypot(*(seeds - capxy).T)
    n_town = max(4, n_main // 30)
    near = np.argsort(d_cap)[: n_town // 2]  # replace the nearest seeds by a denser cluster
    town = [capxy]
    for _ in range(5000):
        if len(town) >= len(near) + n_town:
            break
        p = capxy + rng.normal(0, 1300, 2)
        if land.contains(shapely.Point(p)) and all(np.hypot(*(p - q)) > 700 for q in town):
            town.append(p)
    keep = np.ones(len(seeds), bool)
    keep[near] = False
    seeds = np.vstack([np.array(town), seeds[keep]])
    # drop seeds too close to the town cluster
    dmin = cKDTree(np.array(town)).query(seeds[len(town):])[0]
    rest = seeds[len(town):][dmin > 900]
    if len(town) + len(rest) > n_main + 6:  # keep the desa count near the target
        rest = rest[np.sort(rng.choice(len(rest), n_main + 6 - len(town), replace=False))]
    seeds = np.vstack([seeds[: len(town)], rest])
    is_town = np.zeros(len(seeds), bool)
    is_town[: len(town)] = True

    polys = list(_cells(rng, seeds, land, spec.wiggle))
    landmass = [0] * len(seeds)
    all_seeds = [seeds]
    for k, isl in enumerate(islands):
        s_i = _jittered_seeds(rng, isl, n_island_desa[k])
        polys += list(_cells(rng, s_i, isl, spec.wiggle))
        landmass += [k + 1] * len(s_i)
        all_seeds.append(s_i)
        is_town = np.concatenate([is_town, np.zeros(len(s_i), bool)])
    seeds = np.vstack(all_seeds)
    polys = np.array(polys, dtype=object)
    landmass = np.array(landmass)
    n = len(polys)
    centers = _inner_xy(polys)

    # --- kecamatan: nearest of a few well-spread seeds (islands join the nearest coast) -------
    main = np.flatnonzero(landmass == 0)
    k_seeds = [0]  # seed 0 (the town centre) founds the capital kecamatan
    dist = np.hypot(*(centers[main] - centers[main[0]]).T)
    for _ in range(spec.n_kec - 1):  # farthest-point sampling
        i = int(np.argmax(dist))
        k_seeds.append(i)
        dist = np.minimum(dist, np.hypot(*(centers[main] - centers[main[i]]).T))
    k_xy = centers[main[k_seeds]]
    kec_of = np.empty(n, dtype=int)
    kec_of[main] = cKDTree(k_xy).query(centers[main])[1]
    main_tree = cKDTree(centers[main])
    for m in range(1, len(islands) + 1):  # an island belongs wholly to the nearest kecamatan
        isl_idx = np.flatnonzero(landmass == m)
        dist_m, near_main = main_tree.query(centers[isl_idx])
        kec_of[isl_idx] = kec_of[main[near_main[np.argmin(dist_m)]]]
    # order kecamatan west→east for readable codes; desa west→east within the kecamatan
    k_rank = np.argsort(np.argsort(k_xy[:, 0] - k_xy[:, 1] * 0.2))
    kec_of = k_rank[kec_of]
    capital_kec = int(k_rank[0])
    order = np.lexsort((-centers[:, 1], centers[:, 0], kec_of))
    polys, centers, kec_of, is_town, landmass, seeds = (polys[order], centers[order],
                                                        kec_of[order], is_town[order],
                                                        landmass[order], seeds[order])

    # --- names and codes -------------------------------------------------------------------
    names = _unique_names(rng, n + spec.n_kec)
    kec_names = names[n:]
    kec_names[capital_kec] = "Kota " + spec.name.replace("Kabupaten ", "").replace(" Contoh", "")
    if spec.name == "Kabupaten Contoh":
        kec_names[capital_kec] = "Kota Contoh"
    desa_names = names[:n]
    kind = np.where(is_town, model.DesaKind.KELURAHAN.value, model.DesaKind.DESA.value)
    desa_code, desa_bps = [], []
    seq_desa: dict[int, int] = {}
    seq_kel: dict[int, int] = {}
    seq_bps: dict[int, int] = {}
    for i in range(n):
        k = int(kec_of[i])
        if is_town[i]:
            seq_kel[k] = seq_kel.get(k, 1000) + 1
            num = seq_kel[k]
        else:
            seq_desa[k] = seq_desa.get(k, 2000) + 1
            num = seq_desa[k]
        seq_bps[k] = seq_bps.get(k, 0) + 1
        desa_code.append(f"{kab_code}.{k + 1:02d}.{num:04d}")
        desa_bps.append(f"{kab_bps}{(k + 1) * 10:03d}{seq_bps[k]:03d}")
    kec_code = [f"{kab_code}.{k + 1:02d}" for k in range(spec.n_kec)]
    kec_bps = [f"{kab_bps}{(k + 1) * 10:03d}" for k in range(spec.n_kec)]

    # --- population, dusun, burden ---------------------------------------------------------
    pop = np.exp(rng.normal(math.log(2600), 0.55, n))
    pop[is_town] *= 1.8
    high = rng.uniform(6000, 8000, n)  # no pile-up at the upper limit
    pop = np.where(pop > 8000, high, pop)
    pop = np.clip(np.round(pop / 10) * 10, 500, 8000)
    dusun = np.clip(np.round(pop / 900 + rng.normal(0, 0.8, n)), 2, 8)
    aki = rng.poisson(pop / 6000 * 0.35).astype(float)
    akb = rng.poisson(pop / 1000 * 0.6).astype(float)
    stunting = np.round(np.clip(rng.normal(0.24, 0.08, n), 0.04, 0.55), 3)
    for arr in (aki, akb, stunting):
        arr[rng.random(n) < 0.08] = np.nan  # some desa did not report

    desa_code = np.array(desa_code, dtype=object)
    kec_code_arr = np.array(kec_code, dtype=object)
    kec_names_arr = np.array(kec_names, dtype=object)
    desa_df = _cols(n, code=desa_code, code_bps=np.array(desa_bps, dtype=object),
                    code_original=desa_code, name=np.array(desa_names, dtype=object),
                    kind=kind.astype(object), kecamatan_code=kec_code_arr[kec_of],
                    kecamatan_name=kec_names_arr[kec_of], population=pop,
                    dusun_count=dusun.astype(float), aki=aki, akb=akb, stunting=stunting,
                    geometry=_to_lonlat(polys, spec.lon, spec.lat))

    # kecamatan and kabupaten polygons: exact unions of the desa coverage
    kec_polys = np.empty(spec.n_kec, dtype=object)
    for k in range(spec.n_kec):
        kec_polys[k] = _union(polys[kec_of == k])
    kab_poly = _union(polys)
    kec_df = _cols(spec.n_kec, code=kec_code_arr, code_bps=np.array(kec_bps, dtype=object),
                   code_original=kec_code_arr, name=kec_names_arr, kabupaten_code=kab_code,
                   geometry=_to_lonlat(kec_polys, spec.lon, spec.lat))
    kab_df = _cols(1, code=kab_code, code_bps=kab_bps, code_original=kab_code, name=spec.name,
                   population=float(pop.sum()),
                   geometry=_to_lonlat(np.array([kab_poly], dtype=object), spec.lon, spec.lat))

    # --- settlements (one per dusun; the first is the desa centre) ---------------------------
    extra = dusun.astype(int) - 1
    sxy, sowner = _random_points_in(rng, polys, extra, avoid_edge=250.0)
    set_xy = np.vstack([centers, sxy])
    set_desa = np.concatenate([np.arange(n), sowner])
    order = np.lexsort((np.arange(len(set_desa)), set_desa))
    set_xy, set_desa = set_xy[order], set_desa[order]
    first = np.searchsorted(set_desa, set_desa)
    set_rank = np.arange(len(set_desa)) - first  # 0 = desa centre
    w = rng.uniform(0.5, 1.5, len(set_desa))
    w[set_rank == 0] *= 2.2
    w_sum = np.bincount(set_desa, weights=w)
    set_pop = np.round(pop[set_desa] * w / w_sum[set_desa])
    dusun_names = np.array(["Dusun " + x for x in _unique_names(rng, 60)], dtype=object)
    rw_names = np.array([f"RW {r + 1:02d}" for r in range(12)], dtype=object)
    set_name = np.where(kind[set_desa] == "desa", dusun_names[(set_desa * 7 + set_rank) % 60],
                        rw_names[np.minimum(set_rank, 11)])
    settlements_df = _cols(len(set_desa), desa_code=desa_code[set_desa], name=set_name,
                           population=set_pop.astype(float),
                           geometry=_to_lonlat(shapely.points(set_xy), spec.lon, spec.lat))

    # --- facilities -------------------------------------------------------------------------
    fac = _facilities(rng, spec, n, centers, polys, kec_of, capital_kec, pop, dusun,
                      set_xy, set_desa, set_rank, desa_code, desa_bps, desa_names, kec_code,
                      kec_names, kind)
    fac_xy = fac.pop("_xy")
    fac["geometry"] = _to_lonlat(shapely.points(fac_xy), spec.lon, spec.lat)

    # --- roads ------------------------------------------------------------------------------
    roads_geoms, roads_cls, roads_names, roads_cross = _roads(
        rng, spec, centers, kec_of, landmass, land, islands, set_xy, set_desa, set_rank,
        fac_xy, fac["type"], desa_names, kec_names)
    roads_df = _cols(len(roads_geoms), road_class=roads_cls, name=roads_names,
                     crossing_minutes=roads_cross,
                     geometry=_to_lonlat(roads_geoms, spec.lon, spec.lat))

    budget_df = _budget(rng, spec, desa_df, fac)
    return {"kabupaten": kab_df, "kecamatan": kec_df, "desa": desa_df,
            "facilities": fac, "roads": roads_df, "settlements": settlements_df,
            "budget": budget_df}


def _cols(n: int, **values) -> dict[str, np.ndarray]:
    """Column arrays of length ``n`` (scalars broadcast)."""
    out = {}
    for k, v in values.items():
        if np.ndim(v) == 0:
            out[k] = np.full(n, v, dtype=object if isinstance(v, str) else None)
        else:
            out[k] = np.asarray(v)
    return out


def _facilities(rng, spec, n, centers, polys, kec_of, capital_kec, pop, dusun, set_xy, set_desa,
                set_rank, desa_code, desa_bps, desa_names, kec_code, kec_names, kind) -> dict:
    """Puskesmas, Pustu and Posyandu of one district as column arrays (vectorised)."""
    desa_code = np.asarray(desa_code, dtype=object)
    desa_bps = np.asarray(desa_bps, dtype=object)
    desa_names = np.asarray(desa_names, dtype=object)
    kec_code = np.asarray(kec_code, dtype=object)
    kec_names = np.asarray(kec_names, dtype=object)
    n_kec = len(kec_code)

    # Puskesmas: in the kecamatan's most central desa (capital: the largest kelurahan), a second
    # one in large kecamatan, placed in the desa farthest from the first.
    pkm_desa: list[int] = []
    pkm_kec: list[int] = []
    pkm_seq: list[int] = []
    for k in range(n_kec):
        members = np.flatnonzero(kec_of == k)
        if not len(members):
            continue
        if k == capital_kec and (kind[members] == "kelurahan").any():
            town = members[kind[members] == "kelurahan"]
            c = town[np.argmax(pop[town])]
        else:
            mid = centers[members].mean(axis=0)
            c = members[np.argmin(np.hypot(*(centers[members] - mid).T))]
        pkm_desa.append(int(c))
        pkm_kec.append(k)
        pkm_seq.append(1)
        if pop[members].sum() > 30000 or (len(members) > 30 and rng.random() < 0.6):
            # the second one serves the far half of the kecamatan: its most central desa
            d_c = np.hypot(*(centers[members] - centers[c]).T)
            half = members[d_c >= np.median(d_c)]
            mid = centers[half].mean(axis=0)
            far = half[np.argmin(np.hypot(*(centers[half] - mid).T))]
            pkm_desa.append(int(far))
            pkm_kec.append(k)
            pkm_seq.append(2)
    pd_ = np.array(pkm_desa)
    pkm_kec_arr = np.array(pkm_kec)
    seq = np.array(pkm_seq)
    m = len(pd_)
    pkm_ids = np.array([f"P{b[:7]}{s}01" for b, s in zip(desa_bps[pd_], seq, strict=True)],
                       dtype=object)
    pkm_names = np.where(seq > 1, "Puskesmas " + desa_names[pd_].astype(str),
                         "Puskesmas " + kec_names[pkm_kec_arr].astype(str)).astype(object)
    lokus = rng.random(m) < 0.65
    coe = lokus & (rng.random(m) < 0.3)
    start = np.array([dt.date(2023, 7, 1) + dt.timedelta(days=int(v)) if lk else None
                      for v, lk in zip(rng.integers(0, 700, m), lokus, strict=True)],
                     dtype=object)
    base = np.where(coe, rng.uniform(0.55, 0.95, m), rng.uniform(0.2, 0.85, m))
    coe_vals = np.round(np.clip(base[:, None] + rng.normal(0, 0.1, (m, 5)), 0, 1), 2)
    nurses = rng.integers(6, 22, m).astype(float)
    midwives = rng.integers(5, 16, m).astype(float)
    pkm = _fac_block(m, fac_id=pkm_ids, code=pkm_ids, name=pkm_names, type="puskesmas",
                     type_original="Puskesmas", precursor=False, desa_code=desa_code[pd_],
                     kecamatan_code=kec_code[kec_of[pd_]], declared_desa=desa_names[pd_],
                     ilp_lokus=lokus, coe=coe, ilp_start=start, nurses=nurses,
                     midwives=midwives, nakes=nurses + midwives + rng.integers(6, 25, m),
                     **{c: coe_vals[:, i] for i, c in enumerate(model.COE_COLUMNS)})
    pkm_xy = centers[pd_]

    # the Puskesmas of each desa: the nearest one in the same kecamatan
    big = 1e9
    tree = cKDTree(np.column_stack([pkm_xy, pkm_kec_arr * big]))
    pkm_of = tree.query(np.column_stack([centers, kec_of * big]))[1]

    # Pustu: about two thirds of the desa that have no Puskesmas; a few are still precursors.
    has_pkm = np.zeros(n, bool)
    has_pkm[pd_] = True
    has_pustu = (~has_pkm) & (rng.random(n) < spec.pustu_share + 0.1 * (kind == "kelurahan"))
    td = np.flatnonzero(has_pustu)
    t = len(td)
    pre = rng.choice(np.array(["", "poskesdes", "polindes"], dtype=object), t,
                     p=[0.8, 0.12, 0.08])
    is_pre = pre != ""
    pre_label = np.array([PRECURSOR_NAMES.get(p, "Pustu") for p in pre], dtype=object)
    t_ids = ("PT" + desa_bps[td].astype(str)).astype(object)
    given = rng.random(t) > 0.1
    by_name = (~given) & (rng.random(t) < 0.5)
    t_par = pkm_of[td]
    t_nurses = np.where(is_pre, rng.integers(0, 2, t), rng.integers(0, 3, t)).astype(float)
    t_midw = np.where(is_pre, 1, rng.integers(0, 3, t)).astype(float)
    t_nakes = t_nurses + t_midw + (rng.random(t) < 0.3)
    no_staff = rng.random(t) < 0.05
    for arr in (t_nurses, t_midw, t_nakes):
        arr[no_staff] = np.nan  # not reported
    pustu = _fac_block(t, fac_id=t_ids, code=t_ids,
                       name=(pre_label + " " + desa_names[td].astype(str)).astype(object),
                       type="pustu", type_original=pre_label, precursor=is_pre,
                       parent_id=np.where(given, pkm_ids[t_par], None),
                       parent_name=np.where(by_name, pkm_names[t_par], None),
                       desa_code=desa_code[td], kecamatan_code=kec_code[kec_of[td]],
                       declared_desa=desa_names[td], coe=rng.random(t) < 0.05,
                       nurses=t_nurses, midwives=t_midw, nakes=t_nakes)
    ang = rng.uniform(0, 2 * np.pi, t)
    rad = rng.uniform(30, 60, t)
    t_xy = centers[td] + np.column_stack([np.cos(ang), np.sin(ang)]) * rad[:, None]
    pustu_row = np.full(n, -1)
    pustu_row[td] = np.arange(t)

    # Posyandu: 2-6 per desa at the dusun settlements (a few dusun still without one).
    n_posy = np.clip(dusun - (rng.random(n) < spec.posyandu_gap) * rng.integers(1, 3, n), 2,
                     6).astype(int)
    yd = np.repeat(np.arange(n), n_posy)
    y = len(yd)
    j = np.arange(y) - np.repeat(np.cumsum(n_posy) - n_posy, n_posy)
    k_set = dusun[yd].astype(int)
    starts = np.searchsorted(set_desa, np.arange(n))
    s = starts[yd] + (j % k_set)
    ang = rng.uniform(0, 2 * np.pi, y)
    rad = np.where(j < k_set, rng.uniform(20, 40, y), rng.uniform(110, 220, y))
    y_xy = set_xy[s] + np.column_stack([np.cos(ang), np.sin(ang)]) * rad[:, None]
    bad = ~shapely.contains_xy(polys[yd], y_xy[:, 0], y_xy[:, 1])
    y_xy[bad] = set_xy[s[bad]]  # too close to the border: at the settlement itself
    kader = rng.integers(2, 9, y).astype(float)
    sessions = np.clip(np.round(rng.normal(10.5, 2, y)), 4, 12)
    score = (kader >= 5).astype(int) + (sessions >= 10) + (rng.random(y) < 0.5)
    levels = np.array([lv.value for lv in model.PosyanduLevel], dtype=object)
    # parent: the desa's Pustu, or straight to the Puskesmas where the desa has none (a gap)
    has_t = pustu_row[yd] >= 0
    par_id = np.where(has_t, t_ids[np.maximum(pustu_row[yd], 0)], pkm_ids[pkm_of[yd]])
    par_name = np.where(has_t, pustu["name"][np.maximum(pustu_row[yd], 0)],
                        pkm_names[pkm_of[yd]])
    r = rng.random(y)
    words = np.array(_POSYANDU_WORDS, dtype=object)[rng.integers(0, len(_POSYANDU_WORDS), y)]
    y_ids = np.array([f"PY{b}{i + 1:02d}" for b, i in zip(desa_bps[yd], j, strict=True)],
                     dtype=object)
    posy = _fac_block(y, fac_id=y_ids, name=("Posyandu " + words.astype(str) + " "
                                             + desa_names[yd].astype(str)).astype(object),
                      type="posyandu", type_original="Posyandu", precursor=False,
                      parent_id=np.where(r > 0.1, par_id, None),
                      parent_name=np.where((r > 0.05) & (r <= 0.1), par_name, None),
                      desa_code=desa_code[yd], kecamatan_code=kec_code[kec_of[yd]],
                      declared_desa=desa_names[yd], kader=kader,
                      level=levels[np.minimum(score, 3)], sessions_per_year=sessions)
    cols = {c: np.concatenate([pkm[c], pustu[c], posy[c]]) for c in pkm}
    cols["_xy"] = np.vstack([pkm_xy, t_xy, y_xy])
    return cols


_POSYANDU_WORDS = ("Mawar", "Melati", "Anggrek", "Kenanga", "Flamboyan", "Cempaka", "Dahlia",
                   "Teratai", "Kamboja", "Bougenville", "Seroja", "Tunas Harapan", "Kasih Ibu",
                   "Bina Sehat", "Sejahtera", "Bunga Desa")


def _fac_block(n: int, **values) -> dict[str, np.ndarray]:
    """Facility columns of length ``n`` (scalars broadcast; columns not given stay missing)."""
    out = {}
    for c in model.FACILITIES.columns:
        v = values.get(c.name)
        if v is None:
            out[c.name] = np.full(n, np.nan) if c.dtype == "float" else np.full(n, None,
                                                                                 dtype=object)
        elif np.ndim(v) == 0:
            out[c.name] = np.full(n, v, dtype=object if isinstance(v, str) else None)
        else:
            out[c.name] = np.asarray(v)
    return out


def _roads(rng, spec, centers, kec_of, landmass, land, islands, set_xy, set_desa, set_rank,
           fac_xy, fac_type, desa_names, kec_names):
    """A connected road network: arteri/kolektor between Puskesmas, lokal between desa
    centres, lingkungan/setapak from each dusun to its desa centre, ferries to the islands."""
    geoms: list[np.ndarray] = []
    classes: list[np.ndarray] = []
    names: list[np.ndarray] = []
    cross: list[np.ndarray] = []
    fac_type = np.asarray(fac_type)
    pkm_all = fac_xy[fac_type == "puskesmas"]
    pkm_mass = landmass[cKDTree(centers).query(pkm_all)[1]]
    masses = [land] + list(islands)

    def add(a: np.ndarray, b: np.ndarray, cls: str, label: np.ndarray | None = None,
            wiggle: float = 0.05, minutes: np.ndarray | None = None) -> None:
        if not len(a):
            return
        lines = shapely.linestrings(np.stack([a, b], axis=1))
        if wiggle:
            lines = _wiggle_lines(rng, lines, step=250.0, amp=wiggle, max_amp=600.0)
        if minutes is None:  # a ferry leg stays one piece: its crossing time is for the whole
            lines, parent = _split_lines(lines, spec.segment_m)
        else:
            parent = np.arange(len(lines))
        geoms.append(lines)
        classes.append(np.full(len(lines), cls, dtype=object))
        names.append(np.full(len(lines), None, dtype=object) if label is None
                     else np.asarray(label, dtype=object)[parent])
        cross.append(np.full(len(lines), np.nan) if minutes is None else minutes[parent])

    for m, mass in enumerate(masses):
        members = np.flatnonzero(landmass == m)
        pkm_xy = pkm_all[pkm_mass == m]
        if m == 0 and len(pkm_xy) >= 2:  # trunk roads between the Puskesmas
            e = _mst_edges(pkm_xy, mass)
            add(pkm_xy[e[:, 0]], pkm_xy[e[:, 1]], "arteri",
                np.full(len(e), "Jalan Trans " + spec.name.replace("Kabupaten ", ""),
                        dtype=object))
            # a few extra links make loops (kolektor)
            tree = cKDTree(pkm_xy)
            _, nn = tree.query(pkm_xy, k=min(3, len(pkm_xy)))
            have = {tuple(sorted(p)) for p in e.tolist()}
            extra = [(i, int(j)) for i, row in enumerate(nn) for j in row[1:]
                     if tuple(sorted((i, int(j)))) not in have]
            extra = list({tuple(sorted(p)) for p in extra})
            extra.sort()
            if extra:
                ex = np.array(extra)
                ok = shapely.covers(mass, shapely.linestrings(
                    np.stack([pkm_xy[ex[:, 0]], pkm_xy[ex[:, 1]]], axis=1)))
                ex = ex[ok]
                # skip links that merely run alongside a trunk road through a third Puskesmas
                dij = np.hypot(*(pkm_xy[ex[:, 0]] - pkm_xy[ex[:, 1]]).T)
                via = (np.hypot(*(pkm_xy[ex[:, 0], None, :] - pkm_xy[None, :, :]).transpose(2, 0, 1))
                       + np.hypot(*(pkm_xy[ex[:, 1], None, :] - pkm_xy[None, :, :]).transpose(2, 0, 1)))
                via[np.arange(len(ex)), ex[:, 0]] = np.inf
                via[np.arange(len(ex)), ex[:, 1]] = np.inf
                ex = ex[via.min(axis=1) > 1.25 * dij][: max(1, len(pkm_xy) // 3)]
                add(pkm_xy[ex[:, 0]], pkm_xy[ex[:, 1]], "kolektor")
        if len(members) >= 2:  # desa centres
            e = _mst_edges(centers[members], mass)
            a, b = members[e[:, 0]], members[e[:, 1]]
            same_kec = kec_of[a] == kec_of[b]
            add(centers[a][~same_kec], centers[b][~same_kec], "kolektor")
            add(centers[a][same_kec], centers[b][same_kec], "lokal")
    # dusun to desa centre
    sub = set_rank > 0
    cls = np.where(rng.random(sub.sum()) < 0.8, "lingkungan", "setapak")
    a, b = set_xy[sub], centers[set_desa[sub]]
    add(a[cls == "lingkungan"], b[cls == "lingkungan"], "lingkungan", wiggle=0.08)
    add(a[cls == "setapak"], b[cls == "setapak"], "setapak", wiggle=0.12)
    # facilities placed beside a node: a short access lane to it
    node_xy = np.vstack([centers, set_xy])
    d, nearest = cKDTree(node_xy).query(fac_xy)
    lane = d > 1.0
    add(fac_xy[lane], node_xy[nearest[lane]], "lingkungan", wiggle=0.0)
    # ferries: from each island's node nearest the mainland to the nearest mainland centre
    main = np.flatnonzero(landmass == 0)
    main_tree = cKDTree(centers[main])
    for m in range(1, len(masses)):
        members = np.flatnonzero(landmass == m)
        if not len(members):
            continue
        dd, jj = main_tree.query(centers[members])
        i = int(np.argmin(dd))
        a_xy, b_xy = centers[members[i]], centers[main[jj[i]]]
        km = float(np.hypot(*(a_xy - b_xy))) / 1000.0
        minutes = float(round(km / 15.0 * 60.0 + 15.0))
        add(a_xy[None, :], b_xy[None, :], "ferry",
            np.array([f"Penyeberangan {desa_names[members[i]]}"], dtype=object), wiggle=0.0,
            minutes=np.array([minutes]))
    if not geoms:
        return np.empty(0, dtype=object), [], [], []
    return (np.concatenate(geoms), np.concatenate(classes), np.concatenate(names),
            np.concatenate(cross))


def _split_lines(lines: np.ndarray, max_len: float) -> tuple[np.ndarray, np.ndarray]:
    """Cut lines into pieces of at most ~``max_len`` at their vertices (consecutive pieces share
    their end points, so the network stays connected) — like road segments in real data.
    Returns the pieces and, for each, the index of the line it came from."""
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    if not len(coords):
        return lines, np.arange(len(lines))
    n = len(lines)
    counts = np.bincount(idx, minlength=n)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    seg = np.zeros(len(coords))
    seg[1:] = np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))
    seg[starts] = 0.0
    cum = np.cumsum(seg)
    cum -= np.repeat(cum[starts], counts)
    piece = np.floor(cum / max_len).astype(int)
    last = starts + counts - 1
    piece[last] = piece[np.maximum(last - 1, starts)]  # the end vertex joins the last piece
    piece[starts] = 0
    # piece id per vertex; a vertex at a cut is duplicated as the next piece's start
    line_piece = idx.astype(np.int64) * 100000 + piece
    change = np.flatnonzero(np.diff(line_piece) != 0) + 1
    change = change[idx[change] == idx[change - 1]]  # cuts inside one line
    dup_coords = coords[change - 1]
    dup_ids = line_piece[change]
    all_coords = np.vstack([coords, dup_coords])
    all_ids = np.concatenate([line_piece, dup_ids])
    # put the duplicated start vertex before the piece's own vertices
    pos = np.concatenate([np.arange(len(coords), dtype=float), change - 0.5])
    order = np.lexsort((pos, all_ids))
    all_coords, all_ids = all_coords[order], all_ids[order]
    uniq, new_idx = np.unique(all_ids, return_inverse=True)
    out = shapely.linestrings(all_coords, indices=new_idx)
    parent = (uniq // 100000).astype(int)
    ok = shapely.get_num_coordinates(out) >= 2
    return out[ok], parent[ok]


def _budget(rng, spec, desa: dict, fac: dict) -> dict[str, np.ndarray]:
    """Sample budget lines (column arrays): funded, partly funded and unfunded gaps side by side.

    Desa without a Pustu: ~30 % get a DAK Fisik line for the full building cost, ~15 % only a
    small Dana Desa line (partly funded), the rest none (unfunded).  Half the Poskesdes/Polindes
    get an upgrade line; some Pustu equipment (DAK Non-Fisik), renovation (third party) and
    staff (DAU) lines; BOK kader training per Puskesmas; Dana Desa for new Posyandu in two
    thirds of the desa with fewer Posyandu than dusun (one third of those only partly).
    """
    kab = f"{spec.prov:02d}{spec.kab:02d}"
    parts: list[dict] = []

    def add(source, year, activity, amount, desa_codes=None, facility=None, status="usulan",
            note=None):
        amount = np.asarray(amount, dtype=float)
        k = len(amount)
        if not k:
            return
        parts.append(_cols(k, source=source, year=year, activity=activity,
                           target_desa=desa_codes if desa_codes is not None else None,
                           target_facility=facility if facility is not None else None,
                           amount=amount, status=status, note=note))

    ftype = fac["type"]
    codes = desa["code"]
    with_unit = set(fac["desa_code"][(ftype == "pustu") | (ftype == "puskesmas")])
    no_pustu = np.array([c for c in codes if c not in with_unit], dtype=object)
    no_pustu = no_pustu[rng.permutation(len(no_pustu))]
    m = len(no_pustu)
    full, part = no_pustu[: int(m * 0.3)], no_pustu[int(m * 0.3): int(m * 0.45)]
    add("dak_fisik", rng.choice([2026, 2027], len(full)), "build_pustu",
        np.full(len(full), 1_500_000_000), full,
        status=np.where(np.arange(len(full)) % 3 == 0, "usulan", "disetujui").astype(object))
    add("dana_desa", 2026, "build_pustu", rng.choice([250, 400, 600], len(part)) * 1_000_000,
        part, note="lahan dan pondasi / land and foundation")
    is_pustu = ftype == "pustu"
    pre = np.flatnonzero(is_pustu & fac["precursor"].astype(bool))
    pre = pre[: max(1, len(pre) // 2)] if len(pre) else pre
    add("dak_fisik", 2026, "upgrade_pustu", np.full(len(pre), 600_000_000),
        fac["desa_code"][pre], fac["fac_id"][pre])
    full_pustu = np.flatnonzero(is_pustu & ~fac["precursor"].astype(bool))
    if len(full_pustu):
        eq = rng.choice(full_pustu, max(1, len(full_pustu) // 8), replace=False)
        add("dak_non_fisik", 2026, "equip", np.full(len(eq), 250_000_000),
            fac["desa_code"][eq], fac["fac_id"][eq], status="disetujui")
        rv = rng.choice(full_pustu, min(2, len(full_pustu)), replace=False)
        add("pihak_ketiga", 2025, "renovate", np.full(len(rv), 350_000_000),
            fac["desa_code"][rv], fac["fac_id"][rv], status="terealisasi",
            note="hibah donor / donor grant")
        st = rng.choice(full_pustu, min(3, len(full_pustu)), replace=False)
        add("dau", 2027, "add_nakes", np.full(len(st), 60_000_000), fac["desa_code"][st],
            fac["fac_id"][st])
    pk = np.flatnonzero(ftype == "puskesmas")
    kader = rng.integers(20, 80, len(pk))
    add("bok", 2026, "train_kader", kader * 1_500_000.0, None, fac["fac_id"][pk],
        status="disetujui", note=np.array([f"{k} kader" for k in kader], dtype=object))
    index = {c: i for i, c in enumerate(codes)}
    posy = np.bincount([index[c] for c in fac["desa_code"][ftype == "posyandu"]],
                       minlength=len(codes))
    gap = desa["dusun_count"] - posy
    gd = np.flatnonzero(gap > 0)
    kind = np.arange(len(gd)) % 3  # 0 funded in full, 1 partly, 2 unfunded
    add("dana_desa", 2026, "open_posyandu",
        np.where(kind[kind < 2] == 0, gap[gd][kind < 2] * 25_000_000, 15_000_000),
        codes[gd][kind < 2])
    if not parts:
        return _cols(0, **{c: np.empty(0, dtype=object) for c in model.BUDGET.column_names})
    out = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
    k = len(out["amount"])
    out = {"budget_id": np.array([f"ANG-{kab}-{i + 1:04d}" for i in range(k)], dtype=object),
           **out}
    return {c: out[c] for c in model.BUDGET.column_names}



register_catalog("layers", "sample")


# ------------------------------------------------------------------------------------------------
# Raw sources, as a district health office hands them over (with defects)
# ------------------------------------------------------------------------------------------------
SOURCE_FILES = {
    "desa": "batas_desa.geojson",
    "kecamatan": "batas_kecamatan.geojson",
    "kabupaten": "batas_kabupaten.geojson",
    "puskesmas": "puskesmas.xlsx",
    "puskesmas_csv": "puskesmas.csv",
    "pustu": "pustu.csv",
    "posyandu": "posyandu.csv",
    "roads": "jalan.geojson",
    # provincial and national data sets come as GeoPackage (as BIG hands them out)
    "desa_gpkg": "batas_desa.gpkg",
    "kecamatan_gpkg": "batas_kecamatan.gpkg",
    "kabupaten_gpkg": "batas_kabupaten.gpkg",
    "roads_gpkg": "jalan.gpkg",
    "settlements": "permukiman.csv",
    "budget": "anggaran.xlsx",
    "budget_csv": "anggaran.csv",
    "defects": "DEFECTS.csv",
    "readme": "README.txt",
}

_ROAD_LABELS = {"arteri": "Arteri", "kolektor": "Kolektor", "lokal": "Lokal",
                "lingkungan": "Lingkungan", "setapak": "Jalan setapak", "ferry": "Penyeberangan"}
_SOURCE_LABELS = {"dak_fisik": "DAK Fisik", "dak_non_fisik": "DAK Non Fisik", "bok": "BOK",
                  "dau": "DAU", "dana_desa": "Dana Desa", "pihak_ketiga": "Pihak Ketiga",
                  "lainnya": "Lainnya"}
_ACTIVITY_LABELS = {"build_pustu": "Pembangunan Pustu", "upgrade_pustu": "Peningkatan Poskesdes "
                    "menjadi Pustu", "renovate": "Rehabilitasi Pustu", "equip": "Pengadaan alat "
                    "kesehatan Pustu", "add_nakes": "Penambahan tenaga kesehatan",
                    "train_kader": "Pelatihan kader Posyandu", "open_posyandu":
                    "Pembentukan Posyandu baru", "other": "Lainnya"}
_STATUS_LABELS = {"usulan": "Usulan", "disetujui": "Disetujui", "terealisasi": "Terealisasi"}


class _Defects:
    """Collects the deliberate defects written into the sources (the DEFECTS.csv manifest)."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, file: str, rows, kind: str, detail: str = "") -> None:
        for r in np.atleast_1d(rows):
            self.rows.append({"file": file, "row": int(r) + 1, "kind": kind, "detail": detail})


def _pick(rng, pool: np.ndarray, k: int, used: set) -> np.ndarray:
    """``k`` distinct row positions from ``pool`` not used yet by another defect (so each row
    carries one defect and DEFECTS.csv stays unambiguous)."""
    pool = np.asarray(pool)
    if used:
        pool = pool[~np.isin(pool, np.fromiter(used, dtype=int, count=len(used)))]
    k = min(k, len(pool))
    out = rng.choice(pool, k, replace=False) if k else np.empty(0, dtype=int)
    used.update(int(v) for v in out)
    return np.sort(out)


def _n_defects(n: int, rate: float, minimum: int) -> int:
    return int(min(n, max(minimum, round(n * rate))))


def _dms(value: float, pos: str, neg: str) -> str:
    hemi = pos if value >= 0 else neg
    v = abs(value)
    d = int(v)
    m = int((v - d) * 60)
    s = (v - d - m / 60) * 3600
    return f"{d}°{m:02d}'{s:04.1f}\"{hemi}"


def _comma(values, decimals: int = 6) -> np.ndarray:
    """Numbers written the Indonesian way: comma decimals, as text."""
    arr = np.asarray(values, dtype=float)
    out = np.char.replace(np.char.mod(f"%.{decimals}f", arr), ".", ",").astype(object)
    out[~np.isfinite(arr)] = ""
    return out


def write_sources(project: Project, directory, *, seed: int = 1,
                  workbooks: bool | None = None, geopackage: bool | None = None,
                  progress=None, is_cancelled=None) -> list:
    """Write the raw source files of ``project`` (made by :func:`generate_sample`) to
    ``directory`` and return their paths.

    The files look like what a Dinkes hands over — BIG-RBI-like boundary GeoJSON, a Kemenkes-style
    Puskesmas workbook, a semicolon/comma-decimal Latin-1 Pustu CSV, a UTF-8 Posyandu CSV with free
    Indonesian headers, a road GeoJSON and a budget workbook with amounts in mixed spellings — and
    carry deliberate defects, each listed in ``DEFECTS.csv`` (file, 1-based data row, kind).
    ``workbooks`` chooses XLSX (True) or CSV twins (False: ``puskesmas.csv``, ``anggaran.csv``)
    for the Puskesmas and budget tables; by default large scales (over 5,000 desa) write CSV.
    ``geopackage`` writes the boundaries and roads as GeoPackage (``batas_desa.gpkg`` …,
    ``jalan.gpkg``) instead of GeoJSON — a provincial or national data set comes that way; by
    default the ``provinsi`` and ``nasional`` scales do, the kabupaten scale writes GeoJSON.
    """
    import csv
    from pathlib import Path

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([int(seed), 31337])
    defects = _Defects()
    written: list[Path] = []
    big = (len(project.desa) > 5000) if workbooks is None else not workbooks
    if geopackage is None:
        geopackage = project.meta.get("sample_scale", "kabupaten") in ("provinsi", "nasional")
    vec = "_gpkg" if geopackage else ""
    write_vector = _write_gpkg if geopackage else _write_geojson
    desa, kec, kab = project.desa, project.kecamatan, project.kabupaten
    fac = project.facilities
    steps = 9

    def step(i: int, key: str) -> None:
        checkpoint(progress, is_cancelled, i / steps, tr("sample.progress.source", file=key))

    # --- boundaries: BIG-RBI-like headers -------------------------------------------------
    step(0, SOURCE_FILES["desa" + vec])
    kab_name = dict(zip(kab["code"], kab["name"], strict=True))
    prov_name = "Provinsi Contoh (fiktif)"
    code = desa["code"].to_numpy(dtype=object).copy()
    used: set[int] = set()
    n = len(desa)
    nodot = _pick(rng, np.arange(n), _n_defects(n, 0.03, 4), used)
    code[nodot] = [c.replace(".", "") for c in code[nodot]]
    defects.add(SOURCE_FILES["desa" + vec], nodot, "code_without_dots", "KDEPUM")
    lost = _pick(rng, np.arange(n), _n_defects(n, 0.01, 2), used)
    code[lost] = [".".join(str(int(p)) for p in c.split(".")) for c in code[lost]]
    defects.add(SOURCE_FILES["desa" + vec], lost, "code_lost_leading_zeros", "KDEPUM")
    pop = desa["population"].to_numpy(dtype=float)
    d_out = gpd.GeoDataFrame({
        "NAMOBJ": desa["name"].values,
        "KDEPUM": code,
        "KDBBPS": desa["code_bps"].values,
        "WADMKD": desa["name"].values,
        "WADMKC": desa["kecamatan_name"].values,
        "KDCPUM": desa["kecamatan_code"].values,
        "WADMKK": [kab_name.get(c[:5], "") for c in desa["code"]],
        "WADMPR": prov_name,
        "TIPADM": np.where(desa["kind"] == "kelurahan", 5, 4),
        "KATEGORI": np.where(desa["kind"] == "kelurahan", "Kelurahan", "Desa"),
        "JML_PDDK": pop,
        "JML_DUSUN": desa["dusun_count"].values,
        "AKI": desa["aki"].values, "AKB": desa["akb"].values,
        "STUNTING_PERSEN": np.round(desa["stunting"].to_numpy(dtype=float) * 100, 1),
        "KETERANGAN": "DATA FIKTIF",
    }, geometry=desa.geometry.values, crs=model.WGS84)
    written.append(write_vector(d_out, directory / SOURCE_FILES["desa" + vec]))
    k_out = gpd.GeoDataFrame({
        "NAMOBJ": kec["name"].values, "KDCPUM": kec["code"].values,
        "KDCBPS": kec["code_bps"].values, "WADMKK": [kab_name.get(c[:5], "")
                                                     for c in kec["code"]],
        "WADMPR": prov_name, "TIPADM": 3, "KETERANGAN": "DATA FIKTIF",
    }, geometry=kec.geometry.values, crs=model.WGS84)
    written.append(write_vector(k_out, directory / SOURCE_FILES["kecamatan" + vec]))
    kb_out = gpd.GeoDataFrame({
        "NAMOBJ": kab["name"].values, "KDPKAB": kab["code"].values,
        "KDBBPS": kab["code_bps"].values, "WADMPR": prov_name, "TIPADM": 2,
        "JML_PDDK": kab["population"].values, "KETERANGAN": "DATA FIKTIF",
    }, geometry=kab.geometry.values, crs=model.WGS84)
    written.append(write_vector(kb_out, directory / SOURCE_FILES["kabupaten" + vec]))

    lon = fac.geometry.x.to_numpy()
    lat = fac.geometry.y.to_numpy()
    desa_name = dict(zip(desa["code"], desa["name"], strict=True))
    kec_name = dict(zip(kec["code"], kec["name"], strict=True))
    fac_name = dict(zip(fac["fac_id"], fac["name"], strict=True))
    minx, miny, maxx, maxy = kab.total_bounds

    def outside_point() -> tuple[float, float]:
        """A place clearly outside every generated district (west of the data, at sea)."""
        return float(minx - rng.uniform(0.4, 0.8)), float(rng.uniform(miny, maxy))

    # --- Puskesmas (Kemenkes-style workbook) ------------------------------------------------
    step(2, SOURCE_FILES["puskesmas"])
    pk = fac[fac["type"] == "puskesmas"]
    pi = np.flatnonzero((fac["type"] == "puskesmas").to_numpy())
    pk_tab = pd.DataFrame({
        "kode_faskes": pk["fac_id"].values,
        "nama_faskes": pk["name"].values,
        "jenis_faskes": "Puskesmas",
        "kode_kecamatan": pk["kecamatan_code"].values,
        "kecamatan": [kec_name.get(c, "") for c in pk["kecamatan_code"]],
        "desa": pk["declared_desa"].values,
        "lat_": np.round(lat[pi], 7).astype(object), "long_": np.round(lon[pi], 7).astype(object),
        "lokus_ilp": np.where(pk["ilp_lokus"].fillna(False).astype(bool), "Ya", "Tidak"),
        "coe": np.where(pk["coe"].fillna(False).astype(bool), "Ya", "Tidak"),
        "tgl_mulai_ilp": pk["ilp_start"].values,
        **{c: pk[c].values for c in model.COE_COLUMNS},
        "jml_perawat": pk["nurses"].values, "jml_bidan": pk["midwives"].values,
        "jml_nakes": pk["nakes"].values,
    })
    used: set[int] = set()
    m = len(pk_tab)
    fname = SOURCE_FILES["puskesmas_csv" if big else "puskesmas"]
    r = _pick(rng, np.arange(m), _n_defects(m, 0.01, 1), used)
    pk_tab.loc[r, ["lat_", "long_"]] = pk_tab.loc[r, ["long_", "lat_"]].to_numpy()
    defects.add(fname, r, "swapped_coordinates")
    r = _pick(rng, np.arange(m), _n_defects(m, 0.01, 1), used)
    pk_tab.loc[r, "lat_"] = _comma(pk_tab.loc[r, "lat_"].astype(float))
    pk_tab.loc[r, "long_"] = _comma(pk_tab.loc[r, "long_"].astype(float))
    defects.add(fname, r, "comma_decimal_text")
    r = _pick(rng, np.arange(m), _n_defects(m, 0.005, 1), used)
    pk_tab.loc[r, "lat_"] = [_dms(float(v), "N", "S") for v in pk_tab.loc[r, "lat_"]]
    pk_tab.loc[r, "long_"] = [_dms(float(v), "E", "W") for v in pk_tab.loc[r, "long_"]]
    defects.add(fname, r, "dms_coordinates")
    # one row repeated (a duplicate) at the end
    dup = _pick(rng, np.arange(m), _n_defects(m, 0.005, 1), used)
    pk_tab = pd.concat([pk_tab, pk_tab.iloc[dup]], ignore_index=True)
    defects.add(fname, np.arange(m, m + len(dup)), "duplicate",
                "; ".join(pk_tab["kode_faskes"].iloc[dup]))
    if big:
        pk_tab.to_csv(directory / fname, index=False, encoding="utf-8")
        written.append(directory / fname)
    else:
        written.append(_write_xlsx(pk_tab, directory / fname, "Data Puskesmas",
                                   date_cols=("tgl_mulai_ilp",)))

    # --- Pustu: semicolons, comma decimals, Latin-1 -------------------------------------------
    step(3, SOURCE_FILES["pustu"])
    pt_mask = (fac["type"] == "pustu").to_numpy()
    pt = fac[pt_mask]
    ti = np.flatnonzero(pt_mask)
    parent = pt["parent_id"].to_numpy(dtype=object).copy()
    pname = pt["parent_name"].to_numpy(dtype=object)
    parent = np.where(pd.isna(parent), pname, parent)  # a name where the id was not given
    pt_tab = pd.DataFrame({
        "kode_pustu": pt["fac_id"].values,
        "nama_pustu": pt["name"].values,
        "jenis": pt["type_original"].values,
        "kode_desa": pt["desa_code"].values,
        "desa": pt["declared_desa"].values,
        "kecamatan": [kec_name.get(c, "") for c in pt["kecamatan_code"]],
        "puskesmas_induk": parent,
        "lintang": _comma(lat[ti]), "bujur": _comma(lon[ti]),
        "perawat": pt["nurses"].values, "bidan": pt["midwives"].values,
        "jumlah_nakes": pt["nakes"].values,
    })
    m = len(pt_tab)
    used: set[int] = set()
    fname = SOURCE_FILES["pustu"]
    r = _pick(rng, np.arange(m), _n_defects(m, 0.01, 2), used)
    pt_tab.loc[r, ["lintang", "bujur"]] = pt_tab.loc[r, ["bujur", "lintang"]].to_numpy()
    defects.add(fname, r, "swapped_coordinates")
    r = _pick(rng, np.arange(m), _n_defects(m, 0.01, 2), used)
    pt_tab.loc[r, "lintang"] = [_dms(v, "N", "S") for v in lat[ti][r]]
    pt_tab.loc[r, "bujur"] = [_dms(v, "E", "W") for v in lon[ti][r]]
    defects.add(fname, r, "dms_coordinates")
    r = _pick(rng, np.arange(m), _n_defects(m, 0.004, 1), used)
    pt_tab.loc[r, ["lintang", "bujur"]] = "0"
    defects.add(fname, r, "zero_coordinates", "locate by kode_desa/desa")
    r = _pick(rng, np.arange(m), _n_defects(m, 0.02, 3), used)
    pt_tab.loc[r, "kode_desa"] = [c.replace(".", "") for c in pt_tab.loc[r, "kode_desa"]]
    defects.add(fname, r, "code_without_dots", "kode_desa")
    r = _pick(rng, np.arange(m), _n_defects(m, 0.01, 2), used)
    pt_tab.loc[r, "kode_desa"] = [".".join(str(int(p)) for p in c.split("."))
                                  for c in pt_tab.loc[r, "kode_desa"]]
    defects.add(fname, r, "code_lost_leading_zeros", "kode_desa")
    r = _pick(rng, np.arange(m), _n_defects(m, 0.005, 1), used)
    pt_tab.loc[r, "puskesmas_induk"] = "P9999999999"
    defects.add(fname, r, "orphan", "puskesmas_induk P9999999999 does not exist")
    extra = []
    dup = _pick(rng, np.arange(m), _n_defects(m, 0.01, 2), used)
    for j in dup:
        row = pt_tab.iloc[j].copy()
        row["nama_pustu"] = row["nama_pustu"].upper()  # same place, spelled differently
        extra.append((row, "duplicate", f"of row {j + 1} ({pt_tab['kode_pustu'].iloc[j]})"))
    lon_o, lat_o = outside_point()
    extra.append((pd.Series({"kode_pustu": "PT-LUAR-01", "nama_pustu": "Pustu Pulau Seberang",
                             "jenis": "Pustu", "kode_desa": "", "desa": "Seberang",
                             "kecamatan": "", "puskesmas_induk": "", "lintang": _comma([lat_o])[0],
                             "bujur": _comma([lon_o])[0], "perawat": 1.0, "bidan": 1.0,
                             "jumlah_nakes": 2.0}), "outside_district", ""))
    some = pt_tab.iloc[int(rng.integers(0, m))].copy()
    j = int(some.name)
    if j < len(ti):  # a neighbour ~100 m away (an extra row, not a copy of this Pustu)
        some["lintang"] = _comma([lat[ti][j] + 0.0009])[0]
        some["bujur"] = _comma([lon[ti][j] - 0.0004])[0]
    extra.append((pd.Series({**some.to_dict(), "kode_pustu": "KL-0001",
                             "nama_pustu": f"Klinik Pratama {some['desa']}",
                             "jenis": "Klinik Pratama"}), "unknown_type", "Klinik Pratama"))
    pk_names = pk["name"].to_numpy()
    extra.append((pd.Series({**some.to_dict(), "kode_pustu": "PKD-0001",
                             "nama_pustu": f"Poskesdes {some['desa']} Lama",
                             "jenis": "Poskesdes",
                             "lintang": _comma([lat[ti][j] - 0.0007])[0] if j < len(ti)
                             else some["lintang"],
                             "puskesmas_induk": str(pk_names[0]).upper()}),
                  "precursor_type", "Poskesdes (read as a Pustu precursor)"))
    for row, kind, detail in extra:
        defects.add(fname, [len(pt_tab)], kind, detail)
        pt_tab = pd.concat([pt_tab, row.to_frame().T], ignore_index=True)
    for col in ("perawat", "bidan", "jumlah_nakes"):
        pt_tab[col] = _comma(pd.to_numeric(pt_tab[col], errors="coerce"), 0)
    pt_tab.to_csv(directory / fname, sep=";", index=False, encoding="latin-1")
    written.append(directory / fname)

    # --- Posyandu: UTF-8 CSV with free Indonesian headers ------------------------------------
    step(4, SOURCE_FILES["posyandu"])
    py_mask = (fac["type"] == "posyandu").to_numpy()
    py = fac[py_mask]
    yi = np.flatnonzero(py_mask)
    parent_ids = py["parent_id"].to_numpy(dtype=object)
    parent_names = np.array([fac_name.get(p, "") if isinstance(p, str) else "" for p in
                             parent_ids], dtype=object)
    given_names = py["parent_name"].to_numpy(dtype=object)
    parent_names = np.where(pd.notna(given_names), given_names, parent_names)
    py_tab = pd.DataFrame({
        "no": np.arange(1, len(py) + 1),
        "nama_posyandu": py["name"].values,
        "desa": py["declared_desa"].values,
        "kecamatan": [kec_name.get(c, "") for c in py["kecamatan_code"]],
        "lintang": np.round(lat[yi], 6).astype(object),
        "bujur": np.round(lon[yi], 6).astype(object),
        "jumlah_kader": py["kader"].astype("Int64").values,
        "strata": pd.Series(py["level"].values).str.capitalize().values,
        "kegiatan_setahun": py["sessions_per_year"].astype("Int64").values,
        "pustu_induk": parent_names,
    })
    m = len(py_tab)
    used: set[int] = set()
    fname = SOURCE_FILES["posyandu"]
    r = _pick(rng, np.arange(m), _n_defects(m, 0.004, 3), used)
    py_tab.loc[r, ["lintang", "bujur"]] = py_tab.loc[r, ["bujur", "lintang"]].to_numpy()
    defects.add(fname, r, "swapped_coordinates")
    r = _pick(rng, np.arange(m), _n_defects(m, 0.003, 3), used)
    py_tab.loc[r, ["lintang", "bujur"]] = 0.0
    defects.add(fname, r, "zero_coordinates", "locate by desa")
    r = _pick(rng, np.arange(m), _n_defects(m, 0.003, 3), used)
    py_tab.loc[r, "lintang"] = _comma(lat[yi][r])
    py_tab.loc[r, "bujur"] = _comma(lon[yi][r])
    defects.add(fname, r, "comma_decimal_text")
    r = _pick(rng, np.arange(m), _n_defects(m, 0.002, 2), used)
    py_tab.loc[r, "pustu_induk"] = "Pustu Tidak Ada"
    defects.add(fname, r, "orphan", "pustu_induk 'Pustu Tidak Ada' does not exist")
    dup = _pick(rng, np.arange(m), _n_defects(m, 0.003, 3), used)
    dup_rows = py_tab.iloc[dup].copy()
    dup_rows["lintang"] = pd.to_numeric(dup_rows["lintang"], errors="coerce") + 0.00005
    defects.add(fname, np.arange(m, m + len(dup)), "duplicate",
                "a second entry of the same Posyandu a few metres away")
    py_tab = pd.concat([py_tab, dup_rows], ignore_index=True)
    lon_o, lat_o = outside_point()
    out_row = py_tab.iloc[[0]].copy()
    out_row[["nama_posyandu", "desa", "kecamatan", "lintang", "bujur", "pustu_induk"]] = [
        "Posyandu Melati Seberang", "Seberang", "", round(lat_o, 6), round(lon_o, 6), ""]
    defects.add(fname, [len(py_tab)], "outside_district")
    py_tab = pd.concat([py_tab, out_row], ignore_index=True)
    py_tab["no"] = np.arange(1, len(py_tab) + 1)
    py_tab.to_csv(directory / fname, index=False, encoding="utf-8")
    written.append(directory / fname)

    # --- roads ------------------------------------------------------------------------------
    step(5, SOURCE_FILES["roads" + vec])
    roads = project.roads
    r_out = gpd.GeoDataFrame({
        "FUNGSI": roads["road_class"].map(_ROAD_LABELS).values,
        "NAMA": roads["name"].values,
        "WAKTU_MENIT": roads["crossing_minutes"].values,
    }, geometry=roads.geometry.values, crs=model.WGS84)
    written.append(write_vector(r_out, directory / SOURCE_FILES["roads" + vec]))

    # --- settlements (UTF-8 with BOM, as Excel writes it) -------------------------------------
    step(6, SOURCE_FILES["settlements"])
    st = project.settlements
    pd.DataFrame({
        "kode_desa": st["desa_code"].values, "nama": st["name"].values,
        "penduduk": st["population"].values,
        "lintang": np.round(st.geometry.y.to_numpy(), 6),
        "bujur": np.round(st.geometry.x.to_numpy(), 6),
    }).to_csv(directory / SOURCE_FILES["settlements"], index=False, encoding="utf-8-sig")
    written.append(directory / SOURCE_FILES["settlements"])

    # --- budget: amounts in the spellings people type ------------------------------------
    step(7, SOURCE_FILES["budget"])
    b = project.budget
    amount = b["amount"].to_numpy(dtype=float)
    style = rng.integers(0, 4, len(b))
    text = np.empty(len(b), dtype=object)
    for i, (a, s) in enumerate(zip(amount, style, strict=True)):
        if s == 0:
            text[i] = "Rp " + f"{a:,.0f}".replace(",", ".")
        elif s == 1 and a >= 1e9:
            text[i] = f"{a / 1e9:g} M".replace(".", ",")
        elif s == 1 and a >= 1e6:
            text[i] = f"{a / 1e6:g} jt".replace(".", ",")
        else:
            text[i] = int(a) if s != 3 else float(a)
    codes = b["target_desa"].to_numpy(dtype=object).copy()
    fname = SOURCE_FILES["budget_csv" if big else "budget"]
    nod = np.flatnonzero(pd.notna(codes))
    nod = _pick(rng, nod, _n_defects(len(nod), 0.05, 2), set())
    codes[nod] = [int(c.replace(".", "")) for c in codes[nod]]  # a number in Excel
    defects.add(fname, nod, "code_as_number", "kode_desa")
    b_tab = pd.DataFrame({
        "id": b["budget_id"].values,
        "sumber_dana": b["source"].map(_SOURCE_LABELS).values,
        "tahun": b["year"].astype("Int64").values,
        "kegiatan": b["activity"].map(_ACTIVITY_LABELS).values,
        "kode_desa": codes,
        "desa": [desa_name.get(c, "") if isinstance(c, str) else "" for c in
                 b["target_desa"]],
        "kode_faskes": b["target_facility"].values,
        "nilai": text,
        "status": b["status"].map(_STATUS_LABELS).values,
        "keterangan": b["note"].values,
    })
    if big:
        b_tab.to_csv(directory / fname, index=False, encoding="utf-8")
        written.append(directory / fname)
    else:
        written.append(_write_xlsx(b_tab, directory / fname, "Anggaran ILP"))

    # --- defects manifest and README --------------------------------------------------------
    step(8, SOURCE_FILES["defects"])
    with open(directory / SOURCE_FILES["defects"], "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["file", "row", "kind", "detail"])
        w.writeheader()
        w.writerows(defects.rows)
    written.append(directory / SOURCE_FILES["defects"])
    (directory / SOURCE_FILES["readme"]).write_text(_README.format(
        seed=int(seed), scale=project.meta.get("sample_scale", "kabupaten")), encoding="utf-8")
    written.append(directory / SOURCE_FILES["readme"])
    checkpoint(progress, is_cancelled, 1.0, tr("sample.progress.done"))
    return written


_GEOJSON_HEAD = ('{\n"type": "FeatureCollection",\n"name": "NAME",\n"crs": { "type": "name", '
                 '"properties": { "name": "urn:ogc:def:crs:OGC:1.3:CRS84" } },\n"features": [\n')


def _write_geojson(frame: gpd.GeoDataFrame, path) -> object:
    """Write a GeoJSON FeatureCollection (WGS 84, 6 decimals ≈ 0.1 m), fast at large scales:
    geometries through shapely's vectorised ``to_geojson``, attributes through pandas."""
    import os

    geoms = np.asarray(frame.geometry.values, dtype=object)
    geoms = shapely.transform(geoms, lambda c: np.round(c, 6))
    gj = shapely.to_geojson(geoms)
    gj = np.where(pd.isna(gj), "null", gj)
    props = pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_json(
        orient="records", lines=True, force_ascii=False, double_precision=10)
    props = props.rstrip("\n").split("\n") if len(frame) else []
    name = path.stem
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(_GEOJSON_HEAD.replace("NAME", name))
        fh.write(",\n".join(f'{{ "type": "Feature", "properties": {p}, "geometry": {g} }}'
                            for p, g in zip(props, gj, strict=True)))
        fh.write("\n]\n}\n")
    os.replace(tmp, path)
    return path


def _write_gpkg(frame: gpd.GeoDataFrame, path) -> object:
    """Write a GeoPackage layer named like the file (WGS 84; coordinates rounded to 6 decimals
    like the GeoJSON sources, so both spellings hold the same data)."""
    import os

    import pyogrio

    geoms = np.asarray(frame.geometry.values, dtype=object)
    out = frame.set_geometry(gpd.GeoSeries(shapely.transform(geoms, lambda c: np.round(c, 6)),
                                           index=frame.index, crs=frame.crs))
    tmp = path.with_name(path.stem + ".tmp" + path.suffix)
    tmp.unlink(missing_ok=True)
    pyogrio.write_dataframe(out, tmp, layer=path.stem, driver="GPKG",
                            promote_to_multi=False)
    os.replace(tmp, path)
    return path


def _write_xlsx(frame: pd.DataFrame, path, sheet: str, date_cols=()) -> object:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet
    ws.append(list(frame.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        ws.append([_xlsx_value(v) for v in row])
    for col in date_cols:
        j = list(frame.columns).index(col) + 1
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            cell.number_format = "DD/MM/YYYY"
    ws.freeze_panes = "A2"
    for j, col in enumerate(frame.columns, start=1):
        ws.column_dimensions[ws.cell(1, j).column_letter].width = max(10, min(40, len(col) + 4))
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    import os

    os.replace(tmp, path)
    return path


def _xlsx_value(v):
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


_README = """DATA FIKTIF / FICTIONAL DATA
============================

ID: Semua berkas di folder ini FIKTIF, dibuat oleh ILP-GIS ("ilp-gis sample", skala {scale},
seed {seed}). Tidak ada wilayah, fasilitas, orang atau anggaran yang nyata. Kode wilayah memakai
provinsi yang tidak ada (Kemendagri/BPS 99 dan nomor lain yang tidak dipakai).
Berkas-berkas ini meniru data mentah dari Dinas Kesehatan dan SENGAJA mengandung cacat data
(koordinat tertukar, desimal koma, format derajat-menit-detik, koordinat nol, kode tanpa titik
atau kehilangan angka nol, duplikat, fasilitas tanpa induk, fasilitas di luar kabupaten, jenis
fasilitas tak dikenal, Poskesdes). Daftar lengkap ada di DEFECTS.csv.

EN: Every file in this folder is FICTIONAL, generated by ILP-GIS ("ilp-gis sample", scale
{scale}, seed {seed}). No real area, facility, person or budget is described. Area codes use
provinces that do not exist (Kemendagri/BPS 99 and other unused numbers).
The files imitate raw data from a district health office and DELIBERATELY contain defects
(swapped coordinates, comma decimals, degree-minute-second strings, zero coordinates, codes
without dots or with lost leading zeros, duplicates, orphans, facilities outside the district,
an unknown facility type, a Poskesdes). DEFECTS.csv lists each one (file, 1-based data row,
kind).

Berkas / files:
  batas_kabupaten.geojson, batas_kecamatan.geojson, batas_desa.geojson  (BIG RBI-like headers;
      .gpkg instead of .geojson at the provinsi and nasional scales)
  puskesmas.xlsx (or puskesmas.csv at large scales)   Kemenkes-style headers
  pustu.csv      semicolon-separated, comma decimals, Latin-1 encoding
  posyandu.csv   comma-separated, UTF-8
  permukiman.csv settlement points (dusun/RW), UTF-8 with BOM
  jalan.geojson  (jalan.gpkg at large scales) roads; FUNGSI = road class, WAKTU_MENIT = ferry crossing minutes
  anggaran.xlsx (or anggaran.csv at large scales)    budget lines, amounts in mixed spellings
"""

