"""Facility and desa names reduced for matching (lower case, letters and digits, type words
dropped; the spelling-tolerant forms desa tables are joined by), each distinct name read once.
May import ``.cells`` only.
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


# Abbreviations desa names are written with ("P. Salak Baru", "Sei Bahar", "Tj. Raden").
_ABBREVIATIONS = {"p": "pulau", "pl": "pulau", "pul": "pulau", "sei": "sungai", "sg": "sungai",
                  "sng": "sungai", "tj": "tanjung", "tg": "tanjung", "tjg": "tanjung",
                  "kp": "kampung", "kpg": "kampung", "sp": "simpang", "spg": "simpang",
                  "smp": "simpang", "kt": "kota", "lb": "lubuk", "lbk": "lubuk"}


@functools.lru_cache(maxsize=1 << 18)
def _canon_name(text: str | None) -> str:
    """A desa name for spelling-tolerant matching: :func:`_norm_name`, letters spaced out one
    by one joined ("K E R O Y A" → "keroya") and common abbreviations written out
    ("p salak baru" → "pulau salak baru")."""
    words = _norm_name(text).split()
    if not words:
        return ""
    if len(words) > 2 and all(len(w) == 1 for w in words):
        return "".join(words)
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


@functools.lru_cache(maxsize=1 << 18)
def _compact_name(text: str | None) -> str:
    """:func:`_canon_name` without spaces ("PulauTujuh" and "Pulau Tujuh" are one name)."""
    return _canon_name(text).replace(" ", "")
