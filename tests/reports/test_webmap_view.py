"""The web map's default view and context: the colour figure chosen and named as a planner
names it, the metric scale, roads, scenario sites, facility gaps counted as the gap table."""

from __future__ import annotations

import json
import re
from html import unescape

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, MultiPoint, Point

from ilp_gis import model, scenario
from ilp_gis.i18n import language
from reports.webmap import COLOUR_FIELDS, export_webmap
from reports.webmap.classify import auto_colour_key
from reports.webmap.indicators import UnknownColourBy, resolve_colour_by
from tests.reports.webmap_fixtures import LAT0, LON0, STEP, make_district


def _data(text: str, key: str) -> dict:
    m = re.search(r'<script type="application/json" id="ilp-data-' + re.escape(key)
                  + r'">(.*?)</script>', text, re.S)
    assert m, key
    return json.loads(m.group(1))


def _overlays(text: str) -> dict[str, bool]:
    """Layer control name -> switched on when the map opens."""
    block = re.search(r"overlays :\s*\{(.*?)\}", text, re.S).group(1)
    out = {}
    for name, var in re.findall(r'("(?:[^"\\]|\\.)*") : (ilp_layer_[0-9a-f]+)', block):
        out[json.loads(name)] = f"{var}.addTo(" in text
    return out


@pytest.fixture
def district():
    return make_district()


# ---- colour-by: the planner's names ----------------------------------------------------------

def test_colour_by_accepts_labels_short_names_and_keys_in_both_languages():
    assert resolve_colour_by("penduduk") == "population"
    assert resolve_colour_by("  Penduduk ") == "population"
    assert resolve_colour_by("POPULATION") == "population"
    assert resolve_colour_by("cakupan  pustu") == "pustu_coverage"
    assert resolve_colour_by("Cakupan Puskesmas") == "puskesmas_coverage"
    assert resolve_colour_by("Penduduk dalam jangkauan jarak Pustu") == "pustu_coverage"
    assert resolve_colour_by("population within pustu distance") == "pustu_coverage"
    assert resolve_colour_by("skor prioritas") == "priority_score"
    assert resolve_colour_by("Priority-Score") == "priority_score"
    assert resolve_colour_by("dist_pustu_km") == "dist_pustu_km"
    assert resolve_colour_by("otomatis") == "auto" and resolve_colour_by(None) == "auto"
    # a choice copied whole from the list the error message gives
    assert resolve_colour_by("cakupan Pustu (pustu_coverage)") == "pustu_coverage"
    # a column of the desa result, by its own name (spaces/case forgiven too)
    assert resolve_colour_by("gap_count", ["code", "gap_count"]) == "gap_count"
    assert resolve_colour_by("Gap Count", ["code", "gap_count"]) == "gap_count"


def test_wrong_colour_by_lists_the_choices_in_the_ui_language():
    with language("id"), pytest.raises(UnknownColourBy) as err:
        resolve_colour_by("jumlah sapi")
    text = str(err.value)
    assert "'jumlah sapi'" in text and "Pilihan:" in text
    assert "penduduk (population)" in text and "cakupan Pustu (pustu_coverage)" in text
    assert "Choose" not in text
    with language("en"), pytest.raises(UnknownColourBy) as err:
        resolve_colour_by("cows")
    assert "Choose one of:" in str(err.value) and "population (population)" in str(err.value)


def test_cli_lists_every_colour_field():
    from ui.cli_webmap import COLOUR_KEYS

    assert COLOUR_KEYS == tuple(COLOUR_FIELDS)


def test_cli_wrong_colour_by_exits_2_and_writes_nothing(district, tmp_path, capsys):
    from layers.project_file import save_project
    from ui.cli import main

    project, result = district
    for name, frame in (("result_desa", result.desa), ("result_gaps", result.gaps),
                        ("result_kecamatan", result.kecamatan), ("result_edges", result.edges)):
        project.set_table(name, frame)
    gpkg = save_project(project, tmp_path / "p.gpkg")
    out = tmp_path / "peta.html"
    capsys.readouterr()
    assert main(["webmap", str(gpkg), "-o", str(out), "--colour-by", "sapi"]) == 2
    err = capsys.readouterr().err
    assert "'sapi'" in err and "penduduk (population)" in err and "Traceback" not in err
    assert not out.exists()
    # the planner's word works: the map is coloured by population (6 desa, one without data)
    assert main(["webmap", str(gpkg), "-o", str(out), "--colour-by", "Penduduk"]) == 0
    text = out.read_text("utf-8")
    assert "Desa menurut Penduduk" in text
    assert "warna desa: Penduduk" in text


# ---- the default figure ------------------------------------------------------------------------

