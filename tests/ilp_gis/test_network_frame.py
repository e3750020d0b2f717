"""ilp_gis.network_frame reads the network as the graph says, whichever way it reads it (the
stored edge table while a loaded graph is unused, the columns of a fresh analysis' graph, the
graph itself); what it reaches equals networkx.descendants; the XLSX network rows counted over
it equal the rows walked over the graph; a stored graph filled from two threads at once is
filled once and whole."""

from __future__ import annotations

import threading
import time

import networkx as nx
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ilp_gis.analysis import _stored_graph, _stored_graph_of_nodes
from ilp_gis.network_frame import NODE_FIELDS, network_frame
from ilp_gis.speed.graphs import LazyDiGraph, graph_table
from reports.tables import network_rows, split_ids

IDS = [f"F{i}" for i in range(8)]
TYPES = ["puskesmas", "pustu", "posyandu", None]


@st.composite
def edge_tables(draw) -> pd.DataFrame:
    """A stored edge table: links (cycles, repeats, self-links too) and rows of facilities
    without a link (parent empty), each row with its own view of both ends' attributes."""
    rows = []
    for _ in range(draw(st.integers(0, 14))):
        row = {"parent_id": draw(st.one_of(st.none(), st.sampled_from(IDS))),
               "child_id": draw(st.sampled_from(IDS))}
        for side in ("parent", "child"):
            row[f"{side}_type"] = draw(st.sampled_from(TYPES))
            row[f"{side}_name"] = draw(st.sampled_from(["A", "B", None]))
            row[f"{side}_desa_code"] = draw(st.sampled_from(["D1", "D2", None]))
            row[f"{side}_kecamatan_code"] = draw(st.sampled_from(["K1", "K2", None]))
        rows.append(row)
    columns = ["parent_id", "child_id"] + [f"{s}_{k}" for s in ("parent", "child")
                                           for k in NODE_FIELDS]
    return pd.DataFrame(rows, columns=columns)


def _graph_frame(graph: nx.DiGraph):
    """The frame read from the graph itself (filled first)."""
    len(graph)  # fills a lazy graph
    return network_frame(graph)


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.nodes, b.nodes)
    assert sorted(zip(a.parent.tolist(), a.child.tolist(), strict=True)) == sorted(
        zip(b.parent.tolist(), b.child.tolist(), strict=True))


@settings(max_examples=150, deadline=None)
@given(edge_tables())
def test_the_stored_table_reads_as_the_graph_built_from_it(edges):
    lazy = _stored_graph(edges)
    assert graph_table(lazy) is edges
    from_table = network_frame(lazy)
    assert graph_table(lazy) is edges  # reading the table leaves the graph unbuilt
    built = _stored_graph(edges)
    _same(from_table, _graph_frame(built))
    assert graph_table(built) is None  # once used, the graph is what is read
    ids = from_table.nodes.index.tolist()
    assert ids == list(built.nodes)
    for k in NODE_FIELDS:
        assert from_table.nodes[k].tolist() == [built.nodes[n].get(k) for n in ids]


