"""The national level of detail of the web map: desa as coloured dots, Puskesmas and Pustu as
dots, gap rings, no roads / edges / Posyandu points in the page (they are in the detail chunks,
tests/reports/test_webmap_detail.py), and the simplification said in the page."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString

from ilp_gis import model
from layers import symbology as sym
from reports.webmap import export_webmap, offline_problems
from reports.webmap import national as nat
from reports.webmap.classify import colour_classes
from reports.webmap.indicators import colour_field
from tests.reports.test_webmap import _parse
from tests.reports.webmap_fixtures import make_district


@pytest.fixture
def national(monkeypatch):
    """The six-desa district drawn as if it were the whole country."""
    monkeypatch.setattr(nat, "NATIONAL_DESA_MIN", 6)
    project, result = make_district()
    roads = gpd.GeoDataFrame({"road_class": ["kolektor"]},
                             geometry=[LineString([(112.6, -8.04), (112.66, -8.04)])],
                             crs=model.WGS84)
    project.layers["roads"] = roads
    return project, result


def test_small_project_keeps_full_detail(tmp_path):
    project, result = make_district()
    text, page = _parse(export_webmap(project, result, tmp_path / "peta.html"))
    assert "ILP.desaDots" not in text and "ILP.dotFeatures" not in text
    assert json.loads(page.data["desa"])["type"] == "FeatureCollection"
    assert tr_note("id") not in text
    assert "url(#ilp-hatch-" in _legend(text)  # the legend's gap patches: the map's hatches


def _legend(text: str) -> str:
    """The legend's HTML as the page hands it to ``ILP.addLegend``."""
    import re

    return json.loads(re.search(r"ILP\.addLegend\([^,]+, (\".*?(?<!\\)\")\);", text).group(1))


def tr_note(lang: str) -> str:
    from ilp_gis.i18n import tr

    return tr("webmap.national.note", lang=lang)


def test_national_page_draws_dots_from_columns(national, tmp_path):
    project, result = national
    out = export_webmap(project, result, tmp_path / "nasional.html", colour_by="priority_score")
    text, page = _parse(out)
    assert offline_problems(text) == []
    desa = json.loads(page.data["desa"])
    assert len(desa["x"]) == len(desa["y"]) == len(desa["n"]) == len(desa["p"]) == 6
    # every dot lies inside its own desa, rounded to 1e-4 degrees
    shapes = dict(zip(project.desa["code"], project.desa.geometry, strict=True))
    for code, x, y in zip(desa["c"], desa["x"], desa["y"], strict=True):
        assert shapes[code].contains(shapely.Point(x, y))
        assert round(x, 4) == x and round(y, 4) == y
    # the dot colours are the classes a kabupaten page gives its polygons
    field = colour_field("priority_score", result.desa)
    colours, _ = colour_classes(field, field.compute(result.desa).to_numpy(dtype=float))
    by_code = dict(zip(result.desa["code"], colours, strict=True))
    assert [desa["pal"][i] for i in desa["ci"]] == [by_code[c] for c in desa["c"]]
    # the most severe gap of each desa rings it; desa without gaps have none
    kinds = dict(zip(result.desa["code"], result.desa["gap_kinds"], strict=True))
    for code, g in zip(desa["c"], desa["g"], strict=True):
        ks = [k for k in kinds[code].split(";") if k]
        assert g == (min(ks, key=sym.GAP_SEVERITY.get) if ks else None)
    assert sum(g is not None for g in desa["g"]) == 3
    # Puskesmas and Pustu as dots with their parent named; no Posyandu points, roads, edges
    pkm = json.loads(page.data["facilities-puskesmas"])
    pst = json.loads(page.data["facilities-pustu"])
    assert sorted(pkm["n"]) == ["Puskesmas Selatan", "Puskesmas Utara"]
    assert len(pst["n"]) == 3
    assert dict(zip(pst["n"], (p[2] for p in pst["p"]), strict=True))["Pustu A"] == \
        "Puskesmas Utara"
    for key in ("facilities-posyandu", "roads", "edges", "kecamatan", "gaps"):
        assert key not in page.data, key
    assert "ILP.desaDots(ILP_DESA_COLS" in text and "ILP.gapDots(ILP_DESA_COLS" in text
    # the search box still finds the desa (built from the same columns)
    assert "ILP.addSearch(" in text and "ILP.dotFeatures(ILP_DESA_COLS)" in text
    # what is simplified is said in the page, in the UI language only
    assert tr_note("id") in text and tr_note("en") not in text
    # the legend shows what the page draws: gap rings and facility dots, no hatches or shapes
    legend = _legend(text)
    assert "url(#ilp-hatch-" not in legend and "<polygon points=" not in legend
    ring = sym.GAP_STYLES[next(g for g in desa["g"] if g)].stroke
    assert f'fill="none" stroke="{ring}"' in legend


