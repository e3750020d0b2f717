"""The appendix: the rules used and the import report counted by file and status.
Imports the report context and cells.
"""

from __future__ import annotations

import pandas as pd
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Table

from ilp_gis.i18n import register_catalog, tr
from ilp_gis.model import ImportStatus
from reports.pdf.cells import enum_text, num_text, table_cell
from reports.pdf.context import ReportContext, rules_used
from reports.styles import esc, table_style

register_catalog("reports", "pdf.appendix")


def import_summary(import_report: pd.DataFrame) -> pd.DataFrame:
    """Counts of import-report rows by file and status (one column per status)."""
    if import_report is None or not len(import_report):
        return pd.DataFrame()
    table = import_report.pivot_table(index="file", columns="status", values="row",
                                      aggfunc="count", fill_value=0)
    order = [s.value for s in ImportStatus if s.value in table.columns]
    order += [c for c in table.columns if c not in order]
    return table[order].astype(int)


def appendix_section(ctx: ReportContext, st, width: float) -> list:
    out: list = [PageBreak(), Paragraph(esc(tr("report.h.appendix")), st.h1),
                 Paragraph(esc(tr("report.h.rules")), st.h2),
                 Paragraph(esc(rules_used(ctx.project)), st.note)]
    head = [tr("report.col.rule"), tr("report.col.value"), tr("report.col.unit"),
            tr("report.col.rule_source"), tr("report.col.confirmed")]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    for rule in ctx.project.rules.all():
        v = rule.value
        dec = 0 if float(v).is_integer() else 2
        rows.append([table_cell(rule.name, st.cell), num_text(v, dec),
                     table_cell(rule.unit_in(), st.cell), table_cell(rule.source_in(), st.cell),
                     tr("report.yes") if rule.confirmed else tr("report.no")])
    t = Table(rows, colWidths=[width * x for x in (0.24, 0.08, 0.19, 0.36, 0.13)], repeatRows=1)
    t.setStyle(table_style(n_rows=len(rows)))
    t.setStyle([("ALIGN", (1, 1), (1, -1), "RIGHT")])
    out.append(t)
    out.append(Paragraph(esc(tr("report.h.import")), st.h2))
    summ = import_summary(ctx.project.import_report)
    if not len(summ):
        return out + [Paragraph(esc(tr("report.no_import")), st.body)]
    head = [tr("report.col.file")] + [enum_text(ImportStatus, c) for c in summ.columns]
    rows = [[table_cell(h, st.cell_head) for h in head]]
    for fname, r in summ.iterrows():
        rows.append([table_cell(fname, st.cell)] + [num_text(v) for v in r.values])
    rest = (width * 0.6) / max(len(summ.columns), 1)
    t = Table(rows, colWidths=[width * 0.4] + [rest] * len(summ.columns), repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    out.append(KeepTogether([t]))
    return out
