"""The offline web map: self-contained HTML, every layer with its features, translated popups."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from ilp_gis import model
from ilp_gis.errors import Cancelled, InputError
from layers import symbology as sym
from reports.webmap import COLOUR_FIELDS, export_webmap, offline_problems, simplify_for_web
from reports.webmap.classify import colour_classes
from reports.webmap.export import CLUSTER_MIN
from reports.webmap.gaps import analysis_language
from reports.webmap.geometry import web_tolerance
from tests.reports.webmap_fixtures import make_district


class _Page(HTMLParser):
    """Collects scripts, stylesheet links and the JSON data blocks of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.script_srcs: list[str] = []
        self.links: list[dict] = []
        self.data: dict[str, str] = {}
        self.inline_scripts = 0
        self._in_data: str | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            if "src" in a:
                self.script_srcs.append(a["src"])
            if a.get("type") == "application/json":
                self._in_data = a.get("id", "")
                self._buf = []
            else:
                self.inline_scripts += 1
        elif tag == "link":
            self.links.append(a)

    def handle_data(self, data):
        if self._in_data is not None:
            self._buf.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_data is not None:
            self.data[self._in_data.removeprefix("ilp-data-")] = "".join(self._buf)
            self._in_data = None


def _parse(path) -> tuple[str, _Page]:
    text = path.read_text("utf-8")
    page = _Page()
    page.feed(text)
    page.close()
    return text, page


def _features(page: _Page, key: str) -> list[dict]:
    fc = json.loads(page.data[key])
    assert fc["type"] == "FeatureCollection"
    return fc["features"]


@pytest.fixture
def district():
    return make_district()


def test_offline_file_has_no_external_scripts_or_styles(district, tmp_path):
    project, result = district
    out = export_webmap(project, result, tmp_path / "peta.html")
    text, page = _parse(out)
    assert page.script_srcs == []
    assert [link for link in page.links if "href" in link] == []
    assert offline_problems(text) == []
    # no web address is fetched: none in a src attribute, none in a CSS url()
    assert not re.search(r"""\bsrc\s*=\s*["']?https?:""", text)
    assert not re.search(r"""url\(\s*["']?https?:""", text)
    # Leaflet and markercluster are inline, read from the installed packages
    assert "L.markerClusterGroup" in text and "leaflet-container" in text
    assert "cdn.jsdelivr" not in text and "code.jquery" not in text and "bootstrap" not in text
    assert page.inline_scripts >= 3
    # the layer control's icon is a data URI, not a relative file next to the map
    assert "url(images/" not in text


def test_every_layer_present_with_expected_feature_counts(district, tmp_path):
    project, result = district
    out = export_webmap(project, result, tmp_path / "peta.html")
    text, page = _parse(out)
    assert len(_features(page, "desa")) == 6
    assert len(_features(page, "kecamatan")) == 2
    assert len(_features(page, "kabupaten")) == 1
    assert len(_features(page, "edges")) == len(result.edges)
    assert len(_features(page, "facilities-puskesmas")) == 2
    assert len(_features(page, "facilities-pustu")) == 3
    assert len(_features(page, "facilities-posyandu")) == 8
    # gaps are grouped per place: 3 desa + 1 understaffed Pustu point, every gap row kept
    gaps = _features(page, "gaps")
    points = _features(page, "gaps-facilities")
    assert len(gaps) == 3 and len(points) == 1
    assert sum(len(f["properties"]["g"]) for f in gaps + points) == len(result.gaps)
    assert [p["properties"]["g"][0][0] for p in points] == ["understaffed_pustu"]
    assert points[0]["properties"]["n"] == "Pustu B"
    # desa gaps reuse the desa layer's geometry by code instead of a second copy
    desa_codes = {f["properties"]["c"] for f in _features(page, "desa")}
    refs = [f["properties"]["r"] for f in gaps if "r" in f["properties"]]
    assert len(refs) == 3 and all(r[0] == "desa" and r[1] in desa_codes for r in refs)
    # most severe gap first in each desa (the colour the desa takes)
    for f in gaps:
        kinds = [g[0] for g in f["properties"]["g"]]
        assert kinds == sorted(kinds, key=sym.GAP_SEVERITY.get)
    # one precursor flagged among the Pustu (drawn with the precursor symbol)
    assert sum(f["properties"].get("pre", False) for f in _features(page, "facilities-pustu")) == 1
    # the layer control lists every layer by its translated name
    for name in ("Batas kabupaten", "Batas kecamatan", "Desa/Kelurahan (batas)", "Kesenjangan",
                 "Jejaring layanan", "Puskesmas (2)", "Pustu (3)", "Posyandu (8)",
                 "Kesenjangan fasilitas (1)",
                 "Desa menurut Penduduk dalam jangkauan jarak Pustu"):
        assert json.dumps(name, ensure_ascii=False) in text or f'"{name}"' in text, name


