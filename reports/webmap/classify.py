"""Classes of a coverage figure: each desa's fill colour and the legend rows.

May import ``ilp_gis`` (i18n), ``layers.symbology``, numpy/pandas and ``reports.webmap.indicators``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ilp_gis.i18n import format_percent
from layers import symbology as sym
from reports.webmap import indicators as ind
from reports.webmap.indicators import ColourField

SHARE_BREAKS = (0.5, 0.7, 0.9, 0.9995)
"""Upper bounds of the coverage classes for shares: < 50%, 50–70%, 70–90%, 90–<100%, 100%.
Fixed (not quantiles) because coverage piles up at 100%: quantiles would paint fully covered
desa in the "worst" colour, and a planner reads these classes against the ILP target."""


def colour_classes(field: ColourField, values) -> tuple[list[str], list[tuple[str, str]]]:
    """Fill colour per desa (``symbology.NO_DATA_COLOUR`` where missing) and the legend rows
    ``(colour, label)``.  Shares use fixed classes (:data:`SHARE_BREAKS`); other figures
    quantile classes of the shared symbology."""
    v = np.asarray(values, dtype=float)
    finite = v[np.isfinite(v)]
    ramp = sym.COVERAGE_RAMP if field.higher_is_better else sym.BURDEN_RAMP
    if not len(finite):
        return [sym.NO_DATA_COLOUR] * len(v), []
    if field.kind == "share":
        top = max(1.0, float(finite.max()))
        over = top > 1.0 + 1e-9  # e.g. more Posyandu than dusun
        breaks = [*SHARE_BREAKS, top]
        labels = [f"< {format_percent(0.5, 0)}",
                  f"{format_percent(0.5, 0)} – {format_percent(0.7, 0)}",
                  f"{format_percent(0.7, 0)} – {format_percent(0.9, 0)}",
                  f"{format_percent(0.9, 0)} – < {format_percent(1.0, 0)}",
                  f"≥ {format_percent(1.0, 0)}" if over else format_percent(1.0, 0)]
        palette = sym.ramp_colours(ramp, len(breaks))
    else:
        raw = sym.quantile_breaks(finite)
        breaks = []
        for b in raw:  # quantiles of tied values differ only by rounding noise
            if not breaks or not math.isclose(b, breaks[-1], rel_tol=1e-9, abs_tol=1e-12):
                breaks.append(b)
        palette = sym.ramp_colours(ramp, len(breaks))
        lo = float(finite.min())
        labels = []
        for i, b in enumerate(breaks):
            start = lo if i == 0 else breaks[i - 1]
            labels.append(field.format(b) if field.format(start) == field.format(b)
                          else f"{field.format(start)} – {field.format(b)}")
    idx = sym.classify(v, breaks)
    colours = [palette[i] if i >= 0 else sym.NO_DATA_COLOUR for i in idx]
    used = set(int(i) for i in idx if i >= 0)
    legend = [(palette[i], labels[i]) for i in range(len(breaks))
              if field.kind == "share" or i in used]
    return colours, legend


def auto_colour_key(desa: pd.DataFrame) -> str:
    """The first figure of :data:`indicators.AUTO_ORDER` that tells the desa apart (see
    :data:`indicators.AUTO_MAX_SHARE`); the first one with any data when none does."""
    first_with_data = None
    n = len(desa)
    for key in ind.AUTO_ORDER:
        field = ind.COLOUR_FIELDS[key]
        values = field.compute(desa).to_numpy(dtype=float)
        known = np.isfinite(values)
        if not n or not known.any():
            continue
        first_with_data = first_with_data or key
        colours, _ = colour_classes(field, values)
        counts = pd.Series([c for c, k in zip(colours, known, strict=True) if k]).value_counts()
        if (known.sum() >= ind.AUTO_MIN_DATA * n and len(counts) > 1
                and counts.iloc[0] <= ind.AUTO_MAX_SHARE * known.sum()):
            return key
    return first_with_data or ind.AUTO_ORDER[0]
