"""The budget synchronisation: which gap of an analysis result is funded, partly funded or
unfunded by the project's budget lines, by which source, in which year and for how much.
Pure domain code (no files); imports pandas, numpy and ``ilp_gis`` (model, rules, budget.cells).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ilp_gis.budget.cells import is_missing
from ilp_gis.model import Activity
from ilp_gis.rules import Rules, default_rules

# --- Which activity addresses which gap kind ------------------------------------------------------
# Each gap kind maps to its alternative ways of closing it; a way is one activity here (the
# catalogue prices one unit of it; see _units_needed for how many units a gap needs).
GAP_ACTIVITIES: dict[str, tuple[Activity, ...]] = {
    "no_pustu": (Activity.BUILD_PUSTU, Activity.UPGRADE_TO_PUSTU),
    "beyond_distance": (Activity.BUILD_PUSTU, Activity.UPGRADE_TO_PUSTU),
    "beyond_travel_time": (Activity.BUILD_PUSTU, Activity.UPGRADE_TO_PUSTU),
    "understaffed_pustu": (Activity.ADD_NAKES,),
    "kader_deficit": (Activity.TRAIN_KADER,),
    "posyandu_deficit": (Activity.OPEN_POSYANDU,),
    "coe_below_threshold": (Activity.EQUIP, Activity.RENOVATE),
    # A kecamatan without a Puskesmas is beyond the village-level catalogue; a line of activity
    # "other" aimed at its desa is read as addressing it (amount compared with nothing: partly).
    "no_puskesmas": (Activity.OTHER,),
}
FUNDABLE_GAP_KINDS = tuple(GAP_ACTIVITIES)
FUNDING_STATES = ("funded", "partly", "unfunded")


def activity_cost(activity: Activity | str, rules: Rules | None = None) -> float:
    """Catalogue cost (Rp) of one unit of ``activity``; NaN when the catalogue has none."""
    rules = rules or default_rules()
    name = f"cost.{Activity(activity).value}"
    return float(rules[name]) if name in rules else math.nan


@dataclass
class BudgetSync:
    """Gaps tied to budget lines.

    ``gap_funding``  one row per fundable gap: gap_id, kind, desa_code, desa_name,
        kecamatan_code, kecamatan_name, fac_id, priority_rank, priority_score, funding_state,
        sources (";"-joined FundingSource values), years (";"-joined), amount (Rp tied to the
        gap, 0 when none), needed (catalogue cost of the cheapest way to close it — upgrading counts
        only where the desa has a Poskesdes/Polindes; NaN when the catalogue has no price), shortfall (needed − amount, ≥ 0), budget_ids, activities.
    ``desa_funding`` one row per desa with a fundable gap: desa_code, funding_state (funded when
        all its gaps are, unfunded when none has a line, else partly), gaps, funded, partly,
        unfunded, amount, needed.
    ``totals``       budget per source and year: source, year, amount, lines, amount_on_gaps
        (the part tied to gaps).
    ``unfunded``     the gaps not fully funded (unfunded and partly), most urgent first.
    ``lines``        one row per budget line: budget_id, source, year, activity, amount,
        gaps_addressed (count), addresses_gap (bool), unallocated (Rp of the line not tied to
        any gap: the whole amount of a line that addresses none, the rest of a pooled line).
    """

    gap_funding: pd.DataFrame
    desa_funding: pd.DataFrame
    totals: pd.DataFrame
    unfunded: pd.DataFrame
    lines: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def counts(self) -> dict[str, int]:
        vc = self.gap_funding["funding_state"].value_counts()
        return {s: int(vc.get(s, 0)) for s in FUNDING_STATES}


GAP_FUNDING_COLUMNS = ["gap_id", "kind", "desa_code", "desa_name", "kecamatan_code",
                       "kecamatan_name", "fac_id", "priority_rank", "priority_score",
                       "funding_state", "sources", "years", "amount", "needed", "shortfall",
                       "budget_ids", "activities"]


def _units_needed(kind: str, activity: Activity, value: float, threshold: float,
                  rules: Rules) -> float:
    """How many catalogue units of ``activity`` close one gap of ``kind``."""
    if activity in (Activity.BUILD_PUSTU, Activity.UPGRADE_TO_PUSTU, Activity.EQUIP,
                    Activity.RENOVATE, Activity.OTHER):
        return 1.0
    finite = np.isfinite(value) and np.isfinite(threshold)
    if activity is Activity.TRAIN_KADER:
        if finite and threshold > 1 and threshold > value:  # counts of kader
            return float(math.ceil(threshold - value))
        return float(rules.value("target.posyandu_min_kader", 5.0))  # share given: one team
    if finite and threshold > value:  # nakes / posyandu counts
        return float(max(1, math.ceil(threshold - value)))
    if activity is Activity.OPEN_POSYANDU and np.isfinite(value) and value >= 1 and (
            not np.isfinite(threshold) or threshold == 0):
        return float(math.ceil(value))  # value given as the deficit itself
    return 1.0


def _fnum(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return math.nan
    return f


def budget_sync(project, result, rules: Rules | None = None, *,
                statuses: tuple[str, ...] | None = None) -> BudgetSync:
    """Tie the project's budget lines to the gaps of ``result`` (an AnalysisResult).

    A line aimed at a desa or at a Pustu/Posyandu addresses the gaps of that desa/facility with
    its whole amount.  A line aimed at a Puskesmas (e.g. BOK kader training for its whole working
    area) is a *pooled* line: it addresses the gaps of the facilities under that Puskesmas in the
    network (``result.graph``; without a graph, its kecamatan), and its amount is shared out
    gap by gap, most urgent first, each gap taking what it still lacks of its catalogue cost.

    Parameters
    ----------
    project
        The :class:`ilp_gis.project.Project` (its ``budget`` and ``facilities`` layers).
    result
        An AnalysisResult (``gaps`` and, when present, ``graph``) — or a gaps DataFrame.
    rules
        Rules with the ``cost.*`` catalogue (default: the project's rules).
    statuses
        Budget statuses counted as funding (default: all — proposed lines count, as in a
        budget-synchronisation meeting).  E.g. ``("disetujui", "terealisasi")``.

    Which activity closes which gap kind is :data:`GAP_ACTIVITIES`; what closing a gap costs
    comes from the cost catalogue of the rules (``cost.*``).  A gap is

    - ``funded``   when the lines tied to it reach the catalogue cost of at least one way of
      closing it (e.g. build a Pustu *or* upgrade a Poskesdes for ``no_pustu``);
    - ``partly``   when some line addresses it but none of the ways is fully paid (amount below
      the catalogue cost, or an amount that is missing);
    - ``unfunded`` when no line addresses it.

    A line addresses a gap when its activity is one of the gap kind's activities and its target
    is the gap's desa (``target_desa``) or the gap's facility / a facility in the gap's desa
    (``target_facility``).  Data-quality gap kinds (``orphan_facility``, ``network_problem``)
    are not something to fund and are left out of the sync.
    """
    rules = rules or getattr(project, "rules", None) or default_rules()
    gaps = result.gaps if hasattr(result, "gaps") else result
    graph = getattr(result, "graph", None)
    gaps = pd.DataFrame(gaps).copy()
    for col in ("gap_id", "kind", "desa_code", "desa_name", "kecamatan_code", "kecamatan_name",
                "fac_id", "value", "threshold", "priority_rank", "priority_score"):
        if col not in gaps.columns:
            gaps[col] = None
    if "geometry" in gaps.columns:
        gaps = gaps.drop(columns="geometry")
    gaps = gaps[gaps["kind"].isin(FUNDABLE_GAP_KINDS)].reset_index(drop=True)

    budget = pd.DataFrame(project.budget).copy()
    if statuses is not None and len(budget):
        budget = budget[budget["status"].isin(statuses)]
    budget = budget.reset_index(drop=True)
    budget["amount"] = pd.to_numeric(budget.get("amount"), errors="coerce")

    fac = project.facilities
    fac_desa: dict[str, Any] = {}
    fac_type: dict[str, str] = {}
    fac_kec: dict[str, Any] = {}
    precursor_desa: set[str] = set()
    if len(fac):
        ids = fac["fac_id"].astype(str)
        fac_desa = dict(zip(ids, fac["desa_code"], strict=True))
        fac_type = dict(zip(ids, fac["type"].astype(str).str.lower(), strict=True))
        if "kecamatan_code" in fac.columns:
            fac_kec = dict(zip(ids, fac["kecamatan_code"], strict=True))
        if "precursor" in fac.columns:
            pre = fac[fac["precursor"].fillna(False).astype(bool)]
            precursor_desa = {str(d) for d in pre["desa_code"].dropna()}

    # Index direct lines by (activity, desa) and (activity, facility); collect pooled lines.
    by_desa: dict[tuple[str, str], list[int]] = {}
    by_fac: dict[tuple[str, str], list[int]] = {}
    pooled: dict[str, list[tuple[int, set[str], set[str], Any]]] = {}
    for i, row in budget.iterrows():
        act = str(row.get("activity") or "")
        tf, td = row.get("target_facility"), row.get("target_desa")
        if not is_missing(tf):
            tf = str(tf)
            by_fac.setdefault((act, tf), []).append(i)
            if fac_type.get(tf) == "puskesmas" and is_missing(td):
                area_fac, area_desa = _puskesmas_area(graph, tf)
                pooled.setdefault(act, []).append((i, area_fac, area_desa, fac_kec.get(tf)))
                continue
            d = fac_desa.get(tf)
            if not is_missing(d) and (is_missing(td) or str(td) == str(d)):
                by_desa.setdefault((act, str(d)), []).append(i)
        elif not is_missing(td):
            by_desa.setdefault((act, str(td)), []).append(i)

    amounts = budget["amount"].to_numpy(dtype=float)
    b_source = budget["source"].tolist() if len(budget) else []
    b_year = [None if is_missing(y) else y for y in budget["year"].tolist()] if len(budget) \
        else []
    b_act = budget["activity"].tolist() if len(budget) else []
    b_id = budget["budget_id"].tolist() if len(budget) else []
    b_tf = budget["target_facility"].tolist() if len(budget) else []
    remaining = amounts.copy()
    addressed = np.zeros(len(budget), dtype=int)
    recs = []
    columns = list(gaps.columns)
    records = (dict(zip(columns, vals, strict=True))
               for vals in zip(*(gaps[c].tolist() for c in columns), strict=True))
    for g in records:  # = gaps.to_dict("records"), without pandas' per-value boxing
        kind = str(g["kind"])
        desa_code = None if is_missing(g["desa_code"]) else str(g["desa_code"])
        fac_id = None if is_missing(g["fac_id"]) else str(g["fac_id"])
        value, threshold = _fnum(g["value"]), _fnum(g["threshold"])
        options = {}
        for act in GAP_ACTIVITIES[kind]:
            idx: list[int] = []
            if fac_id is not None:
                idx += by_fac.get((act.value, fac_id), [])
            if desa_code is not None:
                for j in by_desa.get((act.value, desa_code), []):
                    tf = b_tf[j]
                    # a line for another facility of the desa does not fix this facility's gap
                    if fac_id is not None and not is_missing(tf) and str(tf) != fac_id:
                        continue
                    if j not in idx:
                        idx.append(j)
            cost = activity_cost(act, rules)
            need = cost * _units_needed(kind, act, value, threshold, rules) \
                if np.isfinite(cost) else math.nan
            # upgrading is a way only where a Poskesdes/Polindes exists (or a line says so)
            if act is Activity.UPGRADE_TO_PUSTU and not idx and desa_code not in precursor_desa:
                continue
            options[act] = {"need": need, "direct": idx, "pooled": {}}
        recs.append({"g": g, "kind": kind, "desa_code": desa_code, "fac_id": fac_id,
                     "options": options})

    # Pooled lines are shared out most urgent gap first.
    order = sorted(range(len(recs)), key=lambda r: (
        _fnum(recs[r]["g"]["priority_rank"]) if np.isfinite(_fnum(recs[r]["g"]["priority_rank"]))
        else math.inf, str(recs[r]["g"]["gap_id"])))
    # Which pooled lines reach a facility, a desa, or (lines without an area) a kecamatan:
    # looked up per gap instead of scanning every pooled line for every gap.
    reach: dict[str, tuple[dict, dict, dict]] = {}
    for act_value, entries in pooled.items():
        by_f: dict = {}
        by_d: dict = {}
        by_k: dict = {}
        for k, (_j, af, ad, kec) in enumerate(entries):
            for f in af:
                by_f.setdefault(f, []).append(k)
            for d in ad:
                by_d.setdefault(d, []).append(k)
            if not af and not ad and kec is not None:
                by_k.setdefault(str(kec), []).append(k)
        reach[act_value] = (by_f, by_d, by_k)
    for r in order:
        rec = recs[r]
        for act, opt in rec["options"].items():
            entries = pooled.get(act.value)
            if not entries:
                continue
            by_f, by_d, by_k = reach[act.value]
            ks = set(by_f.get(rec["fac_id"], ())) | set(by_d.get(rec["desa_code"], ())) \
                | set(by_k.get(str(rec["g"]["kecamatan_code"]), ()))
            lines = [(entries[k][0], entries[k][3]) for k in sorted(ks)]  # in budget order
            if not lines:
                continue
            direct = _sum_known(amounts, opt["direct"])
            lacking = opt["need"] - (direct if np.isfinite(direct) else 0.0)
            for j, _kec in lines:
                if not np.isfinite(remaining[j]):
                    opt["pooled"][j] = math.nan  # amount unknown: addresses, cannot prove funding
                    continue
                if not (lacking > 0) or remaining[j] <= 0:
                    continue
                take = min(remaining[j], lacking) if np.isfinite(lacking) else remaining[j]
                remaining[j] -= take
                lacking -= take
                opt["pooled"][j] = take

    rows = []
    line_use: dict[str, dict[int, float]] = {}
    for rec in recs:
        g = rec["g"]
        best_state, best_ratio = "unfunded", -1.0
        used: dict[int, float] = {}
        for _act, opt in rec["options"].items():
            parts = {j: amounts[j] for j in opt["direct"]}
            parts.update(opt["pooled"])
            if not parts:
                continue
            used.update(parts)
            vals = [float(v) for v in parts.values()]
            total = _known_total(vals)
            need = opt["need"]
            if np.isfinite(need) and np.isfinite(total) and total >= need - 0.5 \
                    and all(math.isfinite(v) for v in vals):
                state, ratio = "funded", 2.0
            elif np.isfinite(need) and np.isfinite(total) and total >= need - 0.5:
                state, ratio = "funded", 2.0  # unknown amounts beside enough known money
            else:
                state = "partly"
                ratio = total / need if np.isfinite(need) and np.isfinite(total) and need > 0 \
                    else 0.0
            if state == "funded" or (best_state != "funded" and ratio > best_ratio):
                best_state, best_ratio = state, ratio
        for j in used:
            addressed[j] += 1
        needs = [o["need"] for o in rec["options"].values() if np.isfinite(o["need"])]
        needed = min(needs) if needs else math.nan
        vals = [float(v) for v in used.values()]
        amount = float(sum(v for v in vals if not math.isnan(v))) if vals else 0.0
        if best_state == "funded":
            shortfall = 0.0
        elif np.isfinite(needed):
            shortfall = max(0.0, needed - amount)
        else:
            shortfall = math.nan
        used_idx = sorted(used)
        if rec["desa_code"] is not None:
            line_use.setdefault(rec["desa_code"], {})
            pooled_here = {jj for o in rec["options"].values() for jj in o["pooled"]}
            for j, v in used.items():
                pooled_line = j in pooled_here
                prev = line_use[rec["desa_code"]].get(j, 0.0)
                v = 0.0 if not np.isfinite(v) else v
                line_use[rec["desa_code"]][j] = prev + v if pooled_line else max(prev, v)
        rows.append({
            "gap_id": g["gap_id"], "kind": rec["kind"], "desa_code": rec["desa_code"],
            "desa_name": g["desa_name"], "kecamatan_code": g["kecamatan_code"],
            "kecamatan_name": g["kecamatan_name"], "fac_id": rec["fac_id"],
            "priority_rank": g["priority_rank"], "priority_score": g["priority_score"],
            "funding_state": best_state,
            "sources": ";".join(sorted({str(b_source[j]) for j in used_idx
                                        if not is_missing(b_source[j])})),
            "years": ";".join(str(y) for y in sorted({int(b_year[j]) for j in used_idx
                                                      if not is_missing(b_year[j])})),
            "amount": amount, "needed": needed, "shortfall": shortfall,
            "budget_ids": ";".join(str(b_id[j]) for j in used_idx),
            "activities": ";".join(sorted({str(b_act[j]) for j in used_idx
                                           if not is_missing(b_act[j])})),
        })
    gap_funding = pd.DataFrame(rows, columns=GAP_FUNDING_COLUMNS)
    gap_funding["priority_rank"] = pd.to_numeric(gap_funding["priority_rank"], errors="coerce")
    gap_funding["priority_score"] = pd.to_numeric(gap_funding["priority_score"], errors="coerce")
    for col in ("amount", "needed", "shortfall"):
        gap_funding[col] = gap_funding[col].astype("float64")

    desa_amount = {d: float(sum(v.values())) for d, v in line_use.items()}
    desa_funding = _desa_funding(gap_funding, desa_amount)

    lines = pd.DataFrame({
        "budget_id": budget.get("budget_id", pd.Series(dtype=object)),
        "source": budget.get("source", pd.Series(dtype=object)),
        "year": budget.get("year", pd.Series(dtype="Int64")),
        "activity": budget.get("activity", pd.Series(dtype=object)),
        "amount": budget["amount"],
        "gaps_addressed": addressed,
        "addresses_gap": addressed > 0,
        "unallocated": np.where(np.isfinite(remaining) & (remaining < amounts), remaining,
                                np.where(addressed > 0, 0.0, amounts)),
    })
    totals = _totals(lines)
    unfunded = gap_funding[gap_funding["funding_state"] != "funded"].sort_values(
        ["priority_rank", "gap_id"], na_position="last", kind="stable").reset_index(drop=True)
    return BudgetSync(gap_funding, desa_funding, totals, unfunded, lines)


def _sum_known(amounts: np.ndarray, idx: list[int]) -> float:
    return _known_total([float(amounts[j]) for j in idx])


def _known_total(vals: list[float]) -> float:
    """Sum of the known (non-NaN) values; NaN when none is finite (= ``np.nansum`` on a few
    values, without numpy's per-call cost: it runs once per gap)."""
    if not any(math.isfinite(v) for v in vals):
        return math.nan
    return float(sum(v for v in vals if not math.isnan(v)))


def _puskesmas_area(graph, fac_id: str) -> tuple[set[str], set[str]]:
    """Facilities under a Puskesmas in the network graph and their desa."""
    if graph is None or fac_id not in graph:
        return set(), set()
    import networkx as nx

    below = nx.descendants(graph, fac_id)
    desa = {str(graph.nodes[n].get("desa_code")) for n in below | {fac_id}
            if graph.nodes[n].get("desa_code") is not None}
    return {str(n) for n in below}, desa


def _desa_funding(gap_funding: pd.DataFrame, desa_amount: dict[str, float]) -> pd.DataFrame:
    cols = ["desa_code", "funding_state", "gaps", "funded", "partly", "unfunded", "amount",
            "needed"]
    gf = gap_funding[gap_funding["desa_code"].notna()]
    if not len(gf):
        return pd.DataFrame(columns=cols)
    counts = pd.crosstab(gf["desa_code"], gf["funding_state"]).reindex(
        columns=list(FUNDING_STATES), fill_value=0)
    out = counts.reset_index()
    out["gaps"] = counts.sum(axis=1).to_numpy()
    out["funding_state"] = np.where(out["funded"] == out["gaps"], "funded",
                                    np.where(out["unfunded"] == out["gaps"], "unfunded", "partly"))
    out["amount"] = out["desa_code"].map(desa_amount).fillna(0.0).astype("float64")
    out["needed"] = out["desa_code"].map(gf.groupby("desa_code")["needed"].sum(min_count=1))
    return out[cols].reset_index(drop=True)


def _totals(lines: pd.DataFrame) -> pd.DataFrame:
    cols = ["source", "year", "amount", "lines", "amount_on_gaps"]
    if not len(lines):
        return pd.DataFrame(columns=cols)
    used = lines["amount"] - lines["unallocated"].fillna(0.0) if "unallocated" in lines \
        else lines["amount"]
    tmp = lines.assign(on_gap=used.where(lines["addresses_gap"]))
    tmp["year"] = pd.to_numeric(tmp["year"], errors="coerce").astype("Int64")
    grp = tmp.groupby(["source", "year"], dropna=False)
    out = pd.DataFrame({
        "amount": grp["amount"].sum(min_count=1),
        "lines": grp["budget_id"].count(),
        "amount_on_gaps": grp["on_gap"].sum(min_count=0),
    }).reset_index()
    return out[cols].sort_values(["year", "source"], na_position="last").reset_index(drop=True)


def funding_layer(sync: BudgetSync, desa):
    """The desa GeoDataFrame joined with ``funding_state`` (only desa with a fundable gap), for
    the map layer styled by ``layers.symbology.FUNDING_STYLES``."""
    d = desa[["code", "name", "geometry"]] if "name" in desa.columns else desa[["code", "geometry"]]
    out = d.merge(sync.desa_funding, left_on="code", right_on="desa_code", how="inner")
    return out.drop(columns="desa_code")
