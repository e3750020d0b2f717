"""ilp_gis.speed.graphs builds the same DiGraph as networkx's public API."""

from __future__ import annotations

import copy
import pickle

import networkx as nx
from hypothesis import given
from hypothesis import strategies as st

from ilp_gis.speed.graphs import (
    GraphColumns,
    LazyDiGraph,
    build_digraph,
    column_items,
    graph_columns,
)

ATTRS = st.dictionaries(st.sampled_from(["type", "link", "distance_m", "name"]),
                        st.one_of(st.none(), st.integers(), st.floats(allow_nan=False),
                                  st.text(max_size=5)), max_size=3)


@st.composite
def graph_items(draw):
    """Nodes given once, edges given once, every edge between given nodes (self-loops too)."""
    names = draw(st.lists(st.one_of(st.integers(-5, 50), st.text(max_size=4)), unique=True,
                          max_size=12))
    nodes = [(n, draw(ATTRS)) for n in names]
    pairs = draw(st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names)),
                          unique=True, max_size=25)) if names else []
    edges = [(u, v, draw(ATTRS)) for u, v in pairs]
    return nodes, edges


def plain_digraph(nodes, edges) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    return g


def same_graph(g: nx.DiGraph, ref: nx.DiGraph) -> bool:
    return (list(g.nodes(data=True)) == list(ref.nodes(data=True))
            and list(g.edges(data=True)) == list(ref.edges(data=True))
            and all(list(g.predecessors(n)) == list(ref.predecessors(n)) for n in ref)
            and all(list(g.successors(n)) == list(ref.successors(n)) for n in ref))


@given(graph_items())
def test_fast_builder_equals_networkx_api(items):
    nodes, edges = items
    assert same_graph(build_digraph(iter(nodes), iter(edges)), plain_digraph(nodes, edges))


@given(graph_items())
def test_deferred_graph_equals_networkx_api_however_first_used(items):
    nodes, edges = items
    ref = plain_digraph(nodes, edges)

    def deferred():
        return LazyDiGraph.deferred(lambda: (iter(nodes), iter(edges)))

    assert same_graph(deferred(), ref)
    assert same_graph(pickle.loads(pickle.dumps(deferred())), ref)
    assert same_graph(copy.deepcopy(deferred()), ref)
    assert same_graph(deferred().copy(), ref.copy())
    g = deferred()
    assert len(g) == ref.number_of_nodes() and g.number_of_edges() == ref.number_of_edges()


def test_built_graphs_stay_ordinary_digraphs():
    nodes = [("a", {"type": "puskesmas"}), ("b", {"type": "pustu"}), ("c", {"type": "posyandu"})]
    edges = [("a", "b", {"link": "inferred"}), ("b", "c", {"link": "given"})]
    for g in (build_digraph(iter(nodes), iter(edges)),
              LazyDiGraph.deferred(lambda: (iter(nodes), iter(edges)))):
        assert list(g.successors("a")) == ["b"] and list(g.predecessors("c")) == ["b"]
        assert g.in_degree("a") == 0 and g.out_degree("b") == 1
        g.add_edge("a", "c", link="direct_to_puskesmas")
        assert g.number_of_edges() == 3
        assert nx.utils.graphs_equal(g, plain_digraph(nodes, edges + [
            ("a", "c", {"link": "direct_to_puskesmas"})]))


VALUES = st.one_of(st.none(), st.integers(-3, 3), st.floats(allow_nan=True),
                   st.text(max_size=3))


@st.composite
def graph_column_data(draw):
    """Columns of a graph: unique node ids (a repeat now and then), attribute columns with
    None, edges in any order (a repeated pair now and then)."""
    names = draw(st.lists(st.one_of(st.integers(-5, 50), st.text(max_size=4)), unique=True,
                          min_size=1, max_size=10))
    if draw(st.booleans()) and len(names) > 1:
        names = names + [names[0]] if draw(st.integers(0, 4)) == 0 else names
    n = len(names)
    node_attrs = {k: draw(st.lists(VALUES, min_size=n, max_size=n))
                  for k in draw(st.lists(st.sampled_from(["type", "name", "lon"]), unique=True))}
    pairs = draw(st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names)),
                          max_size=20))
    m = len(pairs)
    edge_attrs = {k: draw(st.lists(VALUES, min_size=m, max_size=m))
                  for k in draw(st.lists(st.sampled_from(["link", "distance_m"]), unique=True))}
    return GraphColumns(names, node_attrs, [u for u, _ in pairs], [v for _, v in pairs],
                        edge_attrs)


