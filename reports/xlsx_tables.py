"""XLSX tables for planners: one sheet per table (desa, kecamatan, gaps, priority, network,
Posyandu strata, Posyandu shortfall, lokus ILP, budget, import report, rules), each with a frozen header, an auto-filter, widths and number formats.
Missing values stay empty cells; input text never becomes a formula (layers.safe_cells).
Imports reports.tables, reports.source, reports.xlsx_stream (the streaming writer) and
layers.atomic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ilp_gis import desa_counts
from ilp_gis.errors import InputError
from ilp_gis.i18n import format_number, language, normalize_language, register_catalog, tr
from ilp_gis.indicators import pustu_share, shares
from ilp_gis.inputs import (
    INPUTS,
    blocked_lines,
    input_label,
    inventory_for,
    load_hint,
    mask_columns,
    missing_text,
)
from ilp_gis.model import Activity, BudgetStatus, FundingSource, ImportStatus
from ilp_gis.network import findings
from ilp_gis.population import source_label
from ilp_gis.scenario import scenario_names
from layers.atomic import atomic_write
from reports.posyandu_lokus import posyandu_lokus
from reports.scenarios import scenario_comparison_rows, scenario_sites_layer
from reports.source import budget_sync_for, get_result
from reports.tables import (
    budget_totals,
    coe_table,
    enum_label,
    kabupaten_key,
    kabupaten_names,
    kabupaten_rollup,
    kecamatan_names,
    network_rows,
)
from reports.xlsx_stream import Column, StreamingBook

register_catalog("reports", "xlsx_tables")
register_catalog("reports", "pdf.report")  # "report.cannot_write", shared with the PDF writer
register_catalog("reports", "pdf.areas")  # the totals labels of the PDF's area tables
register_catalog("reports", "pdf.appendix")  # the rules' "ya"/"belum", as the PDF says
register_catalog("reports", "pdf.budget")  # "Total" under the budget totals, as the PDF
register_catalog("layers", "symbology")  # the funding-state labels
register_catalog("ilp_gis", "gaps")  # the gap-kind labels


def write_tables(project, result=None, path=None, *, lang: str | None = None) -> Path:
    """Write the XLSX workbook of ``project``'s tables to ``path`` and return the path."""
    if path is None:
        raise InputError(tr("report.cannot_write", file="–", why="no path"))
    path = Path(path)
    with language(normalize_language(lang) if lang else None):
        result = get_result(project, result)

        def write(tmp: Path) -> None:
            book = StreamingBook(tmp, yes=tr("xlsx.yes"), no=tr("xlsx.no"),
                                 title=project.title)
            for sheet_key, columns, frame, *opts in _sheets(project, result):
                book.sheet(tr(f"xlsx.sheet.{sheet_key}"),
                           [(col, tr(key), *rest) for col, key, *rest in columns], frame,
                           **(opts[0] if opts else {}))
            book.close()

        try:
            atomic_write(path, write)
        except OSError as exc:
            raise InputError(tr("report.cannot_write", file=str(path), why=str(exc))) from exc
    return path


def _count_source_columns(desa: pd.DataFrame) -> list[Column]:
    """The desa sheet's count source columns when a per-desa table gave any count: which source
    each desa's Pustu and Posyandu figure came from, the table's own figure and where the two
    disagree (``ilp_gis.desa_counts``).  Adds the label columns to ``desa`` in place."""
    cols: list[Column] = []
    for ftype in ("pustu", "posyandu"):
        src, table = f"{ftype}_count_source", f"n_{ftype}_table"
        if src not in desa or table not in desa or not pd.to_numeric(
                desa[table], errors="coerce").notna().any():
            continue
        desa[f"{src}_label"] = desa[src].map(desa_counts.source_label)
        cols += [(f"{src}_label", f"counts.col.{ftype}_source", "text"),
                 (table, f"counts.col.{ftype}_table", "int")]
    if cols and "count_disagreement" in desa:
        desa["count_disagreement_label"] = desa["count_disagreement"].map(
            lambda v: ", ".join(tr(f"facility.{t}") for t in str(v).split(";") if t) or None
            if isinstance(v, str) else None)
        cols.append(("count_disagreement_label", "counts.col.disagreement", "text"))
    return cols


