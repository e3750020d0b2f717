"""Large networkx DiGraphs built fast: filled through networkx's adjacency dicts, optionally
on first use.  The one place that writes networkx's private ``_node``/``_succ``/``_pred``;
domain code calls :func:`build_digraph`, :meth:`LazyDiGraph.deferred` or
:meth:`LazyDiGraph.from_columns`.  Imports threading, networkx and numpy.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np

Items = tuple[Iterable, Iterable]
"""``(node, attrs)`` pairs and ``(u, v, attrs)`` triples; nodes and edges each given once, and
every node of an edge among the nodes."""


def _put(node: dict, succ: dict, pred: dict, nodes: Iterable, edges: Iterable) -> None:
    """What ``add_nodes_from(nodes); add_edges_from(edges)`` does to an empty DiGraph."""
    for n, attrs in nodes:
        node[n] = attrs
        succ[n] = {}
        pred[n] = {}
    for u, v, attrs in edges:
        succ[u][v] = attrs
        pred[v][u] = attrs


def build_digraph(nodes, edges) -> nx.DiGraph:
    """A DiGraph from :data:`Items`, fast for large networks (``add_edges_from`` costs seconds
    for 300k edges); falls back to the public API when networkx's internals are not there."""
    g = nx.DiGraph()
    dicts = (getattr(g, "_node", None), getattr(g, "_succ", None), getattr(g, "_pred", None))
    if not all(isinstance(x, dict) for x in dicts):  # pragma: no cover
        g.add_nodes_from(nodes)
        g.add_edges_from(edges)
        return g
    _put(*dicts, nodes, edges)
    return g


@dataclass
class GraphColumns:
    """A graph as columns: the node ids, each node attribute in node order, then the edges'
    ends and each edge attribute in edge order (each column a list or a numpy array).  What
    :func:`column_items` turns into :data:`Items`; node ids unique, ``(source, target)`` pairs
    unique and the edges in networkx's order (grouped by source in node order), so the columns
    read the same as the graph built from them.  ``ends``: where each edge's source and target
    are among the nodes (two integer arrays), when the maker knows them (the GraphML writer
    then reuses the nodes' text and never looks an id up)."""

    nodes: list | np.ndarray
    node_attrs: dict[str, list | np.ndarray]
    sources: list | np.ndarray
    targets: list | np.ndarray
    edge_attrs: dict[str, list | np.ndarray]
    ends: tuple[np.ndarray, np.ndarray] | None = None

    def ordered(self) -> GraphColumns | None:
        """These columns with the edges in the graph's order (and their :attr:`ends`), or
        None when a node id or a ``(source, target)`` pair is repeated (the graph would merge
        them)."""
        m = len(self.sources)
        if self.ends is not None:
            if len(set(self.nodes)) != len(self.nodes):
                return None
            u, v = (np.asarray(e, dtype=np.int64) for e in self.ends)
            size = max(len(self.nodes), 1)
        else:
            place = {n: i for i, n in enumerate(self.nodes)}
            if len(place) != len(self.nodes):
                return None
            try:
                u = np.fromiter(map(place.__getitem__, self.sources), np.int64, m)
                v = np.fromiter(map(place.__getitem__, self.targets), np.int64, m)
            except KeyError:  # an edge end that is no node: not columns of a graph
                return None
            size = max(len(place), 1)
        pairs = np.sort(u * size + v)  # a repeated pair: two equal neighbours once sorted
        if m > 1 and bool((pairs[1:] == pairs[:-1]).any()):
            return None
        if m < 2 or bool((u[1:] >= u[:-1]).all()):
            return GraphColumns(self.nodes, self.node_attrs, self.sources, self.targets,
                                self.edge_attrs, (u, v))
        order = np.argsort(u, kind="stable")
        listed = order.tolist()

        def pick(values):
            if isinstance(values, np.ndarray):
                return values[order]
            return [values[i] for i in listed]

        return GraphColumns(self.nodes, self.node_attrs, pick(self.sources),
                            pick(self.targets), {k: pick(v) for k, v in self.edge_attrs.items()},
                            (u[order], v[order]))


def _listed(values):
    """A column as a list (a numpy array's values as Python objects, as ``tolist`` gives)."""
    return values.tolist() if isinstance(values, np.ndarray) else values


