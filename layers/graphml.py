"""The facility network as GraphML, written as a stream: the same file networkx's writer makes
(keys per attribute name, type and scope; values as text), without building an XML tree of
the whole national network first.  networkx's writer is the plain twin in the tests.

Imports only the standard library, numpy, networkx (for the graph type) and layers.safe_cells.
"""

from __future__ import annotations

import math
from itertools import chain
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
import numpy as np

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


def _column(values: list) -> tuple[list | type, list[str | None]]:
    """The GraphML type (one for the whole column, else one per value) and escaped text of
    each value of one attribute column (None where the value is left out): whole columns of
    text, floats or integers at once, any other mix value by value through
    :func:`graphml_value`."""
    kinds = set(map(type, values))
    n = len(values)
    if kinds <= {str, _NONE}:
        present = [i for i, v in enumerate(values) if v is not None]
        if len(present) == n:
            return str, _escaped(_cleaned(values))
        texts: list[str | None] = [None] * n
        for i, t in zip(present, _escaped(_cleaned([values[i] for i in present])),
                        strict=True):
            texts[i] = t
        return str, texts
    if kinds <= _FLOATS:
        arr = np.array([np.nan if v is None else v for v in values], dtype=float)
        return float, [None if x != x else repr(x) for x in arr.tolist()]
    if kinds <= _INTS | {_NONE}:
        return int, [None if v is None else str(v) for v in values]
    cleaned = [graphml_value(v) for v in values]
    types = list(map(type, cleaned))
    texts = [None if v is None else escape(v if isinstance(v, str) else str(v))
             for v in cleaned]
    return types, texts


def _data_columns(dicts: list[dict], scope: str, keys: dict) -> tuple[list[list[str]],
                                                                        np.ndarray]:
    """Per attribute name, each element's ``<data>`` line ("" when it has none), and which
    elements have any."""
    names = list(dict.fromkeys(k for a in dicts for k in a))
    columns: list[list[str]] = []
    has_any = np.zeros(len(dicts), dtype=bool)
    for name in names:
        types, texts = _column([a.get(name) for a in dicts])
        has_any |= np.fromiter((t is not None for t in texts), bool, len(texts))
        if isinstance(types, type):
            kid = keys.setdefault((scope, str(name), types), f"d{len(keys)}")
            head = f'      <data key="{kid}">'
            columns.append(["" if t is None else f"{head}{t}</data>\n" for t in texts])
            continue
        ids: dict[type, str] = {}
        line = []
        for typ, text in zip(types, texts, strict=True):
            if text is None:
                line.append("")
                continue
            kid = ids.get(typ)
            if kid is None:
                kid = ids[typ] = keys.setdefault((scope, str(name), typ), f"d{len(keys)}")
            line.append(f'      <data key="{kid}">{text}</data>\n')
        columns.append(line)
    return columns, has_any


_ATTR_ENTITIES = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}  # what quoteattr adds


def _idents(values: list) -> list[str]:
    """``quoteattr(clean_text(str(v)))`` of each value, the escaping done once per column."""
    texts = _cleaned(list(map(str, values)))
    quoted = _escaped(texts, _ATTR_ENTITIES)
    if not any('"' in t for t in texts):
        return [f'"{q}"' for q in quoted]
    return [quoteattr(t) if '"' in t else f'"{q}"' for t, q in zip(texts, quoted, strict=True)]


def write_graphml_stream(graph: nx.DiGraph, fh) -> None:
    """Write ``graph`` (directed) as GraphML to the text file ``fh``: column by column (one
    attribute of every node, then of every edge), each chunk of elements joined at once."""
    keys: dict[tuple[str, str, type], str] = {}
    node_ids, node_attrs = [], []
    for n, a in graph.nodes(data=True):
        node_ids.append(n)
        node_attrs.append(a)
    node_data = _data_columns(node_attrs, "node", keys)
    del node_attrs
    sources, targets, edge_attrs = [], [], []
    for u, v, a in graph.edges(data=True):
        sources.append(u)
        targets.append(v)
        edge_attrs.append(a)
    edge_data = _data_columns(edge_attrs, "edge", keys)
    del edge_attrs
    fh.write(_HEAD)
    for (scope, name, typ), kid in keys.items():
        fh.write(f'  <key id="{kid}" for="{scope}" attr.name={quoteattr(name)} '
                 f'attr.type="{_XML_TYPES[typ]}" />\n')
    fh.write('  <graph edgedefault="directed">\n')
    _elements(fh, "node", [f"id={i}" for i in _idents(node_ids)], *node_data)
    del node_ids
    _elements(fh, "edge", [f"source={s} target={t}" for s, t in
                           zip(_idents(sources), _idents(targets), strict=True)], *edge_data)
    fh.write("  </graph>\n</graphml>\n")


def _elements(fh, tag: str, idents: list[str], columns: list[list[str]],
              has_any: np.ndarray) -> None:
    close = f"    </{tag}>\n"
    for start in range(0, len(idents), _CHUNK):
        stop = start + _CHUNK
        full = has_any[start:stop].tolist()
        heads = [f"    <{tag} {i}>\n" if f else f"    <{tag} {i} />\n"
                 for i, f in zip(idents[start:stop], full, strict=True)]
        tails = [close if f else "" for f in full]
        fh.write("".join(chain.from_iterable(
            zip(heads, *(c[start:stop] for c in columns), tails, strict=True))))
