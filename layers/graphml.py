"""The facility network as GraphML, written as a stream: the same file networkx's writer makes
(keys per attribute name, type and scope; values as text), without building an XML tree of
the whole national network first.  networkx's writer is the plain twin in the tests.

Imports only the standard library, numpy, networkx (for the graph type), layers.safe_cells
and ilp_gis.speed.graphs (the columns an analysis graph was made of).
"""

from __future__ import annotations

import math
from itertools import chain
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
import numpy as np

from ilp_gis.speed.graphs import graph_columns
from layers.safe_cells import CONTROL_CHARACTERS, clean_text

_XML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
_HEAD = ("<?xml version='1.0' encoding='utf-8'?>\n"
         '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
         'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
         'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
         'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
_CHUNK = 20_000  # nodes or edges per write


def graphml_value(v):
    """GraphML holds str/int/float/bool: None/NaN attributes are left out (None returned),
    numpy scalars become Python ones, anything else its cleaned text."""
    if v is None:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, str):
        return clean_text(v)
    if isinstance(v, bool | int | float):
        return v
    return clean_text(str(v))


_NONE = type(None)
_FLOATS = {float, np.float64, np.float32, _NONE}
_INTS = {int, np.int64, np.int32}
_SEP = "\x00"  # never in cleaned text (clean_text escapes every control character)


def _cleaned(texts: list[str]) -> list[str]:
    """:func:`clean_text` of each text; one search of the joined column when none needs it."""
    if CONTROL_CHARACTERS.search("\n".join(texts)) is None:  # LF is kept by clean_text
        return texts
    return [clean_text(t) for t in texts]


def _escaped(texts: list[str], entities: dict | None = None) -> list[str]:
    """``escape`` of each (cleaned) text, done once on the joined column (a call per value
    costs seconds for a national network)."""
    if not texts:
        return []
    return escape(_SEP.join(texts), entities or {}).split(_SEP)


def _fast_type(kinds: set[type]) -> type | None:
    """The one GraphML type of a column whose values are all of ``kinds`` when it is written
    whole at once (text, floats or integers, with None for missing), else None."""
    if kinds <= {str, _NONE}:
        return str
    if kinds <= _FLOATS:
        return float
    if kinds <= _INTS | {_NONE}:
        return int
    return None


def _column(values: list) -> tuple[list | type, list[str | None], np.ndarray]:
    """The GraphML type (one for the whole column, else one per value), escaped text of each
    value of one attribute column (None where the value is left out) and which values are
    written: whole columns of text, floats or integers at once, any other mix value by value
    through :func:`graphml_value`."""
    fast = _fast_type(set(map(type, values)))
    n = len(values)
    if fast is str:
        if None not in values:
            return str, _escaped(_cleaned(values)), np.ones(n, dtype=bool)
        present = [i for i, v in enumerate(values) if v is not None]
        texts: list[str | None] = [None] * n
        for i, t in zip(present, _escaped(_cleaned([values[i] for i in present])),
                        strict=True):
            texts[i] = t
        mask = np.zeros(n, dtype=bool)
        mask[present] = True
        return str, texts, mask
    if fast is float:
        arr = np.array(values if None not in values else
                       [np.nan if v is None else v for v in values], dtype=float)
        mask = ~np.isnan(arr)
        if mask.all():
            return float, list(map(repr, arr.tolist())), mask
        return float, [None if x != x else repr(x) for x in arr.tolist()], mask
    if fast is int:
        texts = [None if v is None else str(v) for v in values]
    else:
        cleaned = [graphml_value(v) for v in values]
        types = list(map(type, cleaned))
        texts = [None if v is None else escape(v if isinstance(v, str) else str(v))
                 for v in cleaned]
    mask = np.fromiter((t is not None for t in texts), bool, n)
    return (int if fast is int else types), texts, mask


def _attr_columns(dicts: list[dict]) -> dict[str, list]:
    """The elements' attributes as columns: per name (in first-seen order), each element's
    value (None where it has none)."""
    names = list(dict.fromkeys(k for a in dicts for k in a))
    return {name: [a.get(name) for a in dicts] for name in names}


def _register(columns: dict[str, list], scope: str, keys: dict) -> None:
    """Declare in ``keys`` every (scope, name, type) the elements' attributes are written as
    (what :func:`_column` gives for any run of elements)."""
    for name, raw in columns.items():
        if not raw:  # no element: nothing to declare (as no element has the attribute)
            continue
        fast = _fast_type(set(map(type, raw)))
        found = [fast] if fast else list(dict.fromkeys(
            type(v) for v in map(graphml_value, raw) if v is not None))
        for typ in found:
            keys.setdefault((scope, str(name), typ), f"d{len(keys)}")


