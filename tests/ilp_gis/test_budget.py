"""Budget parsing (every format budget offices write) and the budget synchronisation."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from ilp_gis import budget as B
from ilp_gis.project import Project
from ilp_gis.results import AnalysisResult


@pytest.mark.parametrize("text, value", [
    ("Rp 1.250.000", 1_250_000),
    ("Rp1.250.000,-", 1_250_000),
    ("Rp. 1.250.000,00", 1_250_000),
    ("1.250.000,00", 1_250_000),
    ("1,25 M", 1_250_000_000),
    ("1,25 miliar", 1_250_000_000),
    ("1,5 milyar", 1_500_000_000),
    ("Rp 2 M", 2_000_000_000),
    ("250 jt", 250_000_000),
    ("250 juta", 250_000_000),
    ("Rp 7,5 jt", 7_500_000),
    ("1250000", 1_250_000),
    ("1,250,000", 1_250_000),
    ("1.250", 1_250),
    ("IDR 1,250,000.50", 1_250_000.5),
    ("500 rb", 500_000),
    (1250000, 1_250_000),
    (1.25e9, 1_250_000_000),
])
def test_parse_amount_formats(text, value):
    p = B.parse_amount(text)
    assert p.ok, p
    assert p.value == pytest.approx(value)


def test_parse_amount_bad_and_missing():
    assert B.parse_amount("").status == "empty"
    assert B.parse_amount(None).value is None
    assert B.parse_amount(float("nan")).status == "empty"
    bad = B.parse_amount("seratus ribu")
    assert bad.status == "error" and "seratus ribu" in bad.message
    assert B.parse_amount("-5.000").status == "error"
    assert B.parse_amount("5 kg").status == "error"
    assert B.parse_amount(0).status == "doubtful"
    amb = B.parse_amount("1,250")
    assert amb.status == "doubtful" and amb.value == 1250


@pytest.mark.parametrize("text, year, status", [
    (2026, 2026, "ok"), ("2026", 2026, "ok"), ("TA 2026", 2026, "fixed"),
    ("T.A. 2027", 2027, "fixed"), (2026.0, 2026, "ok"), ("2026/2027", 2026, "doubtful"),
])
def test_parse_year(text, year, status):
    p = B.parse_year(text)
    assert (p.value, p.status) == (year, status)


def test_parse_year_bad():
    assert B.parse_year("tahun depan").status == "error"
    assert B.parse_year(1999).status == "error"
    assert B.parse_year("").status == "empty"


@pytest.mark.parametrize("text, source", [
    ("DAK Fisik", "dak_fisik"), ("dak-fisik", "dak_fisik"), ("DAK_FISIK", "dak_fisik"),
    ("DAK Fisik Bidang Kesehatan", "dak_fisik"), ("DAK", "dak_fisik"),
    ("DAK Non Fisik", "dak_non_fisik"), ("dak nonfisik", "dak_non_fisik"),
    ("DAK Non-Fisik", "dak_non_fisik"), ("BOK", "bok"), ("BOK Puskesmas", "bok"),
    ("Bantuan Operasional Kesehatan", "bok"), ("Dana Desa", "dana_desa"),
    ("APBDes", "dana_desa"), ("APB Desa", "dana_desa"), ("DD", "dana_desa"),
    ("DAU", "dau"), ("CSR", "pihak_ketiga"), ("CSR/pihak ketiga", "pihak_ketiga"),
    ("Pihak ke-3", "pihak_ketiga"), ("donor", "pihak_ketiga"), ("UNICEF", "pihak_ketiga"),
    ("Lain-lain", "lainnya"),
])
def test_parse_source_spellings(text, source):
    p = B.parse_source(text)
    assert p.value == source and p.status == "ok", p


def test_parse_source_guessed_and_unknown():
    apbd = B.parse_source("APBD Kabupaten")
    assert apbd.value == "dau" and apbd.status == "doubtful"
    unk = B.parse_source("Kas Koperasi")
    assert unk.value == "lainnya" and unk.status == "doubtful" and "Kas Koperasi" in unk.message


@pytest.mark.parametrize("text, activity", [
    ("Pembangunan Pustu", "build_pustu"), ("Pembangunan Gedung Pustu Desa X", "build_pustu"),
    ("Peningkatan Poskesdes menjadi Pustu", "upgrade_pustu"),
    ("Alih fungsi Polindes", "upgrade_pustu"), ("Poskesdes jadi Pustu", "upgrade_pustu"),
    ("Rehabilitasi Pustu", "renovate"), ("Renovasi gedung", "renovate"),
    ("Pengadaan alat kesehatan Pustu", "equip"), ("Pengadaan alkes", "equip"),
    ("Penambahan nakes", "add_nakes"), ("Rekrutmen bidan desa", "add_nakes"),
    ("Pelatihan kader Posyandu", "train_kader"), ("Orientasi kader", "train_kader"),
    ("Pembentukan Posyandu", "open_posyandu"), ("Posyandu baru", "open_posyandu"),
    ("build_pustu", "build_pustu"),
])
def test_parse_activity(text, activity):
    p = B.parse_activity(text)
    assert p.value == activity and p.status == "ok", p


def test_parse_activity_unknown_kept_as_other():
    p = B.parse_activity("Rapat koordinasi")
    assert p.value == "other" and p.status == "doubtful"


@pytest.mark.parametrize("text, status", [
    ("Usulan", "usulan"), ("disetujui", "disetujui"), ("DPA", "disetujui"),
    ("Terealisasi", "terealisasi"), ("realisasi 100%", "terealisasi"),
])
def test_parse_status(text, status):
    assert B.parse_status(text).value == status


# --- budget sync -----------------------------------------------------------------------------------

def _project(lines):
    desa = gpd.GeoDataFrame({
        "code": ["11.01.01.2001", "11.01.01.2002", "11.01.01.2003", "11.01.01.2004"],
        "name": ["A", "B", "C", "D"], "kecamatan_code": ["11.01.01"] * 4,
        "population": [1000.0, 2000.0, 3000.0, 4000.0],
    }, geometry=[box(i * 0.01, 0, i * 0.01 + 0.01, 0.01) for i in range(4)], crs="EPSG:4326")
    fac = gpd.GeoDataFrame({
        "fac_id": ["P1", "PS1"], "name": ["Pustu B", "Posyandu C"], "type": ["pustu", "posyandu"],
        "desa_code": ["11.01.01.2002", "11.01.01.2003"],
    }, geometry=[Point(0.015, 0.005), Point(0.025, 0.005)], crs="EPSG:4326")
    budget = pd.DataFrame(lines, columns=["budget_id", "source", "year", "activity",
                                          "target_desa", "target_facility", "amount", "status"])
    return Project(layers={"desa": desa, "facilities": fac, "budget": budget})


def _result():
    gaps = pd.DataFrame({
        "gap_id": ["g1", "g2", "g3", "g4", "g5", "g6"],
        "kind": ["no_pustu", "understaffed_pustu", "posyandu_deficit", "no_pustu",
                 "kader_deficit", "orphan_facility"],
        "desa_code": ["11.01.01.2001", "11.01.01.2002", "11.01.01.2003", "11.01.01.2004",
                      "11.01.01.2003", "11.01.01.2003"],
        "desa_name": ["A", "B", "C", "D", "C", "C"],
        "kecamatan_code": ["11.01.01"] * 6, "kecamatan_name": ["K"] * 6,
        "fac_id": [None, "P1", None, None, "PS1", "PS1"],
        "value": [0, 0, 1, 0, 3, math.nan], "threshold": [1, 2, 3, 1, 5, math.nan],
        "priority_rank": [2, 4, 3, 1, 5, 6], "priority_score": [0.8, 0.4, 0.6, 0.9, 0.2, 0.1],
    })
    return AnalysisResult(desa=None, kecamatan=None, gaps=gaps, graph=None, edges=None,
                          network_problems=None)


def test_budget_sync_states_and_totals():
    proj = _project([
        # g1 fully funded by two DAK Fisik lines of build (the second one multi-year)
        ["b1", "dak_fisik", 2026, "build_pustu", "11.01.01.2001", None, 1.0e9, "disetujui"],
        ["b2", "dak_fisik", 2027, "build_pustu", "11.01.01.2001", None, 0.5e9, "usulan"],
        # g2 needs 2 nakes (2 × 60 jt) but only one is paid: partly; aimed at the facility
        ["b3", "dau", 2026, "add_nakes", None, "P1", 60e6, "usulan"],
        # g3 needs 2 posyandu × 25 jt: funded
        ["b4", "dana_desa", 2026, "open_posyandu", "11.01.01.2003", None, 50e6, "disetujui"],
        # a line that addresses no gap (renovation in desa A has no coe gap)
        ["b5", "pihak_ketiga", 2026, "renovate", "11.01.01.2001", None, 350e6, "usulan"],
    ])
    proj.budget["multi_year"] = [False, True, False, False, False]
    sync = B.budget_sync(proj, _result())
    gf = sync.gap_funding.set_index("gap_id")
    assert "g6" not in gf.index  # data-quality gaps are not funded
    assert gf.loc["g1", "funding_state"] == "funded"
    assert gf.loc["g1", "sources"] == "dak_fisik"
    assert gf.loc["g1", "years"] == "2026;2027"
    a = sync.actions.set_index("action_id")
    a1 = a.loc[gf.loc["g1", "action_id"]]
    assert a1["amount"] == 1.5e9 and a1["year"] == 2026
    a2 = a.loc[gf.loc["g2", "action_id"]]
    assert gf.loc["g2", "funding_state"] == "partly"
    assert a2["needed"] == 120e6 and a2["shortfall"] == 60e6
    assert gf.loc["g3", "funding_state"] == "funded"
    a4 = a.loc[gf.loc["g4", "action_id"]]
    assert gf.loc["g4", "funding_state"] == "unfunded" and a4["amount"] == 0
    assert a4["needed"] == 1.5e9  # no Poskesdes in D: building is the only way
    assert gf.loc["g5", "funding_state"] == "unfunded"
    assert a.loc[gf.loc["g5", "action_id"], "needed"] == 2 * 1.5e6
    # unfunded actions by priority: D's Pustu (rank 1), B's nakes (4), C's kader (5)
    assert list(sync.unfunded["gap_ids"]) == ["g4", "g2", "g5"]
    assert sync.shortfall == 1.5e9 + 60e6 + 3e6
    df = sync.desa_funding.set_index("desa_code")
    assert df.loc["11.01.01.2001", "funding_state"] == "funded"
    assert df.loc["11.01.01.2003", "funding_state"] == "partly"  # g3 funded, g5 not
    assert df.loc["11.01.01.2004", "funding_state"] == "unfunded"
    tot = sync.totals.set_index(["source", "year"])
    assert tot.loc[("dana_desa", 2026), "amount"] == 50e6
    assert tot.loc[("pihak_ketiga", 2026), "amount_on_gaps"] == 0
    assert sync.totals["amount"].sum() == pytest.approx(1.96e9)
    lines = sync.lines.set_index("budget_id")
    assert not lines.loc["b5", "addresses_gap"] and lines.loc["b1", "gaps_addressed"] == 1
    assert lines.loc["b5", "issue"] == "no_gap" and lines.loc["b1", "issue"] == ""
    assert sync.counts == {"funded": 2, "partly": 1, "unfunded": 2}


def test_budget_sync_status_filter_and_missing_amount():
    proj = _project([
        ["b1", "dak_fisik", 2026, "upgrade_pustu", "11.01.01.2004", None, 600e6, "usulan"],
        ["b2", "dak_fisik", 2026, "build_pustu", "11.01.01.2001", None, math.nan, "disetujui"],
    ])
    sync = B.budget_sync(proj, _result())
    gf = sync.gap_funding.set_index("gap_id")
    assert gf.loc["g4", "funding_state"] == "funded"
    assert gf.loc["g1", "funding_state"] == "partly"  # amount unknown: not proven funded
    approved = B.budget_sync(proj, _result(), statuses=("disetujui", "terealisasi"))
    assert approved.gap_funding.set_index("gap_id").loc["g4", "funding_state"] == "unfunded"


def test_budget_sync_line_for_other_facility_does_not_count():
    proj = _project([["b1", "bok", 2026, "add_nakes", "11.01.01.2002", "OTHER", 500e6, None]])
    sync = B.budget_sync(proj, _result())
    assert sync.gap_funding.set_index("gap_id").loc["g2", "funding_state"] == "unfunded"


def test_budget_tables_and_layer():
    proj = _project([["b1", "dak_fisik", 2026, "build_pustu", "11.01.01.2001", None, 1.5e9,
                      "usulan"]])
    sync = B.budget_sync(proj, _result())
    sheets = B.budget_tables(sync)
    assert set(sheets) == {"Aksi dan pendanaan", "Sinkronisasi anggaran", "Aksi belum didanai",
                           "Anggaran per sumber", "Baris anggaran bermasalah",
                           "Pendanaan per desa"}
    g = sheets["Sinkronisasi anggaran"]
    assert list(g["Status pendanaan"])[:2] == ["Belum didanai", "Didanai"]
    assert sheets["Aksi dan pendanaan"]["Anggaran (Rp)"].dtype.kind == "f"
    en = B.budget_tables(sync, lang="en")
    assert "Budget sync" in en and "Funding state" in en["Budget sync"].columns
    layer = B.funding_layer(sync, proj.desa)
    assert set(layer["funding_state"]) <= set(B.FUNDING_STATES) and len(layer) == 4


def test_budget_sync_empty_budget():
    sync = B.budget_sync(_project([]), _result())
    assert (sync.gap_funding["funding_state"] == "unfunded").all()
    assert len(sync.totals) == 0 and len(sync.unfunded) == 5  # five actions, one gap each


def test_format_amount_short():
    assert B.format_amount_short(5e9) == "Rp 5 M"
    assert B.format_amount_short(7.5e8) == "Rp 750 jt"
    assert B.format_amount_short(1.25e9) == "Rp 1,25 M"
    assert B.format_amount_short(1.25e9, lang="en") == "Rp 1.25 bn"
    assert B.format_amount_short(float("nan")) == "–"
    # what is written back is read again
    assert B.parse_amount(B.format_amount_short(1.25e9)).value == 1.25e9


def test_upgrade_is_the_cheaper_way_only_where_a_precursor_exists():
    proj = _project([])
    fac = proj.facilities
    extra = gpd.GeoDataFrame({"fac_id": ["PK4"], "name": ["Poskesdes D"], "type": ["pustu"],
                              "precursor": [True], "desa_code": ["11.01.01.2004"]},
                             geometry=[Point(0.035, 0.005)], crs="EPSG:4326")
    proj.set_layer("facilities", pd.concat([fac, extra], ignore_index=True))
    a = B.budget_sync(proj, _result()).actions.set_index("gap_ids")
    assert a.loc["g4", "needed"] == 600e6 and a.loc["g4", "activity"] == "upgrade_pustu"
    assert a.loc["g1", "needed"] == 1.5e9


def test_pooled_puskesmas_line_is_shared_most_urgent_first():
    import networkx as nx

    proj = _project([
        # BOK kader training for the Puskesmas' whole area: 4 kader (6 jt) for 2 + 2 needed
        ["b1", "bok", 2026, "train_kader", None, "PKM", 4.5e6, "disetujui"],
    ])
    fac = proj.facilities
    extra = gpd.GeoDataFrame({"fac_id": ["PKM", "PS2"], "name": ["Puskesmas", "Posyandu A"],
                              "type": ["puskesmas", "posyandu"],
                              "desa_code": ["11.01.01.2001", "11.01.01.2001"]},
                             geometry=[Point(0.005, 0.005), Point(0.006, 0.005)],
                             crs="EPSG:4326")
    proj.set_layer("facilities", pd.concat([fac, extra], ignore_index=True))
    g = nx.DiGraph()
    g.add_node("PKM", desa_code="11.01.01.2001")
    for n, d in (("P1", "11.01.01.2002"), ("PS1", "11.01.01.2003"), ("PS2", "11.01.01.2001")):
        g.add_node(n, desa_code=d)
    g.add_edges_from([("PKM", "P1"), ("P1", "PS1"), ("PKM", "PS2")])
    res = _result()
    gaps = pd.concat([res.gaps, pd.DataFrame([{
        "gap_id": "g7", "kind": "kader_deficit", "desa_code": "11.01.01.2001", "desa_name": "A",
        "kecamatan_code": "11.01.01", "kecamatan_name": "K", "fac_id": "PS2", "value": 3,
        "threshold": 5, "priority_rank": 7, "priority_score": 0.05}])], ignore_index=True)
    res = AnalysisResult(desa=None, kecamatan=None, gaps=gaps, graph=g, edges=None,
                         network_problems=None)
    sync = B.budget_sync(proj, res)
    gf = sync.gap_funding.set_index("gap_id")
    a = sync.actions.set_index("gap_ids")
    # g5 (rank 5, 2 kader = 3 jt) is served first and fully; g7 (rank 7) gets the rest (1,5 jt)
    assert gf.loc["g5", "funding_state"] == "funded" and a.loc["g5", "amount"] == 3e6
    assert gf.loc["g7", "funding_state"] == "partly" and a.loc["g7", "amount"] == 1.5e6
    assert a.loc["g7", "shortfall"] == 1.5e6 and gf.loc["g5", "sources"] == "bok"
    line = sync.lines.set_index("budget_id").loc["b1"]
    assert line["gaps_addressed"] == 2 and line["unallocated"] == 0
    assert line["amount_on_gaps"] == 4.5e6
    assert sync.desa_funding.set_index("desa_code").loc["11.01.01.2001", "amount"] == 1.5e6