def test_national_facility_gaps_are_ringed_dots(national, tmp_path):
    """Facility gaps (rows at a point) are drawn nationally too: one dot per facility at its
    point, ringed in its most severe gap's colour, its popup naming every gap kind once."""
    import pandas as pd
    from shapely.geometry import MultiPoint, Point

    from ilp_gis.i18n import tr

    project, result = national
    extra = gpd.GeoDataFrame({
        "gap_id": ["G7", "G8", "G9"], "kind": ["orphan_facility", "kader_deficit",
                                               "understaffed_pustu"],
        "fac_id": ["PST2", "POS1", "PST2"], "desa_name": ["Desa B", "Desa A", "Desa B"],
        "kecamatan_name": ["Kec Utara"] * 3},
        geometry=[Point(112.628, -8.0385), MultiPoint([(112.61234567, -8.04321)]),
                  Point(112.628, -8.0385)], crs=model.WGS84)
    result.gaps = pd.concat([result.gaps, extra], ignore_index=True)
    text, page = _parse(export_webmap(project, result, tmp_path / "n.html"))
    dots = json.loads(page.data["gaps-facilities"])
    # PST2 has understaffed_pustu twice and orphan_facility once: one dot, the most severe kind
    assert dots["n"] == ["Pustu B"]
    assert dots["g"] == ["understaffed_pustu"]
    assert dots["x"] == [112.628] and dots["y"] == [-8.0385]
    assert dots["p"][0] == ["Kec Utara", "Desa B", tr("gap.understaffed_pustu") + "; "
                            + tr("gap.orphan_facility")]
    assert "ILP.gapDots(ILP.data(\"gaps-facilities\")" in text
    # the layer counts the gap rows (3), as the gap table does
    assert json.dumps(tr("webmap.layer.gaps_facilities", n=3)) in text
    # a Posyandu's gaps are drawn with the Posyandu, in the detail chunk of its kabupaten
    chunk = (tmp_path / "n_data" / "0000.js").read_text("utf-8")
    rings = json.loads(chunk[chunk.index(",") + 1:-3])["pgaps"]
    assert rings["n"] == ["Posyandu <Mawar> 1"] and rings["g"] == ["kader_deficit"]
    assert rings["x"] == [112.6123] and rings["y"] == [-8.0432]
    assert rings["p"] == [["Kec Utara", "Desa A", tr("gap.kader_deficit")]]
    assert json.dumps(tr("webmap.detail.layer.pgaps", n=1)) in text


def test_national_note_in_english(national, tmp_path):
    project, result = national
    text, _ = _parse(export_webmap(project, result, tmp_path / "n.html", lang="en"))
    assert tr_note("en") in text and tr_note("id") not in text


def test_cli_national_says_what_is_simplified(national, tmp_path, capsys):
    from layers.project_file import save_project
    from ui.cli import main

    project, result = national
    project.set_table("result_desa", result.desa)
    project.set_table("result_kecamatan", result.kecamatan)
    project.set_table("result_gaps", result.gaps)
    project.set_table("result_edges", result.edges)
    gpkg = save_project(project, tmp_path / "nasional.gpkg")
    out = tmp_path / "peta.html"
    assert main(["webmap", str(gpkg), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert tr_note("id") in printed
    text, page = _parse(out)
    assert len(json.loads(page.data["desa"])["n"]) == 6
    assert "roads" not in page.data and "edges" not in page.data
