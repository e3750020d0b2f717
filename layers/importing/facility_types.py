"""Facility types as written ("PKM", "Puskesmas Pembantu", "Poskesdes"...) read into the
ILP types, one cell or a whole column at once.  May import ``ilp_gis`` and ``.cells``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ilp_gis import model
from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.model import FacilityType
from layers.importing.cells import _text


def facility_type(text: object) -> tuple[FacilityType | None, bool]:
    """Read a facility type as written (``"PKM"``, ``"Puskesmas Pembantu"``, ``"Poskesdes"``...).

    Returns ``(type, precursor)``; ``(None, False)`` when the text names no ILP facility type
    (a hospital, a clinic, a Posbindu...) — those are never guessed.
    """
    t = _text(text)
    if t is None:
        return None, False
    s = " " + re.sub(r"[^a-z0-9]+", " ", t.lower()).strip() + " "
    if " puskesmas pembantu " in s or " pustu " in s or " pusban " in s or s.strip() == "pp":
        return FacilityType.PUSTU, False
    if any(f" {w} " in s for w in model.PUSTU_PRECURSORS) or " pos kesehatan desa " in s \
            or " pondok bersalin desa " in s:
        return FacilityType.PUSTU, True
    if " posyandu " in s or " pos pelayanan terpadu " in s or " pos yandu " in s:
        return FacilityType.POSYANDU, False
    if " puskesmas " in s or " pkm " in s or " pusk " in s or s.strip() in ("pusk", "pkm"):
        return FacilityType.PUSKESMAS, False
    return None, False


def facility_types(values) -> tuple[np.ndarray, np.ndarray]:
    """:func:`facility_type` for a whole column at once (vectorised string matching).
    Returns (type values or None, precursor flags)."""
    ser = pd.Series(list(values), dtype=object)
    index, uniques = pd.factorize(ser, use_na_sentinel=True)
    if len(uniques) < len(ser) // 2:  # names repeat ("Posyandu Mawar"): each read once
        out, pre = facility_types(np.concatenate([np.array([None], dtype=object),
                                                  np.asarray(uniques, dtype=object)]))
        return out[index + 1], pre[index + 1]
    text = ser.where(ser.notna(), "").astype(str).str.lower()
    text = " " + text.str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip() + " "
    bare = text.str.strip()

    def has(*words):
        m = np.zeros(len(text), dtype=bool)
        for w in words:
            m |= text.str.contains(f" {w} ", regex=False).to_numpy()
        return m

    pustu = has("puskesmas pembantu", "pustu", "pusban") | (bare == "pp").to_numpy()
    pre = has(*model.PUSTU_PRECURSORS, "pos kesehatan desa", "pondok bersalin desa") & ~pustu
    posy = has("posyandu", "pos pelayanan terpadu", "pos yandu") & ~pustu & ~pre
    pusk = has("puskesmas", "pkm", "pusk") & ~pustu & ~pre & ~posy
    out = np.full(len(text), None, dtype=object)
    out[pusk] = FacilityType.PUSKESMAS.value
    out[posy] = FacilityType.POSYANDU.value
    out[pustu | pre] = FacilityType.PUSTU.value
    return out, pre


def parse_facility_type_option(text: str) -> tuple[FacilityType, bool]:
    """The TYPE of ``--facilities TYPE=FILE`` (any spelling :func:`facility_type` reads)."""
    ftype, precursor = facility_type(text)
    if ftype is None:
        raise InputError(tr("import.bad_type_option", value=text))
    return ftype, precursor


# OSM type columns carry generic values; the facility name then tells the type.
_GENERIC_TYPE_COLUMNS = {"amenity", "healthcare"}


register_catalog("layers", "importing.facility_types")
