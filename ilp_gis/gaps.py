"""Gaps (one row per gap, kinds in :data:`GAP_KINDS`) and rollout priorities per desa.
A check whose input was never loaded is not made (``ilp_gis.inputs``).  Imports geopandas,
numpy, pandas and ``ilp_gis`` (model, i18n, inputs, rules, speed).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from geopandas.array import GeometryArray

from ilp_gis import model
from ilp_gis.desa_counts import count_known
from ilp_gis.i18n import normalize_language, register_catalog, tr
from ilp_gis.inputs import Inventory
from ilp_gis.rules import Rules
from ilp_gis.speed.arrow import map_values, stable_order
from ilp_gis.speed.distinct import per_float, per_text, per_value

GAP_KINDS = ("no_puskesmas", "no_pustu", "posyandu_deficit", "beyond_distance",
             "beyond_travel_time", "understaffed_pustu", "kader_deficit", "coe_below_threshold",
             "orphan_facility", "network_problem")
"""The gap kinds, most severe first (the renderers import this tuple via layers.symbology)."""

GAP_COLUMNS = ["gap_id", "kind", "desa_code", "desa_name", "kecamatan_code", "kecamatan_name",
               "fac_id", "value", "threshold", "unit", "message", "label", "limit_type",
               "priority_score", "priority_rank"]
"""``label`` names the facility type and the limit of a gap ("> 5 km dari Pustu terdekat"),
short enough for a table or a legend; ``message`` is the whole sentence; ``limit_type`` is the
facility type a distance/travel-time limit is measured to (``pustu``/``puskesmas``, else None)."""


def _norm(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    finite = np.isfinite(v)
    if not finite.any():
        return np.full(len(v), np.nan)
    mx = np.nanmax(np.where(finite, v, np.nan))
    if mx <= 0:
        return np.where(finite, 0.0, np.nan)
    return np.where(finite, np.clip(v / mx, 0.0, 1.0), np.nan)


def priorities(cov: pd.DataFrame, rules: Rules, *,
               inputs: Inventory | None = None) -> pd.DataFrame:
    """``priority_score``, ``priority_rank`` and the parts, one row per desa (same order).

    Priority per desa (0..1, 1 = most urgent) is the weighted mean of three parts, each 0..1:
    ``priority_unserved`` (people beyond the Pustu limit — travel time when roads exist, else
    distance — relative to the desa with most such people), ``priority_travel`` (minutes, else km,
    to the nearest Pustu relative to the farthest desa) and ``priority_burden`` (mean of AKI, AKB
    and stunting, each relative to its maximum, when present).  Weights ``weight.*`` are normalized
    over the parts a desa has data for, so a missing figure never counts as zero.  Without a
    Pustu list (``inputs``) the unserved and travel parts are missing, not "as far as it gets".
    """
    inputs = inputs or Inventory.everything()
    roads = cov["travel_pustu_min"].notna().any()
    pop = cov["population"].to_numpy(float)
    within = (cov["pop_within_pustu_min"] if roads else cov["pop_within_pustu_km"]).to_numpy(float)
    unserved = np.where(np.isfinite(pop) & np.isfinite(within), np.maximum(pop - within, 0),
                        np.nan)
    travel = (cov["travel_pustu_min"] if roads else cov["dist_pustu_km"]).to_numpy(float)
    # No Pustu anywhere: every desa is as far as it gets.
    if not inputs.has("pustu"):
        unserved = travel = np.full(len(cov), np.nan)
    elif not np.isfinite(travel).any() and len(travel):
        travel = np.ones(len(travel))
    burdens = [_norm(cov[c].to_numpy(float)) for c in ("aki", "akb", "stunting") if c in cov]
    if burdens:
        b = np.vstack(burdens)
        nb = np.isfinite(b).sum(axis=0)
        burden = np.where(nb > 0, np.nansum(b, axis=0) / np.maximum(nb, 1), np.nan)
    else:
        burden = np.full(len(cov), np.nan)
    parts = np.vstack([_norm(unserved), _norm(travel), burden])
    weights = np.array([rules.value("weight.unserved_population"),
                        rules.value("weight.travel_time"), rules.value("weight.burden")])
    have = np.isfinite(parts)
    wsum = (have * weights[:, None]).sum(axis=0)
    score = np.where(wsum > 0, np.nansum(np.where(have, parts, 0) * weights[:, None], axis=0)
                     / np.where(wsum > 0, wsum, 1), np.nan)
    out = pd.DataFrame({"priority_score": score, "priority_unserved": parts[0],
                        "priority_travel": parts[1], "priority_burden": parts[2]},
                       index=cov.index)
    # Rank 1 = most urgent; ties by desa code; desa without any data last.
    key = pd.DataFrame({"s": np.where(np.isfinite(score), -score, np.inf),
                        "c": cov["code"].astype(str).to_numpy()})
    order = np.lexsort((key["c"].to_numpy(), key["s"].to_numpy()))
    rank = np.empty(len(cov), dtype=np.int64)
    rank[order] = np.arange(1, len(cov) + 1)
    out["priority_rank"] = rank
    return out


def gap_title(kind: str, rules: Rules, *, facility: str | None = None,
              lang: str | None = None) -> str:
    """The short label of a gap kind with its facility type and limit: "> 5 km dari Pustu
    terdekat", "> 60 menit ke Puskesmas terdekat", "Posyandu < 5 kader"."""
    if kind in ("beyond_distance", "beyond_travel_time") and facility:
        key = "distance_km" if kind == "beyond_distance" else "travel_min"
        return tr(f"analysis.label.{kind}", lang=lang, fac=tr(f"facility.{facility}", lang=lang),
                  limit=rules.value(f"limit.{facility}_{key}"))
    if kind == "understaffed_pustu":
        return tr("analysis.label.understaffed_pustu", lang=lang,
                  nurses=rules.value("target.pustu_min_nurses"),
                  midwives=rules.value("target.pustu_min_midwives"))
    if kind == "kader_deficit":
        return tr("analysis.label.kader_deficit", lang=lang,
                  n=rules.value("target.posyandu_min_kader"))
    return tr(f"gap.{kind}", lang=lang)


