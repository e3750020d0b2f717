"""Column arrays of one generated layer: scalars broadcast to the layer's length.

Imports numpy only.
"""

from __future__ import annotations

import numpy as np


def column(n: int, value) -> np.ndarray:
    """``value`` as a column of length ``n``: a scalar broadcast, an array as it is."""
    if np.ndim(value) == 0:
        return np.full(n, value, dtype=object if isinstance(value, str) else None)
    return np.asarray(value)


def cols(n: int, **values) -> dict[str, np.ndarray]:
    """Column arrays of length ``n`` (scalars broadcast)."""
    return {k: column(n, v) for k, v in values.items()}
