"""The web map's options in the desktop app's output dialog (issue 17): the colour figure (labels
in the UI language, "otomatis" first), an offline basemap file, the online basemap and the PWS
indicator of the period slider, each reaching ``export_webmap`` in the worker; a wrong basemap
file is told in the UI language and nothing is written."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest
from PySide6.QtWidgets import QDialog, QFileDialog

from ilp_gis.analysis import analyze
from ilp_gis.i18n import language
from ilp_gis.monitoring import pws
from tests.layers.test_mbtiles import make_mbtiles, png
from ui.output_dialog import KINDS, OutputChoice, OutputDialog

TILE_COLOUR = (20, 190, 240)


@pytest.fixture
def analysed(window):
    window.state.set_result(analyze(window.state.project))
    return window


@pytest.fixture
def no_browser(monkeypatch):
    from PySide6.QtGui import QDesktopServices

    opened: list = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    return opened


def _wait(qtbot, window):
    qtbot.waitUntil(lambda: "webmap" not in window.tasks, timeout=120000)


def _overlays(text: str) -> dict[str, bool]:
    """Layer control name -> switched on when the map opens."""
    block = re.search(r"overlays :\s*\{(.*?)\}", text, re.S).group(1)
    return {json.loads(name): f"{var}.addTo(" in text
            for name, var in re.findall(r'("(?:[^"\\]|\\.)*") : (ilp_layer_[0-9a-f]+)', block)}


def _tiles(tmp_path):
    # the tiny district of tests/ui/conftest.py: lon 112.60-112.78, lat -8.10--8.07; at z10
    # x = (112.60 + 180) / 360 * 1024 = 832.3 .. 832.8 -> column 832, and
    # y = (1 - asinh(tan(lat)) / pi) / 2 * 1024 = 535.03 .. 535.14 -> row 535
    tiles = {(10, x, y): png(TILE_COLOUR) for x in range(831, 834) for y in range(533, 537)}
    return make_mbtiles(tmp_path / "dasar.mbtiles", tiles)


def test_web_map_options_shown_only_for_the_web_map(qtbot):
    dlg = OutputDialog(None, kind="plan")
    qtbot.addWidget(dlg)
    web = {"colour_by", "basemap", "online_basemap", "pws"}
    assert not web & dlg.visible_fields()
    assert dlg.choice().colour_by is None and dlg.choice().online_basemap is False
    dlg.kind.setCurrentIndex(KINDS.index("webmap"))
    assert dlg.visible_fields() == {"kind"} | web
    assert all(dlg.form.isRowVisible(dlg.rows[k]) for k in web)
    # "otomatis" first, then every figure by its Indonesian label
    items = [dlg.colour_by.itemText(i) for i in range(dlg.colour_by.count())]
    assert items[0] == "otomatis" and "Penduduk" in items and "Jarak ke Pustu terdekat" in items
    assert dlg.colour_by.itemData(0) == "auto"
    # no PWS values: the choice is disabled and says which input gives it
    assert not dlg.pws.isEnabled() and dlg.pws.currentText() == "tidak ada data"
    assert "impor tabel indikator PWS" in dlg.pws.toolTip()
    ch = dlg.choice()
    assert (ch.colour_by, ch.basemap, ch.online_basemap, ch.pws_indicator) == (
        "auto", None, False, None)
    with language("en"):
        en = OutputDialog(None, kind="webmap")
        qtbot.addWidget(en)
        assert en.colour_by.itemText(0) == "automatic" and en.colour_by.findText("Population") > 0


def test_pws_indicators_offered_when_the_project_has_values(qtbot):
    dlg = OutputDialog(None, kind="webmap", pws_indicators=[("k4", "K4 ibu hamil")])
    qtbot.addWidget(dlg)
    assert dlg.pws.isEnabled() and dlg.pws.count() == 2
    assert dlg.choice().pws_indicator is None  # the default: the first with values, not shown
    dlg.pws.setCurrentIndex(1)
    assert dlg.pws.currentText() == "K4 ibu hamil" and dlg.choice().pws_indicator == "k4"


def test_basemap_picker_offers_mbtiles_and_pmtiles(qtbot, monkeypatch, tmp_path):
    asked = {}

    def open_name(parent, title, start, filt):
        asked["filter"] = filt
        return str(tmp_path / "dasar.pmtiles"), filt

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(open_name))
    dlg = OutputDialog(None, kind="webmap")
    qtbot.addWidget(dlg)
    assert dlg.basemap.placeholderText() == "tidak ada (opsional)"
    dlg._pick_basemap()
    assert asked["filter"] == "Peta dasar (*.mbtiles *.pmtiles)"
    assert dlg.choice().basemap == str(tmp_path / "dasar.pmtiles")


def test_dialog_options_reach_the_web_map(qtbot, analysed, tmp_path, monkeypatch, no_browser):
    mbtiles = _tiles(tmp_path)
    out = tmp_path / "peta.html"

    def exec_(dlg):
        dlg.colour_by.setCurrentIndex(dlg.colour_by.findData("population"))
        dlg.basemap.setText(str(mbtiles))
        dlg.online_basemap.setChecked(True)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(OutputDialog, "exec", exec_)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a: (str(out), "HTML (*.html)")))
    analysed.out_actions["webmap"].trigger()
    _wait(qtbot, analysed)
    text = out.read_text("utf-8")
    layers = _overlays(text)
    assert layers["Desa menurut Penduduk"] is True  # the chosen figure colours the desa
    block = re.search(r'<script type="application/json" id="ilp-data-basemap">(.*?)</script>',
                      text, re.S).group(1)
    tiles = json.loads(block)
    assert sorted(tiles) == ["10/832/535"]  # the one tile under the district (worked out above)
    assert base64.b64decode(tiles["10/832/535"]) == png(TILE_COLOUR)
    assert "tile.openstreetmap.org" in text  # the online basemap was asked for
    assert len(no_browser) == 1


def test_default_options_keep_the_map_offline(qtbot, analysed, tmp_path, no_browser):
    out = tmp_path / "peta.html"
    analysed.write_output(OutputChoice(kind="webmap", colour_by="dist_pustu_km"), str(out))
    _wait(qtbot, analysed)
    text = out.read_text("utf-8")
    assert _overlays(text)["Desa menurut Jarak ke Pustu terdekat"] is True
    assert "tile.openstreetmap.org" not in text and 'id="ilp-data-basemap"' not in text


def test_pws_indicator_shown_when_the_map_opens(qtbot, analysed, tmp_path, monkeypatch,
                                                no_browser):
    from ui.window.outputs import pws_choices

    project = analysed.state.project
    assert pws_choices(project) == []
    codes = list(project.desa["code"])
    project.set_table(pws.VALUES_TABLE, pd.DataFrame(
        [{"period": "2026-01", "desa_code": codes[0], "indicator": "k4", "value": 3.0,
          "denominator": np.nan, "source_file": "k4.csv"}]))
    assert pws_choices(project) == [("k4", "K4 ibu hamil")]
    seen = {}

    def exec_(dlg):
        seen["enabled"] = dlg.pws.isEnabled()
        dlg.pws.setCurrentIndex(dlg.pws.findData("k4"))
        return QDialog.DialogCode.Accepted

    out = tmp_path / "pws.html"
    monkeypatch.setattr(OutputDialog, "exec", exec_)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a: (str(out), "HTML (*.html)")))
    analysed.export_output("webmap")
    _wait(qtbot, analysed)
    layers = _overlays(out.read_text("utf-8"))
    assert seen["enabled"] is True
    assert layers["PWS K4 ibu hamil per bulan (geser periode)"] is True
    assert not any(v for k, v in layers.items() if k.startswith("Desa menurut"))


def test_bad_basemap_file_is_told_and_nothing_written(qtbot, analysed, tmp_path, shown_errors,
                                                      no_browser):
    bad = tmp_path / "rusak.mbtiles"
    bad.write_text("zoom,x,y\n1,2,3\n")
    out = tmp_path / "peta.html"
    analysed._expected_errors = 1
    analysed.write_output(OutputChoice(kind="webmap", basemap=str(bad)), str(out))
    _wait(qtbot, analysed)
    assert len(shown_errors) == 1
    from ui.app import error_text

    message = error_text(shown_errors[0][0])
    assert "rusak.mbtiles" in message
    assert "bukan berkas MBTiles (basis data SQLite) maupun PMTiles" in message
    assert not out.exists() and no_browser == []
    assert list(tmp_path.glob("peta*")) == []  # no partial file either


def test_help_page_tells_the_web_map_options():
    from ui.help_view import help_html

    assert "MBTiles/PMTiles" in help_html("id") and "penggeser periode" in help_html("id")
    assert "MBTiles/PMTiles" in help_html("en") and "period slider" in help_html("en")


def test_dialog_texts_follow_the_ui_language(qtbot):
    """Every label, choice, placeholder and tooltip of the web map's dialog changes with the
    language; only names written alike in both (paper sizes, NIP, OK, the indicator) stay."""
    from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPushButton, QWidget

    from ui import app as qtapp

    qtapp.install_translator(__import__("PySide6.QtWidgets", fromlist=["QApplication"])
                             .QApplication.instance())

    def texts(dlg) -> set[str]:
        out = {w.text() for kind in (QLabel, QPushButton, QCheckBox)
               for w in dlg.findChildren(kind)}
        out |= {c.itemText(i) for c in dlg.findChildren(QComboBox) for i in range(c.count())}
        out |= {w.placeholderText() for w in dlg.findChildren(QLineEdit)}
        out |= {w.toolTip() for w in dlg.findChildren(QWidget)}
        return {t for t in out if t}

    seen = {}
    for lang in ("id", "en"):
        with language(lang):
            dlg = OutputDialog(None, kind="webmap", pws_indicators=[("k4", "K4")])
            qtbot.addWidget(dlg)
            seen[lang] = texts(dlg)
    assert seen["id"] & seen["en"] == {"A3", "A4", "K4", "Logo (PNG/JPEG)", "NIP", "OK"}
    assert "Peta dasar luring" in seen["id"] and "Offline basemap" in seen["en"]


def test_web_map_options_offered_again(qtbot, analysed, tmp_path, monkeypatch, shown_errors,
                                       no_browser):
    """After a wrong basemap file the dialog opens with the options chosen before."""
    bad = tmp_path / "salah.pmtiles"
    bad.write_bytes(b"PMTiles\x03" + b"\x00" * 20)
    seen = []

    def exec_(dlg):
        seen.append((dlg.colour_by.currentData(), dlg.basemap.text(),
                     dlg.online_basemap.isChecked()))
        if len(seen) == 1:
            dlg.colour_by.setCurrentIndex(dlg.colour_by.findData("priority_score"))
            dlg.basemap.setText(str(bad))
            dlg.online_basemap.setChecked(True)
            return QDialog.DialogCode.Accepted
        return QDialog.DialogCode.Rejected

    out = tmp_path / "peta.html"
    monkeypatch.setattr(OutputDialog, "exec", exec_)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a: (str(out), "HTML (*.html)")))
    analysed._expected_errors = 1
    analysed.export_output("webmap")
    _wait(qtbot, analysed)
    assert len(shown_errors) == 1 and "salah.pmtiles" in str(shown_errors[0][0])
    assert not out.exists()
    analysed.export_output("webmap")
    assert seen == [("auto", "", False), ("priority_score", str(bad), True)]
