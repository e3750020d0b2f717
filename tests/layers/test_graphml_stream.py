"""The streaming GraphML writer equals its plain twin, networkx's own writer on a cleaned copy
of the graph: the same nodes, edges, attributes and types when read back, in the same order."""

from __future__ import annotations

import io
import math

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.graphml import graphml_value, write_graphml_stream
from layers.safe_cells import clean_text


def _plain(graph: nx.DiGraph) -> bytes:
    g = nx.DiGraph()
    for n, attrs in graph.nodes(data=True):
        g.add_node(clean_text(str(n)), **{k: v for k, v in
                                         ((k, graphml_value(v)) for k, v in attrs.items())
                                         if v is not None})
    for u, v, attrs in graph.edges(data=True):
        g.add_edge(clean_text(str(u)), clean_text(str(v)),
                   **{k: x for k, x in ((k, graphml_value(x)) for k, x in attrs.items())
                      if x is not None})
    buf = io.BytesIO()
    nx.write_graphml(g, buf)
    return buf.getvalue()


def _stream(graph: nx.DiGraph) -> bytes:
    buf = io.StringIO()
    write_graphml_stream(graph, buf)
    return buf.getvalue().encode("utf-8")


def _read(data: bytes):
    g = nx.read_graphml(io.BytesIO(data))
    return list(g.nodes(data=True)), list(g.edges(data=True))


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b and type(a) is type(b)


def _assert_equal(graph):
    (pn, pe), (sn, se) = _read(_plain(graph)), _read(_stream(graph))
    assert [n for n, _ in pn] == [n for n, _ in sn]
    assert [(u, v) for u, v, _ in pe] == [(u, v) for u, v, _ in se]
    for (_, a), (_, b) in zip(pn + [(None, d) for *_, d in pe],
                              sn + [(None, d) for *_, d in se], strict=True):
        assert a.keys() == b.keys()
        assert all(_same(a[k], b[k]) for k in a), (a, b)


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8)
values = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                   st.floats(allow_nan=True, allow_infinity=False), texts,
                   st.integers(-100, 100).map(np.int64), st.floats(-1e6, 1e6).map(np.float64))
attrs = st.dictionaries(st.sampled_from(["type", "name", "n", "x", "ok", "<&\"'>"]), values,
                        max_size=4)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(texts, attrs), min_size=1, max_size=12, unique_by=lambda t: t[0]),
       st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), attrs), max_size=15))
def test_stream_equals_networkx_writer(nodes, edges):
    graph = nx.DiGraph()
    for name, a in nodes:
        graph.add_node(name, **a)
    names = [n for n, _ in nodes]
    for i, j, a in edges:
        graph.add_edge(names[i % len(names)], names[j % len(names)], **a)
    _assert_equal(graph)


def test_a_facility_network_with_awkward_text():
    graph = nx.DiGraph()
    graph.add_node("P1", type="puskesmas", name="Puskesmas <Contoh> & \"Co\"", lon=110.5,
                   lat=-7.5, ok=True, n=np.int64(3), empty=None, nan=float("nan"))
    graph.add_node("P2", type="pustu", name="Pustu\x07Bel", lon=np.float64(110.6))
    graph.add_node("P3")
    graph.add_edge("P1", "P2", kind="given")
    graph.add_edge("P2", "P3")
    _assert_equal(graph)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(texts, attrs), min_size=1, max_size=12, unique_by=lambda t: t[0]),
       st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), attrs), max_size=15),
       st.integers(1, 4))
def test_written_in_small_chunks_equals_networkx_writer(nodes, edges, chunk):
    """Columns whose values differ in type from one chunk to the next (text in one, numbers or
    only missing values in another) keep the keys declared for the whole column."""
    import layers.graphml as graphml

    graph = nx.DiGraph()
    for name, a in nodes:
        graph.add_node(name, **a)
    names = [n for n, _ in nodes]
    for i, j, a in edges:
        graph.add_edge(names[i % len(names)], names[j % len(names)], **a)
    was = graphml._CHUNK
    graphml._CHUNK = chunk
    try:
        _assert_equal(graph)
    finally:
        graphml._CHUNK = was


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.one_of(texts, st.integers(-3, 3)),
                          st.one_of(st.none(), texts, st.integers(-3, 3),
                                    st.floats(allow_nan=True)),
                          st.one_of(st.none(), st.floats(allow_nan=True))),
                min_size=1, max_size=8, unique_by=lambda r: r[0]),
       st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7),
                          st.one_of(st.none(), texts, st.integers(-3, 3)))))
def test_graph_written_from_its_columns_is_the_file_of_the_built_graph(rows, links):
    from ilp_gis.speed.graphs import GraphColumns, LazyDiGraph, build_digraph, column_items

    ids = [r[0] for r in rows]
    links = list({(ids[a % len(ids)], ids[b % len(ids)]): lk for a, b, lk in links}.items())
    cols = GraphColumns(ids, {"name": [r[1] for r in rows], "lon": [r[2] for r in rows]},
                        [u for (u, _), _ in reversed(links)],  # not in the graph's order
                        [v for (_, v), _ in reversed(links)],
                        {"link": [lk for _, lk in reversed(links)]})
    lazy = LazyDiGraph.from_columns(lambda: cols)
    assert _stream(lazy) == _stream(build_digraph(*column_items(cols)))
    assert "_pending" in lazy.__dict__  # written without building the graph
    _assert_equal(lazy)
