"""XLSX tables for planners: one sheet per table (desa, kecamatan, gaps, priority, network, budget,
import report, rules), each with a frozen header, an auto-filter, widths and number formats.
Missing values stay empty cells; input text never becomes a formula (layers.safe_cells).
Imports reports.tables, reports.source, layers.atomic and layers.safe_cells."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ilp_gis.errors import InputError
from ilp_gis.i18n import language, normalize_language, register_catalog, tr
from ilp_gis.indicators import shares
from ilp_gis.model import Activity, BudgetStatus, FundingSource, ImportStatus
from layers.atomic import atomic_write
from layers.safe_cells import text_cell
from reports.source import budget_sync_for, get_result
from reports.tables import (
    budget_totals,
    enum_label,
    kabupaten_key,
    kabupaten_names,
    kabupaten_rollup,
    kecamatan_names,
    network_rows,
)

register_catalog("reports", "xlsx_tables")
register_catalog("reports", "pdf.report")  # "report.cannot_write", shared with the PDF writer
register_catalog("layers", "symbology")  # the funding-state labels
register_catalog("ilp_gis", "gaps")  # the gap-kind labels

# Number formats (Excel shows the separators of the reader's locale).
FORMATS = {
    "int": "#,##0",
    "float1": "#,##0.0",
    "float2": "#,##0.00",
    "float3": "0.000",
    "pct": "0.0%",
    "rp": '"Rp" #,##0',
    "year": "0",
}
_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="D6EAF8")
_WRAP = Alignment(wrap_text=True, vertical="top")


def write_tables(project, result=None, path=None, *, lang: str | None = None) -> Path:
    """Write the XLSX workbook of ``project``'s tables to ``path`` and return the path."""
    if path is None:
        raise InputError(tr("report.cannot_write", file="–", why="no path"))
    path = Path(path)
    with language(normalize_language(lang) if lang else None):
        result = get_result(project, result)
        wb = Workbook(write_only=True)
        for sheet_key, columns, frame in _sheets(project, result):
            _write_sheet(wb, tr(f"xlsx.sheet.{sheet_key}"), columns, frame)
        try:
            atomic_write(path, wb.save)
        except OSError as exc:
            raise InputError(tr("report.cannot_write", file=str(path), why=str(exc))) from exc
    return path


# (column, header key, kind) — kind: text, int, float1, float2, float3, pct, rp, year, bool
Column = tuple[str, str, str]


