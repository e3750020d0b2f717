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
                min_size=1, max_size=8, unique_by=lambda r: str(r[0])),
       st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7),
                          st.one_of(st.none(), texts, st.integers(-3, 3)))))
def test_graph_written_from_its_columns_is_the_file_of_the_built_graph(rows, links):
    # Ids are unique as text: GraphML ids are text, and the reference writer below turns each id
    # into its text (1 and "1" would be one node there, two in the graph).
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


# --- the column-at-a-time text against the same file written value by value -----------------

HOSTILE = ["", "plain", "a&b", "<tag>", 'say "hi"', "it's", "both \"'", "tab\there",
           "line\nend", "cr\rx", "bel\x07", "nul\x00", "\x1f", "\ufffe", "\uffff", "lone \ud800",
           "é ü 🙂", "&amp;", "]]>"]
hostile = st.one_of(st.sampled_from(HOSTILE), texts)
column_values = st.one_of(
    st.lists(st.one_of(st.none(), hostile)),
    st.lists(st.one_of(st.none(), st.floats(allow_nan=True),
                       st.floats(-1e6, 1e6).map(np.float32),
                       st.sampled_from([0.0, -0.0, 1e16, 9.999e15, 1e-4, 9.9e-5, 1e300,
                                        5e-324, 0.1 + 0.2, float("inf"), -float("inf")]))),
    st.lists(st.one_of(st.none(), st.integers(-2**70, 2**70), st.integers(-5, 5).map(np.int64))),
    st.lists(st.one_of(st.none(), st.booleans(), st.integers(-3, 3), hostile, st.floats())))


def _xml_type(value) -> str:
    return {bool: "boolean", int: "long", float: "double", str: "string"}[type(value)]


def _reference_body(node_ids, node_cols, edges, edge_cols, keys) -> str:
    """The elements as the old writer wrote them, one value at a time: ``quoteattr`` of each
    cleaned id, and per attribute in column order the cleaned, escaped ``str`` of its value
    under the key of its name and type."""
    from xml.sax.saxutils import escape, quoteattr

    def ident(v) -> str:
        return quoteattr(clean_text(str(v)))

    out = []
    for scope, heads, cols in (("node", [f"id={ident(n)}" for n in node_ids], node_cols),
                               ("edge", [f"source={ident(u)} target={ident(v)}"
                                         for u, v in edges], edge_cols)):
        for i, head in enumerate(heads):
            lines = []
            for name, values in cols.items():
                value = graphml_value(values[i])
                if value is not None:
                    key = keys[(scope, quoteattr(name), _xml_type(value))]
                    lines.append(f'      <data key="{key}">{escape(str(value))}</data>\n')
            if lines:
                out.append(f"    <{scope} {head}>\n" + "".join(lines) + f"    </{scope}>\n")
            else:
                out.append(f"    <{scope} {head} />\n")
    return "".join(out)


def _keys_and_body(text: str):
    import re

    keys = {(m[1], m[2], m[3]): m[0] for m in re.findall(
        r'  <key id="(d\d+)" for="(node|edge)" attr.name=(.+?) attr.type="(\w+)" />\n', text)}
    start = text.index('  <graph edgedefault="directed">\n') + len(
        '  <graph edgedefault="directed">\n')
    assert text.endswith("  </graph>\n</graphml>\n")
    return keys, text[start:-len("  </graph>\n</graphml>\n")]


@settings(max_examples=200, deadline=None)
@given(st.lists(column_values, min_size=1, max_size=4), st.lists(column_values, max_size=3),
       st.lists(st.one_of(hostile, st.integers(-3, 3)), min_size=1, max_size=10, unique=True),
       st.integers(1, 5), st.booleans())
def test_columns_written_at_once_equal_the_file_written_value_by_value(node_columns,
                                                                      edge_columns, ids,
                                                                      chunk, binary):
    import layers.graphml as graphml
    from ilp_gis.speed.graphs import GraphColumns, LazyDiGraph

    n = len(ids)
    node_cols = {f"n{i} <&\"'>": (vals * n)[:n] if vals else [None] * n
                 for i, vals in enumerate(node_columns)}
    edges = [(ids[i], ids[(i + 1) % n]) for i in range(n - 1)]
    m = len(edges)
    edge_cols = {f"e{i}": (vals * m)[:m] if vals else [None] * m
                 for i, vals in enumerate(edge_columns)}
    cols = GraphColumns(list(ids), node_cols, [u for u, _ in edges], [v for _, v in edges],
                        edge_cols)
    was = graphml._CHUNK
    graphml._CHUNK = chunk
    try:
        if binary:
            buf = io.BytesIO()
            write_graphml_stream(LazyDiGraph.from_columns(lambda: cols), buf)
            text = buf.getvalue().decode("utf-8")
        else:
            sbuf = io.StringIO()
            write_graphml_stream(LazyDiGraph.from_columns(lambda: cols), sbuf)
            text = sbuf.getvalue()
    finally:
        graphml._CHUNK = was
    keys, body = _keys_and_body(text)
    assert body == _reference_body(ids, node_cols, edges, edge_cols, keys)


