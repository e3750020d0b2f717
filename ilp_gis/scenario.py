"""Planning scenarios: named sets of proposed actions (table ``scenario_actions``, see
:data:`ACTION_COLUMNS`), applied to a copy of the project, analysed and compared with the
baseline.  Imports geopandas, numpy, pandas, shapely and ``ilp_gis`` (errors, i18n, jobs,
model; analysis when run).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.jobs import checkpoint, sub_progress
from ilp_gis.model import WGS84, Activity, BudgetStatus, FundingSource, LabelledEnum
from ilp_gis.scenario_key import (  # noqa: F401  (the data key is read as scenario.*)
    KEY_LAYERS,
    _f,
    _key_one,
    _key_text,
    _missing,
    baseline_key,
)
from ilp_gis.siting.measure import CoverageMeasure, people_per_posyandu

TABLE = "scenario_actions"
MEASURE_TABLE = "scenario_measures"
COMPARISON_TABLE = "scenario_comparison"
"""The last comparison of each scenario with the baseline (by kecamatan and a total row), as
``scenario compare`` stored it for the report, the XLSX and the web map."""
DESA_CHANGES_TABLE = "scenario_desa_changes"
"""Per scenario the coverage measure its sites were chosen by (site_type, unit, limit,
chosen_by), so its comparison measures the same way."""


class ActionKind(LabelledEnum, prefix="scenario.action"):
    NEW_PUSTU = "new_pustu"
    UPGRADE_PUSTU = "upgrade_pustu"
    NEW_POSYANDU = "new_posyandu"
    ADD_NAKES = "add_nakes"
    TRAIN_KADER = "train_kader"
    EQUIP = "equip"
    RENOVATE = "renovate"
    CLOSE = "close_facility"

    @property
    def activity(self) -> Activity:
        return _ACTIVITY[self]


_ACTIVITY = {
    ActionKind.NEW_PUSTU: Activity.BUILD_PUSTU, ActionKind.UPGRADE_PUSTU: Activity.UPGRADE_TO_PUSTU,
    ActionKind.NEW_POSYANDU: Activity.OPEN_POSYANDU, ActionKind.ADD_NAKES: Activity.ADD_NAKES,
    ActionKind.TRAIN_KADER: Activity.TRAIN_KADER, ActionKind.EQUIP: Activity.EQUIP,
    ActionKind.RENOVATE: Activity.RENOVATE, ActionKind.CLOSE: Activity.OTHER,
}

ACTION_COLUMNS = [
    "scenario",     # scenario name
    "action_id",    # unique within the scenario
    "action",       # ActionKind value
    "fac_id",       # facility acted on (upgrade, staff, kader, close), or the new facility's id
    "desa_code",    # desa of the action (new facilities: found from lon/lat when empty)
    "name",         # name of a new facility
    "lon", "lat",   # location of a new facility (EPSG:4326)
    "count",        # staff / kader added (default 1)
    "role",         # for add_nakes: "nurse" | "midwife" | None
    "amount",       # Rp; missing = priced from the cost catalogue
    "source",       # FundingSource value
    "year",         # budget year
    "note",
]


def empty_actions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("lon", "lat", "count", "amount")
                                      else ("Int64" if c == "year" else object))
                         for c in ACTION_COLUMNS})


def all_actions(project) -> pd.DataFrame:
    frame = project.tables.get(TABLE)
    if frame is None:
        return empty_actions()
    out = pd.DataFrame(frame).copy()
    for c in ACTION_COLUMNS:
        if c not in out.columns:
            out[c] = None
    return out[ACTION_COLUMNS]


def scenario_names(project) -> list[str]:
    acts = all_actions(project)
    return list(dict.fromkeys(acts["scenario"].dropna().astype(str)))


def scenario_actions(project, name: str) -> pd.DataFrame:
    acts = all_actions(project)
    return acts[acts["scenario"] == name].reset_index(drop=True)


def set_scenario(project, name: str, actions: pd.DataFrame, *,
                 measure: CoverageMeasure | None = None) -> None:
    """Store ``actions`` as scenario ``name`` (replacing a scenario of that name), with the
    coverage ``measure`` its sites were chosen by (None: the comparison picks one)."""
    if not str(name).strip():
        raise InputError(tr("scenario.no_name"))
    acts = pd.DataFrame(actions).copy()
    for c in ACTION_COLUMNS:
        if c not in acts.columns:
            acts[c] = None
    acts["scenario"] = name
    acts = _validate(acts[ACTION_COLUMNS].reset_index(drop=True), name)
    others = all_actions(project)
    others = others[others["scenario"] != name]
    frames = [f for f in (others, acts) if len(f)]
    frame = pd.concat(frames, ignore_index=True) if frames else empty_actions()
    for c in ("lon", "lat", "count", "amount"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
    project.set_table(TABLE, frame)
    _set_measure(project, name, measure)
    _drop_stored(project, name)  # a changed scenario's old comparison no longer holds


def _measures(project) -> pd.DataFrame:
    cols = ["scenario", "site_type", "unit", "limit", "chosen_by"]
    frame = project.tables.get(MEASURE_TABLE)
    if frame is None or not len(frame):
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "limit" else object)
                             for c in cols})
    return pd.DataFrame(frame)[cols].copy()


def _set_measure(project, name: str, measure: CoverageMeasure | None) -> None:
    m = _measures(project)
    m = m[m["scenario"] != name]
    if measure is not None:
        row = pd.DataFrame([{"scenario": name, **measure.to_dict()}])
        m = pd.concat([m, row], ignore_index=True) if len(m) else row
    if len(m) or MEASURE_TABLE in project.tables:
        m["limit"] = pd.to_numeric(m["limit"], errors="coerce").astype("float64")
        project.set_table(MEASURE_TABLE, m.reset_index(drop=True))


def scenario_measure(project, name: str) -> CoverageMeasure | None:
    """The coverage measure scenario ``name`` was planned with (None when not recorded)."""
    m = _measures(project)
    m = m[m["scenario"] == name]
    return CoverageMeasure.from_dict(m.iloc[0].to_dict()) if len(m) else None


def delete_scenario(project, name: str) -> None:
    if name not in scenario_names(project):
        raise InputError(tr("scenario.unknown", name=name))
    acts = all_actions(project)
    project.set_table(TABLE, acts[acts["scenario"] != name].reset_index(drop=True))
    _set_measure(project, name, None)
    _drop_stored(project, name)


def _validate(acts: pd.DataFrame, name: str) -> pd.DataFrame:
    problems = []
    ids = []
    for i, row in acts.iterrows():
        try:
            ActionKind(str(row["action"]))
        except ValueError:
            problems.append(tr("scenario.bad_action", row=i + 1, value=str(row["action"])))
            continue
        kind = ActionKind(str(row["action"]))
        if kind in (ActionKind.NEW_PUSTU, ActionKind.NEW_POSYANDU):
            if not (np.isfinite(_f(row["lon"])) and np.isfinite(_f(row["lat"]))):
                problems.append(tr("scenario.no_location", row=i + 1))
        elif _missing(row["fac_id"]) and kind is not ActionKind.EQUIP \
                and kind is not ActionKind.RENOVATE:
            problems.append(tr("scenario.no_facility", row=i + 1, action=kind.label))
        aid = row["action_id"]
        ids.append(str(i + 1) if _missing(aid) else str(aid))
    if problems:
        raise InputError(tr("scenario.problems", name=name, problems="; ".join(problems)))
    acts["action_id"] = ids
    return acts


def actions_from_siting(result, *, source: str | None = FundingSource.DAK_FISIK.value,
                        year: int | None = None) -> pd.DataFrame:
    """Scenario actions for the sites chosen by :func:`ilp_gis.siting.solve`."""
    rows = []
    site_type = result.problem.site_type if result.problem is not None else "pustu"
    for i, s in result.sites.reset_index(drop=True).iterrows():
        if s["kind"] == "upgrade":
            kind = ActionKind.UPGRADE_PUSTU
        elif site_type == "posyandu":
            kind = ActionKind.NEW_POSYANDU
        else:
            kind = ActionKind.NEW_PUSTU
        rows.append({"action_id": str(i + 1), "action": kind.value,
                     "fac_id": s.get("fac_id") if kind is ActionKind.UPGRADE_PUSTU else None,
                     "desa_code": s.get("desa_code"), "name": s.get("name"),
                     "lon": s.geometry.x, "lat": s.geometry.y, "count": math.nan,
                     "role": None, "amount": float(s["cost"]), "source": source,
                     "year": year, "note": None})
    out = pd.DataFrame(rows, columns=[c for c in ACTION_COLUMNS if c != "scenario"])
    return out


# ==================================================================================================
# Applying a scenario to a copy
# ==================================================================================================

def action_cost(row, rules) -> float:
    """The action's amount, or the catalogue price when the amount is missing."""
    amount = _f(row.get("amount"))
    if np.isfinite(amount):
        return amount
    kind = ActionKind(str(row["action"]))
    if kind is ActionKind.CLOSE:
        return 0.0
    name = f"cost.{kind.activity.value}"
    unit = float(rules[name]) if name in rules else math.nan
    count = _f(row.get("count"))
    if kind in (ActionKind.ADD_NAKES, ActionKind.TRAIN_KADER):
        return unit * (count if np.isfinite(count) else 1.0)
    return unit


