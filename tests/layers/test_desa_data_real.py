"""Kabupaten Sarolangun (real public data): BPS PODES 2019 joined to the Kemendagri 2025 desa
in both layouts, and the administrative figures of the analysis equal to an independent
computation from the same files with plain pandas.  The join never reads the crosswalk; only
this test does, to check it."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from ilp_gis.analysis import analyze
from ilp_gis.project import Project
from layers import readers
from layers.importing import import_files

LAYOUTS = ("podes2019_desa.csv", "podes2019_desa_raw.csv")


def _independent(real, layout: str) -> pd.DataFrame:
    """Per PODES row: its Kemendagri desa (from the crosswalk) and the counts, in plain
    pandas from the raw columns."""
    t = pd.read_csv(real / layout, dtype=str)
    if layout.endswith("_raw.csv"):
        code = t["R101"].str.zfill(2) + t["R102"].str.zfill(2) + t["R103"].str.zfill(3) \
            + t["R104"].str.zfill(3)
        cols = {"pustu": "R502EK2", "poskesdes": "R502JK2", "polindes": "R502KK2",
                "posyandu": "R502N", "heads": "R1303C"}
        families = sum(pd.to_numeric(t[c]) for c in ("R401A1", "R401A2", "R401B"))
    else:
        code = t["kode_bps_2019"]
        cols = {"pustu": "pustu_n", "poskesdes": "poskesdes_n", "polindes": "polindes_n",
                "posyandu": "posyandu_n", "heads": "aparat_kewilayahan_kadus_rt_rw"}
        families = pd.to_numeric(t["keluarga_total_derived"])
    cw = pd.read_csv(real / "crosswalk_bps2019_kemendagri.csv", dtype=str)
    out = pd.DataFrame({k: pd.to_numeric(t[c]) for k, c in cols.items()})
    out["families"] = families
    out["desa"] = code.map(dict(zip(cw["kode_bps_2019"], cw["kode_kemendagri"], strict=True)))
    return out


@pytest.fixture
def reads(monkeypatch):
    """The files the import reads (the crosswalk must not be one of them)."""
    seen: list[str] = []
    for name in ("read_table", "read_vector"):
        real_fn = getattr(readers, name)

        def spy(path, *a, _fn=real_fn, **kw):
            seen.append(str(path))
            return _fn(path, *a, **kw)
        monkeypatch.setattr(readers, name, spy)
    return seen


@pytest.mark.parametrize("layout", LAYOUTS)
def test_sarolangun_podes_counts_equal_an_independent_computation(real_sarolangun, layout,
                                                                  reads):
    real = real_sarolangun
    project = Project()
    report = import_files(project, kabupaten=real / "kabupaten.gpkg",
                          kecamatan=real / "kecamatan.gpkg", desa=real / "desa.gpkg",
                          facilities=[("puskesmas", real / "puskesmas.gpkg")],
                          desa_data=[real / layout])
    assert not any("crosswalk" in p for p in reads)
    exp = _independent(real, layout)
    assert len(exp) == 158 and exp["desa"].notna().all() and exp["desa"].is_unique

    # every PODES row joined, to the desa the crosswalk names
    assert not (report.frame["problem"] == "kabupaten_not_found").any()  # raw: R102N
    lines = report.frame[(report.frame["file"] == layout) & (report.frame["row"] > 0)]
    assert len(lines) == 158 and not (lines["status"] == "skipped").any()
    desa = project.desa.set_index("code")
    assert desa["desa_data_source"].eq(layout).all()
    for field, col in (("count_pustu", "pustu"), ("count_poskesdes", "poskesdes"),
                       ("count_polindes", "polindes"), ("count_posyandu", "posyandu"),
                       ("area_heads", "heads"), ("families", "families")):
        got = desa.loc[exp["desa"], field].to_numpy(float)
        np.testing.assert_array_equal(got, exp[col].to_numpy(float), err_msg=field)
    assert desa["families"].sum() == exp["families"].sum() == 84163

    result = analyze(project)
    s = result.summary
    # a desa hosting a Puskesmas needs no Pustu (target.pustu_in_puskesmas_desa = 0): the
    # Puskesmas points inside each desa polygon, by a plain spatial join
    hosts = set(gpd.sjoin(gpd.read_file(real / "puskesmas.gpkg").to_crs(4326),
                          gpd.read_file(real / "desa.gpkg").to_crs(4326)[["kode", "geometry"]],
                          predicate="within")["kode"])
    without = (exp["pustu"] == 0) & ~exp["desa"].isin(hosts)
    assert int((exp["pustu"] == 0).sum()) == 107 and len(hosts) == 11
    assert s["desa_without_pustu"] == int(without.sum()) == 100
    assert s["desa_without_posyandu"] == int((exp["posyandu"] == 0).sum()) == 1
    precursors = exp["poskesdes"] + exp["polindes"]
    assert s["facility_counts"]["pustu"] == int((exp["pustu"] + precursors).sum())
    assert s["facility_counts"]["pustu"] - s["pustu_precursors"] == int(exp["pustu"].sum()) == 52
    assert s["pustu_precursors"] == int(precursors.sum()) == 116
    assert s["facility_counts"]["posyandu"] == int(exp["posyandu"].sum()) == 345
    puskesmas = pd.read_csv(real / "puskesmas.csv", dtype=str)
    assert s["facility_counts"]["puskesmas"] == puskesmas["kode_faskes"].nunique()
    # Posyandu per dusun/RW: PODES has no dusun or RW count, the area heads are the proxy
    heads = exp["heads"]
    ok = heads > 0
    per_area = s["posyandu_per_area"]
    assert per_area["basis"] == {"area_heads": int(ok.sum())}
    assert per_area["ratio"] == pytest.approx(exp.loc[ok, "posyandu"].sum() / heads[ok].sum())
    assert per_area["units"] == heads[ok].sum() == 2698
    # no Pustu or Posyandu list was loaded: every desa's figure is the table's
    assert s["count_sources"]["pustu"] == {"points": 0, "table": 158, "none": 0, "disagree": 0}
    # per desa, the result holds the table's counts
    r = result.desa.set_index("code").loc[exp["desa"]]
    np.testing.assert_array_equal((r["n_pustu"] - r["n_pustu_precursor"]).to_numpy(float),
                                  exp["pustu"].to_numpy(float))
    np.testing.assert_array_equal(r["n_posyandu"].to_numpy(float),
                                  exp["posyandu"].to_numpy(float))
    assert (r["pustu_count_source"] == "table").all()
    assert (r["area_units_basis"] == "area_heads").all()
    # Pustu and Posyandu known only by count: their checks by count are made, those needing
    # each facility (distance, reach, the network) are not, and say what to load
    assert s["inputs"]["pustu"] and not s["inputs"]["pustu_list"]
    assert s["inputs_counts_only"] == ["posyandu", "pustu"]
    assert s["population_within_distance"]["pustu"] is None
    assert s["missing"]["population_within_distance.pustu"] == ["population", "pustu_list"]
    assert s["population_within_distance"]["puskesmas"] is None  # no population loaded
    assert "beyond_distance.pustu" in s["gaps_not_checked"]
    assert "no_pustu" not in s["gaps_not_checked"]
    assert (result.gaps["kind"] == "no_pustu").sum() == int(without.sum())
    assert "puskesmas_without_pustu" not in s["network_problems"]  # 168 Pustu in the table
