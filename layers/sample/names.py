"""Names for the fictional sample: plausible Indonesian place names, Posyandu words and the
labels of the Pustu precursors.

Imports numpy only; nothing of the project.
"""

from __future__ import annotations

import numpy as np

_TWO_WORD_PREFIXES = {"Tanjung", "Batu", "Bukit", "Teluk", "Tana", "Air", "Pulau", "Kampung"}
_PREFIXES = ("Suka", "Sumber", "Tanjung", "Batu", "Wolo", "Nanga", "Lewo", "Watu", "Mata", "Nua",
             "Wai", "Rana", "Lela", "Bukit", "Teluk", "Sari", "Mekar", "Tirta", "Wae", "Ria",
             "Koro", "Tana", "Ladu", "Manu", "Kewa", "Air", "Kampung", "Mbay", "Detu", "Ndu")
_SUFFIXES = ("maju", "jaya", "makmur", "rejo", "sari", "baru", "indah", "mulya", "asri", "wangi",
             "lestari", "harapan", "mekar", "agung", "raya", "damai", "tani", "laut", "gunung",
             "bele", "lolo", "wutun", "ndao", "rua", "tuka", "mbawa", "leko", "nggela", "wena",
             "sambi")
_DIRECTIONS = ("Utara", "Selatan", "Timur", "Barat", "Tengah")
_NAME_COMBOS = [(p, s) for p in _PREFIXES for s in _SUFFIXES
                if not (p.lower().startswith(s) or s.startswith(p.lower()))]

PRECURSOR_NAMES = {"poskesdes": "Poskesdes", "polindes": "Polindes"}

POSYANDU_WORDS = ("Mawar", "Melati", "Anggrek", "Kenanga", "Flamboyan", "Cempaka", "Dahlia",
                  "Teratai", "Kamboja", "Bougenville", "Seroja", "Tunas Harapan", "Kasih Ibu",
                  "Bina Sehat", "Sejahtera", "Bunga Desa")


def unique_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct plausible Indonesian place names."""
    combos = _NAME_COMBOS
    order = rng.permutation(len(combos))
    out: list[str] = []
    taken: set[str] = set()
    k = 0
    while len(out) < n:
        p, s = combos[order[k % len(combos)]]
        name = f"{p} {s.capitalize()}" if p in _TWO_WORD_PREFIXES else f"{p}{s}"
        if k >= len(combos):
            name = f"{name} {_DIRECTIONS[(k // len(combos) - 1) % len(_DIRECTIONS)]}"
        if name not in taken:
            taken.add(name)
            out.append(name)
        k += 1
    return out
