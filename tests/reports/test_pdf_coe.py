"""The COE units in the PDF after a save and reopen: per-kecamatan counts read the stored
booleans as booleans, and the COE table shows the five groups beside the score with its rule.

The district is the one of ``tests.ilp_gis.test_coe`` with the default indicator list (4 per
group): PKM_A (kecamatan A, unit with Pustu PT_A2 and 2 Posyandu) has 0.5 in every group: 50%,
below 80%; PKM_B (kecamatan B, no designated Pustu) 0.9 in every group: 90%, meets; PKM_X is
scored 0.9 but not designated.
"""

from __future__ import annotations

import datetime as dt

from reportlab.lib.pagesizes import A4

from ilp_gis.analysis import analyze, load_result, store_result
from layers.project_file import open_project, save_project
from reports.pdf import build_report, key_figures
from reports.pdf.context import ReportContext
from tests.ilp_gis.test_coe import COLS, district
from tests.reports.helpers import pdf_text

KEC_A, KEC_B = "35.07.01", "35.07.02"


def _stored(tmp_path):
    p = district(shares_b=(0.9,) * 5)
    a = p.facilities.index[p.facilities["fac_id"] == "PKM_A"][0]
    for c in COLS:
        p.facilities.loc[a, c] = 0.5
    store_result(p, analyze(p))
    project = open_project(save_project(p, tmp_path / "coe.gpkg"))
    return project, load_result(project)


def test_a_unit_below_the_threshold_stays_below_after_a_save(tmp_path):
    project, result = _stored(tmp_path)
    assert str(result.coe["meets"].dtype) == "boolean"
    assert str(project.facilities["coe"].dtype) == "boolean"
    assert result.summary["coe_total"] == 2 and result.summary["coe_meeting_threshold"] == 1
    per_kec = {}
    for code in (KEC_A, KEC_B):
        f = key_figures(ReportContext(project, result, "summary", A4, code, None,
                                      dt.date(2026, 12, 1)))
        per_kec[code] = (f["coe_ok"], f["coe_total"])
    assert per_kec == {KEC_A: (0, 1), KEC_B: (1, 1)}  # "False" is never read as met


def test_the_pdf_coe_table_has_the_groups_beside_the_score(tmp_path):
    project, result = _stored(tmp_path)
    text = " ".join(pdf_text(build_report(project, result, tmp_path / "r.pdf", kind="summary",
                                          date=dt.date(2026, 12, 1))).split())
    assert "Unit Center of Excellence (COE)" in text
    assert "1 dari 2 unit COE yang ditetapkan memenuhi ambang 80%" in text
    for head in ("Infra", "Kebijakan", "SDM", "Bahan/alat", "Pelayanan"):
        assert head in text
    assert "Pustu A2" in text and "50%*" in text and "90%*" in text
    assert "Pustu unit COE belum ditetapkan" in text  # PKM_B
    assert "* Skor: rata-rata bagian kelompok (dibobot jumlah indikator)." in text
    assert "Pustu C1: Pustu ditetapkan COE, tetapi Puskesmas induknya tidak" in text
    assert "Puskesmas X" not in text.split("Unit Center of Excellence (COE)")[1].split(
        "Daftar indikator")[0]


def test_a_coe_table_stored_before_units_still_prints_what_it_counted():
    """Results stored before COE were units hold one row per scored facility; the table shows
    each as a unit (as its summary counted them) until the project is analysed again."""
    from types import SimpleNamespace

    import pandas as pd

    from reports.tables import coe_table

    old = pd.DataFrame({"fac_id": ["A", "B"], "name": ["Puskesmas A", "Puskesmas B"],
                        "type": "puskesmas", "kecamatan_code": ["k1", "k2"],
                        "score": [0.8, 0.5], "meets": pd.array([True, False], dtype="boolean")})
    t = coe_table(SimpleNamespace(coe=old), {"k1": "Kec 1"})
    assert list(t["unit_id"]) == ["COE-A", "COE-B"] and list(t["kecamatan"]) == ["Kec 1", "k2"]
    assert t["meets"].tolist() == [True, False] and t["rule_label"].isna().all()
    assert list(coe_table(SimpleNamespace(coe=old), {}, "k2")["fac_id"]) == ["B"]
