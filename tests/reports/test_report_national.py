"""A project spanning several provinces gets a plan report that summarises per province and per
kabupaten (no section per kecamatan, no per-desa annex, the budget funding per province and
kabupaten) and says where the per-desa detail is; a one-kabupaten project keeps its sections."""

from __future__ import annotations

import pandas as pd
import pytest
from pypdf import PdfReader

from ilp_gis.budget import budget_sync
from ilp_gis.i18n import language
from ilp_gis.project import Project
from reports.pdf import build_report
from reports.pdf import report as report_module
from reports.pdf.areas import province_rollup
from reports.pdf.budget import area_funding
from reports.pdf.context import spans_provinces
from reports.tables import kabupaten_rollup
from tests.reports.conftest import DATE
from tests.reports.fixtures import make_result, tiny_project

MOVED, TO = "53.10.02", "54.20.02"  # kecamatan Pantai Indah moved to another province


def _two_provinces() -> Project:
    base = tiny_project()
    layers = {}
    for name, frame in base.layers.items():
        frame = frame.copy()
        for col in ("code", "kecamatan_code", "desa_code", "target_desa"):
            if col in frame:
                frame[col] = frame[col].map(
                    lambda v: TO + v[len(MOVED):] if isinstance(v, str) and v.startswith(MOVED)
                    else v)
        layers[name] = frame
    return Project(layers=layers, meta=dict(base.meta), rules=base.rules)


@pytest.fixture(scope="module")
def national():
    project = _two_provinces()
    return project, make_result(project)


def _text(path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_the_extent_decides_the_switch(tiny, national):
    assert not spans_provinces(tiny[0].kecamatan["code"])
    assert spans_provinces(national[0].kecamatan["code"])
    assert not spans_provinces(["53.10.01", "53.11.02"])  # two kabupaten of one province
    assert not spans_provinces([])


def test_a_national_plan_summarises_per_province_and_kabupaten(national, tmp_path, monkeypatch):
    project, result = national
    # the per-kecamatan limit is for documents with a section per kecamatan: not this one
    monkeypatch.setattr(report_module, "MAX_KECAMATAN_SECTIONS", 1)
    with language("id"):
        text = _text(build_report(project, result, tmp_path / "n.pdf", date=DATE))
    assert "Ringkasan per provinsi" in text and "Provinsi 53" in text and "Provinsi 54" in text
    assert "Ringkasan per kabupaten/kota" in text and "54.20" in text
    assert "Rincian per kecamatan dan per desa: lihat tabel XLSX" in text
    assert "Kecamatan Pantai Indah" not in text  # no section per kecamatan
    assert "Lampiran: Daftar lengkap" not in text  # no per-desa annex
    assert "Pendanaan aksi per provinsi" in text and "Pendanaan aksi per kabupaten/kota" in text
    assert "Anggaran per sumber dana dan tahun" in text
    assert "Rincian per desa (aksi, kesenjangan dan baris anggaran): lihat tabel XLSX" in text
    assert "unit COE dirangkum per provinsi" in text and "Skor rata-rata" in text
    with language("en"):
        en = _text(build_report(project, result, tmp_path / "e.pdf", date=DATE))
    assert "Summary by province" in en and "Funding of actions by district" in en


def test_the_province_roll_up_adds_its_districts(national):
    project, result = national
    prov = province_rollup(kabupaten_rollup(result.kecamatan)).set_index("code")
    k = result.kecamatan
    for code, part in (("53", "53."), ("54", "54.")):
        own = k[k["code"].str.startswith(part)]
        assert prov.loc[code, "kabupaten"] == 1 and prov.loc[code, "kecamatan"] == len(own)
        assert prov.loc[code, "desa_total"] == own["desa_total"].sum()
        assert prov.loc[code, "gap_count"] == own["gap_count"].sum()


def test_the_funding_per_province_holds_every_action_once(national):
    project, result = national
    sync = budget_sync(project, result)
    acts = sync.actions
    per = area_funding(acts, "province").set_index("code")
    # every budget line of the tiny district targets a desa of kecamatan Kota Lama (53)
    assert set(project.budget["target_desa"].str[:2]) == {"53"}
    moved = acts[acts["kecamatan_code"].fillna(acts["desa_code"]).str.startswith("54.")]
    assert len(moved) > 0
    assert per.loc["54", "actions"] == len(moved) == per.loc["54", "unfunded"]
    assert per.loc["54", "funded"] == per.loc["54", "partly"] == 0
    assert per.loc["54", "amount"] == 0
    assert per[["funded", "partly", "unfunded"]].sum().to_dict() == sync.action_counts
    assert per["amount"].sum() == pytest.approx(acts["amount"].sum())
    kab = area_funding(acts, "kabupaten")
    assert list(kab["code"]) == ["53.10", "54.20"]
    assert int(kab["actions"].sum()) == len(acts)


def test_a_one_kabupaten_plan_keeps_its_kecamatan_sections(tiny, tmp_path):
    project, result = tiny
    text = _text(build_report(project, result, tmp_path / "k.pdf", date=DATE))
    assert "Kecamatan Pantai Indah" in text and "Ringkasan per provinsi" not in text
    assert "Pendanaan aksi per provinsi" not in text


def test_coe_units_are_counted_per_province():
    from reports.pdf.coe import coe_by_province

    coe = pd.DataFrame({
        "unit_id": ["U1", "U2", "U3", None, "U4"],
        "kecamatan_code": ["53.10.01", "53.11.02", "54.20.02", "54.20.02", "54.20.01"],
        "meets": [True, False, None, True, True],
        "score": [0.8, 0.4, None, 0.9, 0.6],
    })
    got = coe_by_province(coe).set_index("code")
    assert got.loc["53"].tolist() == [2, 1, 1, 0, pytest.approx(0.6)]
    # the row without a unit (a designated Pustu making none) is not a unit
    assert got.loc["54"].tolist() == [2, 1, 0, 1, pytest.approx(0.6)]


def test_the_national_map_merges_desa_per_kabupaten_and_gap_kind(national):
    from reports.maps.data import prepare_map_data
    from reports.pdf.national_map import WithoutFacilities, merged_map_data

    project, result = national
    full = prepare_map_data(project, result)
    merged = merged_map_data(prepare_map_data(WithoutFacilities(project), result))
    kinds = full.desa["code"].map(full.desa_gap).fillna("")
    kab = full.desa["kecamatan_code"].str[:5]
    assert sorted(merged.desa["code"]) == sorted(set(kab + "|" + kinds))
    for key, geom in zip(merged.desa["code"], merged.desa.geometry, strict=True):
        part = full.desa[(kab + "|" + kinds == key).to_numpy()]
        assert geom.area == pytest.approx(part.geometry.area.sum(), rel=1e-9)
        assert merged.desa_gap.get(key, "") == key.split("|")[1]
    assert len(merged.facilities) == 0 and len(project.facilities) > 0
    assert set(merged.kecamatan["code"]) == set(full.kecamatan_gap)


def test_the_national_plan_speaks_one_language(national, tmp_path):
    from tests.reports.test_one_language import _keys, _problems

    project, result = national
    text = _text(build_report(project, result, tmp_path / "id.pdf", date=DATE, lang="id"))
    # a problem kind only the hand-made result has (the analysis never writes it), printed raw
    text = text.replace("posyandu without pustu", "")
    assert _problems(text, _keys()) == []
    for english in ("Summary by province", "Funding of actions", "Detail per desa", "National map"):
        assert english not in text
