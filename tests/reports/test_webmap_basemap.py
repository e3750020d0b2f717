"""The web map's offline basemap from a planner's MBTiles file: embedded, drawn, validated."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from ilp_gis.errors import InputError
from reports.webmap import export_webmap, offline_problems
from tests.layers.test_mbtiles import make_mbtiles, png
from tests.reports.test_webmap import _chromium, screenshot
from tests.reports.test_webmap_view import _overlays
from tests.reports.webmap_fixtures import make_district

TILE_COLOUR = (20, 190, 240)  # a colour no other part of the map uses


@pytest.fixture
def district():
    return make_district()


@pytest.fixture
def mbtiles(tmp_path):
    # z10 tiles around the hand-made district (832/534 and 832/535 cover it, see test_mbtiles)
    tiles = {(10, x, y): png(TILE_COLOUR) for x in range(831, 834) for y in range(533, 537)}
    return make_mbtiles(tmp_path / "dasar.mbtiles", tiles, meta={
        "name": "Peta <b>uji</b>", "format": "png",
        "attribution": "<img src=x onerror=alert(1)> © Uji"})


def test_basemap_tiles_embedded_and_layer_listed(district, mbtiles, tmp_path):
    project, result = district
    out = export_webmap(project, result, tmp_path / "peta.html", basemap=mbtiles)
    text = out.read_text("utf-8")
    block = re.search(r'<script type="application/json" id="ilp-data-basemap">(.*?)</script>',
                      text, re.S).group(1)
    tiles = json.loads(block)
    assert sorted(tiles) == ["10/832/534", "10/832/535"]
    assert base64.b64decode(tiles["10/832/534"]) == png(TILE_COLOUR)
    assert "ILP.basemapLayer(" in text and '"minZoom":10,"maxZoom":10' in text
    # names and attribution from the file are text, never markup
    assert _overlays(text)["Peta dasar: Peta &lt;b&gt;uji&lt;/b&gt;"] is True
    assert "&lt;img src=x onerror=alert(1)&gt; © Uji" in text
    outside = re.sub(r'<script type="application/json".*?</script>', "", text, flags=re.S)
    assert "<img src=x" not in outside and "<b>uji" not in outside
    # the desa colours let the basemap show through; still nothing fetched from the network
    assert '"fillOpacity":0.55' in text
    assert offline_problems(text) == []
    assert "tile.openstreetmap.org" not in text


def test_without_basemap_nothing_of_it(district, tmp_path):
    project, result = district
    text = export_webmap(project, result, tmp_path / "p.html").read_text("utf-8")
    assert 'id="ilp-data-basemap"' not in text and '"fillOpacity":0.85' in text


def test_bad_basemap_fails_before_writing(district, tmp_path):
    project, result = district
    bad = tmp_path / "peta.mbtiles"
    bad.write_text("bukan sqlite")
    out = tmp_path / "peta.html"
    with pytest.raises(InputError, match="bukan berkas MBTiles"):
        export_webmap(project, result, out, basemap=bad, lang="id")
    assert not out.exists()


def test_cli_basemap_errors_exit_1_naming_the_file(district, tmp_path, capsys):
    from layers.project_file import save_project
    from ui.cli import main

    project, result = district
    for name, frame in (("result_desa", result.desa), ("result_gaps", result.gaps),
                        ("result_kecamatan", result.kecamatan), ("result_edges", result.edges)):
        project.set_table(name, frame)
    gpkg = save_project(project, tmp_path / "p.gpkg")
    bad = make_mbtiles(tmp_path / "vektor.mbtiles", {(10, 832, 534): png()},
                       meta={"format": "pbf"})
    out = tmp_path / "peta.html"
    capsys.readouterr()
    assert main(["webmap", str(gpkg), "-o", str(out), "--basemap", str(bad)]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "ubin vektor" in err and "Traceback" not in err
    assert not out.exists()
    assert main(["webmap", str(gpkg), "-o", str(out), "--basemap",
                 str(tmp_path / "tidak-ada.mbtiles")]) == 1
    assert not out.exists()


@pytest.mark.slow
def test_headless_chromium_draws_the_basemap(district, mbtiles, tmp_path):
    if _chromium() is None:
        pytest.skip("chromium is not installed (Debian packages: chromium chromium-driver)")
    from PIL import Image

    project, result = district
    html = export_webmap(project, result, tmp_path / "peta.html", basemap=mbtiles)
    png_path = tmp_path / "peta.png"
    profile = tmp_path / "profile"
    profile.mkdir()
    log = screenshot(html, png_path, profile)
    console = [line for line in log.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "Uncaught" in line or "Error" in line], console
    img = np.asarray(Image.open(png_path).convert("RGB")).astype(int)
    # the tile colour, as is around the district (the map is zoomed past z10: enlarged tiles)
    around = (np.abs(img - np.array(TILE_COLOUR)).max(axis=2) <= 6).sum()
    assert around > 20_000


def test_pmtiles_basemap_too(district, tmp_path):
    from tests.layers.test_pmtiles import make_pmtiles

    project, result = district
    tiles = {(10, x, y): png(TILE_COLOUR) for x in range(831, 834) for y in range(533, 537)}
    path = make_pmtiles(tmp_path / "dasar.pmtiles", tiles, meta={"name": "PM uji"})
    text = export_webmap(project, result, tmp_path / "p.html", basemap=path).read_text("utf-8")
    block = re.search(r'<script type="application/json" id="ilp-data-basemap">(.*?)</script>',
                      text, re.S).group(1)
    assert sorted(json.loads(block)) == ["10/832/534", "10/832/535"]
    assert _overlays(text)["Peta dasar: PM uji"] is True
