"""The budget synchronisation as first written, one line and one gap at a time: the test oracle
of the indexed :func:`ilp_gis.budget.budget_sync` (which must give the same tables)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ilp_gis.budget.actions import (
    ACTION_COLUMNS,
    PUSTU_WAYS,
    _fnum,
    _is_pustu_limit,
    _text,
    activity_cost,
)
from ilp_gis.budget.cells import is_missing
from ilp_gis.budget.sync import (
    FUNDABLE_GAP_KINDS,
    GAP_FUNDING_COLUMNS,
    BudgetSync,
    _desa_funding,
    _eligible,
    _phasing,
    _totals,
)
from ilp_gis.model import Activity
from ilp_gis.rules import Rules, default_rules


def reference_budget_sync(project, result, rules: Rules | None = None, *,
                statuses: tuple[str, ...] | None = None) -> BudgetSync:
    """The per-line version of :func:`ilp_gis.budget.budget_sync` (same arguments)."""
    rules = rules or getattr(project, "rules", None) or default_rules()
    gaps = result.gaps if hasattr(result, "gaps") else result
    graph = getattr(result, "graph", None)
    gaps = pd.DataFrame(gaps).drop(columns="geometry", errors="ignore").copy()
    for col in ("gap_id", "kind", "label", "desa_code", "desa_name", "kecamatan_code",
                "kecamatan_name", "fac_id", "priority_rank", "priority_score"):
        if col not in gaps.columns:
            gaps[col] = None
    gaps = gaps[gaps["kind"].isin(FUNDABLE_GAP_KINDS)].reset_index(drop=True)

    budget = pd.DataFrame(project.budget).copy()
    if statuses is not None and len(budget):
        budget = budget[budget["status"].isin(statuses)]
    budget = budget.reset_index(drop=True)
    for col in ("budget_id", "source", "year", "activity", "target_desa", "target_facility",
                "multi_year"):
        if col not in budget:
            budget[col] = None
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

    actions, action_of_gap = reference_derive_actions(gaps, rules, precursor_desa=precursor_desa)
    na = len(actions)
    a_acts = [set(s.split(";")) for s in actions["activities"]]
    a_desa, a_fac, a_kec = ([None if is_missing(v) else str(v) for v in actions[c].tolist()]
                            for c in ("desa_code", "fac_id", "kecamatan_code"))
    by_desa: dict[str, list[int]] = {}
    by_fac: dict[str, list[int]] = {}
    by_kec: dict[str, list[int]] = {}
    for k in range(na):
        if a_fac[k] is not None:
            by_fac.setdefault(str(a_fac[k]), []).append(k)
        if a_desa[k] is not None:
            by_desa.setdefault(str(a_desa[k]), []).append(k)
        if a_kec[k] is not None:
            by_kec.setdefault(str(a_kec[k]), []).append(k)

    # The actions each line addresses (in priority order: actions are sorted by it).
    nb = len(budget)
    reach: list[list[int]] = []
    for row in budget.itertuples(index=False):
        act = str(row.activity or "")
        tf, td = row.target_facility, row.target_desa
        cand: list[int] = []
        if not is_missing(tf):
            tf = str(tf)
            if fac_type.get(tf) == "puskesmas" and is_missing(td):
                area_fac, area_desa = _puskesmas_area(graph, tf)
                kec = fac_kec.get(tf)
                found: set[int] = set()
                for f in area_fac:
                    found.update(by_fac.get(f, ()))
                for d in area_desa:
                    found.update(by_desa.get(d, ()))
                if not area_fac and not area_desa and not is_missing(kec):
                    found.update(by_kec.get(str(kec), ()))
                cand = sorted(k for k in found if act in a_acts[k])
            else:
                own = [k for k in by_fac.get(tf, []) if act in a_acts[k]]
                d = fac_desa.get(tf)
                if own:
                    cand = own
                elif not is_missing(d) and (is_missing(td) or str(td) == str(d)):
                    # a line for a facility of the desa: desa-level actions (a Poskesdes
                    # upgraded, the kader of a Posyandu); another facility's action is not it
                    cand = [k for k in by_desa.get(str(d), []) if act in a_acts[k]
                            and a_fac[k] is None]
        elif not is_missing(td):
            cand = [k for k in by_desa.get(str(td), []) if act in a_acts[k]]
        reach.append(cand)

    amounts = budget["amount"].to_numpy(dtype=float)
    years = [None if is_missing(y) else int(y) for y in budget["year"].tolist()]
    multi = [bool(v) if not is_missing(v) else False for v in budget["multi_year"].tolist()]
    eligible = [_eligible(rules, s, a) for s, a in zip(budget["source"], budget["activity"],
                                                      strict=True)]
    counts = [ok or not enforced for ok, enforced in eligible]  # the line may fund

    # An action's year: the earliest TA of the lines that may fund it.
    a_year: list[int | None] = [None] * na
    for j in range(nb):
        if not counts[j] or years[j] is None:
            continue
        for k in reach[j]:
            if a_year[k] is None or years[j] < a_year[k]:
                a_year[k] = years[j]

    # A line chooses among an action's ways (upgrade rather than build, renovate rather than
    # equip): the first line that may fund the action sets the activity it is costed by.
    chosen: dict[int, str] = {}
    for j in range(nb):
        if counts[j]:
            for k in reach[j]:
                chosen.setdefault(k, str(budget["activity"].iat[j]))
    for k, act in chosen.items():
        if act != actions["activity"].iat[k]:
            cost = activity_cost(act, rules)
            actions.loc[k, ["activity", "unit_cost", "needed"]] = [
                act, cost, cost * actions["units"].iat[k]]
    needed = actions["needed"].to_numpy(dtype=float)
    got = np.zeros(na)
    unknown = np.zeros(na, dtype=bool)  # a line with a missing amount addresses it
    touched = np.zeros(na, dtype=bool)
    used: list[dict[int, float]] = [{} for _ in range(na)]  # action -> {line: Rp}
    remaining = amounts.copy()
    missed: list[list[int]] = [[] for _ in range(nb)]
    # Lines aimed at one place first, then pooled ones; each in budget order.
    order = sorted(range(nb), key=lambda j: (len(reach[j]) > 1, j))
    for j in order:
        if not counts[j]:
            continue
        for k in reach[j]:
            if years[j] is not None and a_year[k] is not None and years[j] > a_year[k] \
                    and not multi[j]:
                missed[j].append(k)
                continue
            touched[k] = True
            if not np.isfinite(remaining[j]):
                unknown[k] = True
                used[k].setdefault(j, math.nan)
                continue
            lacking = needed[k] - got[k] if np.isfinite(needed[k]) else math.inf
            if lacking <= 0.5 or remaining[j] <= 0:
                continue
            take = min(remaining[j], lacking) if np.isfinite(lacking) else remaining[j]
            remaining[j] -= take
            got[k] += take
            used[k][j] = used[k].get(j, 0.0) + take

    state = np.where(np.isfinite(needed) & (got >= needed - 0.5) & touched, "funded",
                     np.where(touched, "partly", "unfunded")).astype(object)
    b_id = budget["budget_id"].tolist()
    b_src = budget["source"].tolist()
    actions["year"] = pd.array(a_year, dtype="Int64")
    actions["funding_state"] = state
    actions["amount"] = got
    actions["shortfall"] = np.where(state == "funded", 0.0,
                                    np.where(np.isfinite(needed), np.maximum(needed - got, 0.0),
                                             np.nan))
    actions["budget_ids"] = [";".join(str(b_id[j]) for j in sorted(u)) for u in used]
    actions["sources"] = [";".join(sorted({str(b_src[j]) for j in u if not is_missing(b_src[j])}))
                          for u in used]
    actions["years"] = [";".join(str(y) for y in sorted({years[j] for j in u
                                                         if years[j] is not None}))
                        for u in used]

    # Gaps take their action's state.
    aidx = {aid: k for k, aid in enumerate(actions["action_id"])}
    b_act = budget["activity"].tolist()
    rows = []
    for g in gaps.to_dict("records"):
        aid = action_of_gap.get(str(g["gap_id"]))
        k = aidx.get(aid)
        u = used[k] if k is not None else {}
        rows.append({
            **{c: g[c] for c in ("gap_id", "kind", "label", "desa_code", "desa_name",
                                 "kecamatan_code", "kecamatan_name", "fac_id",
                                 "priority_rank", "priority_score")},
            "action_id": aid,
            "funding_state": state[k] if k is not None else "unfunded",
            "sources": actions["sources"].iat[k] if k is not None else "",
            "years": actions["years"].iat[k] if k is not None else "",
            "budget_ids": actions["budget_ids"].iat[k] if k is not None else "",
            "activities": ";".join(sorted({str(b_act[j]) for j in u
                                           if not is_missing(b_act[j])})),
        })
    gap_funding = pd.DataFrame(rows, columns=GAP_FUNDING_COLUMNS)
    for col in ("priority_rank", "priority_score"):
        gap_funding[col] = pd.to_numeric(gap_funding[col], errors="coerce")

    on_gaps = np.zeros(nb)
    addressed_actions: list[list[int]] = [[] for _ in range(nb)]
    for k, u in enumerate(used):
        for j, v in u.items():
            addressed_actions[j].append(k)
            if math.isfinite(v):
                on_gaps[j] += v
    n_gaps = actions["n_gaps"].to_numpy()
    issue = ["ineligible" if not eligible[j][0] else "wrong_year" if missed[j]
             else "no_gap" if not addressed_actions[j] else "" for j in range(nb)]
    lines = pd.DataFrame({
        "budget_id": budget["budget_id"], "source": budget["source"],
        "year": pd.array(years, dtype="Int64"), "activity": budget["activity"],
        "amount": budget["amount"],
        "multi_year": multi,
        "actions_addressed": [len(a) for a in addressed_actions],
        "action_ids": [";".join(actions["action_id"].iat[k] for k in a)
                       for a in addressed_actions],
        "gaps_addressed": [int(sum(n_gaps[k] for k in a)) for a in addressed_actions],
        "addresses_gap": [bool(a) for a in addressed_actions],
        "amount_on_gaps": on_gaps,
        "unallocated": np.where(np.isfinite(amounts), amounts - on_gaps, np.nan),
        "issue": issue,
        "issue_actions": [";".join(actions["action_id"].iat[k] for k in m) for m in missed],
    })
    totals = _totals(lines)
    desa_funding = _desa_funding(gap_funding, actions)
    unfunded = actions[actions["funding_state"] != "funded"].reset_index(drop=True)
    return BudgetSync(gap_funding, desa_funding, totals, unfunded, lines, actions,
                      _phasing(actions, lines, used, years))


def reference_derive_actions(gaps: pd.DataFrame, rules: Rules, *,
                   precursor_desa: set[str] = frozenset()) -> tuple[pd.DataFrame, pd.Series]:
    """The per-record version of :func:`ilp_gis.budget.derive_actions`."""
    g = pd.DataFrame(gaps).drop(columns="geometry", errors="ignore")
    for col in ("gap_id", "kind", "desa_code", "desa_name", "kecamatan_code", "kecamatan_name",
                "fac_id", "value", "threshold", "priority_rank", "priority_score", "unit",
                "label"):
        if col not in g:
            g[col] = None
    g = g[g["kind"].isin(FUNDABLE_GAP_KINDS)]
    records = g.to_dict("records")
    pustu_desa = {_text(r["desa_code"]) for r in records
                  if r["kind"] == "no_pustu"
                  or (r["kind"] in ("beyond_distance", "beyond_travel_time")
                      and _is_pustu_limit(r.get("limit_type")))}
    drafts: dict[tuple, _Draft] = {}

    def draft(key, acts, r, fac=None) -> _Draft:
        d = drafts.get(key)
        if d is None:
            d = drafts[key] = _Draft(key, acts, _text(r["desa_code"]),
                                     _text(r["kecamatan_code"]), fac)
        d.rows.append(r)
        return d

    kader_team = float(rules.value("target.posyandu_min_kader", 5.0))
    for r in records:
        kind, desa, fac = r["kind"], _text(r["desa_code"]), _text(r["fac_id"])
        value, threshold = _fnum(r["value"]), _fnum(r["threshold"])
        if kind == "no_puskesmas":
            draft(("other_kec", _text(r["kecamatan_code"])), (Activity.OTHER,), r).units = 1.0
        elif kind in ("no_pustu", "beyond_distance", "beyond_travel_time"):
            if desa in pustu_desa:
                draft(("pustu", desa), PUSTU_WAYS, r).units = 1.0
            else:  # a Puskesmas limit where the desa has its Pustu
                draft(("other_desa", desa), (Activity.OTHER,), r).units = 1.0
        elif kind == "understaffed_pustu":
            draft(("nakes", fac), (Activity.ADD_NAKES,), r, fac).units += _short(value, threshold)
        elif kind == "kader_deficit":
            n = _short(value, threshold) if np.isfinite(threshold) and threshold > 1 \
                else kader_team
            draft(("kader", desa or fac), (Activity.TRAIN_KADER,), r).units += n
        elif kind == "posyandu_deficit":
            need = _fnum(r.get("posyandu_deficit"))
            units = need if np.isfinite(need) and need >= 1 else _short(value, threshold)
            draft(("posyandu", desa), (Activity.OPEN_POSYANDU,), r).units = units
        elif kind == "coe_below_threshold":
            draft(("coe", fac), (Activity.EQUIP, Activity.RENOVATE), r, fac).units = 1.0

    rows = []
    for d in drafts.values():
        acts = d.activities
        if acts == PUSTU_WAYS and d.desa_code in precursor_desa:
            acts = (Activity.UPGRADE_TO_PUSTU, Activity.BUILD_PUSTU)
        first = d.rows[0]
        ranks = [_fnum(r["priority_rank"]) for r in d.rows]
        ranks = [x for x in ranks if np.isfinite(x)]
        scores = [_fnum(r["priority_score"]) for r in d.rows]
        scores = [x for x in scores if np.isfinite(x)]
        unit_cost = activity_cost(acts[0], rules) if acts[0] is not Activity.OTHER else math.nan
        rows.append({
            "activity": acts[0].value, "activities": ";".join(a.value for a in acts),
            "desa_code": d.desa_code, "desa_name": _text(first["desa_name"]),
            "kecamatan_code": d.kecamatan_code, "kecamatan_name": _text(first["kecamatan_name"]),
            "fac_id": d.fac_id, "units": d.units, "unit_cost": unit_cost,
            "needed": unit_cost * d.units,
            "gap_ids": ";".join(str(r["gap_id"]) for r in d.rows),
            "gap_kinds": ";".join(dict.fromkeys(str(r["kind"]) for r in d.rows)),
            "gap_labels": "; ".join(dict.fromkeys(_text(r["label"]) or str(r["kind"])
                                                  for r in d.rows)),
            "n_gaps": len(d.rows),
            "priority_rank": min(ranks) if ranks else math.nan,
            "priority_score": max(scores) if scores else math.nan,
        })
    actions = pd.DataFrame(rows, columns=ACTION_COLUMNS[1:])
    actions = actions.sort_values(["priority_rank", "gap_ids"], na_position="last",
                                  kind="stable").reset_index(drop=True)
    actions.insert(0, "action_id", [f"A{i + 1:04d}" for i in range(len(actions))])
    for col in ("units", "unit_cost", "needed", "priority_rank", "priority_score"):
        actions[col] = actions[col].astype("float64")
    of_gap = {gid: aid for aid, ids in zip(actions["action_id"], actions["gap_ids"], strict=True)
              for gid in ids.split(";")}
    return actions, pd.Series(of_gap, dtype=object)


def _puskesmas_area(graph, fac_id: str) -> tuple[set[str], set[str]]:
    """Facilities under a Puskesmas in the network graph (every node reachable from it, as
    ``networkx.descendants``, walked on the adjacency directly) and their desa."""
    if graph is None or fac_id not in graph:
        return set(), set()
    succ = graph.succ if graph.is_directed() else graph.adj
    seen = {fac_id}
    stack = [fac_id]
    while stack:
        for m in succ[stack.pop()]:
            if m not in seen:
                seen.add(m)
                stack.append(m)
    nodes = graph.nodes
    desa = {str(nodes[n].get("desa_code")) for n in seen
            if nodes[n].get("desa_code") is not None}
    seen.discard(fac_id)
    return {str(n) for n in seen}, desa


@dataclass
class _Draft:
    key: tuple
    activities: tuple[Activity, ...]
    desa_code: str | None
    kecamatan_code: str | None
    fac_id: str | None
    rows: list = field(default_factory=list)  # the gaps' positions
    units: float = 0.0


def _short(value: float, threshold: float) -> float:
    """Units short of a count target (at least one)."""
    if math.isfinite(value) and math.isfinite(threshold) and threshold > value:
        return float(max(1, math.ceil(threshold - value - 1e-9)))
    return 1.0
