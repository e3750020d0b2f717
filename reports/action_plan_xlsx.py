"""The action plan (rencana aksi) as an XLSX workbook for the Pokja meeting: a sheet of
actions with who, when, budget, status, realised amount and whether it is late; a sheet of
payments (realisasi); a sheet of totals per status and funding source, each table with its
"Jumlah" row.  The same workbook, edited, is read back by :mod:`layers.action_plan_import`
(the headers are the contract; the two sheets read back carry no totals row, so a row the
meeting adds at the bottom is an action, never a sum).  Written with XlsxWriter, every text
cell as text (never a formula), every sheet with the print set-up of ``layers.xlsx_style``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from ilp_gis.i18n import format_number, register_catalog, tr
from ilp_gis.model import Activity, FundingSource
from ilp_gis.monitoring import actions as A
from layers import (
    action_plan_import,  # noqa: F401  (registers the column headers)
    xlsx_style,
)
from layers.atomic import atomic_write

PLAN_HEADERS = ("action_id", "kegiatan", "activity", "desa_code", "desa_name", "fac_id",
                "responsible", "partners", "start", "end", "budget_amount", "budget_id",
                "funding_source", "status", "spent", "spent_share", "late", "output", "note",
                "gap_ids")
SPENDING_HEADERS = ("action_id", "date", "amount", "note")
_KIND = {"budget_amount": "rp", "spent": "rp", "spent_share": "pct", "amount": "rp"}


def header(column: str) -> str:
    return tr(f"actions.col.{column}")


def _label(enum, value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        return enum(value).label
    except ValueError:
        return str(value)


def write_action_plan(project, path: str | Path, *, as_of=None) -> Path:
    prog = A.progress(project, as_of)
    t = prog.actions.copy()
    names = dict(zip(project.desa["code"], project.desa["name"], strict=False))
    t["desa_name"] = t["desa_code"].map(names)
    t["activity"] = [_label(Activity, v) for v in t["activity"]]
    t["funding_source"] = [_label(FundingSource, v) for v in t["funding_source"]]
    t["status"] = [_label(A.ActionStatus, v) for v in t["status"]]
    t["late"] = [tr("actions_xlsx.late", days=format_number(d)) if lt else None
                 for lt, d in zip(t["late"], t["days_late"], strict=True)]

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                            "strings_to_urls": False})
        fmt = {"head": xlsx_style.head_format(wb),
               **{k: wb.add_format({"num_format": xlsx_style.FORMATS[k]})
                  for k in ("rp", "pct", "int")},
               "title": wb.add_format({"bold": True, "font_size": 13}),
               "total": xlsx_style.total_formats(wb), "page_title": project.title}
        _sheet(wb, fmt, tr("actions.sheet.plan"), PLAN_HEADERS, t,
               tr("actions_xlsx.title", title=project.title, date=prog.as_of.isoformat()))
        s = A.spending(project)
        _sheet(wb, fmt, tr("actions.sheet.spending"), SPENDING_HEADERS, s, None)
        tot = prog.by_status.copy()
        if len(tot):
            tot["status"] = [_label(A.ActionStatus, v) or v for v in tot["status"]]
        _totals(wb, fmt, tot, prog.by_source)
        wb.close()

    return atomic_write(path, write)


def _sheet(wb, fmt, name: str, columns, frame: pd.DataFrame, title: str | None) -> None:
    ws = wb.add_worksheet(name)
    r0 = 0
    if title:
        ws.write_string(0, 0, title, fmt["title"])
        r0 = 2
    for j, c in enumerate(columns):
        ws.write_string(r0, j, header(c), fmt["head"])
        ws.set_column(j, j, 28 if c in ("kegiatan", "note", "output") else 16)
    xlsx_style.print_setup(ws, header_row=r0, freeze_cols=2, title=fmt["page_title"])
    for i, rec in enumerate(frame.to_dict("records")):
        for j, c in enumerate(columns):
            v = rec.get(c)
            if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
                continue
            kind = _KIND.get(c)
            if isinstance(v, bool | np.bool_):
                ws.write_string(r0 + 1 + i, j, tr("common.yes") if v else tr("common.no"))
            elif isinstance(v, int | float | np.integer | np.floating):
                ws.write_number(r0 + 1 + i, j, float(v), fmt.get(kind))
            else:
                ws.write_string(r0 + 1 + i, j, str(v))
    ws.autofilter(r0, 0, r0 + max(len(frame), 1), len(columns) - 1)


def _totals(wb, fmt, by_status: pd.DataFrame, by_source: pd.DataFrame) -> None:
    """The Rekap sheet: actions, budget, spent and late actions per status and per funding
    source, each table closed by its totals row (known amounts added up; none known: said)."""
    ws = wb.add_worksheet(tr("actions_xlsx.sheet.totals"))
    xlsx_style.print_setup(ws, header_row=1, title=fmt["page_title"])
    ws.set_column(0, 0, 24)
    ws.set_column(1, 4, 16)
    tot = fmt["total"]
    row = 0
    for title, frame, key, enum in ((tr("actions_xlsx.by_status"), by_status, "status", None),
                                    (tr("actions_xlsx.by_source"), by_source, "funding_source",
                                     FundingSource)):
        ws.write_string(row, 0, title, fmt["title"])
        row += 1
        for j, c in enumerate((key, "actions", "budget", "spent", "late")):
            ws.write_string(row, j, tr(f"actions_xlsx.tot.{c}"), fmt["head"])
        row += 1
        for rec in frame.to_dict("records"):
            label = rec[key] if enum is None else (_label(enum, rec[key]) if rec[key] != "–"
                                                   else tr("common.missing"))
            ws.write_string(row, 0, str(label))
            ws.write_number(row, 1, float(rec["actions"]), fmt["int"])
            for j, c in ((2, "budget"), (3, "spent")):
                v = rec[c]
                if v is not None and not (isinstance(v, float) and np.isnan(v)):
                    ws.write_number(row, j, float(v), fmt["rp"])
            ws.write_number(row, 4, float(rec["late"]), fmt["int"])
            row += 1
        if len(frame):
            ws.write_string(row, 0, xlsx_style.total_label(len(frame)), tot["text"])
            for j, c, kind in ((1, "actions", "int"), (2, "budget", "rp"), (3, "spent", "rp"),
                               (4, "late", "int")):
                value = xlsx_style.column_total(frame[c]) if c in frame else None
                if value is None:
                    ws.write_string(row, j, tr("common.missing"), tot["text"])
                else:
                    ws.write_number(row, j, value, tot[kind])
            row += 1
        row += 1


register_catalog("reports", "action_plan_xlsx")
