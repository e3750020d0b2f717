"""The table contents both paper outputs print: kecamatan names, district roll-ups, the network
per Puskesmas and budget totals (the PDF sections and the XLSX sheets call these).
Imports numpy, pandas and the domain (``ilp_gis``).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from ilp_gis import coe as coe_units
from ilp_gis.model import COE_COLUMNS
from ilp_gis.network import findings
from ilp_gis.network_frame import network_frame


def kecamatan_names(project, result) -> dict[str, str]:
    """Kecamatan code -> name from the boundaries, else the result's kecamatan or desa tables."""
    names: dict[str, str] = {}
    kec = project.kecamatan
    if len(kec):
        names.update({c: n for c, n in zip(kec["code"], kec["name"], strict=False)
                      if isinstance(c, str)})
    if result is not None and result.kecamatan is not None and len(result.kecamatan):
        for c, n in zip(result.kecamatan["code"], result.kecamatan["name"], strict=False):
            if isinstance(c, str):
                names.setdefault(c, n if isinstance(n, str) else c)
    if not names and result is not None and len(result.desa):
        for c, n in zip(result.desa["kecamatan_code"], result.desa["kecamatan_name"], strict=False):
            if isinstance(c, str):
                names.setdefault(c, n if isinstance(n, str) else c)
    return names


def kabupaten_key(codes) -> pd.Series:
    """The district code ``PP.KK`` of Kemendagri kecamatan/desa codes."""
    return pd.Series(codes).astype(str).str.split(".").str[:2].str.join(".")


def kabupaten_names(project) -> dict[str, str]:
    """District code -> name from the project's kabupaten boundaries."""
    kab = project.kabupaten
    if not len(kab) or "code" not in kab:
        return {}
    return {c: n for c, n in zip(kab["code"], kab["name"], strict=False) if isinstance(c, str)}


def kabupaten_rollup(kecamatan: pd.DataFrame | None) -> pd.DataFrame:
    """The kecamatan roll-up summed per district: code (PP.KK), kecamatan, desa_total,
    desa_pustu_required, desa_with_pustu, posyandu, posyandu_needed, population, pop_within_pustu_km, n_puskesmas,
    gap_count (a figure missing in every kecamatan stays missing)."""
    k = kecamatan
    if k is None or not len(k):
        return pd.DataFrame()

    def total(s):
        return s.sum(min_count=1)

    if "desa_pustu_required" not in k:  # a roll-up stored before it: every desa needs one
        k = k.assign(desa_pustu_required=k["desa_total"])
    agg = k.assign(_kab=kabupaten_key(k["code"]).values).groupby("_kab").agg(
        kecamatan=("code", "size"), desa_total=("desa_total", "sum"),
        desa_pustu_required=("desa_pustu_required", "sum"),
        desa_with_pustu=("desa_with_pustu", total), posyandu=("posyandu", total),
        posyandu_needed=("posyandu_needed", total), population=("population", total),
        pop_within_pustu_km=("pop_within_pustu_km", total),
        n_puskesmas=("n_puskesmas", "sum"), gap_count=("gap_count", "sum"))
    return agg.rename_axis("code").reset_index()


def network_rows(result, kec_names: dict, kec_code: str | None = None) -> list[dict]:
    """One row per Puskesmas: its Pustu and Posyandu counts and problems.  Counted over the
    network's arrays (``ilp_gis.network_frame``: a stored national network is never built
    as a graph for it)."""
    probs = findings(result.network_problems, "problem")  # notes ("info") are no problem
    prob_ids: dict[str, int] = {}
    if probs is not None and len(probs) and "fac_ids" in probs:
        for ids in probs["fac_ids"]:
            for fid in split_ids(ids):
                prob_ids[fid] = prob_ids.get(fid, 0) + 1
    net = network_frame(result.graph)
    if net is None:
        return []
    ids = net.nodes.index.to_numpy(dtype=object)
    types = net.nodes["type"].to_numpy(dtype=object)
    n = len(ids)
    child_type = types[net.child]
    to_pustu, to_posyandu = child_type == "pustu", child_type == "posyandu"
    pustu = np.bincount(net.parent[to_pustu], minlength=n)
    direct = np.bincount(net.parent[to_posyandu], minlength=n)
    # the Posyandu under a Puskesmas: its own and those of its Pustu, each once
    first = pd.DataFrame({"top": net.parent[to_pustu], "mid": net.child[to_pustu]})
    second = pd.DataFrame({"mid": net.parent[to_posyandu], "leaf": net.child[to_posyandu]})
    below = np.concatenate([
        first.merge(second, on="mid")[["top", "leaf"]].to_numpy(dtype=np.int64).reshape(-1, 2),
        np.column_stack([net.parent[to_posyandu], net.child[to_posyandu]])]).astype(np.int64)
    below = np.unique(below[:, 0] * max(n, 1) + below[:, 1])
    top, leaf = np.divmod(below, max(n, 1))
    posyandu = np.bincount(top, minlength=n)
    problems = np.zeros(n, dtype=np.int64)
    if prob_ids:
        per_node = np.fromiter((prob_ids.get(f, 0) for f in ids), dtype=np.int64, count=n)
        problems = (per_node + np.bincount(net.parent[to_pustu], weights=per_node[
            net.child[to_pustu]], minlength=n).astype(np.int64)
            + np.bincount(top, weights=per_node[leaf], minlength=n).astype(np.int64))
    names = net.nodes["name"].to_numpy(dtype=object)
    kecs = net.nodes["kecamatan_code"].to_numpy(dtype=object)
    rows = []
    for i in np.flatnonzero(types == "puskesmas").tolist():
        if kec_code and kecs[i] != kec_code:
            continue
        rows.append({"fac_id": ids[i], "name": names[i] or ids[i],
                     "kecamatan": kec_names.get(kecs[i], "–"),
                     "pustu": int(pustu[i]), "posyandu": int(posyandu[i]),
                     "direct": int(direct[i]), "problems": int(problems[i])})
    rows.sort(key=lambda r: (str(r["kecamatan"]), str(r["name"])))
    return rows


