"""The main window's behaviour: selection sync, undo of edits incl. the analysis, cancelled
work, bad files, the unsaved-changes prompt, saving, recovery copies and language."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ilp_gis.errors import Cancelled


def _wait_idle(qtbot, win, timeout=60000):
    qtbot.waitUntil(lambda: not win.busy() and not win.analysis_timer.isActive(), timeout=timeout)


def test_map_selection_selects_in_table_and_tree(qtbot, window):
    st = window.state
    st.select("facilities", ["pst2"])
    assert window.table.layer == "facilities"
    assert window.table.selected_keys() == ["pst2"]
    assert len(window.network_tree.tree.selectedItems()) == 1
    assert window.network_tree.tree.selectedItems()[0].text(0) == "Pustu B"
    # and back: selecting rows in the table selects on the map
    window.table.view.selectRow(0)
    assert st.selection[0] == "facilities" and len(st.selection[1]) == 1


def test_tree_click_selects_and_zooms(qtbot, window):
    item = window.network_tree.items["psy1"]
    before = window.canvas.view.mupp
    window.network_tree.tree.setCurrentItem(item)
    window.network_tree._on_click(item, 0)
    assert window.state.selection == ("facilities", ("psy1",))
    assert window.canvas.view.mupp < before


def test_edit_then_undo_restores_data_and_analysis(qtbot, window):
    st = window.state
    fac_before = st.project.facilities.copy()
    gaps_before = set(st.result.gaps["gap_id"])
    assert "no_pustu:35.07.01.2003" in gaps_before
    # a Pustu for Desa C (which has none): the analysis re-runs and the gap disappears
    assert window.push(lambda: __import__("ui.commands", fromlist=["x"]).add_facility(
        st, {"lon": 112.60 + 2.5 * 0.03, "lat": -8.10 + 0.5 * 0.03, "type": "pustu",
             "name": "Pustu C", "parent_id": "pkm1"}))
    assert len(st.project.facilities) == len(fac_before) + 1
    _wait_idle(qtbot, window)
    assert st.result_is_current
    assert "no_pustu:35.07.01.2003" not in set(st.result.gaps["gap_id"])
    assert window.isWindowModified()
    window.undo_stack.undo()
    assert st.project.facilities.equals(fac_before)
    assert st.result_is_current  # the earlier result came back with the data
    assert set(st.result.gaps["gap_id"]) == gaps_before
    window.undo_stack.redo()
    _wait_idle(qtbot, window)
    assert "no_pustu:35.07.01.2003" not in set(st.result.gaps["gap_id"])


def test_table_edit_changes_parent_through_undo_stack(qtbot, window):
    st = window.state
    t = window.table
    col = t.model.column_of("parent_id")
    row = t.model.row_of("psy5")
    idx = t.proxy.mapFromSource(t.model.index(row, col))
    assert t.proxy.setData(idx, "pst4")
    assert st.project.facilities.set_index("fac_id").loc["psy5", "parent_id"] == "pst4"
    assert window.undo_stack.count() == 1
    # a bad parent is refused with a message, nothing changes
    shown = []
    qtbot_mp = pytest.MonkeyPatch()
    qtbot_mp.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    try:
        assert not window.edit_value("psy5", "parent_id", "nope")
    finally:
        qtbot_mp.undo()
    assert shown and "nope" in shown[0]
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert st.project.facilities.set_index("fac_id").loc["psy5", "parent_id"] is None


def test_delete_selected_and_undo(qtbot, window):
    st = window.state
    n = len(st.project.facilities)
    st.select("facilities", ["psy1", "psy2"])
    window.delete_selected()
    assert len(st.project.facilities) == n - 2
    window.undo_stack.undo()  # one macro undoes both
    assert len(st.project.facilities) == n


def test_cancelled_task_leaves_state_unchanged(qtbot, window):
    st = window.state
    result_before, revision_before = st.result, st.revision

    def slow(progress=None, is_cancelled=None):
        from ilp_gis.jobs import checkpoint

        for i in range(200):
            checkpoint(progress, is_cancelled, i / 200)
            time.sleep(0.01)
        return "finished"

    done = []
    task = window.run_task("analysis", slow, "slow", on_done=done.append)
    assert window.progress.isVisible() and window.cancel_button.isVisible()
    qtbot.waitUntil(lambda: task.running, timeout=5000)
    window.cancel_button.click()
    qtbot.waitUntil(lambda: task.outcome is not None, timeout=5000)
    assert task.outcome == "cancelled" and done == []
    assert st.result is result_before and st.revision == revision_before
    qtbot.waitUntil(lambda: not window.progress.isVisible(), timeout=5000)


def test_cancelled_analysis_keeps_previous_result(qtbot, window):
    st = window.state
    before = st.result

    def cancelling_analyze(project, *, progress=None, is_cancelled=None):
        raise Cancelled()

    st._analyze_fn = cancelling_analyze
    window.run_analysis()
    _wait_idle(qtbot, window)
    assert st.result is before


def test_bad_file_shows_error_and_loads_nothing(qtbot, window, tmp_path, shown_errors):
    bad = tmp_path / "rusak.gpkg"
    bad.write_bytes(b"this is not a geopackage at all" * 10)
    window._expected_errors = 1
    shown = shown_errors
    project_before = window.state.project
    task = window.open_path(bad)
    qtbot.waitUntil(lambda: task.outcome is not None, timeout=10000)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "rusak.gpkg" in str(shown[0][0])
    assert window.state.project is project_before


def test_unsaved_changes_prompt(qtbot, window, monkeypatch, tmp_path):
    st = window.state
    st.select("facilities", ["psy5"])
    window.delete_selected()
    asked = []

    def answer(choice):
        def fake(*args, **kwargs):
            asked.append(args[2])
            return choice
        return fake

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.Cancel))
    assert window.maybe_save() is False and len(asked) == 1
    assert not window.close()  # cancelled: the window stays open
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.Save))
    target = tmp_path / "proyek.gpkg"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    assert window.maybe_save() is True
    assert target.exists() and not window.isWindowModified()
    asked.clear()
    assert window.maybe_save() is True and asked == []  # nothing left to ask about


def test_save_open_roundtrip_recent_and_recovery(qtbot, window, tmp_path, monkeypatch):
    from ui.window.project_io import recovery_path

    target = tmp_path / "a.gpkg"
    assert window._save_to(target)
    assert window.recent_files()[0] == str(target.resolve())
    st = window.state
    st.select("facilities", ["psy5"])
    window.delete_selected()
    rec = window.autosave(wait=True)
    assert rec == recovery_path(target.resolve()) and rec.exists()
    assert window.isWindowModified()  # the recovery copy does not count as saved
    # next session: the newer recovery copy is offered and opened
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    st.project.dirty = False
    window.undo_stack.setClean()
    window.open_path(target, wait=True)
    assert "psy5" not in set(st.project.facilities["fac_id"])
    assert st.project.path == target.resolve() and st.project.dirty


def test_save_runs_in_a_worker_while_the_window_keeps_painting(qtbot, window, tmp_path,
                                                                monkeypatch, shown_errors):
    import threading

    from PySide6.QtCore import QTimer

    import layers.project_file as pf
    from ilp_gis import model

    real = pf.save_project
    seen = {}
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)

    def slow_save(project, path, *, progress=None):
        seen["thread"] = threading.current_thread() is not threading.main_thread()
        before, end = len(ticks), time.monotonic() + 5
        while len(ticks) < before + 3 and time.monotonic() < end:  # the UI loop keeps running
            time.sleep(0.01)
        seen["ticks"] = len(ticks) - before
        return real(project, path, progress=progress)

    monkeypatch.setattr(pf, "save_project", slow_save)
    window.state.select("facilities", ["psy5"])
    window.delete_selected()
    assert window.isWindowModified()
    target = tmp_path / "b.gpkg"
    assert window._save_to(target) is True
    timer.stop()
    assert seen["thread"] and seen["ticks"] >= 3
    assert not window.isWindowModified() and window.state.project.path == target
    assert model.META_MODIFIED in window.state.project.meta
    assert "psy5" not in set(pf.open_project(target).facilities["fac_id"])
    # a failing save says so, and the work stays unsaved
    window.state.select("facilities", ["psy4"])
    window.delete_selected()
    def full_disk(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(pf, "save_project", full_disk)
    assert window._save_to(tmp_path / "c.gpkg") is False
    assert window.isWindowModified() and not (tmp_path / "c.gpkg").exists()
    assert "disk full" in str(shown_errors[-1][0])
    window._expected_errors = 1


def test_language_switch_retranslates_and_persists(qtbot, window):
    from ui import app as qtapp

    window.set_language("en")
    try:
        assert window.menus["ui.menu.file"].title() == "&File"
        assert window.act_analyse.text() == "&Run analysis"
        assert qtapp.saved_language() == "en"
    finally:
        window.set_language("id")
    assert window.menus["ui.menu.file"].title() == "&Berkas"


def test_sample_loads_with_analysis(qtbot, sample_project_path, isolated_settings, shown_errors):
    from ui.state import AppState
    from ui.window.main_window import MainWindow

    win = MainWindow(AppState(), autosave_minutes=0)
    win.show()
    win.open_path(sample_project_path)
    qtbot.waitUntil(lambda: win.state.result is not None, timeout=120000)
    assert win.state.project.has("facilities")
    assert win.network_tree.tree.topLevelItemCount() > 0
    assert win.gaps_panel.model.rowCount() == len(win.state.result.gaps)
    fid = win.state.project.facilities["fac_id"].iloc[0]
    win.state.select("facilities", [fid])
    assert win.table.selected_keys() == [fid]
    win.cancel_tasks()
    qtbot.waitUntil(lambda: not any(t.running for t in win.tasks.values()), timeout=10000)
    assert shown_errors == []
    win.state.project.dirty = False
    win.undo_stack.setClean()
    win.close()
    win.deleteLater()


def test_import_dialog_previews_imports_and_reports(qtbot, window, tmp_path, shown_errors):
    """Files in, columns detected (one changed by hand), import in a worker, report as table."""
    from ui.import_dialog import ImportDialog, guess_role

    st = window.state
    desa = st.project.desa.drop(columns=["kind"])
    desa_path = tmp_path / "batas_desa.geojson"
    desa[["code", "name", "kecamatan_code", "population", "geometry"]].rename(
        columns={"code": "kode_desa", "name": "nama_desa", "population": "penduduk"}).to_file(
        desa_path, driver="GeoJSON")
    csv = tmp_path / "pustu.csv"
    csv.write_text("nama;lintang;bujur;catatan\nPustu Satu;-8,085;112,615;ok\n"
                   "Pustu Rusak;abc;112,7;koordinat rusak\n", encoding="utf-8")
    assert guess_role(csv) == ("facilities", "pustu")
    dlg = ImportDialog(st, window, paths=[desa_path, csv])
    qtbot.addWidget(dlg)
    dlg.files.selectRow(1)
    assert dlg.columns.rowCount() > 0
    labels = {dlg.columns.item(i, 0).data(Qt.UserRole): dlg.columns.cellWidget(i, 1).currentData()
              for i in range(dlg.columns.rowCount())}
    assert labels.get("name") == "nama"
    dlg.run_import()
    qtbot.waitUntil(lambda: dlg.pages.currentIndex() == 1 or bool(shown_errors), timeout=60000)
    assert not shown_errors
    frame = dlg.report.frame
    assert (frame["status"] == "doubtful").any()  # the row with bad coordinates is kept, reported
    assert dlg.report_model.rowCount() == len(frame)
    out = tmp_path / "laporan.csv"
    dlg.report.write(out)
    assert out.exists()
    # the current project is untouched until the person accepts
    assert len(st.project.facilities) == 10
    assert dlg.project is not st.project


def test_untitled_work_is_recovered_at_start(qtbot, window, monkeypatch):
    from ilp_gis.project import Project

    from .conftest import make_project

    window.set_project(make_project())
    window.state.project.path = None
    window.state.project.dirty = True
    rec = window.autosave(wait=True)
    assert rec is not None and rec.exists()
    window.set_project(Project())
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    assert window.offer_untitled_recovery()
    assert len(window.state.project.facilities) == 10 and window.state.project.dirty


def test_webmap_export_runs_in_a_worker(qtbot, window, tmp_path):
    out = tmp_path / "peta.html"
    window.export_webmap(str(out))
    qtbot.waitUntil(lambda: "webmap" not in window.tasks, timeout=120000)
    assert out.exists() and out.stat().st_size > 1000
    assert "Pustu A" in out.read_text("utf-8")


def test_planning_panel_is_docked_and_follows_project_and_analysis(qtbot, window):
    from tests.ui.conftest import make_project

    panel = window.planning_panel
    assert window.planning_dock.widget() is panel
    assert panel.project is window.state.project
    assert panel.result is window.state.result
    # a budget line added in the panel goes through the main undo stack and marks the project
    n = len(window.state.project.budget)
    count = window.undo_stack.count()
    panel.add_budget_line()
    assert len(window.state.project.budget) == n + 1
    assert window.undo_stack.count() == count + 1
    window.undo_stack.undo()
    assert len(window.state.project.budget) == n
    # another project: the panel is rebuilt for it
    other = make_project()
    window.set_project(other)
    assert window.planning_panel is not panel
    assert window.planning_panel.project is other
    assert window.planning_dock.widget() is window.planning_panel
    _wait_idle(qtbot, window)
    assert window.planning_panel.result is window.state.result


def test_monev_panel_is_docked_saves_and_reopens_with_the_window(qtbot, window, tmp_path,
                                                                monkeypatch):
    from ilp_gis.monitoring import actions as A

    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    panel = window.monev_panel.actions
    assert window.monev_dock.widget().widget() is window.monev_panel  # in its scroll area
    count = window.undo_stack.count()
    aid = panel.add_action(kegiatan="Pelatihan kader Desa B", responsible="Promkes")
    assert window.undo_stack.count() == count + 1 and window.isWindowModified()
    window.undo_stack.undo()
    assert not len(A.plan(window.state.project))
    window.undo_stack.redo()
    assert list(A.plan(window.state.project)["action_id"]) == [aid]
    target = tmp_path / "monev.gpkg"
    assert window._save_to(target)
    window.open_path(target, check_recovery=False, wait=True)
    assert window.monev_panel.actions is not panel  # rebuilt for the reopened project
    plan = A.plan(window.state.project)
    assert list(plan["kegiatan"]) == ["Pelatihan kader Desa B"]
    assert window.monev_panel.actions.model.rowCount() == 1