def _frame(kind: str, rows: pd.DataFrame, geometry, message_key: str, unit_key: str,
           lang: str | None, args, label: str = "",
           limit_type: str | None = None) -> gpd.GeoDataFrame:
    """One gap kind's rows; ``args(rows)`` gives the message fields as whole columns."""
    unit = tr(unit_key, lang=lang)
    label = label or tr(f"gap.{kind}", lang=lang)
    lang = normalize_language(lang)
    msgs = _messages(tr(message_key, lang=lang), args(rows), len(rows), lang)
    out = pd.DataFrame({
        "kind": kind,
        # texts as objects: the incremental gap splice (ilp_gis.incremental_gaps) rebuilds
        # the dtypes a full run's concatenation gives from objects per frame
        "desa_code": rows.get("desa_code", pd.Series(None, index=rows.index)).to_numpy(object),
        "desa_name": rows.get("desa_name", pd.Series(None, index=rows.index)).to_numpy(object),
        "kecamatan_code": rows["kecamatan_code"].to_numpy(object),
        "kecamatan_name": rows["kecamatan_name"].to_numpy(object),
        "fac_id": rows.get("fac_id", pd.Series(None, index=rows.index)).to_numpy(object),
        "value": rows["value"].to_numpy(float),
        "threshold": rows["threshold"].to_numpy(float),
        "unit": unit,
        "message": msgs,
        "label": label,
        "limit_type": limit_type,
    })
    geoms = (geometry if isinstance(geometry, GeometryArray)
             else np.asarray(geometry, dtype=object))
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, crs=model.WGS84),
                            crs=model.WGS84)


_ID_SEPARATORS = str.maketrans(",.", ".,")


