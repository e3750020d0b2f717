"""Travel time over roads and ferries, checked against hand-worked minutes and networkx."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString

from ilp_gis.analysis import analyze
from ilp_gis.rules import default_rules
from ilp_gis.travel import build_road_graph, minutes_to_nearest, travel_field
from tests.ilp_gis.micro import UTM, facilities_frame, frame, km, line, make_project


def roads(rows):
    return gpd.GeoDataFrame(pd.DataFrame([{k: v for k, v in r.items() if k != "geom"}
                                          for r in rows]),
                            geometry=[r["geom"] for r in rows], crs=UTM)


def xy(*pts):
    return np.array([km(x, y) for x, y in pts])


RULES = default_rules()


def test_road_then_ferry_then_walk_by_hand():
    # 10 km arteri (60 km/h: 10 min), then a ferry leg with a fixed 30-minute crossing.
    r = roads([dict(road_class="arteri", geom=line((0, 0), (10, 0))),
               dict(road_class="ferry", crossing_minutes=30.0, geom=line((10, 0), (10, 5)))])
    g = build_road_graph(r, UTM, RULES)
    assert g.n_nodes == 3
    field = travel_field(g, xy((0, 0.1)))  # facility 100 m off the road: 1.5 min walk
    mins, fac = minutes_to_nearest(g, field, xy((10, 5.2)))  # 200 m walk: 3 min
    assert mins[0] == pytest.approx(1.5 + 10 + 30 + 3)
    assert fac[0] == 0


def test_ferry_without_crossing_minutes_uses_ferry_speed():
    r = roads([dict(road_class="ferry", geom=line((0, 0), (0, 15)))])  # 15 km at 15 km/h
    g = build_road_graph(r, UTM, RULES)
    field = travel_field(g, xy((0, 0)))
    mins, _ = minutes_to_nearest(g, field, xy((0, 15)))
    assert mins[0] == pytest.approx(60.0)


def test_walking_straight_beats_a_long_road_detour():
    # Road goes far around; the point is 400 m from the facility: walking takes 6 min.
    r = roads([dict(road_class="setapak", geom=line((0, 0), (0, 20), (0.4, 20), (0.4, 0)))])
    g = build_road_graph(r, UTM, RULES)
    field = travel_field(g, xy((0, 0)))
    mins, _ = minutes_to_nearest(g, field, xy((0.4, 0)))
    assert mins[0] == pytest.approx(6.0)


def test_segments_snap_at_one_metre_and_parallel_roads_keep_the_fastest():
    a = km(0, 0)
    b = km(4, 0)
    b_off = (b[0] + 0.3, b[1] - 0.2)  # same node after rounding to 1 m
    r = roads([dict(road_class="lokal", geom=LineString([a, b])),       # 8 min
               dict(road_class="arteri", geom=LineString([a, b_off])),  # 4 min
               dict(road_class="lingkungan", geom=LineString([b, km(4, 2)]))])  # 6 min
    g = build_road_graph(r, UTM, RULES)
    assert g.n_nodes == 3
    field = travel_field(g, xy((0, 0)))
    mins, _ = minutes_to_nearest(g, field, xy((4, 2)))
    assert mins[0] == pytest.approx(4.0 + 6.0, abs=0.01)


def test_nearest_of_several_facilities_and_which_one():
    r = roads([dict(road_class="kolektor", geom=line((0, 0), (10, 0)))])  # 40 km/h
    g = build_road_graph(r, UTM, RULES)
    field = travel_field(g, xy((0, 0), (10, 0)))
    mins, fac = minutes_to_nearest(g, field, xy((0, 0), (10, 0), (3, 0), (8, 0)))
    # (3,0) and (8,0) are not road nodes: they walk straight to the nearest facility
    # (3 km = 45 min, 2 km = 30 min) or to the nearest node (the facility node) and ride 0 min.
    assert list(fac) == [0, 1, 0, 1]
    assert mins[0] == pytest.approx(0.0, abs=1e-3)
    assert mins[2] == pytest.approx(45.0)
    assert mins[3] == pytest.approx(30.0)


def test_unknown_road_class_uses_default_speed_and_unreachable_parts_walk():
    r = roads([dict(road_class="jalan tol?", geom=line((0, 0), (0, 10))),
               dict(road_class="arteri", geom=line((50, 0), (60, 0)))])  # separate island
    g = build_road_graph(r, UTM, RULES)
    field = travel_field(g, xy((0, 0)))
    mins, _ = minutes_to_nearest(g, field, xy((0, 10), (55, 0)))
    assert mins[0] == pytest.approx(30.0)  # 10 km at 20 km/h
    assert mins[1] == pytest.approx(55.0 / 4.0 * 60.0)  # only walking reaches it


def test_multi_source_dijkstra_equals_networkx():
    rng = np.random.default_rng(7)
    pts = rng.uniform(0, 20, size=(60, 2))
    segs = []
    for i in range(60):
        for j in rng.choice(60, 3, replace=False):
            if i != j:
                segs.append(dict(road_class=str(rng.choice(["arteri", "lokal", "setapak"])),
                                 geom=line(tuple(pts[i]), tuple(pts[j]))))
    g = build_road_graph(roads(segs), UTM, RULES)
    sources = xy(*map(tuple, pts[:4]))
    field = travel_field(g, sources)
    nxg = g.to_networkx()
    nxg = nxg.to_directed()
    vert, walks = g.snap(sources)
    nodes = g.refine(np.zeros(0, dtype=np.int64)).bounds(vert)[0]  # line ends: nodes
    for node, walk in zip(nodes, walks, strict=True):  # super-source with the walks
        nxg.add_edge("S", int(node), minutes=float(walk))
    ref = nx.single_source_dijkstra_path_length(nxg, "S", weight="minutes")
    ref.pop("S")
    for node, minutes in ref.items():
        assert field.minutes[node] == pytest.approx(minutes, abs=1e-6)
    unreached = set(range(g.n_nodes)) - set(ref)
    assert all(np.isinf(field.minutes[n]) for n in unreached)


def test_analysis_travel_columns_and_edge_minutes():
    # Kecamatan A along one arteri road; the micro facilities sit on or near it.
    r = frame([dict(road_class="arteri")] * 3,
              [line((0, 2), (2, 2), (6, 2)), line((6, 2), (8, 2)), line((2, 2), (2, 6))])
    p = make_project(roads=r)
    res = analyze(p)
    d = res.desa.set_index("name")
    # A2's population point (6,2) is on the road: Pustu A2 is there too (0 min).
    assert d.loc["A2", "travel_pustu_min"] == pytest.approx(0.0, abs=0.01)
    # A2 -> Puskesmas A at (2,2): 4 km arteri = 4 min.
    assert d.loc["A2", "travel_puskesmas_min"] == pytest.approx(4.0, abs=0.01)
    assert d.loc["A2", "pop_within_puskesmas_min"] == 2000
    e = res.edges.set_index("child_id")
    assert e.loc["PT_A2", "travel_min"] == pytest.approx(4.0, abs=0.01)
    assert res.summary["population_within_travel_time"]["puskesmas"] is not None
    # No roads: no travel columns.
    res2 = analyze(make_project())
    assert res2.desa["travel_pustu_min"].isna().all()
    assert "population_within_travel_time" not in res2.summary


def test_inferred_parent_prefers_travel_time_over_straight_line():
    # Pustu A2 at (6,2).  Puskesmas A at (2,2) is 4 km away on an arteri road (4 min);
    # a second Puskesmas in kecamatan A at (6,3.6) is 1.6 km away but has no road (24 min walk).
    facs = [dict(fac_id="PKM_A", name="Puskesmas A", type="puskesmas", xy=(2, 2)),
            dict(fac_id="PKM_A9", name="Puskesmas A9", type="puskesmas", xy=(6, 3.6)),
            dict(fac_id="PT_A2", name="Pustu A2", type="pustu", xy=(6, 2))]
    r = frame([dict(road_class="arteri")], [line((2, 2), (6, 2))])
    with_roads = analyze(make_project(facilities=facilities_frame(facs), roads=r))
    without = analyze(make_project(facilities=facilities_frame(facs)))
    assert with_roads.edges.set_index("child_id").loc["PT_A2", "parent_id"] == "PKM_A"
    assert without.edges.set_index("child_id").loc["PT_A2", "parent_id"] == "PKM_A9"


def test_junction_vertices_connect_lines_and_people_join_at_any_vertex():
    # A T-junction at a vertex both lines share connects them; the bend at (5,3) is no graph
    # node, yet a person next to the bend joins the road there instead of walking to an end.
    r = roads([dict(road_class="arteri", geom=line((0, 0), (5, 0), (10, 0))),
               dict(road_class="arteri", geom=line((5, 0), (5, 3), (8, 3)))])
    g = build_road_graph(r, UTM, RULES)
    assert g.n_nodes == 4  # (0,0), (5,0), (10,0), (8,3): line ends and the junction
    field = travel_field(g, xy((0, 0)))
    mins, _ = minutes_to_nearest(g, field, xy((8, 3), (5.0, 3.001)))
    assert mins[0] == pytest.approx(5 + 3 + 3, abs=0.01)  # 11 km along the lines at 60 km/h
    assert mins[1] == pytest.approx(5 + 3 + 1 / 4 * 60 * 0.001, abs=0.01)  # joins at the bend
