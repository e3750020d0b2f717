"""Text columns through Arrow's compute kernels: key lookups, full matches, rewrites, numbers.

pandas' own ``map``/``get_indexer``/``str`` methods turn Arrow-backed text into Python objects
first, which costs seconds on a national project; these functions give the same answers
without that round trip.  Imports numpy, pandas and pyarrow only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def map_values(keys: pd.Series, lookup: pd.Series) -> pd.Series:
    """``keys.map(lookup)`` (the same values and dtype) without pandas' round trips through
    Arrow strings: string keys are matched by Arrow's hash join, other keys on object arrays."""
    idx = positions(keys, lookup.index)
    values = lookup.array if isinstance(lookup.dtype, pd.api.extensions.ExtensionDtype) \
        else lookup.to_numpy()
    return pd.Series(pd.api.extensions.take(values, idx, allow_fill=True), index=keys.index)


def positions(keys, index) -> np.ndarray:
    """Position in ``index`` of each of ``keys`` (its first occurrence there), -1 when absent."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        k = pa.array(keys, from_pandas=True)
        v = pa.array(pd.Series(index), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed key types: plain object hashing
        k = v = None
    if k is not None and _is_text_type(k.type) and (_is_text_type(v.type)
                                                    or pa.types.is_null(v.type)):
        pos = pc.index_in(k, value_set=v.cast(k.type))
        return pos.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    obj = pd.Index(np.asarray(index, dtype=object), dtype=object)
    obj_keys = np.asarray(keys, dtype=object)
    if not obj.is_unique:
        first = ~obj.duplicated()
        pos = np.flatnonzero(first)
        return np.where((i := obj[first].get_indexer(obj_keys)) >= 0, pos[i], -1)
    return obj.get_indexer(obj_keys)


def _is_text_type(t) -> bool:
    import pyarrow as pa

    return pa.types.is_string(t) or pa.types.is_large_string(t)


def full_match(values, pattern: str) -> np.ndarray:
    """True where a value is text matching ``pattern`` as a whole (RE2 syntax, ASCII classes:
    ``re.fullmatch(pattern, v, re.ASCII)``); False for anything that is not text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = pa.array([v if v.__class__ is str else None for v in values], type=pa.string())
    mask = pc.match_substring_regex(texts, f"^(?:{pattern})$")
    return np.asarray(mask.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def rewrite(texts, *steps) -> np.ndarray:
    """Each of ``texts`` (all ``str``) put through ``steps`` in turn, as an object array.

    A step is ``"lower"`` (``str.lower``), ``"trim"`` (white space off both ends) or
    ``(pattern, replacement)``: every match of ``pattern`` (RE2 syntax, ASCII classes)
    replaced, like ``re.sub(pattern, replacement, text, flags=re.ASCII)``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(np.asarray(texts, dtype=object), type=pa.string())
    for step in steps:
        if step == "lower":
            arr = pc.utf8_lower(arr)
        elif step == "trim":
            arr = pc.utf8_trim_whitespace(arr)
        else:
            pattern, replacement = step
            arr = pc.replace_substring_regex(arr, pattern, replacement)
    return arr.to_numpy(zero_copy_only=False).astype(object)


_PLAIN_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"


def to_float(raw: pd.Series) -> np.ndarray:
    """``pd.to_numeric(raw, errors="coerce")`` as floats.  A text column's cells written as plain
    decimals (``-7.123``, nearly all of them) are parsed in one vectorised pass; only the others
    go through pandas."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = raw.to_numpy(dtype=object)
    try:
        arr = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):  # not all text (numbers from XLSX)
        return np.array(pd.to_numeric(raw, errors="coerce"), dtype=float)
    plain = pc.match_substring_regex(arr, _PLAIN_DECIMAL).fill_null(False)
    plain_np = plain.to_numpy(zero_copy_only=False)
    out = np.full(len(values), np.nan)
    if plain_np.any():
        out[plain_np] = pc.cast(pc.filter(arr, plain), pa.float64()).to_numpy(
            zero_copy_only=False)
    rest = ~plain_np & arr.is_valid().to_numpy(zero_copy_only=False)
    if rest.any():
        out[rest] = np.array(pd.to_numeric(pd.Series(values[rest], dtype=object),
                                           errors="coerce"), dtype=float)
    return out


def texts_at(names, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``pd.array(names[codes])`` (pandas' text dtype; a None name or a negative code gives a
    missing value) for a few distinct ``names`` and many ``codes``: Arrow takes the texts
    instead of pandas converting one Python string per row."""
    import pyarrow as pa

    codes = np.asarray(codes, dtype=np.int64)
    arr = pa.array(list(names), type=pa.large_string()).take(
        pa.array(codes, mask=codes < 0))
    return pd.array(arr, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def stable_order(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """The row positions of ``frame.sort_values(keys, kind="stable", na_position="last")``, by
    Arrow's stable multi-key sort (pandas factorizes every Arrow-backed text key through Python
    objects first).  Texts compare as pandas compares them (code point by code point: UTF-8
    byte order); missing values (NaN included) come last.  Keys Arrow cannot type (mixed
    values) are sorted by pandas."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        table = pa.table({f"k{i}": pa.array(frame[k], from_pandas=True)
                          for i, k in enumerate(keys)})
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        table = None
    if table is None or any(not (_is_text_type(t) or pa.types.is_integer(t)
                                 or pa.types.is_floating(t) or pa.types.is_null(t))
                            for t in table.schema.types):
        return frame.reset_index(drop=True).sort_values(
            keys, kind="stable", na_position="last").index.to_numpy()
    order = pc.sort_indices(table, sort_keys=[(f"k{i}", "ascending", "at_end")
                                              for i in range(len(keys))])
    return order.to_numpy(zero_copy_only=False).astype(np.intp)
