"""A table written as CSV a column at a time: the bytes ``DataFrame.to_csv(index=False)``
writes (numbers as numpy prints them, missing values empty, texts quoted only where they hold
a comma, a quote or a line end), made by numpy and Arrow's string kernels instead of Python's
csv module row by row (the national gaps.csv: ~214,000 rows of 16 columns).  Columns of any
other kind, and a one-column table, go through pandas itself.  Imports numpy, pandas,
pyarrow.
"""

from __future__ import annotations

import os
from typing import BinaryIO

import numpy as np
import pandas as pd
import pandas.api.types as ptypes

_ROWS_PER_CHUNK = 50_000


def write_frame(frame: pd.DataFrame, fh: BinaryIO) -> None:
    """Write ``frame`` (no index) as UTF-8 CSV into the binary file ``fh``: the same bytes as
    ``frame.to_csv(text_file, index=False)`` on this system."""
    eol = os.linesep
    if frame.shape[1] < 2 or not all(_supported(frame[c]) for c in frame.columns) or \
            not all(isinstance(c, str) for c in frame.columns):
        fh.write(frame.to_csv(index=False, lineterminator=eol).encode("utf-8"))
        return
    import pyarrow as pa

    header = ",".join(_quoted_text(c, eol) for c in frame.columns) + eol
    fh.write(header.encode("utf-8"))
    for start in range(0, len(frame), _ROWS_PER_CHUNK):
        part = frame.iloc[start:start + _ROWS_PER_CHUNK]
        cols = [_texts(part.iloc[:, j], eol) for j in range(part.shape[1])]
        ends = pa.array([""] * len(part), pa.large_string())
        fh.write(buffer_bytes(_join([_join(cols, ","), ends], eol)))


def _supported(series: pd.Series) -> bool:
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype):
        return True
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return isinstance(dtype, pd.BooleanDtype) or (
            ptypes.is_integer_dtype(dtype) or ptypes.is_float_dtype(dtype)) and \
            isinstance(dtype, pd.core.dtypes.dtypes.BaseMaskedDtype)
    if ptypes.is_bool_dtype(dtype) or ptypes.is_integer_dtype(dtype) or \
            ptypes.is_float_dtype(dtype):
        return True
    if ptypes.is_object_dtype(dtype):
        values = series.to_numpy(dtype=object)
        present = values[~pd.isna(values)]
        return not len(present) or pd.api.types.infer_dtype(present, skipna=False) == "string"
    return False


