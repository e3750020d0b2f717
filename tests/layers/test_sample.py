"""The generated sample district: deterministic, plausible, clean in memory, defective in sources."""

from __future__ import annotations

import csv

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from ilp_gis import model
from ilp_gis.errors import Cancelled, InputError
from ilp_gis.geo import utm_crs
from layers.sample import SOURCE_FILES, generate_sample, write_sources


@pytest.fixture(scope="module")
def kab():
    return generate_sample("kabupaten", seed=1)


@pytest.fixture(scope="module")
def metric(kab):
    crs = utm_crs(kab.kabupaten)
    return {name: kab.layer(name).to_crs(crs) for name in
            ("kabupaten", "kecamatan", "desa", "facilities", "roads")}


@pytest.fixture(scope="module")
def sources(kab, tmp_path_factory):
    out = tmp_path_factory.mktemp("sources")
    written = write_sources(kab, out, seed=1)
    return out, written


# --- determinism -----------------------------------------------------------------------------
def test_same_seed_gives_identical_frames():
    a = generate_sample("kabupaten", seed=5)
    b = generate_sample("kabupaten", seed=5)
    for name in ("kabupaten", "kecamatan", "desa", "facilities", "roads", "settlements"):
        assert_geodataframe_equal(a.layer(name), b.layer(name), check_less_precise=False)
        assert a.layer(name).geometry.to_wkb().equals(b.layer(name).geometry.to_wkb())
    pd.testing.assert_frame_equal(a.budget, b.budget)


def test_other_seed_gives_other_district(kab):
    other = generate_sample("kabupaten", seed=2)
    assert not kab.desa.geometry.iloc[0].equals(other.desa.geometry.iloc[0])


# --- counts and attributes -------------------------------------------------------------------
def test_counts_within_stated_ranges(kab):
    assert 8 <= len(kab.kecamatan) <= 12
    assert 250 <= len(kab.desa) <= 300
    assert len(kab.kabupaten) == 1
    d = kab.desa
    assert d["population"].between(500, 8000).all()
    assert d["dusun_count"].between(2, 8).all()
    assert set(d["kind"]) == {"desa", "kelurahan"}
    assert d["code"].is_unique and d["code_bps"].is_unique
    assert d["code"].str.fullmatch(r"99\.01\.\d\d\.[12]\d{3}").all()
    assert d["code_bps"].str.fullmatch(r"9901\d{6}").all()
    kel = d[d["kind"] == "kelurahan"]
    assert kel["code"].str.slice(-4).str.startswith("1").all()
    for col in ("aki", "akb", "stunting"):  # most desa report, some do not (missing stays NaN)
        share = d[col].notna().mean()
        assert 0.8 < share < 1.0
    assert d["stunting"].dropna().between(0, 1).all()


def test_facility_attributes(kab):
    f = kab.facilities
    assert f["fac_id"].is_unique
    pkm = f[f["type"] == "puskesmas"]
    per_kec = pkm.groupby("kecamatan_code").size()
    assert set(per_kec.index) == set(kab.kecamatan["code"])
    assert per_kec.between(1, 2).all()
    assert pkm["ilp_lokus"].any() and not pkm["ilp_lokus"].all()
    assert pkm.loc[pkm["ilp_lokus"].astype(bool), "ilp_start"].notna().all()
    for col in model.COE_COLUMNS:
        assert pkm[col].between(0, 1).all()
    pustu = f[f["type"] == "pustu"]
    share = pustu["desa_code"].nunique() / len(kab.desa)
    assert 0.55 <= share <= 0.8  # about two thirds of the desa
    pre = pustu[pustu["precursor"].astype(bool)]
    assert len(pre) > 0 and set(pre["type_original"]) <= {"Poskesdes", "Polindes"}
    assert (pustu.loc[~pustu["precursor"].astype(bool), "type_original"] == "Pustu").all()
    posy = f[f["type"] == "posyandu"]
    per_desa = posy.groupby("desa_code").size().reindex(kab.desa["code"], fill_value=0)
    assert per_desa.between(2, 6).all()
    assert posy["kader"].between(2, 8).all()
    assert set(posy["level"]) == {lv.value for lv in model.PosyanduLevel}
    assert posy["sessions_per_year"].between(1, 12).all()
    # some Posyandu sit in desa with fewer Posyandu than dusun (a gap to find)
    dusun = kab.desa.set_index("code")["dusun_count"]
    assert (per_desa < dusun.reindex(per_desa.index)).any()


