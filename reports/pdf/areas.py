"""Sections per area: one per kecamatan (map and desa table), the kecamatan summary table and the
district roll-up of multi-district projects.  Imports reports.maps and reports.tables.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, PageBreak, Paragraph, Spacer

from ilp_gis.i18n import format_percent, register_catalog, tr
from ilp_gis.indicators import share
from ilp_gis.inputs import mask_columns, missing_text, shown
from reports import population
from reports.maps import MapFlowable, MapOptions
from reports.pdf.cells import gap_label, num_text, table_cell
from reports.pdf.context import ReportContext, province_key
from reports.pdf.flow import long_table
from reports.pdf.gaps import gap_rows
from reports.styles import esc, table_style
from reports.tables import kabupaten_names, kabupaten_rollup

register_catalog("reports", "pdf.areas")

PRECURSOR_MARK = "*"
"""The mark of a Pustu count that includes Poskesdes/Polindes ("1 (1*)"); explained under the
desa table on every page that shows it (``report.precursor_mark``)."""


def _sum(values) -> float:
    """The total of a column (NaN when no value is known: missing is never zero)."""
    return float(pd.to_numeric(pd.Series(values), errors="coerce").sum(min_count=1))


def _desa_rows(ctx: ReportContext, st, desa, gaps_n: int) -> list:
    head = [tr("report.col.desa"), tr("report.col.population"), tr("report.col.pustu"),
            tr("report.col.posyandu"), tr("report.col.dist_pustu"), tr("report.col.gaps"),
            tr("report.col.rank")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    d = desa.sort_values("name", kind="stable")
    labels = _gap_labels(ctx.result.gaps)
    for r in d.itertuples(index=False):
        kinds = labels.get(r.code) or [gap_label(k) for k in dict.fromkeys(
            k for k in str(r.gap_kinds or "").split(";") if k)]
        pustu = num_text(r.n_pustu)
        if getattr(r, "n_pustu_precursor", 0) and not pd.isna(r.n_pustu_precursor) and \
                r.n_pustu_precursor > 0:
            pustu += f" ({num_text(r.n_pustu_precursor)}{PRECURSOR_MARK})"
        rows.append([
            table_cell(r.name, st.cell),
            population.value_text(r.population, getattr(r, "population_source", None)), pustu,
            f"{num_text(r.n_posyandu)} / {num_text(r.posyandu_needed)}",
            num_text(r.dist_pustu_km, 1),
            table_cell(", ".join(kinds) or "–", st.cell),
            num_text(r.priority_rank),
        ])
    pop = _sum(desa["population"]) if len(desa) else float("nan")
    mark = f" ({population.estimate_mark()})" if population.any_estimate(desa) else ""
    rows.append([
        table_cell(tr("report.total_desa", n=num_text(len(desa))), st.cell_head),
        ("–" if pd.isna(pop) else num_text(pop) + mark),
        num_text(_sum(desa["n_pustu"])),
        f"{num_text(_sum(desa['n_posyandu']))} / {num_text(_sum(desa['posyandu_needed']))}",
        "", num_text(gaps_n), ""])
    return rows


def _gap_labels(gaps) -> dict[str, list[str]]:
    """Desa code → its gap labels ("> 5 km dari Pustu terdekat"), severest first, each once."""
    if gaps is None or not len(gaps) or "label" not in gaps:
        return {}
    g = gaps[gaps["desa_code"].notna() & (gaps["desa_code"] != "")]
    rows = gap_rows(g)
    return {str(code): list(kinds) for code, kinds in zip(rows.index, rows["kinds"],
                                                           strict=True)}


def kecamatan_section(ctx: ReportContext, st, width: float, code: str) -> list:
    name = ctx.kec_names.get(code, code)
    all_desa = mask_columns(ctx.result.desa, ctx.inputs)
    desa = all_desa[all_desa["kecamatan_code"] == code]
    gaps_n = int((ctx.result.gaps["kecamatan_code"] == code).sum()) if len(ctx.result.gaps) else 0
    inv = ctx.inputs
    required = desa["pustu_required"].fillna(True).astype(bool) if "pustu_required" in desa \
        else pd.Series(True, index=desa.index)
    has = desa["has_pustu"].fillna(False).astype(bool) & required
    line = tr("report.kec_line", desa=len(desa),
              with_pustu=shown(f"{num_text(int(has.sum()))}/{num_text(int(required.sum()))}",
                               inv.column_missing("has_pustu")),
              posyandu=shown(int(desa["n_posyandu"].sum()), inv.column_missing("n_posyandu"),
                             num_text),
              needed=shown(float(desa["posyandu_needed"].sum(min_count=1))
                           if len(desa) else float("nan"), inv.column_missing("posyandu_needed"),
                           num_text), gaps=gaps_n)
    data = ctx.map_data(code)
    fig = MapFlowable(data, width, min(0.9 * width, 300), opts=MapOptions(
        label_size=5.5, edges=True), legend_width=118)
    rows = _desa_rows(ctx, st, desa, gaps_n)
    marked = int((pd.to_numeric(desa["n_pustu_precursor"], errors="coerce").fillna(0) > 0).sum()) \
        if "n_pustu_precursor" in desa else 0
    fr = [0.2, 0.11, 0.08, 0.13, 0.1, 0.31, 0.07]
    # every "1 (1*)" explained under the table on each page that shows one
    mark = Paragraph(esc(tr("report.precursor_mark")), st.note) if marked else None
    t = long_table(rows, [width * x for x in fr], table_style(numeric_from=1, n_rows=len(rows)),
                   [("ALIGN", (5, 1), (5, -1), "LEFT")], totals=True,
                   continued=tr("report.continued", title=tr("report.h.kecamatan", name=name)),
                   caption_style=st.h2, footnote=mark, mark=PRECURSOR_MARK + ")")
    out = [PageBreak(), Paragraph(esc(tr("report.h.kecamatan", name=name)), st.h1),
           Paragraph(esc(line), st.body), fig, Spacer(1, 3 * mm), t]
    note = _masked_note(inv, ("population", "n_pustu", "n_posyandu", "posyandu_needed",
                              "dist_pustu_km"))
    return out + ([Paragraph(esc(note), st.note)] if note else [])


def _masked_note(inv, columns) -> str:
    """"– = tidak ada data — muat daftar Pustu dan ..." for the table columns never loaded."""
    lacks = list(dict.fromkeys(i for c in columns for i in inv.column_missing(c)))
    return "– = " + missing_text(lacks) if lacks else ""


def _coverage_cells(r) -> list:
    """The figure cells of one kecamatan or district row, from its desa total to its gap count."""
    base = getattr(r, "desa_pustu_required", r.desa_total)  # the desa that need a Pustu
    with_pustu = format_percent(share(r.desa_with_pustu, base))
    return [num_text(r.desa_total),
            f"{num_text(r.desa_with_pustu)}/{num_text(base)} ({with_pustu})",
            f"{num_text(r.posyandu)} / {num_text(r.posyandu_needed)}", num_text(r.population),
            format_percent(share(r.pop_within_pustu_km, r.population)),
            num_text(r.n_puskesmas), num_text(r.gap_count)]


def kecamatan_table(ctx: ReportContext, st, width: float) -> list:
    k = ctx.result.kecamatan
    out: list = [CondPageBreak(60 * mm), Paragraph(esc(tr("report.h.kecamatan_table")), st.h1)]
    if k is None or not len(k):
        return out + [Paragraph(esc(tr("common.missing")), st.body)]
    if ctx.kec_code:
        k = k[k["code"] == ctx.kec_code]
    k = mask_columns(k, ctx.inputs)
    head = [tr("report.col.kecamatan"), tr("report.col.desa_total"), tr("report.col.with_pustu"),
            tr("report.col.posyandu"),
            population.label_with_mark(tr("report.col.population"), ctx.desa),
            tr("report.col.pop_pustu"), tr("report.col.puskesmas"), tr("report.col.gap_count")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    for r in k.sort_values("name", kind="stable").itertuples(index=False):
        rows.append([table_cell(r.name, st.cell)] + _coverage_cells(r))
    rows.append([table_cell(tr("report.total_kecamatan", n=num_text(len(k))), st.cell_head)]
                + _coverage_cells(_totals(k)))
    fr = [0.19, 0.07, 0.18, 0.14, 0.13, 0.11, 0.09, 0.09]  # "138/268 (51,5%)" fits
    t = long_table(rows, [width * x for x in fr], table_style(numeric_from=1, n_rows=len(rows)),
                   totals=True, caption_style=st.h2,
                   continued=tr("report.continued", title=tr("report.h.kecamatan_table")))
    note = _masked_note(ctx.inputs, ("desa_with_pustu", "posyandu", "posyandu_needed",
                                     "population", "pop_within_pustu_km"))
    return out + [t] + _base_note(k, st) + ([Paragraph(esc(note), st.note)] if note else [])


def _base_note(table: pd.DataFrame, st) -> list:
    """What the "Dengan Pustu" cell counts: desa with a Pustu / desa that need one, and how
    many desa need none (their Puskesmas serves them)."""
    req = table["desa_pustu_required"] if "desa_pustu_required" in table else table["desa_total"]
    served = int(pd.to_numeric(table["desa_total"], errors="coerce").sum()
                 - pd.to_numeric(req, errors="coerce").sum())
    return [Paragraph(esc(tr("report.with_pustu_note", served=num_text(served))), st.note)]


def _totals(table: pd.DataFrame) -> SimpleNamespace:
    """The totals row of a kecamatan or district table (sums; NaN where nothing is known)."""
    cols = ("desa_total", "desa_with_pustu", "posyandu", "posyandu_needed", "population",
            "pop_within_pustu_km", "n_puskesmas", "gap_count")
    out = {c: _sum(table[c]) if c in table else float("nan") for c in cols}
    out["desa_pustu_required"] = _sum(table["desa_pustu_required"]) \
        if "desa_pustu_required" in table else out["desa_total"]
    return SimpleNamespace(**out)


def kabupaten_table(ctx: ReportContext, st, width: float) -> list:
    """Roll-up by district (the first two parts of the kecamatan code) for multi-district data."""
    agg = kabupaten_rollup(mask_columns(ctx.result.kecamatan, ctx.inputs)
                           if ctx.result.kecamatan is not None else None)
    if not len(agg):
        return []
    names = kabupaten_names(ctx.project)
    head = [tr("report.col.kabupaten"), tr("area.kecamatan"), tr("report.col.desa_total"),
            tr("report.col.with_pustu"), tr("report.col.posyandu"),
            population.label_with_mark(tr("report.col.population"), ctx.desa),
            tr("report.col.pop_pustu"), tr("report.col.puskesmas"), tr("report.col.gap_count")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    for r in agg.itertuples(index=False):
        label = f"{names[r.code]} ({r.code})" if r.code in names else r.code
        rows.append([table_cell(label, st.cell), num_text(r.kecamatan)] + _coverage_cells(r))
    rows.append([table_cell(tr("report.total"), st.cell_head), num_text(_sum(agg["kecamatan"]))]
                + _coverage_cells(_totals(agg)))
    fr = [0.19, 0.08, 0.07, 0.17, 0.13, 0.11, 0.09, 0.08, 0.08]
    t = long_table(rows, [width * x for x in fr], table_style(numeric_from=1, n_rows=len(rows)),
                   totals=True, caption_style=st.h2,
                   continued=tr("report.continued", title=tr("report.h.kabupaten_table")))
    return [PageBreak(), Paragraph(esc(tr("report.h.kabupaten_table")), st.h1),
            Paragraph(esc(tr("report.kecamatan_in_xlsx")), st.note), t]


def province_rollup(kab: pd.DataFrame) -> pd.DataFrame:
    """The district roll-up (:func:`reports.tables.kabupaten_rollup`) summed per province
    (``code`` PP, ``kabupaten`` the number of districts; a figure missing everywhere stays
    missing)."""
    if kab is None or not len(kab):
        return pd.DataFrame()
    figures = [c for c in kab.columns if c != "code"]
    grp = kab.assign(_prov=province_key(kab["code"]).values).groupby("_prov")
    out = grp[figures].sum(min_count=1)
    out.insert(0, "kabupaten", grp.size())
    return out.rename_axis("code").reset_index()


def province_table(ctx: ReportContext, st, width: float) -> list:
    """Roll-up by province for a national project (one row per province, then the total)."""
    kab = kabupaten_rollup(mask_columns(ctx.result.kecamatan, ctx.inputs)
                           if ctx.result.kecamatan is not None else None)
    agg = province_rollup(kab)
    if not len(agg):
        return []
    head = [tr("report.col.province"), tr("report.col.kabupaten_n"), tr("area.kecamatan"),
            tr("report.col.desa_total"), tr("report.col.with_pustu"), tr("report.col.posyandu"),
            population.label_with_mark(tr("report.col.population"), ctx.desa),
            tr("report.col.pop_pustu"), tr("report.col.puskesmas"), tr("report.col.gap_count")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    for r in agg.itertuples(index=False):
        rows.append([table_cell(province_label(r.code), st.cell), num_text(r.kabupaten),
                     num_text(r.kecamatan)] + _coverage_cells(r))
    rows.append([table_cell(tr("report.total"), st.cell_head), num_text(_sum(agg["kabupaten"])),
                 num_text(_sum(agg["kecamatan"]))] + _coverage_cells(_totals(agg)))
    fr = [0.13, 0.07, 0.08, 0.07, 0.16, 0.13, 0.11, 0.09, 0.08, 0.08]
    t = long_table(rows, [width * x for x in fr], table_style(numeric_from=1, n_rows=len(rows)),
                   totals=True, caption_style=st.h2,
                   continued=tr("report.continued", title=tr("report.h.province_table")))
    note = _masked_note(ctx.inputs, ("desa_with_pustu", "posyandu", "posyandu_needed",
                                     "population", "pop_within_pustu_km"))
    return [PageBreak(), Paragraph(esc(tr("report.h.province_table")), st.h1),
            Paragraph(esc(tr("report.national_detail_in_xlsx")), st.note), t] \
        + _base_note(kab, st) + ([Paragraph(esc(note), st.note)] if note else [])


def province_label(code) -> str:
    """"Provinsi 11" (the project holds no province names, only their codes)."""
    return tr("report.province_code", code=str(code))
