"""Key lookups on large columns: positions of keys in an index, values by key.

Text keys are matched with Arrow's hash tables (pandas' own ``map``/``get_indexer`` convert
Arrow-backed text to Python objects first, which costs seconds on a national project); other
keys on plain object arrays.  Same answers as ``Index.get_indexer`` / ``Series.map``.
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
    if k is not None and _text(k.type) and (_text(v.type) or pa.types.is_null(v.type)):
        pos = pc.index_in(k, value_set=v.cast(k.type))
        return pos.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    obj = pd.Index(np.asarray(index, dtype=object), dtype=object)
    obj_keys = np.asarray(keys, dtype=object)
    if not obj.is_unique:
        first = ~obj.duplicated()
        pos = np.flatnonzero(first)
        return np.where((i := obj[first].get_indexer(obj_keys)) >= 0, pos[i], -1)
    return obj.get_indexer(obj_keys)


def _text(t) -> bool:
    import pyarrow as pa

    return pa.types.is_string(t) or pa.types.is_large_string(t)
