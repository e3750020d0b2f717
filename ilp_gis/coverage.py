"""Coverage per desa against the ILP rules (presence, staffing, distance, travel time,
capacity), rolled up per kecamatan and kabupaten; vectorised throughout.
Imports geopandas, numpy, pandas and ``ilp_gis`` (model, geo, rules, speed).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_gis import desa_counts, model
from ilp_gis.geo import in_one_zone, lonlat_of, nearest_ground, project_xy
from ilp_gis.rules import Rules
from ilp_gis.speed.arrow import positions

PUSKESMAS, PUSTU, POSYANDU = (t.value for t in model.FacilityType)


def serving_mask(fac: pd.DataFrame, ftype: str) -> np.ndarray:
    """Facilities of ``ftype`` that serve people for distance, travel-time and capacity
    coverage: located (finite projected ``x``/``y``; with a ``positioned`` column, only those it
    marks — a facility known only by its desa is left out unless the rules place it), and for
    Pustu not a Poskesdes/Polindes —
    a precursor is counted apart and is an upgrade candidate, not yet a Pustu (the same rule as
    the ``no_pustu`` gap and the siting model)."""
    mask = (fac["type"].to_numpy(object) == ftype) & np.isfinite(fac["x"].to_numpy(float)) \
        & np.isfinite(fac["y"].to_numpy(float))
    if "positioned" in fac:  # ilp_gis.location.positioned: desa-level ones only when placed
        mask &= fac["positioned"].to_numpy(bool)
    if ftype == PUSTU and "precursor" in fac:
        mask &= ~fac["precursor"].fillna(False).astype(bool).to_numpy()
    return mask


def pustu_required(n_puskesmas, rules: Rules) -> np.ndarray:
    """Per desa: does the ILP target ask for a Pustu there?  Every desa does, except — under
    ``target.pustu_in_puskesmas_desa = 0`` (the default) — a desa hosting a Puskesmas: the
    Puskesmas serves its own desa.  The one rule the gaps, coverage, budget and siting read."""
    n = np.asarray(n_puskesmas, dtype=float)
    if rules.value("target.pustu_in_puskesmas_desa", 0.0) >= 1:
        return np.ones(len(n), dtype=bool)
    return ~(n > 0)


@dataclass
class Coverage:
    desa: gpd.GeoDataFrame  # UTM, one row per desa, the coverage columns of results.py
    facilities: pd.DataFrame  # per facility: staff_ok, kader_ok, coe_score, coe_meets, ...
    points: pd.DataFrame  # per population point: desa_code, population, dist/travel to nearest


def _bool_na(values: np.ndarray, known: np.ndarray) -> pd.Series:
    return pd.Series(pd.array(np.where(known, values, False), dtype="boolean")).where(
        known, pd.NA)


def facility_checks(fac: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Staffing and kader per facility (NA where the data do not say); ``coe_score`` and
    ``coe_meets`` stay empty until :func:`ilp_gis.coe.with_units` puts each unit's on its
    Puskesmas."""
    t = fac["type"].to_numpy(object)
    nurses = pd.to_numeric(fac.get("nurses"), errors="coerce").to_numpy(float) \
        if "nurses" in fac else np.full(len(fac), np.nan)
    midwives = pd.to_numeric(fac.get("midwives"), errors="coerce").to_numpy(float) \
        if "midwives" in fac else np.full(len(fac), np.nan)
    nakes = pd.to_numeric(fac.get("nakes"), errors="coerce").to_numpy(float) \
        if "nakes" in fac else np.full(len(fac), np.nan)
    kader = pd.to_numeric(fac.get("kader"), errors="coerce").to_numpy(float) \
        if "kader" in fac else np.full(len(fac), np.nan)
    min_n = rules.value("target.pustu_min_nurses")
    min_m = rules.value("target.pustu_min_midwives")
    min_k = rules.value("target.pustu_min_nakes")
    by_role = np.isfinite(nurses) & np.isfinite(midwives)
    role_ok = (nurses >= min_n) & (midwives >= min_m)
    total = np.where(by_role, nurses + midwives, nakes)
    total_ok = nakes >= min_k
    is_pustu = t == PUSTU
    known = is_pustu & (by_role | np.isfinite(nakes))
    staff_ok = np.where(by_role, role_ok, total_ok)
    min_kader = rules.value("target.posyandu_min_kader")
    is_py = t == POSYANDU
    kader_known = is_py & np.isfinite(kader)
    kader_ok = kader >= min_kader
    out = pd.DataFrame({
        "fac_id": fac["fac_id"].to_numpy(), "type": t,
        "staff_total": np.where(is_pustu, total, np.nan),
        "staff_threshold": np.where(by_role, min_n + min_m, min_k),
        "staff_ok": _bool_na(staff_ok, known).to_numpy(),
        "kader": np.where(is_py, kader, np.nan),
        "kader_ok": _bool_na(kader_ok, kader_known).to_numpy(),
    })
    # COE readiness is scored per unit (ilp_gis.coe) and put on each unit's Puskesmas
    # (ilp_gis.coe.with_units); until then no facility has a COE score.
    out["coe_score"] = np.nan
    out["coe_meets"] = pd.array([pd.NA] * len(out), dtype="boolean")
    return out