def locate_actions(project, actions: pd.DataFrame) -> pd.DataFrame:
    """``actions`` with ``desa_code`` filled in where missing: from the facility acted on, or
    from the desa polygon containing a new facility's lon/lat."""
    acts = actions.copy()
    if not len(acts):
        return acts
    fac = project.facilities
    fac_desa = {str(k): v for k, v in zip(fac["fac_id"], fac["desa_code"], strict=True)
                if not _missing(v)}
    desa = project.desa
    at: dict[int, tuple[float, float]] = {}
    for i, a in acts.iterrows():
        if not _missing(a.get("desa_code")):
            continue
        fid = a.get("fac_id")
        if not _missing(fid) and str(fid) in fac_desa:
            acts.at[i, "desa_code"] = fac_desa[str(fid)]
        elif np.isfinite(_f(a.get("lon"))) and np.isfinite(_f(a.get("lat"))) and len(desa):
            at[i] = (_f(a["lon"]), _f(a["lat"]))
    if at:
        rows = desa_containing(desa, [Point(xy) for xy in at.values()])
        for i, r in zip(at, rows, strict=True):
            if r >= 0:
                acts.at[i, "desa_code"] = desa["code"].iloc[r]
    return acts


def desa_containing(desa, points) -> np.ndarray:
    """Per lon/lat point: the position in ``desa`` of the first desa whose polygon contains
    it (in the layer's order), or -1 (the polygons are indexed: a national layer is not
    tested polygon by polygon, nor projected again for each point)."""
    pts = np.asarray(points, dtype=object)
    out = np.full(len(pts), -1, dtype=np.int64)
    if not len(pts) or not len(desa):
        return out
    geoms = desa.geometry
    if desa.crs is not None:
        geoms = geoms.to_crs(WGS84)
    hit_pt, hit_desa = gpd.GeoSeries(geoms.values).sindex.query(pts, predicate="within")
    for i, r in zip(hit_pt.tolist(), hit_desa.tolist(), strict=True):
        if out[i] < 0 or r < out[i]:
            out[i] = r
    return out


