"""The Monev report (PDF, A4) for the Pokja meeting: what changed since the last period (gaps
closed and opened, indicators up and down, actions late), the PWS of each indicator (desa ranked
by achievement with the traffic-light classes), small multiples of maps, spending against plan
per funding source and TA, and actions marked done whose gaps are still open.  Drawn from
:func:`ilp_gis.monitoring.monev.monev_summary`; what was never loaded says "tidak ada data" and
which import would provide it.  Imports the plan report's document, cells, front matter and
maps.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

from ilp_gis.i18n import format_date, format_percent, format_rupiah, register_catalog, tr
from ilp_gis.jobs import checkpoint
from ilp_gis.model import FundingSource
from ilp_gis.monitoring import actions as A
from ilp_gis.monitoring import pws
from ilp_gis.monitoring.monev import headline
from ilp_gis.monitoring.periods import parse_period
from layers import symbology as sym
from reports.maps import prepare_map_data
from reports.pdf.cells import enum_text, gap_label, num_text, table_cell, year_text
from reports.pdf.context import source_lines
from reports.pdf.document import PlanDoc, canvas_maker
from reports.pdf.front import FrontMatter, cover_lines, logo_flowable, signature_block
from reports.pdf.monev_maps import small_multiples
from reports.styles import ACCENT, BANNER, FONT, FONT_BOLD, esc, stylesheet, table_style

register_catalog("reports", "pdf.monev")

PWS_ROWS_MAX = 40
"""Rows of one indicator's PWS table on paper; above, the best and the worst desa with a note
that the XLSX holds every desa."""
LIST_ROWS_MAX = 60


class MonevContext:
    """What the shared document parts read (title, place, date, paper, front matter)."""

    kind = "monev"

    def __init__(self, project, monev, pagesize, author, date, front) -> None:
        self.project = project
        self.monev = monev
        self.pagesize = pagesize
        self.author = author
        self.date = date
        self.front = front
        self.title = tr("report.title.monev")
        self.place = project.title
        self.names = dict(zip(project.desa["code"], project.desa["name"], strict=False))
        self.kec_names = _kecamatan_names(project)


def _kecamatan_names(project) -> dict:
    kec = project.kecamatan if project.has("kecamatan") else None
    if kec is None or not len(kec):
        return {}
    return dict(zip(kec["code"], kec["name"], strict=False))


def write_monev_pdf(project, monev, target: Path, *, pagesize, author=None,
                    date: dt.date | None = None, front: FrontMatter | None = None,
                    progress=None, is_cancelled=None) -> None:
    """Write the Monev PDF of ``monev`` (a :class:`ilp_gis.monitoring.monev.Monev`) to
    ``target`` (the caller writes atomically)."""
    st = stylesheet()
    ctx = MonevContext(project, monev, pagesize, author, date or dt.date.today(),
                       front or FrontMatter())
    doc = PlanDoc(target, ctx, st)
    width = doc.pagesize[0] - 36 * mm
    story = _cover(ctx, st, width) + [NextPageTemplate("body"), PageBreak()]
    story += _changes(ctx, st, width)
    checkpoint(progress, is_cancelled, 0.2)
    story += _indicator_table(ctx, st, width)
    story += _pws_tables(ctx, st, width)
    checkpoint(progress, is_cancelled, 0.4)
    story += _maps(ctx, st, width)
    checkpoint(progress, is_cancelled, 0.7)
    story += _spending(ctx, st, width)
    story += _late(ctx, st, width)
    story += _done_open(ctx, st, width)
    doc.build(story, canvasmaker=canvas_maker(ctx))
    checkpoint(progress, is_cancelled, 1.0)


# --- cover and the summary of changes -------------------------------------------------------
def _cover(ctx: MonevContext, st, width: float) -> list:
    m = ctx.monev
    logo = logo_flowable(ctx.front)
    out: list = [Spacer(1, 8 * mm), logo, Spacer(1, 6 * mm)] if logo is not None else \
        [Spacer(1, 30 * mm)]
    out += [Paragraph(esc(ctx.title), st.title), Paragraph(esc(ctx.place), st.subtitle),
            Paragraph(esc(tr("monev.subtitle")), st.body), Spacer(1, 6 * mm),
            *cover_lines(ctx, ctx.front, st),
            Paragraph(esc(tr("monev.as_of", date=format_date(m.as_of))), st.body),
            Paragraph(esc(tr("monev.month", month=m.month.label()) if m.month else
                          tr("monev.month_none")), st.body)]
    c = m.comparison
    out.append(Paragraph(esc(tr("monev.compared", before=c.before.label(),
                                after=c.after.label()) if c else tr("monev.compared_none")),
                         st.body))
    if ctx.author:
        out.append(Paragraph(esc(tr("monev.author", author=ctx.author)), st.body))
    if ctx.project.fictional:
        banner = Table([[Paragraph(esc(tr("app.fictional")), st.banner)]],
                       colWidths=[120 * mm])
        banner.setStyle([("BACKGROUND", (0, 0), (-1, -1), BANNER),
                         ("FONTNAME", (0, 0), (-1, -1), FONT)])
        out += [Spacer(1, 8 * mm), banner]
    out += [Spacer(1, 10 * mm), Paragraph(esc(tr("report.sources")), st.h2)]
    lines = source_lines(ctx.project)
    out += [Paragraph("• " + esc(s), st.body) for s in lines] or \
        [Paragraph(esc(tr("report.no_sources")), st.body)]
    out += [Spacer(1, 10 * mm), signature_block(ctx, ctx.front, width)]
    return out


def _changes(ctx: MonevContext, st, width: float) -> list:
    m = ctx.monev
    out: list = [Paragraph(esc(tr("monev.h.changes")), st.h1)]
    if m.missing:
        box = Table([[Paragraph("• " + esc(x), st.cell)] for x in m.missing],
                    colWidths=[width])
        box.setStyle([("BOX", (0, 0), (-1, -1), 0.6, BANNER),
                      ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fdf2e9")),
                      ("FONTNAME", (0, 0), (-1, -1), FONT)])
        out += [Paragraph(esc(tr("monev.h.missing")), st.h2), box, Spacer(1, 4 * mm)]
    c = m.comparison
    rows = [[table_cell(tr("monev.col.figure"), st.cell_head),
             table_cell(c.before.label() if c else tr("monev.col.before"), st.cell_head),
             table_cell(c.after.label() if c else tr("monev.col.after"), st.cell_head),
             table_cell(tr("monev.col.change"), st.cell_head)]]
    for r in headline(m):
        pair = r["figure"] in ("n_pustu", "n_posyandu", "gap_count")
        change = _signed(r["change"]) if pair else num_text(r["change"])
        rows.append([table_cell(tr(f"monev.fig.{r['figure']}"), st.cell),
                     num_text(r["before"]) if pair else "", num_text(r["after"]) if pair else "",
                     change if r["change"] is not None else
                     table_cell(tr("common.missing"), st.cell_right)])
    tab = Table(rows, colWidths=[width * x for x in (0.46, 0.18, 0.18, 0.18)], repeatRows=1)
    tab.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    out += [tab, Spacer(1, 4 * mm)]
    if c is not None:
        out += _gap_change_table(ctx, st, width)
    return out


def _signed(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "–"
    return ("+" if v > 0 else "") + num_text(v)


def _gap_change_table(ctx: MonevContext, st, width: float) -> list:
    g = ctx.monev.gap_changes
    out: list = [Paragraph(esc(tr("monev.h.gap_changes")), st.h2)]
    if not len(g):
        return out + [Paragraph(esc(tr("monev.gap_changes_none")), st.body)]
    head = [tr("monev.col.desa"), tr("monev.col.kecamatan"), tr("monev.col.gaps_closed"),
            tr("monev.col.gaps_opened")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    for r in g.head(LIST_ROWS_MAX).itertuples():
        rows.append([table_cell(r.desa_name, st.cell),
                     table_cell(ctx.kec_names.get(r.kecamatan_code, r.kecamatan_code), st.cell),
                     table_cell(gap_words(r.gaps_closed), st.cell),
                     table_cell(gap_words(r.gaps_opened), st.cell)])
    if len(g) > LIST_ROWS_MAX:
        out.append(Paragraph(esc(tr("monev.top", shown=LIST_ROWS_MAX, n=len(g))), st.note))
    t = Table(rows, colWidths=[width * x for x in (0.2, 0.2, 0.3, 0.3)], repeatRows=1)
    t.setStyle(table_style(n_rows=len(rows)))
    return out + [t]


def gap_words(kinds: str) -> str:
    """";"-joined gap kinds in words ("–" for none)."""
    return "; ".join(gap_label(k) for k in kinds.split(";")) if kinds else "–"


# --- indicators -----------------------------------------------------------------------------
def _indicator_table(ctx: MonevContext, st, width: float) -> list:
    m = ctx.monev
    out: list = [Paragraph(esc(tr("monev.h.indicators")), st.h1)]
    if m.month is None:
        return out + [Paragraph(esc(tr("monev.pws_none")), st.body)]
    out.append(Paragraph(esc(tr("monev.indicators_intro", month=m.month.label())), st.note))
    head = ["indicator", "achievement", "previous", "change", "expected", "state", "improved",
            "worsened", "with_data"]
    rows = [[table_cell(tr(f"monev.col.{h}"), st.cell_head) for h in head]]
    for r in m.indicators.to_dict("records"):
        if not r["has_values"]:
            rows.append([table_cell(r["label"], st.cell), table_cell(r["note"], st.cell), "", "",
                         "", "", "", "", ""])
            continue
        rows.append([table_cell(r["label"], st.cell), format_percent(r["achievement"]),
                     format_percent(r["previous"]), _points(r["change"]),
                     format_percent(r["expected"]), table_cell(state_word(r), st.cell),
                     num_text(r["desa_improved"]), num_text(r["desa_worsened"]),
                     num_text(r["desa_with_data"])])
    t = Table(rows, colWidths=[width * x for x in (0.2, 0.085, 0.085, 0.1, 0.1, 0.15, 0.09,
                                                    0.09, 0.1)], repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    missing = [i + 1 for i, r in enumerate(m.indicators.to_dict("records"))
               if not r["has_values"]]
    t.setStyle([("SPAN", (1, i), (-1, i)) for i in missing] +
               [("ALIGN", (1, i), (-1, i), "LEFT") for i in missing])
    return out + [t]


def _points(change) -> str:
    if change is None or not np.isfinite(change):
        return "–"
    return tr("monev.points", value=("+" if change > 0 else "") + num_text(change * 100, 1))


def state_word(r: dict) -> str:
    """An indicator's state against its target line, in words."""
    if r.get("crossed_up"):
        return tr("monev.state.crossed_up")
    if r.get("crossed_down"):
        return tr("monev.state.crossed_down")
    if r.get("meets") is True:
        return tr("monev.state.meets")
    if r.get("meets") is False:
        return tr("monev.state.below")
    return tr("common.missing")


