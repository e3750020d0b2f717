"""COE assessment tables (``import --coe``): one row per unit Puskesmas, one yes/no column per
indicator, joined to the project's Puskesmas and reported row by row; the analysis then scores
each unit on its indicators.

The project is the district of ``tests.ilp_gis.test_coe`` with its five-indicator list
(infrastruktur a, b; kebijakan c; sdm d; model_pelayanan e) kept in the project.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ilp_gis import coe
from ilp_gis.analysis import analyze
from ilp_gis.errors import InputError
from layers.importing import import_files
from tests.ilp_gis.test_coe import INDICATORS, district


def _project():
    p = district()
    p.meta[coe.META_INDICATORS] = INDICATORS
    return p


def _report(p, name):
    r = p.layers["import_report"]
    return r[r["file"] == name]


def test_a_table_of_indicators_per_puskesmas_scores_its_unit(tmp_path):
    path = tmp_path / "penilaian.csv"
    path.write_text(
        "kode_puskesmas,nama_puskesmas,infrastruktur.a,b,Kebijakan C,d,e,catatan\n"
        "PKM_A,,ya,ya,ya,tidak,ya,baik\n"       # 4 of 5: 80%, meets
        ",Puskesmas B,tidak,ya,mungkin,,ya,\n"  # 2 of 3 assessed (c unreadable, d empty)
        ",Pustu A2,ya,ya,ya,ya,ya,\n"           # a Pustu: not used
        ",Puskesmas Zzz,ya,ya,ya,ya,ya,\n",     # no such Puskesmas
        encoding="utf-8")
    p = _project()
    import_files(p, coe=path)
    table = p.tables[coe.ASSESSMENT_TABLE]
    assert len(table) == 5 + 3
    assert str(table["met"].dtype) == "boolean"
    rep = _report(p, "penilaian.csv")
    problems = set(rep["problem"].dropna())
    assert {"coe_bad_cell", "coe_not_puskesmas", "staffing_no_facility",
            "coe_unknown_columns"} <= problems
    bad = rep[rep["problem"] == "coe_bad_cell"]
    assert "'mungkin' di kolom Kebijakan C" in bad["message"].iloc[0]
    assert "catatan" in rep.loc[rep["problem"] == "coe_unknown_columns", "message"].iloc[0]
    units = coe.units_only(analyze(p).coe).set_index("fac_id")
    a, b = units.loc["PKM_A"], units.loc["PKM_B"]
    assert a["rule"] == "indicators" and a["score"] == pytest.approx(0.8) and bool(a["meets"])
    # B: a no, b yes, e yes; c, d unknown: 2 of 3 so far, at most 4 of 5 (0.8): undecided
    assert b["rule"] == "indicators" and b["score"] == pytest.approx(2 / 3)
    assert (b["indicators_met"], b["indicators_assessed"]) == (2, 3)
    assert pd.isna(b["meets"])


def test_a_table_without_indicator_columns_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "salah.csv"
    path.write_text("nama_puskesmas,skor\nPuskesmas A,80\n", encoding="utf-8")
    p = _project()
    with pytest.raises(InputError, match="tidak ada kolom indikator COE") as err:
        import_files(p, coe=path)
    assert "salah.csv" in str(err.value)
    assert coe.ASSESSMENT_TABLE not in p.tables


def test_a_second_table_replaces_only_the_puskesmas_it_names(tmp_path):
    first, second = tmp_path / "satu.csv", tmp_path / "dua.csv"
    first.write_text("kode_puskesmas,a,b\nPKM_A,ya,ya\nPKM_B,ya,tidak\n", encoding="utf-8")
    second.write_text("kode_puskesmas,a,b\nPKM_B,tidak,tidak\n", encoding="utf-8")
    p = _project()
    import_files(p, coe=first)
    import_files(p, coe=second)
    t = p.tables[coe.ASSESSMENT_TABLE]
    got = {(f, i): bool(m) for f, i, m in zip(t["fac_id"], t["indicator"], t["met"],
                                             strict=True)}
    assert got == {("PKM_A", "infrastruktur.a"): True, ("PKM_A", "infrastruktur.b"): True,
                   ("PKM_B", "infrastruktur.a"): False, ("PKM_B", "infrastruktur.b"): False}
