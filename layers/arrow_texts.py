"""Texts of an Arrow-backed column as Python objects, as the project's frames hold them (the
project reader turns every text column it reads into objects).  Imports numpy and pyarrow.
"""

from __future__ import annotations

import numpy as np

_SAMPLE = 4096  # texts looked at to guess whether a column repeats its texts
_REPEATED = 8  # ... and at most one distinct text in this many of them


def text_objects(values) -> np.ndarray:
    """The texts of an Arrow-backed pandas text array as an object array of Python texts
    (None where missing).  A column that repeats few texts (a type, a road class, a code of
    a larger area: guessed from a sample spread over it) makes each distinct text once and
    shares it among its rows, which costs less time and memory than one object per row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    if n - arr.null_count > 4 * _SAMPLE:  # (missing texts cost nothing either way)
        sample = arr.take(pa.array(np.linspace(0, n - 1, _SAMPLE).astype(np.int64)))
        if len(pc.unique(sample)) * _REPEATED <= _SAMPLE:
            encoded = pc.dictionary_encode(arr)
            words = np.empty(len(encoded.dictionary) + 1, dtype=object)
            words[:-1] = encoded.dictionary.to_numpy(zero_copy_only=False)
            words[-1] = None  # where a text is missing
            indices = encoded.indices.fill_null(len(words) - 1).to_numpy(zero_copy_only=False)
            return words[indices]
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)
