"""Facility and desa names reduced for matching (lower case, letters and digits, type words
dropped), each distinct name read once.  May import ``.cells`` only.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from layers.importing.cells import _object_array


@functools.lru_cache(maxsize=1_000_000)
def _norm_name(text: str | None) -> str:
    """A name reduced for matching: lower case, letters and digits only, type words dropped."""
    if not text:
        return ""
    return _norm_text(text if text.__class__ is str else str(text))


@functools.lru_cache(maxsize=1 << 18)
def _norm_text(text: str) -> str:  # names repeat a lot ("Posyandu Mawar"): read each once
    s = re.sub(r"[^a-z0-9]+", " ", text.lower())
    s = re.sub(r"\b(upt|uptd|puskesmas pembantu|puskesmas|pkm|pustu|posyandu|poskesdes|"
               r"polindes|desa|kelurahan|kel|ds)\b", " ", s)
    return " ".join(s.split())


def _norm_names(values) -> list[str]:
    """:func:`_norm_name` of each value, each distinct value read once."""
    index, uniques = pd.factorize(pd.Series(_object_array(values), dtype=object),
                                  use_na_sentinel=True)
    normed = [_norm_name(v) for v in uniques] + [_norm_name(None)]  # -1: missing
    return np.array(normed, dtype=object)[index].tolist()