def what_if_copy(project):
    """A copy of ``project`` for what-if work, not tied to its file: it shares the frames
    (frames are replaced, never edited in place: :meth:`Project.set_layer`), so a national
    project is not held twice; what is set on the copy never reaches ``project``."""
    out = project.snapshot()
    out.path = None
    out.stored = None
    out.unsaved = set()
    out.dirty = False
    return out


def apply_scenario(project, name: str):
    """A copy of ``project`` with scenario ``name`` applied (the baseline is left untouched).

    Only a copy changes (:func:`what_if_copy`): new facilities are added, Poskesdes/Polindes
    upgraded, staff and kader added, facilities closed, and each action's money becomes a
    budget line.
    """
    if name not in scenario_names(project):
        raise InputError(tr("scenario.unknown", name=name))
    acts = locate_actions(project, scenario_actions(project, name))
    out = what_if_copy(project)
    fac = out.facilities.copy()
    if fac.crs is None:
        fac = fac.set_crs(WGS84)
    desa = out.desa
    fac_desa = {str(k): v for k, v in zip(fac["fac_id"], fac["desa_code"], strict=True)
                if not _missing(v)}
    new_rows = []
    budget_rows = []
    new_kinds = (ActionKind.NEW_PUSTU, ActionKind.NEW_POSYANDU)
    new_at = [i for i, a in acts.iterrows() if ActionKind(str(a["action"])) in new_kinds]
    in_desa = dict(zip(new_at, desa_containing(desa, [
        Point(float(acts.at[i, "lon"]), float(acts.at[i, "lat"])) for i in new_at]),
        strict=True)) if new_at else {}
    for i, a in acts.iterrows():
        kind = ActionKind(str(a["action"]))
        fid = None if _missing(a["fac_id"]) else str(a["fac_id"])
        if kind in new_kinds:
            pt = Point(float(a["lon"]), float(a["lat"]))
            fid = fid or f"{name}:{a['action_id']}"
            desa_code = a["desa_code"]
            kec = None
            if in_desa[i] >= 0:
                hit = desa.iloc[in_desa[i]]
                desa_code = desa_code if not _missing(desa_code) else hit["code"]
                kec = hit["kecamatan_code"]
            new_rows.append({
                "fac_id": fid, "name": a["name"] if not _missing(a["name"]) else
                tr("scenario.new_facility", kind=kind.label),
                "type": "pustu" if kind is ActionKind.NEW_PUSTU else "posyandu",
                "precursor": False, "desa_code": None if _missing(desa_code) else desa_code,
                "kecamatan_code": kec, "location_quality": "exact", "geometry": pt,
            })
        else:
            mask = fac["fac_id"].astype(str) == fid if fid else pd.Series(False, index=fac.index)
            if fid and not mask.any() and kind not in (ActionKind.EQUIP, ActionKind.RENOVATE):
                raise InputError(tr("scenario.unknown_facility", name=name, fac_id=fid,
                                    action=kind.label))
            count = _f(a["count"])
            count = count if np.isfinite(count) else 1.0
            if kind is ActionKind.UPGRADE_PUSTU:
                fac.loc[mask, "type"] = "pustu"
                fac.loc[mask, "precursor"] = False
            elif kind is ActionKind.ADD_NAKES:
                role = str(a["role"]).lower() if not _missing(a["role"]) else ""
                col = {"nurse": "nurses", "perawat": "nurses", "midwife": "midwives",
                       "bidan": "midwives"}.get(role)
                if col:
                    fac.loc[mask, col] = fac.loc[mask, col].fillna(0) + count
                fac.loc[mask, "nakes"] = fac.loc[mask, "nakes"].fillna(0) + count
            elif kind is ActionKind.TRAIN_KADER:
                fac.loc[mask, "kader"] = fac.loc[mask, "kader"].fillna(0) + count
            elif kind is ActionKind.CLOSE:
                fac = fac[~mask]
            if fid and _missing(a["desa_code"]) and fid in fac_desa:
                a = a.copy()
                a["desa_code"] = fac_desa[fid]
        cost = action_cost(a, out.rules)
        if kind is not ActionKind.CLOSE:
            budget_rows.append({
                "budget_id": f"{name}:{a['action_id']}",
                "source": a["source"] if not _missing(a["source"]) else FundingSource.OTHER.value,
                "year": a["year"], "activity": kind.activity.value,
                "target_desa": None if _missing(a["desa_code"]) else a["desa_code"],
                "target_facility": fid, "amount": cost, "status": BudgetStatus.PROPOSED.value,
                "note": tr("scenario.budget_note", name=name),
            })
    if new_rows:
        add = gpd.GeoDataFrame(new_rows, geometry="geometry", crs=WGS84).to_crs(fac.crs)
        fac = pd.concat([fac, add], ignore_index=True)
        fac = gpd.GeoDataFrame(fac, geometry="geometry", crs=add.crs)
    out.set_layer("facilities", fac)
    if budget_rows:
        old = out.budget
        b = pd.DataFrame(budget_rows)
        out.set_layer("budget", pd.concat([old, b], ignore_index=True) if len(old) else b)
    out.meta["scenario"] = name
    return out