def _capacities(fac: pd.DataFrame, ftype: str, rules: Rules) -> np.ndarray:
    default = float(rules.value(f"capacity.{ftype}_population", 0.0))
    own = pd.to_numeric(fac["capacity"], errors="coerce").to_numpy(float) \
        if "capacity" in fac else np.full(len(fac), np.nan)
    cap = np.where(np.isfinite(own), own, default if default > 0 else np.inf)
    return np.where(cap > 0, cap, np.where(np.isfinite(own), 0.0, np.inf))


def served_with_capacity(pop: np.ndarray, dist: np.ndarray, fac_idx: np.ndarray,
                         capacity: np.ndarray, limit: float) -> np.ndarray:
    """People served per population point when each facility serves its nearest-first
    catchment (points within ``limit`` whose nearest facility it is) up to its capacity."""
    served = np.zeros(len(pop))
    ok = (fac_idx >= 0) & (dist <= limit) & np.isfinite(pop)
    if not ok.any():
        return np.where(np.isfinite(pop), served, np.nan)
    idx = np.nonzero(ok)[0]
    order = idx[np.lexsort((dist[idx], fac_idx[idx]))]
    f = fac_idx[order]
    p = pop[order]
    cum = np.cumsum(p)
    start = np.r_[True, f[1:] != f[:-1]]
    group_base = np.maximum.accumulate(np.where(start, cum - p, 0.0))
    before = cum - p - group_base  # people already served by this facility
    cap = capacity[f]
    served[order] = np.clip(cap - before, 0.0, p)
    return np.where(np.isfinite(pop), served, np.nan)