def test_a_small_network_written_exactly():
    """Every kind of value in a hand-made graph, the expected text worked out by hand."""
    graph = nx.DiGraph()
    graph.add_node('P"1', name="A & <B>", lon=110.0, n=np.int64(2 ** 40), big=2 ** 70,
                   bad="x\x07y\ufffe")
    graph.add_node("P'2\"", lon=float("nan"), n=None, name=None)
    graph.add_node("P3\t", name="tab\tok", lon=1e-5)
    graph.add_edge('P"1', "P3\t", km=0.1 + 0.2)
    graph.add_edge("P3\t", "P'2\"")
    buf = io.BytesIO()
    write_graphml_stream(graph, buf)
    keys = ('  <key id="d0" for="node" attr.name="name" attr.type="string" />\n'
            '  <key id="d1" for="node" attr.name="lon" attr.type="double" />\n'
            '  <key id="d2" for="node" attr.name="n" attr.type="long" />\n'
            '  <key id="d3" for="node" attr.name="big" attr.type="long" />\n'
            '  <key id="d4" for="node" attr.name="bad" attr.type="string" />\n'
            '  <key id="d5" for="edge" attr.name="km" attr.type="double" />\n')
    body = ("    <node id='P\"1'>\n"
            '      <data key="d0">A &amp; &lt;B&gt;</data>\n'
            '      <data key="d1">110.0</data>\n'
            '      <data key="d2">1099511627776</data>\n'
            '      <data key="d3">1180591620717411303424</data>\n'
            '      <data key="d4">x\\x07y\\ufffe</data>\n'
            "    </node>\n"
            '    <node id="P\'2&quot;" />\n'
            '    <node id="P3&#9;">\n'
            '      <data key="d0">tab\tok</data>\n'
            '      <data key="d1">1e-05</data>\n'
            "    </node>\n"
            "    <edge source='P\"1' target=\"P3&#9;\">\n"
            '      <data key="d5">0.30000000000000004</data>\n'
            "    </edge>\n"
            '    <edge source="P3&#9;" target="P\'2&quot;" />\n')
    text = buf.getvalue().decode("utf-8")
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>\n<graphml ")
    assert keys + '  <graph edgedefault="directed">\n' + body + "  </graph>\n</graphml>\n" \
        in text


@settings(max_examples=120, deadline=None)
@given(st.lists(st.one_of(hostile, st.integers(-3, 3)), min_size=1, max_size=9, unique=True),
       st.lists(st.one_of(st.none(), hostile), min_size=1, max_size=9),
       st.lists(st.one_of(st.floats(allow_nan=True), st.sampled_from(
           [0.0, -0.0, 1e16, 9.999e15, 1e-4, 9.9e-5, 5e-324, 123.0])), min_size=1, max_size=9),
       st.lists(st.integers(-2**40, 2**40), min_size=1, max_size=9),
       st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), max_size=12),
       st.integers(1, 4))
def test_network_columns_as_arrays_write_the_file_of_the_lists(ids, names, floats, ints, links,
                                                               chunk):
    """The analysis hands its network over as numpy arrays with each link's ends as node
    positions (the edges' ids then come from the nodes' text): the same bytes as the same
    columns as lists."""
    import layers.graphml as graphml
    from ilp_gis.speed.graphs import GraphColumns, LazyDiGraph

    n = len(ids)

    def fit(values: list, size: int) -> list:
        return (values * size)[:size]

    pairs = list(dict.fromkeys((a % n, b % n) for a, b in links))
    pairs.sort(key=lambda p: p[0])  # grouped by source in node order, as the graph holds them
    u = np.array([a for a, _ in pairs], dtype=np.int64)
    v = np.array([b for _, b in pairs], dtype=np.int64)
    m = len(pairs)

    def objects(values: list) -> np.ndarray:
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out

    node_lists = {"name": fit(names, n), "lon": fit(floats, n), "count": fit(ints, n)}
    edge_lists = {"distance_m": fit(floats[::-1], m), "link": fit(names[::-1], m)}
    lists = GraphColumns(list(ids), node_lists, [ids[a] for a in u], [ids[b] for b in v],
                         edge_lists)
    node_ids = objects(list(ids))
    arrays = GraphColumns(
        node_ids, {"name": objects(node_lists["name"]),
                   "lon": np.array(node_lists["lon"], dtype=float),
                   "count": np.array(node_lists["count"], dtype=np.int64)},
        node_ids[u], node_ids[v],
        {"distance_m": np.array(edge_lists["distance_m"], dtype=float),
         "link": objects(edge_lists["link"])}, ends=(u, v))
    was = graphml._CHUNK
    graphml._CHUNK = chunk
    try:
        got = _stream(LazyDiGraph.from_columns(lambda: arrays))
        want = _stream(LazyDiGraph.from_columns(lambda: lists))
    finally:
        graphml._CHUNK = was
    assert got == want
    assert want == _stream(nx_graph(lists))


def nx_graph(cols) -> nx.DiGraph:
    """The graph of ``cols`` built through networkx's public API."""
    g = nx.DiGraph()
    for i, node in enumerate(cols.nodes):
        g.add_node(node, **{k: vals[i] for k, vals in cols.node_attrs.items()})
    for j, (a, b) in enumerate(zip(cols.sources, cols.targets, strict=True)):
        g.add_edge(a, b, **{k: vals[j] for k, vals in cols.edge_attrs.items()})
    return g
