"""Lokus ILP: the Puskesmas a kabupaten/kota names as ILP lokus by decree of the Kepala Dinas
Kesehatan (SK number and date), checked against the guidance of 5 to 10 lokus per kabupaten
(rules ``lokus.min_per_kabupaten`` / ``lokus.max_per_kabupaten``).

A kabupaten whose Puskesmas data never said which are lokus has no lokus count (None, status
``unknown``), never 0.

May import pandas and the domain modules ``model``, ``rules``.
"""

from __future__ import annotations

import pandas as pd

from ilp_gis import model
from ilp_gis.rules import Rules

LOKUS_COLUMNS = ["kabupaten_code", "kabupaten_name", "puskesmas", "lokus", "status",
                 "sk_numbers", "sk_dates", "lokus_without_sk", "lokus_without_sk_date",
                 "lokus_names"]
STATUSES = ("ok", "too_few", "too_many", "unknown")


def kabupaten_of(kecamatan_code: object) -> str | None:
    """The kabupaten code of a kecamatan code in either system (``PP.KK.CC`` → ``PP.KK``,
    BPS ``PPKKCCC`` → ``PPKK``); None when there is none."""
    if not isinstance(kecamatan_code, str) or not kecamatan_code.strip():
        return None
    code = kecamatan_code.strip()
    if "." in code:
        parts = code.split(".")
        return ".".join(parts[:2]) if len(parts) >= 2 else None
    return code[:4] if len(code) >= 4 else None


def _text(v: object) -> str | None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    s = str(v).strip()
    return s or None


def _date_text(v: object) -> str | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and pd.isna(v)):
        return None
    try:
        return pd.Timestamp(v).date().isoformat()
    except (TypeError, ValueError):
        return _text(v)


def lokus_check(facilities: pd.DataFrame, rules: Rules,
                kabupaten_names: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per kabupaten with a Puskesmas: how many Puskesmas and lokus, the status
    against the 5–10 guidance (:data:`STATUSES`), the decree numbers and dates given, and how
    many lokus lack an SK number or date."""
    lo, hi = rules.value("lokus.min_per_kabupaten"), rules.value("lokus.max_per_kabupaten")
    pk = facilities[facilities["type"] == model.FacilityType.PUSKESMAS.value]
    kab = [kabupaten_of(c) for c in (pk["kecamatan_code"].tolist() if "kecamatan_code" in pk
                                     else [None] * len(pk))]
    names = kabupaten_names or {}
    rows = []
    frame = pd.DataFrame({
        "kab": kab, "name": pk["name"].tolist(),
        "lokus": pk["ilp_lokus"].tolist() if "ilp_lokus" in pk else [None] * len(pk),
        "sk": [_text(v) for v in (pk["lokus_sk_number"].tolist() if "lokus_sk_number" in pk
                                  else [None] * len(pk))],
        "sk_date": [_date_text(v) for v in (pk["lokus_sk_date"].tolist() if "lokus_sk_date"
                                            in pk else [None] * len(pk))],
    })
    frame = frame[frame["kab"].notna()]
    for code, g in frame.groupby("kab", sort=True):
        known = g["lokus"].map(lambda v: v is not None and not pd.isna(v))
        if not known.any():
            n_lokus, status, lk = None, "unknown", g.iloc[0:0]
        else:
            lk = g[known & g["lokus"].map(lambda v: bool(v) if v is not None and not pd.isna(v)
                                          else False)]
            n_lokus = int(len(lk))
            status = "too_few" if n_lokus < lo else "too_many" if n_lokus > hi else "ok"
        rows.append({
            "kabupaten_code": code, "kabupaten_name": names.get(code),
            "puskesmas": int(len(g)), "lokus": n_lokus, "status": status,
            "sk_numbers": "; ".join(sorted(set(lk["sk"].dropna()))),
            "sk_dates": "; ".join(sorted(set(lk["sk_date"].dropna()))),
            "lokus_without_sk": int(lk["sk"].isna().sum()) if n_lokus is not None else None,
            "lokus_without_sk_date": (int(lk["sk_date"].isna().sum()) if n_lokus is not None
                                      else None),
            "lokus_names": "; ".join(lk["name"].astype(str)),
        })
    return pd.DataFrame(rows, columns=LOKUS_COLUMNS)


def lokus_summary(check: pd.DataFrame) -> dict[str, object]:
    """Kabupaten per status and the lokus without a decree number or date."""
    counts = check["status"].value_counts()
    def total(col: str) -> int | None:
        s = pd.to_numeric(check[col], errors="coerce")
        return None if s.isna().all() else int(s.sum())
    return {"kabupaten": int(len(check)), **{s: int(counts.get(s, 0)) for s in STATUSES},
            "lokus": total("lokus"), "lokus_without_sk": total("lokus_without_sk"),
            "lokus_without_sk_date": total("lokus_without_sk_date")}