def test_title_banner_search_and_view(district, tmp_path):
    project, result = district
    out = export_webmap(project, result, tmp_path / "peta.html")
    text, _ = _parse(out)
    assert "Kabupaten Contoh" in text
    assert "DATA FIKTIF / FICTIONAL DATA" in text
    assert "ILP.addSearch(" in text and "Cari desa/kelurahan" in text
    assert "fitBounds(" in text
    assert '"labels":true' in text and "ILP.labelsFromZoom(" in text  # kecamatan names
    project.meta[model.META_FICTIONAL] = "false"
    text2, _ = _parse(export_webmap(project, result, tmp_path / "real.html"))
    assert "DATA FIKTIF" not in text2


def test_names_are_text_not_markup(district, tmp_path):
    project, result = district
    project.meta[model.META_TITLE] = "Kab <b>A & B</b> {{x}}"
    text, page = _parse(export_webmap(project, result, tmp_path / "t.html"))
    assert "<title>Kab &lt;b&gt;A &amp; B&lt;/b&gt; {{x}}" in text
    assert "<b>A" not in text
    assert "Kab &lt;b&gt;A &amp; B&lt;/b&gt; {{x}}" in text  # header (inside a JS string)


def test_coverage_colours_follow_the_shared_symbology(district, tmp_path):
    project, result = district
    out = export_webmap(project, result, tmp_path / "peta.html", colour_by="pustu_coverage")
    text, page = _parse(out)
    desa = {f["properties"]["n"]: f["properties"] for f in _features(page, "desa")}
    ramp = sym.COVERAGE_RAMP
    # shares (1.0, 0.9, 0.2, 0.1, –, 0.3) in fixed classes: full coverage in the best colour
    assert desa["Desa A"]["col"] == ramp[-1]
    assert desa["Desa B"]["col"] == ramp[2]  # 70–90% (upper bound included)
    assert desa["Desa C"]["col"] == desa["Desa D"]["col"] == ramp[0]
    # the desa without population keeps "no data", never a zero coverage
    assert desa["Desa E"]["col"] == sym.NO_DATA_COLOUR
    assert "tidak ada data" in desa["Desa E"]["p"]
    assert "90% – &lt; 100%" in text and "tidak ada data" in text  # legend (HTML-escaped)


def test_tied_values_keep_their_best_colour():
    """Most desa at 100% (typical): they must not take the 'worst' class colour."""
    field = COLOUR_FIELDS["pustu_coverage"]
    values = np.array([1.0] * 40 + [0.514, 0.8, np.nan])
    colours, legend = colour_classes(field, values)
    assert colours[0] == sym.COVERAGE_RAMP[-1] and colours[40] == sym.COVERAGE_RAMP[1]
    assert colours[-1] == sym.NO_DATA_COLOUR and len(legend) == 5
    # quantile classes for other figures: ties collapse to one class, labels stay distinct
    km = COLOUR_FIELDS["dist_pustu_km"]
    colours, legend = colour_classes(km, np.array([1.0] * 30 + [2.0, 5.0]))
    labels = [label for _, label in legend]
    assert len(labels) == len(set(labels)) and colours[0] == sym.BURDEN_RAMP[0]
    assert colours[-1] == sym.BURDEN_RAMP[-1]