def _texts(series: pd.Series, eol: str):
    """The column's cells as CSV text (an Arrow large_string array, no nulls)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = series.dtype
    empty = pa.scalar("", pa.large_string())
    if isinstance(dtype, pd.StringDtype) or ptypes.is_object_dtype(dtype):
        if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
            arr = pa.array(series.array)
            arr = pc.cast(pa.concat_arrays(arr.chunks) if isinstance(arr, pa.ChunkedArray)
                          else arr, pa.large_string())
        else:
            values = series.to_numpy(dtype=object)
            arr = pa.array(values, type=pa.large_string(), mask=pd.isna(values))
        need = _quote_mask(arr, eol)
        if need is not None and pc.any(need).as_py():
            quote = pa.scalar('"', pa.large_string())
            quoted = pc.binary_join_element_wise(
                quote, pc.replace_substring(arr, '"', '""'), quote, empty)
            arr = pc.if_else(need, quoted, arr)
        return pc.fill_null(arr, empty)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):  # masked numbers and booleans
        missing = series.isna().to_numpy()
        if isinstance(dtype, pd.BooleanDtype):
            raw = series.to_numpy(dtype=bool, na_value=False)
        else:
            raw = series.to_numpy(dtype=dtype.numpy_dtype, na_value=0)
    else:
        raw = series.to_numpy()
        missing = np.isnan(raw) if ptypes.is_float_dtype(dtype) else np.zeros(len(raw), bool)
    if raw.dtype == bool:
        arr = pa.array(np.where(raw, "True", "False"), type=pa.large_string())
    elif raw.dtype == np.float64:
        arr = float_texts(raw)
    elif raw.dtype.kind in "iu":
        arr = pc.cast(pa.array(raw), pa.large_string())
    else:  # other floats: numpy's own text, as pandas writes it
        arr = pa.array(raw.astype(str), type=pa.large_string())
    if missing.any():
        arr = pc.if_else(pa.array(missing), empty, arr)
    return arr


def float_texts(values: np.ndarray):
    """``repr`` of each float (what pandas writes): Arrow's shortest round-trip digits, with
    the ``.0`` Python adds to whole numbers; values Python writes with an exponent (below
    1e-4 or from 1e16) and any Arrow writes with one get ``repr`` itself."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pc.cast(pa.array(values), pa.large_string())
    # a finite whole number is what Arrow writes without a point (nor an exponent: those get
    # ``repr`` below)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(values) & (values == np.trunc(values))
    if whole.any():
        arr = pc.if_else(pa.array(whole), pc.binary_join_element_wise(
            arr, pa.scalar(".0", pa.large_string()), pa.scalar("", pa.large_string())), arr)
    size = np.abs(values)
    odd = ((size < 1e-4) & (size > 0)) | ((size >= 1e16) & np.isfinite(size))
    if (byte_view(arr) == ord("e")).any():  # Arrow wrote an exponent (or 'inf'/'nan': none)
        odd |= pc.match_substring(arr, "e").to_numpy(zero_copy_only=False)
    if odd.any():
        texts = arr.to_numpy(zero_copy_only=False).astype(object)
        texts[odd] = [repr(v) for v in values[odd].tolist()]
        arr = pa.array(texts, type=pa.large_string())
    return arr


def _needs_quotes(eol: str) -> str:
    """The characters that make Python's csv module quote a field: the delimiter, the quote
    and those of the line end."""
    return ',"' + "".join(sorted(set(eol)))


def _quote_mask(arr, eol: str):
    """Which texts of ``arr`` (large_string) hold a character of :func:`_needs_quotes` (a
    boolean array), or None when none does: each character looked for in the column's bytes
    first, then text by text only where it occurs."""
    import pyarrow.compute as pc

    data = byte_view(arr)
    need = None
    for char in _needs_quotes(eol):
        if (data == ord(char)).any():
            hit = pc.match_substring(arr, char)
            need = hit if need is None else pc.or_(need, hit)
    return None if need is None else pc.fill_null(need, False)


def _quoted_text(text: str, eol: str) -> str:
    if any(ch in text for ch in ',"' + eol):
        return '"' + text.replace('"', '""') + '"'
    return text


def _join(cols: list, sep: str):
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(*cols, pa.scalar(sep, pa.large_string()))


def byte_view(arr) -> np.ndarray:
    """The UTF-8 bytes of every text of the large_string array ``arr`` one after another,
    as a view of its data buffer (nothing copied)."""
    buffers = arr.buffers()
    if len(arr) == 0 or buffers[2] is None:
        return np.zeros(0, dtype=np.uint8)
    ends = np.frombuffer(buffers[1], dtype=np.int64)[arr.offset:arr.offset + len(arr) + 1]
    return np.frombuffer(buffers[2], dtype=np.uint8)[int(ends[0]):int(ends[-1])]


def buffer_bytes(arr) -> bytes:
    """The texts of a large_string array one after another (its data buffer)."""
    import pyarrow as pa

    arr = pa.concat_arrays([arr]) if isinstance(arr, pa.ChunkedArray) else arr
    buffers = arr.buffers()
    if buffers[2] is None:
        return b""
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[arr.offset:arr.offset + len(arr) + 1]
    return memoryview(buffers[2])[int(offsets[0]):int(offsets[-1])].tobytes()
