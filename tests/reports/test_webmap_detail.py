"""Detail on zoom of a national web map: per-kabupaten chunks written beside the page (desa
polygons, gaps, kecamatan, network links, Posyandu, roads), the page's index of them, the page
and folder written together or not at all, and a browser loading the chunk in view."""

from __future__ import annotations

import json
import re
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from ilp_gis import model
from ilp_gis.monitoring import pws
from layers import symbology as sym
from reports.webmap import detail as det
from reports.webmap import export_webmap
from reports.webmap import national as nat
from tests.reports.test_webmap import _chromium, _parse
from tests.reports.webmap_fixtures import LAT0, LON0, STEP, make_district


@pytest.fixture
def national(monkeypatch):
    """The six-desa district drawn as if it were the whole country, in two kabupaten: the
    first two columns of desa (A, B, D, E) and the third (C, F); one road in each."""
    monkeypatch.setattr(nat, "NATIONAL_DESA_MIN", 6)
    project, result = make_district()
    west = box(LON0, LAT0 - STEP, LON0 + 2 * STEP, LAT0 + STEP)
    east = box(LON0 + 2 * STEP, LAT0 - STEP, LON0 + 3 * STEP, LAT0 + STEP)
    project.layers["kabupaten"] = gpd.GeoDataFrame(
        {"code": ["35.07", "35.08"], "name": ["Kabupaten Barat", "Kabupaten Timur"]},
        geometry=[west, east], crs=model.WGS84)
    project.layers["roads"] = gpd.GeoDataFrame(
        {"road_class": ["kolektor", "setapak"]},
        geometry=[LineString([(LON0 + 0.005, LAT0 + 0.01), (LON0 + 0.03, LAT0 + 0.011)]),
                  LineString([(LON0 + 0.05, LAT0 - 0.005), (LON0 + 0.055, LAT0 + 0.012)])],
        crs=model.WGS84)
    return project, result


def _chunk(path) -> dict:
    text = path.read_text("utf-8")
    m = re.fullmatch(r"ILP\.chunk\((\d+),(.*)\);\n", text, re.S)
    assert m, text[:80]
    return {"n": int(m.group(1)), **json.loads(m.group(2))}


def _detail_options(text: str) -> dict:
    m = re.search(r"ILP\.detail\([^,]+, ILP_DESA_COLS, (\{.*?\})\);\n", text)
    assert m
    return json.loads(m.group(1))