def test_popups_translated(district, tmp_path):
    project, result = district
    _, page_id = _parse(export_webmap(project, result, tmp_path / "id.html", lang="id"))
    text_en, page_en = _parse(export_webmap(project, result, tmp_path / "en.html", lang="en"))
    text_id = (tmp_path / "id.html").read_text("utf-8")
    assert '<html lang="en"' in text_en
    # gap kinds and their explanations
    assert "Desa tanpa Pustu" in text_id and "ILP menargetkan satu Pustu" in text_id
    assert "Desa without a Pustu" in text_en and "ILP aims for one Pustu" in text_en
    assert "Desa tanpa Pustu" not in text_en
    assert "Peringkat prioritas" in text_id and "Priority rank" in text_en
    # numbers follow the language
    desa_en = {f["properties"]["n"]: f["properties"]["p"] for f in _features(page_en, "desa")}
    desa_id = {f["properties"]["n"]: f["properties"]["p"] for f in _features(page_id, "desa")}
    assert "4,000" in desa_en["Desa D"] and "4.000" in desa_id["Desa D"]
    gap_en = [f for f in _features(page_en, "gaps") if f["properties"]["n"] == "Desa C"][0]
    assert gap_en["properties"]["g"][0][1].startswith("value 0")
    # Posyandu level shown with its translated label
    posy_en = _features(page_en, "facilities-posyandu")
    assert any("Madya (intermediate)" in (f["properties"]["p"]) for f in posy_en)
    # names with HTML characters are data, escaped when shown (JSON here, esc() in the page)
    assert any(f["properties"]["n"].startswith("Posyandu <Mawar>") for f in posy_en)
    outside = text_en
    for block in page_en.data.values():
        outside = outside.replace(block, "")
    assert "<Mawar>" not in outside


def test_stored_messages_only_in_their_own_language(district, tmp_path):
    project, result = district
    # units "nakes"/"pustu" tell the messages are Indonesian: an English map shows its own text
    assert analysis_language(result) == "id"
    _, page = _parse(export_webmap(project, result, tmp_path / "a.html", lang="en"))
    details = [g[1] for key in ("gaps", "gaps-facilities") for f in _features(page, key)
               for g in f["properties"]["g"]]
    assert not any(d.startswith("MSG-") for d in details)
    assert "value 1 health workers, threshold 2 health workers" in details
    _, page = _parse(export_webmap(project, result, tmp_path / "b.html", lang="id"))
    details = [g[1] for key in ("gaps", "gaps-facilities") for f in _features(page, key)
               for g in f["properties"]["g"]]
    assert "MSG-no_pustu" in details and "MSG-understaffed" in details


def test_online_basemap_adds_tiles_only_then(district, tmp_path):
    project, result = district
    off = (export_webmap(project, result, tmp_path / "off.html")).read_text("utf-8")
    on = (export_webmap(project, result, tmp_path / "on.html", online_basemap=True)
          ).read_text("utf-8")
    assert "tile.openstreetmap.org" not in off
    assert "tile.openstreetmap.org" in on
    assert offline_problems(on) == []  # tiles are fetched by Leaflet, no script/style links


def test_posyandu_cluster_when_many(district, tmp_path, monkeypatch):
    project, result = district
    monkeypatch.setitem(CLUSTER_MIN, "posyandu", 5)
    text = export_webmap(project, result, tmp_path / "c.html").read_text("utf-8")
    assert '"cluster":true' in text
    monkeypatch.setitem(CLUSTER_MIN, "posyandu", 500)
    text = export_webmap(project, result, tmp_path / "d.html").read_text("utf-8")
    assert '"cluster":true' not in text


def test_unknown_colour_field_is_a_clear_error(district, tmp_path):
    project, result = district
    with pytest.raises(InputError, match="pustu_coverage"):
        export_webmap(project, result, tmp_path / "x.html", colour_by="bogus")
    assert not (tmp_path / "x.html").exists()
    # any numeric column of the desa result works too
    out = export_webmap(project, result, tmp_path / "y.html", colour_by="gap_count")
    text, page = _parse(out)
    colour_of = {f["properties"]["c"]: f["properties"]["col"] for f in _features(page, "desa")}
    counts = dict(zip(result.desa["code"], result.desa["gap_count"], strict=True))
    assert set(colour_of) == set(counts) and sym.NO_DATA_COLOUR not in colour_of.values()
    # the same count, the same class; more gaps, another class
    by_count = {}
    for code, n in counts.items():
        by_count.setdefault(n, set()).add(colour_of[code])
    assert all(len(c) == 1 for c in by_count.values())
    assert len(set().union(*by_count.values())) == len(by_count)
    assert "gap_count" in text  # the coloured layer and the legend name the column


def test_cancel_leaves_no_file(district, tmp_path):
    project, result = district
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Cancelled):
        export_webmap(project, result, tmp_path / "x.html", is_cancelled=cancelled)
    assert list(tmp_path.iterdir()) == []


