"""The gap table after a facility edit, re-made only where the edit reaches
(``ilp_gis.incremental``): :func:`local_gaps` gives exactly what
:func:`ilp_gis.gaps.find_gaps` gives for the whole project, from the last run's gaps.

Each gap row comes from one place: a kecamatan (``no_puskesmas``), a desa (the desa kinds: no
Pustu, Posyandu deficit, beyond a distance or travel-time limit), or a facility (staffing,
kader, COE and the network findings of the facility).  The places whose inputs changed are
found by comparing this run's desa, kecamatan, facility and check rows with the last run's;
the facilities of every desa (and kecamatan) such a facility is or was in are taken with
them, so that the rows a full run compares with each other (the same gap found twice, two
facilities of one desa sharing a name) are made together.  :func:`ilp_gis.gaps.find_gaps`
is run on those places alone and its rows replace theirs; the order is the full run's
(the rows of other places never tie with them in the sort key), priorities are mapped
again from every desa (a rank can move everywhere), the ids numbered afresh and each text
column given the dtype and missing values (None or NaN) a full run's concatenation of its
per-kind frames gives.  When the network findings changed, or anything else is not as the
last run had it, the whole table is made again.

Imports geopandas, numpy, pandas and ``ilp_gis`` (column_compare, gaps, model, speed).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_gis import model
from ilp_gis.column_compare import same_at, same_values
from ilp_gis.speed.arrow import map_values, positions

KEC_KINDS = ("no_puskesmas",)
DESA_KINDS = ("no_pustu", "posyandu_deficit", "beyond_distance", "beyond_travel_time")
PRIORITY = ("priority_score", "priority_rank", "priority_unserved", "priority_travel",
            "priority_burden")
# facility columns find_gaps reads (besides the checks) and the check columns
FAC_READS = ("fac_id", "type", "name", "nurses", "midwives", "desa_code", "kecamatan_code")
TEXT = ("kind", "desa_code", "desa_name", "kecamatan_code", "kecamatan_name", "fac_id", "unit",
        "message", "label", "limit_type")
_LOCAL_SHARE = 0.25  # an edit reaching more of the desa: the whole table


def local_gaps(last: dict, desa, kec, fac, checks, problems, change_ids, find):
    """The gaps of this run's inputs from ``last`` (the inputs and gaps of the last run) when
    the edit (facility ids ``change_ids``) reaches few places; None when only a whole run
    can tell.  ``find`` is :func:`ilp_gis.gaps.find_gaps` with the rules, language and inputs
    of both runs bound."""
    old_gaps = last["gaps"]
    if not len(old_gaps) or not _same_frame_shape(last, desa, kec, fac, checks):
        return None
    if not _same_problems(last["problems"], problems):
        return None
    # the desa whose own figures changed (priorities aside: mapped again below)
    d_old = last["desa"]
    cols = [c for c in desa.columns if c not in PRIORITY and c != desa.geometry.name]
    if any(c not in d_old.columns for c in cols):
        return None
    d_changed = np.zeros(len(desa), dtype=bool)
    for c in cols:
        d_changed |= ~same_values(desa[c].reset_index(drop=True), d_old[c].reset_index(drop=True))
    # the facilities whose rows or checks changed, old and new
    f_old, c_old = last["fac"], last["checks"]
    new_ids = fac["fac_id"].to_numpy(object)
    old_ids = f_old["fac_id"].to_numpy(object)
    at = positions(pd.Series(new_ids, dtype=object), pd.Index(old_ids, dtype=object))
    f_changed = at < 0  # added
    found = np.flatnonzero(~f_changed)
    for frame, before, names in ((fac, f_old, FAC_READS), (checks, c_old, checks.columns)):
        for c in names:
            if c not in frame.columns:
                continue
            if c not in before.columns:
                return None
            f_changed[found] |= ~same_at(frame[c], before[c], found, at[found])
    geo_new = np.asarray(fac.geometry.values, dtype=object)[found]
    geo_old = np.asarray(f_old.geometry.values, dtype=object)[at[found]]
    f_changed[found] |= ~_same_shapes(geo_new, geo_old)
    f_changed |= pd.Series(new_ids, dtype=object).isin(list(change_ids)).to_numpy()
    kept_old = np.zeros(len(old_ids), dtype=bool)
    kept_old[at[found]] = True
    gone_old = ~kept_old  # removed facilities
    # every facility sharing a desa and kecamatan with a changed one, before or after
    place_new = _places(fac)
    place_old = _places(f_old)
    touched = _place_set(place_new, f_changed) | _place_set(place_old, gone_old)
    touched |= _place_set(place_old, at[np.flatnonzero(f_changed & (at >= 0))])
    f_sel = _in_places(place_new, touched) | f_changed
    fo_sel = _in_places(place_old, touched) | gone_old
    fac_ids = set(new_ids[f_sel].tolist()) | set(old_ids[fo_sel].tolist())
    # the desa and kecamatan of those, and the kecamatan whose Puskesmas count changed
    codes = desa["code"].to_numpy(object)
    d_codes = set(codes[d_changed].tolist()) | set(_present(fac["desa_code"], f_sel)) | set(
        _present(f_old["desa_code"], fo_sel))
    d_sel = pd.Series(codes, dtype=object).isin(list(d_codes)).to_numpy()
    if d_sel.sum() > _LOCAL_SHARE * len(desa):
        return None
    k_changed = ~same_values(kec["n_puskesmas"].reset_index(drop=True),
                             last["kec"]["n_puskesmas"].reset_index(drop=True))
    k_codes = set(kec["code"].to_numpy(object)[k_changed].tolist()) | set(
        _present(desa["kecamatan_code"], d_sel)) | set(_present(fac["kecamatan_code"], f_sel)) \
        | set(_present(f_old["kecamatan_code"], fo_sel))
    k_sel = kec["code"].isin(list(k_codes)).to_numpy()
    # the problems of those facilities (by their first id, as find_gaps places them)
    p_sel = np.zeros(len(problems), dtype=bool)
    if problems is not None and len(problems):
        first = problems["fac_ids"].astype(object).where(problems["fac_ids"].notna(), "")
        first = pd.Series([str(v).split(";")[0] for v in first.tolist()], dtype=object)
        p_sel = first.isin(list(fac_ids)).to_numpy()
    rows = np.flatnonzero(f_sel)
    part = find(desa.iloc[np.flatnonzero(d_sel)], kec.iloc[np.flatnonzero(k_sel)],
                fac.iloc[rows], checks.iloc[rows],
                problems.iloc[np.flatnonzero(p_sel)] if problems is not None else problems)
    # the last run's rows of other places
    kind = old_gaps["kind"].to_numpy(object)
    gone = (np.isin(kind, KEC_KINDS) & old_gaps["kecamatan_code"].isin(list(k_codes)).to_numpy())
    gone |= np.isin(kind, DESA_KINDS) & old_gaps["desa_code"].isin(list(d_codes)).to_numpy()
    gone |= ~np.isin(kind, KEC_KINDS + DESA_KINDS) & old_gaps["fac_id"].isin(
        list(fac_ids)).to_numpy()
    keep = old_gaps.iloc[np.flatnonzero(~gone)]
    return _finished(keep, part, desa, old_gaps)


def _same_frame_shape(last, desa, kec, fac, checks) -> bool:
    """The same desa and kecamatan (codes, in order) as the last run; facilities and checks
    row by row of one another, each id once."""
    d, k = last["desa"], last["kec"]
    if len(d) != len(desa) or len(k) != len(kec):
        return False
    if not np.array_equal(d["code"].to_numpy(object), desa["code"].to_numpy(object)) or \
            not np.array_equal(k["code"].to_numpy(object), kec["code"].to_numpy(object)):
        return False
    for f, c in ((fac, checks), (last["fac"], last["checks"])):
        if len(f) != len(c) or not np.array_equal(f["fac_id"].to_numpy(object),
                                                  c["fac_id"].to_numpy(object)):
            return False
    return pd.Index(fac["fac_id"].to_numpy(object)).is_unique and pd.Index(
        last["fac"]["fac_id"].to_numpy(object)).is_unique


def _same_problems(a, b) -> bool:
    if a is b:
        return True
    if a is None or b is None or list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    return all(a[c].dtype == b[c].dtype and same_values(a[c].reset_index(drop=True),
                                                        b[c].reset_index(drop=True)).all()
               for c in a.columns)


def _same_shapes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    import operator

    import shapely

    ok = np.fromiter(map(operator.is_, a, b), dtype=bool, count=len(a))
    rest = np.flatnonzero(~ok)
    if len(rest):
        ok[rest] = (shapely.is_missing(a[rest]) & shapely.is_missing(b[rest])) | \
            shapely.equals_exact(a[rest], b[rest], 0.0)
    return ok


def _places(fac) -> tuple[np.ndarray, np.ndarray]:
    """Per facility: its desa and kecamatan codes, a missing one as "" (one key with an empty
    code, as their texts had it before)."""
    def texts(col: str) -> np.ndarray:
        v = fac[col].to_numpy(object)
        missing = pd.isna(v)
        if missing.any():
            v = v.copy()
            v[missing] = ""
        return v

    return texts("desa_code"), texts("kecamatan_code")


def _place_set(places: tuple, rows) -> set:
    """The (desa, kecamatan) pairs of ``rows`` (a mask or positions), as texts."""
    d, k = places
    return set(zip(map(str, d[rows].tolist()), map(str, k[rows].tolist()), strict=True))


_MAX_PLACES = 32  # more touched places than this: one set lookup per facility


def _in_places(places: tuple, touched: set) -> np.ndarray:
    """Per facility: is its (desa, kecamatan) pair one of ``touched``?  Compared column by
    column for the few pairs an edit touches (no text built per facility)."""
    d, k = places
    if len(touched) > _MAX_PLACES or pd.api.types.infer_dtype(d) != "string" or \
            pd.api.types.infer_dtype(k) != "string":  # codes of other kinds: as texts
        return np.fromiter((p in touched for p in zip(map(str, d.tolist()), map(
            str, k.tolist()), strict=True)), bool, len(d))
    out = np.zeros(len(d), dtype=bool)
    for td, tk in touched:
        hit = d == td
        if hit.any():
            out |= hit & (k == tk)
    return out


def _present(values: pd.Series, sel: np.ndarray) -> list:
    v = values.to_numpy(object)[sel]
    return [x for x in v.tolist() if isinstance(x, str)]


def _finished(keep: pd.DataFrame, part: pd.DataFrame, desa, old_gaps) -> gpd.GeoDataFrame:
    """The kept rows and the re-made ones in the full run's order, priorities, ids and text
    dtypes (see the module docstring)."""
    from ilp_gis.gaps import GAP_COLUMNS, GAP_KINDS

    both = pd.concat([pd.DataFrame(keep).reset_index(drop=True),
                      pd.DataFrame(part).reset_index(drop=True)], ignore_index=True)
    sev = {k: i for i, k in enumerate(GAP_KINDS)}
    both = both.assign(_s=both["kind"].map(sev)).sort_values(
        ["_s", "kecamatan_code", "desa_code", "fac_id", "value"], kind="stable",
        na_position="last").drop(columns="_s").reset_index(drop=True)
    cols = _text_columns(both, old_gaps)
    if cols is None:
        return None
    out = pd.DataFrame({c: (pd.Series(cols[c], dtype=object) if isinstance(cols[c], np.ndarray)
                            else cols[c]) if c in cols else both[c].array
                        for c in both.columns if c != "geometry"})
    d = desa.rename(columns={"code": "desa_code"})
    pr = d.set_index("desa_code")[["priority_score", "priority_rank"]]
    out["priority_score"] = map_values(out["desa_code"], pr["priority_score"]).astype(float)
    out["priority_rank"] = map_values(out["desa_code"], pr["priority_rank"]).astype("Int64")
    out["gap_id"] = "G" + pd.Series(np.arange(1, len(out) + 1)).astype(str).str.zfill(5)
    geometry = gpd.GeoSeries(both["geometry"].values, crs=model.WGS84)
    gaps = gpd.GeoDataFrame(out[GAP_COLUMNS], geometry=geometry, crs=model.WGS84)
    return gaps


def _slots(gaps: pd.DataFrame) -> tuple[np.ndarray, list]:
    """Per row: the frame of find_gaps it comes from (one per kind and limit type)."""
    slot = gaps["kind"].astype(object).to_numpy(object) + "\x1f" + gaps[
        "limit_type"].astype(object).where(gaps["limit_type"].notna(), "").astype(
        str).to_numpy(object)
    codes, uniques = pd.factorize(slot)
    return codes, list(uniques)


def _with_text(values: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray | None:
    """Per slot: does some row hold a text (the slot's frame column was inferred as text)?
    None when a value is neither text nor missing."""
    missing = pd.isna(values)
    if (~missing).any() and pd.api.types.infer_dtype(values[~missing], skipna=False) != "string":
        return None
    return np.bincount(codes[~missing], minlength=n) > 0


def _text_columns(both: pd.DataFrame, old_gaps: pd.DataFrame) -> dict | None:
    """The text columns of ``both`` as a full run's concatenation of its per-slot frames
    gives them: text dtype when every slot's frame held a text; else objects, where a slot
    with a text has NaN for its missing values (its frame was text) and the others keep
    their own.  None when a slot that held a text in the last run holds none now (its
    missing values' own kind is no longer known)."""
    codes, names = _slots(both)
    old_codes, old_names = _slots(old_gaps)
    n = len(names)
    cols = {}
    for c in TEXT:
        values = both[c].to_numpy(object).copy()
        with_text = _with_text(values, codes, n)
        old_text = _with_text(old_gaps[c].to_numpy(object), old_codes, len(old_names))
        if with_text is None or old_text is None:
            return None
        was = dict(zip(old_names, old_text.tolist(), strict=True))
        if any(was.get(name, False) and not now for name, now in zip(
                names, with_text.tolist(), strict=True)):
            return None
        if with_text.all():
            cols[c] = pd.array(values, dtype=pd.StringDtype(na_value=np.nan))
            continue
        values[pd.isna(values) & with_text[codes]] = np.nan
        cols[c] = values
    return cols
