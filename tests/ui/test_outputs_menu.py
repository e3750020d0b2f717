"""Every output is reachable from the desktop app (issue 17): a Laporan menu with the plan,
summary, wall map, atlas per kecamatan and per desa, XLSX and web map, one dialog showing the
options that apply, each written in a worker; titles carry no mnemonic marks."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog

from ilp_gis.analysis import analyze
from ui.output_dialog import KINDS, OutputChoice, OutputDialog


def test_dialog_shows_the_options_of_the_output(qtbot):
    dlg = OutputDialog(None, kind="plan", kecamatan=[("35.07.02", "Beta"), ("35.07.01", "Alpha")])
    qtbot.addWidget(dlg)
    assert {"budget_year", "signer", "nip", "logo", "paper", "kecamatan"} <= dlg.visible_fields()
    for key in ("signer", "logo"):
        assert dlg.form.isRowVisible(dlg.rows[key])
    dlg.kind.setCurrentIndex(KINDS.index("xlsx"))
    assert dlg.visible_fields() == {"kind"}
    assert not dlg.form.isRowVisible(dlg.rows["paper"])
    dlg.kind.setCurrentIndex(KINDS.index("atlas_desa"))
    assert "kecamatan" in dlg.visible_fields() and "signer" not in dlg.visible_fields()
    assert [dlg.kecamatan.itemText(i) for i in range(dlg.kecamatan.count())][1:] == [
        "Alpha", "Beta"]
    dlg.kecamatan.setCurrentIndex(1)
    ch = dlg.choice()
    assert ch.kind == "atlas_desa" and ch.kecamatan == "35.07.01" and ch.signer is None


@pytest.fixture
def analysed(window):
    window.state.set_result(analyze(window.state.project))
    return window


def _wait(qtbot, window, kind):
    qtbot.waitUntil(lambda: kind not in window.tasks or not window.tasks[kind].running,
                    timeout=120000)


@pytest.mark.parametrize("kind", ["plan", "wallmap", "atlas_desa", "xlsx", "webmap"])
def test_each_output_is_written(qtbot, analysed, tmp_path, monkeypatch, kind):
    from PySide6.QtGui import QDesktopServices

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda *a: True)
    choice = OutputChoice(kind=kind, signer="dr. Uji Coba" if kind == "plan" else None)
    out = tmp_path / f"keluaran{choice.suffix}"
    analysed.write_output(choice, str(out))
    _wait(qtbot, analysed, "report" if kind not in ("xlsx", "webmap") else kind)
    assert out.exists() and out.stat().st_size > 1000
    if kind == "plan":
        from tests.reports.helpers import pdf_text

        assert "dr. Uji Coba" in pdf_text(out)
    if kind == "atlas_desa":
        from pypdf import PdfReader

        assert len(PdfReader(str(out)).pages) == len(analysed.state.result.desa)


def test_menu_and_dialog_path(qtbot, analysed, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda *a: True)
    menu = analysed.menus["ui.menu.outputs"]
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert texts[:2] == ["Laporan perencanaan PDF…", "Ringkasan PDF…"]
    assert "Atlas per desa…" in texts and "Tabel XLSX…" in texts and "Peta web…" in texts
    out = tmp_path / "ringkasan.pdf"
    asked = {}

    def save_name(parent, title, start, filt):
        asked.update(title=title, start=start, filt=filt)
        return str(out), filt

    labels = []
    real_run = analysed.run_task

    def run_task(kind, fn, label, **kw):
        labels.append(label)
        return real_run(kind, fn, label, **kw)

    monkeypatch.setattr(analysed, "run_task", run_task)
    monkeypatch.setattr(OutputDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
    analysed.out_actions["summary"].trigger()
    _wait(qtbot, analysed, "report")
    assert out.exists()
    assert asked["title"] == "Ringkasan (PDF)" and asked["start"].endswith("ringkasan_ilp.pdf")
    assert labels == ["Ringkasan (PDF)"]  # the task's title, no mnemonic marks


def test_report_button_fits_a_laptop_screen(qtbot, window):
    from PySide6.QtWidgets import QToolBar

    window.resize(1366, 768)
    qtbot.wait(50)
    bar = window.findChild(QToolBar, "main_toolbar")
    button = bar.widgetForAction(window.act_report)
    assert button is not None and button.isVisible()  # not pushed into the » overflow
    assert button.geometry().right() <= bar.width()
    assert button.text() == "Laporan PDF"


def test_f1_opens_the_help_inside_the_app(qtbot, window):
    from ilp_gis.i18n import language
    from ui.help_view import HelpDialog, help_html

    assert "Bantuan ILP-GIS" in help_html("id") and "ILP-GIS help" in help_html("en")
    assert "Laporan perencanaan PDF" in help_html("id")
    assert "http" not in help_html("id")  # works offline: no link out
    window.act_tour.trigger()
    dlg = window.findChild(HelpDialog)
    assert dlg is not None and dlg.isVisible()
    text = dlg.browser.toPlainText()
    assert "tidak ada data" in text and "Ctrl+P" in text
    with language("en"):
        assert help_html().startswith("<html>") and "Keyboard shortcuts" in help_html()
