"""The web map's PWS layer with a period slider (issue 14): every month's data in the page, the
slider drawn offline, classes worked out by hand.  K4 against the estimated sasaran (population
x 1.8 %): Desa A (1000 people) 18 ibu hamil, Desa B (2000) 36; Desa E has no population."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ilp_gis.errors import InputError
from ilp_gis.i18n import language
from ilp_gis.monitoring import pws
from layers import symbology as sym
from reports.webmap import export_webmap, offline_problems
from tests.reports.test_webmap import _chromium, _parse, screenshot
from tests.reports.webmap_fixtures import make_district


@pytest.fixture
def district():
    project, result = make_district()
    codes = list(project.desa["code"])
    a, b, e = codes[0], codes[1], codes[4]
    rows = [  # Jan: A 3/18 = 16.7 % >= 8.3 % -> baik; B 1/36 = 2.8 % -> cukup
        (a, "2026-01", 3), (b, "2026-01", 1), (e, "2026-01", 4),
        # Feb: A 4/18 = 22.2 % >= 16.7 % but 1 < 3 visits -> kurang; B 1/36, 0 < 1 -> jelek
        (a, "2026-02", 1), (b, "2026-02", 0), (e, "2026-02", 4)]
    project.set_table(pws.VALUES_TABLE, pd.DataFrame(
        [{"period": p, "desa_code": d, "indicator": "k4", "value": float(v),
          "denominator": np.nan, "source_file": "k4.csv"} for d, p, v in rows]))
    return project, result


def test_every_period_and_the_slider_are_in_the_page(district, tmp_path):
    project, result = district
    with language("id"):
        out = export_webmap(project, result, tmp_path / "peta.html", pws_indicator="K4")
    text, page = _parse(out)
    assert offline_problems(text) == []
    data = json.loads(page.data["pws-periods"])
    assert [p["c"] for p in data["p"]] == ["2026-01", "2026-02"]
    assert [p["l"] for p in data["p"]] == ["Januari 2026", "Februari 2026"]
    assert np.allclose([p["e"] for p in data["p"]], [1 / 12, 2 / 12], atol=1e-4)
    codes = data["codes"]
    assert codes == list(project.desa["code"])
    jan, feb = data["p"]
    assert jan["k"] == ["baik", "cukup", None, None, None, None]
    assert feb["k"] == ["kurang", "jelek", None, None, None, None]
    assert np.allclose(jan["a"][:2], [3 / 18, 1 / 36], atol=1e-4)
    assert np.allclose(feb["a"][:2], [4 / 18, 1 / 36], atol=1e-4)
    assert feb["a"][4] is None  # values but no sasaran: no data, never 0
    assert data["styles"]["jelek"]["fill"] == sym.PWS_STYLES["jelek"].fill
    assert data["t"]["dec"] == ","
    # the slider script is inline and the layer is named in the layer control
    assert "ILP.periodLayer = function" in text and 'type="range"' in text
    assert "PWS K4 ibu hamil per bulan (geser periode)" in text


def test_without_pws_values_no_layer_and_the_first_indicator_by_default(district, tmp_path):
    project, result = district
    out = export_webmap(project, result, tmp_path / "a.html")
    _, page = _parse(out)
    assert "pws-periods" in page.data  # k4 is the first indicator with values
    project.tables.pop(pws.VALUES_TABLE)
    out = export_webmap(project, result, tmp_path / "b.html")
    text, page = _parse(out)
    assert "pws-periods" not in page.data and "ILP.periodLayer" not in text


def test_an_indicator_without_values_is_named_and_nothing_written(district, tmp_path):
    project, result = district
    with language("id"), pytest.raises(InputError, match="K1 ibu hamil.*K4 ibu hamil"):
        export_webmap(project, result, tmp_path / "c.html", pws_indicator="k1")
    with language("id"), pytest.raises(InputError, match="cacar"):
        export_webmap(project, result, tmp_path / "c.html", pws_indicator="cacar")
    assert not (tmp_path / "c.html").exists()


@pytest.mark.slow
def test_headless_chromium_draws_the_latest_month(district, tmp_path):
    if _chromium() is None:
        pytest.skip("chromium is not installed (Debian packages: chromium chromium-driver)")
    from PIL import Image

    project, result = district
    html = export_webmap(project, result, tmp_path / "peta.html", pws_indicator="k4")
    png = tmp_path / "peta.png"
    profile = tmp_path / "profile"
    profile.mkdir()
    log = screenshot(html, png, profile)
    console = [line for line in log.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "Uncaught" in line or "Error" in line], console
    img = np.asarray(Image.open(png).convert("RGB")).astype(int)

    def count(key: str, tol: int = 12) -> int:
        st = sym.PWS_STYLES[key]
        rgb = np.array(sym.hex_to_rgb(st.fill), dtype=float) * st.fill_opacity + 255 * (
            1 - st.fill_opacity)
        return int((np.abs(img - rgb).max(axis=2) <= tol).sum())

    # February: Desa A kurang, Desa B jelek fill their squares; January's baik is not drawn
    # on the map (only as a legend swatch)
    assert count("kurang") > 3000 and count("jelek") > 3000
    assert count("baik") < 1500