def test_auto_picks_a_figure_that_tells_the_desa_apart(district):
    _, result = district
    desa = result.desa.copy()
    # Pustu coverage 100%, 90%, 20%, 10%, -, 30%: five desa in three classes -> it is kept
    assert auto_colour_key(desa) == "pustu_coverage"
    # everyone within Pustu distance: one colour everywhere says nothing -> the priority score
    desa["pop_within_pustu_km"] = desa["population"]
    assert auto_colour_key(desa) == "priority_score"
    # no priority either: the distance to a Pustu (0.4 … 3.1 km, five classes)
    desa["priority_score"] = np.nan
    assert auto_colour_key(desa) == "dist_pustu_km"


def test_default_map_is_coloured_by_the_auto_figure(district, tmp_path):
    project, result = district
    result.desa["pop_within_pustu_km"] = result.desa["population"]  # 100% everywhere
    text = export_webmap(project, result, tmp_path / "a.html").read_text("utf-8")
    shown = _overlays(text)
    assert shown["Desa menurut Skor prioritas"] is True
    assert not any("jangkauan jarak Pustu" in name for name in shown)


# ---- the view: scale, fit between panels, popups, area gaps -----------------------------------

def test_scale_is_metric_and_view_fits_between_the_panels(district, tmp_path):
    project, result = district
    text = export_webmap(project, result, tmp_path / "v.html").read_text("utf-8")
    assert "ILP.addScale(" in text
    assert "metric: true, imperial: false" in text
    assert "L.control.scale()" not in text and '"imperial": true' not in text
    # the district is fitted with the panels' sizes as padding; popups pan below the title card
    assert re.search(r"ILP\.fitView\(map_\w+, \[\[-8\.07\d*,112\.6\d*\],\[-8\.03\d*,"
                     r"112\.66\d*\]\]\)", text)
    assert "paddingTopLeft" in text and "autoPanPaddingTopLeft" in text
    assert not re.search(r"map_\w+\.fitBounds\(", text)  # not folium's fit (no panel padding)


def test_area_gaps_wait_in_the_control_when_they_cover_most_desa(district, tmp_path,
                                                                 monkeypatch):
    import reports.webmap.export as webmap_export

    project, result = district
    # 3 of 6 desa have gaps: more than a quarter -> the hatch waits in the layer control
    text = export_webmap(project, result, tmp_path / "g.html").read_text("utf-8")
    shown = _overlays(text)
    area = [n for n in shown if n.startswith("Kesenjangan wilayah")]
    assert area == ["Kesenjangan wilayah (5)"] and shown[area[0]] is False  # 5 area gap rows
    monkeypatch.setattr(webmap_export, "AREA_GAPS_SHOWN_SHARE", 0.5)
    text = export_webmap(project, result, tmp_path / "h.html").read_text("utf-8")
    assert _overlays(text)["Kesenjangan wilayah (5)"] is True


def test_facility_gaps_counted_as_the_gap_table_also_when_stored_as_multipoints(district,
                                                                                 tmp_path):
    project, result = district
    gaps = result.gaps.copy()
    pos = dict(zip(project.facilities["fac_id"], project.facilities.geometry, strict=True))
    extra = []
    for gid, fid, kind in (("G10", "POS1", "kader_deficit"), ("G11", "POS2", "kader_deficit"),
                           ("G12", "PST2", "coe_below_threshold")):
        row = gaps.iloc[-1].to_dict()
        row.update(gap_id=gid, fac_id=fid, kind=kind, geometry=pos[fid])
        extra.append(row)
    gaps = gpd.GeoDataFrame(pd.concat([gaps, gpd.GeoDataFrame(extra, crs=model.WGS84)],
                                      ignore_index=True), geometry="geometry", crs=model.WGS84)
    # a project file stores the gap points as one-part MultiPoints
    gaps["geometry"] = [MultiPoint([g]) if g.geom_type == "Point" else g for g in gaps.geometry]
    result.gaps = gaps
    at_facilities = int(gaps["fac_id"].notna().sum())
    assert at_facilities == 4  # PST2 twice, POS1, POS2
    text = export_webmap(project, result, tmp_path / "f.html").read_text("utf-8")
    assert f"Kesenjangan fasilitas ({at_facilities})" in _overlays(text)
    points = _data(text, "gaps-facilities")["features"]
    assert len(points) == 3  # one ring per facility, its gaps listed in its popup
    assert sum(len(f["properties"]["g"]) for f in points) == at_facilities
    assert all(f["geometry"]["type"] == "Point" for f in points)
    assert sorted(f["properties"]["n"] for f in points) == [
        "Posyandu <Mawar> 1", "Posyandu <Mawar> 2", "Pustu B"]


