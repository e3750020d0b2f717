"""Actions derived from gaps: what a district would do to close them — build a Pustu in desa X
(or upgrade its Poskesdes/Polindes), add nakes to Pustu Z, train the kader of desa X's Posyandu,
open Posyandu in desa X, equip or renovate a COE — each closing one or more gaps and costed once
from the rules' catalogue (``cost.*``).  Pure domain code; imports pandas and ``ilp_gis``
(model, rules).
"""

from __future__ import annotations

import math

import numpy as np
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


def _fnum(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _text(v) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v == "":
        return None
    return str(v)


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

    Worked out column by column (a national analysis has ~200,000 fundable gaps): each gap
    gets the key of its action, actions are the distinct keys in the order they first come,
    and each action's figures are gathered over its gaps in their order.
    """
    g = pd.DataFrame(gaps).drop(columns="geometry", errors="ignore")
    for col in ("gap_id", "kind", "desa_code", "desa_name", "kecamatan_code", "kecamatan_name",
                "fac_id", "value", "threshold", "priority_rank", "priority_score", "unit",
                "label"):
        if col not in g:
            g[col] = None
    g = g[g["kind"].isin(FUNDABLE_GAP_KINDS)]
    n = len(g)
    kinds = g["kind"].to_numpy(dtype=object)
    desas, kecs, facs = (_texts(g[c]) for c in ("desa_code", "kecamatan_code", "fac_id"))
    limit = _texts(g["limit_type"]) if "limit_type" in g else np.full(n, None, dtype=object)
    value, threshold = _fnums(g["value"]), _fnums(g["threshold"])
    deficit = _fnums(g["posyandu_deficit"]) if "posyandu_deficit" in g else np.full(n, np.nan)

    distance_kind = np.isin(kinds, ("beyond_distance", "beyond_travel_time"))
    pustu_limit = pd.isna(limit) | (limit == "pustu")
    pustu_desa = set(desas[(kinds == "no_pustu") | (distance_kind & pustu_limit)].tolist())
    in_pustu = np.fromiter((d in pustu_desa for d in desas), dtype=bool, count=n)

    # each gap's action key: a tag (the kind of action) and its place
    tag = np.full(n, "", dtype=object)
    place = np.full(n, None, dtype=object)
    kader_team = float(rules.value("target.posyandu_min_kader", 5.0))
    short = _shorts(value, threshold)
    units = np.ones(n)
    for kind_name, tag_name, where in (
            ("no_puskesmas", "other_kec", kecs), ("understaffed_pustu", "nakes", facs),
            ("kader_deficit", "kader", np.where(pd.isna(desas), facs, desas)),
            ("posyandu_deficit", "posyandu", desas), ("coe_below_threshold", "coe", facs)):
        sel = kinds == kind_name
        tag[sel], place[sel] = tag_name, where[sel]
    pustu_kind = (kinds == "no_pustu") | distance_kind
    tag[pustu_kind & in_pustu] = "pustu"
    tag[pustu_kind & ~in_pustu] = "other_desa"
    place[pustu_kind] = desas[pustu_kind]
    sel = tag == "nakes"
    units[sel] = short[sel]
    sel = tag == "kader"
    with np.errstate(invalid="ignore"):
        team = ~(np.isfinite(threshold) & (threshold > 1))
        units[sel] = np.where(team, kader_team, short)[sel]
        sel = tag == "posyandu"
        units[sel] = np.where(np.isfinite(deficit) & (deficit >= 1), deficit, short)[sel]
    missing_place = pd.isna(place)
    keys = pd.Series(tag, dtype=object) + np.where(
        missing_place, "\x01", "\x00" + pd.Series(place, dtype=object).where(
            ~missing_place, "").to_numpy(dtype=object))
    codes, uniques = pd.factorize(keys.to_numpy(dtype=object))
    m = len(uniques)
    codes = np.asarray(codes, dtype=np.int64)
    first = np.unique(codes, return_index=True)[1] if n else np.zeros(0, dtype=np.int64)
    last = (n - 1 - np.unique(codes[::-1], return_index=True)[1]) if n else first
    sizes = np.bincount(codes, minlength=m)

    a_tag = tag[first]
    summed = np.isin(a_tag, ("nakes", "kader"))  # units added up over the gaps; else the last
    a_units = np.where(summed, np.bincount(codes, weights=units, minlength=m)[:m], units[last])
    a_desa, a_kec = desas[first], kecs[first]
    a_fac = np.where(np.isin(a_tag, ("nakes", "coe")), facs[first], None)
    a_acts = np.empty(m, dtype=object)
    for k, t in enumerate(a_tag.tolist()):
        a_acts[k] = _TAG_ACTIVITIES[t]
    if precursor_desa:
        upgrade = (a_tag == "pustu") & np.fromiter((d in precursor_desa for d in a_desa),
                                                   dtype=bool, count=m)
        for k in np.flatnonzero(upgrade):
            a_acts[k] = (Activity.UPGRADE_TO_PUSTU, Activity.BUILD_PUSTU)
    costs: dict[Activity, float] = {}
    unit_cost = np.empty(m)
    for k, acts in enumerate(a_acts.tolist()):
        if acts[0] is Activity.OTHER:
            unit_cost[k] = math.nan
        else:
            if acts[0] not in costs:
                costs[acts[0]] = activity_cost(acts[0], rules)
            unit_cost[k] = costs[acts[0]]

    gap_ids = _strings(g["gap_id"])
    kind_text = kinds.astype(str).astype(object)
    labels = _texts(g["label"])
    labels = np.where(pd.isna(labels), kind_text, labels)
    ids_text = gap_ids[first].copy()
    kinds_text = kind_text[first].copy()
    labels_text = labels[first].copy()
    many = np.flatnonzero(sizes > 1)
    if len(many):  # actions of several gaps: their texts joined in the gaps' order
        rows = np.flatnonzero(sizes[codes] > 1)
        rows = rows[np.argsort(codes[rows], kind="stable")]
        bounds = np.cumsum(sizes[many])[:-1]
        for k, part_ids, part_kinds, part_labels in zip(
                many.tolist(), np.split(gap_ids[rows], bounds), np.split(kind_text[rows], bounds),
                np.split(labels[rows], bounds), strict=True):
            ids_text[k] = ";".join(part_ids.tolist())
            kinds_text[k] = ";".join(dict.fromkeys(part_kinds.tolist()))
            labels_text[k] = "; ".join(dict.fromkeys(part_labels.tolist()))
    rank, score = _fnums(g["priority_rank"]), _fnums(g["priority_score"])
    a_rank, a_score = np.full(m, np.nan), np.full(m, np.nan)
    with np.errstate(invalid="ignore"):
        np.fmin.at(a_rank, codes, np.where(np.isfinite(rank), rank, np.nan))
        np.fmax.at(a_score, codes, np.where(np.isfinite(score), score, np.nan))

    names = {acts: ";".join(a.value for a in acts) for acts in set(a_acts.tolist())}
    actions = pd.DataFrame({
        "activity": [acts[0].value for acts in a_acts.tolist()],
        "activities": [names[acts] for acts in a_acts.tolist()],
        "desa_code": a_desa.tolist(), "desa_name": _texts(g["desa_name"])[first].tolist(),
        "kecamatan_code": a_kec.tolist(),
        "kecamatan_name": _texts(g["kecamatan_name"])[first].tolist(),
        "fac_id": a_fac.tolist(), "units": a_units.tolist(), "unit_cost": unit_cost.tolist(),
        "needed": (unit_cost * a_units).tolist(), "gap_ids": ids_text.tolist(),
        "gap_kinds": kinds_text.tolist(), "gap_labels": labels_text.tolist(),
        "n_gaps": sizes.tolist(), "priority_rank": a_rank.tolist(),
        "priority_score": a_score.tolist(),
    }, columns=ACTION_COLUMNS[1:])
    order = actions.sort_values(["priority_rank", "gap_ids"], na_position="last",
                                kind="stable").index.to_numpy()
    actions = actions.loc[order].reset_index(drop=True)
    action_ids = [f"A{i + 1:04d}" for i in range(len(actions))]
    actions.insert(0, "action_id", action_ids)
    for col in ("units", "unit_cost", "needed", "priority_rank", "priority_score"):
        actions[col] = actions[col].astype("float64")
    return actions, _action_of_gap(actions, gap_ids, codes, order)


_TAG_ACTIVITIES = {
    "other_kec": (Activity.OTHER,), "other_desa": (Activity.OTHER,), "pustu": PUSTU_WAYS,
    "nakes": (Activity.ADD_NAKES,), "kader": (Activity.TRAIN_KADER,),
    "posyandu": (Activity.OPEN_POSYANDU,), "coe": (Activity.EQUIP, Activity.RENOVATE)}


def _action_of_gap(actions: pd.DataFrame, gap_ids: np.ndarray, codes: np.ndarray,
                   order: np.ndarray) -> pd.Series:
    """Per gap id the id of its action (a gap id given twice: the later action's, as a dict
    filled action by action says)."""
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    by = np.lexsort((np.arange(len(codes)), rank[codes])) if len(codes) else codes
    ids = gap_ids[by]
    if len(ids) and (pd.Series(ids).duplicated().any()
                     or pd.Series(ids, dtype=object).str.contains(";", regex=False).any()):
        return pd.Series({gid: aid for aid, text in zip(actions["action_id"], actions["gap_ids"],
                                                         strict=True)
                          for gid in text.split(";")}, dtype=object)
    aids = np.asarray(actions["action_id"].to_numpy(dtype=object)[rank[codes[by]]]
                      if len(by) else [], dtype=object)
    return pd.Series(aids.tolist(), index=ids.tolist(), dtype=object)


def _texts(series: pd.Series) -> np.ndarray:
    """``[_text(v) for v in series]`` as an object array, whole columns at a time for text."""
    arr = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(arr, skipna=True) not in ("string", "empty"):
        return np.array([_text(v) for v in arr] + [None], dtype=object)[:len(arr)]
    out = arr.copy()
    out[pd.isna(arr) | (arr == "")] = None
    return out


def _strings(series: pd.Series) -> np.ndarray:
    """``[str(v) for v in series]`` as an object array."""
    arr = series.to_numpy(dtype=object)
    if len(arr) and pd.api.types.infer_dtype(arr, skipna=False) == "string":
        return arr.copy()
    return np.array([str(v) for v in arr] + [""], dtype=object)[:len(arr)]


def _fnums(series: pd.Series) -> np.ndarray:
    """``[_fnum(v) for v in series]`` as a float array."""
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    return np.array([_fnum(v) for v in series.tolist()], dtype="float64")


def _shorts(value: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """:func:`_short` of each (value, threshold) pair."""
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(value) & np.isfinite(threshold) & (threshold > value)
        return np.where(ok, np.maximum(1.0, np.ceil(np.where(ok, threshold - value - 1e-9, 0))),
                        1.0)


def _is_pustu_limit(limit_type) -> bool:
    """A distance/travel gap measured to the nearest Pustu (``limit_type``; gaps of older
    results without it: every such gap counts as a Pustu limit, as they were costed)."""
    lt = _text(limit_type)
    return lt is None or lt == "pustu"