def test_chunks_hold_each_kabupaten_detail(national, tmp_path):
    project, result = national
    out = export_webmap(project, result, tmp_path / "nasional.html")
    text, page = _parse(out)
    folder = tmp_path / "nasional_data"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nasional.html", "nasional_data"]
    opts = _detail_options(text)
    assert opts["dir"] == "nasional_data" and opts["files"] == ["0000.js", "0001.js"]
    assert sorted(p.name for p in folder.iterdir()) == opts["files"]
    chunks = [_chunk(folder / f) for f in opts["files"]]
    assert [c["n"] for c in chunks] == [0, 1]
    assert opts["n"] == ["Kabupaten Barat", "Kabupaten Timur"]
    dots = json.loads(page.data["desa"])
    codes = list(project.desa["code"])
    # every desa once, in the kabupaten it lies in, as its own polygon (squares stay squares)
    in_chunk = {dots["c"][i]: c["n"] for c in chunks for i in c["desa"]["i"]}
    assert in_chunk == {codes[0]: 0, codes[1]: 0, codes[3]: 0, codes[4]: 0,
                        codes[2]: 1, codes[5]: 1}
    shapes = dict(zip(project.desa["code"], project.desa.geometry, strict=True))
    kinds = dict(zip(result.desa["code"], result.desa["gap_kinds"], strict=True))
    for c in chunks:
        for i, g, geom in zip(c["desa"]["i"], c["desa"]["g"], c["desa"]["geom"], strict=True):
            poly = shapely.from_geojson(json.dumps(geom))
            assert poly.symmetric_difference(shapes[dots["c"][i]]).area < 1e-9
            xy = shapely.get_coordinates(poly)
            assert np.array_equal(xy, np.round(xy, 5))  # rounded to 1e-5 degrees
            want = sorted((k for k in kinds[dots["c"][i]].split(";") if k),
                          key=sym.GAP_SEVERITY.get)
            assert g == want  # most severe first, as the gap popups list them
        # the chunk's bounds in the page's index hold its desa
        w, s, e, n = opts["b"][c["n"]]
        for geom in c["desa"]["geom"]:
            bx = shapely.bounds(shapely.from_geojson(json.dumps(geom)))
            assert w <= bx[0] and s <= bx[1] and bx[2] <= e and bx[3] <= n
    # kecamatan: Kec Utara has desa in both kabupaten; its outline goes with its first desa
    assert chunks[0]["kec"]["n"] == ["Kec Utara", "Kec Selatan"]
    # the 8 Posyandu each once, in the kabupaten of their desa, with their popup values
    posy = project.facilities[project.facilities["type"] == "posyandu"]
    east = set(codes[2::3])
    assert sorted(n for c in chunks for n in c["posyandu"]["n"]) == sorted(posy["name"])
    assert sorted(chunks[1]["posyandu"]["n"]) == sorted(
        posy.loc[posy["desa_code"].isin(east), "name"])
    pos1 = chunks[0]["posyandu"]["p"][chunks[0]["posyandu"]["n"].index("Posyandu <Mawar> 1")]
    assert pos1[:3] == ["Desa A", "Kec Utara", "Pustu A"]
    # every network link once, named by its ends, in the kabupaten of its child
    links = [(c["n"], n) for c in chunks for n in c["links"]["n"]]
    assert len(links) == len(result.edges)
    assert (0, "Puskesmas Utara → Pustu A") in links
    fac_desa = dict(zip(project.facilities["name"], project.facilities["desa_code"],
                        strict=True))
    for n, name in links:
        assert (fac_desa[name.split(" → ")[1]] in east) == (n == 1)
    # one road in each kabupaten, with its class
    classes = opts["classes"]
    assert [classes[c["roads"]["cl"][0]] for c in chunks] == ["kolektor", "setapak"]
    assert opts["roadMinZoom"][classes.index("setapak")] == 13
    # the page itself holds none of it, and lists the detail's layers
    for key in ("facilities-posyandu", "roads", "edges", "kecamatan"):
        assert key not in page.data
    for key in ("desa", "gaps", "kec", "roads", "links", "posyandu"):
        assert f'ILP.detailGroup("{key}")' in text
    assert "ilpDesaDots" in text
    # what the detail shows and how it is simplified is said in the page, in the UI language
    from ilp_gis.i18n import tr

    assert tr("webmap.detail.note", lang="id", zoom=det.DETAIL_MIN_ZOOM) in text
    assert tr("webmap.detail.note", lang="en", zoom=det.DETAIL_MIN_ZOOM) not in text


def test_a_kabupaten_page_writes_no_folder(tmp_path):
    project, result = make_district()
    export_webmap(project, result, tmp_path / "peta.html")
    assert [p.name for p in tmp_path.iterdir()] == ["peta.html"]


def test_page_and_folder_written_together_or_not_at_all(national, tmp_path, monkeypatch):
    import reports.webmap.export as webmap_export

    project, result = national
    page = tmp_path / "nasional.html"
    real = webmap_export.atomic_write_text

    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(webmap_export, "atomic_write_text", broken)
    with pytest.raises(OSError):
        export_webmap(project, result, page)
    assert list(tmp_path.iterdir()) == []  # no page, no folder, no temporary
    monkeypatch.setattr(webmap_export, "atomic_write_text", real)
    export_webmap(project, result, page)
    before = {p.name: p.read_bytes() for p in (tmp_path / "nasional_data").iterdir()}
    html = page.read_bytes()
    # a second export failing while the chunks are cut keeps the first page and folder
    monkeypatch.setattr(det, "_links_json", broken)
    with pytest.raises(OSError):
        export_webmap(project, result, page)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nasional.html", "nasional_data"]
    assert page.read_bytes() == html
    assert {p.name: p.read_bytes() for p in (tmp_path / "nasional_data").iterdir()} == before
    # ... and so does one failing when the page is written, after the folder was moved
    monkeypatch.setattr(det, "_links_json", _real_links)
    monkeypatch.setattr(webmap_export, "atomic_write_text", broken)
    with pytest.raises(OSError):
        export_webmap(project, result, page)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nasional.html", "nasional_data"]
    assert page.read_bytes() == html
    assert {p.name: p.read_bytes() for p in (tmp_path / "nasional_data").iterdir()} == before


