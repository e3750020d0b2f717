"""A content digest of a frame: equal digests mean the frame would be stored identically (same
length, columns, dtypes, geometry column, CRS, and every value bit for bit), so a save can
leave a table whose stored digest matches untouched instead of comparing or rewriting it.

The digest is computed from each column's buffers a column at a time (numbers and yes/no
values from their numpy memory, texts from their Arrow offsets and bytes, geometries from
their WKB), never value by value in Python; a column of objects that are not all text falls
back to a pickle of its values.  :func:`digest` returns None when a column cannot be digested
exactly; the caller then never skips.  The row index is not part of it (tables are stored in
row order without it).  Imports hashlib, numpy, pandas, pyarrow and shapely.
"""

from __future__ import annotations

import hashlib
import pickle
import struct

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from pandas.api import types as ptypes

VERSION = "2"
"""Part of every digest: a change of how a frame is digested or stored changes it."""


class _NoDigest(Exception):
    """A column this module cannot digest exactly."""


def _feed(h, data: bytes | memoryview) -> None:
    """One length-prefixed piece: no two different sequences of pieces feed the same bytes."""
    h.update(struct.pack("<q", len(data)))
    h.update(data)


def _geom_name(frame) -> str | None:
    name = getattr(frame, "_geometry_column_name", None)
    return name if name is not None and name in frame.columns else None


def digest(frame, *, wkb=None, texts: dict | None = None) -> str | None:
    """The hex digest of ``frame``'s stored content, or None when it cannot be computed.
    ``wkb``: the ISO little-endian WKB of its geometry column when the caller has it already
    (``shapely.to_wkb(geoms, byte_order=1, flavor="iso")``, None for missing geometries);
    ``texts``: column name → an Arrow text array of that column's values (missing: null)
    the caller has already (the store's hand-over), used for a text column instead of
    converting it again."""
    geom = _geom_name(frame)
    crs = getattr(frame, "crs", None) if geom else None
    h = hashlib.sha256()
    head = (VERSION, geom is not None, len(frame), [str(c) for c in frame.columns],
            [str(d) for d in frame.dtypes], geom, None if crs is None else crs.to_wkt())
    _feed(h, repr(head).encode("utf-8"))
    try:
        for col in frame.columns:
            series = frame[col]
            if isinstance(series, pd.DataFrame):  # a repeated column name
                return None
            if col == geom:
                _geometry(h, np.asarray(series.values, dtype=object), wkb)
            else:
                _column(h, series, texts.get(col) if texts else None)
    except _NoDigest:
        return None
    return h.hexdigest()


def _geometry(h, geoms: np.ndarray, wkb: np.ndarray | None = None) -> None:
    missing = shapely.is_missing(geoms)
    if wkb is None or len(wkb) != len(geoms):
        wkb = shapely.to_wkb(geoms, byte_order=1, flavor="iso", output_dimension=3)
    present = wkb[~missing].tolist()
    lengths = np.full(len(geoms), -1, dtype=np.int64)
    lengths[~missing] = np.fromiter(map(len, present), dtype=np.int64, count=len(present))
    _feed(h, b"g")
    _feed(h, lengths.tobytes())
    _feed(h, b"".join(present))


def _column(h, series: pd.Series, given: pa.Array | None = None) -> None:
    dtype = series.dtype
    if not isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "biufmM":
        _feed(h, b"n")
        _feed(h, np.ascontiguousarray(series.to_numpy()).tobytes())
        return
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and (
            ptypes.is_integer_dtype(dtype) or ptypes.is_bool_dtype(dtype)
            or ptypes.is_float_dtype(dtype)) and hasattr(dtype, "numpy_dtype"):
        missing = series.isna().to_numpy()
        values = series.to_numpy(dtype=dtype.numpy_dtype, na_value=dtype.numpy_dtype.type(0))
        _feed(h, b"m")
        _feed(h, missing.tobytes())
        _feed(h, np.ascontiguousarray(values).tobytes())
        return
    if ptypes.is_string_dtype(dtype) or ptypes.is_object_dtype(dtype):
        arr = given if given is not None and len(given) == len(series) else None
        try:
            if arr is None:
                arr = pa.array(series.array if isinstance(dtype, pd.StringDtype)
                               else series.to_numpy(dtype=object), from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            arr = None
        if arr is not None and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
                                or pa.types.is_null(arr.type)):
            _text(h, arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr])
            return
        _objects(h, series)
        return
    raise _NoDigest(str(dtype))


def _text(h, chunks: list) -> None:
    """Texts from their Arrow buffers, however the column is cut into chunks: which are
    missing, the byte length of each, and their bytes, each as one stream."""
    missing_h, lengths_h, data_h = (hashlib.sha256() for _ in range(3))
    for arr in chunks:
        n = len(arr)
        if n == 0:
            continue
        missing = np.ascontiguousarray(arr.is_null().to_numpy(zero_copy_only=False))
        missing_h.update(missing.tobytes())
        if pa.types.is_null(arr.type) or missing.all():
            lengths_h.update(np.zeros(n, dtype=np.int64).tobytes())
            continue
        width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
        offsets = np.frombuffer(arr.buffers()[1], dtype=width)[arr.offset:arr.offset + n + 1]
        lengths_h.update(np.diff(offsets).astype(np.int64).tobytes())
        data = arr.buffers()[2]
        if data is not None:
            data_h.update(memoryview(data)[int(offsets[0]):int(offsets[-1])])
    _feed(h, b"s")
    _feed(h, missing_h.digest() + lengths_h.digest() + data_h.digest())


def _objects(h, series: pd.Series) -> None:
    """Mixed objects (yes/no values, dates...): a pickle of the values, missing ones as None."""
    values = series.to_numpy(dtype=object, copy=True)
    values[series.isna().to_numpy()] = None
    try:
        data = pickle.dumps([(type(v).__qualname__, v) for v in values.tolist()], protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise _NoDigest(str(exc)) from exc
    _feed(h, b"o")
    _feed(h, data)
