"""Analyses frozen per period, kept in the project as ordinary tables with a ``period``
column (no hidden blobs: QGIS and a spreadsheet read them as they are).

- ``history_periods``: one row per frozen period (code, kind, start, end, labels, when it was
  saved, a note, where the rules came from);
- ``history_desa``: the desa figures of each period (one row per period and desa);
- ``history_facilities``: each facility's type, desa, Posyandu strata, kader, nakes and COE
  score per period (strata moves and staffing over time are read from it);
- ``history_summary``: the district figures (one row per period and figure; missing stays
  missing).

:func:`freeze` adds a period from an analysis result; :func:`compare` says what changed between
two periods; :func:`trend` gives district figures over all periods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.monitoring.periods import Period, parse_period, sort_periods

PERIODS_TABLE = "history_periods"
DESA_TABLE = "history_desa"
FACILITIES_TABLE = "history_facilities"
SUMMARY_TABLE = "history_summary"
TABLES = (PERIODS_TABLE, DESA_TABLE, FACILITIES_TABLE, SUMMARY_TABLE)

DESA_FIGURES = (
    "population", "dusun_count", "n_puskesmas", "n_pustu", "n_pustu_precursor", "n_posyandu",
    "has_pustu", "posyandu_needed", "posyandu_deficit", "pustu_nakes_ok", "kader_ok_share",
    "pop_within_pustu_km", "pop_within_puskesmas_km", "pop_within_pustu_min",
    "pop_within_puskesmas_min", "gap_count", "gap_kinds", "priority_rank",
)
"""The desa result columns kept per period (those a result lacks stay missing)."""

FACILITY_FIGURES = ("type", "name", "desa_code", "kecamatan_code", "level", "kader", "nurses",
                    "midwives", "nakes", "coe")
POSYANDU_LEVELS = ("pratama", "madya", "purnama", "mandiri")


def periods(project) -> list[Period]:
    """The frozen periods of ``project``, oldest first."""
    t = project.tables.get(PERIODS_TABLE)
    if t is None or not len(t):
        return []
    return sort_periods(t["period"].tolist())


def freeze(project, result, period, *, note: str = "", replace: bool = False,
           now: dt.datetime | None = None) -> Period:
    """Keep ``result`` (an :class:`ilp_gis.results.AnalysisResult` of ``project``) as the
    figures of ``period``.  A period already kept is refused unless ``replace``."""
    p = parse_period(period)
    known = {q.code for q in periods(project)}
    if p.code in known and not replace:
        raise InputError(tr("history.exists", period=p.label()))
    if result is None or result.desa is None:
        raise InputError(tr("history.no_result"))
    now = now or dt.datetime.now().replace(microsecond=0)

    row = pd.DataFrame([{
        "period": p.code, "kind": p.kind, "start": p.start.isoformat(), "end": p.end.isoformat(),
        "label_id": p.label("id"), "label_en": p.label("en"), "saved_at": now.isoformat(),
        "note": note or None, "rules_origin": (result.summary or {}).get("rules_origin"),
    }])
    desa = pd.DataFrame(result.desa.drop(columns="geometry", errors="ignore"))
    d = pd.DataFrame({"period": p.code, "desa_code": desa["code"].astype(object).to_numpy(),
                      "desa_name": desa["name"].to_numpy(object),
                      "kecamatan_code": desa["kecamatan_code"].to_numpy(object)})
    for col in DESA_FIGURES:
        if col in desa:
            values = desa[col]
            if col in ("has_pustu", "pustu_nakes_ok"):
                values = values.astype("boolean")
            d[col] = values.to_numpy()
        else:
            d[col] = np.nan
    f = _facilities(project, result, p.code)
    s = _summary_rows(result.summary or {}, p.code)
    _put(project, PERIODS_TABLE, row, p.code)
    _put(project, DESA_TABLE, d, p.code)
    _put(project, FACILITIES_TABLE, f, p.code)
    _put(project, SUMMARY_TABLE, s, p.code)
    return p


def delete(project, period) -> Period:
    p = parse_period(period)
    if p.code not in {q.code for q in periods(project)}:
        raise InputError(tr("history.unknown", period=p.label()))
    for name in TABLES:
        t = project.tables.get(name)
        if t is not None:
            project.set_table(name, t[t["period"] != p.code].reset_index(drop=True))
    return p


def _put(project, name: str, rows: pd.DataFrame, code: str) -> None:
    old = project.tables.get(name)
    if old is not None and len(old):
        old = old[old["period"] != code]
        rows = pd.concat([old, rows], ignore_index=True) if len(old) else rows
    project.set_table(name, rows.reset_index(drop=True))


def _facilities(project, result, code: str) -> pd.DataFrame:
    fac = project.facilities
    out = pd.DataFrame({"period": code, "fac_id": fac["fac_id"].to_numpy(object)})
    for col in FACILITY_FIGURES:
        out[col] = fac[col].to_numpy() if col in fac else None
    out["coe_score"] = np.nan
    from ilp_gis.coe import units_only

    coe = units_only(getattr(result, "coe", None))  # a unit's score is its Puskesmas'
    if coe is not None and len(coe) and "fac_id" in coe and "score" in coe:
        score = dict(zip(coe["fac_id"], pd.to_numeric(coe["score"], errors="coerce"),
                         strict=True))
        out["coe_score"] = out["fac_id"].map(score).astype(float)
    return out


def _summary_rows(summary: dict, code: str) -> pd.DataFrame:
    """The numeric leaves of ``summary`` ("facility_counts.pustu" = 52); a None leaf is kept
    as a missing value, never as 0."""
    rows = []

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif value is None:
            rows.append((prefix, np.nan))
        elif isinstance(value, bool):
            rows.append((prefix, float(value)))
        elif isinstance(value, int | float):
            rows.append((prefix, float(value)))

    for key, value in summary.items():
        if key in ("timings_s",):
            continue
        walk(key, value)
    return pd.DataFrame({"period": code, "key": [r[0] for r in rows],
                         "value": [r[1] for r in rows]})


# --- comparing ------------------------------------------------------------------------------
@dataclass
class Comparison:
    """What changed from ``before`` to ``after``.

    ``desa``: one row per desa of either period with ``<figure>_before``, ``<figure>_after`` and
    ``<figure>_change`` for the numeric figures, plus ``pustu_opened`` / ``pustu_closed``
    (booleans), ``gaps_closed`` / ``gaps_opened`` (";"-joined gap kinds);
    ``kecamatan`` and ``kabupaten``: the same changes summed;
    ``strata``: Posyandu counts by strata before (rows) and after (columns), for Posyandu in
    both periods; ``staffing``: nakes per facility type before and after."""

    before: Period
    after: Period
    desa: pd.DataFrame
    kecamatan: pd.DataFrame
    kabupaten: dict
    strata: pd.DataFrame
    staffing: pd.DataFrame


_NUMERIC = ("population", "n_pustu", "n_posyandu", "posyandu_deficit", "gap_count",
            "pop_within_pustu_km", "pop_within_pustu_min", "kader_ok_share")


def _period_rows(project, name: str, p: Period) -> pd.DataFrame:
    t = project.tables.get(name)
    if t is None or p.code not in set(t["period"]):
        raise InputError(tr("history.unknown", period=p.label()))
    return t[t["period"] == p.code]


def compare(project, before, after) -> Comparison:
    a, b = parse_period(before), parse_period(after)
    da = _period_rows(project, DESA_TABLE, a).set_index("desa_code")
    db = _period_rows(project, DESA_TABLE, b).set_index("desa_code")
    codes = da.index.union(db.index)
    da, db = da.reindex(codes), db.reindex(codes)
    out = pd.DataFrame(index=codes)
    out.index.name = "desa_code"
    out["desa_name"] = db["desa_name"].where(db["desa_name"].notna(), da["desa_name"])
    out["kecamatan_code"] = db["kecamatan_code"].where(db["kecamatan_code"].notna(),
                                                       da["kecamatan_code"])
    for col in _NUMERIC:
        x = pd.to_numeric(da[col], errors="coerce").astype(float)
        y = pd.to_numeric(db[col], errors="coerce").astype(float)
        out[f"{col}_before"], out[f"{col}_after"] = x, y
        out[f"{col}_change"] = y - x  # missing on either side stays missing
    hb = da["has_pustu"].astype("boolean")
    ha = db["has_pustu"].astype("boolean")
    out["pustu_opened"] = (hb == False) & (ha == True)  # noqa: E712  (NA-aware)
    out["pustu_closed"] = (hb == True) & (ha == False)  # noqa: E712
    out["pustu_opened"] = out["pustu_opened"].fillna(False).astype(bool)
    out["pustu_closed"] = out["pustu_closed"].fillna(False).astype(bool)
    kb = [set(filter(None, str(v).split(";"))) if isinstance(v, str) else set()
          for v in da["gap_kinds"]]
    ka = [set(filter(None, str(v).split(";"))) if isinstance(v, str) else set()
          for v in db["gap_kinds"]]
    out["gaps_closed"] = [";".join(sorted(x - y)) for x, y in zip(kb, ka, strict=True)]
    out["gaps_opened"] = [";".join(sorted(y - x)) for x, y in zip(kb, ka, strict=True)]
    out = out.reset_index()

    sums = ["pustu_opened", "pustu_closed"] + [f"{c}_change" for c in
                                               ("n_pustu", "n_posyandu", "gap_count")]
    n_closed = out["gaps_closed"].map(lambda s: len(s.split(";")) if s else 0)
    n_opened = out["gaps_opened"].map(lambda s: len(s.split(";")) if s else 0)
    per = out.assign(gap_kinds_closed=n_closed, gap_kinds_opened=n_opened)
    kec = per.groupby("kecamatan_code", dropna=False)[
        sums + ["gap_kinds_closed", "gap_kinds_opened"]].sum(min_count=1).reset_index()
    kab = {c: _num(per[c].sum(min_count=1)) for c in sums + ["gap_kinds_closed",
                                                           "gap_kinds_opened"]}
    for col in ("n_pustu", "n_posyandu", "gap_count", "population"):
        kab[f"{col}_before"] = _num(out[f"{col}_before"].sum(min_count=1))
        kab[f"{col}_after"] = _num(out[f"{col}_after"].sum(min_count=1))
    return Comparison(a, b, out, kec, kab, _strata(project, a, b), _staffing(project, a, b))


def _num(v):
    return None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA \
        else float(v)


def _strata(project, a: Period, b: Period) -> pd.DataFrame:
    fa = _period_rows(project, FACILITIES_TABLE, a)
    fb = _period_rows(project, FACILITIES_TABLE, b)
    pa = fa[fa["type"] == "posyandu"].set_index("fac_id")["level"]
    pb = fb[fb["type"] == "posyandu"].set_index("fac_id")["level"]
    both = pa.index.intersection(pb.index)
    levels = list(POSYANDU_LEVELS)
    moves = pd.crosstab(pa.reindex(both).fillna("–"), pb.reindex(both).fillna("–"))
    order = [lv for lv in levels + ["–"] if lv in moves.index or lv in moves.columns]
    return moves.reindex(index=order, columns=order, fill_value=0)


def _staffing(project, a: Period, b: Period) -> pd.DataFrame:
    rows = []
    for p, tag in ((a, "before"), (b, "after")):
        f = _period_rows(project, FACILITIES_TABLE, p)
        for ftype, grp in f.groupby("type"):
            for col in ("nurses", "midwives", "nakes", "kader"):
                v = pd.to_numeric(grp[col], errors="coerce")
                rows.append({"type": ftype, "figure": col, "when": tag,
                             "value": float(v.sum()) if v.notna().any() else np.nan})
    if not rows:
        return pd.DataFrame(columns=["type", "figure", "before", "after", "change"])
    t = pd.DataFrame(rows).pivot_table(index=["type", "figure"], columns="when", values="value",
                                       dropna=False, aggfunc="first").reset_index()
    for c in ("before", "after"):
        if c not in t:
            t[c] = np.nan
    t["change"] = t["after"] - t["before"]
    t.columns.name = None
    return t[["type", "figure", "before", "after", "change"]]


def trend(project, keys: tuple[str, ...] | None = None) -> pd.DataFrame:
    """District figures over the frozen periods: one row per period (oldest first), one column
    per summary key (``keys``, default all)."""
    s = project.tables.get(SUMMARY_TABLE)
    if s is None or not len(s):
        return pd.DataFrame()
    if keys:
        s = s[s["key"].isin(keys)]
    t = s.pivot_table(index="period", columns="key", values="value", aggfunc="first",
                      dropna=False)
    order = [p.code for p in periods(project) if p.code in t.index]
    t = t.reindex(order)
    t.columns.name = None
    return t.reset_index()


ROLLOUT_COLUMNS = ("period", "label", "desa_total", "desa_with_pustu", "desa_with_pustu_share",
                   "gaps", "desa_with_gaps", "coe_mean", "coe_facilities")


def rollout(project) -> pd.DataFrame:
    """The rollout over the frozen periods, oldest first: per period the desa counted, the desa
    with a Pustu (and their share), the gaps (summed ``gap_count``) and the desa with any, and
    the mean COE score of the facilities that have one.  A figure a period did not keep stays
    missing (NaN), never 0."""
    kept = periods(project)
    d = project.tables.get(DESA_TABLE)
    f = project.tables.get(FACILITIES_TABLE)
    rows = []
    for p in kept:
        rec = {"period": p.code, "label": p.label(), "desa_total": np.nan,
               "desa_with_pustu": np.nan, "desa_with_pustu_share": np.nan, "gaps": np.nan,
               "desa_with_gaps": np.nan, "coe_mean": np.nan, "coe_facilities": 0}
        if d is not None:
            dp = d[d["period"] == p.code]
            rec["desa_total"] = float(len(dp))
            has = dp["has_pustu"].astype("boolean")
            if len(dp) and has.notna().any():
                rec["desa_with_pustu"] = float(has.fillna(False).sum())
                rec["desa_with_pustu_share"] = rec["desa_with_pustu"] / float(has.notna().sum())
            gaps = pd.to_numeric(dp["gap_count"], errors="coerce")
            if gaps.notna().any():
                rec["gaps"] = float(gaps.sum())
                rec["desa_with_gaps"] = float((gaps > 0).sum())
        if f is not None:
            score = pd.to_numeric(f.loc[f["period"] == p.code, "coe_score"], errors="coerce")
            if score.notna().any():
                rec["coe_mean"] = float(score.mean())
                rec["coe_facilities"] = int(score.notna().sum())
        rows.append(rec)
    return pd.DataFrame(rows, columns=list(ROLLOUT_COLUMNS))


register_catalog("ilp_gis", "monitoring.history")