def _pws_tables(ctx: MonevContext, st, width: float) -> list:
    m = ctx.monev
    if not m.rankings:
        return []
    out: list = [PageBreak(), Paragraph(esc(tr("monev.h.pws_all")), st.h1),
                 Paragraph(esc(tr("monev.pws_intro")), st.note)]
    table = m.indicators.set_index("indicator")
    for key, r in m.rankings.items():
        row = table.loc[key]
        out += [CondPageBreak(70 * mm),
                Paragraph(esc(tr("monev.h.pws", indicator=row["label"],
                                 month=m.month.label())), st.h2),
                Paragraph(esc(tr("monev.pws_line", expected=format_percent(row["expected"]),
                                 achievement=format_percent(row["achievement"]),
                                 n=len(r), with_data=int(row["desa_with_data"]))), st.note),
                _pws_table(ctx, st, width, r, row["kind"])]
    return out


def _pws_table(ctx: MonevContext, st, width: float, r, kind: str):
    head = ["rank", "desa", "kecamatan", "sasaran", "value", "achievement", "class"]
    rows = [[table_cell(tr(f"monev.col.{h}"), st.cell_head) for h in head]]
    have = r[r["achievement"].notna()]
    none = r[r["achievement"].isna()]
    if len(have) > PWS_ROWS_MAX:
        top, bottom = have.head(PWS_ROWS_MAX // 2), have.tail(PWS_ROWS_MAX // 2)
        shown = [*top.to_dict("records"), None, *bottom.to_dict("records")]
    else:
        shown = have.to_dict("records")
    styles = []
    for rec in shown:
        if rec is None:
            rows.append([table_cell(tr("monev.pws_between", n=len(have) - PWS_ROWS_MAX),
                                    st.cell), "", "", "", "", "", ""])
            styles.append(("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)))
            continue
        value = rec["cumulative"] if kind == "cumulative" else rec["value"]
        cls = rec["pws_class"]
        rows.append([num_text(rec["rank"]), table_cell(rec["desa_name"], st.cell),
                     table_cell(ctx.kec_names.get(rec["kecamatan_code"],
                                                  rec["kecamatan_code"]), st.cell),
                     num_text(rec["sasaran"]) + ("*" if rec["sasaran_source"] ==
                                                 pws.SOURCE_ESTIMATE else ""),
                     num_text(value, 0 if kind != "prevalence" else 3),
                     format_percent(rec["achievement"]),
                     table_cell(pws.class_label(cls), st.cell)])
        if cls in sym.PWS_STYLES:
            styles.append(("BACKGROUND", (6, len(rows) - 1), (6, len(rows) - 1),
                           colors.HexColor(sym.PWS_STYLES[cls].fill)))
            if cls in ("baik", "jelek"):
                styles.append(("TEXTCOLOR", (6, len(rows) - 1), (6, len(rows) - 1),
                               colors.white))
    if len(none):
        rows.append([table_cell(tr("monev.pws_no_data", n=len(none)), st.cell),
                     "", "", "", "", "", ""])
        styles.append(("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)))
    t = Table(rows, colWidths=[width * x for x in (0.07, 0.2, 0.18, 0.1, 0.1, 0.1, 0.25)],
              repeatRows=1)
    t.setStyle(table_style(numeric_from=3, n_rows=len(rows)))
    t.setStyle([("ALIGN", (0, 0), (0, -1), "RIGHT"), ("ALIGN", (6, 0), (6, -1), "LEFT")]
               + styles)
    return t


def _maps(ctx: MonevContext, st, width: float) -> list:
    m = ctx.monev
    if not m.rankings or not ctx.project.has("desa"):
        return []
    data = prepare_map_data(ctx.project, None)
    grid = small_multiples(data, m, st, width)
    if not grid:
        return []
    return [PageBreak(), Paragraph(esc(tr("monev.h.maps")), st.h1), *grid]


# --- actions and money ----------------------------------------------------------------------
def _spending(ctx: MonevContext, st, width: float) -> list:
    m = ctx.monev
    out: list = [PageBreak(), Paragraph(esc(tr("monev.h.spending")), st.h1)]
    if not m.has_actions:
        return out + [Paragraph(esc(tr("monev.actions_none")), st.body)]
    s = m.spending
    out.append(Paragraph(esc(tr("monev.spending_intro", date=format_date(m.as_of))), st.note))
    head = ["source", "ta", "actions", "budget", "spent", "share", "late"]
    rows = [[table_cell(tr(f"monev.col.{h}"), st.cell_head) for h in head]]
    styles = []
    for r in s.to_dict("records"):
        src = tr("common.missing") if r["funding_source"] == "–" else \
            enum_text(FundingSource, r["funding_source"])
        share = format_percent(r["spent_share"])
        if r["over_plan"]:
            share += " " + tr("monev.over_plan")
            styles.append(("TEXTCOLOR", (5, len(rows)), (5, len(rows)), BANNER))
        rows.append([table_cell(src, st.cell), year_text(r["ta"]), num_text(r["actions"]),
                     format_rupiah(r["budget"]), format_rupiah(r["spent"]),
                     table_cell(share, st.cell_right), num_text(r["late"])])
    total_b = s["budget"].sum(min_count=1) if len(s) else None
    total_s = s["spent"].sum(min_count=1) if len(s) else None
    rows.append([table_cell(tr("report.total"), st.cell_head), "",
                 num_text(s["actions"].sum() if len(s) else None), format_rupiah(total_b),
                 format_rupiah(total_s),
                 format_percent(total_s / total_b if total_b and total_s is not None
                                and np.isfinite(total_b) and total_b > 0 else None),
                 num_text(s["late"].sum() if len(s) else None)])
    t = Table(rows, colWidths=[width * x for x in (0.22, 0.08, 0.09, 0.2, 0.2, 0.12, 0.09)],
              repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    t.setStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT),
                ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD)] + styles)
    out.append(t)
    by_status = m.progress.by_status
    if len(by_status):
        words = ", ".join(f"{A.ActionStatus(s_).label}: {num_text(n)}"
                          for s_, n in zip(by_status["status"], by_status["actions"],
                                           strict=True) if s_ in A.ActionStatus._value2member_map_)
        out.append(Paragraph(esc(tr("monev.by_status", statuses=words)), st.small))
    return out


def _late(ctx: MonevContext, st, width: float) -> list:
    m = ctx.monev
    if not m.has_actions:
        return []
    out: list = [Paragraph(esc(tr("monev.h.late", date=format_date(m.as_of))), st.h2)]
    if not len(m.late):
        return out + [Paragraph(esc(tr("monev.late_none")), st.body)]
    head = ["action", "kegiatan", "desa", "responsible", "end", "days_late", "status"]
    rows = [[table_cell(tr(f"monev.col.{h}"), st.cell_head) for h in head]]
    for r in m.late.head(LIST_ROWS_MAX).to_dict("records"):
        rows.append([r["action_id"], table_cell(r["kegiatan"], st.cell),
                     table_cell(ctx.names.get(r["desa_code"], "–"), st.cell),
                     table_cell(r["responsible"] if isinstance(r["responsible"], str) else "–",
                                st.cell), r["end"] or "–", num_text(r["days_late"]),
                     table_cell(A.ActionStatus(r["status"]).label, st.cell)])
    if len(m.late) > LIST_ROWS_MAX:
        out.append(Paragraph(esc(tr("monev.top", shown=LIST_ROWS_MAX, n=len(m.late))), st.note))
    t = Table(rows, colWidths=[width * x for x in (0.09, 0.28, 0.14, 0.15, 0.12, 0.09, 0.13)],
              repeatRows=1)
    t.setStyle(table_style(n_rows=len(rows)))
    t.setStyle([("ALIGN", (5, 0), (5, -1), "RIGHT")])
    return out + [t]


def _done_open(ctx: MonevContext, st, width: float) -> list:
    m = ctx.monev
    if not m.has_actions:
        return []
    out: list = [Paragraph(esc(tr("monev.h.done_open")), st.h2)]
    d = m.done_open
    if not len(d):
        return out + [Paragraph(esc(tr("monev.done_open_none")), st.body)]
    origin = d["state_from"].iloc[0]
    out.append(Paragraph(esc(tr("monev.done_open_from_analysis") if origin == "analysis"
                             else tr("monev.done_open_from_period",
                                                period=parse_period(origin).label())), st.note))
    head = ["action", "kegiatan", "desa", "end", "open_gaps"]
    rows = [[table_cell(tr(f"monev.col.{h}"), st.cell_head) for h in head]]
    for r in d.head(LIST_ROWS_MAX).to_dict("records"):
        rows.append([r["action_id"], table_cell(r["kegiatan"], st.cell),
                     table_cell(r["desa_name"] or r["desa_code"], st.cell), r["end"] or "–",
                     table_cell(gap_words(r["open_gaps"]), st.cell)])
    t = Table(rows, colWidths=[width * x for x in (0.1, 0.32, 0.18, 0.12, 0.28)], repeatRows=1)
    t.setStyle(table_style(n_rows=len(rows)))
    return out + [KeepTogether(t) if len(rows) < 12 else t]


def build_monev(project, path: Path, *, pagesize, as_of=None, month=None, indicators=None,
                author=None, date=None, front=None, progress=None, is_cancelled=None) -> Path:
    """The Monev PDF of ``project`` at ``path`` (written atomically; nothing on failure).  The
    gaps of actions marked done are judged by the stored analysis when there is one."""
    from ilp_gis.analysis import load_result
    from ilp_gis.monitoring.monev import monev_summary
    from layers.atomic import atomic_write

    summary = monev_summary(project, as_of=as_of, month=month, indicators=indicators,
                            result=load_result(project))
    checkpoint(progress, is_cancelled, 0.1)

    def write(tmp: Path) -> None:
        write_monev_pdf(project, summary, tmp, pagesize=pagesize, author=author, date=date,
                        front=front, progress=progress, is_cancelled=is_cancelled)

    return atomic_write(path, write)