# ---- roads ---------------------------------------------------------------------------------------

def test_roads_layer_when_the_project_has_roads(district, tmp_path):
    project, result = district
    text = export_webmap(project, result, tmp_path / "n.html").read_text("utf-8")
    assert "Jalan" not in _overlays(text) and 'id="ilp-data-roads"' not in text
    roads = gpd.GeoDataFrame({
        "road_class": ["arteri", "lingkungan", "jalan tol?"],
        "name": ["Jl. Raya", "Gang 1", "X"]},
        geometry=[LineString([(LON0, LAT0), (LON0 + 3 * STEP, LAT0)]),
                  LineString([(LON0 + STEP, LAT0 - STEP), (LON0 + STEP, LAT0 + STEP)]),
                  LineString([(LON0, LAT0 + STEP), (LON0 + STEP, LAT0 + STEP)])],
        crs=model.WGS84)
    project.layers["roads"] = roads
    text = export_webmap(project, result, tmp_path / "r.html").read_text("utf-8")
    assert _overlays(text)["Jalan"] is True
    fc = _data(text, "roads")
    assert [f["properties"]["cl"] for f in fc["features"]] == ["arteri", "lingkungan", "lokal"]
    assert all(f["geometry"]["type"] == "LineString" for f in fc["features"])
    # styled by class as the shared symbology, listed in the legend
    assert '"classStyles":{"arteri":{"color":"#d35400"' in text
    assert "Jalan arteri" in text and "Jalan lingkungan" in text and "Jalan lokal" in text
    assert "Jalan kolektor" not in text  # no collector road in the data
    # lanes and footpaths only when zoomed in (thousands of them hide the desa colours)
    assert '"classMinZoom":{"lingkungan":12,"setapak":13}' in text


# ---- scenario sites ------------------------------------------------------------------------------

def test_scenario_sites_are_a_layer(district, tmp_path):
    project, result = district
    actions = pd.DataFrame([
        {"action_id": "1", "action": "new_pustu", "name": "Pustu Baru C",
         "lon": LON0 + 2.5 * STEP, "lat": LAT0 + 0.5 * STEP, "amount": 1_500_000_000.0},
        {"action_id": "2", "action": "upgrade_pustu", "fac_id": "PST3", "amount": 600_000_000.0},
    ])
    scenario.set_scenario(project, "Usulan <2027>", actions)
    text = export_webmap(project, result, tmp_path / "s.html").read_text("utf-8")
    shown = _overlays(text)
    assert shown["Usulan skenario 'Usulan &lt;2027&gt;' (2)"] is True  # a name, not markup
    fc = _data(text, "scenario-1")["features"]
    assert [f["properties"]["a"] for f in fc] == ["new_pustu", "upgrade_pustu"]
    assert fc[0]["geometry"]["coordinates"] == [round(LON0 + 2.5 * STEP, 5),
                                                 round(LAT0 + 0.5 * STEP, 5)]
    pst3 = project.facilities.set_index("fac_id").geometry["PST3"]
    assert fc[1]["geometry"]["coordinates"] == pytest.approx([pst3.x, pst3.y], abs=1e-5)
    assert fc[0]["properties"]["p"][0] == "Pustu baru"
    assert fc[0]["properties"]["p"][1] == "Desa C"  # located in its desa from lon/lat
    assert fc[0]["properties"]["p"][2] == "Rp 1.500.000.000"
    assert "Usulan skenario" in text and "Poskesdes/Polindes jadi Pustu" in text  # legend


def test_no_scenario_no_site_layer(district, tmp_path):
    project, result = district
    text = export_webmap(project, result, tmp_path / "x.html").read_text("utf-8")
    assert not any(n.startswith("Usulan skenario") for n in _overlays(text))
    assert 'id="ilp-data-scenario-1"' not in text


def test_layer_names_from_data_are_escaped(district, tmp_path):
    project, result = district
    point = Point(LON0 + 0.5 * STEP, LAT0 + 0.5 * STEP)
    scenario.set_scenario(project, "<img src=x onerror=alert(1)>", pd.DataFrame([
        {"action_id": "1", "action": "new_posyandu", "lon": point.x, "lat": point.y}]))
    text = export_webmap(project, result, tmp_path / "e.html").read_text("utf-8")
    # in the data blocks it is data (the page escapes it when shown); nowhere else
    outside = re.sub(r'<script type="application/json".*?</script>', "", text, flags=re.S)
    assert "<img src=x" not in outside
    assert "Usulan skenario '&lt;img src=x onerror=alert(1)&gt;' (1)" in _overlays(text)


