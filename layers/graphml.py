"""The facility network as GraphML, written as a stream: the same file networkx's writer makes
(keys per attribute name, type and scope; values as text), without building an XML tree of
the whole national network first.  networkx's writer is the plain twin in the tests.

The text is made a column at a time: each attribute column becomes an Arrow text array of its
``<data>`` lines (cleaned of control characters and XML-escaped by Arrow's string kernels,
floats written as ``repr`` writes them by ``layers.csv_write.float_texts``), and the lines of
a chunk of elements are joined element-wise, as ``layers.csv_write`` does for CSV.  A column
that mixes value types is written value by value.

Imports only the standard library, numpy, pyarrow, networkx (for the graph type),
layers.safe_cells, layers.csv_write and ilp_gis.speed.graphs (the columns an analysis graph
was made of).
"""

from __future__ import annotations

import io
import math
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ilp_gis.speed.graphs import graph_columns
from layers.csv_write import buffer_bytes, byte_view, float_texts
from layers.safe_cells import clean_text

_XML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
_HEAD = ("<?xml version='1.0' encoding='utf-8'?>\n"
         '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
         'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
         'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
         'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
_CHUNK = 50_000  # nodes or edges per write
_TEXT = pa.large_string()


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


def _column_type(values) -> type | None:
    """:func:`_fast_type` of a column (a list or a numpy array): a numpy array of floats or
    integers by its dtype, any other by the types of its values."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "f":
            return float
        if values.dtype.kind in "iu":
            return int
        if values.dtype.kind != "O":
            return None  # booleans, numpy texts: value by value
    return _fast_type(set(map(type, values)))


_CONTROL_BYTES = np.zeros(256, dtype=bool)
_CONTROL_BYTES[[*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]] = True


def _holds(data: np.ndarray, char: str) -> bool:
    """Whether the UTF-8 bytes ``data`` hold the one-byte character ``char``."""
    return bool((data == ord(char)).any())


def _needs_cleaning(data: np.ndarray) -> bool:
    """Whether the UTF-8 bytes ``data`` hold a character :func:`clean_text` escapes: a
    control byte other than tab, LF and CR, or U+FFFE/U+FFFF (lone surrogates cannot be
    Arrow text at all)."""
    if (data < 0x20).any() and _CONTROL_BYTES[data].any():
        return True
    if not (data == 0xEF).any():  # the first byte of U+FFFE and U+FFFF
        return False
    raw = data.tobytes()
    return b"\xef\xbf\xbe" in raw or b"\xef\xbf\xbf" in raw


def _cleaned_array(values: list):
    """The texts (str or None) as an Arrow text array (null for None), each cleaned as
    :func:`clean_text` does, and its bytes (``layers.csv_write.byte_view``)."""
    try:
        arr = pa.array(values, type=_TEXT)
    except (pa.ArrowException, UnicodeEncodeError):  # a lone surrogate: cleaned first
        arr = None
    data = None if arr is None else byte_view(arr)
    if arr is None or _needs_cleaning(data):
        arr = pa.array([None if v is None else clean_text(v) for v in values], type=_TEXT)
        data = byte_view(arr)
    return arr, data


_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))  # what ``escape`` replaces
_ATTR_ENTITIES = (("\n", "&#10;"), ("\r", "&#13;"), ("\t", "&#9;"))  # what quoteattr adds


def _escaped(arr, data: np.ndarray, entities=_ENTITIES):
    """``escape`` of each text of ``arr`` (whose bytes are ``data``) by Arrow's string
    kernels: only the characters that occur are replaced, ``&`` first."""
    for char, entity in entities:
        if _holds(data, char):
            arr = pc.replace_substring(arr, char, entity)
    return arr


def _text_texts(values: list):
    return _escaped(*_cleaned_array(values))


def _float_texts(values):
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        arr = values.astype(float, copy=False)
    else:
        arr = np.array(values if None not in values else
                       [np.nan if v is None else v for v in values], dtype=float)
    texts = float_texts(arr)
    missing = np.isnan(arr)
    if missing.any():
        texts = pc.if_else(pa.array(missing), pa.scalar(None, _TEXT), texts)
    return texts


def _int_texts(values):
    if isinstance(values, np.ndarray):
        values = values.tolist() if values.dtype.kind == "u" else values  # beyond int64?
    try:
        return pc.cast(pa.array(values, type=pa.int64()), _TEXT)
    except (pa.ArrowException, OverflowError, TypeError):  # beyond 64 bits: Python's text
        return pa.array([None if v is None else str(v) for v in values], type=_TEXT)


_COLUMN_TEXTS = {str: _text_texts, float: _float_texts, int: _int_texts}


def _join(*parts):
    """The element-wise concatenation of Arrow text arrays and fixed texts (null where a
    part is null)."""
    return pc.binary_join_element_wise(
        *(pa.scalar(p, _TEXT) if isinstance(p, str) else p for p in parts),
        pa.scalar("", _TEXT))


def _pick(mask, yes: str, no: str):
    return pc.if_else(mask, pa.scalar(yes, _TEXT), pa.scalar(no, _TEXT))


def _data_lines(values: list, scope: str, name, keys: dict, whole: type | None = None):
    """Each element's ``<data>`` line of one attribute column, or None when no element has
    one: the parts of the lines for :func:`_join` (a fixed head, the texts and a fixed tail
    when every element has a value; else one text per element, empty where it has none) and
    which elements have a value (None: all).  Whole columns of text, floats or integers at
    once, any other mix value by value through :func:`graphml_value`.  ``whole``: the one
    type of the whole column when it has one (:func:`_register`; a run of its elements then
    needs no look of its own)."""
    fast = whole or _column_type(values)
    if fast is not None:
        texts = _COLUMN_TEXTS[fast](values)
        if texts.null_count == len(texts):
            return None
        head = f'      <data key="{keys[(scope, str(name), fast)]}">'
        if not texts.null_count:
            return (head, texts, "</data>\n"), None
        lines = _join(head, texts, "</data>\n")
    else:
        found = []
        for v in values:
            value = graphml_value(v)
            if value is None:
                found.append(None)
                continue
            key = keys[(scope, str(name), type(value))]
            text = escape(value if isinstance(value, str) else str(value))
            found.append(f'      <data key="{key}">{text}</data>\n')
        if not any(line is not None for line in found):
            return None
        lines = pa.array(found, type=_TEXT)
    present = lines.is_valid().to_numpy(zero_copy_only=False)
    return (pc.fill_null(lines, pa.scalar("", _TEXT)),), present


def _attr_columns(dicts: list[dict]) -> dict[str, list]:
    """The elements' attributes as columns: per name (in first-seen order), each element's
    value (None where it has none)."""
    names = list(dict.fromkeys(k for a in dicts for k in a))
    return {name: [a.get(name) for a in dicts] for name in names}


def _register(columns: dict[str, list], scope: str, keys: dict) -> dict[str, type | None]:
    """Declare in ``keys`` every (scope, name, type) the elements' attributes are written as
    (what :func:`_data_lines` gives for any run of elements); return each column's one type
    when it is written whole at once (:func:`_fast_type`), else None."""
    types: dict[str, type | None] = {}
    for name, raw in columns.items():
        if not len(raw):  # no element: nothing to declare (as no element has the attribute)
            continue
        fast = types[name] = _column_type(raw)
        found = [fast] if fast else list(dict.fromkeys(
            type(v) for v in map(graphml_value, raw) if v is not None))
        for typ in found:
            keys.setdefault((scope, str(name), typ), f"d{len(keys)}")
    return types


def _idents(values: list):
    """``quoteattr(clean_text(str(v)))`` of each value (an Arrow text array), the cleaning
    and escaping done a column at a time."""
    texts = values if set(map(type, values)) <= {str} else [str(v) for v in values]
    cleaned, data = _cleaned_array(texts)
    quoted = _escaped(cleaned, data, _ENTITIES + _ATTR_ENTITIES)
    if not _holds(data, '"'):
        return _join('"', quoted, '"')
    plain = cleaned.to_pylist()
    return pa.array([quoteattr(t) if '"' in t else f'"{q}"'
                     for t, q in zip(plain, quoted.to_pylist(), strict=True)], type=_TEXT)


def write_graphml_stream(graph: nx.DiGraph, fh) -> None:
    """Write ``graph`` (directed) as GraphML (UTF-8) to ``fh``, a binary or a text file: the
    keys from one look at every attribute column, then the elements a chunk at a time, a
    column at a time within it (only one chunk's text is held at once).  A graph the analysis
    made and nobody used yet is written from the columns it was made of
    (``ilp_gis.speed.graphs.graph_columns``), the same file without building the graph."""
    if isinstance(fh, io.TextIOBase):
        def emit(data: bytes) -> None:
            fh.write(data.decode("utf-8"))
    else:
        emit = fh.write
    keys: dict[tuple[str, str, type], str] = {}
    cols = graph_columns(graph)
    ends = None
    if cols is not None:
        node_ids, node_cols = cols.nodes, cols.node_attrs
        sources, targets, edge_cols = cols.sources, cols.targets, cols.edge_attrs
        ends = cols.ends
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
    node_types = _register(node_cols, "node", keys)
    edge_types = _register(edge_cols, "edge", keys)
    head = [_HEAD]
    for (scope, name, typ), kid in keys.items():
        head.append(f'  <key id="{kid}" for="{scope}" attr.name={quoteattr(name)} '
                    f'attr.type="{_XML_TYPES[typ]}" />\n')
    head.append('  <graph edgedefault="directed">\n')
    emit("".join(head).encode("utf-8"))
    # each id's quoted text made once when the edges' ends are known as node positions: the
    # edges take theirs from it
    quoted = _idents(node_ids) if ends is not None and len(node_ids) else None
    for start in range(0, len(node_ids), _CHUNK):
        part = slice(start, start + _CHUNK)
        idents = _join("id=", _idents(node_ids[part]) if quoted is None else quoted[part])
        emit(_elements("node", idents, [_data_lines(v[part], "node", k, keys, node_types.get(k))
                                        for k, v in node_cols.items()]))
    for start in range(0, len(sources), _CHUNK):
        part = slice(start, start + _CHUNK)
        if quoted is None:
            idents = _join("source=", _idents(sources[part]), " target=",
                           _idents(targets[part]))
        else:
            idents = _join("source=", quoted.take(pa.array(ends[0][part])), " target=",
                           quoted.take(pa.array(ends[1][part])))
        emit(_elements("edge", idents, [_data_lines(v[part], "edge", k, keys, edge_types.get(k))
                                        for k, v in edge_cols.items()]))
    emit(b"  </graph>\n</graphml>\n")


def _elements(tag: str, idents, columns: list) -> bytes:
    """The elements' text: ``<tag ident>``, its data lines and ``</tag>``, or ``<tag ident />``
    for an element without data (``columns``: what :func:`_data_lines` gave)."""
    columns = [c for c in columns if c is not None]
    parts = [p for column, _ in columns for p in column]
    if any(present is None for _, present in columns):
        return buffer_bytes(_join(f"    <{tag} ", idents, ">\n", *parts, f"    </{tag}>\n"))
    has_any = np.zeros(len(idents), dtype=bool)
    for _, present in columns:
        has_any |= present
    full = pa.array(has_any)
    return buffer_bytes(_join(f"    <{tag} ", idents, _pick(full, ">\n", " />\n"), *parts,
                              _pick(full, f"    </{tag}>\n", "")))
