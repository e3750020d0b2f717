"""PDF outputs for paper: the planning report, the A3 Pokja wall map and the atlas.

``build_report(project, result, path, kind=...)`` is the one entry point; PDFs are written with
``invariant=1`` and atomically.  Imports reports.maps, reports.tables, reports.source, styles.
"""

from reports.pdf.appendix import import_summary
from reports.pdf.context import ReportContext, resolve_kecamatan
from reports.pdf.figures import key_figures
from reports.pdf.gaps import gap_rows
from reports.pdf.report import DEFAULT_PAPER, KINDS, PAPERS, build_report

__all__ = ["DEFAULT_PAPER", "KINDS", "PAPERS", "ReportContext", "build_report", "gap_rows",
           "import_summary", "key_figures", "resolve_kecamatan"]
