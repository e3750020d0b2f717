"""How population figures are labelled in every output (PDF, XLSX, web map, the app): a figure
that is an estimate carries "estimasi", a total made partly of estimates says so, and one line
names where the desa figures came from.  Imports ``ilp_gis`` only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilp_gis.i18n import format_number, register_catalog, tr
from ilp_gis.population import estimate_mask, is_estimate, population_sources, source_label


def estimate_mark() -> str:
    """``"estimasi"`` / ``"estimate"``."""
    return tr("population.estimate_mark")


def value_text(value, source, *, number=None) -> str:
    """A desa's population as people read it: ``"12.345"``, ``"12.345 (estimasi)"``, or
    ``"–"`` when unknown (never 0).  ``number`` formats the value (default: whole people)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "–"
    text = number(value) if number is not None else format_number(float(value), 0)
    return f"{text} ({estimate_mark()})" if is_estimate(source) else text


def any_estimate(desa: pd.DataFrame | None) -> bool:
    """True when some desa figure with a value is an estimate."""
    if desa is None or not len(desa) or "population_source" not in desa:
        return False
    pop = pd.to_numeric(desa["population"], errors="coerce").notna().to_numpy()
    return bool((estimate_mask(desa["population_source"].to_numpy(object)) & pop).any())


def label_with_mark(label: str, desa: pd.DataFrame | None) -> str:
    """``"Penduduk"`` → ``"Penduduk (estimasi)"`` when the figure holds an estimate."""
    return f"{label} ({estimate_mark()})" if any_estimate(desa) else label


def sources_line(desa: pd.DataFrame | None) -> str | None:
    """``"Sumber penduduk desa: raster penduduk 300 desa; estimasi (…) 90 desa"``, or None
    without desa."""
    if desa is None or not len(desa):
        return None
    counts = population_sources(desa)
    parts = [tr("population.source_count", source=source_label(None if k == "none" else k),
                n=format_number(n)) for k, n in counts.items()]
    return tr("population.sources_line", parts="; ".join(parts))


register_catalog("reports", "population")