def test_progress_reported(district, tmp_path):
    project, result = district
    seen = []
    export_webmap(project, result, tmp_path / "p.html", progress=lambda f, m=None: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_simplification_keeps_shared_borders():
    # two neighbours sharing a long jagged border
    xs = np.linspace(0, 0.1, 200)
    ys = 0.05 + 0.0004 * np.sin(xs * 900)
    border = list(zip(xs, ys, strict=True))
    north = Polygon([(0, 0.1), *border, (0.1, 0.1)])
    south = Polygon([(0, 0), *border, (0.1, 0)])
    geoms = gpd.GeoSeries([north, south], crs=model.WGS84).translate(112.5, -8.1)
    from ilp_gis.geo import utm_crs

    crs = utm_crs(geoms)
    out = simplify_for_web(geoms, crs, 30.0)
    assert shapely.get_num_coordinates(out).sum() < shapely.get_num_coordinates(
        geoms.values).sum() / 2
    metric = gpd.GeoSeries(out, crs=model.WGS84).to_crs(crs)
    overlap = metric.iloc[0].intersection(metric.iloc[1]).area
    gap = metric.union_all().area - metric.area.sum()
    assert overlap < 1.0 and abs(gap) < 1.0  # m²: still share their border exactly
    coords = shapely.get_coordinates(out)
    assert np.allclose(coords, np.round(coords, 5))


def test_cli_uses_stored_analysis(district, tmp_path):
    from layers.project_file import save_project
    from ui.cli import main

    project, result = district
    project.set_table("result_desa", result.desa)
    project.set_table("result_kecamatan", result.kecamatan)
    project.set_table("result_gaps", result.gaps)
    project.set_table("result_edges", result.edges)
    gpkg = save_project(project, tmp_path / "contoh.gpkg")
    out = tmp_path / "web" / "peta.html"
    out.parent.mkdir()  # the CLI writes into existing folders only (checked before any work)
    assert main(["webmap", str(gpkg), "-o", str(out), "--lang", "en",
                 "--colour-by", "priority_score"]) == 0
    text, page = _parse(out)
    assert "Desa by Priority score" in text
    assert len(_features(page, "gaps")) + len(_features(page, "gaps-facilities")) == 4
    assert len(_features(page, "edges")) == len(result.edges)
    # parents named from the stored edges (no graph in a stored result)
    pst = _features(page, "facilities-pustu")
    assert any("Puskesmas Utara" in (f["properties"]["p"][2] or "") for f in pst)
    assert main(["webmap", str(gpkg), "-o", str(out), "--colour-by", "bogus"]) == 2  # usage


@pytest.mark.real_data
def test_real_district_is_small(real_malang, tmp_path):
    """Kabupaten Malang's 390 desa: simplified, still sharing borders, a small file."""
    desa = gpd.read_file(real_malang / "desa.gpkg")
    from ilp_gis.geo import utm_crs

    crs = utm_crs(desa)
    out = simplify_for_web(desa.geometry, crs, web_tolerance([desa], crs))
    assert all(g is not None and g.is_valid for g in out)
    before = shapely.get_num_coordinates(desa.geometry.values).sum()
    assert shapely.get_num_coordinates(out).sum() < before


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which(
        "google-chrome")


def screenshot(html_path, png_path, profile_dir, *, size=(1200, 900)) -> str:
    """Headless Chromium with networking off: a screenshot of the page as a planner sees it.
    Returns Chromium's log (the page's console messages included)."""
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={profile_dir}", "--proxy-server=127.0.0.1:9",
           "--enable-logging=stderr", "--v=0",
           "--host-resolver-rules=MAP * ~NOTFOUND", f"--screenshot={png_path}",
           f"--window-size={size[0]},{size[1]}", "--virtual-time-budget=4000",
           html_path.resolve().as_uri()]
    done = subprocess.run(cmd, check=True, capture_output=True, timeout=90)
    return done.stderr.decode("utf-8", "replace")