def test_sample_obeys_its_own_strata_and_lokus_rules(kab):
    from ilp_gis.lokus import lokus_check
    from ilp_gis.posyandu import strata_check
    from ilp_gis.rules import default_rules

    f = kab.facilities
    posy = f[f["type"] == "posyandu"]
    above_pratama = posy["level"] != "pratama"
    assert (posy.loc[above_pratama, "kader"] >= 5).all()
    assert (posy.loc[above_pratama, "sessions_per_year"] >= 8).all()
    assert posy["program_coverage"].between(0, 1).all() and posy["dana_sehat"].between(0, 1).all()
    check = strata_check(f, default_rules())
    assert (check["status"] == "agrees").all()
    lokus = lokus_check(f, default_rules())
    assert lokus["status"].tolist() == ["ok"] and 5 <= lokus["lokus"].iloc[0] <= 10
    assert lokus["lokus_without_sk"].iloc[0] == 0 and lokus["lokus_without_sk_date"].iloc[0] == 0
    pkm = f[f["type"] == "puskesmas"]
    assert pkm.loc[pkm["coe"].astype(bool), "ilp_lokus"].astype(bool).all()  # COE are lokus


def test_each_sample_coe_is_one_puskesmas_with_one_of_its_pustu(kab):
    """A COE is 1 Puskesmas + 1 Pustu + that Pustu's Posyandu: every designated Puskesmas has
    exactly one designated Pustu of its own (not a precursor), and no other Pustu is designated
    (the sample used to flag 5% of all Pustu at random: 11 facilities for 3 COE)."""
    from ilp_gis import coe

    f = kab.facilities
    flag = f["coe"].astype("boolean").fillna(False).astype(bool)
    pkm = set(f.loc[flag & (f["type"] == "puskesmas"), "fac_id"])
    pustu = f[flag & (f["type"] == "pustu")]
    assert len(pkm) >= 2 and len(pustu) == len(pkm)
    assert not pustu["precursor"].astype(bool).any()
    parents = pustu["parent_id"].fillna(pustu["parent_name"].map(
        f.set_index("name")["fac_id"].to_dict()))
    assert set(parents) == pkm
    edges = pd.DataFrame({"parent_id": f["parent_id"], "child_id": f["fac_id"]})
    units = coe.coe_units(f, edges, coe.default_indicators(), 0.8)
    assert len(units) == len(pkm) and (units["problem"] == "").all()
    assert (units["posyandu_count"] >= 2).all()


def test_meta_marks_the_data_fictional(kab):
    assert kab.fictional
    assert "Contoh" in kab.title
    assert kab.kabupaten["name"].iloc[0] == "Kabupaten Contoh"


# --- geometry --------------------------------------------------------------------------------
def test_desa_are_valid_and_tile_the_district_without_overlaps(metric):
    desa, kab_poly = metric["desa"], metric["kabupaten"].geometry.iloc[0]
    assert desa.geometry.is_valid.all()
    assert (desa.geom_type.isin(["Polygon", "MultiPolygon"])).all()
    assert (desa.area > 0.2e6).all()  # no slivers: every desa is at least 0.2 km²
    outside = desa.geometry.difference(kab_poly).area
    assert outside.max() < 1.0  # m²: inside the kabupaten
    total = desa.area.sum()
    assert total == pytest.approx(kab_poly.area, rel=1e-6)  # no gaps, no overlaps
    left, right = desa.sindex.query(desa.geometry, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(desa.geometry.values[left[pairs]],
                                                desa.geometry.values[right[pairs]]))
    assert overlap.max() < 1.0
    # neighbours share borders (not a loose set of blobs)
    assert pairs.sum() > 2 * len(desa)


def test_kecamatan_are_unions_of_their_desa(metric):
    desa, kec = metric["desa"], metric["kecamatan"]
    area = desa.groupby("kecamatan_code").apply(lambda g: g.area.sum(), include_groups=False)
    for code, geom in zip(kec["code"], kec.geometry, strict=True):
        assert geom.area == pytest.approx(area[code], rel=1e-6)


