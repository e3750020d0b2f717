"""The action plan panel (offscreen): cell edits checked by the domain, undo/redo through the
stack, payments, saving and reopening the project, and the meeting XLSX out and back in."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from ilp_gis.i18n import language
from ilp_gis.monitoring import actions as A
from ui.panels.monev import ActionPlanPanel

TODAY = dt.date(2026, 10, 15)


@pytest.fixture
def shown(monkeypatch):
    """Warnings are recorded instead of shown (a modal box would block the test)."""
    from PySide6.QtWidgets import QMessageBox

    texts: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: texts.append(a[2]))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: texts.append(a[2]))
    return texts


@pytest.fixture
def panel(qtbot, tiny_project, shown):
    tiny_project.set_layer("budget", pd.DataFrame({
        "budget_id": ["BL-1"], "source": ["dak_fisik"], "year": [2026],
        "activity": ["build_pustu"], "target_desa": ["35.07.01.2003"], "amount": [1.5e9],
        "status": ["disetujui"]}))
    A.add_action(tiny_project, kegiatan="Bangun Pustu Desa C", desa_code="35.07.01.2003",
                 start="2026-03-01", end="2026-09-30", budget_amount=1.5e9,
                 status="berjalan", responsible="Kabid Yankes")
    changed: list[str] = []
    with language("id"):
        p = ActionPlanPanel(tiny_project, QUndoStack(), on_changed=changed.append,
                            today=lambda: TODAY)
    p.changed_names = changed
    qtbot.addWidget(p)
    return p


def _idx(panel, row, column):
    cols = [c for c, _, _ in panel.model.spec]
    return panel.model.index(row, cols.index(column))


def _edit(panel, row, column, text) -> bool:
    with language("id"):
        return panel.model.setData(_idx(panel, row, column), text, Qt.EditRole)


def test_shows_every_field_with_labels_and_lateness(panel):
    m = panel.model
    assert m.rowCount() == 1
    assert m.data(_idx(panel, 0, "lokasi")) == "Desa C"
    assert m.data(_idx(panel, 0, "status")) == "Berjalan"
    assert m.data(_idx(panel, 0, "budget_amount")) == "Rp 1.500.000.000"
    assert m.data(_idx(panel, 0, "spent")) == "Rp 0"
    assert m.data(_idx(panel, 0, "end")) == "30 September 2026"
    assert m.data(_idx(panel, 0, "end"), Qt.EditRole) == "2026-09-30"  # edited as written
    # ends 30 Sep, still running on 15 Oct: 15 days late
    assert m.data(_idx(panel, 0, "late_text")) == "terlambat 15 hari"
    headers = [m.headerData(i, Qt.Horizontal) for i in range(m.columnCount())]
    for h in ("Kegiatan", "Penanggung jawab", "Mitra", "Mulai", "Selesai", "Anggaran (Rp)",
              "Baris anggaran", "Status", "Realisasi (Rp)", "Keluaran", "Catatan"):
        assert h in headers


def test_edit_undo_redo_and_refused_values(panel, shown):
    proj, stack = panel.project, panel.undo_stack
    assert _edit(panel, 0, "status", "Selesai")
    assert _edit(panel, 0, "partners", "PKK, Karang Taruna")
    assert _edit(panel, 0, "lokasi", "desa b")
    assert _edit(panel, 0, "budget_id", "BL-1")
    assert _edit(panel, 0, "budget_amount", "1,2 M")
    plan = A.plan(proj).iloc[0]
    assert plan["status"] == "selesai" and plan["partners"] == "PKK, Karang Taruna"
    assert plan["desa_code"] == "35.07.01.2002" and plan["budget_amount"] == 1.2e9
    assert plan["budget_id"] == "BL-1" and plan["funding_source"] == "dak_fisik"
    assert panel.model.data(_idx(panel, 0, "late_text")) == ""  # done: no longer late
    assert stack.count() == 5 and set(panel.changed_names) == {A.PLAN_TABLE}
    # refused: end before start, unknown status, unknown desa, unknown budget line
    assert not _edit(panel, 0, "end", "01/01/2026")
    assert not _edit(panel, 0, "status", "hampir")
    assert not _edit(panel, 0, "lokasi", "Desa Z")
    assert not _edit(panel, 0, "budget_id", "BL-9")
    assert len(shown) == 4 and stack.count() == 5
    assert "Desa Z" in shown[2] and "BL-9" in shown[3]
    assert not _edit(panel, 0, "partners", "PKK, Karang Taruna")  # same value: no command
    for _ in range(5):
        stack.undo()
    plan = A.plan(proj).iloc[0]
    assert plan["status"] == "berjalan" and plan["desa_code"] == "35.07.01.2003"
    assert plan["budget_amount"] == 1.5e9 and pd.isna(plan["partners"])
    assert panel.model.data(_idx(panel, 0, "status")) == "Berjalan"
    stack.redo()
    stack.redo()
    plan = A.plan(proj).iloc[0]
    assert plan["status"] == "selesai" and plan["partners"] == "PKK, Karang Taruna"
    assert pd.isna(plan["budget_id"])


def test_add_delete_and_payments_are_undoable(panel, shown):
    proj, stack = panel.project, panel.undo_stack
    with language("id"):
        aid = panel.add_action()
    assert aid == "RA-0002" and A.plan(proj)["kegiatan"].iloc[1] == "Kegiatan baru"
    panel.view.selectRow(0)
    assert panel.record_payment(dt.date(2026, 5, 2), "400 jt", "termin 1")
    assert panel.record_payment(dt.date(2026, 8, 2), "1.300.000.000", "termin 2")
    assert panel.pay_model.rowCount() == 2
    # spent above plan: 1.7 M of 1.5 M
    assert panel.model.data(_idx(panel, 0, "spent")) == "Rp 1.700.000.000"
    assert not panel.record_payment(dt.date(2026, 8, 3), "banyak")
    assert "banyak" in shown[-1] and len(A.spending(proj)) == 2
    panel.pay_view.selectRow(1)
    panel.delete_selected_payment()
    assert list(A.spending(proj)["amount"]) == [400e6]
    stack.undo()
    assert list(A.spending(proj)["amount"]) == [400e6, 1.3e9]
    panel.view.selectRow(0)
    panel.delete_selected()
    assert list(A.plan(proj)["action_id"]) == ["RA-0002"] and not len(A.spending(proj))
    stack.undo()  # one step puts back the action and its payments
    assert list(A.plan(proj)["action_id"]) == ["RA-0001", "RA-0002"]
    assert len(A.spending(proj)) == 2
    while stack.canUndo():
        stack.undo()
    assert list(A.plan(proj)["action_id"]) == ["RA-0001"] and not len(A.spending(proj))


def test_save_and_reopen_keep_the_edits(panel, tmp_path):
    from layers.project_file import open_project, save_project

    assert _edit(panel, 0, "output", "Gedung Pustu siap pakai")
    assert _edit(panel, 0, "note", "menunggu serah terima")
    panel.view.selectRow(0)
    assert panel.record_payment(dt.date(2026, 6, 30), "750 jt")
    path = tmp_path / "proyek.gpkg"
    save_project(panel.project, path)
    back = open_project(path)
    plan = A.plan(back)
    assert list(plan["action_id"]) == ["RA-0001"]
    assert plan["output"].iloc[0] == "Gedung Pustu siap pakai"
    assert plan["note"].iloc[0] == "menunggu serah terima"
    assert plan["end"].iloc[0] == "2026-09-30" and plan["responsible"].iloc[0] == "Kabid Yankes"
    assert float(A.spending(back)["amount"].sum()) == 750e6
    # the reopened project in a new panel shows the same
    with language("id"):
        again = ActionPlanPanel(back, QUndoStack(), today=lambda: TODAY)
    assert again.model.data(_idx(again, 0, "spent")) == "Rp 750.000.000"
    assert again.model.data(_idx(again, 0, "output")) == "Gedung Pustu siap pakai"


def test_xlsx_out_and_back_in_is_one_undo_step(panel, tmp_path):
    import openpyxl

    with language("id"):
        out = panel.export_xlsx(tmp_path / "rapat.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb[wb.sheetnames[0]]
    heads = {c.value: c.column for row in ws.iter_rows(min_row=1, max_row=6) for c in row
             if c.value}
    head_row = next(r for r in range(1, 7) if ws.cell(r, heads["Kegiatan"]).value == "Kegiatan")
    ws.cell(head_row + 1, heads["Status"]).value = "Selesai"
    ws.cell(head_row + 2, heads["Kegiatan"]).value = "Pelatihan kader Desa A"
    wb.save(out)
    with language("id"):
        added, updated, payments = panel.import_xlsx(out)
    assert (added, updated, payments) == (1, 1, 0)
    plan = A.plan(panel.project)
    assert list(plan["status"]) == ["selesai", "belum_mulai"]
    assert plan["kegiatan"].iloc[1] == "Pelatihan kader Desa A"
    assert panel.model.rowCount() == 2
    panel.undo_stack.undo()
    assert list(A.plan(panel.project)["status"]) == ["berjalan"]