def _population_sources(project, desa: pd.DataFrame) -> list[str]:
    """Per desa row: where its population comes from ("estimasi (...)" for an estimate,
    "tidak ada data" without a figure); a result stored before sources were kept reads them
    from the project's desa."""
    src = desa["population_source"] if "population_source" in desa else None
    if src is None and project.has("desa") and "population_source" in project.desa:
        by_code = dict(zip(project.desa["code"], project.desa["population_source"],
                           strict=False))
        src = desa["code"].map(by_code)
    pop = pd.to_numeric(desa["population"], errors="coerce")
    if src is None:
        src = pd.Series(None, index=desa.index, dtype=object)
    key = pd.Series([s if isinstance(s, str) else "table" for s in src], index=desa.index,
                    dtype=object).where(pop.notna().to_numpy(), None)  # None: no figure
    return _each_once(key, source_label).tolist()


def _share_totals(frame: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """The shares of an area sheet and the columns whose totals give their totals-row ratio:
    desa with Pustu over the desa that need one (``indicators.pustu_base``: every desa for a
    roll-up stored before that column), people within reach over all people."""
    base = "desa_pustu_required" if "desa_pustu_required" in frame.columns else "desa_total"
    return {"desa_with_pustu_share": ("desa_with_pustu", base),
            "pop_pustu_share": ("pop_within_pustu_km", "population")}


# Columns are (column, header key, kind[, summed]): reports.xlsx_stream.Column with a catalogue
# key; a sheet is (key, columns, frame[, options of StreamingBook.sheet]).
def _sheets(project, result):
    names = kecamatan_names(project, result)
    inv = inventory_for(result.summary, project)
    yield "inputs", [("input", "xlsx.col.input", "text"), ("state", "xlsx.col.input_state", "text"),
                     ("blocks", "xlsx.col.input_blocks", "text")], _inputs_frame(inv)
    desa = _say_missing(pd.DataFrame(result.desa.drop(columns="geometry", errors="ignore")),
                        inv)
    desa["gap_kinds"] = _each_once(desa.get("gap_kinds", pd.Series("", index=desa.index)), _gap_labels)
    desa["population_source_label"] = _population_sources(project, desa)
    desa_cols: list[Column] = [
        ("code", "xlsx.col.code", "text"), ("name", "xlsx.col.desa", "text"),
        ("kecamatan_name", "xlsx.col.kecamatan", "text"),
        ("population", "xlsx.col.population", "int"),
        ("population_source_label", "xlsx.col.population_source", "text"),
        ("dusun_count", "xlsx.col.dusun_count", "int"),
        ("n_puskesmas", "xlsx.col.n_puskesmas", "int"), ("n_pustu", "xlsx.col.n_pustu", "int"),
        ("n_pustu_precursor", "xlsx.col.n_pustu_precursor", "int"),
        ("n_posyandu", "xlsx.col.n_posyandu", "int"), ("has_pustu", "xlsx.col.has_pustu", "bool"),
        ("posyandu_needed", "xlsx.col.posyandu_needed", "int"),
        ("posyandu_deficit", "xlsx.col.posyandu_deficit", "int"),
        ("pustu_nakes_ok", "xlsx.col.pustu_nakes_ok", "bool"),
        ("kader_ok_share", "xlsx.col.kader_ok_share", "pct"),
        ("dist_pustu_km", "xlsx.col.dist_pustu_km", "float1"),
        ("dist_puskesmas_km", "xlsx.col.dist_puskesmas_km", "float1"),
        ("travel_pustu_min", "xlsx.col.travel_pustu_min", "float1"),
        ("travel_puskesmas_min", "xlsx.col.travel_puskesmas_min", "float1"),
        ("pop_within_pustu_km", "xlsx.col.pop_within_pustu_km", "int"),
        ("pop_within_puskesmas_km", "xlsx.col.pop_within_puskesmas_km", "int"),
        ("pop_within_pustu_min", "xlsx.col.pop_within_pustu_min", "int"),
        ("pop_within_puskesmas_min", "xlsx.col.pop_within_puskesmas_min", "int"),
        ("priority_score", "xlsx.col.priority_score", "float3"),
        ("priority_rank", "xlsx.col.priority_rank", "rank"),
        ("gap_kinds", "xlsx.col.gap_kinds", "text"), ("gap_count", "xlsx.col.gap_count", "int"),
    ]
    desa_cols += _count_source_columns(desa)
    yield "desa", desa_cols, desa.sort_values(["kecamatan_name", "name"], kind="stable"), \
        {"label": tr("report.total_desa", n=format_number(len(desa)))}

    k = pd.DataFrame(result.kecamatan) if result.kecamatan is not None else pd.DataFrame()
    if len(k):
        k = k.assign(desa_with_pustu_share=pustu_share(k) if "desa_with_pustu" in k else None,
                     pop_pustu_share=_ratio(k.get("pop_within_pustu_km"), k.get("population")))
        k = _say_missing(k, inv, also={"desa_with_pustu_share": "desa_with_pustu",
                                       "pop_pustu_share": "pop_within_pustu_km"})
    kec_cols: list[Column] = [
        ("code", "xlsx.col.code", "text"), ("name", "xlsx.col.kecamatan", "text"),
        ("desa_total", "xlsx.col.desa_total", "int"),
        ("desa_pustu_required", "xlsx.col.desa_pustu_required", "int"),
        ("desa_with_pustu", "xlsx.col.desa_with_pustu", "int"),
        ("desa_with_pustu_share", "xlsx.col.desa_with_pustu_share", "pct"),
        ("desa_without_pustu", "xlsx.col.desa_without_pustu", "int"),
        ("posyandu", "xlsx.col.n_posyandu", "int"),
        ("posyandu_needed", "xlsx.col.posyandu_needed", "int"),
        ("population", "xlsx.col.population", "int"),
        ("pop_within_pustu_km", "xlsx.col.pop_within_pustu_km", "int"),
        ("pop_pustu_share", "xlsx.col.pop_pustu_share", "pct"),
        ("pop_within_puskesmas_km", "xlsx.col.pop_within_puskesmas_km", "int"),
        ("pop_within_pustu_min", "xlsx.col.pop_within_pustu_min", "int"),
        ("pop_within_puskesmas_min", "xlsx.col.pop_within_puskesmas_min", "int"),
        ("n_puskesmas", "xlsx.col.n_puskesmas", "int"), ("n_pustu", "xlsx.col.n_pustu", "int"),
        ("gap_count", "xlsx.col.gap_count", "int"),
    ]
    yield "kecamatan", kec_cols, k.sort_values("name", kind="stable") if len(k) else k, \
        {"ratios": _share_totals(k), "label": tr("report.total_kecamatan", n=format_number(len(k)))}

    if len(k) and kabupaten_key(k["code"]).nunique() > 1:  # several districts: a roll-up
        kab = kabupaten_rollup(mask_columns(pd.DataFrame(result.kecamatan), inv))
        kab = kab.assign(name=kab["code"].map(kabupaten_names(project)),
                         desa_with_pustu_share=pustu_share(kab),
                         pop_pustu_share=_ratio(kab["pop_within_pustu_km"], kab["population"]))
        kab = _say_missing(kab, inv, also={"desa_with_pustu_share": "desa_with_pustu",
                                           "pop_pustu_share": "pop_within_pustu_km"})
        yield "kabupaten", [("code", "xlsx.col.code", "text"), ("name", "xlsx.col.name", "text"),
                            ("kecamatan", "xlsx.col.kecamatan_count", "int"),
                            ("desa_total", "xlsx.col.desa_total", "int"),
                            ("desa_pustu_required", "xlsx.col.desa_pustu_required", "int"),
                            ("desa_with_pustu", "xlsx.col.desa_with_pustu", "int"),
                            ("desa_with_pustu_share", "xlsx.col.desa_with_pustu_share", "pct"),
                            ("posyandu", "xlsx.col.n_posyandu", "int"),
                            ("posyandu_needed", "xlsx.col.posyandu_needed", "int"),
                            ("population", "xlsx.col.population", "int"),
                            ("pop_within_pustu_km", "xlsx.col.pop_within_pustu_km", "int"),
                            ("pop_pustu_share", "xlsx.col.pop_pustu_share", "pct"),
                            ("n_puskesmas", "xlsx.col.n_puskesmas", "int"),
                            ("gap_count", "xlsx.col.gap_count", "int")], kab, \
            {"ratios": _share_totals(kab),
             "label": tr("xlsx.total_kabupaten", n=format_number(len(kab)))}

    g = pd.DataFrame(result.gaps.drop(columns="geometry", errors="ignore")) \
        if result.gaps is not None else pd.DataFrame()
    if len(g):
        kinds = _each_once(g["kind"], lambda x: tr(f"gap.{x}") if isinstance(x, str) else None)
        g = g.assign(kind_label=g["label"].where(g["label"].notna(), kinds)
                     if "label" in g else kinds)
        g = g.sort_values(["priority_rank", "gap_id"], kind="stable")
    gap_cols: list[Column] = [
        ("gap_id", "xlsx.col.gap_id", "text"), ("priority_rank", "xlsx.col.priority_rank", "rank"),
        ("priority_score", "xlsx.col.priority_score", "float3"),
        ("kind_label", "xlsx.col.kind", "text"), ("desa_code", "xlsx.col.desa_code", "text"),
        ("desa_name", "xlsx.col.desa", "text"), ("kecamatan_name", "xlsx.col.kecamatan", "text"),
        ("fac_id", "xlsx.col.fac_id", "text"), ("value", "xlsx.col.value", "num"),
        ("threshold", "xlsx.col.threshold", "num"), ("unit", "xlsx.col.unit", "text"),
        ("message", "xlsx.col.message", "text"),
    ]
    yield "gaps", gap_cols, g

    pr = desa.sort_values("priority_rank", kind="stable") if "priority_rank" in desa else desa
    pri_cols: list[Column] = [
        ("priority_rank", "xlsx.col.priority_rank", "rank"),
        ("priority_score", "xlsx.col.priority_score", "float3"),
        ("code", "xlsx.col.code", "text"), ("name", "xlsx.col.desa", "text"),
        ("kecamatan_name", "xlsx.col.kecamatan", "text"),
        ("population", "xlsx.col.population", "int"),
        ("priority_unserved", "xlsx.col.priority_unserved", "float3"),
        ("priority_travel", "xlsx.col.priority_travel", "float3"),
        ("priority_burden", "xlsx.col.priority_burden", "float3"),
        ("gap_kinds", "xlsx.col.gap_kinds", "text"),
    ]
    yield "priority", pri_cols, pr

    net = pd.DataFrame(network_rows(result, names),
                       columns=["fac_id", "name", "kecamatan", "pustu", "posyandu", "direct",
                                "problems"])
    net = _say_missing(net, inv, also={"pustu": "n_pustu", "posyandu": "n_posyandu",
                                       "direct": "n_posyandu"})
    net_cols: list[Column] = [
        ("fac_id", "xlsx.col.fac_id", "text"), ("name", "xlsx.col.puskesmas", "text"),
        ("kecamatan", "xlsx.col.kecamatan", "text"), ("pustu", "xlsx.col.n_pustu", "int"),
        ("posyandu", "xlsx.col.n_posyandu", "int"), ("direct", "xlsx.col.direct", "int"),
        ("problems", "xlsx.col.problems", "int"),
    ]
    yield "network", net_cols, net, \
        {"label": tr("xlsx.total_puskesmas", n=format_number(len(net)))}
    probs = pd.DataFrame(result.network_problems) if result.network_problems is not None \
        else pd.DataFrame()
    if len(probs) and "fac_ids" in probs:
        probs = probs.assign(fac_ids=probs["fac_ids"].map(
            lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple, set)) else v))
    if len(probs):  # problems first, then the notes (no problem), each row saying which
        probs = pd.concat([findings(probs, "problem").assign(severity_label=tr(
            "xlsx.severity.problem")), findings(probs, "info").assign(
            severity_label=tr("xlsx.severity.info"))], ignore_index=True)
    yield "network_problems", [("severity_label", "xlsx.col.severity", "text"),
                               ("kind", "xlsx.col.problem_kind", "text"),
                               ("fac_ids", "xlsx.col.fac_ids", "text"),
                               ("message", "xlsx.col.message", "text")], probs

    yield from _coe_sheets(project, result, names)
    yield from _posyandu_lokus_sheets(project, result, inv)

    budget = pd.DataFrame(project.budget)
    if len(budget):
        desa_names = dict(zip(desa["code"], desa["name"], strict=False))
        budget = budget.assign(
            source_label=_each_once(budget["source"], lambda v: enum_label(FundingSource, v)),
            activity_label=_each_once(budget["activity"], lambda v: enum_label(Activity, v)),
            status_label=_each_once(budget["status"], lambda v: enum_label(BudgetStatus, v)),
            desa_name=budget["target_desa"].map(desa_names))
    bud_cols: list[Column] = [
        ("budget_id", "xlsx.col.budget_id", "text"), ("source_label", "xlsx.col.source", "text"),
        ("year", "xlsx.col.year", "year"), ("activity_label", "xlsx.col.activity", "text"),
        ("target_desa", "xlsx.col.target_desa", "text"), ("desa_name", "xlsx.col.desa", "text"),
        ("target_facility", "xlsx.col.target_facility", "text"),
        ("amount", "xlsx.col.amount", "rp"), ("status_label", "xlsx.col.status", "text"),
        ("note", "xlsx.col.note", "text"),
    ]
    sync = _budget_sync(project, result)
    if sync is not None and len(budget):  # what each line funds, and why not
        ln = sync.lines.set_index("budget_id")
        budget = budget.assign(
            amount_on_gaps=budget["budget_id"].map(ln["amount_on_gaps"]),
            action_ids=budget["budget_id"].map(ln["action_ids"]).str.replace(";", ", "),
            issue_label=budget["budget_id"].map(ln["issue"]).map(
                lambda v: tr(f"budget.issue.{v}") if isinstance(v, str) and v else None))
        bud_cols += [("amount_on_gaps", "xlsx.col.amount_on_gaps", "rp"),
                     ("action_ids", "xlsx.col.action_ids", "text"),
                     ("issue_label", "xlsx.col.issue", "text")]
    yield "budget", bud_cols, budget
    totals = sync.totals if sync is not None else budget_totals(project.budget)
    if len(totals):
        totals = totals.assign(source_label=totals["source"].map(
            lambda v: enum_label(FundingSource, v)))
    yield "budget_totals", [("source_label", "xlsx.col.source", "text"),
                            ("year", "xlsx.col.year", "year"),
                            ("lines", "xlsx.col.lines", "int"),
                            ("amount", "xlsx.col.amount", "rp"),
                            ("amount_on_gaps", "xlsx.col.amount_on_gaps", "rp")], totals, \
        {"label": tr("report.total")}  # as the PDF's budget totals table
    if sync is not None:
        acts = pd.DataFrame(sync.actions)
        if len(acts):
            acts = acts.assign(
                activity_label=_each_once(acts["activity"], lambda v: enum_label(Activity, v)),
                state_label=_each_once(acts["funding_state"], lambda x: tr(f"funding_state.{x}")),
                sources=_each_once(acts["sources"], _source_labels),
                gap_ids=acts["gap_ids"].str.replace(";", ", "),
                budget_ids=acts["budget_ids"].str.replace(";", ", "))
        yield "budget_actions", [("action_id", "xlsx.col.action_id", "text"),
                                 ("priority_rank", "xlsx.col.priority_rank", "rank"),
                                 ("activity_label", "xlsx.col.activity", "text"),
                                 ("desa_code", "xlsx.col.desa_code", "text"),
                                 ("desa_name", "xlsx.col.desa", "text"),
                                 ("kecamatan_name", "xlsx.col.kecamatan", "text"),
                                 ("fac_id", "xlsx.col.fac_id", "text"),
                                 ("units", "xlsx.col.units", "float1"),
                                 ("gap_labels", "xlsx.col.closes", "text"),
                                 ("gap_ids", "xlsx.col.gap_ids", "text"),
                                 ("state_label", "xlsx.col.funding_state", "text"),
                                 ("year", "xlsx.col.year", "year"),
                                 ("sources", "xlsx.col.sources", "text"),
                                 ("amount", "xlsx.col.amount", "rp"),
                                 ("needed", "xlsx.col.needed", "rp"),
                                 ("shortfall", "xlsx.col.shortfall", "rp"),
                                 ("budget_ids", "xlsx.col.budget_ids", "text")], acts
        gf = pd.DataFrame(sync.gap_funding)
        if len(gf):
            gf = gf.assign(kind_label=gf["label"].where(gf["label"].notna(), gf["kind"].map(
                               lambda x: tr(f"gap.{x}"))),
                           state_label=gf["funding_state"].map(
                               lambda x: tr(f"funding_state.{x}")),
                           sources=_each_once(gf["sources"], _source_labels),
                           years=gf["years"].map(lambda v: str(v).replace(";", ", ")
                                                 if isinstance(v, str) else v))
            gf = gf.sort_values(["priority_rank", "gap_id"], kind="stable", na_position="last")
        yield "budget_sync", [("gap_id", "xlsx.col.gap_id", "text"),
                              ("priority_rank", "xlsx.col.priority_rank", "rank"),
                              ("kind_label", "xlsx.col.kind", "text"),
                              ("desa_code", "xlsx.col.desa_code", "text"),
                              ("desa_name", "xlsx.col.desa", "text"),
                              ("kecamatan_name", "xlsx.col.kecamatan", "text"),
                              ("action_id", "xlsx.col.action_id", "text"),
                              ("state_label", "xlsx.col.funding_state", "text"),
                              ("sources", "xlsx.col.sources", "text"),
                              ("years", "xlsx.col.years", "text"),
                              ("budget_ids", "xlsx.col.budget_ids", "text")], gf
        yield "budget_phasing", [("year", "xlsx.col.year", "year"),
                                 ("actions", "xlsx.col.actions", "int"),
                                 ("amount", "xlsx.col.amount_on_gaps", "rp"),
                                 ("shortfall", "xlsx.col.shortfall", "rp")], sync.phasing

    yield from _scenario_sheets(project, result)

    imp = pd.DataFrame(project.import_report)
    if len(imp):
        from layers.importing.report import problem_label, role_label

        imp = imp.assign(status_label=imp["status"].map(lambda v: enum_label(ImportStatus, v)),
                         role=imp["role"].map(lambda v: role_label(v) if isinstance(v, str)
                                              else v),
                         problem=imp["problem"].map(
                             lambda v: "; ".join(problem_label(k) for k in v.split(";") if k)
                             if isinstance(v, str) else v))
    yield "import", [("file", "xlsx.col.file", "text"), ("role", "xlsx.col.role", "text"),
                     ("row", "xlsx.col.row", "rank"), ("status_label", "xlsx.col.status", "text"),
                     ("problem", "xlsx.col.problem", "text"),
                     ("message", "xlsx.col.message", "text"),
                     ("original", "xlsx.col.original", "text")], imp

    rules = pd.DataFrame([{"name": r.name, "value": r.value, "unit": r.unit_in(),
                           "source": r.source_in(),
                           "confirmed": tr("report.yes") if r.confirmed else tr("report.no")}
                          for r in project.rules.all()])
    yield "rules", [("name", "xlsx.col.rule", "text"), ("value", "xlsx.col.value", "num"),
                    ("unit", "xlsx.col.unit", "text"), ("source", "xlsx.col.rule_source", "text"),
                    ("confirmed", "xlsx.col.confirmed", "text")], rules


