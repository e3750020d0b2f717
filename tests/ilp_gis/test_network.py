"""The facility network: parents given, matched by name or inferred, and every finding kind."""

from __future__ import annotations

import networkx as nx
import pytest

from ilp_gis.analysis import analyze, load_result, store_result
from ilp_gis.i18n import language
from tests.ilp_gis.micro import facilities_frame, facility_rows, make_project


def run(rows=None, **kw):
    return analyze(make_project(facilities=facilities_frame(rows), **kw))


def edges_of(res):
    return {(r.parent_id, r.child_id, r.link) for r in res.edges.itertuples()}


def kinds(res, kind):
    p = res.network_problems
    return sorted(p.loc[p["kind"] == kind, "fac_ids"])


def with_changes(**changes):
    rows = facility_rows()
    for r in rows:
        r.update(changes.get(r["fac_id"], {}))
    return rows


def test_inferred_links_by_hand():
    res = run()
    assert edges_of(res) == {
        ("PKM_A", "PT_A1", "inferred"), ("PKM_A", "PT_A2", "inferred"),
        ("PKM_B", "PT_B1", "inferred"),
        ("PT_A1", "PY_A1a", "inferred"), ("PT_A1", "PY_A1b", "inferred"),
        ("PT_A2", "PY_A2", "inferred"),
        # B2 has no Pustu: its Posyandu goes straight to the Puskesmas of kecamatan B.
        ("PKM_B", "PY_B2", "direct_to_puskesmas"),
    }
    e = res.edges.set_index("child_id")
    assert e.loc["PT_A2", "distance_m"] == pytest.approx(4000.0, abs=0.5)
    assert e.loc["PY_A1b", "distance_m"] == pytest.approx(2828.43, abs=0.5)
    # Kecamatan C has no Puskesmas: Pustu C1 is an orphan.
    assert kinds(res, "orphan") == ["PT_C1"]
    assert kinds(res, "pustu_without_posyandu") == ["PT_B1", "PT_C1"]
    assert kinds(res, "puskesmas_without_pustu") == []
    g = res.graph
    assert isinstance(g, nx.DiGraph)
    assert g.number_of_nodes() == 10 and g.number_of_edges() == 7
    assert g.nodes["PT_A1"]["type"] == "pustu" and g.nodes["PT_A1"]["desa_code"] == "35.07.01.2001"
    assert g.edges["PKM_B", "PY_B2"]["link"] == "direct_to_puskesmas"


def test_given_parent_id_and_cross_border_findings():
    res = run(with_changes(PY_B2={"parent_id": "PT_B1"}, PT_C1={"parent_id": "PKM_A"}))
    assert ("PT_B1", "PY_B2", "given") in edges_of(res)
    assert ("PKM_A", "PT_C1", "given") in edges_of(res)
    assert kinds(res, "cross_desa") == ["PY_B2;PT_B1"]
    assert kinds(res, "cross_kecamatan") == ["PT_C1;PKM_A"]
    assert kinds(res, "orphan") == []
    assert res.edges.set_index("child_id").loc["PY_B2", "source"] == "parent_id"


def test_parent_name_matched_within_kecamatan_and_reported():
    res = run(with_changes(PT_A2={"parent_name": "PKM A"}, PT_B1={"parent_name": "Pkm. Zzz"}))
    assert ("PKM_A", "PT_A2", "given") in edges_of(res)
    assert res.edges.set_index("child_id").loc["PT_A2", "source"] == "parent_name"
    matched = res.network_problems[res.network_problems["kind"] == "parent_name_matched"]
    assert list(matched["fac_ids"]) == ["PT_A2;PKM_A"]
    assert (matched["severity"] == "info").all()
    assert "PKM A" in matched["message"].iloc[0]
    # An unknown name is reported and the parent is inferred instead.
    assert kinds(res, "parent_name_unmatched") == ["PT_B1"]
    assert ("PKM_B", "PT_B1", "inferred") in edges_of(res)
    assert "parent_name_matched" not in res.summary["network_problems"]


