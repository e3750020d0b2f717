"""Issue 17: the import dialog speaks the UI language — the column mapping names each field as
a person reads it ("Desa tertulis", not ``declared_desa``), and the report table's headers,
statuses and problems are words, as in the exported report."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

RAW_NAME = re.compile(r"^[a-z]+(_[a-z0-9]+)+$|^[a-z]+$")
"""An identifier as the code knows it ("declared_desa", "code", "ilp_lokus")."""


def test_every_mapping_field_has_a_label_in_both_languages():
    from ilp_gis.i18n import language
    from layers.columns import SYNONYMS
    from ui.import_dialog import import_field_label

    for lang in ("id", "en"):
        with language(lang):
            for role, fields in SYNONYMS.items():
                labels = [import_field_label(role, f) for f in fields]
                raw = [f for f, lab in zip(fields, labels, strict=True) if lab == f]
                assert not raw, (lang, role, raw)
                # two fields of one role never read the same
                assert len(set(labels)) == len(labels), (lang, role, labels)
    with language("id"):
        assert import_field_label("facilities", "declared_desa") == "Desa tertulis"
        assert import_field_label("facilities", "ilp_lokus") == "Lokus ILP"
        assert import_field_label("facilities", "code") == "Kode fasilitas"
        assert import_field_label("context", "level") != import_field_label("facilities",
                                                                            "level")
    with language("en"):
        assert import_field_label("facilities", "declared_desa") == "Declared desa"


def test_dialog_shows_labels_and_a_translated_report(qtbot, state, shown_errors, tmp_path):
    from layers.importing.report import role_label
    from ui.import_dialog import ImportDialog

    csv = tmp_path / "pustu.csv"
    csv.write_text("nama;lintang;bujur;desa\nPustu Satu;-8,085;112,615;Desa A\n"
                   "Pustu Rusak;abc;112,7;Desa B\n", encoding="utf-8")
    dlg = ImportDialog(state, None, paths=[csv])
    qtbot.addWidget(dlg)
    dlg.files.selectRow(0)
    rows = {dlg.columns.item(i, 0).data(Qt.UserRole): dlg.columns.item(i, 0).text()
            for i in range(dlg.columns.rowCount())}
    assert rows["declared_desa"] == "Desa tertulis" and rows["lat"] == "Lintang"
    assert not [t for t in rows.values() if RAW_NAME.match(t)], rows
    headers = [dlg.columns.horizontalHeaderItem(i).text() for i in range(2)]
    assert headers == ["Isian", "Kolom di berkas"]
    project, report = dlg.import_job()()
    dlg.show_report(report)
    m = dlg.report_model
    shown = [m.headerData(c, Qt.Horizontal) for c in range(m.columnCount())
             if not dlg.report_view.isColumnHidden(c)]
    assert shown == ["berkas", "peran", "baris", "status", "masalah", "keterangan",
                     "nilai asli"]
    status_col = m.column_of("status")
    statuses = {m.data(m.index(r, status_col)) for r in range(m.rowCount())}
    assert "imported" not in statuses and "doubtful" not in statuses
    assert "diragukan" in statuses  # the row with coordinates "abc"
    role_col = m.column_of("role")
    assert {m.data(m.index(r, role_col)) for r in range(m.rowCount())} == {
        role_label("facilities")} and role_label("facilities") != "facilities"
    # the status filter still works on the codes behind the words
    i = dlg.status_box.findData("doubtful")
    assert i > 0 and dlg.status_box.itemText(i).startswith("diragukan")
    dlg.status_box.setCurrentIndex(i)
    assert dlg.report_proxy.rowCount() == 1
    assert not shown_errors