# ==================================================================================================
# Comparison with the baseline
# ==================================================================================================

COMPARE_COLUMNS = ["kecamatan_code", "kecamatan_name", "gaps_before", "gaps_after",
                   "gaps_closed", "gaps_new", "population", "pop_within_before",
                   "pop_within_after", "pop_newly_covered", "cost", "cost_per_person"]


@dataclass
class ScenarioOutcome:
    name: str
    project: Any          # the scenario's Project copy
    result: Any           # its AnalysisResult
    baseline: Any         # the baseline AnalysisResult
    comparison: pd.DataFrame   # by kecamatan + a total row (kecamatan_code None)
    desa: pd.DataFrame    # by desa: desa_code, gaps_before, gaps_after, pop_within_before/after
    cost: float
    measure: CoverageMeasure | None = None  # what "covered" meant (None: the default column)
    key: str | None = None  # the baseline's data key, when taken before the analyses

    @property
    def total(self) -> dict[str, Any]:
        row = self.comparison[self.comparison["kecamatan_code"].isna()]
        return row.iloc[0].to_dict() if len(row) else {}


def _gap_keys(gaps) -> pd.DataFrame:
    """``gaps`` with ``_key``: the gap's identity across two analyses — kind, place, facility
    and the facility type its limit is measured to (a desa's "> 5 km from a Pustu" and "> 10
    km from a Puskesmas" are two gaps), numbered within equal identities so the same gap
    found twice is matched once each (not its message, whose figures change)."""
    g = pd.DataFrame(gaps).drop(columns="geometry", errors="ignore")
    for c in ("kind", "desa_code", "fac_id", "kecamatan_code", "limit_type"):
        if c not in g.columns:
            g[c] = None
    g = g.copy()

    def part(col):
        return g[col].astype(object).where(g[col].notna(), "").astype(str)

    key = part("kind") + "|" + part("desa_code") + "|" + part("kecamatan_code") + "|" \
        + part("fac_id") + "|" + part("limit_type")
    g["_key"] = key + "#" + key.groupby(key).cumcount().astype(str)
    return g


