"""The facilities of one generated district: Puskesmas, Pustu (a few still precursors) and
Posyandu with their parents, staff and readiness, as column arrays.

May import the domain model (``ilp_gis``), ``layers.sample.names`` and ``._columns``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from ilp_gis import model
from ilp_gis.posyandu import criteria_levels
from ilp_gis.rules import default_rules
from layers.sample._columns import column
from layers.sample.names import POSYANDU_WORDS, PRECURSOR_NAMES


def make_facilities(rng, spec, n, centers, polys, kec_of, capital_kec, pop, dusun, set_xy,
                    set_desa, desa_code, desa_bps, desa_names, kec_code, kec_names,
                    kind) -> dict:
    """Puskesmas, Pustu and Posyandu of one district as column arrays (vectorised)."""
    desa_code = np.asarray(desa_code, dtype=object)
    desa_bps = np.asarray(desa_bps, dtype=object)
    desa_names = np.asarray(desa_names, dtype=object)
    kec_code = np.asarray(kec_code, dtype=object)
    kec_names = np.asarray(kec_names, dtype=object)
    n_kec = len(kec_code)

    # Puskesmas: in the kecamatan's most central desa (capital: the largest kelurahan), a second
    # one in large kecamatan, in the most central desa of the half farther from the first.
    pkm_desa: list[int] = []
    pkm_kec: list[int] = []
    pkm_seq: list[int] = []
    for k in range(n_kec):
        members = np.flatnonzero(kec_of == k)
        if not len(members):
            continue
        if k == capital_kec and (kind[members] == "kelurahan").any():
            town = members[kind[members] == "kelurahan"]
            c = town[np.argmax(pop[town])]
        else:
            c = _most_central(centers, members)
        pkm_desa.append(int(c))
        pkm_kec.append(k)
        pkm_seq.append(1)
        if pop[members].sum() > 30000 or (len(members) > 30 and rng.random() < 0.6):
            d_c = np.hypot(*(centers[members] - centers[c]).T)
            far = _most_central(centers, members[d_c >= np.median(d_c)])
            pkm_desa.append(int(far))
            pkm_kec.append(k)
            pkm_seq.append(2)
    pd_ = np.array(pkm_desa)
    pkm_kec_arr = np.array(pkm_kec)
    seq = np.array(pkm_seq)
    m = len(pd_)
    pkm_ids = np.array([f"P{b[:7]}{s}01" for b, s in zip(desa_bps[pd_], seq, strict=True)],
                       dtype=object)
    pkm_names = np.where(seq > 1, "Puskesmas " + desa_names[pd_].astype(str),
                         "Puskesmas " + kec_names[pkm_kec_arr].astype(str)).astype(object)
    draw = rng.random(m)
    coe = (draw < 0.65) & (rng.random(m) < 0.3)
    lokus = _lokus(draw, coe)
    start = np.array([dt.date(2023, 7, 1) + dt.timedelta(days=int(v)) if lk else None
                      for v, lk in zip(rng.integers(0, 700, m), lokus, strict=True)],
                     dtype=object)
    base = np.where(coe, rng.uniform(0.55, 0.95, m), rng.uniform(0.2, 0.85, m))
    coe_vals = np.round(np.clip(base[:, None] + rng.normal(0, 0.1, (m, 5)), 0, 1), 2)
    nurses = rng.integers(6, 22, m).astype(float)
    midwives = rng.integers(5, 16, m).astype(float)
    # one decree of the Kepala Dinas names all lokus of the kabupaten, before ILP starts there
    kab_code = ".".join(str(kec_code[0]).split(".")[:2]) if n_kec else ""
    sk_number = np.where(lokus, f"440/{int(lokus.sum())}/SK/{kab_code}/2023", None)
    sk_date = np.where(lokus, dt.date(2023, 6, 12), None)
    pkm = _fac_block(m, fac_id=pkm_ids, code=pkm_ids, name=pkm_names, type="puskesmas",
                     type_original="Puskesmas", precursor=False, desa_code=desa_code[pd_],
                     kecamatan_code=kec_code[kec_of[pd_]], declared_desa=desa_names[pd_],
                     ilp_lokus=lokus, coe=coe, ilp_start=start, lokus_sk_number=sk_number,
                     lokus_sk_date=sk_date, nurses=nurses,
                     midwives=midwives, nakes=nurses + midwives + rng.integers(6, 25, m),
                     **{c: coe_vals[:, i] for i, c in enumerate(model.COE_COLUMNS)})
    pkm_xy = centers[pd_]

    # the Puskesmas of each desa: the nearest one in the same kecamatan
    big = 1e9
    tree = cKDTree(np.column_stack([pkm_xy, pkm_kec_arr * big]))
    pkm_of = tree.query(np.column_stack([centers, kec_of * big]))[1]

    # Pustu: about two thirds of the desa that have no Puskesmas; a few are still precursors.
    has_pkm = np.zeros(n, bool)
    has_pkm[pd_] = True
    has_pustu = (~has_pkm) & (rng.random(n) < spec.pustu_share + 0.1 * (kind == "kelurahan"))
    td = np.flatnonzero(has_pustu)
    t = len(td)
    pre = rng.choice(np.array(["", "poskesdes", "polindes"], dtype=object), t,
                     p=[0.8, 0.12, 0.08])
    is_pre = pre != ""
    pre_label = np.array([PRECURSOR_NAMES.get(p, "Pustu") for p in pre], dtype=object)
    t_ids = ("PT" + desa_bps[td].astype(str)).astype(object)
    given = rng.random(t) > 0.1
    by_name = (~given) & (rng.random(t) < 0.5)
    t_par = pkm_of[td]
    t_nurses = np.where(is_pre, rng.integers(0, 2, t), rng.integers(0, 3, t)).astype(float)
    t_midw = np.where(is_pre, 1, rng.integers(0, 3, t)).astype(float)
    t_nakes = t_nurses + t_midw + (rng.random(t) < 0.3)
    no_staff = rng.random(t) < 0.05
    for arr in (t_nurses, t_midw, t_nakes):
        arr[no_staff] = np.nan  # not reported
    rng.random(t)  # drawn for the Pustu COE flags once; kept so every later draw is unchanged
    pustu = _fac_block(t, fac_id=t_ids, code=t_ids,
                       name=(pre_label + " " + desa_names[td].astype(str)).astype(object),
                       type="pustu", type_original=pre_label, precursor=is_pre,
                       parent_id=np.where(given, pkm_ids[t_par], None),
                       parent_name=np.where(by_name, pkm_names[t_par], None),
                       desa_code=desa_code[td], kecamatan_code=kec_code[kec_of[td]],
                       declared_desa=desa_names[td], coe=np.zeros(t, bool),
                       nurses=t_nurses, midwives=t_midw, nakes=t_nakes)
    ang = rng.uniform(0, 2 * np.pi, t)
    rad = rng.uniform(30, 60, t)
    t_xy = centers[td] + np.column_stack([np.cos(ang), np.sin(ang)]) * rad[:, None]
    pustu_row = np.full(n, -1)
    pustu_row[td] = np.arange(t)

    # Posyandu: 2-6 per desa at the dusun settlements (a few dusun still without one).
    n_posy = np.clip(dusun - (rng.random(n) < spec.posyandu_gap) * rng.integers(1, 3, n), 2,
                     6).astype(int)
    yd = np.repeat(np.arange(n), n_posy)
    y = len(yd)
    j = np.arange(y) - np.repeat(np.cumsum(n_posy) - n_posy, n_posy)
    k_set = dusun[yd].astype(int)
    starts = np.searchsorted(set_desa, np.arange(n))
    s = starts[yd] + (j % k_set)
    ang = rng.uniform(0, 2 * np.pi, y)
    rad = np.where(j < k_set, rng.uniform(20, 40, y), rng.uniform(110, 220, y))
    y_xy = set_xy[s] + np.column_stack([np.cos(ang), np.sin(ang)]) * rad[:, None]
    bad = ~shapely.contains_xy(polys[yd], y_xy[:, 0], y_xy[:, 1])
    y_xy[bad] = set_xy[s[bad]]  # too close to the border: at the settlement itself
    kader = rng.integers(2, 9, y).astype(float)
    sessions = np.clip(np.round(rng.normal(10.5, 2, y)), 4, 12)
    coverage, dana_sehat = _posyandu_shares(rng.random(y), rng.spawn(1)[0])
    level = _strata(kader, sessions, coverage, dana_sehat)
    # parent: the desa's Pustu, or straight to the Puskesmas where the desa has none (a gap)
    has_t = pustu_row[yd] >= 0
    par_id = np.where(has_t, t_ids[np.maximum(pustu_row[yd], 0)], pkm_ids[pkm_of[yd]])
    par_name = np.where(has_t, pustu["name"][np.maximum(pustu_row[yd], 0)],
                        pkm_names[pkm_of[yd]])
    r = rng.random(y)
    words = np.array(POSYANDU_WORDS, dtype=object)[rng.integers(0, len(POSYANDU_WORDS), y)]
    y_ids = np.array([f"PY{b}{i + 1:02d}" for b, i in zip(desa_bps[yd], j, strict=True)],
                     dtype=object)
    posy = _fac_block(y, fac_id=y_ids, name=("Posyandu " + words.astype(str) + " "
                                             + desa_names[yd].astype(str)).astype(object),
                      type="posyandu", type_original="Posyandu", precursor=False,
                      parent_id=np.where(r > 0.1, par_id, None),
                      parent_name=np.where((r > 0.05) & (r <= 0.1), par_name, None),
                      desa_code=desa_code[yd], kecamatan_code=kec_code[kec_of[yd]],
                      declared_desa=desa_names[yd], kader=kader, level=level,
                      sessions_per_year=sessions, program_coverage=coverage,
                      dana_sehat=dana_sehat)
    pustu["coe"] = _coe_pustu(coe, t_par, is_pre, n_posy[td], t_ids)
    cols = {c: np.concatenate([pkm[c], pustu[c], posy[c]]) for c in pkm}
    cols["_xy"] = np.vstack([pkm_xy, t_xy, y_xy])
    return cols


def _coe_pustu(coe_pkm: np.ndarray, parent: np.ndarray, precursor: np.ndarray,
               n_posyandu: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The Pustu of each COE unit: per COE Puskesmas, of its Pustu (not a precursor) the one
    with most Posyandu (ties: the smaller id); a COE is 1 Puskesmas + 1 Pustu + its Posyandu."""
    out = np.zeros(len(parent), bool)
    for k in np.flatnonzero(coe_pkm):
        mine = np.flatnonzero((parent == k) & ~precursor)
        if len(mine):
            out[mine[np.lexsort((ids[mine].astype(str), -n_posyandu[mine]))[0]]] = True
    return out


