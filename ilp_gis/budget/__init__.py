"""Budget lines: reading what budget offices write (``cells``), the actions that close the gaps
(``actions``), the budget synchronisation of lines with those actions (``sync``) and its tables
for people (``tables``).  The public API of those modules; imports only them.
"""

from __future__ import annotations

from ilp_gis.budget.actions import ACTION_COLUMNS, derive_actions
from ilp_gis.budget.cells import (
    MAX_LINE_AMOUNT_RULE,
    Parsed,
    default_max_line_amount,
    format_amount_short,
    is_missing,
    parse_activity,
    parse_amount,
    parse_source,
    parse_status,
    parse_year,
)
from ilp_gis.budget.sync import (
    FUNDABLE_GAP_KINDS,
    FUNDING_STATES,
    GAP_ACTIVITIES,
    GAP_FUNDING_COLUMNS,
    LINE_ISSUES,
    BudgetSync,
    activity_cost,
    budget_sync,
    funding_layer,
)
from ilp_gis.budget.tables import budget_tables

__all__ = ["ACTION_COLUMNS", "FUNDABLE_GAP_KINDS", "LINE_ISSUES", "derive_actions", "FUNDING_STATES", "GAP_ACTIVITIES", "GAP_FUNDING_COLUMNS",
           "MAX_LINE_AMOUNT_RULE", "BudgetSync", "Parsed", "activity_cost", "budget_sync",
           "budget_tables", "default_max_line_amount",
           "format_amount_short", "funding_layer", "is_missing", "parse_activity",
           "parse_amount", "parse_source", "parse_status", "parse_year"]
