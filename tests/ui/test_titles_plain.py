"""Issue 17: a dialog title never shows a menu's mnemonic mark ("Laporan &PDF…" in a title):
the open/save file dialogs, the about box and the web-map notice use the plain text."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox

from ui.qtext import plain


def test_plain_drops_marks_and_dots():
    assert plain("Laporan &PDF…") == "Laporan PDF"
    assert plain("&Buka proyek…") == "Buka proyek"
    assert plain("Simpan && tutup") == "Simpan & tutup"


def test_file_dialog_and_about_titles(qtbot, window, monkeypatch):
    titles = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda parent, title, *a, **k: (titles.append(title), ("", ""))[1])
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, title, *a, **k: (titles.append(title), ("", ""))[1])
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: titles.append(title))
    window.open_dialog()
    window.save_as()
    window.about()
    assert titles == ["Buka proyek", "Simpan sebagai", "Tentang ILP-GIS"]
    assert not any("&" in t or t.endswith("…") for t in titles)
