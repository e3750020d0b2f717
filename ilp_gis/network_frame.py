"""The Puskesmas → Pustu → Posyandu network as arrays: its facilities (the graph's nodes, in
the graph's order, with their type, name, desa and kecamatan) and its links as positions into
them, and what can be reached from a facility.

Outputs that only count and walk the network (the XLSX network sheet, the budget lines pooled
over a Puskesmas's working area) read it here instead of through networkx: from the stored
edge table while a loaded result's graph is unused (``ilp_gis.analysis.load_result``; no
graph built at all), from the columns a fresh analysis' graph is made of, else from the graph.
Each way gives what the graph says.  Imports weakref, numpy, pandas and (at first use, for
networkx) ``ilp_gis.speed.graphs``.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

NODE_FIELDS = ("type", "name", "desa_code", "kecamatan_code")

_READ: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""Per unused graph: its table and the frame read from it."""


@dataclass
class NetworkFrame:
    """``nodes``: one row per facility of the graph, in its order (index: the node ids;
    columns :data:`NODE_FIELDS`, None where the graph holds no value); ``parent`` and
    ``child``: per link (each once) the positions of its two ends in ``nodes``."""

    nodes: pd.DataFrame
    parent: np.ndarray
    child: np.ndarray

    def children(self) -> tuple[np.ndarray, np.ndarray]:
        """``(start, targets)``: the links grouped by parent (CSR): node ``i``'s children are
        ``targets[start[i]:start[i + 1]]``."""
        order = np.argsort(self.parent, kind="stable")
        start = np.searchsorted(self.parent[order], np.arange(len(self.nodes) + 1))
        return start, self.child[order]

    def reachable(self, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every node reachable from each of ``sources`` (node positions), the source itself
        included (``networkx.descendants`` plus the source): pairs ``(i, node)`` with ``i``
        the index into ``sources``, sorted by ``i`` then node position."""
        n = len(self.nodes)
        sources = np.asarray(sources, dtype=np.int64)
        start, targets = self.children()
        degree = np.diff(start)
        seen = np.unique(np.arange(len(sources), dtype=np.int64) * n + sources)
        frontier = seen
        while len(frontier):
            which, node = np.divmod(frontier, n)
            count = degree[node]
            total = int(count.sum())
            if not total:
                break
            offset = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
            reached = targets[np.repeat(start[node], count) + offset]
            keys = np.unique(np.repeat(which, count) * n + reached)
            frontier = keys[~np.isin(keys, seen, assume_unique=True)]
            seen = np.union1d(seen, frontier)
        which, node = np.divmod(seen, n)
        return which, node


def network_frame(graph) -> NetworkFrame | None:
    """The :class:`NetworkFrame` of ``graph`` (an analysis result's network), or None when
    there is no graph."""
    if graph is None:
        return None
    # networkx is imported here, at first use (the desktop app starts without it)
    from ilp_gis.speed.graphs import graph_columns, graph_table

    table = graph_table(graph)
    if table is not None:  # read once per unused graph (the XLSX asks twice)
        known = _READ.get(graph)
        if known is None or known[0] is not table:
            known = _READ[graph] = (table, _from_table(table))
        return known[1]
    columns = graph_columns(graph)
    if columns is not None:
        attrs = {k: columns.node_attrs.get(k, [None] * len(columns.nodes)) for k in NODE_FIELDS}
        return _frame(columns.nodes, attrs, columns.sources, columns.targets)
    ids, rows = [], []
    for n, a in graph.nodes(data=True):
        ids.append(n)
        rows.append(a)
    attrs = {k: [a.get(k) for a in rows] for k in NODE_FIELDS}
    sources, targets = [], []
    for u, v in graph.edges():
        sources.append(u)
        targets.append(v)
    if not graph.is_directed():  # each link both ways
        sources, targets = sources + targets, targets + sources
    return _frame(ids, attrs, sources, targets)


def _frame(ids: list, attrs: dict[str, list], sources: list, targets: list) -> NetworkFrame:
    nodes = pd.DataFrame({k: pd.Series(attrs[k], dtype=object) for k in NODE_FIELDS})
    nodes.index = pd.Index(ids, dtype=object)
    index = pd.Index(ids, dtype=object)
    parent = index.get_indexer(pd.Index(sources, dtype=object))
    child = index.get_indexer(pd.Index(targets, dtype=object))
    return _links(nodes, parent, child)


def _links(nodes: pd.DataFrame, parent: np.ndarray, child: np.ndarray) -> NetworkFrame:
    """Links with both ends among the nodes, each (parent, child) pair once."""
    parent, child = np.asarray(parent, dtype=np.int64), np.asarray(child, dtype=np.int64)
    keep = (parent >= 0) & (child >= 0)
    n = max(len(nodes), 1)
    pairs = np.unique(parent[keep] * n + child[keep])
    return NetworkFrame(nodes, *np.divmod(pairs, n))


def _objects(series: pd.Series) -> np.ndarray:
    """A column's values as Python objects, None where missing (what the graph holds)."""
    values = series.to_numpy(dtype=object)
    missing = pd.isna(values)
    if missing.any():
        values = values.copy()
        values[missing] = None
    return values


def _from_table(table) -> NetworkFrame:
    """The network of what a loaded graph was read from: the stored node and edge tables
    (a pair), or an edge table stored before the node table (:func:`_from_edge_table`)."""
    if isinstance(table, tuple):
        return _from_tables(*table)
    return _from_edge_table(table)


def _from_tables(nodes: pd.DataFrame, edges: pd.DataFrame) -> NetworkFrame:
    """The network of the stored node and edge tables as ``load_result`` builds its graph:
    the nodes in the stored order, then ends of links the node table lacks (no attributes);
    a link per row with both ends."""
    ids = _objects(nodes["id"])
    real = edges[edges["parent_id"].notna().to_numpy()]
    parents, children = _objects(real["parent_id"]), _objects(real["child_id"])
    index = pd.Index(ids, dtype=object)
    ends = np.column_stack([parents, children]).ravel()  # row by row, parent first
    lacking = ends[index.get_indexer(pd.Index(ends, dtype=object)) < 0]
    extra = pd.unique(lacking[pd.notna(lacking)]).tolist()
    index = pd.Index(np.concatenate([ids, np.asarray(extra, dtype=object)]), dtype=object)
    frame = pd.DataFrame(index=index)
    for k in NODE_FIELDS:
        values = (_objects(nodes[k]) if k in nodes else np.full(len(nodes), None, dtype=object))
        frame[k] = pd.Series(np.concatenate([values, np.full(len(extra), None, dtype=object)]),
                             index=index, dtype=object)
    parent = index.get_indexer(pd.Index(parents, dtype=object))
    child = index.get_indexer(pd.Index(children, dtype=object))
    return _links(frame, parent, child)


def _from_edge_table(edges: pd.DataFrame) -> NetworkFrame:
    """The network of the stored edge table as ``load_result`` builds its graph: the nodes are
    the parents in their first row's order, then the children that are no parent; a node's
    attributes are those of its first row as a child, else of its first row as a parent; a
    link per row with both ends."""
    sides = {}
    for side in ("parent", "child"):
        ids = edges[f"{side}_id"]
        rows = edges[ids.notna().to_numpy()].drop_duplicates(f"{side}_id")
        sides[side] = (_objects(rows[f"{side}_id"]), {
            k: _objects(rows[f"{side}_{k}"]) if f"{side}_{k}" in rows
            else np.full(len(rows), None, dtype=object) for k in NODE_FIELDS})
    p_ids, p_attrs = sides["parent"]
    c_ids, c_attrs = sides["child"]
    child_index = pd.Index(c_ids, dtype=object)
    only_child = ~child_index.isin(pd.Index(p_ids, dtype=object))
    ids = np.concatenate([p_ids, c_ids[only_child]])
    index = pd.Index(ids, dtype=object)
    at_child = child_index.get_indexer(index)  # a node's row as a child, -1: none
    as_child = at_child >= 0
    nodes = pd.DataFrame(index=index)
    for k in NODE_FIELDS:
        values = np.concatenate([p_attrs[k], c_attrs[k][only_child]])
        values[as_child] = c_attrs[k][at_child[as_child]]
        nodes[k] = pd.Series(values, index=index, dtype=object)
    real = edges[edges["parent_id"].notna().to_numpy()]
    parent = index.get_indexer(pd.Index(_objects(real["parent_id"]), dtype=object))
    child = index.get_indexer(pd.Index(_objects(real["child_id"]), dtype=object))
    return _links(nodes, parent, child)
