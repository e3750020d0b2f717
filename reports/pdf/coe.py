"""The COE section: each designated COE unit (1 Puskesmas + 1 Pustu + that Pustu's Posyandu)
with its score, the five indicator-group shares beside it, the verdict against the threshold and
the scoring rule used; then the designation problems and where the indicator list comes from.
Imports reports.tables (the rows, shared with the XLSX sheet), the context and cells.
"""

from __future__ import annotations

import pandas as pd
from reportlab.platypus import Paragraph, Table

from ilp_gis.i18n import format_percent, register_catalog, tr
from ilp_gis.model import CoeGroup
from reports.pdf.areas import province_label
from reports.pdf.cells import num_text, table_cell
from reports.pdf.context import ReportContext, province_key
from reports.pdf.flow import long_table
from reports.styles import esc, table_style
from reports.tables import coe_table

register_catalog("reports", "pdf.coe")


def _pct(v) -> str:
    return "–" if v is None or pd.isna(v) else format_percent(float(v), 0)


def _verdict(v) -> str:
    if v is None or v is pd.NA or pd.isna(v):
        return tr("report.coe.undecided")
    return tr("report.coe.meets") if bool(v) else tr("report.coe.below")


def coe_section(ctx: ReportContext, st, width: float) -> list:
    out: list = [Paragraph(esc(tr("report.h.coe")), st.h1)]
    lacks = ctx.inputs.figure_missing("coe_meeting_threshold")
    if lacks:
        from ilp_gis.inputs import missing_text

        return out + [Paragraph(esc(tr("report.coe.none_designated") + " "
                                    + missing_text(lacks)), st.body)]
    rows_data = coe_table(ctx.result, ctx.kec_names, ctx.kec_code)
    units = rows_data[rows_data["unit_id"].notna()] if len(rows_data) else rows_data
    if not len(units):
        return out + [Paragraph(esc(tr("report.coe.none_designated")), st.body)]
    thr = ctx.project.rules.value("target.coe_threshold")
    meets = units["meets"].astype("boolean")
    out.append(Paragraph(esc(tr("report.coe.lead", ok=int(meets.fillna(False).sum()),
                                n=len(units), limit=format_percent(thr, 0))), st.body))
    if ctx.national:  # thousands of units: per province here, per unit in the XLSX
        return out + _by_province(ctx, st, width) + [
            Paragraph(esc(tr("report.coe.units_in_xlsx")), st.note),
            Paragraph(esc(tr("report.coe.groups_note")), st.note)]
    head = [tr("report.coe.col.unit"), tr("report.coe.col.pustu"),
            tr("report.coe.col.posyandu"), tr("report.coe.col.score"),
            *[tr(f"report.coe.col.{g.value}") for g in CoeGroup], tr("report.coe.col.verdict")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    marks: dict[str, str] = {}
    for r in units.itertuples(index=False):
        rule = r.rule_label or tr("coe.rule.none")
        mark = marks.setdefault(rule, "*" * (len(marks) + 1))
        name = f"{r.name} ({r.kecamatan})" if isinstance(r.kecamatan, str) else str(r.name)
        pustu = r.pustu_name if isinstance(r.pustu_name, str) else ""
        if isinstance(r.problem_label, str) and r.problem_label:
            pustu = f"{pustu} ({r.problem_label})" if pustu else r.problem_label
        rows.append([table_cell(name, st.cell), table_cell(pustu, st.cell),
                     num_text(r.posyandu_count), f"{_pct(r.score)}{mark}",
                     *[_pct(getattr(r, g.column)) for g in CoeGroup],
                     table_cell(_verdict(r.meets), st.cell)])
    fr = [0.165, 0.13, 0.095, 0.07, 0.08, 0.095, 0.07, 0.105, 0.095, 0.095]
    t = Table(rows, colWidths=[width * x for x in fr], repeatRows=1)
    t.setStyle(table_style(numeric_from=2, n_rows=len(rows)))
    out.append(t)
    notes = [f"{m} {tr('report.coe.rule_note', rule=rule)}" for rule, m in marks.items()]
    notes.append(tr("report.coe.groups_note"))
    stray = rows_data[rows_data["unit_id"].isna()]
    for r in stray.itertuples(index=False):
        notes.append(tr("report.coe.stray", pustu=r.pustu_name or r.pustu_id,
                        problem=r.problem_label))
    lst = (ctx.result.summary or {}).get("coe_indicators") or {}
    if lst:
        origin = lst.get("origin")
        notes.append(tr("report.coe.list_note", n=lst.get("total"), groups=", ".join(
            f"{g.label} {lst.get('per_group', {}).get(g.value, 0)}" for g in CoeGroup),
            source=tr("report.coe.default_list") if origin == "coe_indicators.toml"
            else origin, unconfirmed=lst.get("unconfirmed")))
    return out + [Paragraph(esc(n), st.note) for n in notes]


def coe_by_province(coe: pd.DataFrame) -> pd.DataFrame:
    """Designated COE units per province (of their Puskesmas's kecamatan code): code, units,
    meets, below, undecided (no verdict), mean score."""
    cols = ["code", "units", "meets", "below", "undecided", "score"]
    u = pd.DataFrame(coe) if coe is not None else pd.DataFrame()
    if not len(u) or "kecamatan_code" not in u:
        return pd.DataFrame(columns=cols)
    if "unit_id" in u:
        u = u[u["unit_id"].notna()]
    u = u[u["kecamatan_code"].notna()]
    meets = u["meets"].astype("boolean") if "meets" in u else pd.Series(pd.NA, index=u.index,
                                                                        dtype="boolean")
    f = pd.DataFrame({"code": province_key(u["kecamatan_code"]).values,
                      "meets": meets.eq(True).fillna(False).to_numpy(),
                      "below": meets.eq(False).fillna(False).to_numpy(),
                      "undecided": meets.isna().to_numpy(),
                      "score": pd.to_numeric(u.get("score"), errors="coerce").to_numpy()})
    grp = f.groupby("code")
    out = grp[["meets", "below", "undecided"]].sum().astype(int)
    out.insert(0, "units", grp.size())
    out["score"] = grp["score"].mean()
    return out.reset_index()[cols]


def _by_province(ctx: ReportContext, st, width: float) -> list:
    agg = coe_by_province(getattr(ctx.result, "coe", None))
    if not len(agg):
        return []
    head = [tr("report.col.province"), tr("report.coe.col.units"), tr("report.coe.meets"),
            tr("report.coe.below"), tr("report.coe.undecided"), tr("report.coe.col.mean_score")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    for r in agg.itertuples(index=False):
        rows.append([table_cell(province_label(r.code), st.cell), num_text(r.units),
                     num_text(r.meets), num_text(r.below), num_text(r.undecided), _pct(r.score)])
    rows.append([table_cell(tr("report.total"), st.cell_head)]
                + [num_text(agg[c].sum()) for c in ("units", "meets", "below", "undecided")]
                + [""])
    t = long_table(rows, [width * x for x in (0.3, 0.14, 0.14, 0.14, 0.14, 0.14)],
                   table_style(numeric_from=1, n_rows=len(rows)), totals=True,
                   caption_style=st.h2,
                   continued=tr("report.continued", title=tr("report.h.coe")))
    return [t]