@st.composite
def node_and_link_tables(draw) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stored node and link tables: nodes with or without attributes, links (cycles,
    repeats, self-links) some of whose ends the node table lacks."""
    ids = draw(st.lists(st.sampled_from(IDS), unique=True, max_size=len(IDS)))
    nodes = pd.DataFrame({"id": pd.Series(ids, dtype=object)})
    for k in NODE_FIELDS:
        nodes[k] = pd.Series([draw(st.sampled_from(TYPES if k == "type" else ["A", None]))
                              for _ in ids], dtype=object)
    links = draw(st.lists(st.tuples(st.sampled_from(IDS + ["X1", "X2"]),
                                    st.sampled_from(IDS + ["X1", "X2"])), max_size=14))
    edges = pd.DataFrame({"parent_id": pd.Series([u for u, _ in links], dtype=object),
                          "child_id": pd.Series([v for _, v in links], dtype=object)})
    return nodes, edges


@settings(max_examples=150, deadline=None)
@given(node_and_link_tables())
def test_the_stored_node_and_link_tables_read_as_the_graph_built_from_them(tables):
    nodes, edges = tables
    lazy = _stored_graph_of_nodes(nodes, edges)
    assert graph_table(lazy) is not None
    from_tables = network_frame(lazy)
    assert graph_table(lazy) is not None  # reading the tables leaves the graph unbuilt
    built = _stored_graph_of_nodes(nodes, edges)
    _same(from_tables, _graph_frame(built))
    ids = from_tables.nodes.index.tolist()
    assert ids == list(built.nodes)
    for k in NODE_FIELDS:
        assert from_tables.nodes[k].tolist() == [built.nodes[n].get(k) for n in ids]


@settings(max_examples=150, deadline=None)
@given(edge_tables())
def test_reachable_is_each_source_and_its_descendants(edges):
    graph = _stored_graph(edges)
    net = network_frame(graph)
    ids = net.nodes.index.tolist()
    sources = np.arange(len(ids))[::-1]
    which, node = net.reachable(sources)
    assert list(zip(which.tolist(), node.tolist(), strict=True)) == sorted(
        zip(which.tolist(), node.tolist(), strict=True))
    for i, s in enumerate(sources.tolist()):
        got = {ids[n] for n in node[which == i].tolist()}
        assert got == nx.descendants(graph, ids[s]) | {ids[s]}


def _walked_rows(graph, problems: pd.DataFrame, kec_names: dict, kec_code=None) -> list[dict]:
    """The network rows walked over the graph, as reports.tables did before it read arrays."""
    prob_ids: dict[str, int] = {}
    for ids in problems["fac_ids"]:
        for fid in split_ids(ids):
            prob_ids[fid] = prob_ids.get(fid, 0) + 1
    rows = []
    for node, attrs in graph.nodes(data=True):
        if attrs.get("type") != "puskesmas":
            continue
        if kec_code and attrs.get("kecamatan_code") != kec_code:
            continue
        pustu = [c for c in graph.successors(node) if graph.nodes[c].get("type") == "pustu"]
        direct = [c for c in graph.successors(node) if graph.nodes[c].get("type") == "posyandu"]
        posy = set(direct)
        for p in pustu:
            posy |= {c for c in graph.successors(p) if graph.nodes[c].get("type") == "posyandu"}
        subtree = {node, *pustu, *posy}
        rows.append({"fac_id": node, "name": attrs.get("name") or node,
                     "kecamatan": kec_names.get(attrs.get("kecamatan_code"), "–"),
                     "pustu": len(pustu), "posyandu": len(posy), "direct": len(direct),
                     "problems": sum(prob_ids.get(f, 0) for f in subtree)})
    rows.sort(key=lambda r: (str(r["kecamatan"]), str(r["name"])))
    return rows


@settings(max_examples=150, deadline=None)
@given(edge_tables(), st.lists(st.lists(st.sampled_from(IDS), max_size=3), max_size=4),
       st.sampled_from([None, "K1"]))
def test_network_rows_over_arrays_equal_the_rows_walked_over_the_graph(edges, flagged, kec):
    problems = pd.DataFrame({"kind": "orphan", "fac_ids": [";".join(f) for f in flagged],
                             "message": "", "severity": "problem"})
    names = {"K1": "Satu", "K2": "Dua"}

    class Result:
        network_problems = problems
        graph = _stored_graph(edges)

    rows = network_rows(Result, names, kec)
    assert graph_table(Result.graph) is edges  # counted without building the graph
    assert rows == _walked_rows(_stored_graph(edges), problems, names, kec)
    assert network_rows(Result, names, kec) == rows


def test_a_graph_read_from_two_threads_at_once_is_filled_once_and_whole():
    calls = []

    def items():
        calls.append(1)
        time.sleep(0.05)  # the other thread asks meanwhile
        return [(n, {"type": "pustu"}) for n in range(1000)], [(n, n + 1, {}) for n in range(999)]

    g = LazyDiGraph.deferred(items)
    sizes = []
    threads = [threading.Thread(target=lambda: sizes.append(g.number_of_edges()))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and sizes == [999, 999] and len(g) == 1000