@pytest.mark.slow
def test_headless_chromium_renders_the_district(district, tmp_path, monkeypatch):
    if _chromium() is None:
        pytest.skip("chromium is not installed (Debian packages: chromium chromium-driver)")
    from PIL import Image

    import reports.webmap.export as webmap_export

    monkeypatch.setattr(webmap_export, "AREA_GAPS_SHOWN_SHARE", 1.0)  # hatches on at opening
    project, result = district
    html = export_webmap(project, result, tmp_path / "peta.html")
    png = tmp_path / "peta.png"
    profile = tmp_path / "profile"
    profile.mkdir()
    log = screenshot(html, png, profile)
    console = [line for line in log.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "Uncaught" in line or "Error" in line], console
    img = np.asarray(Image.open(png).convert("RGB")).astype(int)
    assert img.shape[:2] == (900, 1200)
    assert img.std() > 20  # not blank

    def count(colour: str, alpha: float = 1.0, tol: int = 14) -> int:
        rgb = np.array(sym.hex_to_rgb(colour), dtype=float) * alpha + 255 * (1 - alpha)
        return int((np.abs(img - rgb).max(axis=2) <= tol).sum())

    # the coverage ramp's dark class and "no data" fill, as drawn with 0.85 opacity
    share = (result.desa["pop_within_pustu_km"] / result.desa["population"]).to_numpy()
    colours, _, _ = sym.thematic_colours(share)
    drawn = {c for c, s in zip(colours, share, strict=True) if np.isfinite(s)}
    hits = [c for c in drawn if count(c, 0.85) > 2000]
    assert len(hits) >= 2, hits
    assert count(sym.NO_DATA_COLOUR, 0.85) > 2000
    # Puskesmas squares in the shared red; the controls are drawn (layer list, legend, search)
    assert count(sym.FACILITY_STYLES["puskesmas"].fill, tol=20) > 50
    # the gap hatches (the SVG patterns) are drawn: no_pustu lines in their dark red
    assert count(sym.GAP_STYLES["no_pustu"].stroke, tol=30) > 500
    # the fictional-data banner (red box with white text) is on screen
    assert count("#c0392b", tol=10) > 1500


def test_minimal_project_desa_only(tmp_path):
    """Only desa boundaries and a result without gaps, edges or facilities: still a map."""
    import pandas as pd

    from ilp_gis.project import Project
    from ilp_gis.results import AnalysisResult

    project, result = make_district(fictional=False)
    bare = Project(layers={"desa": project.desa})
    empty_gaps = result.gaps.iloc[0:0]
    empty_edges = result.edges.iloc[0:0]
    res = AnalysisResult(desa=result.desa, kecamatan=pd.DataFrame(), gaps=empty_gaps,
                         graph=None, edges=empty_edges, network_problems=pd.DataFrame())
    text, page = _parse(export_webmap(bare, res, tmp_path / "bare.html", lang="en"))
    assert len(_features(page, "desa")) == 6
    # no gap: no empty gap layer ("(0)" would read as checked and fine)
    assert "gaps" not in page.data and "gaps-facilities" not in page.data
    assert "Kesenjangan" not in text and "gaps (0)" not in text
    assert "kecamatan" not in page.data and "facilities-posyandu" not in page.data
    assert offline_problems(text) == [] and "DATA FIKTIF" not in text


def test_project_without_desa_is_a_clear_error(tmp_path):
    import pandas as pd

    from ilp_gis.project import Project
    from ilp_gis.results import AnalysisResult

    empty = gpd.GeoDataFrame({"code": [], "name": []}, geometry=[], crs=model.WGS84)
    res = AnalysisResult(desa=empty, kecamatan=pd.DataFrame(), gaps=empty, graph=None,
                         edges=empty, network_problems=pd.DataFrame())
    with pytest.raises(InputError, match="desa"):
        export_webmap(Project(), res, tmp_path / "x.html")


def test_gaps_without_a_place_are_counted_not_hidden(district, tmp_path):
    project, result = district
    gaps = result.gaps.copy()
    extra = gaps.iloc[[0]].copy()
    extra["gap_id"], extra["kind"], extra["desa_code"] = "GX", "network_problem", None
    extra["kecamatan_code"], extra["fac_id"] = None, None
    extra = extra.set_geometry([None], crs=model.WGS84)
    import pandas as pd

    result.gaps = gpd.GeoDataFrame(pd.concat([gaps, extra], ignore_index=True),
                                   geometry="geometry", crs=model.WGS84)
    text = export_webmap(project, result, tmp_path / "g.html", lang="en").read_text("utf-8")
    assert "1 gaps without a location are not drawn" in text