_real_links = det._links_json


def test_chunker_places_points_in_their_kabupaten_or_the_nearest():
    a, b = box(0, 0, 1, 1), box(1, 0, 2, 1)
    chunker = det.Chunker(np.array([a, b], dtype=object), ["A", "B"])
    geoms = np.array([Point(0.5, 0.5), Point(1.5, 0.2), Point(2.5, 0.5), None,
                      LineString([(0.2, 0.2), (1.8, 0.8)]), box(1.2, 0.1, 1.4, 0.3)],
                     dtype=object)
    # off the coast: the nearest; a line: where it starts; a polygon: a point on it
    assert chunker.assign(geoms).tolist() == [0, 1, 1, -1, 0, 1]
    assert chunker.name(1) == "B"
    grid = det.Chunker(None, None)  # no kabupaten layer: cells of GRID_DEG degrees
    got = grid.assign(np.array([Point(0.5, 0.5), Point(0.7, 0.1), Point(1.5, 0.5)],
                               dtype=object))
    assert got.tolist() == [0, 0, 1]


def test_pws_months_nationally_colour_the_desa_dots(national, tmp_path):
    project, result = national
    codes = list(project.desa["code"])
    project.set_table(pws.VALUES_TABLE, pd.DataFrame(
        [{"period": p, "desa_code": d, "indicator": "k4", "value": v, "denominator": np.nan,
          "source_file": "k4.csv"}
         for d, p, v in ((codes[0], "2026-01", 3.0), (codes[1], "2026-01", 1.0),
                         (codes[0], "2026-02", 1.0))]))
    text, page = _parse(export_webmap(project, result, tmp_path / "n.html", pws_indicator="k4"))
    data = json.loads(page.data["pws-periods"])
    assert data["dots"] == 3 and data["codes"] == codes
    assert [p["c"] for p in data["p"]] == ["2026-01", "2026-02"]
    jan = data["p"][0]["a"]  # A 3/18, B 1/36 (the district's denominators), the rest none
    assert jan == [round(3 / 18, 4), round(1 / 36, 4), None, None, None, None]
    assert "ILP.periodLayer(ILP_DESA, " in text


def _dom(page, fragment: str, profile) -> str:
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1200,900",
           "--virtual-time-budget=4000", "--dump-dom", page.resolve().as_uri() + fragment]
    return subprocess.run(cmd, check=True, capture_output=True, timeout=90).stdout.decode()


@pytest.mark.slow
def test_headless_chromium_loads_the_chunk_in_view_from_file(national, tmp_path, monkeypatch):
    if _chromium() is None:
        pytest.skip("chromium is not installed (Debian packages: chromium chromium-driver)")
    monkeypatch.setattr(det, "DETAIL_FEW_KABUPATEN", 0)  # only the zoom decides here
    project, result = national
    page = export_webmap(project, result, tmp_path / "nasional.html")
    (tmp_path / "p1").mkdir()
    (tmp_path / "p2").mkdir()
    (tmp_path / "p3").mkdir()
    far = _dom(page, "#map=5/-2.5/118", tmp_path / "p1")
    label = re.compile(r'class="leaflet-tooltip ilp-label[^"]*"[^>]*>Kec Utara<')
    assert 'src="nasional_data/' not in far and not label.search(far)
    # zoomed into the first column of desa (Kabupaten Barat): its chunk is loaded by a script
    # element, its kecamatan are labelled and the desa dots give way to the polygons
    west = f"#map=16/{LAT0:.4f}/{LON0 + 0.5 * STEP:.4f}"
    near = _dom(page, west, tmp_path / "p2")
    assert 'src="nasional_data/0000.js"' in near
    assert 'src="nasional_data/0001.js"' not in near
    assert label.search(near)
    assert re.search(r'class="leaflet-pane[^"]*"[^>]*z-index: 410; display: none', near)
    east = f"#map=17/{LAT0:.4f}/{LON0 + 2.75 * STEP:.4f}"
    near = _dom(page, east, tmp_path / "p3")
    assert 'src="nasional_data/0001.js"' in near
    assert 'src="nasional_data/0000.js"' not in near
    # the page copied without its folder says so when the detail cannot be loaded
    from ilp_gis.i18n import tr

    (tmp_path / "nasional_data").rename(tmp_path / "elsewhere")
    (tmp_path / "p4").mkdir()
    alone = _dom(page, east, tmp_path / "p4")
    said = tr("webmap.detail.missing", folder="nasional_data")
    assert said.replace('"', "&quot;") in alone or said in alone