def test_wrong_tier_cycle_and_unknown_parent():
    res = run(with_changes(PT_A1={"parent_id": "PT_A2"}, PT_A2={"parent_id": "PT_A1"},
                           PY_A2={"parent_id": "PY_A1a"}, PY_B2={"parent_id": "NOPE"}))
    assert kinds(res, "wrong_tier") == ["PT_A1;PT_A2", "PT_A2;PT_A1", "PY_A2;PY_A1a"]
    assert kinds(res, "cycle") == ["PT_A1;PT_A2"]
    assert kinds(res, "unknown_parent") == ["PY_B2"]
    assert ("PKM_B", "PY_B2", "direct_to_puskesmas") in edges_of(res)
    # Puskesmas A lost both its Pustu to the cycle.
    assert kinds(res, "puskesmas_without_pustu") == ["PKM_A"]
    gaps = res.gaps
    assert (gaps["kind"] == "network_problem").sum() == (
        res.network_problems["severity"] == "problem").sum() - len(kinds(res, "orphan"))


def test_duplicates_outside_points_and_unknown_types():
    rows = facility_rows() + [
        dict(fac_id="PY_dup", name="Mawar", type="posyandu", xy=(1.51, 1.5), kader=5.0),
        dict(fac_id="PT_far", name="Pustu Jauh", type="pustu", xy=(30, 30)),
        dict(fac_id="X1", name="Klinik", type="klinik", xy=(1, 3)),
    ]
    res = run(rows)
    assert kinds(res, "duplicate") == ["PY_A1a;PY_dup"]
    assert kinds(res, "outside_boundaries") == ["PT_far"]
    assert "PT_far" in kinds(res, "orphan")
    assert kinds(res, "unknown_type") == ["X1"]
    assert res.summary["facilities_outside_boundaries"] == 1


def test_several_puskesmas_in_one_kecamatan_pick_the_nearest():
    rows = facility_rows() + [dict(fac_id="PKM_A2", name="Puskesmas A2", type="puskesmas",
                                   xy=(7, 1))]
    res = run(rows)
    assert ("PKM_A2", "PT_A2", "inferred") in edges_of(res)
    assert ("PKM_A", "PT_A1", "inferred") in edges_of(res)


def test_poskesdes_is_read_as_pustu_precursor():
    rows = facility_rows() + [dict(fac_id="PKD_B2", name="Poskesdes B2", type="Poskesdes",
                                   precursor=True, xy=(5, 5))]
    res = run(rows)
    assert ("PKD_B2", "PY_B2", "inferred") in edges_of(res)
    d = res.desa.set_index("name")
    assert d.loc["B2", "n_pustu_precursor"] == 1
    assert not d.loc["B2", "has_pustu"]  # a precursor is not yet a Pustu
    g = res.gaps[(res.gaps["kind"] == "no_pustu") & (res.gaps["desa_code"] == "35.07.02.2002")]
    assert "Poskesdes/Polindes" in g["message"].iloc[0]


def test_messages_follow_the_language():
    with language("en"):
        res = run()
    msg = res.network_problems.set_index("kind").loc["orphan", "message"]
    assert msg.startswith("Pustu C1 has no parent")