def _lokus(draw: np.ndarray, coe: np.ndarray) -> np.ndarray:
    """The lokus Puskesmas: about two thirds, held to 5 to 10 of the kabupaten's (all when it
    has fewer than 5; the Juknis ILP guidance), every COE among them."""
    m = len(draw)
    base = (draw < 0.65) | coe
    if 5 <= base.sum() <= 10 or base.sum() == m:
        return base
    k = int(min(m, max(5, min(10, int(base.sum())), int(coe.sum()))))
    order = np.lexsort((draw, ~coe))  # COE first, then by draw
    out = np.zeros(m, bool)
    out[order[:k]] = True
    return out


def _posyandu_shares(u: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """Coverage of the main programmes and the share of families in dana sehat (0..1)."""
    coverage = np.round(0.25 + 0.7 * u, 2)
    dana_sehat = np.round(rng.uniform(0.05, 0.85, len(u)), 2)
    return coverage, dana_sehat


def _strata(kader, sessions, coverage, dana_sehat) -> np.ndarray:
    """The stratum each Posyandu's figures give by the default strata rules (the sample obeys
    its own rules: ilp_gis.posyandu checks the declared strata against the same criteria)."""
    frame = pd.DataFrame({"kader": kader, "sessions_per_year": sessions,
                          "program_coverage": coverage, "dana_sehat": dana_sehat})
    level, *_ = criteria_levels(frame, default_rules())
    return np.array(level, dtype=object)


def _most_central(centers: np.ndarray, members: np.ndarray) -> int:
    """The member whose centre lies nearest to the members' mean centre."""
    mid = centers[members].mean(axis=0)
    return members[np.argmin(np.hypot(*(centers[members] - mid).T))]


def _fac_block(n: int, **values) -> dict[str, np.ndarray]:
    """Facility columns of length ``n`` (scalars broadcast; columns not given stay missing)."""
    out = {}
    for c in model.FACILITIES.columns:
        v = values.get(c.name)
        if v is None:
            out[c.name] = np.full(n, np.nan) if c.dtype == "float" else np.full(n, None,
                                                                                dtype=object)
        else:
            out[c.name] = column(n, v)
    return out
