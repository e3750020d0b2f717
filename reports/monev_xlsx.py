"""The Monev report as XLSX sheets for the meeting: the headline (what changed since the last
period, what is not yet known), gaps closed and opened per desa, indicators up and down, one
PWS sheet per indicator with every desa ranked, spending against plan per funding source and
TA, late actions and actions done whose gaps are still open.  A missing figure is an empty cell
with "tidak ada data" beside it, never 0.  Written with XlsxWriter, every text as text (never a
formula), atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from ilp_gis.i18n import format_date, register_catalog, tr
from ilp_gis.model import FundingSource
from ilp_gis.monitoring import actions as A
from ilp_gis.monitoring import pws
from ilp_gis.monitoring.monev import headline
from ilp_gis.monitoring.periods import parse_period
from layers import symbology as sym
from layers import xlsx_style
from layers.atomic import atomic_write
from reports.pdf.monev import gap_words, state_word

_SHEET_MAX = 31


def _sheet_name(text: str, used: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in text).strip() or "-"
    name = clean[:_SHEET_MAX]
    n = 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = clean[:_SHEET_MAX - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


class _Book:
    """A workbook with the one set of formats and a writer for frames."""

    def __init__(self, path: Path, title: str | None = None) -> None:
        self.title = title  # the project's name in every printed page's header
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                                  "strings_to_urls": False,
                                                  "nan_inf_to_errors": False})
        self.used: set[str] = set()
        add = self.wb.add_format
        fx = xlsx_style.FORMATS
        self.fmt = {"head": xlsx_style.head_format(self.wb),
                    "rp": add({"num_format": fx["rp"]}), "pct": add({"num_format": fx["pct"]}),
                    "int": add({"num_format": fx["int"]}),
                    "num": add({"num_format": fx["float1"]}),
                    "title": add({"bold": True, "font_size": 13}),
                    "note": add({"italic": True, "font_color": "#5D6D7E"}),
                    "missing": add({"italic": True, "font_color": "#B03A2E"})}
        total = xlsx_style.total_formats(self.wb)
        self.total = {"text": total["text"], "rp": total["rp"], "pct": total["pct"],
                      "int": total["int"], "num": total["float1"]}
        self.class_fmt = {k: add({"bg_color": s.fill, "font_color": "#FFFFFF"
                                  if k in ("baik", "jelek") else "#000000"})
                          for k, s in sym.PWS_STYLES.items() if k in pws.CLASSES}

    def sheet(self, title_key: str, **fmt):
        ws = self.wb.add_worksheet(_sheet_name(tr(title_key, **fmt), self.used))
        xlsx_style.print_setup(ws, header_row=None, title=self.title)  # a table's header row set by table()
        return ws

    def table(self, ws, row: int, columns: list[tuple[str, str, str | None]],
              records: list[dict], cell_format=None, *, sums: tuple[str, ...] = (),
              ratios: dict[str, tuple[str, str]] | None = None) -> int:
        """``columns``: (field, header, kind) with kind rp/pct/int/num/None; the fields in
        ``sums`` are added up in a totals row under the table, each share in ``ratios`` given
        as the ratio of its (part, whole) totals.  Returns the row after the table."""
        for j, (_, head, kind) in enumerate(columns):
            ws.write_string(row, j, head, self.fmt["head"])
            ws.set_column(j, j, 30 if kind is None and j in (0, 1) else 16)
        ws.repeat_rows(row)
        ws.freeze_panes(row + 1, 0)
        for i, rec in enumerate(records, start=row + 1):
            for j, (field, _, kind) in enumerate(columns):
                v = rec.get(field)
                if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
                    continue
                f = cell_format(field, rec) if cell_format else None
                if isinstance(v, bool | np.bool_):
                    ws.write_string(i, j, tr("common.yes") if v else tr("common.no"), f)
                elif isinstance(v, int | float | np.integer | np.floating):
                    ws.write_number(i, j, float(v), f or self.fmt.get(kind))
                else:
                    ws.write_string(i, j, str(v), f)
        if records:
            ws.autofilter(row, 0, row + len(records), len(columns) - 1)
        if records and (sums or ratios):
            self._totals(ws, row + len(records) + 1, columns, records, sums, ratios or {})
            return row + len(records) + 3
        return row + len(records) + 2

    def _totals(self, ws, row: int, columns, records, sums, ratios) -> None:
        """The "Jumlah" row: known values added up (none known: "tidak ada data")."""
        def total(field):
            return xlsx_style.column_total(r.get(field) for r in records)

        label_at = next((j for j, (f, _, _) in enumerate(columns) if f not in sums
                         and f not in ratios), None)
        for j, (field, _, kind) in enumerate(columns):
            if field in sums or field in ratios:
                value = total(field) if field in sums else xlsx_style.ratio(
                    *(total(f) for f in ratios[field]))
                if value is None:
                    ws.write_string(row, j, tr("common.missing"), self.total["text"])
                else:
                    ws.write_number(row, j, value, self.total.get(kind, self.total["int"]))
            elif j == label_at:
                ws.write_string(row, j, xlsx_style.total_label(len(records)),
                                self.total["text"])
            else:
                ws.write_blank(row, j, None, self.total["text"])


def _col(key: str) -> str:
    return tr(f"monev.col.{key}")


def write_monev_xlsx(project, monev, path: str | Path) -> Path:
    """Write the sheets of ``monev`` (a :class:`ilp_gis.monitoring.monev.Monev`) to ``path``."""
    def write(tmp: Path) -> None:
        book = _Book(tmp, project.title)
        _headline_sheet(book, project, monev)
        _gap_sheet(book, project, monev)
        _indicator_sheets(book, project, monev)
        _action_sheets(book, project, monev)
        book.wb.close()

    return atomic_write(Path(path), write)


def _kec_names(project) -> dict:
    kec = project.kecamatan if project.has("kecamatan") else None
    return {} if kec is None or not len(kec) else dict(zip(kec["code"], kec["name"],
                                                           strict=False))


def _headline_sheet(book: _Book, project, m) -> None:
    ws = book.sheet("monev_xlsx.sheet.headline")
    ws.write_string(0, 0, f"{tr('report.title.monev')} — {project.title}", book.fmt["title"])
    ws.write_string(1, 0, tr("monev.as_of", date=format_date(m.as_of)))
    ws.write_string(2, 0, tr("monev.month", month=m.month.label()) if m.month
                    else tr("monev.month_none"))
    c = m.comparison
    ws.write_string(3, 0, tr("monev.compared", before=c.before.label(), after=c.after.label())
                    if c else tr("monev.compared_none"))
    cols = [("figure", _col("figure"), None),
            ("before", c.before.label() if c else _col("before"), "int"),
            ("after", c.after.label() if c else _col("after"), "int"),
            ("change", _col("change"), "int"), ("note", tr("monev_xlsx.col.note"), None)]
    recs = []
    for r in headline(m):
        rec = dict(r, figure=tr(f"monev.fig.{r['figure']}"))
        if r["change"] is None:
            rec["note"] = tr("common.missing")
        recs.append(rec)
    row = book.table(ws, 5, cols, recs)
    if m.missing:
        ws.write_string(row, 0, tr("monev.h.missing"), book.fmt["title"])
        for i, text in enumerate(m.missing, start=row + 1):
            ws.write_string(i, 0, text, book.fmt["missing"])


def _gap_sheet(book: _Book, project, m) -> None:
    ws = book.sheet("monev_xlsx.sheet.gaps")
    if m.comparison is None:
        ws.write_string(0, 0, tr("monev.compared_none"), book.fmt["missing"])
        return
    kec = _kec_names(project)
    recs = [{"desa_code": r.desa_code, "desa": r.desa_name,
             "kecamatan": kec.get(r.kecamatan_code, r.kecamatan_code),
             "closed": gap_words(r.gaps_closed), "opened": gap_words(r.gaps_opened),
             "before": r.gap_count_before, "after": r.gap_count_after}
            for r in m.gap_changes.itertuples()]
    cols = [("desa", _col("desa"), None), ("desa_code", tr("monev_xlsx.col.desa_code"), None),
            ("kecamatan", _col("kecamatan"), None), ("closed", _col("gaps_closed"), None),
            ("opened", _col("gaps_opened"), None),
            ("before", tr("monev_xlsx.col.gaps_before", period=m.comparison.before.label()),
             "int"),
            ("after", tr("monev_xlsx.col.gaps_after", period=m.comparison.after.label()),
             "int")]
    if not recs:
        ws.write_string(0, 0, tr("monev.gap_changes_none"))
        return
    book.table(ws, 0, cols, recs, sums=("before", "after"))


def _indicator_sheets(book: _Book, project, m) -> None:
    ws = book.sheet("monev_xlsx.sheet.indicators")
    cols = [("label", _col("indicator"), None), ("month", tr("monev_xlsx.col.month"), None),
            ("achievement", _col("achievement"), "pct"), ("previous", _col("previous"), "pct"),
            ("expected", _col("expected"), "pct"), ("state", _col("state"), None),
            ("desa_improved", _col("improved"), "int"), ("desa_worsened", _col("worsened"),
                                                          "int"),
            ("desa_with_data", _col("with_data"), "int")] + \
        [(c, pws.class_label(c), "int") for c in pws.CLASSES] + \
        [("note", tr("monev_xlsx.col.note"), None)]
    recs = []
    for r in m.indicators.to_dict("records"):
        rec = dict(r)
        if r["has_values"]:
            rec["state"] = state_word(r)
        else:
            for c in ("desa_improved", "desa_worsened", "desa_with_data", *pws.CLASSES):
                rec[c] = None
        recs.append(rec)
    book.table(ws, 0, cols, recs)
    kec = _kec_names(project)
    for key, r in m.rankings.items():
        label = m.indicators.set_index("indicator").loc[key, "label"]
        ws = book.sheet("monev_xlsx.sheet.pws", indicator=label)
        recs = []
        for rec in r.to_dict("records"):
            rec = dict(rec, kecamatan=kec.get(rec["kecamatan_code"], rec["kecamatan_code"]),
                       class_word=pws.class_label(rec["pws_class"]),
                       estimate=tr("common.yes") if rec["sasaran_source"] ==
                       pws.SOURCE_ESTIMATE else None)
            recs.append(rec)
        cols = [("rank", _col("rank"), "int"), ("desa_name", _col("desa"), None),
                ("desa_code", tr("monev_xlsx.col.desa_code"), None),
                ("kecamatan", _col("kecamatan"), None), ("sasaran", _col("sasaran"), "num"),
                ("estimate", tr("monev_xlsx.col.estimate"), None),
                ("value", tr("monev_xlsx.col.value_month"), "num"),
                ("cumulative", tr("monev_xlsx.col.cumulative"), "num"),
                ("achievement", _col("achievement"), "pct"),
                ("expected", _col("expected"), "pct"), ("previous", _col("previous"), "pct"),
                ("class_word", _col("class"), None)]

        def fmt(field, rec):
            return book.class_fmt.get(rec.get("pws_class")) if field == "class_word" else None

        book.table(ws, 0, cols, recs, fmt)


def _action_sheets(book: _Book, project, m) -> None:
    ws = book.sheet("monev_xlsx.sheet.spending")
    if not m.has_actions:
        ws.write_string(0, 0, tr("monev.actions_none"), book.fmt["missing"])
        return
    recs = []
    for r in m.spending.to_dict("records"):
        src = tr("common.missing") if r["funding_source"] == "–" else \
            _enum(FundingSource, r["funding_source"])
        recs.append(dict(r, source=src, over=r["over_plan"]))
    book.table(ws, 0, [("source", _col("source"), None), ("ta", _col("ta"), None),
                       ("actions", _col("actions"), "int"), ("budget", _col("budget"), "rp"),
                       ("spent", _col("spent"), "rp"), ("spent_share", _col("share"), "pct"),
                       ("over", tr("monev_xlsx.col.over_plan"), None),
                       ("late", _col("late"), "int")], recs,
               sums=("actions", "budget", "spent", "late"),
               ratios={"spent_share": ("spent", "budget")})
    names = dict(zip(project.desa["code"], project.desa["name"], strict=False))
    ws = book.sheet("monev_xlsx.sheet.late")
    recs = [dict(r, desa=names.get(r["desa_code"]), status=A.ActionStatus(r["status"]).label)
            for r in m.late.to_dict("records")]
    cols = [("action_id", _col("action"), None), ("kegiatan", _col("kegiatan"), None),
            ("desa", _col("desa"), None), ("responsible", _col("responsible"), None),
            ("end", _col("end"), None), ("days_late", _col("days_late"), "int"),
            ("budget_amount", _col("budget"), "rp"), ("spent", _col("spent"), "rp"),
            ("status", _col("status"), None)]
    if recs:
        book.table(ws, 0, cols, recs, sums=("budget_amount", "spent"))
    else:
        ws.write_string(0, 0, tr("monev.late_none"))
    ws = book.sheet("monev_xlsx.sheet.done_open")
    d = m.done_open
    if not len(d):
        ws.write_string(0, 0, tr("monev.done_open_none"))
        return
    recs = [dict(r, gaps=gap_words(r["open_gaps"]),
                 state_from=tr("monev_xlsx.state_from.analysis") if r["state_from"] ==
                 "analysis" else parse_period(r["state_from"]).label())
            for r in d.to_dict("records")]
    book.table(ws, 0, [("action_id", _col("action"), None), ("kegiatan", _col("kegiatan"), None),
                       ("desa_name", _col("desa"), None), ("end", _col("end"), None),
                       ("gaps", _col("open_gaps"), None),
                       ("state_from", tr("monev_xlsx.col.state_from"), None)], recs)


def _enum(enum, value) -> str:
    try:
        return enum(value).label
    except ValueError:
        return str(value)


register_catalog("reports", "monev_xlsx")
