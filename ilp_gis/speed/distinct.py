"""Work done once per distinct value of a long column, then spread back over its rows.

``per_float``, ``per_text`` and ``per_value`` each equal ``[fn(v) for v in values]`` (with
``missing`` for missing text); they differ in how values are told apart.  Imports numpy, pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def per_float(fn, values) -> list:
    """``[fn(v) for v in values]`` over floats, ``fn`` called once per distinct value (told apart
    by their bits: -0.0 stays apart from 0.0)."""
    f = np.ascontiguousarray(np.asarray(values, dtype=float))
    codes, uniq_bits = pd.factorize(f.view(np.int64))
    uniq = np.asarray(uniq_bits, dtype=np.int64).view(np.float64)
    return _spread([fn(v) for v in uniq.tolist()], codes)


def per_text(fn, values, missing) -> list:
    """``[missing if pd.isna(v) else fn(v) for v in values]`` over text values (``str`` or
    missing), ``fn`` called once per distinct text."""
    codes, uniq = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    return _spread([fn(v) for v in np.asarray(uniq, dtype=object).tolist()] + [missing], codes)


def _spread(results: list, codes: np.ndarray) -> list:
    """``[results[c] for c in codes]`` (``-1`` picks the last), whatever the results hold."""
    arr = np.empty(len(results), dtype=object)
    for i, r in enumerate(results):
        arr[i] = r
    return arr[codes].tolist()


def per_value(fn, values) -> list:
    """``[fn(v) for v in values]``, ``fn`` called once per distinct value of any kind (told
    apart by type and value, NaN once; unhashable values each on their own).  ``fn``'s results
    are shared between equal values, so they should not be changed in place."""
    cache: dict[object, object] = {}
    get = cache.get
    out: list = []
    append = out.append
    for v in values:
        key = (v.__class__, v)
        if isinstance(v, float) and v == 0.0:  # 0.0 and -0.0 are equal but read differently
            key = (v.__class__, repr(v))
        try:
            r = get(key, _MISS)
        except TypeError:  # unhashable
            append(fn(v))
            continue
        if r is _MISS:
            if isinstance(v, float) and v != v:  # every NaN is one value
                key = _NAN
                r = get(key, _MISS)
            if r is _MISS:
                r = cache[key] = fn(v)
        append(r)
    return out


_MISS = object()
_NAN = object()
