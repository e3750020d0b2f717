"""Qt's own texts in the chosen language (issue 17): standard buttons, message boxes, the
file dialog and text-field menus say "Batal", never "Cancel", in an Indonesian window."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
)

from ilp_gis.i18n import language
from ui.qtext import QT_TEXTS


@pytest.fixture
def translator(qtbot):
    from ui import app as qtapp

    return qtapp.install_translator(QApplication.instance())


def _texts(widget) -> set[str]:
    out = {b.text() for b in widget.findChildren(QPushButton)}
    out |= {lb.text() for lb in widget.findChildren(QLabel)}
    return {t for t in out if t}


def test_standard_buttons_in_indonesian(qtbot, translator):
    with language("id"):
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel
                               | QDialogButtonBox.StandardButton.Save)
        qtbot.addWidget(box)
        texts = {b.text().replace("&", "") for b in box.buttons()}
    assert texts == {"OK", "Batal", "Simpan"}


def test_message_box_yes_no(qtbot, translator):
    with language("id"):
        box = QMessageBox(QMessageBox.Icon.Question, "Judul", "Pertanyaan?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        qtbot.addWidget(box)
        texts = {b.text().replace("&", "") for b in box.buttons()}
    assert texts == {"Ya", "Tidak"}


def test_file_dialog_in_indonesian(qtbot, translator, tmp_path):
    with language("id"):
        dlg = QFileDialog(None, "Buka proyek", str(tmp_path), "GeoPackage (*.gpkg)")
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        qtbot.addWidget(dlg)
        texts = {t.replace("&", "") for t in _texts(dlg)}
    assert "Batal" in texts and "Cancel" not in texts
    assert "Cari di:" in texts and "Nama berkas:" in texts and "Jenis berkas:" in texts
    assert not {"Look in:", "File name:", "Files of type:"} & texts


def test_english_stays_english(qtbot, translator):
    with language("en"):
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        qtbot.addWidget(box)
        assert box.buttons()[0].text().replace("&", "") == "Cancel"


def test_every_qt_text_has_both_languages():
    from ilp_gis.i18n import has, tr

    for (context, source), key in QT_TEXTS.items():
        assert has(key), (context, source)
        with language("en"):
            english = tr(key)
        # a few Qt texts share one catalogue entry (same meaning, other wording)
        assert english.replace("&", "") == source.replace("&", "") or source in (
            "Kind", "Go back", "Go forward", "Go to the parent directory", "My Computer",
            "File Folder", "Create a New Folder", "Open"), (source, english)


def test_undo_actions_in_indonesian(qtbot, translator):
    from PySide6.QtGui import QUndoCommand, QUndoStack

    with language("id"):
        stack = QUndoStack()
        undo, redo = stack.createUndoAction(None), stack.createRedoAction(None)
        assert (undo.text(), redo.text()) == ("Urungkan", "Ulangi")
        stack.push(QUndoCommand("Simpan skenario A"))
        assert undo.text() == "Urungkan Simpan skenario A"
        stack.undo()
        assert redo.text() == "Ulangi Simpan skenario A"
    with language("en"):
        stack = QUndoStack()
        undo = stack.createUndoAction(None)
        stack.push(QUndoCommand("Save scenario A"))
        assert undo.text() == "Undo Save scenario A"
