"""The budget synchronisation as tables for people (XLSX sheets, report sections), headers and
values in the UI language.  Imports pandas and ``ilp_gis`` (i18n, budget.cells, budget.sync).
"""

from __future__ import annotations

import pandas as pd

from ilp_gis.budget.cells import is_missing
from ilp_gis.budget.sync import BudgetSync
from ilp_gis.i18n import has, register_catalog, tr
from ilp_gis.model import FundingSource


def budget_tables(sync: BudgetSync, *, lang: str | None = None) -> dict[str, pd.DataFrame]:
    """The budget-sync sheets for an XLSX workbook: ``{sheet title: DataFrame}``.

    Headers and category values are in the UI language; numbers stay numbers (Rp amounts as
    floats, years as integers) so the workbook can format and sum them.
    """
    def t(key: str) -> str:
        return tr(key, lang=lang) if lang else tr(key)

    def state(s: str) -> str:
        return t(f"budget.state.{s}")

    def kind(k: str) -> str:
        return t(f"gap.{k}") if has(f"gap.{k}") else k  # gap labels live with the gap kinds

    def sources(s: str) -> str:
        if not s:
            return ""
        out = []
        for v in s.split(";"):
            try:
                out.append(t(f"funding.{FundingSource(v).value}"))
            except ValueError:
                out.append(v)
        return ", ".join(out)

    gf = sync.gap_funding.sort_values(["priority_rank", "gap_id"], na_position="last")

    def gap_columns(g: pd.DataFrame) -> dict:
        return {
            t("budget.col.priority_rank"): g["priority_rank"].astype("Int64"),
            t("budget.col.kind"): g["kind"].map(kind),
            t("budget.col.desa_code"): g["desa_code"],
            t("budget.col.desa"): g["desa_name"],
            t("budget.col.kecamatan"): g["kecamatan_name"],
            t("budget.col.state"): g["funding_state"].map(state),
        }

    gap_sheet = pd.DataFrame({
        **gap_columns(gf),
        t("budget.col.sources"): gf["sources"].map(sources),
        t("budget.col.years"): gf["years"].str.replace(";", ", "),
        t("budget.col.amount"): gf["amount"],
        t("budget.col.needed"): gf["needed"],
        t("budget.col.shortfall"): gf["shortfall"],
        t("budget.col.budget_ids"): gf["budget_ids"].str.replace(";", ", "),
    })
    un = sync.unfunded
    unfunded_sheet = pd.DataFrame({
        **gap_columns(un),
        t("budget.col.shortfall"): un["shortfall"],
    })
    tot = sync.totals
    totals_sheet = pd.DataFrame({
        t("budget.col.source"): tot["source"].map(
            lambda v: sources(str(v)) if not is_missing(v) else ""),
        t("budget.col.year"): tot["year"],
        t("budget.col.lines"): tot["lines"],
        t("budget.col.amount"): tot["amount"],
        t("budget.col.amount_on_gaps"): tot["amount_on_gaps"],
    })
    df = sync.desa_funding
    desa_sheet = pd.DataFrame({
        t("budget.col.desa_code"): df["desa_code"],
        t("budget.col.state"): df["funding_state"].map(state),
        t("budget.col.gaps"): df["gaps"],
        t("budget.state.funded"): df["funded"],
        t("budget.state.partly"): df["partly"],
        t("budget.state.unfunded"): df["unfunded"],
    })
    return {
        t("budget.sheet.gaps"): gap_sheet.reset_index(drop=True),
        t("budget.sheet.unfunded"): unfunded_sheet.reset_index(drop=True),
        t("budget.sheet.totals"): totals_sheet.reset_index(drop=True),
        t("budget.sheet.desa"): desa_sheet.reset_index(drop=True),
    }


register_catalog("ilp_gis", "budget.tables")