def _coe_sheets(project, result, names):
    """The COE units with the five group shares beside the score, and the indicator list."""
    from ilp_gis.analysis import project_indicators
    from ilp_gis.model import CoeGroup

    units = coe_table(result, names)
    yield "coe", [("unit_id", "xlsx.col.coe_unit", "text"),
                  ("fac_id", "xlsx.col.fac_id", "text"), ("name", "xlsx.col.puskesmas", "text"),
                  ("kecamatan", "xlsx.col.kecamatan", "text"),
                  ("pustu_id", "xlsx.col.coe_pustu_id", "text"),
                  ("pustu_name", "xlsx.col.coe_pustu", "text"),
                  ("posyandu_count", "xlsx.col.n_posyandu", "int"),
                  ("score", "xlsx.col.coe_score", "pct"),
                  *[(g.column, f"coe.{g.value}", "pct") for g in CoeGroup],
                  ("meets", "xlsx.col.coe_meets", "bool"),
                  ("rule_label", "xlsx.col.coe_rule", "text"),
                  ("problem_label", "xlsx.col.coe_problem", "text")], units, {"totals": False}
    ind = project_indicators(project)
    yield "coe_indicators", [("group", "xlsx.col.coe_group", "text"),
                             ("id", "xlsx.col.coe_indicator_id", "text"),
                             ("label", "xlsx.col.coe_indicator", "text"),
                             ("source", "xlsx.col.rule_source", "text"),
                             ("confirmed", "xlsx.col.confirmed", "bool")], pd.DataFrame(
        [{"group": CoeGroup(i.group).label, "id": i.id, "label": i.label_in(),
          "source": i.source_in(), "confirmed": i.confirmed} for i in ind.indicators],
        columns=["group", "id", "label", "source", "confirmed"])


