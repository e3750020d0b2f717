"""Large networkx DiGraphs built fast: filled through networkx's adjacency dicts, optionally
on first use.  The one place that writes networkx's private ``_node``/``_succ``/``_pred``;
domain code calls :func:`build_digraph` or :meth:`LazyDiGraph.deferred`.  Imports networkx only.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable

import networkx as nx

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
    def deferred(cls, items: Callable[[], Items]) -> LazyDiGraph:
        """The graph of ``items()``, called when the graph is first used."""
        g = cls()
        g.__dict__["_pending"] = items
        return g

    @staticmethod
    def _fill(g: LazyDiGraph) -> None:
        od = g.__dict__
        items = od.pop("_pending", None)
        if items is None:
            return
        _put(od["_node"], od["_succ"], od["_pred"], *items())

    def __getstate__(self):
        LazyDiGraph._fill(self)
        return dict(self.__dict__)