def compute_coverage(desa: gpd.GeoDataFrame, fac: gpd.GeoDataFrame, points: gpd.GeoDataFrame,
                     rules: Rules, *, road=None, fields=None, nearest=None) -> Coverage:
    """Coverage of the prepared ``desa`` (UTM) by the prepared facilities ``fac`` (UTM) from the
    population ``points`` (UTM, ``ilp_gis.geo.population_points``).

    Per desa: Pustu present (a Poskesdes/Polindes counts apart, as a precursor) and Posyandu, from
    the facility list or a per-desa table's counts, one source per desa and type (the rule of
    ``ilp_gis.desa_counts``: the list when the type was loaded for the desa's kabupaten, else
    the table); Posyandu against ``dusun_count`` (else ``rw_count``) ``×
    target.posyandu_per_dusun``, and Posyandu per dusun/RW (``area_units``: dusun, else RW,
    else the PODES area-heads proxy, ``area_units_basis`` says which); Pustu staffing (nurses and midwives, else all
    nakes) and Posyandu kader against the rules; straight-line distance in the UTM zone from the
    desa's population points to the nearest Pustu and Puskesmas (KD-tree; geodesic when the data
    reach beyond that zone, :func:`ilp_gis.geo.nearest_ground`) and the population within
    the limits; travel minutes when a road graph is given; and capacity-respecting coverage next to
    the plain geographic one.

    Capacity (``capacity.pustu_population`` / ``capacity.puskesmas_population``, a facility's own
    ``capacity`` column overrides; 0 = no limit): each population point goes to its nearest facility
    within the distance limit; each facility serves its points nearest-first until its capacity is
    used up; the rest of its catchment counts as under-served.  ``pop_served_capacity`` (Pustu) and
    ``pop_served_capacity_puskesmas`` hold the people served that way, ``pop_within_*_km`` the plain
    geographic coverage.

    ``nearest(ftype, pxy, fac_xy, fac_ids, planar, crs)``, when given, returns the distance (m) to
    and index of each point's nearest facility of ``ftype`` as the KD-tree query would (the
    incremental re-analysis of ``ilp_gis.incremental`` measures only the points an edit reaches);
    a ``nearest`` with a ``point_ground(desa, points)`` method gives the :class:`PointGround`
    (kept between runs there) instead of :func:`point_ground` working it out.

    COE readiness is scored per unit, apart (``ilp_gis.coe``).
    """
    from ilp_gis.travel import minutes_to_nearest

    codes = desa["code"].to_numpy(object)
    nd = len(desa)
    t = fac["type"].to_numpy(object)
    code_index = pd.Index(codes, dtype=object)
    fpos = positions(fac["desa_code"].to_numpy(object), code_index).astype(np.int64)
    precursor = fac["precursor"].fillna(False).astype(bool).to_numpy() if "precursor" in fac \
        else np.zeros(len(fac), bool)

    def count(mask: np.ndarray) -> np.ndarray:
        sel = fpos[mask & (fpos >= 0)]
        return np.bincount(sel, minlength=nd).astype(np.int64)

    n_pk = count(t == PUSKESMAS)
    n_pt = count(t == PUSTU)
    n_pre = count((t == PUSTU) & precursor)
    n_py = count(t == POSYANDU)
    # facilities known only by count (per-desa tables): one source per desa and type
    n_pt, n_pre, n_py, sources = _with_table_counts(desa, fac, n_pt, n_pre, n_py)
    checks = facility_checks(fac, rules)

    out = pd.DataFrame({
        "code": codes,
        "name": desa["name"].to_numpy(object),
        "kecamatan_code": desa["kecamatan_code"].to_numpy(object),
        "kecamatan_name": desa["kecamatan_name"].to_numpy(object),
        "population": pd.to_numeric(desa["population"], errors="coerce").to_numpy(float)
        if "population" in desa else np.full(nd, np.nan),
        "dusun_count": pd.to_numeric(desa["dusun_count"], errors="coerce").to_numpy(float)
        if "dusun_count" in desa else np.full(nd, np.nan),
        "population_source": desa["population_source"].to_numpy(object)
        if "population_source" in desa else np.full(nd, None, dtype=object),
        "n_puskesmas": n_pk, "n_pustu": n_pt, "n_pustu_precursor": n_pre, "n_posyandu": n_py,
    })
    out["has_pustu"] = (n_pt - n_pre) > 0
    out["pustu_required"] = pustu_required(n_pk, rules)
    for col in sources.columns:  # text columns stay objects (None where no source)
        v = sources[col].to_numpy()
        out[col] = pd.Series(v, index=out.index, dtype=object) if v.dtype == object else v
    units, basis = desa_counts.area_units(desa)
    out["area_units"] = units
    out["area_units_basis"] = pd.Series(basis, index=out.index, dtype=object)
    with np.errstate(invalid="ignore", divide="ignore"):
        known = pd.notna(sources["posyandu_count_source"]).to_numpy()  # no source: no figure
        out["posyandu_per_area"] = np.where(np.isfinite(units) & known, n_py / units, np.nan)
    out["posyandu_needed"] = desa_counts.need_units(desa) * rules.value(
        "target.posyandu_per_dusun")
    out["posyandu_deficit"] = np.where(out["posyandu_needed"].notna() & desa_counts.count_known(
                                           out["posyandu_count_source"]),
                                       np.maximum(np.ceil(out["posyandu_needed"] - 1e-9)
                                                  - out["n_posyandu"], 0), np.nan)
    # Staffing per desa: False if any known Pustu is short, True if all known are fine, NA else.
    is_pt = (t == PUSTU) & ~precursor & (fpos >= 0)  # the desa's Pustu, as for has_pustu
    st = checks["staff_ok"]
    known = is_pt & st.notna().to_numpy()
    bad = known & ~st.fillna(True).astype(bool).to_numpy()
    n_known = np.bincount(fpos[known], minlength=nd)
    n_bad = np.bincount(fpos[bad], minlength=nd)
    out["pustu_nakes_ok"] = pd.array(np.where(n_known > 0, n_bad == 0, False), dtype="boolean")
    out.loc[n_known == 0, "pustu_nakes_ok"] = pd.NA
    is_py = (t == POSYANDU) & (fpos >= 0)
    kk = checks["kader_ok"]
    kknown = is_py & kk.notna().to_numpy()
    kgood = kknown & kk.fillna(False).astype(bool).to_numpy()
    nk = np.bincount(fpos[kknown], minlength=nd)
    ng = np.bincount(fpos[kgood], minlength=nd)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["kader_ok_share"] = np.where(nk > 0, ng / np.maximum(nk, 1), np.nan)

    # Distances from population points.
    given = getattr(nearest, "point_ground", None)
    pg = given(desa, points) if given is not None else point_ground(desa, points)
    ppos, pop, w, pxy = pg.ppos, pg.population, pg.weight, pg.xy
    xy = fac[["x", "y"]].to_numpy(float)
    pdata = pd.DataFrame({"desa_code": pg.desa_code, "population": pop,
                          "weight": w, "x": pxy[:, 0], "y": pxy[:, 1]})
    desa_pop_known = np.isfinite(out["population"].to_numpy(float))

    def per_desa(measure: np.ndarray, limit: float, mean_col: str, max_col: str,
                 within_col: str) -> None:
        """A per-point distance or time as the desa's weighted mean, maximum and the people
        within ``limit``."""
        within = np.where(np.isfinite(measure) & (measure <= limit), pop, 0.0)
        out[mean_col] = _wmean(measure, w, ppos, nd)
        out[max_col] = _wmax(measure, ppos, nd)
        out[within_col] = _psum(within, pop, ppos, nd, desa_pop_known)

    # one UTM zone: plane distances; data across zones: geodesic (ilp_gis.geo.nearest_ground)
    planar = in_one_zone(points.crs, pxy, xy[np.isfinite(xy).all(axis=1)])
    pll = None  # the points' lon/lat, worked out once for both facility types (across zones)
    for ftype, label in ((PUSTU, "pustu"), (PUSKESMAS, "puskesmas")):
        sel = np.nonzero(serving_mask(fac, ftype))[0]
        field = fields.get(ftype) if road is not None and fields is not None else None
        if nearest is not None:
            d, i = nearest(ftype, pxy, xy[sel], fac["fac_id"].to_numpy(object)[sel], planar,
                           points.crs)
        elif planar and field is not None and field.fac_tree is not None and len(pxy) and \
                np.array_equal(field.fac_xy, xy[sel]):  # the KD-tree query the travel time makes
            d, i = field.nearest_facility(pxy)
            d, i = np.asarray(d, dtype=float), np.asarray(i, dtype=np.int64)
        else:
            if not planar and pll is None and len(pxy):
                pll = lonlat_of(pxy, points.crs)
            d, i = nearest_ground(pxy, xy[sel], points.crs, planar=planar, src_lonlat=pll)
        km = np.where(np.isfinite(d), d / 1000.0, np.nan)
        pdata[f"dist_{label}_km"] = km
        near_ids = np.full(len(i), None, dtype=object)
        if len(sel):
            near_ids[i >= 0] = fac["fac_id"].to_numpy(object)[sel[i[i >= 0]]]
        pdata[f"nearest_{label}"] = near_ids
        limit = rules.value(f"limit.{label}_distance_km")
        per_desa(km, limit, f"dist_{label}_km", f"max_dist_{label}_km", f"pop_within_{label}_km")
        # Capacity-respecting coverage.
        cap = _capacities(fac.iloc[sel], ftype, rules)
        served = served_with_capacity(pop, np.where(np.isfinite(km), km, np.inf),
                                      np.where(i >= 0, i, -1), cap, limit)
        pdata[f"served_capacity_{label}"] = served
        col = "pop_served_capacity" if ftype == PUSTU else "pop_served_capacity_puskesmas"
        out[col] = _psum(np.nan_to_num(served), pop, ppos, nd, desa_pop_known)
        # Travel time.
        if road is not None and fields is not None and ftype in fields:
            mins, _ = minutes_to_nearest(road, fields[ftype], pxy)
            pdata[f"travel_{label}_min"] = mins
            per_desa(mins, rules.value(f"limit.{label}_travel_min"), f"travel_{label}_min",
                     f"max_travel_{label}_min", f"pop_within_{label}_min")
        else:
            pdata[f"travel_{label}_min"] = np.nan
            out[f"travel_{label}_min"] = np.nan
            out[f"pop_within_{label}_min"] = np.nan
            out[f"max_travel_{label}_min"] = np.nan
    out["pop_lon"] = pg.main_lonlat[:, 0]
    out["pop_lat"] = pg.main_lonlat[:, 1]
    for col in ("aki", "akb", "stunting"):
        out[col] = pd.to_numeric(desa[col], errors="coerce").to_numpy(float) if col in desa \
            else np.nan
    cov = gpd.GeoDataFrame(out, geometry=desa.geometry.values, crs=desa.crs)
    return Coverage(desa=cov, facilities=checks, points=pdata)