def test_coastline_and_islands(metric):
    kab_poly = metric["kabupaten"].geometry.iloc[0]
    parts = shapely.get_parts(kab_poly)
    assert len(parts) == 3  # the main land and two small islands
    roads = metric["roads"]
    ferry = roads[roads["road_class"] == "ferry"]
    assert len(ferry) == 2
    assert ferry["crossing_minutes"].gt(0).all()


def test_every_facility_lies_in_its_desa(metric):
    f, desa = metric["facilities"], metric["desa"]
    joined = gpd.sjoin(f[["fac_id", "desa_code", "geometry"]],
                       desa[["code", "kecamatan_code", "geometry"]], predicate="within")
    assert len(joined) == len(f)
    assert (joined["desa_code"] == joined["code"]).all()
    assert (joined["kecamatan_code"] == metric["facilities"].loc[joined.index,
                                                                  "kecamatan_code"]).all()


def test_parent_links_are_valid(kab):
    f = kab.facilities.set_index("fac_id")
    kind = f["type"]
    pustu = f[kind == "pustu"]
    given = pustu["parent_id"].dropna()
    assert len(given) < len(pustu)  # some missing: inference is exercised
    assert (kind.reindex(given.values).values == "puskesmas").all()
    assert (f.loc[given.values, "kecamatan_code"].values
            == pustu.loc[given.index, "kecamatan_code"].values).all()
    posy = f[kind == "posyandu"]
    given = posy["parent_id"].dropna()
    assert 0.8 < len(given) / len(posy) < 1.0
    ptype = kind.reindex(given.values).values
    assert set(ptype) == {"pustu", "puskesmas"}
    to_pustu = given[ptype == "pustu"]
    assert (f.loc[to_pustu.values, "desa_code"].values
            == posy.loc[to_pustu.index, "desa_code"].values).all()
    # a Posyandu goes straight to the Puskesmas only where its desa has no Pustu
    to_pkm = given[ptype == "puskesmas"]
    assert not set(posy.loc[to_pkm.index, "desa_code"]) & set(pustu["desa_code"])
    named = posy[posy["parent_id"].isna() & posy["parent_name"].notna()]
    assert len(named) > 0 and named["parent_name"].isin(f["name"]).all()


def test_roads_form_one_network_reaching_every_facility(kab):
    roads = kab.roads
    assert set(roads["road_class"]) == {"arteri", "kolektor", "lokal", "lingkungan", "setapak",
                                        "ferry"}
    coords = shapely.get_coordinates(roads.geometry.values)
    ends = np.column_stack([shapely.get_coordinates(shapely.get_point(roads.geometry.values, 0)),
                            shapely.get_coordinates(shapely.get_point(roads.geometry.values,
                                                                      -1))])
    key = np.round(ends, 7)
    g = nx.Graph()
    g.add_edges_from((tuple(a), tuple(b)) for a, b in zip(key[:, :2], key[:, 2:], strict=True))
    assert nx.number_connected_components(g) == 1
    fac = np.round(shapely.get_coordinates(kab.facilities.geometry.values), 7)
    nodes = set(g.nodes)
    assert all(tuple(p) in nodes for p in fac)
    assert len(coords) > len(roads) * 2


def test_budget_lines(kab):
    b = kab.budget
    assert b["budget_id"].is_unique
    assert set(b["source"]) <= {s.value for s in model.FundingSource}
    assert set(b["activity"]) <= {a.value for a in model.Activity}
    assert {"dak_fisik", "bok", "dana_desa"} <= set(b["source"])
    assert (b["amount"] > 0).all()
    f = kab.facilities
    with_unit = set(f.loc[f["type"].isin(["pustu", "puskesmas"]), "desa_code"])
    no_pustu = set(kab.desa["code"]) - with_unit
    build = b[b["activity"] == "build_pustu"].groupby("target_desa")["amount"].sum()
    assert set(build.index) <= no_pustu
    full = (build >= 1_500_000_000).sum()
    partly = (build < 1_500_000_000).sum()
    unfunded = len(no_pustu - set(build.index))
    assert full > 0 and partly > 0 and unfunded > 0
    assert set(b["target_facility"].dropna()) <= set(f["fac_id"])