def test_graphml_and_project_round_trip(tmp_path):
    from layers.analysis_io import write_graphml
    from layers.project_file import open_project, save_project

    p = make_project()
    res = analyze(p)
    path = write_graphml(res.graph, tmp_path / "n.graphml")
    back = nx.read_graphml(path)
    assert back.number_of_edges() == 7
    assert back.edges["PKM_B", "PY_B2"]["link"] == "direct_to_puskesmas"
    assert "travel_min" not in back.edges["PKM_B", "PY_B2"]  # NaN left out, not "nan"
    assert back.nodes["PT_C1"]["type"] == "pustu"

    store_result(p, res)
    save_project(p, tmp_path / "p.gpkg")
    loaded = load_result(open_project(tmp_path / "p.gpkg"))
    assert set(loaded.graph.nodes) == set(res.graph.nodes)
    assert set(loaded.graph.edges) == set(res.graph.edges)
    assert loaded.graph.edges["PKM_B", "PY_B2"]["link"] == "direct_to_puskesmas"
    assert loaded.graph.nodes["PT_C1"]["type"] == "pustu"  # no edges, still there
    assert len(loaded.edges) == len(res.edges)
    assert list(loaded.gaps["kind"]) == list(res.gaps["kind"])
    assert loaded.summary["desa_total"] == 5
    assert loaded.desa["has_pustu"].dtype == bool
    assert loaded.desa.set_index("code")["pustu_nakes_ok"].isna().sum() == 2
    assert load_result(make_project()) is None


def _plain_stored_graph(edges):
    """The stored graph rebuilt row by row through networkx's public API (the plain twin of
    ``analysis._stored_graph``)."""
    g = nx.DiGraph()
    for side in ("parent", "child"):
        rows = edges.dropna(subset=[f"{side}_id"]).drop_duplicates(f"{side}_id")
        for r in rows.to_dict("records"):
            g.add_node(r[f"{side}_id"], **{k: _none(r.get(f"{side}_{k}")) for k in (
                "type", "name", "desa_code", "kecamatan_code", "lon", "lat")})
    for r in edges.dropna(subset=["parent_id"]).to_dict("records"):
        g.add_edge(r["parent_id"], r["child_id"], distance_m=_none(r.get("distance_m")),
                   travel_min=_none(r.get("travel_min")), link=_none(r.get("link")),
                   source=_none(r.get("source")))
    return g


def _none(v):
    import pandas as pd

    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v


def _old_layout_edges(res):
    """The edge table as results were stored before ``result_nodes``: each link with both
    ends' attributes as parent_*/child_* columns, plus a row per facility without any link
    (parent_id empty)."""
    import geopandas as gpd
    import pandas as pd

    keys = ("type", "name", "desa_code", "kecamatan_code", "lon", "lat")
    e = pd.DataFrame(res.edges.drop(columns="geometry"))
    linked = set(e["parent_id"]) | set(e["child_id"])
    lonely = [n for n in res.graph.nodes if n not in linked]
    e = pd.concat([e, pd.DataFrame({"parent_id": None, "child_id": lonely})], ignore_index=True)
    for side in ("parent", "child"):
        for key in keys:
            e[f"{side}_{key}"] = [res.graph.nodes[n].get(key) if isinstance(n, str) else None
                                  for n in e[f"{side}_id"]]
    geometry = list(res.edges.geometry) + [None] * len(lonely)
    return gpd.GeoDataFrame(e, geometry=geometry, crs="EPSG:4326")


def test_results_stored_before_the_node_table_still_load(tmp_path):
    import pandas as pd

    from ilp_gis.analysis import _stored_graph
    from layers.project_file import open_project, save_project

    p = make_project()
    res = analyze(p)
    store_result(p, res)
    p.set_table("result_edges", _old_layout_edges(res))
    p.tables.pop("result_nodes")
    save_project(p, tmp_path / "p.gpkg")
    back = open_project(tmp_path / "p.gpkg")
    assert "result_nodes" not in back.tables
    edges = back.tables["result_edges"]
    for table in (edges, edges.astype({c: "object" for c in edges.columns if c != "geometry"}),
                  pd.concat([edges, edges.head(2)], ignore_index=True)):  # repeated rows too
        fast, plain = _stored_graph(table), _plain_stored_graph(table)
        assert list(fast.nodes(data=True)) == list(plain.nodes(data=True))
        assert list(fast.edges(data=True)) == list(plain.edges(data=True))
        assert fast.number_of_edges() > 0
    loaded = load_result(back)
    assert sorted(loaded.graph.nodes(data=True)) == sorted(_plain_graph(res.graph).nodes(
        data=True))
    assert sorted(loaded.graph.edges(data=True)) == sorted(_plain_graph(res.graph).edges(
        data=True))
    assert len(loaded.edges) == len(res.edges)  # the rows without a link are not links


