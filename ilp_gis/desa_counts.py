"""Facilities known only by count (a per-desa table: ``count_pustu``, ``count_poskesdes``,
``count_polindes``, ``count_posyandu``) and facilities known one by one (points or a register)
brought to one figure per desa and type, never counted twice.

The rule (one source per desa and type): when facilities of the type were loaded for the
desa's kabupaten — any Pustu (Poskesdes and Polindes included) or any Posyandu in one of its
desa — the desa's figure comes from that list (``points``), and a table count that differs is
a disagreement to report; otherwise the table count is used (``table``); without either the
figure has no source (``None``).  The kabupaten of a desa is the ``PP.KK`` prefix of its
Kemendagri kecamatan code (a layer without Kemendagri codes is one kabupaten).

Posyandu per dusun/RW: the area units of a desa are its ``dusun_count``, else its
``rw_count``, else its ``area_heads`` (PODES R1303C, kepala dusun + ketua RW/RT: a proxy that
counts RT heads too, so it is shown as a ratio with its basis and never used to raise a
Posyandu deficit).  :func:`count_lines` says, in every output, which source each desa's
figure came from and where they disagree.  Imports numpy, pandas and ``ilp_gis`` (i18n, speed).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ilp_gis.i18n import format_number, register_catalog, tr
from ilp_gis.speed.distinct import per_text

PUSTU, POSYANDU = "pustu", "posyandu"
COUNT_SOURCES = ("points", "table")
AREA_BASES = ("dusun_count", "rw_count", "area_heads")
"""Columns tried in order for a desa's number of dusun/RW."""
NEED_BASES = ("dusun_count", "rw_count")
"""Columns the Posyandu need (``target.posyandu_per_dusun``) is computed from."""

_KEC = re.compile(r"\d\d\.\d\d\.\d\d")


def kabupaten_keys(kecamatan_codes) -> np.ndarray:
    """``PP.KK`` of each Kemendagri kecamatan code, ``""`` for anything else (the pattern
    checked once per distinct value, told apart by a hash factorize)."""
    return np.array(per_text(_kabupaten_key, kecamatan_codes, ""), dtype=object)


def _kabupaten_key(k: object) -> str:
    return k[:5] if isinstance(k, str) and _KEC.fullmatch(k) else ""


def _column(desa: pd.DataFrame, name: str) -> np.ndarray:
    if name not in desa.columns:
        return np.full(len(desa), np.nan)
    return pd.to_numeric(desa[name], errors="coerce").to_numpy(float)


def table_counts(desa: pd.DataFrame) -> dict[str, np.ndarray]:
    """The per-desa table's figures: ``pustu`` (full Pustu), ``precursor`` (Poskesdes +
    Polindes, the parts known; NaN when neither is) and ``posyandu``; NaN where not given."""
    pos = _column(desa, "count_poskesdes")
    pol = _column(desa, "count_polindes")
    known = np.isfinite(pos) | np.isfinite(pol)
    precursor = np.where(known, np.nan_to_num(pos) + np.nan_to_num(pol), np.nan)
    return {PUSTU: _column(desa, "count_pustu"), "precursor": precursor,
            POSYANDU: _column(desa, "count_posyandu")}


def loaded_for_kabupaten(desa_kab: np.ndarray, fac_type: np.ndarray, fac_kab: np.ndarray,
                         ftype: str) -> np.ndarray:
    """Per desa: True when facilities of ``ftype`` were loaded for its kabupaten."""
    kabs = set(fac_kab[fac_type == ftype].tolist())
    if not kabs:
        return np.zeros(len(desa_kab), dtype=bool)
    if "" in kabs:  # a facility of no known kabupaten: the list is taken to cover them all
        return np.ones(len(desa_kab), dtype=bool)
    # a set lookup per desa (np.isin sorts the object arrays: ~0.5 s per call nationally)
    return np.fromiter((k in kabs or k == "" for k in desa_kab.tolist()), bool, len(desa_kab))


def facility_kabupaten(desa_codes, desa_kab: np.ndarray, fac_desa, fac_kecamatan) -> np.ndarray:
    """The kabupaten key of each facility: its desa's, else its kecamatan code's prefix."""
    of_desa = dict(zip(desa_codes, desa_kab, strict=True))
    by_kec = kabupaten_keys(fac_kecamatan)
    return np.array([of_desa.get(d, k) if d is not None else k
                     for d, k in zip(fac_desa, by_kec, strict=True)], dtype=object)