def _scenario_sheets(project, result):
    """Sheet "Skenario": each scenario's comparison with the baseline by kecamatan and its
    total (or why it has none); sheet "Skenario – lokasi": every action with a place."""
    if not scenario_names(project):
        return
    comp = scenario_comparison_rows(project, result)
    yield "scenarios", [("scenario", "xlsx.col.scenario", "text"),
                        ("row_label", "xlsx.col.kecamatan", "text"),
                        ("measure", "xlsx.col.measure", "text"),
                        ("gaps_before", "xlsx.col.gaps_before", "int"),
                        ("gaps_after", "xlsx.col.gaps_after", "int"),
                        ("gaps_closed", "xlsx.col.gaps_closed", "int"),
                        ("gaps_new", "xlsx.col.gaps_new", "int"),
                        ("population", "xlsx.col.population", "int"),
                        ("pop_within_before", "xlsx.col.pop_within_before", "int"),
                        ("pop_within_after", "xlsx.col.pop_within_after", "int"),
                        ("pop_newly_covered", "xlsx.col.pop_newly_covered", "int"),
                        ("cost", "xlsx.col.scenario_cost", "rp"),
                        ("cost_per_person_text", "xlsx.col.cost_per_person", "text")], comp, {
        "totals": False}  # each scenario has its own "Total kabupaten" row
    layer = scenario_sites_layer(project)
    sites = pd.DataFrame(layer.drop(columns="geometry")).assign(
        lon=layer.geometry.x.to_numpy(float), lat=layer.geometry.y.to_numpy(float))
    yield "scenario_sites", [("scenario", "xlsx.col.scenario", "text"),
                             ("action_id", "xlsx.col.action_no", "text"),
                             ("action_label", "xlsx.col.scenario_action", "text"),
                             ("name", "xlsx.col.name", "text"),
                             ("desa_code", "xlsx.col.desa_code", "text"),
                             ("desa_name", "xlsx.col.desa", "text"),
                             ("kecamatan_name", "xlsx.col.kecamatan", "text"),
                             ("fac_id", "xlsx.col.fac_id", "text"),
                             ("amount", "xlsx.col.amount", "rp"),
                             ("lon", "xlsx.col.lon", "float6"),
                             ("lat", "xlsx.col.lat", "float6")], sites, {
        "totals": False}  # several scenarios' sites do not add up