def _sheets(project, result):
    names = kecamatan_names(project, result)
    desa = pd.DataFrame(result.desa.drop(columns="geometry", errors="ignore"))
    desa["gap_kinds"] = desa.get("gap_kinds", pd.Series("", index=desa.index)).map(_gap_labels)
    desa_cols: list[Column] = [
        ("code", "xlsx.col.code", "text"), ("name", "xlsx.col.desa", "text"),
        ("kecamatan_name", "xlsx.col.kecamatan", "text"),
        ("population", "xlsx.col.population", "int"),
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
        ("priority_rank", "xlsx.col.priority_rank", "int"),
        ("gap_kinds", "xlsx.col.gap_kinds", "text"), ("gap_count", "xlsx.col.gap_count", "int"),
    ]
    yield "desa", desa_cols, desa.sort_values(["kecamatan_name", "name"], kind="stable")

    k = pd.DataFrame(result.kecamatan) if result.kecamatan is not None else pd.DataFrame()
    if len(k):
        k = k.assign(desa_with_pustu_share=_ratio(k.get("desa_with_pustu"), k.get("desa_total")),
                     pop_pustu_share=_ratio(k.get("pop_within_pustu_km"), k.get("population")))
    kec_cols: list[Column] = [
        ("code", "xlsx.col.code", "text"), ("name", "xlsx.col.kecamatan", "text"),
        ("desa_total", "xlsx.col.desa_total", "int"),
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
    yield "kecamatan", kec_cols, k.sort_values("name", kind="stable") if len(k) else k

    if len(k) and kabupaten_key(k["code"]).nunique() > 1:  # several districts: a roll-up
        kab = kabupaten_rollup(k)
        kab = kab.assign(name=kab["code"].map(kabupaten_names(project)),
                         desa_with_pustu_share=_ratio(kab["desa_with_pustu"], kab["desa_total"]),
                         pop_pustu_share=_ratio(kab["pop_within_pustu_km"], kab["population"]))
        yield "kabupaten", [("code", "xlsx.col.code", "text"), ("name", "xlsx.col.name", "text"),
                            ("kecamatan", "xlsx.col.kecamatan_count", "int"),
                            ("desa_total", "xlsx.col.desa_total", "int"),
                            ("desa_with_pustu", "xlsx.col.desa_with_pustu", "int"),
                            ("desa_with_pustu_share", "xlsx.col.desa_with_pustu_share", "pct"),
                            ("posyandu", "xlsx.col.n_posyandu", "int"),
                            ("posyandu_needed", "xlsx.col.posyandu_needed", "int"),
                            ("population", "xlsx.col.population", "int"),
                            ("pop_within_pustu_km", "xlsx.col.pop_within_pustu_km", "int"),
                            ("pop_pustu_share", "xlsx.col.pop_pustu_share", "pct"),
                            ("n_puskesmas", "xlsx.col.n_puskesmas", "int"),
                            ("gap_count", "xlsx.col.gap_count", "int")], kab

    g = pd.DataFrame(result.gaps.drop(columns="geometry", errors="ignore")) \
        if result.gaps is not None else pd.DataFrame()
    if len(g):
        kinds = g["kind"].map(lambda x: tr(f"gap.{x}") if isinstance(x, str) else None)
        g = g.assign(kind_label=g["label"].where(g["label"].notna(), kinds)
                     if "label" in g else kinds)
        g = g.sort_values(["priority_rank", "gap_id"], kind="stable")
    gap_cols: list[Column] = [
        ("gap_id", "xlsx.col.gap_id", "text"), ("priority_rank", "xlsx.col.priority_rank", "int"),
        ("priority_score", "xlsx.col.priority_score", "float3"),
        ("kind_label", "xlsx.col.kind", "text"), ("desa_code", "xlsx.col.desa_code", "text"),
        ("desa_name", "xlsx.col.desa", "text"), ("kecamatan_name", "xlsx.col.kecamatan", "text"),
        ("fac_id", "xlsx.col.fac_id", "text"), ("value", "xlsx.col.value", "float2"),
        ("threshold", "xlsx.col.threshold", "float2"), ("unit", "xlsx.col.unit", "text"),
        ("message", "xlsx.col.message", "text"),
    ]
    yield "gaps", gap_cols, g

    pr = desa.sort_values("priority_rank", kind="stable") if "priority_rank" in desa else desa
    pri_cols: list[Column] = [
        ("priority_rank", "xlsx.col.priority_rank", "int"),
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
    net_cols: list[Column] = [
        ("fac_id", "xlsx.col.fac_id", "text"), ("name", "xlsx.col.puskesmas", "text"),
        ("kecamatan", "xlsx.col.kecamatan", "text"), ("pustu", "xlsx.col.n_pustu", "int"),
        ("posyandu", "xlsx.col.n_posyandu", "int"), ("direct", "xlsx.col.direct", "int"),
        ("problems", "xlsx.col.problems", "int"),
    ]
    yield "network", net_cols, net
    probs = pd.DataFrame(result.network_problems) if result.network_problems is not None \
        else pd.DataFrame()
    if len(probs) and "fac_ids" in probs:
        probs = probs.assign(fac_ids=probs["fac_ids"].map(
            lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple, set)) else v))
    yield "network_problems", [("kind", "xlsx.col.problem_kind", "text"),
                               ("fac_ids", "xlsx.col.fac_ids", "text"),
                               ("message", "xlsx.col.message", "text")], probs

    budget = pd.DataFrame(project.budget)
    if len(budget):
        desa_names = dict(zip(desa["code"], desa["name"], strict=False))
        budget = budget.assign(
            source_label=budget["source"].map(lambda v: enum_label(FundingSource, v)),
            activity_label=budget["activity"].map(lambda v: enum_label(Activity, v)),
            status_label=budget["status"].map(lambda v: enum_label(BudgetStatus, v)),
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
                            ("amount_on_gaps", "xlsx.col.amount_on_gaps", "rp")], totals
    if sync is not None:
        acts = pd.DataFrame(sync.actions)
        if len(acts):
            acts = acts.assign(
                activity_label=acts["activity"].map(lambda v: enum_label(Activity, v)),
                state_label=acts["funding_state"].map(lambda x: tr(f"funding_state.{x}")),
                sources=acts["sources"].map(_source_labels),
                gap_ids=acts["gap_ids"].str.replace(";", ", "),
                budget_ids=acts["budget_ids"].str.replace(";", ", "))
        yield "budget_actions", [("action_id", "xlsx.col.action_id", "text"),
                                 ("priority_rank", "xlsx.col.priority_rank", "int"),
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
                           sources=gf["sources"].map(_source_labels),
                           years=gf["years"].map(lambda v: str(v).replace(";", ", ")
                                                 if isinstance(v, str) else v))
            gf = gf.sort_values(["priority_rank", "gap_id"], kind="stable", na_position="last")
        yield "budget_sync", [("gap_id", "xlsx.col.gap_id", "text"),
                              ("priority_rank", "xlsx.col.priority_rank", "int"),
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

    imp = pd.DataFrame(project.import_report)
    if len(imp):
        imp = imp.assign(status_label=imp["status"].map(lambda v: enum_label(ImportStatus, v)))
    yield "import", [("file", "xlsx.col.file", "text"), ("role", "xlsx.col.role", "text"),
                     ("row", "xlsx.col.row", "int"), ("status_label", "xlsx.col.status", "text"),
                     ("problem", "xlsx.col.problem", "text"),
                     ("message", "xlsx.col.message", "text"),
                     ("original", "xlsx.col.original", "text")], imp

    rules = pd.DataFrame([{"name": r.name, "value": r.value, "unit": r.unit, "source": r.source,
                           "confirmed": r.confirmed} for r in project.rules.all()])
    yield "rules", [("name", "xlsx.col.rule", "text"), ("value", "xlsx.col.value", "float3"),
                    ("unit", "xlsx.col.unit", "text"), ("source", "xlsx.col.rule_source", "text"),
                    ("confirmed", "xlsx.col.confirmed", "bool")], rules


def _budget_sync(project, result):
    return budget_sync_for(project, result)[0]


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


def _is_missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return isinstance(v, float) and math.isnan(v)
    except TypeError:
        return False


def _cell(ws, value, kind: str):
    if _is_missing(value):
        return None
    if kind == "text":
        return text_cell(ws, str(value))
    if kind == "bool":
        return tr("xlsx.yes") if bool(value) else tr("xlsx.no")
    try:
        num = float(value)
    except (TypeError, ValueError):
        return text_cell(ws, str(value))
    if not math.isfinite(num):
        return None
    if kind in ("int", "year") and num.is_integer():
        num = int(num)
    cell = WriteOnlyCell(ws, num)
    cell.number_format = FORMATS.get(kind, "General")
    return cell


_WIDTH = {"text": 18, "int": 12, "float1": 12, "float2": 12, "float3": 10, "pct": 11, "rp": 18,
          "year": 8, "bool": 10}


def _write_sheet(wb, title: str, columns: list[Column], frame) -> None:
    ws = wb.create_sheet(title=title[:31])
    headers = [tr(key) for _, key, _ in columns]
    frame = frame if frame is not None else pd.DataFrame()
    # column widths from the header and the first rows' text
    for i, (col, _key, kind) in enumerate(columns, start=1):
        width = max(_WIDTH[kind], min(len(headers[i - 1]) + 2, 28))
        if kind == "text" and col in frame and len(frame):
            sample = frame[col].head(200).dropna().astype(str)
            if len(sample):
                width = max(width, min(int(sample.str.len().quantile(0.9)) + 2, 60))
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    head = []
    for h in headers:
        c = text_cell(ws, h)
        c.font = _HEAD_FONT
        c.fill = _HEAD_FILL
        c.alignment = _WRAP
        head.append(c)
    ws.append(head)
    n = len(frame)
    if n:
        data = [frame[col].tolist() if col in frame else [None] * n for col, _, _ in columns]
        kinds = [kind for _, _, kind in columns]
        for r in range(n):
            ws.append([_cell(ws, data[c][r], kinds[c]) for c in range(len(columns))])
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{max(n + 1, 1)}"