@dataclass(frozen=True)
class PointGround:
    """What the coverage reads of the population points and the desa alone (no facility):
    per point its desa's position, people, weight and metric coordinates; per desa the WGS84
    position of its main point (largest weight).  The same for every facility edit, so
    ``ilp_gis.incremental`` keeps it between runs.  The arrays are read-only."""

    ppos: np.ndarray
    desa_code: np.ndarray
    population: np.ndarray
    weight: np.ndarray
    xy: np.ndarray
    main_lonlat: np.ndarray


def point_ground(desa: pd.DataFrame, points: gpd.GeoDataFrame) -> PointGround:
    """The :class:`PointGround` of the prepared ``desa`` and population ``points``."""
    code_index = pd.Index(desa["code"].to_numpy(object), dtype=object)
    pts = points.reset_index(drop=True)
    ppos = positions(pts["desa_code"].to_numpy(object), code_index).astype(np.int64)
    w = pts["weight"].to_numpy(float)
    pxy = np.column_stack([pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()]) if len(pts) \
        else np.zeros((0, 2))
    # Main population point (largest weight; the first of equals) of each desa, in WGS84.
    main = pd.DataFrame({"_pos": ppos, "weight": w, "x": pxy[:, 0], "y": pxy[:, 1]})[
        ppos >= 0].sort_values(["_pos", "weight"], ascending=[True, False])
    main = main.drop_duplicates("_pos")
    ll = np.full((len(desa), 2), np.nan)
    if len(main):
        ll[main["_pos"].to_numpy()] = project_xy(main[["x", "y"]].to_numpy(float), points.crs,
                                                 model.WGS84)
    out = PointGround(ppos=ppos, desa_code=pts["desa_code"].to_numpy(object),
                      population=pts["population"].to_numpy(float), weight=w, xy=pxy,
                      main_lonlat=ll)
    for a in (out.ppos, out.desa_code, out.population, out.weight, out.xy, out.main_lonlat):
        a.flags.writeable = False
    return out