def _posyandu_lokus_sheets(project, result, inv):
    """The sheets "Strata Posyandu", "Kekurangan Posyandu" and "Lokus ILP"
    (``reports.posyandu_lokus``); a sheet whose input was never loaded holds one row saying
    "tidak ada data" and what to load."""
    pl = posyandu_lokus(project, result, inv)
    strata = pl.strata.sort_values(["status", "kecamatan_name", "desa_name", "name"],
                                   key=lambda c: c.map(_STATUS_ORDER) if c.name == "status"
                                   else c, kind="stable") if len(pl.strata) else pl.strata
    cols: list[Column] = [
        ("fac_id", "xlsx.col.fac_id", "text"), ("name", "xlsx.col.name", "text"),
        ("desa_code", "xlsx.col.desa_code", "text"), ("desa_name", "xlsx.col.desa", "text"),
        ("kecamatan_name", "xlsx.col.kecamatan", "text"),
        ("declared_label", "xlsx.col.declared_stratum", "text"),
        ("criteria_label", "xlsx.col.criteria_stratum", "text"),
        ("status_label", "xlsx.col.strata_status", "text"), ("why", "xlsx.col.why", "text")]
    yield "posyandu_strata", cols, _missing_row(strata, pl.strata_missing, "name")
    cols = [("code", "xlsx.col.code", "text"), ("name", "xlsx.col.desa", "text"),
            ("kecamatan_name", "xlsx.col.kecamatan", "text"),
            ("posyandu_needed", "xlsx.col.posyandu_needed", "int"),
            ("n_posyandu", "xlsx.col.n_posyandu", "int"),
            ("posyandu_deficit", "xlsx.col.posyandu_deficit", "int"),
            ("basis_label", "xlsx.col.need_basis", "text")]
    yield "posyandu_shortfall", cols, _missing_row(pl.shortfall, pl.shortfall_missing, "name")
    lokus = pl.lokus
    if len(lokus) and not pl.lokus_missing:
        unknown = lokus["status"] == "unknown"
        lokus = lokus.assign(lokus=lokus["lokus"].astype(object).where(
            ~unknown, missing_text(["lokus"])))
    cols = [("kabupaten_code", "xlsx.col.code", "text"),
            ("kabupaten_label", "xlsx.col.name", "text"),
            ("puskesmas", "xlsx.col.n_puskesmas", "int"), ("lokus", "xlsx.col.lokus", "int"),
            ("status_label", "xlsx.col.lokus_guidance", "text"),
            ("sk_numbers", "xlsx.col.sk_number", "text"),
            ("sk_dates_label", "xlsx.col.sk_date", "text"),
            ("lokus_without_sk", "xlsx.col.lokus_without_sk", "int"),
            ("lokus_without_sk_date", "xlsx.col.lokus_without_sk_date", "int"),
            ("lokus_names", "xlsx.col.lokus_names", "text")]
    yield "lokus", cols, _missing_row(lokus, pl.lokus_missing or ([] if len(lokus) else
                                                                   ["puskesmas"]),
                                      "kabupaten_label"), {
        "label": tr("xlsx.total_kabupaten", n=format_number(len(lokus)))}