def test_cli_says_what_it_wrote_and_reads_the_roads_for_the_chunks(national, tmp_path, capsys):
    from ilp_gis.i18n import format_number, tr
    from layers.project_file import save_project
    from ui.cli import main

    project, result = national
    for name in ("desa", "kecamatan", "gaps", "edges"):
        project.set_table(f"result_{name}", getattr(result, name))
    gpkg = save_project(project, tmp_path / "nasional.gpkg")
    out = tmp_path / "peta.html"
    assert main(["webmap", str(gpkg), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    folder = tmp_path / "peta_data"
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    assert tr("cli.webmap.detail_written", folder=str(folder), n="2",
              size=format_number(size, 1)) in printed
    assert tr("webmap.detail.note", zoom=det.DETAIL_MIN_ZOOM) in printed
    chunks = [_chunk(folder / f) for f in ("0000.js", "0001.js")]
    # the roads, left unread when the project was opened, are in the chunks; so are the links
    assert [len(c["roads"]["cl"]) for c in chunks] == [1, 1]
    assert sum(len(c["links"]["n"]) for c in chunks) == len(result.edges)


def test_a_killed_export_leaves_nothing_for_long(national, tmp_path):
    """A chunk folder a killed export left beside the page is removed by the next export
    once nothing touched it for an hour; a fresh one (another export running) is kept."""
    import os
    import time

    page = tmp_path / "nasional.html"
    old = tmp_path / ".nasional_data.saving-99999-abc123"
    fresh = tmp_path / ".nasional_data.saving-99998-def456"
    other = tmp_path / ".lain_data.saving-99999-abc123"  # another page's: not ours to remove
    for d in (old, fresh, other):
        d.mkdir()
        (d / "0000.js").write_text("ILP.chunk(0,{});\n", encoding="utf-8")
    hour_ago = time.time() - det.STALE_FOLDER_S - 5
    for d in (old, other):
        os.utime(d, (hour_ago, hour_ago))
    export_webmap(*national, page)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [other.name, fresh.name, "nasional.html", "nasional_data"]


def test_posyandu_in_the_detail_carry_the_kabupaten_page_symbol_and_popup(national, tmp_path):
    from ilp_gis.i18n import tr
    from reports.webmap.symbols import point_style

    project, result = national
    fac = project.layers["facilities"]
    fac["location_quality"] = np.where(fac["fac_id"] == "POS2", "desa", "exact")
    out = export_webmap(project, result, tmp_path / "nasional.html")
    text, _ = _parse(out)
    opts = _detail_options(text)
    assert opts["posyandu"] == point_style(sym.FACILITY_STYLES["posyandu"])
    assert opts["posyanduDesa"] == point_style(sym.DESA_LEVEL_STYLES["posyandu"])
    assert opts["posyanduDesa"]["hollow"] is True
    assert len(opts["facFields"]) == 10 and opts["facFields"][6] == tr("webmap.field.kader")
    chunks = [_chunk(tmp_path / "nasional_data" / f) for f in opts["files"]]
    rows = {n: (p, q) for c in chunks for n, p, q in zip(c["posyandu"]["n"], c["posyandu"]["p"],
                                                         c["posyandu"]["q"], strict=True)}
    # POS1: Desa A, Kec Utara, under Pustu A, 4 kader, level pratama; POS2 known by its desa
    p1, q1 = rows["Posyandu <Mawar> 1"]
    assert p1 == ["Desa A", "Kec Utara", "Pustu A", None, None, None, "4",
                  tr("posyandu_level.pratama"), None, None]
    assert q1 == 0
    p2, q2 = rows["Posyandu <Mawar> 2"]
    assert p2[7] == tr("posyandu_level.madya") and q2 == 1
    assert sum(q for _, q in rows.values()) == 1
    # the script draws them on the canvas with that symbol, and rings gaps as a kabupaten page
    script = (det.Path(det.__file__).parents[1] / "data" / "webmap_detail.js").read_text("utf-8")
    assert "new ShapeMarker(" in script and "radius: 9" in script
