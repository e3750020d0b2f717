"""Lokus Puskesmas per kabupaten against the 5-10 guidance, with the decree (SK) number and
date, on hand-made Puskesmas lists."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ilp_gis.lokus import kabupaten_of, lokus_check, lokus_summary
from ilp_gis.rules import default_rules


def _puskesmas(kab: str, lokus: list, sk=None, date=None):
    n = len(lokus)
    return pd.DataFrame({
        "fac_id": [f"{kab}-{i}" for i in range(n)], "name": [f"Puskesmas {kab}{i}" for i in
                                                            range(n)],
        "type": "puskesmas", "kecamatan_code": [f"{kab}.{i + 1:02d}" for i in range(n)],
        "ilp_lokus": pd.array(lokus, dtype="boolean"),
        "lokus_sk_number": [sk if lk else None for lk in lokus] if sk else None,
        "lokus_sk_date": [date if lk else None for lk in lokus] if date else None,
    })


def test_kabupaten_of_both_code_systems():
    assert kabupaten_of("35.07.12") == "35.07"
    assert kabupaten_of("3507120") == "3507"
    assert kabupaten_of(None) is None and kabupaten_of("  ") is None


def test_five_to_ten_lokus_per_kabupaten_with_their_decree():
    f = pd.concat([
        _puskesmas("11.01", [True] * 3 + [False] * 4, "440/1/2024", dt.date(2024, 1, 5)),
        _puskesmas("11.02", [True] * 6 + [False] * 2, "440/2/2024", None),
        _puskesmas("11.03", [True] * 11),
        _puskesmas("11.04", [None] * 4),  # lokus never given: no count
    ], ignore_index=True)
    f.loc[f["fac_id"] == "11.02-0", "lokus_sk_number"] = None  # one lokus without its SK
    c = lokus_check(f, default_rules(), {"11.01": "Kab. Satu"}).set_index("kabupaten_code")
    assert c["status"].to_dict() == {"11.01": "too_few", "11.02": "ok", "11.03": "too_many",
                                     "11.04": "unknown"}
    assert c.loc["11.01", "kabupaten_name"] == "Kab. Satu"
    assert c["puskesmas"].tolist() == [7, 8, 11, 4]
    assert c.loc["11.01", "lokus"] == 3 and c.loc["11.03", "lokus"] == 11
    assert pd.isna(c.loc["11.04", "lokus"])  # never 0
    assert c.loc["11.01", "sk_numbers"] == "440/1/2024"
    assert c.loc["11.01", "sk_dates"] == "2024-01-05"
    assert c.loc["11.02", "lokus_without_sk"] == 1
    assert c.loc["11.02", "lokus_without_sk_date"] == 6
    assert c.loc["11.03", "lokus_without_sk"] == 11
    s = lokus_summary(c.reset_index())
    assert s == {"kabupaten": 4, "ok": 1, "too_few": 1, "too_many": 1, "unknown": 1,
                 "lokus": 20, "lokus_without_sk": 12, "lokus_without_sk_date": 17}


def test_the_guidance_comes_from_the_rules():
    f = _puskesmas("11.01", [True] * 3 + [False] * 4)
    rules = default_rules().with_values(lokus__min_per_kabupaten=3)
    assert lokus_check(f, rules)["status"].tolist() == ["ok"]
