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
    n = len(pk)

    def column(name: str) -> list:
        return pk[name].tolist() if name in pk else [None] * n

    sk = [_text(v) for v in column("lokus_sk_number")]
    sk_date = [_date_text(v) for v in column("lokus_sk_date")]
    lokus, pk_names = column("ilp_lokus"), pk["name"].tolist()
    groups: dict[str, list[int]] = {}
    for i, code in enumerate(kab):
        if code is not None:
            groups.setdefault(code, []).append(i)
    rows = []
    # plain lists per kabupaten (a pandas group per kabupaten took over a second nationally)
    for code in sorted(groups):
        members = groups[code]
        known = [i for i in members if lokus[i] is not None and not pd.isna(lokus[i])]
        if not known:
            n_lokus, status, lk = None, "unknown", []
        else:
            lk = [i for i in known if bool(lokus[i])]
            n_lokus = len(lk)
            status = "too_few" if n_lokus < lo else "too_many" if n_lokus > hi else "ok"
        rows.append({
            "kabupaten_code": code, "kabupaten_name": names.get(code),
            "puskesmas": len(members), "lokus": n_lokus, "status": status,
            "sk_numbers": "; ".join(sorted({sk[i] for i in lk if sk[i] is not None})),
            "sk_dates": "; ".join(sorted({sk_date[i] for i in lk if sk_date[i] is not None})),
            "lokus_without_sk": sum(sk[i] is None for i in lk) if n_lokus is not None
            else None,
            "lokus_without_sk_date": (sum(sk_date[i] is None for i in lk)
                                      if n_lokus is not None else None),
            "lokus_names": "; ".join(str(pk_names[i]) for i in lk),
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