def test_offline_guard_also_catches_fonts_and_pictures():
    from reports.webmap import offline_problems

    assert offline_problems("<style>body{background:url('https://x.org/a.png')}</style>")
    assert offline_problems('<style>@font-face{src:url(//fonts.example/f.woff2)}</style>')
    assert offline_problems('<img src="https://x.org/logo.png">')
    # inline pictures and plain links are fine: nothing is fetched when the page opens
    assert offline_problems('<img src="data:image/png;base64,AAAA">'
                            '<a href="https://leafletjs.com">Leaflet</a>') == []


def _probe(page, tmp_path, size, body: str, measure: str = "") -> dict:
    """Open ``page`` in headless Chromium (no network) at ``size``, run ``body`` (JavaScript with
    ``m``, the map, and ``c``, its container's rectangle, that fills ``out``) once the page has
    loaded, ``measure`` a second later (after any pan), and return ``out``."""
    import subprocess

    from tests.reports.test_webmap import _chromium

    if _chromium() is None:
        pytest.skip("chromium is not installed (Debian packages: chromium chromium-driver)")
    probe = ("<script>window.addEventListener('load', function () { setTimeout(function () {"
             "var k = Object.keys(window).filter(function (n) { return n.indexOf('map_') === 0; })[0];"
             "var m = window[k], c = m.getContainer().getBoundingClientRect(), out = {};"
             + body + "setTimeout(function () {" + measure
             + "var d = document.createElement('pre'); d.id = 'probe';"
             "d.textContent = JSON.stringify(out); document.body.appendChild(d);"
             "}, 1000); }, 600); });</script></body>")
    probed = tmp_path / f"probe-{size[0]}x{size[1]}.html"
    # --dump-dom draws no frames: animation frames become timers, so that pans run
    frames = ("<head><script>window.requestAnimationFrame = function (f) {"
              "return setTimeout(function () { f(performance.now()); }, 16); };</script>")
    probed.write_text(page.read_text("utf-8").replace("</body>", probe)
                      .replace("<head>", frames, 1), "utf-8")
    profile = tmp_path / f"profile-{size[0]}"
    profile.mkdir()
    done = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9",
         f"--window-size={size[0]},{size[1]}", "--virtual-time-budget=5000", "--dump-dom",
         probed.resolve().as_uri()], check=True, capture_output=True, timeout=90)
    dom = done.stdout.decode("utf-8", "replace")
    return json.loads(unescape(re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S).group(1)))


_PANELS = """out.panels = [];
document.querySelectorAll(".leaflet-control").forEach(function (e) {
  var r = e.getBoundingClientRect();
  if (r.width && !/attribution|scale/.test(e.className))
    out.panels.push([e.className, r.left - c.left, r.top - c.top, r.right - c.left, r.bottom - c.top]);
});"""


def _overlapping(box, panels) -> list[str]:
    x0, y0, x1, y1 = box
    return [name for name, left, top, right, bottom in panels
            if min(x1, right) - max(x0, left) > 1 and min(y1, bottom) - max(y0, top) > 1]


@pytest.mark.slow
@pytest.mark.parametrize("size", [(1400, 900), (1366, 768)])
def test_headless_chromium_district_clear_of_the_panels(district, tmp_path, size):
    """Opened in a browser, the district lies between the panels, none covers it."""
    project, result = district
    page = export_webmap(project, result, tmp_path / "peta.html")
    found = _probe(page, tmp_path, size, _PANELS + """
var b = L.geoJSON(ILP_DESA).getBounds();
var a = m.latLngToContainerPoint(b.getNorthWest()), z = m.latLngToContainerPoint(b.getSouthEast());
out.district = [a.x, a.y, z.x, z.y];""")
    x0, y0, x1, y1 = found["district"]
    assert x1 - x0 > 150 and y1 - y0 > 100  # the district fills a good part of the map
    assert _overlapping(found["district"], found["panels"]) == [], found


@pytest.mark.slow
def test_headless_chromium_popup_opens_below_the_title_card(district, tmp_path):
    """A popup opened right under the title card pans the map until no panel covers it."""
    project, result = district
    page = export_webmap(project, result, tmp_path / "peta.html")
    found = _probe(page, tmp_path, (1200, 800), """
var ll = m.containerPointToLatLng([120, 60]);
L.popup({maxWidth: 340}).setLatLng(ll).setContent('<div style="height:150px;width:200px">x</div>').openOn(m);""", """
var p = document.querySelector(".leaflet-popup-content-wrapper").getBoundingClientRect();
out.popup = [p.left - c.left, p.top - c.top, p.right - c.left, p.bottom - c.top];
""" + _PANELS)
    assert _overlapping(found["popup"], found["panels"]) == [], found