_STATUS_ORDER = {"above_criteria": 0, "below_criteria": 1, "unverifiable": 2, "no_stratum": 3,
                 "agrees": 4}


def _missing_row(frame: pd.DataFrame, lacks: list[str], column: str) -> pd.DataFrame:
    """``frame``, or one row whose ``column`` says "tidak ada data — muat …" when its input
    was never loaded (a sheet never looks empty for a reason it does not say)."""
    if not lacks:
        return frame
    return pd.DataFrame({column: [missing_text(lacks)]})


def _each_once(series: pd.Series, label) -> pd.Series:
    """``series.map(label)`` with ``label`` called once per distinct value (a national sheet
    repeats a few labels hundreds of thousands of times); values that cannot be hashed are
    labelled one by one."""
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:
        return series.map(label)
    labels = np.array([label(u) for u in uniques] + [label(None)], dtype=object)
    return pd.Series(labels[codes], index=series.index, dtype=object)


def _say_missing(frame: pd.DataFrame, inv, also: dict[str, str] | None = None) -> pd.DataFrame:
    """``frame`` with every column whose input was never loaded saying so in each cell
    ("tidak ada data — muat daftar Pustu"), never an empty cell or a 0.  ``also`` maps further
    columns of this sheet to the result column whose inputs they need."""
    needs = {c: inv.column_missing(c) for c in frame.columns}
    for col, like in (also or {}).items():
        if col in frame.columns:
            needs[col] = inv.column_missing(like)
    blocked = {c: m for c, m in needs.items() if m}
    if not blocked or not len(frame):
        return frame
    out = frame.copy()
    for c, lacks in blocked.items():
        out[c] = pd.Series(missing_text(lacks), index=out.index, dtype=object)
    return out


def _inputs_frame(inv) -> pd.DataFrame:
    """One row per input: loaded or not, and what it blocks when missing."""
    blocked = dict(zip(inv.absent, blocked_lines(inv), strict=True))
    rows = []
    for name in INPUTS:
        state = tr("xlsx.input.loaded") if inv.has(name) else tr(  # the PDF's "belum dimuat"
            "xlsx.input.not_loaded", hint=load_hint([name]))
        line = blocked.get(name, "")
        rows.append({"input": input_label(name), "state": state,
                     "blocks": line.split(" — ", 1)[-1] if line else ""})
    return pd.DataFrame(rows)


def _budget_sync(project, result):
    return budget_sync_for(project, result)


def _source_labels(value) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return ", ".join(enum_label(FundingSource, v) or v for v in value.split(";") if v)


def _ratio(part, whole):
    if part is None or whole is None:
        return None
    return shares(part, whole)


def _gap_labels(kinds) -> str:
    if not isinstance(kinds, str) or not kinds:
        return ""
    return ", ".join(tr(f"gap.{k}") for k in kinds.split(";") if k)
