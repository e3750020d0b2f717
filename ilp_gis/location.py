"""Which facilities have a position that distance and travel-time coverage may use.

Every facility carries a location quality (``model.LocationQuality``): ``exact``, ``fixed`` (a
repaired coordinate), ``desa`` (known only by its desa, stored at the desa point) or ``unknown``
(no usable coordinate and no desa).  Administrative figures count every facility of a known
desa; distance and travel-time coverage use only ``exact``/``fixed`` ones unless the rule
``coverage.place_desa_facilities`` is 1, which places the desa-level ones at their desa's
population point as estimates ("perkiraan") (:func:`coverage_positions`, for the analysis and
the siting planner alike).  Imports numpy, pandas, shapely and ``ilp_gis``
(model, rules).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from ilp_gis import model
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.rules import Rules

PLACE_RULE = "coverage.place_desa_facilities"
"""Rule: 1 = desa-level facilities count in distance coverage at their desa's population point."""

EXACT, FIXED, DESA, UNKNOWN = (q.value for q in model.LocationQuality)
_KNOWN = frozenset(q.value for q in model.LocationQuality)


def has_point(frame) -> np.ndarray:
    """Rows whose geometry is a usable point (not missing, not empty, finite)."""
    if not hasattr(frame, "geometry") or frame.geometry is None:
        return np.zeros(len(frame), dtype=bool)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    point = ok & (shapely.get_type_id(geoms) == 0)
    if point.any():  # POINT (NaN NaN) is not empty but is no position either
        xy = shapely.get_coordinates(geoms[point])  # one row per non-empty point
        ok[point] = np.isfinite(xy[:, 0]) & np.isfinite(xy[:, 1])
    return ok


def qualities(frame) -> np.ndarray:
    """The location quality of each row.  A row without one (a project of an older version)
    is ``exact`` when it has a point; a row without a point is ``unknown`` whatever it says,
    unless it is ``desa`` (its desa is known even when its point was not kept)."""
    n = len(frame)
    if "location_quality" in getattr(frame, "columns", ()):
        raw = frame["location_quality"].to_numpy(object)
        # a known quality is a text equal to one of them (a hash lookup per row)
        known = pd.Series(raw, dtype=object).isin(_KNOWN).to_numpy(bool)
        q = np.where(known, raw, EXACT).astype(object) if n else np.array([], dtype=object)
    else:
        q = np.full(n, EXACT, dtype=object)
    point = has_point(frame)
    q[~point & (q != DESA)] = UNKNOWN
    return q


def place_desa_facilities(rules: Rules | None) -> bool:
    """Whether ``rules`` place desa-level facilities at their desa point for coverage."""
    return rules is not None and float(rules.value(PLACE_RULE, 0.0)) >= 0.5


def positioned(quality: np.ndarray, rules: Rules | None) -> np.ndarray:
    """Rows that distance and travel-time coverage use: exact or fixed, and desa-level ones
    when :func:`place_desa_facilities`."""
    q = np.asarray(quality, dtype=object)
    ok = (q == EXACT) | (q == FIXED)
    if place_desa_facilities(rules):
        ok |= q == DESA
    return ok


def estimated(quality: np.ndarray, rules: Rules | None) -> np.ndarray:
    """Rows whose coverage position is an estimate (desa-level, placed by the rule)."""
    q = np.asarray(quality, dtype=object)
    return (q == DESA) & place_desa_facilities(rules)


def coverage_positions(fac, points, rules: Rules | None):
    """``fac`` with ``positioned`` (used by distance and travel-time coverage, see
    ``ilp_gis.location``) and ``estimated_position``; an estimated one's ``x``/``y`` moved to
    the main population point of its desa (the point the desa's people are measured from)."""
    q = fac["location_quality"].to_numpy(object)
    est = estimated(q, rules)
    fac = fac.assign(positioned=positioned(q, rules), estimated_position=est)
    if est.any() and len(points):
        main = points.sort_values("weight", ascending=False, kind="stable").drop_duplicates(
            "desa_code")
        xy = pd.DataFrame({"x": main.geometry.x.to_numpy(), "y": main.geometry.y.to_numpy()},
                          index=pd.Index(main["desa_code"].to_numpy(object), dtype=object))
        where = xy.reindex(pd.Index(fac["desa_code"].to_numpy(object)[est], dtype=object))
        x, y = fac["x"].to_numpy(float).copy(), fac["y"].to_numpy(float).copy()
        found = where["x"].notna().to_numpy()
        x[np.flatnonzero(est)[found]] = where["x"].to_numpy(float)[found]
        y[np.flatnonzero(est)[found]] = where["y"].to_numpy(float)[found]
        fac = fac.assign(x=x, y=y)
    return fac


def without_coordinates(types, quality: np.ndarray, rules: Rules | None,
                        kinds=tuple(t.value for t in model.FacilityType)) -> dict[str, int]:
    """``{"pustu": 12, ...}``: facilities of each type left out of distance coverage."""
    left = ~positioned(quality, rules)
    t = pd.Series(np.asarray(types, dtype=object)[left], dtype=object).value_counts()
    return {k: int(t.get(k, 0)) for k in kinds}


def estimated_counts(types, quality: np.ndarray, rules: Rules | None,
                     kinds=tuple(t.value for t in model.FacilityType)) -> dict[str, int]:
    """``{"pustu": 3, ...}``: facilities of each type placed at their desa point (estimates)."""
    est = estimated(quality, rules)
    t = pd.Series(np.asarray(types, dtype=object)[est], dtype=object).value_counts()
    return {k: int(t.get(k, 0)) for k in kinds}


def coverage_notes(summary: dict) -> list[str]:
    """The sentences every output prints beside distance coverage: "12 Pustu tanpa koordinat
    tidak dihitung dalam cakupan jarak", or, with the rule on, which ones were placed at their
    desa point (perkiraan).  Empty when every facility has its own coordinates."""
    out = []
    left = summary.get("facilities_without_coordinates") or {}
    placed = summary.get("facilities_placed_at_desa_point") or {}
    for t in model.FacilityType:
        n = int(left.get(t.value) or 0)
        if n:
            out.append(tr("location.left_out", n=n, type=t.label))
    for t in model.FacilityType:
        n = int(placed.get(t.value) or 0)
        if n:
            out.append(tr("location.placed_estimate", n=n, type=t.label))
    return out


register_catalog("ilp_gis", "location")
