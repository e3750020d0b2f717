"""The real public district (Kabupaten Malang: desa, kecamatan, Puskesmas; no roads, no
population): the analysis' counts equal an independent computation with plain geopandas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from ilp_gis.analysis import analyze
from ilp_gis.project import Project

UTM = "EPSG:32749"  # Malang lies in UTM zone 49 south


@pytest.fixture(scope="module")
def malang(request):
    from tests.conftest import REAL_MALANG

    if not (REAL_MALANG / "desa.gpkg").exists():
        pytest.skip("real public data (../shared/real_data/kabupaten_malang) is not present")
    desa = gpd.read_file(REAL_MALANG / "desa.gpkg").rename(columns={
        "kode": "code", "nama": "name", "kode_kec": "kecamatan_code",
        "nama_kec": "kecamatan_name", "jenis": "kind"})
    kec = gpd.read_file(REAL_MALANG / "kecamatan.gpkg").rename(columns={
        "kode": "code", "nama": "name", "kode_kab": "kabupaten_code"})
    pkm = gpd.read_file(REAL_MALANG / "puskesmas.gpkg")
    fac = gpd.GeoDataFrame({"fac_id": pkm["kode_faskes"], "name": pkm["nama_faskes"],
                            "type": "puskesmas", "nurses": pkm["perawat"],
                            "midwives": pkm["bidan"]}, geometry=pkm.geometry, crs=pkm.crs)
    project = Project(layers={"desa": desa, "kecamatan": kec, "facilities": fac})
    return desa, kec, fac, analyze(project)


def test_kecamatan_without_puskesmas(malang):
    desa, kec, fac, res = malang
    joined = gpd.sjoin(fac, kec[["code", "geometry"]], predicate="intersects")
    expected = sorted(set(kec["code"]) - set(joined["code"]))
    got = sorted(res.gaps.loc[res.gaps["kind"] == "no_puskesmas", "kecamatan_code"])
    assert got == expected
    assert res.summary["kecamatan_without_puskesmas"] == len(expected)
    k = res.kecamatan.set_index("code")
    counts = joined["code"].value_counts()
    for code in kec["code"]:
        assert k.loc[code, "n_puskesmas"] == counts.get(code, 0), code


def test_facility_counts_and_boundaries(malang):
    desa, kec, fac, res = malang
    # no Pustu or Posyandu list was loaded: their counts are missing, never 0
    assert res.summary["facility_counts"] == {"puskesmas": len(fac), "pustu": None,
                                              "posyandu": None}
    assert res.summary["missing"]["facility_counts.pustu"] == ["pustu"]
    inside = gpd.sjoin(fac, desa[["geometry"]], predicate="intersects").index.unique()
    assert res.summary["facilities_outside_boundaries"] == len(fac) - len(inside)
    assert res.summary["desa_total"] == desa["code"].nunique()
    assert res.summary["desa_without_pustu"] is None  # no Pustu list: not "390 without"
    assert res.summary["desa_without_posyandu"] is None
    assert res.summary["population_total"] is None  # no population: missing, not zero
    per_desa = gpd.sjoin(fac, desa[["code", "geometry"]], predicate="intersects")["code"]
    d = res.desa.set_index("code")
    assert int(d["n_puskesmas"].sum()) == len(inside)
    assert (d.loc[per_desa.value_counts().index, "n_puskesmas"].to_numpy()
            == per_desa.value_counts().to_numpy()).all()


def test_desa_beyond_the_puskesmas_distance(malang):
    desa, kec, fac, res = malang
    from ilp_gis.rules import default_rules

    limit_km = default_rules()["limit.puskesmas_distance_km"]
    d = desa.to_crs(UTM).dissolve("code")
    # One point per desa: the centroid of its largest part when inside it, else a surface point.
    largest = d.geometry.explode(index_parts=True)
    largest = largest.loc[largest.area.groupby(level=0).idxmax()]
    largest.index = largest.index.droplevel(1)
    cent = largest.centroid
    pts = cent.where(largest.contains(cent), largest.representative_point())
    f = fac.to_crs(UTM)
    dist = pts.geometry.apply(lambda p: f.distance(p).min()) / 1000.0
    expected = set(dist.index[dist > limit_km])
    assert expected, "the real district has desa beyond the limit; the check must bite"
    g = res.gaps[(res.gaps["kind"] == "beyond_distance") & (res.gaps["threshold"] == limit_km)]
    assert set(g["desa_code"]) == expected
    got = res.desa.set_index("code")["dist_puskesmas_km"]
    assert np.allclose(got.loc[dist.index].to_numpy(), dist.to_numpy(), atol=1e-3)


def test_no_pustu_or_posyandu_gap_without_their_lists(malang):
    """Neither list was loaded: no gap that needs them is raised, and the summary names the
    missing inputs and the checks they block."""
    desa, kec, fac, res = malang
    kinds = set(res.gaps["kind"])
    assert not kinds & {"no_pustu", "posyandu_deficit", "understaffed_pustu", "kader_deficit"}
    assert not (res.gaps["message"].str.contains("Pustu")).any()
    assert "puskesmas_without_pustu" not in res.summary["network_problems"]
    assert {"pustu", "posyandu", "population"} <= set(res.summary["inputs_missing"])
    assert res.summary["gaps_not_checked"]["no_pustu"] == ["pustu"]
    assert "posyandu" in res.summary["gaps_not_checked"]["posyandu_deficit"]
    # the checks whose inputs are there still bite (Puskesmas distance, kecamatan coverage)
    assert res.summary["gaps_by_kind"].get("beyond_distance", 0) > 0
    assert res.summary["gaps_total"] == len(res.gaps)
    # priorities do not pretend every desa is "as far as it gets" from a Pustu
    assert res.desa["priority_travel"].isna().all()
