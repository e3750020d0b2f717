"""Where the reports get their analysis: the results stored in the project, or a fresh run."""

from __future__ import annotations

from ilp_gis.analysis import analyze, load_result
from ilp_gis.budget import budget_sync
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.results import AnalysisResult

register_catalog("reports", "source")


def stored_result(project) -> AnalysisResult | None:
    """The analysis stored in the project tables (``result_*``), or None when there is none."""
    return load_result(project)


def get_result(project, result=None, *, progress=None, is_cancelled=None) -> AnalysisResult:
    """``result`` when given, else the stored analysis, else a fresh ``analyze(project)``."""
    if result is not None:
        return result
    stored = stored_result(project)
    if stored is not None:
        return stored
    if progress:
        progress(0.0, tr("report.progress.analysis"))
    return analyze(project, progress=progress, is_cancelled=is_cancelled)


def budget_sync_for(project, result):
    """The :class:`ilp_gis.budget.BudgetSync` of ``project``/``result`` for the outputs, or
    None when the project has no budget lines.  Computed for every project, national ones
    included (the matching is indexed: a few seconds for ~50,000 lines and ~200,000 gaps)."""
    if not len(project.budget):
        return None
    return budget_sync(project, result)
