"""The budget synchronisation as tables for people (XLSX sheets, report sections), headers and
values in the UI language.  Imports pandas and ``ilp_gis`` (i18n, budget.cells, budget.sync).
"""

from __future__ import annotations

import pandas as pd

from ilp_gis.budget.cells import is_missing
from ilp_gis.budget.sync import BudgetSync
from ilp_gis.i18n import has, register_catalog, tr
from ilp_gis.model import Activity, FundingSource


def budget_tables(sync: BudgetSync, *, lang: str | None = None) -> dict[str, pd.DataFrame]:
    """The budget-sync sheets for an XLSX workbook: ``{sheet title: DataFrame}``.

    Actions (each costed once, with the gaps it closes), gaps (with their action), the unfunded
    actions, the totals per source and year, the lines with an issue, and the desa.  Headers and
    category values are in the UI language; numbers stay numbers (Rp amounts as floats, years
    as integers) so the workbook can format and sum them.
    """
    def t(key: str) -> str:
        return tr(key, lang=lang) if lang else tr(key)

    def state(s: str) -> str:
        return t(f"budget.state.{s}")

    def kind(k: str) -> str:
        return t(f"gap.{k}") if has(f"gap.{k}") else k

    def activity(a) -> str:
        try:
            return Activity(a).label if not lang else t(f"activity.{Activity(a).value}")
        except ValueError:
            return "" if is_missing(a) else str(a)

    def sources(s: str) -> str:
        if not isinstance(s, str) or not s:
            return ""
        out = []
        for v in s.split(";"):
            try:
                out.append(t(f"funding.{FundingSource(v).value}"))
            except ValueError:
                out.append(v)
        return ", ".join(out)

    a = sync.actions

    def action_columns(x: pd.DataFrame) -> dict:
        return {
            t("budget.col.action_id"): x["action_id"],
            t("budget.col.priority_rank"): x["priority_rank"].astype("Int64"),
            t("budget.col.activity"): x["activity"].map(activity),
            t("budget.col.desa_code"): x["desa_code"],
            t("budget.col.desa"): x["desa_name"],
            t("budget.col.kecamatan"): x["kecamatan_name"],
            t("budget.col.facility"): x["fac_id"],
            t("budget.col.closes"): x["gap_labels"],
            t("budget.col.gaps"): x["n_gaps"],
            t("budget.col.state"): x["funding_state"].map(state),
        }

    action_sheet = pd.DataFrame({
        **action_columns(a),
        t("budget.col.year"): a["year"],
        t("budget.col.sources"): a["sources"].map(sources),
        t("budget.col.amount"): a["amount"],
        t("budget.col.needed"): a["needed"],
        t("budget.col.shortfall"): a["shortfall"],
        t("budget.col.budget_ids"): a["budget_ids"].str.replace(";", ", "),
    })
    gf = sync.gap_funding.sort_values(["priority_rank", "gap_id"], na_position="last")
    gap_sheet = pd.DataFrame({
        t("budget.col.priority_rank"): gf["priority_rank"].astype("Int64"),
        t("budget.col.kind"): gf["label"].where(gf["label"].notna(), gf["kind"].map(kind)),
        t("budget.col.desa_code"): gf["desa_code"],
        t("budget.col.desa"): gf["desa_name"],
        t("budget.col.kecamatan"): gf["kecamatan_name"],
        t("budget.col.action_id"): gf["action_id"],
        t("budget.col.state"): gf["funding_state"].map(state),
        t("budget.col.sources"): gf["sources"].map(sources),
        t("budget.col.years"): gf["years"].str.replace(";", ", "),
        t("budget.col.budget_ids"): gf["budget_ids"].str.replace(";", ", "),
    })
    un = sync.unfunded
    unfunded_sheet = pd.DataFrame({**action_columns(un),
                                   t("budget.col.shortfall"): un["shortfall"]})
    tot = sync.totals
    totals_sheet = pd.DataFrame({
        t("budget.col.source"): tot["source"].map(
            lambda v: sources(str(v)) if not is_missing(v) else ""),
        t("budget.col.year"): tot["year"],
        t("budget.col.lines"): tot["lines"],
        t("budget.col.amount"): tot["amount"],
        t("budget.col.amount_on_gaps"): tot["amount_on_gaps"],
    })
    ln = sync.lines[sync.lines["issue"] != ""] if len(sync.lines) else sync.lines
    issue_sheet = pd.DataFrame({
        t("budget.col.budget_ids"): ln.get("budget_id"),
        t("budget.col.source"): ln.get("source", pd.Series(dtype=object)).map(
            lambda v: sources(str(v)) if not is_missing(v) else ""),
        t("budget.col.year"): ln.get("year"),
        t("budget.col.activity"): ln.get("activity", pd.Series(dtype=object)).map(activity),
        t("budget.col.amount"): ln.get("amount"),
        t("budget.col.issue"): ln.get("issue", pd.Series(dtype=object)).map(
            lambda v: t(f"budget.issue.{v}")),
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
        t("budget.sheet.actions"): action_sheet.reset_index(drop=True),
        t("budget.sheet.gaps"): gap_sheet.reset_index(drop=True),
        t("budget.sheet.unfunded"): unfunded_sheet.reset_index(drop=True),
        t("budget.sheet.totals"): totals_sheet.reset_index(drop=True),
        t("budget.sheet.issues"): issue_sheet.reset_index(drop=True),
        t("budget.sheet.desa"): desa_sheet.reset_index(drop=True),
    }


register_catalog("ilp_gis", "budget.tables")