def _with_table_counts(desa: pd.DataFrame, fac: pd.DataFrame, n_pt: np.ndarray,
                       n_pre: np.ndarray, n_py: np.ndarray):
    """The Pustu (with precursors) and Posyandu counts per desa from the facility list or a
    per-desa table by the rule of ``ilp_gis.desa_counts``, and the per-desa source columns
    (``pustu_count_source``, ``posyandu_count_source``, ``n_pustu_table``,
    ``n_posyandu_table``, ``count_disagreement``)."""
    codes = desa["code"].to_numpy(object)
    dkab = desa_counts.kabupaten_keys(desa["kecamatan_code"].to_numpy(object))
    t = fac["type"].to_numpy(object)
    fkab = desa_counts.facility_kabupaten(
        codes, dkab, fac["desa_code"].to_numpy(object),
        fac["kecamatan_code"].to_numpy(object) if "kecamatan_code" in fac
        else np.full(len(fac), None, dtype=object))
    loaded = {ft: desa_counts.loaded_for_kabupaten(dkab, t, fkab, ft) for ft in (PUSTU, POSYANDU)}
    chosen = desa_counts.choose(desa, {PUSTU: n_pt.astype(float), "precursor": n_pre.astype(float),
                                       POSYANDU: n_py.astype(float)}, loaded)
    as_int = {c: chosen.pop(c).to_numpy(float).round().astype(np.int64)
              for c in ("n_pustu", "n_pustu_precursor", "n_posyandu")}
    return as_int["n_pustu"], as_int["n_pustu_precursor"], as_int["n_posyandu"], \
        chosen.reset_index(drop=True)


