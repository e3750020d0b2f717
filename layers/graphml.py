"""The facility network as GraphML, written as a stream: the same file networkx's writer makes
(keys per attribute name, type and scope; values as text), without building an XML tree of
the whole national network first.  networkx's writer is the plain twin in the tests.

Imports only the standard library, numpy, networkx (for the graph type) and layers.safe_cells.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
import numpy as np

from layers.safe_cells import clean_text

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


def _attrs(attrs: dict) -> list[tuple[str, object]]:
    out = []
    for k, v in attrs.items():
        v = graphml_value(v)
        if v is not None:
            out.append((str(k), v))
    return out


def write_graphml_stream(graph: nx.DiGraph, fh) -> None:
    """Write ``graph`` (directed) as GraphML to the text file ``fh``."""
    keys: dict[tuple[str, str, type], str] = {}
    for scope, items in (("node", (a for _, a in graph.nodes(data=True))),
                         ("edge", (a for _, _, a in graph.edges(data=True)))):
        for attrs in items:
            for k, v in _attrs(attrs):
                keys.setdefault((scope, k, type(v)), f"d{len(keys)}")
    fh.write(_HEAD)
    for (scope, name, typ), kid in reversed(keys.items()):  # the order networkx writes them
        fh.write(f'  <key id="{kid}" for="{scope}" attr.name={quoteattr(name)} '
                 f'attr.type="{_XML_TYPES[typ]}" />\n')
    fh.write('  <graph edgedefault="directed">\n')
    lines: list[str] = []
    elements = [(("node", f"id={quoteattr(clean_text(str(n)))}", attrs)
                 for n, attrs in graph.nodes(data=True)),
                (("edge", f"source={quoteattr(clean_text(str(u)))} "
                          f"target={quoteattr(clean_text(str(v)))}", attrs)
                 for u, v, attrs in graph.edges(data=True))]
    for part in elements:  # every node, then every edge, in the graph's order
        for i, (tag, ident, attrs) in enumerate(part):
            found = _attrs(attrs)
            if not found:
                lines.append(f"    <{tag} {ident} />\n")
            else:
                lines.append(f"    <{tag} {ident}>\n")
                for k, v in found:
                    text = v if isinstance(v, str) else str(v)
                    lines.append(f'      <data key="{keys[(tag, k, type(v))]}">'
                                 f"{escape(text)}</data>\n")
                lines.append(f"    </{tag}>\n")
            if i % _CHUNK == _CHUNK - 1:
                fh.write("".join(lines))
                lines.clear()
    fh.write("".join(lines))
    fh.write("  </graph>\n</graphml>\n")