def _data_columns(columns: dict[str, list], n: int, scope: str,
                  keys: dict) -> tuple[list[list[str]], np.ndarray]:
    """Per attribute column of ``n`` elements, each element's ``<data>`` line ("" when it has
    none), and which elements have any; the keys were declared by :func:`_register`."""
    out: list[list[str]] = []
    has_any = np.zeros(n, dtype=bool)
    for name, values in columns.items():
        types, texts, present = _column(values)
        if not present.any():
            continue
        has_any |= present
        if isinstance(types, type):
            head = f'      <data key="{keys[(scope, str(name), types)]}">'
            out.append([f"{head}{t}</data>\n" for t in texts] if present.all() else
                       ["" if t is None else f"{head}{t}</data>\n" for t in texts])
            continue
        out.append(["" if text is None else
                    f'      <data key="{keys[(scope, str(name), typ)]}">{text}</data>\n'
                    for typ, text in zip(types, texts, strict=True)])
    return out, has_any


_ATTR_ENTITIES = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}  # what quoteattr adds


def _idents(values: list) -> list[str]:
    """``quoteattr(clean_text(str(v)))`` of each value, the escaping done once per column."""
    texts = _cleaned(list(map(str, values)))
    quoted = _escaped(texts, _ATTR_ENTITIES)
    if not any('"' in t for t in texts):
        return [f'"{q}"' for q in quoted]
    return [quoteattr(t) if '"' in t else f'"{q}"' for t, q in zip(texts, quoted, strict=True)]


def write_graphml_stream(graph: nx.DiGraph, fh) -> None:
    """Write ``graph`` (directed) as GraphML to the text file ``fh``: the keys from one look at
    every attribute column, then the elements a chunk at a time, column by column within it
    (only one chunk's text is held at once).  A graph the analysis made and nobody used yet is
    written from the columns it was made of (``ilp_gis.speed.graphs.graph_columns``), the
    same file without building the graph."""
    keys: dict[tuple[str, str, type], str] = {}
    cols = graph_columns(graph)
    if cols is not None:
        node_ids, node_cols = cols.nodes, cols.node_attrs
        sources, targets, edge_cols = cols.sources, cols.targets, cols.edge_attrs
    else:
        node_ids, node_attrs = [], []
        for n, a in graph.nodes(data=True):
            node_ids.append(n)
            node_attrs.append(a)
        sources, targets, edge_attrs = [], [], []
        for u, v, a in graph.edges(data=True):
            sources.append(u)
            targets.append(v)
            edge_attrs.append(a)
        node_cols, edge_cols = _attr_columns(node_attrs), _attr_columns(edge_attrs)
        del node_attrs, edge_attrs
    _register(node_cols, "node", keys)
    _register(edge_cols, "edge", keys)
    fh.write(_HEAD)
    for (scope, name, typ), kid in keys.items():
        fh.write(f'  <key id="{kid}" for="{scope}" attr.name={quoteattr(name)} '
                 f'attr.type="{_XML_TYPES[typ]}" />\n')
    fh.write('  <graph edgedefault="directed">\n')
    for start in range(0, len(node_ids), _CHUNK):
        part = slice(start, start + _CHUNK)
        ids = node_ids[part]
        _elements(fh, "node", [f"id={i}" for i in _idents(ids)],
                  *_data_columns({k: v[part] for k, v in node_cols.items()}, len(ids), "node",
                                 keys))
    for start in range(0, len(sources), _CHUNK):
        part = slice(start, start + _CHUNK)
        _elements(fh, "edge", [f"source={s} target={t}" for s, t in
                               zip(_idents(sources[part]), _idents(targets[part]), strict=True)],
                  *_data_columns({k: v[part] for k, v in edge_cols.items()},
                                 len(sources[part]), "edge", keys))
    fh.write("  </graph>\n</graphml>\n")


def _elements(fh, tag: str, idents: list[str], columns: list[list[str]],
              has_any: np.ndarray) -> None:
    close = f"    </{tag}>\n"
    full = has_any.tolist()
    heads = [f"    <{tag} {i}>\n" if f else f"    <{tag} {i} />\n"
             for i, f in zip(idents, full, strict=True)]
    tails = [close if f else "" for f in full]
    fh.write("".join(chain.from_iterable(zip(heads, *columns, tails, strict=True))))
