"""Actions derived from gaps: what a district would do to close them — build a Pustu in desa X
(or upgrade its Poskesdes/Polindes), add nakes to Pustu Z, train the kader of desa X's Posyandu,
open Posyandu in desa X, equip or renovate a COE — each closing one or more gaps and costed once
from the rules' catalogue (``cost.*``).  Pure domain code; imports pandas and ``ilp_gis``
(model, rules).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from ilp_gis.model import Activity
from ilp_gis.rules import Rules, default_rules

# Which activities close a gap kind (the first is the catalogue's way; the others are accepted
# from a budget line aimed at the same place).
GAP_ACTIVITIES: dict[str, tuple[Activity, ...]] = {
    "no_pustu": (Activity.BUILD_PUSTU, Activity.UPGRADE_TO_PUSTU),
    "beyond_distance": (Activity.BUILD_PUSTU, Activity.UPGRADE_TO_PUSTU),
    "beyond_travel_time": (Activity.BUILD_PUSTU, Activity.UPGRADE_TO_PUSTU),
    "understaffed_pustu": (Activity.ADD_NAKES,),
    "kader_deficit": (Activity.TRAIN_KADER,),
    "posyandu_deficit": (Activity.OPEN_POSYANDU,),
    "coe_below_threshold": (Activity.EQUIP, Activity.RENOVATE),
    # A kecamatan without a Puskesmas is beyond the village-level catalogue: an "other" action
    # without a catalogue price (its cost is not known, never zero).
    "no_puskesmas": (Activity.OTHER,),
}
FUNDABLE_GAP_KINDS = tuple(GAP_ACTIVITIES)
PUSTU_WAYS = (Activity.BUILD_PUSTU, Activity.UPGRADE_TO_PUSTU)

ACTION_COLUMNS = ["action_id", "activity", "activities", "desa_code", "desa_name",
                  "kecamatan_code", "kecamatan_name", "fac_id", "units", "unit_cost", "needed",
                  "gap_ids", "gap_kinds", "gap_labels", "n_gaps", "priority_rank", "priority_score"]


def activity_cost(activity: Activity | str, rules: Rules | None = None) -> float:
    """Catalogue cost (Rp) of one unit of ``activity``; NaN when the catalogue has none."""
    rules = rules or default_rules()
    name = f"cost.{Activity(activity).value}"
    return float(rules[name]) if name in rules else math.nan


@dataclass
class _Draft:
    key: tuple
    activities: tuple[Activity, ...]
    desa_code: str | None
    kecamatan_code: str | None
    fac_id: str | None
    rows: list = field(default_factory=list)  # the gaps' positions
    units: float = 0.0


def _fnum(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _text(v) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v == "":
        return None
    return str(v)


def _short(value: float, threshold: float) -> float:
    """Units short of a count target (at least one)."""
    if math.isfinite(value) and math.isfinite(threshold) and threshold > value:
        return float(max(1, math.ceil(threshold - value - 1e-9)))
    return 1.0


def derive_actions(gaps: pd.DataFrame, rules: Rules, *,
                   precursor_desa: set[str] = frozenset()) -> tuple[pd.DataFrame, pd.Series]:
    """``(actions, action_of_gap)``: one row per action (:data:`ACTION_COLUMNS`) and, per
    fundable gap (by ``gap_id``), the id of the action that closes it.

    - A Pustu in desa X closes X's ``no_pustu`` gap and X's distance and travel-time gaps
      (to the Pustu and to the Puskesmas): one action, one Pustu, costed once.  It upgrades the
      desa's Poskesdes/Polindes when there is one (``cost.upgrade_pustu``), else builds
      (``cost.build_pustu``).  A desa that already has its Pustu and is only beyond a
      Puskesmas limit gets an ``other`` action without a catalogue price (a Pustu it has).
    - Nakes for Pustu Z: one action per Pustu, units = nakes short.
    - Kader training in desa X: one action for all of X's Posyandu short of kader, units =
      kader short (a share target counts one team of ``target.posyandu_min_kader``).
    - Posyandu in desa X: one action, units = the deficit.
    - COE F below its threshold: equip F (renovating is accepted from a line).
    - A kecamatan without a Puskesmas: an ``other`` action without a catalogue price.
    """
    g = pd.DataFrame(gaps).drop(columns="geometry", errors="ignore")
    for col in ("gap_id", "kind", "desa_code", "desa_name", "kecamatan_code", "kecamatan_name",
                "fac_id", "value", "threshold", "priority_rank", "priority_score", "unit",
                "label"):
        if col not in g:
            g[col] = None
    g = g[g["kind"].isin(FUNDABLE_GAP_KINDS)]
    # one list per column (gaps are many: no per-row frame access)
    col = {c: g[c].tolist() for c in ("gap_id", "kind", "desa_code", "desa_name",
                                     "kecamatan_code", "kecamatan_name", "fac_id", "value",
                                     "threshold", "priority_rank", "priority_score", "label")}
    n = len(g)
    kinds = col["kind"]
    desas = [_text(v) for v in col["desa_code"]]
    kecs = [_text(v) for v in col["kecamatan_code"]]
    facs = [_text(v) for v in col["fac_id"]]
    limit = g["limit_type"].tolist() if "limit_type" in g else [None] * n
    deficit = g["posyandu_deficit"].tolist() if "posyandu_deficit" in g else [None] * n
    pustu_desa = {desas[i] for i in range(n)
                  if kinds[i] == "no_pustu"
                  or (kinds[i] in ("beyond_distance", "beyond_travel_time")
                      and _is_pustu_limit(limit[i]))}
    drafts: dict[tuple, _Draft] = {}

    def draft(key, acts, i, fac=None) -> _Draft:
        d = drafts.get(key)
        if d is None:
            d = drafts[key] = _Draft(key, acts, desas[i], kecs[i], fac)
        d.rows.append(i)
        return d

    kader_team = float(rules.value("target.posyandu_min_kader", 5.0))
    for i in range(n):
        kind, desa, fac = kinds[i], desas[i], facs[i]
        if kind == "no_puskesmas":
            draft(("other_kec", kecs[i]), (Activity.OTHER,), i).units = 1.0
        elif kind in ("no_pustu", "beyond_distance", "beyond_travel_time"):
            if desa in pustu_desa:
                draft(("pustu", desa), PUSTU_WAYS, i).units = 1.0
            else:  # a Puskesmas limit where the desa has its Pustu
                draft(("other_desa", desa), (Activity.OTHER,), i).units = 1.0
        elif kind == "understaffed_pustu":
            value, threshold = _fnum(col["value"][i]), _fnum(col["threshold"][i])
            draft(("nakes", fac), (Activity.ADD_NAKES,), i, fac).units += _short(value,
                                                                                  threshold)
        elif kind == "kader_deficit":
            value, threshold = _fnum(col["value"][i]), _fnum(col["threshold"][i])
            units = _short(value, threshold) if math.isfinite(threshold) and threshold > 1 \
                else kader_team
            draft(("kader", desa or fac), (Activity.TRAIN_KADER,), i).units += units
        elif kind == "posyandu_deficit":
            value, threshold = _fnum(col["value"][i]), _fnum(col["threshold"][i])
            need = _fnum(deficit[i])
            units = need if math.isfinite(need) and need >= 1 else _short(value, threshold)
            draft(("posyandu", desa), (Activity.OPEN_POSYANDU,), i).units = units
        elif kind == "coe_below_threshold":
            draft(("coe", fac), (Activity.EQUIP, Activity.RENOVATE), i, fac).units = 1.0

    costs: dict[Activity, float] = {}
    rows = []
    for d in drafts.values():
        acts = d.activities
        if acts == PUSTU_WAYS and d.desa_code in precursor_desa:
            acts = (Activity.UPGRADE_TO_PUSTU, Activity.BUILD_PUSTU)
        first = d.rows[0]
        ranks = [_fnum(col["priority_rank"][i]) for i in d.rows]
        ranks = [x for x in ranks if math.isfinite(x)]
        scores = [_fnum(col["priority_score"][i]) for i in d.rows]
        scores = [x for x in scores if math.isfinite(x)]
        if acts[0] is Activity.OTHER:
            unit_cost = math.nan
        else:
            if acts[0] not in costs:
                costs[acts[0]] = activity_cost(acts[0], rules)
            unit_cost = costs[acts[0]]
        rows.append({
            "activity": acts[0].value, "activities": ";".join(a.value for a in acts),
            "desa_code": d.desa_code, "desa_name": _text(col["desa_name"][first]),
            "kecamatan_code": d.kecamatan_code,
            "kecamatan_name": _text(col["kecamatan_name"][first]),
            "fac_id": d.fac_id, "units": d.units, "unit_cost": unit_cost,
            "needed": unit_cost * d.units,
            "gap_ids": ";".join(str(col["gap_id"][i]) for i in d.rows),
            "gap_kinds": ";".join(dict.fromkeys(str(kinds[i]) for i in d.rows)),
            "gap_labels": "; ".join(dict.fromkeys(_text(col["label"][i]) or str(kinds[i])
                                                  for i in d.rows)),
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


def _is_pustu_limit(limit_type) -> bool:
    """A distance/travel gap measured to the nearest Pustu (``limit_type``; gaps of older
    results without it: every such gap counts as a Pustu limit, as they were costed)."""
    lt = _text(limit_type)
    return lt is None or lt == "pustu"