def test_budget_lines_obey_the_funding_rules_but_the_two_noted_ones(kab):
    """Every sample line is paid by a source its eligibility rule allows for its activity, and a
    later-year line for the same action is multi-year — except the two lines whose note says
    they break a rule on purpose (so the report has something to list)."""
    from ilp_gis.rules import default_rules
    from layers.sample.budget import NOTE_WRONG_SOURCE, NOTE_WRONG_YEAR

    rules = default_rules()
    b = kab.budget

    def allowed(source, activity) -> bool:
        acts = rules.activities(f"eligibility.{source}")
        return acts is None or "*" in acts or activity in acts

    bad = b[[not allowed(s, a) for s, a in zip(b["source"], b["activity"], strict=True)]]
    assert bad["note"].tolist() == [NOTE_WRONG_SOURCE]
    # one action (desa, activity) funded by lines of several years: the later ones multi-year
    build = b[b["activity"] == "build_pustu"]
    first = build.groupby("target_desa")["year"].transform("min")
    later = build[build["year"] > first]
    assert len(later) > 1
    not_multi = later[~later["multi_year"].astype(bool)]
    assert not_multi["note"].tolist() == [NOTE_WRONG_YEAR]


def test_round_trip_through_the_project_file(kab, tmp_path):
    from layers.project_file import open_project, save_project

    path = save_project(kab, tmp_path / "contoh.gpkg")
    back = open_project(path)
    assert back.fictional
    for name in ("desa", "facilities", "roads", "budget"):
        assert len(back.layer(name)) == len(kab.layer(name))


def test_cancel_and_bad_scale():
    with pytest.raises(Cancelled):
        generate_sample("kabupaten", 1, is_cancelled=lambda: True)
    with pytest.raises(InputError, match="kabupaten"):
        generate_sample("desa", 1)


def test_progress_is_reported():
    seen = []
    generate_sample("kabupaten", 3, progress=lambda f, m=None: seen.append(f))
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_provinsi_scale():
    p = generate_sample("provinsi", seed=1)
    assert len(p.kabupaten) == 12
    assert 3000 <= len(p.desa) <= 4000
    assert p.desa["code"].is_unique and p.facilities["fac_id"].is_unique
    assert p.kecamatan["code"].is_unique
    assert len(p.facilities) > 12000
    assert list(p.desa.columns[:-1]) == model.DESA.column_names
    kab = p.kabupaten.geometry.values
    left, right = shapely.STRtree(kab).query(kab, predicate="intersects")
    assert (left == right).all()  # districts never overlap each other


# --- raw sources -----------------------------------------------------------------------------
def _defects(directory):
    with open(directory / SOURCE_FILES["defects"], encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_sources_written_and_marked_fictional(sources):
    out, written = sources
    names = {p.name for p in written}
    for key in ("desa", "kecamatan", "kabupaten", "puskesmas", "pustu", "posyandu", "roads",
                "budget", "defects", "readme"):
        assert SOURCE_FILES[key] in names
        assert (out / SOURCE_FILES[key]).stat().st_size > 0
    readme = (out / "README.txt").read_text("utf-8")
    assert "FIKTIF" in readme and "FICTIONAL" in readme


def test_sources_leave_no_temporary_files(sources):
    out, written = sources
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)


def test_a_failed_source_write_keeps_the_previous_file(tmp_path):
    """The sample writers go through layers.atomic: a write that fails half-way leaves the
    previous file as it was and no temporary file beside it."""
    from layers.sample.writers import write_csv

    target = tmp_path / SOURCE_FILES["pustu"]
    target.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_csv(pd.DataFrame({"nama_pustu": ["Pustu \u20ac"]}), target, encoding="latin-1")
    assert target.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_boundary_sources_have_rbi_headers_and_code_defects(sources, kab):
    out, _ = sources
    desa = gpd.read_file(out / SOURCE_FILES["desa"])
    for col in ("NAMOBJ", "WADMKC", "KDEPUM", "JML_PDDK", "JML_DUSUN"):
        assert col in desa.columns
    assert len(desa) == len(kab.desa)
    codes = desa["KDEPUM"]
    assert (~codes.str.contains(".", regex=False)).any()  # codes without dots
    assert codes.str.fullmatch(r"99\.1\.\d+\.\d{4}").any()  # lost leading zeros
    kinds = {d["kind"] for d in _defects(out) if d["file"] == SOURCE_FILES["desa"]}
    assert kinds == {"code_without_dots", "code_lost_leading_zeros"}