COE_TABLE_COLUMNS = ["unit_id", "fac_id", "name", "kecamatan", "pustu_id", "pustu_name",
                     "posyandu_count", "score", *COE_COLUMNS, "meets", "rule_label",
                     "problem_label"]


def coe_table(result, kec_names: dict, kec_code: str | None = None) -> pd.DataFrame:
    """The COE units (``ilp_gis.coe``) to print: one row per designated unit — its Puskesmas,
    Pustu, Posyandu count, score, the five group shares, the verdict, the scoring rule and any
    designation problem — then the designated Pustu that make no unit; ``kec_code`` keeps the
    units whose Puskesmas lies in that kecamatan.  Columns :data:`COE_TABLE_COLUMNS`."""
    u = getattr(result, "coe", None)
    if u is None or not len(u):
        return pd.DataFrame(columns=COE_TABLE_COLUMNS)
    u = pd.DataFrame(u).copy()
    units_known = "unit_id" in u
    for col in ("unit_id", "name", "kecamatan_code", "pustu_id", "pustu_name",
                "posyandu_count", "score", "rule", "problem", "indicators_assessed",
                "indicators_total"):
        if col not in u:  # a table stored before COE were units
            u[col] = None
    if not units_known:  # stored before COE were units: each scored facility was one
        u["unit_id"] = "COE-" + u["fac_id"].astype(str)
    if kec_code:
        u = u[u["kecamatan_code"] == kec_code]
    out = pd.DataFrame({
        "unit_id": u["unit_id"], "fac_id": u["fac_id"], "name": u["name"],
        "kecamatan": u["kecamatan_code"].map(lambda c: kec_names.get(c, c)),
        "pustu_id": u["pustu_id"], "pustu_name": u["pustu_name"],
        "posyandu_count": pd.to_numeric(u["posyandu_count"], errors="coerce"),
        "score": pd.to_numeric(u["score"], errors="coerce"),
        **{c: pd.to_numeric(u[c], errors="coerce") if c in u else float("nan")
           for c in COE_COLUMNS},
        "meets": u["meets"].astype("boolean") if "meets" in u else pd.NA,
        "rule_label": [coe_units.rule_text(r, row) if isinstance(r, str) else None
                       for r, (_, row) in zip(u["rule"], u.iterrows(), strict=True)],
        "problem_label": u["problem"].map(coe_units.problem_text),
    })
    if not len(out):
        return pd.DataFrame(columns=COE_TABLE_COLUMNS)
    unit = out["unit_id"].notna()
    return pd.concat([out[unit], out[~unit]]).reset_index(drop=True)[COE_TABLE_COLUMNS]


def split_ids(ids) -> list[str]:
    if ids is None or (isinstance(ids, float) and math.isnan(ids)):
        return []
    if isinstance(ids, (list, tuple, set)):
        return [str(i) for i in ids]
    text = str(ids)
    if text.startswith("["):
        try:
            return [str(i) for i in json.loads(text)]
        except ValueError:
            pass
    return [p.strip() for p in text.replace(",", ";").split(";") if p.strip()]


def budget_totals(budget: pd.DataFrame) -> pd.DataFrame:
    """Totals per funding source and year: source, year, amount, lines."""
    if not len(budget):
        return pd.DataFrame(columns=["source", "year", "amount", "lines"])
    g = budget.groupby(["source", "year"], dropna=False)
    return pd.DataFrame({"amount": g["amount"].sum(min_count=1),
                         "lines": g.size()}).reset_index()


def enum_label(enum_cls, value) -> str | None:
    """The label of ``value`` in ``enum_cls``: None when missing, the value itself when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        return enum_cls(value).label
    except ValueError:
        return str(value)
