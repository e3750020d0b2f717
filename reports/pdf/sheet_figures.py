"""What the side panel of a wall map or atlas sheet says besides the legend: the key figures
of the district (or of the page's kecamatan) — the same figures as the plan report's key-figure
page — and, on an atlas page, a small table of the kecamatan's desa.  A figure whose input was
never loaded reads "tidak ada data", never 0.  Imports the report context and key figures.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd

from ilp_gis.i18n import format_percent, register_catalog, tr
from ilp_gis.indicators import share
from ilp_gis.shown_counts import counts, known_counts  # noqa: F401 - re-exported
from reports.maps.panel import PanelTable
from reports.pdf.cells import gap_label, num_text
from reports.pdf.context import ReportContext
from reports.pdf.figures import key_figures

register_catalog("reports", "pdf.sheet_figures")

GAP_KINDS_SHOWN = 4
"""The panel names the most frequent gap kinds, this many at most (all are in the report)."""


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _value(v) -> str:
    return tr("sheet.no_data") if _missing(v) else num_text(v)


def _ratio(part, whole) -> str:
    if _missing(part) or _missing(whole):
        return tr("sheet.no_data")
    pct = share(part, whole)
    text = f"{num_text(part)} / {num_text(whole)}"
    return f"{text} ({format_percent(pct)})" if math.isfinite(pct) else text


def _reach(part, whole) -> str:
    if _missing(part) or _missing(whole):
        return tr("sheet.no_data")
    pct = share(part, whole)
    return format_percent(pct) if math.isfinite(pct) else tr("sheet.no_data")


def _km(v) -> str:
    """A distance limit as written in the rules: 5 km, 2,5 km."""
    return num_text(v, 0 if float(v).is_integer() else 1)


def scoped(ctx: ReportContext, kec_code: str | None) -> ReportContext:
    """``ctx`` narrowed to one kecamatan (its desa and gaps), for an atlas page."""
    if kec_code is None or kec_code == ctx.kec_code:
        return ctx
    out = copy.copy(ctx)
    out.kec_code = kec_code
    out.desa = ctx.result.desa[ctx.result.desa["kecamatan_code"] == kec_code]
    out.gaps = ctx.result.gaps[ctx.result.gaps["kecamatan_code"] == kec_code]
    return out


def figure_lines(ctx: ReportContext) -> list[tuple[str, str]]:
    """``[(label, value), ...]`` of the key figures for ``ctx`` (district or kecamatan)."""
    f = key_figures(ctx)
    pop = f["population_total"]
    no_pop = _missing(pop) or not pop
    desa = ctx.desa
    pustu_known = bool(known_counts(desa, "pustu").any()) if len(desa) else False
    posyandu_known = bool(known_counts(desa, "posyandu").any()) if len(desa) else False
    lines = [
        (tr("sheet.fig.desa_pustu"), _ratio(f["desa_with_pustu"], f["desa_pustu_required"])
         if pustu_known else tr("sheet.no_data_pustu")),
        (tr("sheet.fig.posyandu"), _ratio(f["posyandu"], f["posyandu_needed"])
         if posyandu_known else tr("sheet.no_data_posyandu")),
        (tr("sheet.fig.pop_pustu", km=_km(f["pustu_km"])),
         tr("sheet.no_population") if no_pop else _reach(f["pop_dist"].get("pustu"), pop)),
        (tr("sheet.fig.pop_pkm", km=_km(f["pkm_km"])),
         tr("sheet.no_population") if no_pop else _reach(f["pop_dist"].get("puskesmas"), pop)),
        (tr("sheet.fig.coe"), tr("sheet.no_coe") if not f["coe_total"]
         else f"{num_text(f['coe_ok'])} / {num_text(f['coe_total'])}"),
        (tr("sheet.fig.gaps"), _value(f["gaps"])),
    ]
    gaps = ctx.gaps
    if gaps is not None and len(gaps) and "kind" in gaps:
        for kind, n in gaps["kind"].value_counts().head(GAP_KINDS_SHOWN).items():
            lines.append(("• " + gap_label(kind), num_text(n)))
    return lines


def desa_table(ctx: ReportContext, kec_code: str) -> PanelTable:
    """The desa of one kecamatan: population, Pustu, Posyandu (of those needed) and gaps,
    with a totals row."""
    desa = ctx.result.desa
    desa = desa[desa["kecamatan_code"] == kec_code]
    gaps = ctx.result.gaps
    per_desa = gaps.loc[gaps["kecamatan_code"] == kec_code, "desa_code"].value_counts() \
        if gaps is not None and len(gaps) else pd.Series(dtype=int)
    order = desa.sort_values("name", key=lambda s: s.astype(str).str.lower())
    rows = []

    def col(frame, name):
        return pd.to_numeric(frame[name], errors="coerce") if name in frame else \
            pd.Series(np.nan, index=frame.index)

    pop, pustu = col(order, "population"), counts(order, "pustu")
    pos, need = counts(order, "posyandu"), col(order, "posyandu_needed")
    for i, (code, name) in enumerate(zip(order["code"], order["name"], strict=True)):
        need_i = need.iloc[i]
        pos_text = _short(pos.iloc[i]) if _missing(need_i) or _missing(pos.iloc[i]) else \
            f"{num_text(pos.iloc[i])}/{num_text(math.ceil(need_i - 1e-9))}"
        rows.append([str(name), _short(pop.iloc[i]), _short(pustu.iloc[i]), pos_text,
                     num_text(int(per_desa.get(code, 0)))])
    need_total = need.sum(min_count=1)
    totals = [tr("sheet.table.total", n=len(order)), _short(pop.sum(min_count=1)),
              _short(pustu.sum(min_count=1)),
              _short(pos.sum(min_count=1)) if _missing(need_total) or pos.isna().all() else
              f"{num_text(pos.sum(min_count=1))}/{num_text(math.ceil(need_total - 1e-9))}",
              num_text(int(per_desa.sum()))]
    all_known = pop.notna().all() and pustu.notna().all() and pos.notna().all()
    return PanelTable(title=tr("sheet.table.title"),
                      note=None if all_known else tr("sheet.table.no_data"),
                      header=[tr("sheet.table.desa"), tr("sheet.table.population"),
                              tr("sheet.table.pustu"), tr("sheet.table.posyandu"),
                              tr("sheet.table.gaps")],
                      rows=rows, totals=totals, widths=[0.34, 0.21, 0.12, 0.19, 0.14])


def _short(v) -> str:
    """A table cell: "–" for a figure not loaded (the note under the table says so)."""
    return "–" if _missing(v) else num_text(v)


def desa_lines(ctx: ReportContext, desa_code: str) -> list[tuple[str, str]]:
    """Key figures of one desa (a page of the per-desa atlas)."""
    desa = ctx.result.desa
    row = desa[desa["code"] == desa_code]
    if not len(row):
        return []
    r = row.iloc[0]

    def get(name):
        v = r.get(name) if name in row else None
        return None if _missing(v) else v

    need = get("posyandu_needed")
    n_pustu, n_pos = counts(row, "pustu").iloc[0], counts(row, "posyandu").iloc[0]
    pos_text = tr("sheet.no_data_posyandu") if _missing(n_pos) else _value(n_pos) \
        if need is None else f"{num_text(n_pos)} / {num_text(math.ceil(need - 1e-9))}"
    lines = [(tr("sheet.desa.population"), _value(get("population"))),
             (tr("sheet.desa.pustu"), tr("sheet.no_data_pustu") if _missing(n_pustu)
              else _value(n_pustu)),
             (tr("sheet.desa.posyandu"), pos_text),
             (tr("sheet.desa.dusun"), _value(get("dusun_count")))]
    gaps = ctx.result.gaps
    mine = gaps[gaps["desa_code"] == desa_code] if gaps is not None and len(gaps) else None
    if mine is None or not len(mine):
        lines.append((tr("sheet.fig.gaps"), tr("sheet.desa.no_gaps")))
    else:
        lines.append((tr("sheet.fig.gaps"), num_text(len(mine))))
        for kind, n in mine["kind"].value_counts().items():
            lines.append(("• " + gap_label(kind), num_text(n)))
    return lines


def posyandu_table(ctx: ReportContext, desa_code: str) -> PanelTable | None:
    """The Posyandu of one desa with strata and kader on duty (for the Pokja Posyandu)."""
    fac = ctx.project.facilities
    if fac is None or not len(fac) or "desa_code" not in fac:
        return None
    sel = fac[(fac["desa_code"] == desa_code) & (fac["type"] == "posyandu")]
    if not len(sel):
        return None
    sel = sel.sort_values("name", key=lambda s: s.astype(str).str.lower())
    rows = []
    kader = pd.to_numeric(sel["kader"], errors="coerce") if "kader" in sel else \
        pd.Series(np.nan, index=sel.index)
    for (name, level), k in zip(zip(sel["name"], sel.get("level", [None] * len(sel)),
                                    strict=True), kader, strict=True):
        lv = tr(f"sheet.strata.{level}") if isinstance(level, str) and level else "–"
        rows.append([str(name), lv, _short(k)])
    return PanelTable(title=tr("sheet.posyandu.title"),
                      header=[tr("sheet.posyandu.name"), tr("sheet.posyandu.strata"),
                              tr("sheet.posyandu.kader")],
                      rows=rows, totals=[tr("sheet.posyandu.total", n=len(rows)), "",
                                         _short(kader.sum(min_count=1))],
                      widths=[0.55, 0.27, 0.18])