def test_pustu_csv_is_latin1_semicolon_comma_decimal_with_defects(sources, kab):
    out, _ = sources
    raw = (out / SOURCE_FILES["pustu"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the DMS degree sign is Latin-1
    t = pd.read_csv(out / SOURCE_FILES["pustu"], sep=";", encoding="latin-1", dtype=str)
    assert {"kode_pustu", "nama_pustu", "jenis", "lintang", "bujur",
            "puskesmas_induk"} <= set(t.columns)
    assert t["lintang"].str.contains(",").mean() > 0.9
    assert t["lintang"].str.contains("°").any()
    assert (t["lintang"] == "0").any()
    assert "Klinik Pratama" in set(t["jenis"])
    assert "Poskesdes" in set(t["jenis"])
    kinds = {d["kind"] for d in _defects(out) if d["file"] == SOURCE_FILES["pustu"]}
    assert {"swapped_coordinates", "dms_coordinates", "zero_coordinates", "code_without_dots",
            "code_lost_leading_zeros", "orphan", "duplicate", "outside_district",
            "unknown_type"} <= kinds
    # every swapped row really carries a longitude in the latitude column
    for d in _defects(out):
        if d["file"] == SOURCE_FILES["pustu"] and d["kind"] == "swapped_coordinates":
            lat = float(t.loc[int(d["row"]) - 2, "lintang"].replace(",", "."))
            assert lat > 90
    # the outside row lies outside the district
    row = next(int(d["row"]) for d in _defects(out) if d["file"] == SOURCE_FILES["pustu"]
               and d["kind"] == "outside_district")
    x = float(t.loc[row - 2, "bujur"].replace(",", "."))
    y = float(t.loc[row - 1, "lintang"].replace(",", "."))
    assert not kab.kabupaten.geometry.iloc[0].contains(shapely.Point(x, y))


def test_posyandu_and_puskesmas_sources(sources, kab):
    from openpyxl import load_workbook

    out, _ = sources
    p = pd.read_csv(out / SOURCE_FILES["posyandu"], encoding="utf-8", dtype=str)
    assert {"nama_posyandu", "desa", "kecamatan", "lintang", "bujur", "jumlah_kader", "strata",
            "pustu_induk", "cakupan_program_persen", "dana_sehat_persen"} <= set(p.columns)
    n_posy = int((kab.facilities["type"] == "posyandu").sum())
    kinds = [d["kind"] for d in _defects(out) if d["file"] == SOURCE_FILES["posyandu"]]
    assert len(p) == n_posy + kinds.count("duplicate") + kinds.count("outside_district")
    assert {"swapped_coordinates", "zero_coordinates", "comma_decimal_text", "orphan",
            "duplicate", "outside_district"} <= set(kinds)
    ws = load_workbook(out / SOURCE_FILES["puskesmas"], read_only=True).active
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert {"kode_faskes", "nama_faskes", "jenis_faskes", "lat_", "long_", "no_sk_lokus",
            "tgl_sk_lokus"} <= set(header)
    lat = [r[header.index("lat_")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert any(isinstance(v, str) and "," in v for v in lat)
    assert any(isinstance(v, str) and "°" in v for v in lat)
    assert any(isinstance(v, float) and v > 90 for v in lat)  # swapped


def test_budget_workbook_mixes_amount_spellings(sources):
    from openpyxl import load_workbook

    out, _ = sources
    ws = load_workbook(out / SOURCE_FILES["budget"], read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    amounts = [r[header.index("nilai")] for r in rows[1:]]
    assert any(isinstance(a, str) and a.startswith("Rp ") for a in amounts)
    assert any(isinstance(a, str) and (a.endswith(" M") or a.endswith(" jt")) for a in amounts)
    assert any(isinstance(a, int | float) for a in amounts)
    codes = [r[header.index("kode_desa")] for r in rows[1:]]
    assert any(isinstance(c, int) for c in codes)  # a code Excel turned into a number


# --- command line ----------------------------------------------------------------------------
def test_cli_exit_codes(tmp_path, capsys):
    from ui.cli import main

    out = tmp_path / "contoh.gpkg"
    assert main(["sample", str(out), "--seed", "2"]) == 0
    assert out.exists()
    assert "287" in capsys.readouterr().out or out.stat().st_size > 0
    assert main(["sample", str(tmp_path / "contoh.txt")]) == 1
    assert "gpkg" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["sample", str(out), "--scale", "planet"])
    assert exc.value.code == 2


def test_cli_writes_sources(tmp_path):
    from ui.cli import main

    assert main(["sample", str(tmp_path / "c.gpkg"), "--sources", str(tmp_path / "src")]) == 0
    assert (tmp_path / "src" / "DEFECTS.csv").exists()


def test_bundled_sample_project(sample_project_path):
    from layers.project_file import open_project

    p = open_project(sample_project_path)
    assert p.fictional
    assert 250 <= len(p.desa) <= 300
    assert (sample_project_path.parent / "sources" / "README.txt").exists()


def test_csv_twins_instead_of_workbooks(kab, tmp_path):
    written = write_sources(kab, tmp_path, seed=1, workbooks=False)
    names = {p.name for p in written}
    assert {SOURCE_FILES["puskesmas_csv"], SOURCE_FILES["budget_csv"]} <= names
    assert SOURCE_FILES["puskesmas"] not in names
    t = pd.read_csv(tmp_path / SOURCE_FILES["puskesmas_csv"], dtype=str)
    assert {"kode_faskes", "lat_", "long_"} <= set(t.columns)
    files = {d["file"] for d in _defects(tmp_path)}
    assert SOURCE_FILES["puskesmas_csv"] in files and SOURCE_FILES["puskesmas"] not in files


def test_nasional_code_path_on_a_few_districts(monkeypatch, tmp_path):
    """The national scale (plain Voronoi desa, several fictional provinces, CSV sources) on three
    districts instead of ~514 — the full run is for bench/bench_sample.py."""
    import layers.sample.generate as generate

    monkeypatch.setitem(generate._SCALE_SPECS, "nasional",
                        generate._ScaleSpec(3, (130, 196), (10, 18)))
    p = generate_sample("nasional", seed=1)
    assert len(p.kabupaten) == 3
    assert set(p.kabupaten["code"].str.slice(0, 2)) == {"99", "98", "97"}
    assert p.desa["code"].is_unique and p.facilities["fac_id"].is_unique
    assert p.desa.geometry.is_valid.all()
    crs = utm_crs(p.desa)
    d, k = p.desa.to_crs(crs), p.kabupaten.to_crs(crs)
    assert d.area.sum() == pytest.approx(k.area.sum(), rel=1e-6)
    joined = gpd.sjoin(p.facilities[["desa_code", "geometry"]], p.desa[["code", "geometry"]],
                       predicate="within")
    assert len(joined) == len(p.facilities) and (joined["desa_code"] == joined["code"]).all()
    written = write_sources(p, tmp_path)  # small, so workbooks by default
    assert (tmp_path / SOURCE_FILES["puskesmas"]).exists()
    assert len(written) == 11
    # national data sets come as GeoPackage: boundaries and roads, same rows and defects
    for key in ("desa", "kecamatan", "kabupaten", "roads"):
        assert (tmp_path / SOURCE_FILES[key + "_gpkg"]).exists()
        assert not (tmp_path / SOURCE_FILES[key]).exists()
    desa = gpd.read_file(tmp_path / SOURCE_FILES["desa_gpkg"])
    assert len(desa) == len(p.desa) and {"NAMOBJ", "KDEPUM", "WADMKC"} <= set(desa.columns)
    kinds = {d["kind"] for d in _defects(tmp_path) if d["file"] == SOURCE_FILES["desa_gpkg"]}
    assert {"code_without_dots", "code_lost_leading_zeros"} <= kinds