def column_items(columns: GraphColumns) -> Items:
    """The ``(node, attrs)`` pairs and ``(u, v, attrs)`` triples of ``columns`` (numpy
    columns as Python objects)."""
    nk, ek = list(columns.node_attrs), list(columns.edge_attrs)
    node_vals = [_listed(v) for v in columns.node_attrs.values()]
    edge_vals = [_listed(v) for v in columns.edge_attrs.values()]
    node_ids, sources, targets = (_listed(columns.nodes), _listed(columns.sources),
                                  _listed(columns.targets))
    nodes = zip(node_ids, (dict(zip(nk, vals, strict=True)) for vals in zip(
        *node_vals, strict=True)) if nk else ({} for _ in node_ids), strict=True)
    edges = zip(sources, targets, (dict(zip(ek, vals, strict=True)) for vals in zip(
        *edge_vals, strict=True)) if ek else ({} for _ in sources), strict=True)
    return nodes, edges


def graph_columns(graph: nx.DiGraph) -> GraphColumns | None:
    """The columns a :class:`LazyDiGraph` was made of (:meth:`LazyDiGraph.from_columns`) while
    it was never used (so surely not changed since), in the graph's order; else None (read the
    graph itself)."""
    make = graph.__dict__.get("_columns") if isinstance(graph, LazyDiGraph) else None
    if make is None or "_pending" not in graph.__dict__:
        return None
    return make()


_FILL_LOCK = threading.RLock()


def graph_table(graph):
    """The table a :class:`LazyDiGraph` is read from (:meth:`LazyDiGraph.deferred` with
    ``table``) while it was never used (so surely not changed since); else None."""
    if not isinstance(graph, LazyDiGraph) or "_pending" not in graph.__dict__:
        return None
    return graph.__dict__.get("_table")


class _Filled:
    """Data descriptor standing in for networkx's ``_node``/``_adj``/``_succ``/``_pred``: fills
    the graph on first read, then behaves like networkx's own (which resets cached views on
    write)."""

    def __set_name__(self, owner, name):
        self.name = name
        self.base = inspect.getattr_static(nx.DiGraph, name)

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        od = obj.__dict__
        if "_pending" in od:
            LazyDiGraph._fill(obj)
        return od[self.name]

    def __set__(self, obj, value):
        self.base.__set__(obj, value)


class LazyDiGraph(nx.DiGraph):
    """An ``nx.DiGraph`` whose nodes and edges are put in on first use.

    Building 300k nodes and edges costs a second or two of pure Python; a caller that never
    looks at the graph (or looks later) does not pay it up front.  Any read of the graph —
    ``nodes``, ``edges``, ``len``, networkx algorithms, copying, pickling — fills it first,
    with exactly what :func:`build_digraph` would give for ``items()``.
    """

    _node = _Filled()
    _adj = _Filled()
    _succ = _Filled()
    _pred = _Filled()

    @classmethod
    def deferred(cls, items: Callable[[], Items], *, table=None) -> LazyDiGraph:
        """The graph of ``items()``, called when the graph is first used; ``table`` (what the
        items are read from, e.g. a stored edge table) comes back from :func:`graph_table`
        while the graph is unused."""
        g = cls()
        g.__dict__["_pending"] = items
        if table is not None:
            g.__dict__["_table"] = table
        return g

    @classmethod
    def from_columns(cls, columns: Callable[[], GraphColumns]) -> LazyDiGraph:
        """The graph of ``columns()`` (called once, when first needed), which
        :func:`graph_columns` gives back while the graph was never used."""
        cache: dict[str, GraphColumns | None] = {}

        def made() -> GraphColumns:
            if "raw" not in cache:
                cache["raw"] = columns()
            return cache["raw"]

        def ordered() -> GraphColumns | None:
            if "ordered" not in cache:
                cache["ordered"] = made().ordered()
            return cache["ordered"]

        g = cls.deferred(lambda: column_items(made()))
        g.__dict__["_columns"] = ordered
        return g

    @staticmethod
    def _fill(g: LazyDiGraph) -> None:
        """Put the nodes and edges in, once: a second thread reading the graph meanwhile
        waits for them (the graph counts as unused until they are all in)."""
        od = g.__dict__
        with _FILL_LOCK:
            items = od.get("_pending")
            if items is None or od.get("_filling"):
                return
            od["_filling"] = True
            try:
                _put(od["_node"], od["_succ"], od["_pred"], *items())
            finally:
                del od["_filling"]
            od.pop("_columns", None)
            od.pop("_table", None)
            del od["_pending"]

    def __getstate__(self):
        LazyDiGraph._fill(self)
        return dict(self.__dict__)
