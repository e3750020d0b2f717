"""Where a desa's population figure comes from (:class:`PopulationSource`) and the one rule
that spreads an area total over its desa by weights (families or area).  No files, no drawing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilp_gis.i18n import register_catalog, tr
from ilp_gis.model import LabelledEnum


class PopulationSource(LabelledEnum, prefix="population_source"):
    """The desa ``population_source`` column: which input gave the figure."""

    TABLE = "table"                          # a per-desa table
    BOUNDARY = "boundary"                    # an attribute of the desa boundary layer
    RASTER = "raster"                        # a population raster summed over the desa
    ESTIMATE_FAMILIES = "estimate_families"  # an area total spread by families
    ESTIMATE_AREA = "estimate_area"          # an area total spread by area

    @property
    def is_estimate(self) -> bool:
        return self in (PopulationSource.ESTIMATE_FAMILIES, PopulationSource.ESTIMATE_AREA)


ESTIMATES = frozenset(s.value for s in PopulationSource if s.is_estimate)
MEASURED = frozenset({PopulationSource.TABLE.value, PopulationSource.BOUNDARY.value})
"""Sources read from a figure per desa (a raster or an estimate never replaces them)."""


def is_estimate(source: object) -> bool:
    """True for an estimated population source (shown as "estimasi" wherever it appears)."""
    return isinstance(source, str) and source in ESTIMATES


def estimate_mask(sources) -> np.ndarray:
    """:func:`is_estimate` for a column of sources."""
    return pd.Series(sources, dtype=object).isin(ESTIMATES).to_numpy()


def source_label(source: object) -> str:
    """The people's name of a source ("estimasi menurut luas"); "tidak ada data" when none."""
    try:
        return PopulationSource(source).label
    except ValueError:
        return tr("population_source.none")


def population_sources(desa: pd.DataFrame) -> dict[str, int]:
    """Desa counted by the source of their population (``"none"``: no figure), for the
    summary and the reports' source line."""
    pop = pd.to_numeric(desa["population"], errors="coerce") if "population" in desa \
        else pd.Series(np.nan, index=desa.index)
    src = desa["population_source"] if "population_source" in desa \
        else pd.Series(None, index=desa.index, dtype=object)
    known = pop.notna().to_numpy()
    # a figure without a recorded source (projects of an older version) came from a table
    named = np.where(known, src.where(src.notna(), PopulationSource.TABLE.value).to_numpy(object),
                     "none")
    counts = pd.Series(named, dtype=object).value_counts()
    order = [s.value for s in PopulationSource] + ["none"]
    return {k: int(counts[k]) for k in order if k in counts.index}


def spread(total: float, weights) -> np.ndarray:
    """``total`` shared in proportion to ``weights`` (finite, ≥ 0, not all 0) in whole people
    (largest remainders), so the shares sum to ``total`` (rounded to a whole number).  Raises
    ``ValueError`` for weights that cannot share it."""
    w = np.asarray(weights, dtype=float)
    if not len(w) or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise ValueError("weights must be finite, non-negative and not all zero")
    people = int(round(float(total)))
    exact = people * w / w.sum()
    out = np.floor(exact)
    short = people - int(out.sum())
    if short > 0:  # the largest remainders get one more person each
        order = np.argsort(-(exact - out), kind="stable")[:short]
        out[order] += 1
    return out


register_catalog("ilp_gis", "population")