def compare(baseline, scenario, *, actions: pd.DataFrame | None = None,
            desa: pd.DataFrame | None = None, rules=None, coverage: str = "auto",
            measure: CoverageMeasure | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compare two AnalysisResults: by kecamatan (and a total row) and by desa.

    ``measure``: the scenario's coverage measure (its column is compared; for Posyandu the
    people of the dusun whose missing Posyandu is opened).  Without it ``coverage`` says which
    population-within column: ``km`` (distance to a Pustu), ``min`` (travel time) or ``auto``
    (travel time when the baseline has it, else distance).
    """
    bd = pd.DataFrame(baseline.desa).drop(columns="geometry", errors="ignore")
    sd = pd.DataFrame(scenario.desa).drop(columns="geometry", errors="ignore")
    col = "pop_within_pustu_km"
    if measure is not None:
        col = measure.column
    elif coverage == "min" or (coverage == "auto" and "pop_within_pustu_min" in bd.columns
                               and pd.to_numeric(bd["pop_within_pustu_min"],
                                                 errors="coerce").notna().any()):
        col = "pop_within_pustu_min"
    if measure is not None and measure.unit == "deficit":
        bd, sd = _dusun_served(bd, bd), _dusun_served(sd, bd)
        col = "_pop_with_posyandu"
    bg, sg = _gap_keys(baseline.gaps), _gap_keys(scenario.gaps)
    closed = bg[~bg["_key"].isin(set(sg["_key"]))]
    new = sg[~sg["_key"].isin(set(bg["_key"]))]

    d = pd.DataFrame({"desa_code": bd["code"], "kecamatan_code": bd.get("kecamatan_code"),
                      "kecamatan_name": bd.get("kecamatan_name"),
                      "population": pd.to_numeric(bd.get("population"), errors="coerce"),
                      "pop_within_before": pd.to_numeric(bd.get(col), errors="coerce")})
    after = dict(zip(sd["code"], pd.to_numeric(sd.get(col), errors="coerce"), strict=True))
    d["pop_within_after"] = d["desa_code"].map(after)
    d["gaps_before"] = d["desa_code"].map(bg.groupby("desa_code").size()).fillna(0).astype(int)
    d["gaps_after"] = d["desa_code"].map(sg.groupby("desa_code").size()).fillna(0).astype(int)
    d["gaps_closed"] = d["desa_code"].map(closed.groupby("desa_code").size()).fillna(0) \
        .astype(int)
    d["gaps_new"] = d["desa_code"].map(new.groupby("desa_code").size()).fillna(0).astype(int)
    d["pop_newly_covered"] = (d["pop_within_after"] - d["pop_within_before"]).clip(lower=0)
    d["cost"] = 0.0
    if actions is not None and len(actions) and rules is not None:
        acts = actions.copy()
        acts["_cost"] = [action_cost(r, rules) for _, r in acts.iterrows()]
        per_desa = acts.groupby("desa_code")["_cost"].sum()
        d["cost"] = d["desa_code"].map(per_desa).fillna(0.0)
        unplaced = float(acts.loc[~acts["desa_code"].isin(set(d["desa_code"])), "_cost"].sum())
    else:
        unplaced = 0.0

    agg = d.groupby(["kecamatan_code"], dropna=False).agg(
        kecamatan_name=("kecamatan_name", "first"), gaps_before=("gaps_before", "sum"),
        gaps_after=("gaps_after", "sum"), gaps_closed=("gaps_closed", "sum"),
        gaps_new=("gaps_new", "sum"), population=("population", lambda s: s.sum(min_count=1)),
        pop_within_before=("pop_within_before", lambda s: s.sum(min_count=1)),
        pop_within_after=("pop_within_after", lambda s: s.sum(min_count=1)),
        pop_newly_covered=("pop_newly_covered", lambda s: s.sum(min_count=1)),
        cost=("cost", "sum")).reset_index()
    # gaps without a desa (kecamatan-level) still count in their kecamatan
    for frame, column in ((bg, "gaps_before"), (sg, "gaps_after"), (closed, "gaps_closed"),
                          (new, "gaps_new")):
        extra = frame[frame["desa_code"].isna()].groupby("kecamatan_code").size()
        for kec, n in extra.items():
            agg.loc[agg["kecamatan_code"] == kec, column] += int(n)
    total = {"kecamatan_code": None, "kecamatan_name": tr("scenario.total"),
             "gaps_before": int(len(bg)), "gaps_after": int(len(sg)),
             "gaps_closed": int(len(closed)), "gaps_new": int(len(new)),
             "population": agg["population"].sum(min_count=1),
             "pop_within_before": agg["pop_within_before"].sum(min_count=1),
             "pop_within_after": agg["pop_within_after"].sum(min_count=1),
             "pop_newly_covered": agg["pop_newly_covered"].sum(min_count=1),
             "cost": float(agg["cost"].sum()) + unplaced}
    out = pd.concat([agg, pd.DataFrame([total])], ignore_index=True)
    newly = pd.to_numeric(out["pop_newly_covered"], errors="coerce")
    out["cost_per_person"] = np.where(newly > 0, out["cost"] / newly.where(newly > 0), np.nan)
    desa_out = d[["desa_code", "kecamatan_code", "gaps_before", "gaps_after", "gaps_closed",
                  "gaps_new", "pop_within_before", "pop_within_after", "pop_newly_covered",
                  "cost"]].reset_index(drop=True)
    return out[COMPARE_COLUMNS], desa_out


def _dusun_served(d: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """``d`` with ``_pop_with_posyandu``: people of the dusun that have their Posyandu (the
    population less the missing Posyandu × the baseline's people per Posyandu)."""
    per = pd.Series(people_per_posyandu(base["population"], base["posyandu_needed"]),
                    index=base["code"].to_numpy())
    per = per[~per.index.duplicated()]
    pop = pd.to_numeric(d["population"], errors="coerce").to_numpy(float)
    deficit = pd.to_numeric(d["posyandu_deficit"], errors="coerce").to_numpy(float)
    return d.assign(_pop_with_posyandu=pop - deficit * per.reindex(d["code"]).to_numpy(float))


_GROUND_KEYS = ("crs", "road", "desa", "kec", "points")
"""What a run keeps (``analyze(keep=...)``) that does not depend on the facilities."""


def run_scenario(project, name: str, *, baseline=None,
                 analyze: Callable[..., Any] | None = None, progress=None,
                 is_cancelled=None, done_with=None, read_again=None) -> ScenarioOutcome:
    """Apply scenario ``name`` to a copy, re-run the analysis there and compare.

    ``baseline``: the baseline AnalysisResult (computed when not given).  ``analyze``: the
    analysis function (default ``ilp_gis.analysis.analyze``), called as
    ``analyze(project, progress=..., is_cancelled=...)``.  The comparison (:func:`compare`):
    gaps closed, people newly covered and cost per person newly covered, by kecamatan.

    With the default analysis and no ``baseline`` given, the scenario's analysis reuses the
    baseline run's road graph, prepared boundaries and population points (the scenario
    changes facilities and budget lines only: ``ilp_gis.analysis.analyze``'s ``ground``), so
    a national comparison builds them once.

    ``done_with``: for a caller that needs the comparison only (``ilp-gis scenario compare``):
    the baseline's data key is taken before the analyses (``key``, what :func:`store_outcome`
    stores), each analysis is cut to what the comparison reads once it is done (``baseline``
    and ``result`` keep their desa and gaps, without geometry), and ``done_with`` is called
    with ``("facilities",)`` once the baseline's facilities are read no more, so that the
    caller can let go of them before the scenario's analysis (a national list is large).
    With ``read_again`` as well (``read_again(names)`` puts layers the caller let go of back
    into ``project``), each analysis lets go of the roads and settlements once it has read
    them (``done_with`` is called with their names, as ``ilp-gis analyze`` does) and they are
    read again for the scenario's analysis, which then builds its own road graph: the least
    memory (one analysis' inputs at a time), for a second road graph's time.
    """
    shared = analyze is None
    lean = done_with is not None
    if analyze is None:
        from ilp_gis.analysis import analyze
    checkpoint(progress, is_cancelled, 0.0, tr("scenario.progress.apply", name=name))
    if name not in scenario_names(project):
        raise InputError(tr("scenario.unknown", name=name))
    measure = scenario_measure(project, name)
    key = baseline_key(project) if lean else None
    acts = locate_actions(project, scenario_actions(project, name))
    _check_facilities(project, name, acts)  # before the analyses, not after them
    cost = float(sum(action_cost(r, project.rules) for _, r in acts.iterrows()))
    rules = measure.rules_for(project.rules) if measure is not None else project.rules
    # analyse both sides with the limit the sites were chosen by
    base_project = project
    if rules is not project.rules:
        base_project = what_if_copy(project)
        base_project.set_rules(rules)
        baseline = None

    def scenario_copy():
        out = apply_scenario(project, name)
        if rules is not project.rules:
            out.set_rules(rules)
        return out

    # a comparison only (lean) holds one facility list at a time: the scenario's is made once
    # the baseline is analysed, and the baseline's is let go before the scenario's analysis
    copy = None if lean else scenario_copy()
    one_at_a_time = lean and shared and read_again is not None

    def reading_done(held):  # analyze's done_with: from project (the caller) and ``held``
        def done(names):
            done_with(tuple(names))
            for n in names if held is not project else ():
                held.layers.pop(n, None)
        return done

    ground = None
    if baseline is None:
        keep: dict | None = {} if shared and not one_at_a_time else None
        extra = {"keep": keep} if keep is not None else {}
        if one_at_a_time:
            extra = {"done_with": reading_done(base_project)}
        baseline = analyze(base_project, progress=sub_progress(progress, 0.05, 0.5),
                           is_cancelled=is_cancelled, **extra)
        if keep:  # the facility stages are let go; each stage is handed over once
            ground = _HandOver({k: keep[k] for k in _GROUND_KEYS})
        keep = None
    base_project = None
    if lean:
        baseline = _compared_part(baseline)
        if one_at_a_time:
            read_again(("roads", "settlements"))
        copy = scenario_copy()
        done_with(("facilities",))
    checkpoint(progress, is_cancelled, 0.5, tr("scenario.progress.analyze", name=name))
    extra = {"ground": ground} if ground is not None else {}
    if one_at_a_time:
        extra = {"done_with": reading_done(copy)}
    result = analyze(copy, progress=sub_progress(progress, 0.5, 0.95), is_cancelled=is_cancelled,
                     **extra)
    ground = None
    if lean:
        result = _compared_part(result)
    comparison, desa = compare(baseline, result, actions=acts, rules=project.rules,
                               measure=measure)
    checkpoint(progress, None, 1.0)
    return ScenarioOutcome(name, copy, result, baseline, comparison, desa, cost, measure, key)


class _HandOver(dict):
    """The baseline run's ground handed to the scenario's analysis (``analyze(ground=...)``):
    each value is given once and forgotten here, so that the analysis lets go of the road
    graph and the population points when it is done with them, as a run of its own does."""

    def __getitem__(self, key):
        return self.pop(key)


def _check_facilities(project, name: str, acts: pd.DataFrame) -> None:
    """The error :func:`apply_scenario` raises for an action on a facility the project does
    not have (closed by an earlier action included), found before any analysis."""
    ids = set(project.facilities["fac_id"].astype(str))
    for _, a in acts.iterrows():
        kind = ActionKind(str(a["action"]))
        if kind in (ActionKind.NEW_PUSTU, ActionKind.NEW_POSYANDU):
            continue
        fid = None if _missing(a["fac_id"]) else str(a["fac_id"])
        if fid and fid not in ids and kind not in (ActionKind.EQUIP, ActionKind.RENOVATE):
            raise InputError(tr("scenario.unknown_facility", name=name, fac_id=fid,
                                action=kind.label))
        if kind is ActionKind.CLOSE and fid:
            ids.discard(fid)


_COMPARED_DESA = ("code", "kecamatan_code", "kecamatan_name", "population", "posyandu_needed",
                  "posyandu_deficit")
_COMPARED_GAPS = ("kind", "desa_code", "fac_id", "kecamatan_code", "limit_type")


def _compared_part(result):
    """``result`` with only what :func:`compare` reads: of its desa the code, kecamatan,
    population, the people within each limit and the Posyandu need; of its gaps their
    identity (:func:`_gap_keys`); no geometry, network, edges or other tables."""
    import dataclasses

    def plain(frame, keep, prefix=None):
        frame = pd.DataFrame(frame)
        cols = [c for c in frame.columns
                if c in keep or (prefix is not None and str(c).startswith(prefix))]
        return frame[cols].copy()

    return dataclasses.replace(result, desa=plain(result.desa, _COMPARED_DESA, "pop_within_"),
                               gaps=plain(result.gaps, _COMPARED_GAPS),
                               graph=None, edges=None, network_problems=None, coe=None,
                               strata=None, lokus=None)


def cost_per_person_text(cost, gained, *, lang: str | None = None) -> str:
    """The cost per person newly covered as text, never "NaN": Rupiah when someone is gained;
    "– (tidak ada penduduk baru terjangkau)" when no one is; the missing text naming the
    population input when the people gained are unknown (no population loaded)."""
    from ilp_gis.i18n import format_rupiah, language
    from ilp_gis.inputs import missing_text

    kw = {"lang": lang} if lang else {}
    g, c = _f(gained), _f(cost)
    if not np.isfinite(g):
        with language(lang):
            return missing_text(["population"])
    if g <= 0:
        return tr("scenario.per_person.none", **kw)
    if not np.isfinite(c):
        return tr("scenario.per_person.unpriced", **kw)
    return format_rupiah(c / g, **kw)


def change_layer(outcome: ScenarioOutcome, desa):
    """The desa GeoDataFrame joined with the scenario's per-desa changes (gaps_before,
    gaps_after, gaps_closed, gaps_new, pop_newly_covered, cost) for a before/after map."""
    d = desa[[c for c in ("code", "name", "kecamatan_code", "geometry") if c in desa.columns]]
    ch = outcome.desa.drop(columns=["kecamatan_code"], errors="ignore")
    return d.merge(ch, left_on="code", right_on="desa_code", how="left").drop(
        columns="desa_code")


def comparison_table(outcome: ScenarioOutcome, *, lang: str | None = None) -> pd.DataFrame:
    """The comparison with headers in the UI language (for the report and the XLSX)."""
    def t(key):
        return tr(key, lang=lang) if lang else tr(key)

    c = outcome.comparison
    return pd.DataFrame({
        t("scenario.col.kecamatan"): c["kecamatan_name"].fillna(c["kecamatan_code"]),
        t("scenario.col.gaps_before"): c["gaps_before"],
        t("scenario.col.gaps_after"): c["gaps_after"],
        t("scenario.col.gaps_closed"): c["gaps_closed"],
        t("scenario.col.pop_newly_covered"): c["pop_newly_covered"],
        t("scenario.col.cost"): c["cost"],
        t("scenario.col.cost_per_person"): c["cost_per_person"],
    })


# ==================================================================================================
# Stored comparisons and the sites of a scenario (for the outputs)
# ==================================================================================================

def _drop_stored(project, name: str) -> None:
    for table in (COMPARISON_TABLE, DESA_CHANGES_TABLE):
        frame = project.tables.get(table)
        if frame is not None and len(frame) and (pd.DataFrame(frame)["scenario"] == name).any():
            f = pd.DataFrame(frame)
            project.set_table(table, f[f["scenario"] != name].reset_index(drop=True))


def store_outcome(project, outcome: ScenarioOutcome) -> None:
    """Keep ``outcome``'s comparison in the project (replacing that scenario's last one), with
    the measure it was made with and the :func:`baseline_key` of the data it was made on, for
    the report, the XLSX and the web map."""
    _drop_stored(project, outcome.name)
    m = outcome.measure
    comp = outcome.comparison.copy()
    comp.insert(0, "scenario", outcome.name)
    comp["measure"] = m.describe() if m is not None else None
    comp["baseline_key"] = outcome.key or baseline_key(project)
    desa = outcome.desa.copy()
    desa.insert(0, "scenario", outcome.name)
    for table, frame in ((COMPARISON_TABLE, comp), (DESA_CHANGES_TABLE, desa)):
        old = project.tables.get(table)
        frames = [f for f in (pd.DataFrame(old) if old is not None else None, frame)
                  if f is not None and len(f)]
        out = pd.concat(frames, ignore_index=True) if frames else frame
        for c in out.columns:
            if c not in ("scenario", "kecamatan_code", "kecamatan_name", "desa_code",
                         "measure", "baseline_key"):
                out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
        project.set_table(table, out)


def stored_comparison(project, name: str | None = None) -> pd.DataFrame:
    """The stored comparisons (all scenarios, or ``name``'s): ``scenario``,
    :data:`COMPARE_COLUMNS` and ``measure``; empty when ``scenario compare`` never ran."""
    frame = project.tables.get(COMPARISON_TABLE)
    if frame is None or not len(frame):
        return pd.DataFrame(columns=["scenario", *COMPARE_COLUMNS, "measure"])
    f = pd.DataFrame(frame)
    return (f[f["scenario"] == name] if name is not None else f).reset_index(drop=True)


def stored_desa_changes(project, name: str) -> pd.DataFrame:
    frame = project.tables.get(DESA_CHANGES_TABLE)
    if frame is None or not len(frame):
        return pd.DataFrame(columns=["scenario", "desa_code", "pop_newly_covered"])
    f = pd.DataFrame(frame)
    return f[f["scenario"] == name].reset_index(drop=True)


def scenario_sites(project, name: str) -> gpd.GeoDataFrame:
    """Where scenario ``name`` acts (EPSG:4326): new facilities at their lon/lat, upgrades and
    other facility actions at the facility; columns scenario, action_id, action, name,
    desa_code, fac_id, amount (the cost, catalogue-priced when missing), geometry."""
    acts = locate_actions(project, scenario_actions(project, name))
    fac = project.facilities
    f84 = fac.to_crs(WGS84) if len(fac) and fac.crs is not None else fac
    where = {str(k): g for k, g in zip(f84["fac_id"], f84.geometry, strict=True)} \
        if len(f84) else {}
    names = {str(k): v for k, v in zip(f84["fac_id"], f84["name"], strict=True)} \
        if len(f84) else {}
    rows, geoms = [], []
    for _, a in acts.iterrows():
        lon, lat = _f(a.get("lon")), _f(a.get("lat"))
        fid = None if _missing(a.get("fac_id")) else str(a["fac_id"])
        if np.isfinite(lon) and np.isfinite(lat):
            g = Point(lon, lat)
        elif fid in where and where[fid] is not None:
            g = where[fid]
        else:
            continue
        rows.append({"scenario": name, "action_id": a["action_id"], "action": a["action"],
                     "name": a["name"] if not _missing(a.get("name")) else names.get(fid),
                     "desa_code": a.get("desa_code"), "fac_id": fid,
                     "amount": action_cost(a, project.rules)})
        geoms.append(g)
    cols = ["scenario", "action_id", "action", "name", "desa_code", "fac_id", "amount"]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=cols), geometry=geoms, crs=WGS84)


register_catalog("ilp_gis", "scenario")
