"""Road lines crossing without a shared vertex: no junction by default (a bridge stays a
bridge), joined at the crossing with ``roads.node_at_crossings = 1``; attributes and line
count kept.  Minutes worked out by hand: arteri 60 km/h = 1 min per km."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from ilp_gis.road_noding import node_at_crossings
from ilp_gis.rules import default_rules
from ilp_gis.travel import build_road_graph, minutes_to_nearest, travel_field
from tests.ilp_gis.micro import UTM, km, line


def _x():
    """Two 10 km arteri lines crossing at (5, 5) km, neither with a vertex there; a third line
    that meets the second at a shared vertex (its end)."""
    geoms = [line((0, 5), (10, 5)), line((5, 0), (5, 10)), line((5, 10), (5, 12))]
    return gpd.GeoDataFrame(pd.DataFrame({"road_class": ["arteri"] * 3, "name": ["A", "B", "C"]}),
                            geometry=geoms, crs=UTM)


def _minutes(roads, rules):
    g = build_road_graph(roads, UTM, rules)
    field = travel_field(g, np.array([km(0, 5)]))  # facility at the west end of line A
    mins, _ = minutes_to_nearest(g, field, np.array([km(5, 0)]))  # south end of line B
    return float(mins[0])


def test_crossing_is_no_junction_by_default_and_one_with_the_rule():
    rules = default_rules()
    walk = rules.value("speed.walking")
    off = _minutes(_x(), rules)
    # no junction: the fastest is to walk the 7.07 km diagonal (or walk to the nearest vertex)
    assert off == pytest.approx(np.hypot(5, 5) / walk * 60, rel=1e-3)
    on = _minutes(_x(), rules.with_values(roads__node_at_crossings=1.0))
    assert on == pytest.approx(5 + 5, rel=1e-6)  # 5 km along A to the crossing, 5 km down B


def test_noding_keeps_every_line_and_attribute_and_adds_only_crossing_vertices():
    roads = _x()
    out, added = node_at_crossings(roads)
    assert len(out) == 3 and out["name"].tolist() == ["A", "B", "C"]
    assert added == 2  # (5, 5) into A and into B; B and C already share (5, 10)
    a, b, c = out.geometry
    assert km(5, 5) in [tuple(p) for p in np.asarray(a.coords)]
    assert km(5, 5) in [tuple(p) for p in np.asarray(b.coords)]
    assert len(c.coords) == 2
    assert a.length == pytest.approx(roads.geometry[0].length)
    assert node_at_crossings(roads.iloc[[0]])[1] == 0  # nothing to cross