def _plain_graph(graph):
    """``graph`` with every missing attribute None (as a stored graph reads back)."""
    g = nx.DiGraph()
    for n, a in graph.nodes(data=True):
        g.add_node(n, **{k: _none(v) for k, v in a.items()})
    for u, v, a in graph.edges(data=True):
        g.add_edge(u, v, **{k: _none(x) for k, x in a.items()})
    return g


def test_stored_node_and_edge_tables_give_back_the_analysed_graph(tmp_path):
    """Stored as links (result_edges) and facilities (result_nodes, one row each, the
    graph's order), the network loads as the graph the analysis made: every node in its
    order with its attributes, every link with its attributes, the facilities without any
    link too; and nothing of a node is stored twice."""
    from layers.project_file import open_project, save_project

    p = make_project()
    res = analyze(p)
    store_result(p, res)
    save_project(p, tmp_path / "p.gpkg")
    back = open_project(tmp_path / "p.gpkg")
    nodes, edges = back.tables["result_nodes"], back.tables["result_edges"]
    assert list(nodes["id"]) == list(res.graph.nodes)
    assert not [c for c in edges.columns if c.endswith(("_name", "_lon", "_lat", "_desa_code"))]
    assert edges["parent_id"].notna().all() and len(edges) == res.graph.number_of_edges()
    loaded = load_result(back)
    want = _plain_graph(res.graph)
    assert list(loaded.graph.nodes(data=True)) == list(want.nodes(data=True))
    assert sorted(loaded.graph.edges(data=True)) == sorted(want.edges(data=True))
    assert loaded.graph.nodes["PT_C1"]["type"] == "pustu"  # no link, still there
    assert loaded.graph.nodes["PT_C1"]["name"] == res.graph.nodes["PT_C1"]["name"]


def test_deferred_graph_fills_on_first_use_like_the_eager_builder():
    import copy
    import pickle

    from ilp_gis.speed.graphs import LazyDiGraph, build_digraph

    res = run(facility_rows())
    data = res.graph.__dict__.get("_pending")
    assert isinstance(res.graph, LazyDiGraph) and data is not None  # nothing built yet
    ref = build_digraph(*data())

    def same(g):
        return (list(g.nodes(data=True)) == list(ref.nodes(data=True))
                and [(u, v) for u, v in g.edges] == [(u, v) for u, v in ref.edges]
                and all(g.edges[e]["link"] == ref.edges[e]["link"] for e in ref.edges))

    assert same(LazyDiGraph.deferred(data))
    assert same(pickle.loads(pickle.dumps(LazyDiGraph.deferred(data))))
    assert same(copy.deepcopy(LazyDiGraph.deferred(data)))
    assert same(LazyDiGraph.deferred(data).copy())
    g = LazyDiGraph.deferred(data)
    assert len(g) == ref.number_of_nodes() and g.number_of_edges() == ref.number_of_edges()
    assert "_pending" not in g.__dict__
    g2 = LazyDiGraph.deferred(data)
    g2.add_edge("PKM_A", "PY_A1", link="given")  # writing first fills it too
    assert g2.number_of_edges() == ref.number_of_edges() + ("PY_A1" not in ref["PKM_A"])
    assert set(ref.nodes) <= set(g2.nodes)


def test_repeated_fac_id_is_kept_apart_and_reported():
    rows = facility_rows() + [dict(fac_id="PY_A2", name="Posyandu Kembar", type="posyandu",
                                   xy=(7, 1))]
    res = run(rows)
    assert res.graph.number_of_nodes() == 11
    assert kinds(res, "duplicate_id") == ["PY_A2#2"]
    assert ("PT_A2", "PY_A2#2", "inferred") in edges_of(res)
