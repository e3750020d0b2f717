"""Budget lines: reading what budget offices write (``cells``), the budget synchronisation
with the gaps (``sync``) and its tables for people (``tables``).  The public API of those three
modules; imports only them.
"""

from __future__ import annotations

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
    BudgetSync,
    activity_cost,
    budget_sync,
    funding_layer,
)
from ilp_gis.budget.tables import budget_tables

__all__ = ["FUNDABLE_GAP_KINDS", "FUNDING_STATES", "GAP_ACTIVITIES", "GAP_FUNDING_COLUMNS",
           "MAX_LINE_AMOUNT_RULE", "BudgetSync", "Parsed", "activity_cost", "budget_sync",
           "budget_tables", "default_max_line_amount",
           "format_amount_short", "funding_layer", "is_missing", "parse_activity",
           "parse_amount", "parse_source", "parse_status", "parse_year"]
