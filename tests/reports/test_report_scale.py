"""Large projects stay bounded: a plan or atlas for more kecamatan than such a document is made
for stops at once with a clear message (nothing written), the plan's priority list is capped,
and cutting the map to a kecamatan goes through a spatial index with the plain scan's answer."""

from __future__ import annotations

import pytest
import shapely
import shapely.prepared
from pypdf import PdfReader

from ilp_gis.errors import InputError
from ilp_gis.i18n import language
from reports.maps.data import prepare_map_data
from reports.pdf import build_report
from reports.pdf import report as report_module


def _plain_subset_ids(data, code):
    kec = data.kecamatan[data.kecamatan["code"] == code]
    area = shapely.prepared.prep(kec.geometry.union_all().buffer(50))
    fac = [f for f, g in zip(data.facilities["fac_id"],
                                     data.facilities.geometry.values, strict=True)
           if area.intersects(g)]
    return fac


def test_kecamatan_map_holds_what_a_plain_scan_finds(tiny):
    project, result = tiny
    data = prepare_map_data(project, result)
    codes = list(data.kecamatan["code"])
    assert len(codes) >= 2
    for code in codes:
        sub = data.subset(code)
        assert list(sub.facilities["fac_id"]) == _plain_subset_ids(data, code)
        assert set(sub.desa_gap) <= set(sub.desa["code"])
        assert {k: data.desa_gap[k] for k in sub.desa_gap} == sub.desa_gap
        assert set(sub.facility_gap) <= set(sub.facilities["fac_id"])


@pytest.mark.parametrize("kind", ["plan", "atlas"])
def test_too_many_kecamatan_stops_before_any_work(tiny, tmp_path, monkeypatch, kind):
    project, result = tiny
    monkeypatch.setattr(report_module, "MAX_KECAMATAN_SECTIONS", 1)
    out = tmp_path / "r.pdf"
    n = len(project.layers["kecamatan"])
    with language("id"), pytest.raises(InputError, match=f"memuat {n} kecamatan.*--kind summary"):
        build_report(project, result, out, kind=kind)
    assert list(tmp_path.iterdir()) == []
    with language("en"), pytest.raises(InputError, match="--kecamatan NAME"):
        build_report(project, result, out, kind=kind)


def test_summary_and_one_kecamatan_still_work_when_there_are_many(tiny, tmp_path, monkeypatch):
    project, result = tiny
    monkeypatch.setattr(report_module, "MAX_KECAMATAN_SECTIONS", 1)
    assert build_report(project, result, tmp_path / "s.pdf", kind="summary").exists()
    code = str(project.layers["kecamatan"]["code"].iloc[0])
    assert build_report(project, result, tmp_path / "k.pdf", kind="plan", kecamatan=code).exists()


def test_the_plan_priority_list_is_capped(tiny, tmp_path, monkeypatch):
    project, result = tiny
    monkeypatch.setattr(report_module, "PLAN_GAP_ROWS_MAX", 3)
    # top=0 (all places in the body): the body itself stops at the cap
    path = build_report(project, result, tmp_path / "p.pdf", kind="plan", lang="en", top=0)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())
    assert "Showing the top 3 of" in text and "Annex: Full list" not in text
    # top=1: the body shows one place, the annex the capped full list
    path = build_report(project, result, tmp_path / "q.pdf", kind="plan", lang="en", top=1)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())
    assert "Showing the top 1 of" in text
    annex = text.split("Annex: Full list of gaps by priority")[-1]
    assert "Showing the top 3 of" in annex and "the full list is in the XLSX tables" in annex
