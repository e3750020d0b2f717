"""ilp_gis.speed.graphs builds the same DiGraph as networkx's public API."""

from __future__ import annotations

import copy
import pickle

import networkx as nx
from hypothesis import given
from hypothesis import strategies as st

from ilp_gis.speed.graphs import LazyDiGraph, build_digraph

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
