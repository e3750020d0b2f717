"""Planning scenarios for the outputs (PDF, XLSX, web map): a scenario's sites as a labelled
layer and its comparison with the baseline, as ``scenario compare`` stored it, one row per
scenario.  A scenario never compared, or compared on other data than the report's, says so
instead of showing a figure.  Imports geopandas, numpy, pandas and ``ilp_gis`` (i18n, inputs,
scenario).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_gis import scenario
from ilp_gis.i18n import format_rupiah, language, register_catalog, tr
from ilp_gis.model import WGS84

register_catalog("reports", "scenarios")

SITE_COLUMNS = ["scenario", "action_id", "action", "action_label", "name", "desa_code",
                "desa_name", "kecamatan_code", "kecamatan_name", "fac_id", "amount",
                "amount_text", "label", "style"]
"""The columns of :func:`scenario_sites_layer` (besides ``geometry``)."""

OVERVIEW_COLUMNS = ["scenario", "actions", "cost", "measure", "measure_short", "compared", "gaps_before",
                    "gaps_after", "gaps_closed", "gaps_new", "population", "pop_within_before",
                    "pop_within_after", "pop_newly_covered", "cost_per_person",
                    "cost_per_person_text", "note"]


def scenario_sites_layer(project, name: str | None = None, *,
                         lang: str | None = None) -> gpd.GeoDataFrame:
    """The sites of scenario ``name`` (every scenario when None) in EPSG:4326, one row per
    action that has a place: ``scenario``, ``action_id``, ``action`` (its
    ``ilp_gis.scenario.ActionKind`` value), ``action_label``, ``name``, ``desa_code``,
    ``desa_name``, ``kecamatan_code``, ``kecamatan_name``, ``fac_id``, ``amount`` (Rp, the
    catalogue price when the action has none), ``amount_text``, ``label`` (one line for a map
    popup or tooltip: "Pustu baru: Pustu Desa X — Desa X, Kec. Y (Rp 1.500.000.000)") and
    ``style`` (the key of ``layers.symbology.SCENARIO_SITE_STYLES``; any other action:
    ``SCENARIO_OTHER_SITE_STYLE``).  Texts in ``lang`` (default: the current language)."""
    names = [name] if name is not None else scenario.scenario_names(project)
    frames = [scenario.scenario_sites(project, n) for n in names]
    frames = [f for f in frames if len(f)]
    if not frames:
        return gpd.GeoDataFrame(pd.DataFrame(columns=SITE_COLUMNS), geometry=[], crs=WGS84)
    sites = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                             crs=WGS84)
    desa = project.desa
    desa_name, desa_kec, kec_name = {}, {}, {}
    if len(desa):
        desa_name = _lookup(desa["code"], desa["name"])
        if "kecamatan_code" in desa:
            desa_kec = _lookup(desa["code"], desa["kecamatan_code"])
    kec = project.kecamatan
    if len(kec):
        kec_name = _lookup(kec["code"], kec["name"])
    if len(desa) and "kecamatan_name" in desa and "kecamatan_code" in desa:
        for c, n in _lookup(desa["kecamatan_code"], desa["kecamatan_name"]).items():
            kec_name.setdefault(c, n)
    with language(lang):
        codes = sites["desa_code"].astype(object)
        sites["desa_name"] = [desa_name.get(c) if _text(c) else None for c in codes]
        sites["kecamatan_code"] = [desa_kec.get(c) if _text(c) else None for c in codes]
        sites["kecamatan_name"] = [kec_name.get(c) if _text(c) else None
                                   for c in sites["kecamatan_code"]]
        sites["action_label"] = [tr(f"scenario.action.{a}") for a in sites["action"]]
        sites["amount_text"] = [format_rupiah(v) if _finite(v) else
                                tr("report.scenario.unpriced") for v in sites["amount"]]
        sites["label"] = [_site_label(r) for r in sites.to_dict("records")]
    sites["style"] = sites["action"].astype(str)
    return sites[[*SITE_COLUMNS, "geometry"]]


def _site_label(r: dict) -> str:
    where = r.get("desa_name") if _text(r.get("desa_name")) else (
        r.get("desa_code") if _text(r.get("desa_code")) else None)
    if where and _text(r.get("kecamatan_name")):
        where = tr("report.scenario.where", desa=where, kecamatan=r["kecamatan_name"])
    name = r.get("name") if _text(r.get("name")) else r.get("fac_id")
    return tr("report.scenario.site_label", scenario=r["scenario"], action=r["action_label"],
              name=name if _text(name) else "–", where=where or "–", cost=r["amount_text"])


CHANGE_COLUMNS = ["scenario", "code", "name", "kecamatan_code", "gaps_before", "gaps_after",
                  "gaps_closed", "gaps_new", "pop_newly_covered", "cost", "style", "label"]
"""The columns of :func:`scenario_changes_layer` (besides ``geometry``)."""


def change_style(gaps_closed, gaps_new) -> str | None:
    """The key of ``layers.symbology.SCENARIO_CHANGE_STYLES`` a desa takes: ``new`` where the
    scenario opens a gap (a warning wins), ``closed`` where it only closes gaps, else None."""
    if _finite(gaps_new) and float(gaps_new) > 0:
        return "new"
    if _finite(gaps_closed) and float(gaps_closed) > 0:
        return "closed"
    return None


def scenario_changes_layer(project, name: str, *, lang: str | None = None) -> gpd.GeoDataFrame:
    """The desa (EPSG:4326) with scenario ``name``'s last stored comparison: gaps before and
    after, closed and new, people newly covered and the cost spent there, ``style`` (see
    :func:`change_style`) and a one-line ``label``.  Empty when the scenario was never
    compared."""
    ch = scenario.stored_desa_changes(project, name)
    desa = project.desa
    if not len(ch) or not len(desa) or "gaps_closed" not in ch:
        return gpd.GeoDataFrame(pd.DataFrame(columns=CHANGE_COLUMNS), geometry=[], crs=WGS84)
    d84 = desa.to_crs(WGS84) if desa.crs is not None else desa.set_crs(WGS84)
    keep = [c for c in ("code", "name", "kecamatan_code", "geometry") if c in d84.columns]
    out = d84[keep].merge(ch.drop(columns=["kecamatan_code", "scenario"], errors="ignore"),
                          left_on="code", right_on="desa_code", how="inner")
    out["scenario"] = name
    out["style"] = [change_style(c, n) for c, n in zip(out["gaps_closed"], out["gaps_new"],
                                                       strict=True)]
    with language(lang):
        out["label"] = [tr("report.scenario.change_label", desa=r["name"], closed=_int(
            r["gaps_closed"]), new=_int(r["gaps_new"]), gained=_int(r["pop_newly_covered"]))
            for r in out.to_dict("records")]
    for c in CHANGE_COLUMNS:
        if c not in out:
            out[c] = None
    return gpd.GeoDataFrame(out[[*CHANGE_COLUMNS, "geometry"]], geometry="geometry", crs=WGS84)


def _int(v) -> str:
    from ilp_gis.i18n import format_number

    return format_number(float(v)) if _finite(v) else "–"


def scenario_overview(project, result=None) -> pd.DataFrame:
    """One row per scenario (:data:`OVERVIEW_COLUMNS`): its actions and cost, the measure its
    sites were chosen by, and its last stored comparison with the baseline (the total row:
    gaps before/after/closed/new, people within the measure's limit before and after, people
    newly covered, cost per person newly covered and that figure as text).  Without a stored
    comparison, or with one made on other data than ``result`` (its gaps before differ from
    the analysis now, same limit), the comparison figures are missing and ``note`` says why;
    they are never shown as 0."""
    rows = []
    gaps_now = len(result.gaps) if result is not None and result.gaps is not None else None
    key_now = scenario.baseline_key(project)
    for name in scenario.scenario_names(project):
        acts = scenario.scenario_actions(project, name)
        cost = float(sum(scenario.action_cost(r, project.rules) for _, r in acts.iterrows()))
        m = scenario.scenario_measure(project, name)
        row = {"scenario": name, "actions": len(acts), "cost": cost,
               "measure": m.describe() if m is not None else tr("report.scenario.no_measure"),
               "measure_short": m.short() if m is not None else None,
               "compared": False, "note": None}
        comp = scenario.stored_comparison(project, name)
        total = comp[comp["kecamatan_code"].isna()] if len(comp) else comp
        if not len(total):
            row["note"] = tr("report.scenario.not_compared")
        else:
            t = total.iloc[0]
            same_rules = m is None or m.rules_for(project.rules) is project.rules
            stored_key = t.get("baseline_key")
            if isinstance(stored_key, str) and stored_key:
                if stored_key != key_now:
                    row["note"] = tr("report.scenario.changed")
            elif gaps_now is not None and same_rules and _finite(t["gaps_before"]) \
                    and int(t["gaps_before"]) != gaps_now:  # stored before the data key
                row["note"] = tr("report.scenario.stale", then=int(t["gaps_before"]),
                                 now=gaps_now)
            if not row["note"]:
                row["compared"] = True
                for c in ("gaps_before", "gaps_after", "gaps_closed", "gaps_new", "population",
                          "pop_within_before", "pop_within_after", "pop_newly_covered"):
                    row[c] = t[c]
                row["cost_per_person"] = t["cost_per_person"]
                row["cost_per_person_text"] = scenario.cost_per_person_text(
                    cost, t["pop_newly_covered"])
        if not row["compared"]:
            row["cost_per_person_text"] = row["note"]
        rows.append(row)
    out = pd.DataFrame(rows, columns=OVERVIEW_COLUMNS)
    for c in OVERVIEW_COLUMNS[6:15]:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    return out


def scenario_comparison_rows(project, result=None) -> pd.DataFrame:
    """The stored comparisons by kecamatan with each scenario's total row last (columns of
    ``ilp_gis.scenario.COMPARE_COLUMNS`` plus ``scenario``, ``measure``, ``row_label`` and
    ``cost_per_person_text``); a scenario without a usable comparison is one row whose
    ``cost_per_person_text`` says why (:func:`scenario_overview`)."""
    over = scenario_overview(project, result)
    parts = []
    for r in over.to_dict("records"):
        if not r["compared"]:
            parts.append(pd.DataFrame([{"scenario": r["scenario"], "measure": r["measure"],
                                        "row_label": tr("scenario.total"), "cost": r["cost"],
                                        "cost_per_person_text": r["note"]}]))
            continue
        comp = scenario.stored_comparison(project, r["scenario"]).copy()
        comp["_total"] = comp["kecamatan_code"].isna()
        comp = comp.sort_values(["_total", "kecamatan_name"], kind="stable")
        comp["row_label"] = np.where(comp["_total"], tr("scenario.total"),
                                     comp["kecamatan_name"].fillna(comp["kecamatan_code"]))
        comp["measure"] = r["measure"]
        comp["cost_per_person_text"] = [scenario.cost_per_person_text(c, g) for c, g in zip(
            comp["cost"], comp["pop_newly_covered"], strict=True)]
        parts.append(comp.drop(columns="_total"))
    cols = ["scenario", "measure", "row_label", *scenario.COMPARE_COLUMNS,
            "cost_per_person_text"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    for c in cols:
        if c not in out:
            out[c] = None
    return out[cols]


def _lookup(keys, values) -> dict:
    return {k: v for k, v in zip(keys, values, strict=False) if _text(k)}


def _text(v) -> bool:
    return isinstance(v, str) and bool(v.strip())


def _finite(v) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False