def _wmean(values: np.ndarray, w: np.ndarray, pos: np.ndarray, n: int) -> np.ndarray:
    ok = (pos >= 0) & np.isfinite(values) & np.isfinite(w)
    num = np.bincount(pos[ok], weights=values[ok] * w[ok], minlength=n)
    den = np.bincount(pos[ok], weights=w[ok], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _wmax(values: np.ndarray, pos: np.ndarray, n: int) -> np.ndarray:
    ok = (pos >= 0) & np.isfinite(values)
    mx = np.full(n, -np.inf)
    np.maximum.at(mx, pos[ok], values[ok])
    return np.where(np.isfinite(mx), mx, np.nan)


def _psum(values: np.ndarray, pop: np.ndarray, pos: np.ndarray, n: int,
          known: np.ndarray) -> np.ndarray:
    """Sum of people per desa; NaN where the desa's population is unknown."""
    ok = (pos >= 0) & np.isfinite(values) & np.isfinite(pop)
    s = np.bincount(pos[ok], weights=values[ok], minlength=n)
    return np.where(known, s, np.nan)


def missing_pustu(desa: pd.DataFrame) -> np.ndarray:
    """Per desa: a Pustu is required (``pustu_required``; every desa in results without that
    column) and there is none — the ``no_pustu`` gap and every "tanpa Pustu" count."""
    has = desa["has_pustu"].fillna(False).astype(bool).to_numpy()
    if "pustu_required" in desa:
        req = desa["pustu_required"].fillna(True).astype(bool).to_numpy()
    else:
        req = np.ones(len(desa), dtype=bool)
    return req & ~has


def rollup_kecamatan(cov: pd.DataFrame, kecamatan: pd.DataFrame, fac: pd.DataFrame,
                     gaps: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per kecamatan with the sums/shares of its desa (see results.py)."""
    d = pd.DataFrame(cov.drop(columns="geometry", errors="ignore"))
    d["_missing_pustu"] = missing_pustu(d)
    # "desa dengan Pustu" counts the desa that need a Pustu and have one, over the desa that
    # need one (the district's headline figure by the same rule): with + without = required
    required = d["pustu_required"].fillna(True).astype(bool) if "pustu_required" in d else \
        pd.Series(True, index=d.index)
    d["_required"] = required
    d["_with_pustu"] = required & d["has_pustu"].fillna(False).astype(bool)
    g = d.groupby("kecamatan_code", dropna=True)
    k = pd.DataFrame({
        "desa_total": g.size(),
        "desa_pustu_required": g["_required"].sum(),
        "desa_with_pustu": g["_with_pustu"].sum(),
        "desa_without_pustu": g["_missing_pustu"].sum(),
        "posyandu": g["n_posyandu"].sum(),
        "posyandu_needed": g["posyandu_needed"].sum(min_count=1),
        "population": g["population"].sum(min_count=1),
        "pop_within_pustu_km": g["pop_within_pustu_km"].sum(min_count=1),
        "pop_within_puskesmas_km": g["pop_within_puskesmas_km"].sum(min_count=1),
        "pop_within_pustu_min": g["pop_within_pustu_min"].sum(min_count=1),
        "pop_within_puskesmas_min": g["pop_within_puskesmas_min"].sum(min_count=1),
        "pop_served_capacity": g["pop_served_capacity"].sum(min_count=1),
    })
    codes = pd.Index(sorted(set(k.index) | set(kecamatan["code"].dropna())), name="code")
    k = k.reindex(codes)
    for col in ("desa_total", "desa_pustu_required", "desa_with_pustu", "desa_without_pustu",
                "posyandu"):
        k[col] = k[col].fillna(0).astype(np.int64)
    t = fac["type"]
    kc = fac["kecamatan_code"]
    k["n_puskesmas"] = kc[t == PUSKESMAS].value_counts().reindex(codes).fillna(0).astype(np.int64)
    k["n_pustu"] = kc[t == PUSTU].value_counts().reindex(codes).fillna(0).astype(np.int64)
    if "pustu_count_source" in d:  # Pustu known only by a table's count
        by_table = d[d["pustu_count_source"] == "table"].groupby("kecamatan_code")["n_pustu"].sum()
        k["n_pustu"] += by_table.reindex(codes).fillna(0).astype(np.int64)
    if gaps is not None and len(gaps):
        k["gap_count"] = gaps["kecamatan_code"].value_counts().reindex(codes).fillna(0).astype(
            np.int64)
    else:
        k["gap_count"] = 0
    names = dict(zip(kecamatan["code"], kecamatan["name"], strict=False))
    fallback = d.groupby("kecamatan_code")["kecamatan_name"].first()
    k["name"] = [names.get(c) if pd.notna(names.get(c)) else fallback.get(c) for c in codes]
    k = k.reset_index()
    cols = ["code", "name", "desa_total", "desa_pustu_required", "desa_with_pustu",
            "desa_without_pustu", "posyandu",
            "posyandu_needed", "population", "pop_within_pustu_km", "pop_within_puskesmas_km",
            "pop_within_pustu_min", "pop_within_puskesmas_min", "pop_served_capacity",
            "n_puskesmas", "n_pustu", "gap_count"]
    return k[cols]
