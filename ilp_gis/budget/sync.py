"""The budget synchronisation by action: the actions derived from the gaps of an analysis
result (``budget.actions``) are funded, partly funded or unfunded by the project's budget lines;
each action is costed once, whatever the number of gaps it closes, and a gap takes the state of
its action.  A line is checked against the funding-source eligibility rules (``eligibility.*``) and
the budget year (TA).  Pure domain code (no files); imports pandas, numpy and ``ilp_gis``
(model, rules, network_frame, speed.distinct, budget.cells, budget.actions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ilp_gis.budget.actions import (
    FUNDABLE_GAP_KINDS,
    GAP_ACTIVITIES,
    activity_cost,
    derive_actions,
)
from ilp_gis.budget.cells import is_missing
from ilp_gis.network_frame import network_frame
from ilp_gis.rules import Rules, default_rules
from ilp_gis.speed.distinct import per_value

__all__ = ["FUNDABLE_GAP_KINDS", "FUNDING_STATES", "GAP_ACTIVITIES", "GAP_FUNDING_COLUMNS",
           "LINE_ISSUES", "BudgetSync", "activity_cost", "budget_sync", "funding_layer"]

FUNDING_STATES = ("funded", "partly", "unfunded")
LINE_ISSUES = ("ineligible", "wrong_year", "no_gap")
"""Why a line (or part of it) funds nothing: its source may not pay for its activity
(``eligibility.*`` rules), its budget year is later than the action's and it is not multi-year, or
it reaches no action at all."""


@dataclass
class BudgetSync:
    """Actions (and so gaps) tied to budget lines.

    ``actions``      one row per action (``budget.actions.ACTION_COLUMNS``) plus year (the
        action's budget year: the earliest TA of a line funding it; NA when none), funding_state,
        amount (Rp of eligible lines put on it), shortfall (needed − amount, ≥ 0; NaN when the
        catalogue has no price), budget_ids, sources, years.
    ``gap_funding``  one row per fundable gap: its ids and names, action_id, funding_state (its
        action's), sources, years, budget_ids, activities of the lines (money lives on actions).
    ``desa_funding`` one row per desa with a fundable gap: funding_state (funded when all its
        gaps are, unfunded when none has a line, else partly), gaps, funded, partly, unfunded,
        amount, needed (over its actions, each once).
    ``totals``       budget per source and year: source, year, amount, lines, amount_on_gaps.
    ``unfunded``     the actions not fully funded, most urgent first.
    ``lines``        one row per budget line: budget_id, source, year, activity, amount,
        multi_year, actions_addressed, action_ids, gaps_addressed, addresses_gap,
        amount_on_gaps (Rp put on actions: the XLSX "Untuk kesenjangan"), unallocated, issue
        (one of :data:`LINE_ISSUES` or ""), issue_actions (actions a wrong-year line missed).
    ``phasing``      per budget year: actions (started that year), amount (Rp put on actions
        from lines of that year); a last row without a year holds the unfunded actions and
        their shortfall.
    """

    gap_funding: pd.DataFrame
    desa_funding: pd.DataFrame
    totals: pd.DataFrame
    unfunded: pd.DataFrame
    lines: pd.DataFrame = field(default_factory=pd.DataFrame)
    actions: pd.DataFrame = field(default_factory=pd.DataFrame)
    phasing: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def counts(self) -> dict[str, int]:
        """Gaps per funding state."""
        vc = self.gap_funding["funding_state"].value_counts()
        return {s: int(vc.get(s, 0)) for s in FUNDING_STATES}

    @property
    def action_counts(self) -> dict[str, int]:
        vc = self.actions["funding_state"].value_counts() if len(self.actions) else {}
        return {s: int(vc.get(s, 0)) for s in FUNDING_STATES}

    @property
    def shortfall(self) -> float:
        """The sum over actions of what they still lack (NaN when no action has a price)."""
        return float(self.actions["shortfall"].sum(min_count=1)) if len(self.actions) \
            else 0.0

    @property
    def unpriced(self) -> int:
        """Actions not fully funded whose cost the catalogue does not know."""
        a = self.actions
        return int(((a["funding_state"] != "funded") & a["needed"].isna()).sum()) if len(a) \
            else 0


GAP_FUNDING_COLUMNS = ["gap_id", "kind", "label", "desa_code", "desa_name", "kecamatan_code",
                       "kecamatan_name", "fac_id", "priority_rank", "priority_score",
                       "action_id", "funding_state", "sources", "years", "budget_ids",
                       "activities"]


def _eligible(rules: Rules, source, activity) -> tuple[bool, bool]:
    """``(eligible, enforced)`` of a line's source for its activity (``eligibility.<source>``);
    a source without a rule is not restricted."""
    name = f"eligibility.{source}"
    acts = rules.activities(name) if not is_missing(source) else None
    if acts is None:
        return True, False
    ok = "*" in acts or str(activity) in acts
    return ok, rules.value(name) >= 1


def budget_sync(project, result, rules: Rules | None = None, *,
                statuses: tuple[str, ...] | None = None) -> BudgetSync:
    """Tie the project's budget lines to the actions that close the gaps of ``result``.

    Parameters
    ----------
    project
        The :class:`ilp_gis.project.Project` (its ``budget`` and ``facilities`` layers).
    result
        An AnalysisResult (``gaps`` and, when present, ``graph``) — or a gaps DataFrame.
    rules
        Rules with the ``cost.*`` catalogue and the ``eligibility.*`` rules (default: the
        project's rules).
    statuses
        Budget statuses counted as funding (default: all — proposed lines count, as in a
        budget-synchronisation meeting).  E.g. ``("disetujui", "terealisasi")``.

    A line addresses an action when its activity is one of the action's activities and its
    target is the action's desa (``target_desa``), the action's facility or a facility in the
    action's desa (``target_facility``).  A line aimed at a Puskesmas without a desa (e.g. BOK
    kader training for its working area) is *pooled* over the actions under that Puskesmas in
    the network (``result.graph``; without a graph, its kecamatan).  Every line's amount is
    shared out over its actions most urgent first, each taking what it still lacks, so a line
    is never counted twice and an action never gets more than its cost.

    A line whose source may not pay for its activity (``eligibility.<source>``) is reported
    (``issue = "ineligible"``) and, when the rule is enforced (value 1), funds nothing.  An
    action's year is the earliest TA of the eligible lines aimed at it; a later line funds it
    only when ``multi_year`` (else ``issue = "wrong_year"``).

    An action is ``funded`` when its lines reach its catalogue cost, ``partly`` when some line
    addresses it but not enough (or with a missing amount, or no catalogue price), ``unfunded``
    when none does.  The shortfall is the sum over actions.
    """
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
        # only the facilities a line aims at (a national list has ~335,000)
        targets = {str(v) for v in _values(budget["target_facility"]) if not is_missing(v)}
        ids = fac["fac_id"].astype(str)
        aimed = ids.isin(targets).to_numpy(dtype=bool)
        ids, aimed_fac = _values(ids[aimed]), fac[aimed]
        fac_desa = dict(zip(ids, _values(aimed_fac["desa_code"]), strict=True))
        fac_type = dict(zip(ids, _values(aimed_fac["type"].astype(str).str.lower()),
                            strict=True))
        if "kecamatan_code" in fac.columns:
            fac_kec = dict(zip(ids, _values(aimed_fac["kecamatan_code"]), strict=True))
        if "precursor" in fac.columns:
            pre = fac[fac["precursor"].fillna(False).astype(bool)]
            precursor_desa = {str(d) for d in pre["desa_code"].dropna()}

    actions, action_of_gap = derive_actions(gaps, rules, precursor_desa=precursor_desa)
    reach = _reach(budget, actions, graph, fac_desa, fac_type, fac_kec)
    nb, na = len(budget), len(actions)

    amounts = budget["amount"].to_numpy(dtype=float)
    years = [None if is_missing(y) else int(y) for y in budget["year"].tolist()]
    multi = [bool(v) if not is_missing(v) else False for v in budget["multi_year"].tolist()]
    b_act = budget["activity"].tolist()
    eligible = _eligibility(rules, budget["source"].tolist(), b_act)
    counts = [ok or not enforced for ok, enforced in eligible]  # the line may fund

    # An action's year: the earliest TA of the lines that may fund it.
    a_year: list[int | None] = [None] * na
    for j in range(nb):
        y = years[j]
        if not counts[j] or y is None:
            continue
        for k in reach[j]:
            if a_year[k] is None or y < a_year[k]:
                a_year[k] = y

    # A line chooses among an action's ways (upgrade rather than build, renovate rather than
    # equip): the first line that may fund the action sets the activity it is costed by.
    chosen: dict[int, str] = {}
    for j in range(nb):
        if counts[j]:
            for k in reach[j]:
                if k not in chosen:
                    chosen[k] = str(b_act[j])
    a_activity = _values(actions["activity"])
    changed = {k: act for k, act in chosen.items() if act != a_activity[k]}
    if changed:
        unit_cost = actions["unit_cost"].to_numpy(dtype=float).copy()
        units = actions["units"].to_numpy(dtype=float)
        costs = {act: activity_cost(act, rules) for act in set(changed.values())}
        for k, act in changed.items():
            a_activity[k] = act
            unit_cost[k] = costs[act]
        idx = np.fromiter(changed, dtype=np.int64, count=len(changed))
        needed_col = actions["needed"].to_numpy(dtype=float).copy()
        needed_col[idx] = unit_cost[idx] * units[idx]
        actions["activity"] = a_activity
        actions["unit_cost"] = unit_cost
        actions["needed"] = needed_col
    needed = actions["needed"].to_numpy(dtype=float).tolist()
    got = [0.0] * na
    unknown = [False] * na  # a line with a missing amount addresses it
    touched = [False] * na
    used: list[dict[int, float]] = [{} for _ in range(na)]  # action -> {line: Rp}
    remaining = amounts.tolist()
    missed: list[list[int]] = [[] for _ in range(nb)]
    # Lines aimed at one place first, then pooled ones; each in budget order.
    order = sorted(range(nb), key=lambda j: (len(reach[j]) > 1, j))
    for j in order:
        if not counts[j]:
            continue
        yj, mj = years[j], multi[j]
        for k in reach[j]:
            if yj is not None and a_year[k] is not None and yj > a_year[k] and not mj:
                missed[j].append(k)
                continue
            touched[k] = True
            rj = remaining[j]
            if not math.isfinite(rj):
                unknown[k] = True
                used[k].setdefault(j, math.nan)
                continue
            nk = needed[k]
            lacking = nk - got[k] if math.isfinite(nk) else math.inf
            if lacking <= 0.5 or rj <= 0:
                continue
            take = min(rj, lacking) if math.isfinite(lacking) else rj
            remaining[j] = rj - take
            got[k] += take
            used[k][j] = used[k].get(j, 0.0) + take

    needed_a = np.asarray(needed, dtype=float)
    got_a = np.asarray(got, dtype=float)
    touched_a = np.asarray(touched, dtype=bool)
    state = np.where(np.isfinite(needed_a) & (got_a >= needed_a - 0.5) & touched_a, "funded",
                     np.where(touched_a, "partly", "unfunded")).astype(object)
    b_id = [str(v) for v in budget["budget_id"].tolist()]
    b_src = budget["source"].tolist()
    src_text = [None if is_missing(v) else str(v) for v in b_src]
    act_text = [None if is_missing(v) else str(v) for v in b_act]
    actions["year"] = pd.array(a_year, dtype="Int64")
    actions["funding_state"] = state
    actions["amount"] = got_a
    actions["shortfall"] = np.where(state == "funded", 0.0,
                                    np.where(np.isfinite(needed_a),
                                             np.maximum(needed_a - got_a, 0.0), np.nan))
    actions["budget_ids"] = [";".join(b_id[j] for j in sorted(u)) if u else "" for u in used]
    actions["sources"] = [";".join(sorted({src_text[j] for j in u if src_text[j] is not None}))
                          if u else "" for u in used]
    actions["years"] = [";".join(str(y) for y in sorted({years[j] for j in u
                                                         if years[j] is not None}))
                        if u else "" for u in used]
    a_lines_act = [";".join(sorted({act_text[j] for j in u if act_text[j] is not None}))
                   if u else "" for u in used]
    gap_funding = _gap_funding(gaps, actions, action_of_gap, a_lines_act)

    on_gaps = np.zeros(nb)
    addressed_actions: list[list[int]] = [[] for _ in range(nb)]
    for k, u in enumerate(used):
        for j, v in u.items():
            addressed_actions[j].append(k)
            if math.isfinite(v):
                on_gaps[j] += v
    n_gaps = _values(actions["n_gaps"])
    a_ids = _values(actions["action_id"])
    issue = ["ineligible" if not eligible[j][0] else "wrong_year" if missed[j]
             else "no_gap" if not addressed_actions[j] else "" for j in range(nb)]
    lines = pd.DataFrame({
        "budget_id": budget["budget_id"], "source": budget["source"],
        "year": pd.array(years, dtype="Int64"), "activity": budget["activity"],
        "amount": budget["amount"],
        "multi_year": multi,
        "actions_addressed": [len(a) for a in addressed_actions],
        "action_ids": [";".join(a_ids[k] for k in a) for a in addressed_actions],
        "gaps_addressed": [int(sum(n_gaps[k] for k in a)) for a in addressed_actions],
        "addresses_gap": [bool(a) for a in addressed_actions],
        "amount_on_gaps": on_gaps,
        "unallocated": np.where(np.isfinite(amounts), amounts - on_gaps, np.nan),
        "issue": issue,
        "issue_actions": [";".join(a_ids[k] for k in m) for m in missed],
    })
    totals = _totals(lines)
    desa_funding = _desa_funding(gap_funding, actions)
    unfunded = actions[actions["funding_state"] != "funded"].reset_index(drop=True)
    return BudgetSync(gap_funding, desa_funding, totals, unfunded, lines, actions,
                      _phasing(actions, lines, used, years))


def _values(series: pd.Series) -> list:
    """``series.tolist()``; Arrow-backed text converted in one go (not value by value)."""
    if isinstance(series.dtype, pd.StringDtype):
        return series.to_numpy(dtype=object).tolist()
    return series.tolist()


def _present_text(value) -> str | None:
    return None if is_missing(value) else str(value)


def _eligibility(rules: Rules, sources: list, activities: list) -> list[tuple[bool, bool]]:
    """:func:`_eligible` per line, each distinct (source, activity) looked up once."""
    memo: dict[tuple, tuple[bool, bool]] = {}
    out = []
    for s, a in zip(sources, activities, strict=True):
        key = (None if is_missing(s) else str(s), str(a))
        if key not in memo:
            memo[key] = _eligible(rules, s, a)
        out.append(memo[key])
    return out


def _reach(budget: pd.DataFrame, actions: pd.DataFrame, graph, fac_desa: dict,
           fac_type: dict, fac_kec: dict) -> list[list[int]]:
    """The actions each budget line addresses, ascending (actions are in priority order).

    Matched by joins on (place, activity) keys, whole columns at a time: a line aimed at a
    desa meets the desa's actions of its activity; a line aimed at a facility meets that
    facility's actions, else (a facility of the desa) the desa-level actions of its desa; a
    line pooled over a Puskesmas meets the actions of every facility and desa of its working
    area (walked once for all Puskesmas), else of its kecamatan.
    """
    a_desa, a_fac, a_kec = (np.array(per_value(_present_text, _values(actions[c])) + [None],
                                     dtype=object)[:len(actions)]
                            for c in ("desa_code", "fac_id", "kecamatan_code"))
    pair_k, pair_act = [], []
    for k, acts in enumerate(_values(actions["activities"])):
        for act in dict.fromkeys(acts.split(";")):
            pair_k.append(k)
            pair_act.append(act)
    pair_k = np.asarray(pair_k, dtype=np.int64)
    pair_act = np.asarray(pair_act, dtype=object)

    def index(places: np.ndarray, keep=None) -> pd.DataFrame:
        """The actions by key "place, activity" (the actions with a place)."""
        where = places[pair_k]
        sel = ~pd.isna(where)
        if keep is not None:
            sel &= keep[pair_k]
        return pd.DataFrame({"key": _keys(where[sel], pair_act[sel]), "k": pair_k[sel]})

    by_fac, by_desa, by_kec = index(a_fac), index(a_desa), index(a_kec)
    by_desa_nofac = index(a_desa, pd.isna(a_fac))

    nb = len(budget)
    activity, tf, td = (_values(budget[c]) for c in ("activity", "target_facility",
                                                    "target_desa"))
    act = np.array([str(v or "") for v in activity] + [""], dtype=object)[:nb]
    tf = np.array([None if is_missing(v) else str(v) for v in tf] + [None], dtype=object)[:nb]
    td_raw = np.array(td + [None], dtype=object)[:nb]
    td_missing = np.fromiter((is_missing(v) for v in td), dtype=bool, count=nb)
    has_tf = ~pd.isna(tf)
    t_type = np.array([fac_type.get(f) if f is not None else None for f in tf] + [None],
                      dtype=object)[:nb]
    pooled = has_tf & (t_type == "puskesmas") & td_missing
    found: list[pd.DataFrame] = []

    def meet(lines: np.ndarray, places: np.ndarray, by: pd.DataFrame) -> pd.DataFrame:
        """The (line, action) pairs of ``lines`` (positions) keyed by ``places``."""
        q = pd.DataFrame({"key": _keys(places, act[lines]), "j": lines})
        return q.merge(by, on="key")[["j", "k"]]

    # a line for a desa
    lines = np.flatnonzero(~has_tf & ~td_missing)
    found.append(meet(lines, np.array([str(v) for v in td_raw[lines]], dtype=object), by_desa))
    # a line for a facility: its own actions, else its desa's desa-level ones
    lines = np.flatnonzero(has_tf & ~pooled)
    own = meet(lines, tf[lines], by_fac)
    found.append(own)
    rest = np.setdiff1d(lines, own["j"].to_numpy())
    fac_d = [fac_desa.get(f) for f in tf[rest]]
    ok = [not is_missing(d) and (td_missing[j] or str(td_raw[j]) == str(d))
          for j, d in zip(rest.tolist(), fac_d, strict=True)]
    ok = np.asarray(ok, dtype=bool)
    found.append(meet(rest[ok], np.array([str(d) for d, o in zip(fac_d, ok, strict=True) if o],
                                         dtype=object), by_desa_nofac))
    # a line pooled over a Puskesmas's working area (else its kecamatan)
    lines = np.flatnonzero(pooled)
    areas = _puskesmas_areas(graph, list(dict.fromkeys(tf[lines].tolist())))
    for part, by in ((0, by_fac), (1, by_desa)):
        members = [sorted(areas[f][part]) for f in tf[lines]]
        counts = np.fromiter(map(len, members), dtype=np.int64, count=len(members))
        flat = np.array([m for ms in members for m in ms] + [""], dtype=object)[:counts.sum()]
        found.append(meet(np.repeat(lines, counts), flat, by))
    empty = np.fromiter((not areas[f][0] and not areas[f][1] for f in tf[lines]), dtype=bool,
                        count=len(lines))
    kec = [fac_kec.get(f) for f in tf[lines[empty]]]
    has_kec = np.fromiter((not is_missing(v) for v in kec), dtype=bool, count=len(kec))
    found.append(meet(lines[empty][has_kec], np.array(
        [str(v) for v, h in zip(kec, has_kec, strict=True) if h], dtype=object), by_kec))

    pairs = pd.concat(found, ignore_index=True)
    keys = np.unique(pairs["j"].to_numpy(dtype=np.int64) * max(len(actions), 1)
                     + pairs["k"].to_numpy(dtype=np.int64))
    j, k = np.divmod(keys, max(len(actions), 1))
    bounds = np.searchsorted(j, np.arange(nb + 1))
    k = k.tolist()
    return [k[bounds[i]:bounds[i + 1]] for i in range(nb)]


def _keys(places: np.ndarray, acts: np.ndarray) -> np.ndarray:
    """The join key "place, activity" of each pair."""
    if not len(places):
        return np.zeros(0, dtype=object)
    return np.asarray(places, dtype=object) + "\x00" + np.asarray(acts, dtype=object)


def _gap_funding(gaps: pd.DataFrame, actions: pd.DataFrame, action_of_gap,
                 lines_activities: list[str]) -> pd.DataFrame:
    """One row per fundable gap with its action's state, sources, years, budget ids and the
    activities of the lines on it (a gap without an action: unfunded, no line)."""
    of_gap = action_of_gap if isinstance(action_of_gap, pd.Series) else pd.Series(
        dict(action_of_gap.items()) if hasattr(action_of_gap, "items") else {}, dtype=object)
    gap_ids = gaps["gap_id"].to_numpy(dtype=object)
    if len(gap_ids) and pd.api.types.infer_dtype(gap_ids, skipna=False) != "string":
        gap_ids = np.array([str(g) for g in gap_ids] + [""], dtype=object)[:len(gap_ids)]
    at = pd.Index(of_gap.index, dtype=object).get_indexer(pd.Index(gap_ids, dtype=object)) \
        if len(of_gap) else np.full(len(gap_ids), -1)
    aid = np.where(at >= 0, of_gap.to_numpy(dtype=object)[np.maximum(at, 0)]
                   if len(of_gap) else None, None).astype(object)
    known = at >= 0
    k = np.full(len(gap_ids), -1)
    if known.any():
        k[known] = pd.Index(_values(actions["action_id"]), dtype=object).get_indexer(
            pd.Index(aid[known], dtype=object))
    has = k >= 0
    pick = np.maximum(k, 0)

    def taken(values, missing) -> list:
        if not len(values):
            return [missing] * len(k)
        out = np.asarray(values, dtype=object)[pick]
        out[~has] = missing
        return out.tolist()

    data: dict[str, list] = {c: _values(gaps[c]) for c in GAP_FUNDING_COLUMNS[:10]}
    data["action_id"] = aid.tolist()
    data["funding_state"] = taken(_values(actions["funding_state"]), "unfunded")
    for c in ("sources", "years", "budget_ids"):
        data[c] = taken(_values(actions[c]), "")
    data["activities"] = taken(lines_activities, "")
    out = pd.DataFrame(data, columns=GAP_FUNDING_COLUMNS)
    for col in ("priority_rank", "priority_score"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    return out


def _puskesmas_areas(graph, puskesmas: list[str]) -> dict[str, tuple[set[str], set[str]]]:
    """Per Puskesmas id: the facilities under it in the network graph (every node reachable
    from it, as ``networkx.descendants``) and their desa with its own, walked for all of them
    at once over the network's arrays (``ilp_gis.network_frame``)."""
    areas: dict[str, tuple[set[str], set[str]]] = {f: (set(), set()) for f in puskesmas}
    net = network_frame(graph) if puskesmas else None
    if net is None:
        return areas
    pos = net.nodes.index.get_indexer(pd.Index(puskesmas, dtype=object))
    known = np.flatnonzero(pos >= 0)
    which, node = net.reachable(pos[known])
    bounds = np.searchsorted(which, np.arange(len(known) + 1))
    ids = net.nodes.index.to_numpy(dtype=object)
    desa = net.nodes["desa_code"].to_numpy(dtype=object)
    for j, s in enumerate(known.tolist()):
        below = node[bounds[j]:bounds[j + 1]]
        areas[puskesmas[s]] = ({str(n) for n in ids[below[below != pos[s]]].tolist()},
                               {str(d) for d in desa[below].tolist() if d is not None})
    return areas


def _desa_funding(gap_funding: pd.DataFrame, actions: pd.DataFrame) -> pd.DataFrame:
    cols = ["desa_code", "funding_state", "gaps", "funded", "partly", "unfunded", "amount",
            "needed"]
    gf = gap_funding[gap_funding["desa_code"].notna()]
    if not len(gf):
        return pd.DataFrame(columns=cols)
    counts = gf.groupby(["desa_code", "funding_state"]).size().unstack(fill_value=0).reindex(
        columns=list(FUNDING_STATES), fill_value=0)
    counts.columns.name = "funding_state"
    out = counts.reset_index()
    out["gaps"] = counts.sum(axis=1).to_numpy()
    out["funding_state"] = np.where(out["funded"] == out["gaps"], "funded",
                                    np.where(out["unfunded"] == out["gaps"], "unfunded", "partly"))
    a = actions[actions["desa_code"].notna()].groupby("desa_code")
    out["amount"] = out["desa_code"].map(a["amount"].sum()).fillna(0.0).astype("float64")
    out["needed"] = out["desa_code"].map(a["needed"].sum(min_count=1)).astype("float64")
    return out[cols].reset_index(drop=True)


def _totals(lines: pd.DataFrame) -> pd.DataFrame:
    cols = ["source", "year", "amount", "lines", "amount_on_gaps"]
    if not len(lines):
        return pd.DataFrame(columns=cols)
    grp = lines.groupby(["source", "year"], dropna=False)
    out = pd.DataFrame({
        "amount": grp["amount"].sum(min_count=1),
        "lines": grp["budget_id"].count(),
        "amount_on_gaps": grp["amount_on_gaps"].sum(min_count=0),
    }).reset_index()
    return out[cols].sort_values(["year", "source"], na_position="last").reset_index(drop=True)


def _phasing(actions: pd.DataFrame, lines: pd.DataFrame, used, years) -> pd.DataFrame:
    """Per budget year: actions started, Rp put on actions from that year's lines; then the
    actions without any line and their shortfall (year NA)."""
    cols = ["year", "actions", "amount", "shortfall"]
    per_year: dict[int, float] = {}
    for u in used:
        for j, v in u.items():
            if years[j] is not None and math.isfinite(v):
                per_year[years[j]] = per_year.get(years[j], 0.0) + v
    started = actions["year"].value_counts(dropna=True)
    rows = [{"year": y, "actions": int(started.get(y, 0)), "amount": per_year.get(y, 0.0),
             "shortfall": float(actions.loc[actions["year"] == y, "shortfall"].sum(min_count=1))}
            for y in sorted(set(per_year) | {int(y) for y in started.index})]
    open_ = actions[actions["year"].isna()]
    if len(open_):
        rows.append({"year": None, "actions": len(open_), "amount": 0.0,
                     "shortfall": float(open_["shortfall"].sum(min_count=1))})
    out = pd.DataFrame(rows, columns=cols)
    out["year"] = pd.array(out["year"].tolist(), dtype="Int64")
    return out


def funding_layer(sync: BudgetSync, desa):
    """The desa GeoDataFrame joined with ``funding_state`` (only desa with a fundable gap), for
    the map layer styled by ``layers.symbology.FUNDING_STYLES``."""
    d = desa[["code", "name", "geometry"]] if "name" in desa.columns else desa[["code", "geometry"]]
    out = d.merge(sync.desa_funding, left_on="code", right_on="desa_code", how="inner")
    return out.drop(columns="desa_code")