def _as_columns(g: nx.DiGraph, node_keys, edge_keys) -> GraphColumns:
    nodes = list(g.nodes(data=True))
    edges = list(g.edges(data=True))
    return GraphColumns([n for n, _ in nodes], {k: [a[k] for _, a in nodes] for k in node_keys},
                        [u for u, _, _ in edges], [v for _, v, _ in edges],
                        {k: [a[k] for *_, a in edges] for k in edge_keys})


def _same_values(a: list, b: list) -> bool:
    return len(a) == len(b) and all(x == y or (x != x and y != y) for x, y in zip(a, b,
                                                                                  strict=True))


@given(graph_column_data())
def test_graph_from_columns_gives_its_columns_back_in_the_graphs_order_until_used(cols):
    ref = build_digraph(*column_items(cols))
    g = LazyDiGraph.from_columns(lambda: cols)
    back = graph_columns(g)
    unique = len(set(cols.nodes)) == len(cols.nodes) and len(
        set(zip(cols.sources, cols.targets, strict=True))) == len(cols.sources)
    if not unique:  # the graph merges repeats: the columns are not the graph's
        assert back is None
    else:
        want = _as_columns(ref, cols.node_attrs, cols.edge_attrs)
        assert back.nodes == want.nodes
        assert list(zip(back.sources, back.targets, strict=True)) == list(
            zip(want.sources, want.targets, strict=True))
        for k in cols.node_attrs:
            assert _same_values(back.node_attrs[k], want.node_attrs[k])
        for k in cols.edge_attrs:
            assert _same_values(back.edge_attrs[k], want.edge_attrs[k])
    assert "_pending" in g.__dict__  # reading the columns built no graph
    assert list(g.nodes) == list(ref.nodes) and list(g.edges) == list(ref.edges)
    assert graph_columns(g) is None  # used (it may have been changed since): read the graph


def _as_arrays(cols: GraphColumns) -> GraphColumns:
    """The same columns as numpy arrays (object arrays; a float column as floats) with each
    edge's ends given as node positions, as the analysis hands its network over."""
    import numpy as np

    def array(values: list):
        if values and all(type(v) is float for v in values):
            return np.array(values, dtype=float)
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out

    place = {n: i for i, n in enumerate(cols.nodes)}  # the last of a repeated id
    ends = (np.array([place[u] for u in cols.sources], dtype=np.int64),
            np.array([place[v] for v in cols.targets], dtype=np.int64))
    return GraphColumns(array(cols.nodes), {k: array(v) for k, v in cols.node_attrs.items()},
                        array(cols.sources), array(cols.targets),
                        {k: array(v) for k, v in cols.edge_attrs.items()}, ends=ends)


@given(graph_column_data())
def test_columns_as_arrays_with_their_ends_make_the_graph_of_the_lists(cols):
    arrays = _as_arrays(cols)
    ref = build_digraph(*column_items(cols))
    assert same_graph(build_digraph(*column_items(arrays)), ref)
    # and the graph's nodes hold Python values, as built from lists
    for (_, a), (_, b) in zip(build_digraph(*column_items(arrays)).nodes(data=True),
                              ref.nodes(data=True), strict=True):
        assert {k: type(v) for k, v in a.items()} == {k: type(v) for k, v in b.items()}
    back, want = graph_columns(LazyDiGraph.from_columns(lambda: arrays)), graph_columns(
        LazyDiGraph.from_columns(lambda: cols))
    if want is None:  # repeated ids or pairs: read the graph itself either way
        assert back is None
        return
    assert list(back.nodes) == list(want.nodes)
    assert list(back.sources) == list(want.sources) and list(back.targets) == list(want.targets)
    for k in cols.edge_attrs:
        assert _same_values(list(back.edge_attrs[k]), list(want.edge_attrs[k]))
    nodes = list(back.nodes)  # the ends still point at each edge's nodes
    assert [nodes[i] for i in back.ends[0]] == list(back.sources)
    assert [nodes[i] for i in back.ends[1]] == list(back.targets)
