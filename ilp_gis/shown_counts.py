"""The Pustu and Posyandu count of each desa as outputs show it: ``n_<kind>`` where a loaded
input (a facility list or a per-desa table) gave the count, missing otherwise (a desa without
a source has no count, never 0).  Shared by the report panels and the desktop app's area tree,
so neither needs the other's heavy imports.  Imports numpy and pandas only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def known_counts(desa: pd.DataFrame, kind: str) -> pd.Series:
    """Per desa whether its count of ``kind`` (pustu, posyandu) came from a loaded input (a
    facility list or a per-desa table); a desa without a source has no count, never 0."""
    col = f"{kind}_count_source"
    if col not in desa:
        return pd.Series(True, index=desa.index)
    return desa[col].notna()


def counts(desa: pd.DataFrame, kind: str) -> pd.Series:
    """``n_<kind>`` of each desa, missing where no input gave the count."""
    n = pd.to_numeric(desa[f"n_{kind}"], errors="coerce") if f"n_{kind}" in desa else \
        pd.Series(np.nan, index=desa.index)
    return n.where(known_counts(desa, kind))
