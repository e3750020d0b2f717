"""Road lines that cross without a shared vertex, noded at their crossings (on request).

The road model: two road lines meet where they share a vertex (after snapping to 1 m in the
data's UTM zone); lines that merely cross — a bridge or flyover over another road, or a layer
digitised without noding — are not connected there.  Many road layers (OpenStreetMap among them)
are noded where roads really meet, so that is the default and a bridge stays a bridge.  For a
layer whose lines are drawn without shared vertices at junctions, the rule
``roads.node_at_crossings = 1`` (``ilp-gis analyze --node-crossings``) inserts a shared vertex at
every point where two lines cross or touch, so the road graph joins them there.

:func:`node_at_crossings` keeps every line and its attributes (no line is split or merged; only
vertices are added): crossing pairs come from a shapely ``STRtree`` query, their intersection
points are inserted into both lines with ``shapely.snap`` at a tolerance far below the 1 m
snapping of the graph.  Imports numpy, pandas, geopandas and shapely.
"""

from __future__ import annotations

import numpy as np
import shapely

NODE_RULE = "roads.node_at_crossings"
"""Rule: 1 = node road lines at every crossing before the road graph is built."""


def node_crossings_on(rules) -> bool:
    return rules is not None and float(rules.value(NODE_RULE, 0.0)) >= 0.5


def node_at_crossings(roads):
    """``(roads with a shared vertex at every crossing, number of vertices added)``.

    Only the geometry column changes; lines that cross nothing are kept as they are."""
    if roads is None or len(roads) == 0:
        return roads, 0
    geoms = np.asarray(roads.geometry.values, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = (left < right) & ok[left] & ok[right]
    left, right = left[keep], right[keep]
    if not len(left):
        return roads, 0
    # Where two lines meet only at a vertex they already share, snapping adds nothing.
    meet = shapely.intersection(geoms[left], geoms[right])
    parts, which = shapely.get_parts(meet, return_index=True)
    pts = shapely.get_type_id(parts) == 0  # crossing points (overlapping stretches share vertices)
    parts, which = parts[pts], which[pts]
    if not len(parts):
        return roads, 0
    xy = shapely.get_coordinates(parts)
    # each crossing point belongs to both lines of its pair
    owner = np.concatenate([left[which], right[which]])
    xy = np.concatenate([xy, xy])
    order = np.argsort(owner, kind="stable")
    owner, xy = owner[order], xy[order]
    lines, start = np.unique(owner, return_index=True)
    points = shapely.multipoints(xy, indices=np.repeat(np.arange(len(lines)),
                                                      np.diff(np.r_[start, len(owner)])))
    tol = _tolerance(roads.crs)
    before = shapely.get_num_coordinates(geoms[lines])
    noded = shapely.snap(geoms[lines], points, tol)
    added = int((shapely.get_num_coordinates(noded) - before).sum())
    out_geoms = geoms.copy()
    out_geoms[lines] = noded
    out = roads.copy()
    out[out.geometry.name] = out_geoms
    out = out.set_geometry(out.geometry.name, crs=roads.crs)
    return out, max(added, 0)


def _tolerance(crs) -> float:
    """A snapping tolerance of about 1 cm in the layer's units."""
    if crs is not None and getattr(crs, "is_geographic", False):
        return 1e-7  # degrees (~1 cm)
    return 0.01  # metres