def choose(desa: pd.DataFrame, points: dict[str, np.ndarray],
           loaded: dict[str, np.ndarray]) -> pd.DataFrame:
    """One figure per desa and type by the rule of this module.

    ``points``: per desa counts from the facility list (``pustu`` incl. precursors,
    ``precursor``, ``posyandu``); ``loaded``: per desa and type (``pustu``, ``posyandu``)
    whether the list holds that type for the desa's kabupaten.  Returns ``n_pustu``,
    ``n_pustu_precursor``, ``n_posyandu`` (floats; NaN only where a table row left the count
    blank), ``pustu_count_source``, ``posyandu_count_source`` (``points`` | ``table`` | None),
    ``n_pustu_table``, ``n_posyandu_table`` and ``count_disagreement`` (the types whose table
    count differs from the list, ";"-joined, "" when none).
    """
    table = table_counts(desa)
    n = len(desa)
    out = {}
    disagree = [[] for _ in range(n)]
    for ftype in (PUSTU, POSYANDU):
        use_points = loaded[ftype]
        t = table[ftype]
        has_table = np.isfinite(t)
        src = np.where(use_points, "points", np.where(has_table, "table", None)).astype(object)
        if ftype == PUSTU:
            t_pre = table["precursor"]
            t_all = np.where(has_table, t + np.nan_to_num(t_pre), np.nan)
            full_points = points[PUSTU] - points["precursor"]
            n_all = np.where(use_points | ~has_table, points[PUSTU], t_all)
            n_pre = np.where(use_points | ~has_table, points["precursor"], np.nan_to_num(t_pre))
            out["n_pustu"], out["n_pustu_precursor"] = n_all.astype(float), n_pre.astype(float)
            differs = use_points & has_table & (t != full_points)
        else:
            out["n_posyandu"] = np.where(use_points | ~has_table, points[POSYANDU], t
                                         ).astype(float)
            differs = use_points & has_table & (t != points[POSYANDU])
        src[~use_points & ~has_table] = None
        out[f"{ftype}_count_source"] = src
        out[f"n_{ftype}_table"] = t
        for i in np.flatnonzero(differs):
            disagree[i].append(ftype)
    out["count_disagreement"] = np.array([";".join(d) for d in disagree], dtype=object)
    # object columns stay objects (None for no source; no inferred string dtype)
    return pd.DataFrame({k: pd.Series(v, index=desa.index, dtype=object if v.dtype == object
                                      else v.dtype) for k, v in out.items()}, index=desa.index)


def area_units(desa: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per desa its number of dusun/RW and which column gave it (:data:`AREA_BASES` in order;
    NaN / None where none does)."""
    units = np.full(len(desa), np.nan)
    basis = np.full(len(desa), None, dtype=object)
    for col in AREA_BASES:
        v = _column(desa, col)
        take = ~np.isfinite(units) & np.isfinite(v) & (v > 0)
        units[take] = v[take]
        basis[take] = col
    return units, basis


def need_units(desa: pd.DataFrame) -> np.ndarray:
    """Per desa the dusun (else RW) count the Posyandu need is computed from (NaN when neither
    is known; the area-heads proxy never raises a need)."""
    units = np.full(len(desa), np.nan)
    for col in NEED_BASES:
        v = _column(desa, col)
        take = ~np.isfinite(units) & np.isfinite(v)
        units[take] = v[take]
    return units


def posyandu_per_area(n_posyandu: np.ndarray, units: np.ndarray, basis: np.ndarray) -> dict:
    """The kabupaten figure: Posyandu per dusun/RW over the desa whose units and Posyandu are
    known, with how many desa each basis gave (``ratio`` None when no desa has both)."""
    ok = np.isfinite(units) & np.isfinite(n_posyandu)
    bases = pd.Series(basis[ok]).value_counts()
    posyandu = float(n_posyandu[ok].sum()) if ok.any() else None
    total = float(units[ok].sum()) if ok.any() else None
    return {"basis": {b: int(bases.get(b, 0)) for b in AREA_BASES if bases.get(b, 0)},
            "desa": int(ok.sum()), "posyandu": posyandu, "units": total,
            "ratio": None if not total else posyandu / total}


def count_known(source) -> np.ndarray:
    """Per desa whether its count of a type is known: it has a source, or no desa's count came
    from a table (without tables the facility list's own rules on missing inputs apply).  A
    desa a table left blank, in a kabupaten without a list, has no count: it is neither
    "without Pustu/Posyandu" nor given a Posyandu deficit."""
    src = np.asarray(source, dtype=object)
    if not (src == "table").any():
        return np.ones(len(src), dtype=bool)
    return pd.notna(src)



def source_label(source) -> str:
    """A desa's count source for people: "daftar fasilitas", "tabel per desa", "tidak ada
    data"."""
    return tr(f"counts.source.{source}" if source in COUNT_SOURCES else "counts.source.none")


def count_lines(summary: dict) -> list[str]:
    """Where the Pustu and Posyandu counts came from whenever a per-desa table gave any or
    disagrees with the facility list (the summary's ``count_sources``), and the Posyandu per
    dusun/RW with the basis of its units (``posyandu_per_area``)."""
    lines = []
    for ftype, src in (summary.get("count_sources") or {}).items():
        if src.get("table") or src.get("disagree"):
            key = "counts.line.disagree" if src.get("disagree") else "counts.line"
            lines.append(tr(key, type=tr(f"facility.{ftype}"), table=format_number(src["table"]),
                            points=format_number(src["points"]),
                            differ=format_number(src["disagree"])))
    per = summary.get("posyandu_per_area") or {}
    if per.get("ratio") is not None:
        basis = ", ".join(f"{tr('counts.basis.' + b)} {format_number(n)}"
                          for b, n in (per.get("basis") or {}).items())
        lines.append(tr("counts.posyandu_per_area", ratio=format_number(per["ratio"], 2),
                        posyandu=format_number(per["posyandu"]),
                        units=format_number(per["units"]), basis=basis))
    return lines


register_catalog("ilp_gis", "desa_counts")
