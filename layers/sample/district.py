"""One generated district: land, desa, kecamatan, kabupaten, settlements, then its facilities,
roads and budget, as column arrays.

May import the domain model (``ilp_gis``) and the sibling modules of ``layers.sample``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree

from ilp_gis import model
from layers.sample._columns import cols
from layers.sample.budget import make_budget
from layers.sample.facilities import make_facilities
from layers.sample.geometry import (
    coast_cut,
    desa_cells,
    inner_xy,
    jittered_seeds,
    radial_outline,
    random_points_in,
    to_lonlat,
    union,
)
from layers.sample.names import unique_names
from layers.sample.roads import make_roads


@dataclass(frozen=True)
class TileSpec:
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


DESA_SPACING_M = 3000.0  # typical distance between neighbouring desa centres


def build_tile(spec: TileSpec, rng: np.random.Generator) -> dict:
    """Every layer of one district as column arrays (``budget`` without geometry)."""
    pp, kk = f"{spec.prov:02d}", f"{spec.kab:02d}"
    kab_code, kab_bps = f"{pp}.{kk}", f"{pp}{kk}"
    land, coast_y, islands, n_island_desa, n_main, radius = _land(spec, rng)
    seeds, is_town = _town_and_desa_seeds(rng, land, coast_y, radius, n_main)

    polys = list(desa_cells(rng, seeds, land, spec.wiggle))
    landmass = [0] * len(seeds)
    for k, isl in enumerate(islands):
        s_i = jittered_seeds(rng, isl, n_island_desa[k])
        polys += list(desa_cells(rng, s_i, isl, spec.wiggle))
        landmass += [k + 1] * len(s_i)
        is_town = np.concatenate([is_town, np.zeros(len(s_i), bool)])
    polys = np.array(polys, dtype=object)
    landmass = np.array(landmass)
    n = len(polys)
    centers = inner_xy(polys)

    kec_of, capital_kec = _kecamatan_of(centers, landmass, spec.n_kec, len(islands))
    # desa west→east within the kecamatan
    order = np.lexsort((-centers[:, 1], centers[:, 0], kec_of))
    polys, centers, kec_of, is_town, landmass = (polys[order], centers[order], kec_of[order],
                                                 is_town[order], landmass[order])

    # --- names and codes -------------------------------------------------------------------
    names = unique_names(rng, n + spec.n_kec)
    kec_names = names[n:]
    kec_names[capital_kec] = "Kota " + spec.name.replace("Kabupaten ", "").replace(" Contoh", "")
    if spec.name == "Kabupaten Contoh":
        kec_names[capital_kec] = "Kota Contoh"
    desa_names = names[:n]
    kind = np.where(is_town, model.DesaKind.KELURAHAN.value, model.DesaKind.DESA.value)
    desa_code, desa_bps = _desa_codes(kab_code, kab_bps, kec_of, is_town)
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
    desa_df = cols(n, code=desa_code, code_bps=np.array(desa_bps, dtype=object),
                   code_original=desa_code, name=np.array(desa_names, dtype=object),
                   kind=kind.astype(object), kecamatan_code=kec_code_arr[kec_of],
                   kecamatan_name=kec_names_arr[kec_of], population=pop,
                   dusun_count=dusun.astype(float), aki=aki, akb=akb, stunting=stunting,
                   geometry=to_lonlat(polys, spec.lon, spec.lat))

    # kecamatan and kabupaten polygons: exact unions of the desa coverage
    kec_polys = np.empty(spec.n_kec, dtype=object)
    for k in range(spec.n_kec):
        kec_polys[k] = union(polys[kec_of == k])
    kab_poly = union(polys)
    kec_df = cols(spec.n_kec, code=kec_code_arr, code_bps=np.array(kec_bps, dtype=object),
                  code_original=kec_code_arr, name=kec_names_arr, kabupaten_code=kab_code,
                  geometry=to_lonlat(kec_polys, spec.lon, spec.lat))
    kab_df = cols(1, code=kab_code, code_bps=kab_bps, code_original=kab_code, name=spec.name,
                  population=float(pop.sum()),
                  geometry=to_lonlat(np.array([kab_poly], dtype=object), spec.lon, spec.lat))

    set_xy, set_desa, set_rank, settlements_df = _settlements(rng, spec, polys, centers, pop,
                                                              dusun, kind, desa_code)

    fac = make_facilities(rng, spec, n, centers, polys, kec_of, capital_kec, pop, dusun,
                          set_xy, set_desa, desa_code, desa_bps, desa_names, kec_code,
                          kec_names, kind)
    fac_xy = fac.pop("_xy")
    fac["geometry"] = to_lonlat(shapely.points(fac_xy), spec.lon, spec.lat)

    roads_geoms, roads_cls, roads_names, roads_cross = make_roads(
        rng, spec, centers, kec_of, landmass, land, islands, set_xy, set_desa, set_rank,
        fac_xy, fac["type"], desa_names)
    roads_df = cols(len(roads_geoms), road_class=roads_cls, name=roads_names,
                    crossing_minutes=roads_cross,
                    geometry=to_lonlat(roads_geoms, spec.lon, spec.lat))

    budget_df = make_budget(rng, spec, desa_df, fac)
    return {"kabupaten": kab_df, "kecamatan": kec_df, "desa": desa_df,
            "facilities": fac, "roads": roads_df, "settlements": settlements_df,
            "budget": budget_df}


def _land(spec: TileSpec, rng: np.random.Generator):
    """A noisy outline, cut by the sea where the district has a coast, plus small islands.

    Returns (mainland, coastline function or None, island outlines, desa per island, desa on
    the mainland, radius).
    """
    n_island_desa = [int(rng.integers(2, 4)) for _ in range(spec.n_islands)]
    n_main = spec.n_desa - sum(n_island_desa)
    frac = 0.72 if spec.coast else 1.0
    radius = math.sqrt(n_main * DESA_SPACING_M ** 2 / (math.pi * frac))
    outline = radial_outline(rng, 0.0, 0.0, radius)
    if spec.coast:
        land, coast_y = coast_cut(rng, outline, radius)
    else:
        land, coast_y = outline, None
    islands = []
    for k, nd in enumerate(n_island_desa):
        r_i = math.sqrt(nd * (DESA_SPACING_M * 0.75) ** 2 / math.pi)
        for _ in range(50):
            x = rng.uniform(-0.55, 0.55) * radius + (k - 0.5) * radius * 0.5
            y = coast_y(x) - rng.uniform(5000, 9000) if coast_y is not None else -radius * 1.3
            isl = radial_outline(rng, x, y, r_i, n=120, roughness=0.8)
            if shapely.distance(isl, land) > 2500 and all(
                    shapely.distance(isl, o) > 2500 for o in islands):
                break
        islands.append(isl)
    return land, coast_y, islands, n_island_desa, n_main, radius


def _town_and_desa_seeds(rng: np.random.Generator, land, coast_y, radius: float, n_main: int):
    """Desa seeds of the mainland, the first ones a denser town (the kelurahan) around the
    district capital: a coastal point, or the middle.  Returns (seeds, is_town)."""
    seeds = jittered_seeds(rng, land, n_main)
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
    return seeds, is_town


def _kecamatan_of(centers: np.ndarray, landmass: np.ndarray, n_kec: int, n_islands: int):
    """The kecamatan of each desa: the nearest of a few well-spread seeds (an island joins the
    kecamatan nearest to it), numbered west→east for readable codes.

    Returns (kecamatan number of each desa, number of the capital's kecamatan).
    """
    n = len(centers)
    main = np.flatnonzero(landmass == 0)
    k_seeds = [0]  # seed 0 (the town centre) founds the capital kecamatan
    dist = np.hypot(*(centers[main] - centers[main[0]]).T)
    for _ in range(n_kec - 1):  # farthest-point sampling
        i = int(np.argmax(dist))
        k_seeds.append(i)
        dist = np.minimum(dist, np.hypot(*(centers[main] - centers[main[i]]).T))
    k_xy = centers[main[k_seeds]]
    kec_of = np.empty(n, dtype=int)
    kec_of[main] = cKDTree(k_xy).query(centers[main])[1]
    main_tree = cKDTree(centers[main])
    for m in range(1, n_islands + 1):
        isl_idx = np.flatnonzero(landmass == m)
        dist_m, near_main = main_tree.query(centers[isl_idx])
        kec_of[isl_idx] = kec_of[main[near_main[np.argmin(dist_m)]]]
    k_rank = np.argsort(np.argsort(k_xy[:, 0] - k_xy[:, 1] * 0.2))
    return k_rank[kec_of], int(k_rank[0])


def _desa_codes(kab_code: str, kab_bps: str, kec_of: np.ndarray, is_town: np.ndarray):
    """Kemendagri codes (kelurahan 1xxx, desa 2xxx within the kecamatan) and BPS codes."""
    desa_code, desa_bps = [], []
    seq_desa: dict[int, int] = {}
    seq_kel: dict[int, int] = {}
    seq_bps: dict[int, int] = {}
    for i in range(len(kec_of)):
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
    return desa_code, desa_bps


def _settlements(rng: np.random.Generator, spec: TileSpec, polys, centers, pop, dusun, kind,
                 desa_code):
    """One settlement per dusun (RW in a kelurahan), the first at the desa centre.

    Returns (points, desa of each, rank within its desa, the settlements layer's columns).
    """
    n = len(polys)
    extra = dusun.astype(int) - 1
    sxy, sowner = random_points_in(rng, polys, extra, avoid_edge=250.0)
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
    dusun_names = np.array(["Dusun " + x for x in unique_names(rng, 60)], dtype=object)
    rw_names = np.array([f"RW {r + 1:02d}" for r in range(12)], dtype=object)
    set_name = np.where(kind[set_desa] == "desa", dusun_names[(set_desa * 7 + set_rank) % 60],
                        rw_names[np.minimum(set_rank, 11)])
    frame = cols(len(set_desa), desa_code=desa_code[set_desa], name=set_name,
                 population=set_pop.astype(float),
                 geometry=to_lonlat(shapely.points(set_xy), spec.lon, spec.lat))
    return set_xy, set_desa, set_rank, frame