def _show_column(values, lang: str) -> list[str]:
    """Display texts of a whole column, like ``i18n.tr`` shows numbers (1.234,5 in Indonesian;
    missing values as "–")."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iuf" or (arr.dtype == object and len(arr) and all(
            isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in arr)):
        def show(v: float) -> str:
            text = "–" if v != v else (f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}")
            return text.translate(_ID_SEPARATORS) if lang == "id" else text

        return per_float(show, arr)
    if arr.dtype == object and pd.api.types.infer_dtype(arr, skipna=True) in ("string",
                                                                                "empty"):
        return per_text(str, arr, "–")
    return ["–" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v)
            for v in arr.tolist()]


def _messages(template: str, args: dict, n: int, lang: str) -> list[str]:
    """Fill ``template`` row by row from column-wise ``args``."""
    import string

    parts = list(string.Formatter().parse(template))
    cols = {k: (_show_column(v, lang) if not isinstance(v, str) else [v] * n)
            for k, v in args.items()}
    pieces: list[list[str]] = []
    for literal, field, _spec, _conv in parts:
        if literal:
            pieces.append([literal] * n)
        if field is not None:
            pieces.append(cols.get(field, ["{" + field + "}"] * n))
    if not pieces:
        return [template] * n
    return ["".join(p) for p in zip(*pieces, strict=True)]


def find_gaps(cov: gpd.GeoDataFrame, kec: gpd.GeoDataFrame, fac: gpd.GeoDataFrame,
              checks: pd.DataFrame, problems: pd.DataFrame, rules: Rules, *,
              lang: str | None = None, inputs: Inventory | None = None) -> gpd.GeoDataFrame:
    """The typed gap list.  ``cov`` is the desa coverage (WGS84, with priority columns), ``kec``
    the kecamatan polygons (WGS84) with ``n_puskesmas``, ``fac`` prepared facilities (WGS84),
    ``checks`` :func:`ilp_gis.coverage.facility_checks`, ``problems`` the network findings.

    Each gap is one row: ``gap_id``, ``kind`` (one of :data:`GAP_KINDS`), desa/kecamatan codes and
    names, ``fac_id`` (facility gaps), the measured ``value``, the ``threshold`` of the rule, its
    ``unit`` and a ``message`` in the UI language, plus the desa's priority score and rank.

    ``inputs`` (:func:`ilp_gis.inputs.inventory`) names the inputs the project holds: a check
    that needs an input never loaded is not made (no Pustu list: no "desa without Pustu").
    """
    inputs = inputs or Inventory.everything()

    def checked(kind: str, facility_type: str | None = None) -> bool:
        return not inputs.gap_missing(kind, facility_type)

    frames: list[gpd.GeoDataFrame] = []
    d = cov.rename(columns={"code": "desa_code", "name": "desa_name"})
    # no_puskesmas (kecamatan).
    k = kec[kec["n_puskesmas"] == 0]
    if len(k) and checked("no_puskesmas"):
        rows = pd.DataFrame({"kecamatan_code": k["code"].to_numpy(object),
                             "kecamatan_name": k["name"].to_numpy(object),
                             "value": 0.0, "threshold": 1.0})
        frames.append(_frame("no_puskesmas", rows, k.geometry.values, "analysis.gap.no_puskesmas",
                             "analysis.unit.puskesmas", lang,
                             lambda r: {"kec": r["kecamatan_name"].where(
                                 r["kecamatan_name"].notna(), r["kecamatan_code"]).to_numpy(
                                 object)}))
    # no_pustu, where a Pustu is required (not in a desa its Puskesmas serves: coverage rule).
    target = rules.value("target.pustu_per_desa")
    full = d["n_pustu"] - d["n_pustu_precursor"]
    required = d["pustu_required"].fillna(True).astype(bool).to_numpy() \
        if "pustu_required" in d else np.ones(len(d), dtype=bool)
    m = (full < target).to_numpy() & required
    if "pustu_count_source" in d:  # a desa whose count no table or list gave: no gap
        m = m & count_known(d["pustu_count_source"].to_numpy(object))
    if m.any() and checked("no_pustu"):
        rows = d[m].assign(value=full[m].astype(float), threshold=float(target))
        frames.append(_frame("no_pustu", rows, rows.geometry.values, "analysis.gap.no_pustu",
                             "analysis.unit.pustu", lang,
                             lambda r: {"desa": r["desa_name"].to_numpy(object),
                                        "note": _precursor_notes(r["n_pustu_precursor"], lang)}))
    # posyandu_deficit.
    m = (d["posyandu_deficit"] > 0).to_numpy()
    if m.any() and checked("posyandu_deficit"):
        rows = d[m].assign(value=d.loc[m, "n_posyandu"].astype(float),
                           threshold=d.loc[m, "posyandu_needed"])
        frames.append(_frame("posyandu_deficit", rows, rows.geometry.values,
                             "analysis.gap.posyandu_deficit", "analysis.unit.posyandu", lang,
                             lambda r: {"desa": r["desa_name"].to_numpy(object),
                                        "n": r["value"].to_numpy(float),
                                        "need": r["threshold"].to_numpy(float),
                                        "deficit": r["posyandu_deficit"].to_numpy(float)}))
    # beyond_distance / beyond_travel_time (one row per desa and facility type).
    for label, ftype in (("pustu", "facility.pustu"), ("puskesmas", "facility.puskesmas")):
        for kind, col, limit_key, unit_key, arg, within in (
                ("beyond_distance", f"max_dist_{label}_km", f"limit.{label}_distance_km",
                 "analysis.unit.km", "km", f"pop_within_{label}_km"),
                ("beyond_travel_time", f"max_travel_{label}_min", f"limit.{label}_travel_min",
                 "analysis.unit.minutes", "min", f"pop_within_{label}_min")):
            limit = rules.value(limit_key)
            if col not in d or not checked(kind, label):
                continue
            m = (d[col] > limit).to_numpy()
            if label == "pustu":  # the Puskesmas stands in for the Pustu of its own desa
                m = m & required
            if m.any():
                rows = d[m].assign(value=d.loc[m, col], threshold=limit)
                frames.append(_frame(
                    kind, rows, rows.geometry.values, f"analysis.gap.{kind}", unit_key, lang,
                    lambda r, ftype=ftype, arg=arg, within=within: {
                        "desa": r["desa_name"].to_numpy(object), "fac": tr(ftype, lang=lang),
                        arg: r["value"].to_numpy(float), "limit": r["threshold"].to_numpy(float),
                        "pop": (r["population"] - r[within]).to_numpy(float)},
                    gap_title(kind, rules, facility=label, lang=lang), label))
    # Facility gaps.
    extra = checks.drop(columns=[c for c in checks.columns if c in fac.columns])
    if len(checks) == len(fac) and np.array_equal(checks["fac_id"].to_numpy(object),
                                                  fac["fac_id"].to_numpy(object)):
        # The checks are made row by row from these facilities: join by position, no copies.
        fc = fac.copy(deep=False)
        for c in extra.columns:
            fc[c] = extra[c].array
    else:
        fc = fac.merge(checks.drop(columns=[c for c in checks.columns
                                            if c in fac.columns and c != "fac_id"]),
                       on="fac_id", how="left")
    dn = _lookup(d["desa_code"], d["desa_name"])
    kn = _lookup(kec["code"], kec["name"])
    fc["desa_name"] = map_values(fc["desa_code"], dn)
    fc["kecamatan_name"] = map_values(fc["kecamatan_code"], kn)
    # Facility checks that failed (a missing check is no gap).
    for kind, flag, unit, value_threshold, args in (
            ("understaffed_pustu", "staff_ok", "analysis.unit.nakes",
             lambda m: (fc.loc[m, "staff_total"], fc.loc[m, "staff_threshold"]),
             lambda r: {"name": _labels(r, lang), "n": r["value"].to_numpy(float),
                        "need": r["threshold"].to_numpy(float),
                        "nurses": _numbers_or_nan(r, "nurses"),
                        "midwives": _numbers_or_nan(r, "midwives")}),
            ("kader_deficit", "kader_ok", "analysis.unit.kader",
             lambda m: (fc.loc[m, "kader"], rules.value("target.posyandu_min_kader")),
             lambda r: {"name": _labels(r, lang), "n": r["value"].to_numpy(float),
                        "need": r["threshold"].to_numpy(float)}),
            ("coe_below_threshold", "coe_meets", "analysis.unit.share",
             lambda m: (fc.loc[m, "coe_score"], rules.value("target.coe_threshold")),
             lambda r: {"name": _labels(r, lang), "score": _pct_column(r["value"], lang),
                        "limit": _pct_column(r["threshold"], lang)})):
        m = (fc[flag].notna() & ~fc[flag].fillna(True).astype(bool)).to_numpy()
        if m.any() and checked(kind):
            value, threshold = value_threshold(m)
            rows = fc[m].assign(value=value, threshold=threshold)
            frames.append(_frame(kind, rows, rows.geometry.values, f"analysis.gap.{kind}", unit,
                                 lang, args, gap_title(kind, rules, lang=lang)))
    # Network findings: orphans and the other problems (info findings are not gaps).
    if problems is not None and len(problems):
        p = problems[problems["severity"] == "problem"].copy()
        p["fac_id"] = p["fac_ids"].str.split(";").str[0]
        p = p.merge(fc[["fac_id", "desa_code", "desa_name", "kecamatan_code", "kecamatan_name",
                        "geometry"]], on="fac_id", how="left")
        for kind, sel in (("orphan_facility", p["kind"] == "orphan"),
                          ("network_problem", p["kind"] != "orphan")):
            rows = p[sel.to_numpy()]
            if not len(rows):
                continue
            rows = rows.assign(value=np.nan, threshold=np.nan)
            g = _frame(kind, rows, rows["geometry"].values, "analysis.gap.network",
                       "analysis.unit.none", lang,
                       lambda r: {"message": r["message"].to_numpy(object)})
            g["unit"] = ""
            frames.append(g)
    if frames:
        gaps = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                                crs=model.WGS84)
    else:
        gaps = gpd.GeoDataFrame({c: [] for c in GAP_COLUMNS if c != "gap_id"},
                                geometry=gpd.GeoSeries([], crs=model.WGS84), crs=model.WGS84)
        gaps = gaps.astype({"value": float, "threshold": float, "label": object,
                              "limit_type": object})
    # Priority of the desa the gap is in.
    pr = d.set_index("desa_code")[["priority_score", "priority_rank"]]
    gaps["priority_score"] = map_values(gaps["desa_code"], pr["priority_score"]).astype(float)
    gaps["priority_rank"] = map_values(gaps["desa_code"], pr["priority_rank"]).astype("Int64")
    sev = {k: i for i, k in enumerate(GAP_KINDS)}
    order = stable_order(gaps.assign(_s=map_values(gaps["kind"], pd.Series(sev)).astype(float)),
                         ["_s", "kecamatan_code", "desa_code", "fac_id", "value"])
    gaps = gaps.take(order).reset_index(drop=True)
    gaps = distinct_rows(gaps)
    gaps.insert(0, "gap_id", "G" + pd.Series(np.arange(1, len(gaps) + 1)).astype(str).str.zfill(5))
    return gaps[GAP_COLUMNS + ["geometry"]]


_IDENTITY = ["kind", "desa_code", "kecamatan_code", "fac_id", "limit_type", "threshold",
             "message"]


def distinct_rows(gaps: pd.DataFrame) -> pd.DataFrame:
    """No two rows of one place that read alike: the same gap found twice (same kind, place,
    facility, limit and message) is kept once, and two facilities of one desa that share a
    name ("Posyandu Seroja" twice) have their ID added to the message, so each row says which
    one it is."""
    if not len(gaps):
        return gaps
    # each identity column as codes of its distinct values (missing values one code; floats
    # told apart by their bits, as their texts do): no text copy of every cell
    key = pd.DataFrame({c: _identity_codes(gaps[c]) for c in _IDENTITY if c in gaps})
    gaps = gaps[~key.duplicated().to_numpy()].reset_index(drop=True)
    same = gaps.duplicated(["kind", "desa_code", "kecamatan_code", "message"], keep=False) \
        & gaps["fac_id"].notna()
    if same.any():
        gaps = gaps.copy()
        gaps.loc[same, "message"] = [f"{m} [{f}]" for m, f in zip(
            gaps.loc[same, "message"], gaps.loc[same, "fac_id"], strict=True)]
    return gaps


def _identity_codes(values: pd.Series) -> np.ndarray:
    """One integer per distinct value of ``values``, as their texts tell them apart: every
    missing value the same one, floats by their bits (-0.0 is not 0.0)."""
    if values.dtype.kind == "f":
        f = values.to_numpy(float)
        bits = np.ascontiguousarray(f).view(np.int64).copy()
        bits[np.isnan(f)] = -1  # no float has these bits
        return pd.factorize(bits)[0]
    return pd.factorize(values, use_na_sentinel=True)[0]


def _lookup(keys: pd.Series, values: pd.Series) -> pd.Series:
    """A Series usable with ``.map`` (first value per key)."""
    out = pd.Series(values.to_numpy(object), index=pd.Index(keys.to_numpy(object), dtype=object))
    return out[~out.index.duplicated()]


def _labels(rows: pd.DataFrame, lang: str | None) -> list[str]:
    """``network.facility_label`` for a whole column, once per (type, name) pair: facility
    names repeat a lot ("Posyandu Mawar")."""
    from ilp_gis.network import facility_label

    lang = normalize_language(lang)
    pairs = zip(rows["type"].to_numpy(object).tolist(), rows["name"].to_numpy(object).tolist(),
                strict=True)
    return per_value(lambda pair: facility_label(*pair, lang=lang), pairs)


def _numbers_or_nan(rows: pd.DataFrame, name: str) -> np.ndarray:
    if name in rows.columns:
        return pd.to_numeric(rows[name], errors="coerce").to_numpy(float)
    return np.full(len(rows), np.nan)


def _precursor_notes(counts: pd.Series, lang: str | None) -> list[str]:
    return per_float(lambda u: tr("analysis.gap.precursor_note", lang=lang, n=int(u)) if u > 0
                     else "", counts.to_numpy(float))


def _pct_column(values: pd.Series, lang) -> list[str]:
    """``_pct`` of a whole float column, each distinct value formatted once."""
    return per_float(lambda v: _pct(v, lang), pd.to_numeric(values).to_numpy(float))


def _pct(v, lang):
    from ilp_gis.i18n import format_percent

    return format_percent(v, 0, lang=lang)


register_catalog("ilp_gis", "gaps")
