"""The planning panel (offscreen): budget edits with undo, budget sync, siting worker with the
greedy answer first, scenarios and their comparison."""

from __future__ import annotations

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from ilp_gis import scenario
from ilp_gis.analysis import analyze
from ui.panels.planning import PlanningPanel


@pytest.fixture
def panel(qtbot, tiny_project):
    tiny_project.set_layer("budget", pd.DataFrame({
        "budget_id": ["A1", "A2"], "source": ["dak_fisik", "dana_desa"], "year": [2026, 2026],
        "activity": ["build_pustu", "open_posyandu"],
        "target_desa": ["35.07.01.2003", "35.07.02.2003"], "amount": [1.5e9, 10e6],
        "status": ["usulan", "disetujui"]}))
    changed = []
    p = PlanningPanel(tiny_project, QUndoStack(), on_changed=changed.append)
    p.changed_names = changed
    qtbot.addWidget(p)
    return p


def _idx(model, row, column):
    col = [c for c, _, _ in model.spec].index(column)
    return model.index(row, col)


def test_budget_edit_undo_redo_add_delete(panel):
    proj, stack, m = panel.project, panel.undo_stack, panel.budget_model
    assert m.rowCount() == 2
    assert m.data(_idx(m, 0, "amount")) == "Rp 1.500.000.000"
    assert m.data(_idx(m, 0, "source")) == "DAK Fisik"
    assert m.setData(_idx(m, 0, "amount"), "1,25 M", Qt.EditRole)
    assert proj.budget["amount"].iloc[0] == 1.25e9 and panel.changed_names == ["budget"]
    assert m.data(_idx(m, 0, "amount")) == "Rp 1.250.000.000"
    assert not m.setData(_idx(m, 1, "source"), "APBDes", Qt.EditRole)
    assert proj.budget["source"].iloc[1] == "dana_desa"  # same value: no command
    assert stack.count() == 1
    assert m.setData(_idx(m, 1, "year"), "TA 2027", Qt.EditRole)
    assert proj.budget["year"].iloc[1] == 2027
    stack.undo()
    stack.undo()
    assert proj.budget["amount"].iloc[0] == 1.5e9 and proj.budget["year"].iloc[1] == 2026
    stack.redo()
    assert proj.budget["amount"].iloc[0] == 1.25e9
    panel.add_budget_line()
    assert len(proj.budget) == 3 and m.rowCount() == 3
    assert proj.budget["budget_id"].iloc[2] == "BL-0003"
    panel.budget_view.selectRow(0)
    panel.delete_selected_lines()
    assert list(proj.budget["budget_id"]) == ["A2", "BL-0003"]
    stack.undo()
    stack.undo()
    assert list(proj.budget["budget_id"]) == ["A1", "A2"]


def test_bad_amount_is_refused(panel, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    m = panel.budget_model
    assert not m.setData(_idx(m, 0, "amount"), "seratus", Qt.EditRole)
    assert panel.project.budget["amount"].iloc[0] == 1.5e9 and "seratus" in shown[0]
    assert panel.undo_stack.count() == 0


def test_import_budget_is_undoable(panel, tmp_path):
    f = tmp_path / "anggaran.csv"
    f.write_text("Sumber Dana;Tahun;Kegiatan;Desa;Jumlah\n"
                 "BOK;2026;Pelatihan kader;Desa A;7,5 jt\n", "utf-8")
    report = panel.import_budget(f)
    assert list(report["status"]) == ["fixed"]
    b = panel.project.budget
    assert len(b) == 3 and b["target_desa"].iloc[2] == "35.07.01.2001"
    panel.undo_stack.undo()
    assert len(panel.project.budget) == 2


def test_budget_sync_tab(panel):
    panel.refresh_sync()
    assert "Jalankan analisis" in panel.sync_label.text()
    layers = []
    panel.funding_ready.connect(layers.append)
    panel.set_result(analyze(panel.project))
    assert panel.sync is not None
    assert len(layers) == 1 and set(layers[0]["funding_state"]) <= {"funded", "partly",
                                                                     "unfunded"}
    assert "didanai" in panel.sync_label.text()
    m = panel.sync_model
    states = {m.data(_idx(m, r, "funding_state")) for r in range(m.rowCount())}
    assert states <= {"Didanai", "Didanai sebagian", "Belum didanai"}
    gf = panel.sync.gap_funding.set_index(["kind", "desa_code"])
    assert gf.loc[("no_pustu", "35.07.01.2003"), "funding_state"] == "funded"
    panel.state_filter.setCurrentIndex(3)  # unfunded only
    assert all(m.data(_idx(m, r, "funding_state")) == "Belum didanai"
               for r in range(m.rowCount()))
    assert panel.totals_model.rowCount() == 2


def test_budget_sync_of_a_large_project_runs_in_the_worker(panel, qtbot, monkeypatch):
    import ui.panels.planning.budget_sync as pp

    monkeypatch.setattr(pp, "SYNC_INLINE_MAX_GAPS", 0)  # treat the district as a large project
    layers = []
    panel.funding_ready.connect(layers.append)
    result = analyze(panel.project)
    panel.set_result(result)
    assert panel.sync is None and "Menyinkronkan" in panel.sync_label.text()
    qtbot.waitUntil(lambda: panel.sync is not None, timeout=30000)
    assert "didanai" in panel.sync_label.text() and len(layers) == 1
    inline = pp.B.budget_sync(panel.project, result)
    assert panel.sync.gap_funding.equals(inline.gap_funding)


def test_siting_greedy_first_then_exact_and_save_scenario(panel, qtbot):
    greedy_seen, maps = [], []
    panel._bridge.greedy.connect(lambda r: greedy_seen.append(r.method))
    panel.sites_ready.connect(maps.append)
    panel.mode_k.setChecked(True)
    panel.k_spin.setValue(1)
    panel.limit_spin.setValue(2.0)
    task = panel.run_siting()
    assert not panel.run_button.isEnabled() and panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: panel.run_button.isEnabled(), timeout=20000)  # UI got "done"
    assert task.outcome == "finished", panel.siting_label.text()
    assert greedy_seen == ["greedy"]
    assert panel.siting_result.method == "exact" and panel.sites_model.rowCount() == 1
    assert "Optimum" in panel.siting_label.text()
    assert len(maps) == 1 and maps[0].crs.to_epsg() == 4326 and len(maps[0]) == 1
    assert panel.run_button.isEnabled() and panel.save_scenario_button.isEnabled()
    name = panel.save_siting_scenario()
    assert scenario.scenario_names(panel.project) == [name]
    assert panel.scenario_list.count() == 1 and panel.actions_model.rowCount() == 1
    # kept with the measure its sites were chosen by, so its comparison measures the same way
    assert scenario.scenario_measure(panel.project, name) == panel.siting_result.problem.measure
    panel.undo_stack.undo()  # one step takes the scenario and its measure away
    assert scenario.scenario_names(panel.project) == [] and panel.scenario_list.count() == 0
    assert scenario.scenario_measure(panel.project, name) is None


def test_posyandu_siting_finds_the_desa_short(panel, qtbot):
    from ilp_gis import siting

    panel.type_combo.setCurrentIndex(panel.type_combo.findData("posyandu"))
    # one question for Posyandu: where desa are short of them against the target per dusun
    assert [panel.limit_kind.itemData(i) for i in range(panel.limit_kind.count())] == \
        ["deficit"]
    assert not panel.objective_combo.isEnabled() and not panel.limit_spin.isEnabled()
    direct = siting.build_problem(panel.project, site_type="posyandu")
    assert len(direct.candidates) > 0
    panel.mode_k.setChecked(True)
    panel.k_spin.setValue(len(direct.candidates) + 5)
    task = panel.run_siting()
    qtbot.waitUntil(lambda: panel.run_button.isEnabled(), timeout=20000)
    assert task.outcome == "finished", panel.siting_label.text()
    res = panel.siting_result
    assert res.problem.measure.unit == "deficit"
    # every missing Posyandu opened (k is larger than the shortfall), in the desa short
    assert len(res.sites) == len(direct.candidates)
    assert sorted(res.sites["desa_code"]) == sorted(direct.candidates["desa_code"])
    assert "kekurangan Posyandu" in panel.siting_label.text()
    panel.type_combo.setCurrentIndex(panel.type_combo.findData("pustu"))
    assert panel.objective_combo.isEnabled() and panel.limit_kind.currentData() == "km"


def test_siting_other_questions(panel, qtbot):
    from ilp_gis import siting

    panel.objective_combo.setCurrentIndex(panel.objective_combo.findData("every_desa"))
    assert not panel.budget_edit.isEnabled() and not panel.k_spin.isEnabled()
    task = panel.run_siting()
    qtbot.waitUntil(lambda: panel.run_button.isEnabled(), timeout=20000)
    assert task.outcome == "finished", panel.siting_label.text()
    res = panel.siting_result
    direct = siting.plan_sites(panel.project, objective="every_desa",
                               limit_km=panel.limit_spin.value())
    assert res.objective == "every_desa" and len(res.sites) == len(direct.sites) > 0
    assert res.objective_value == direct.objective_value
    assert siting.answer_text(direct) in panel.siting_label.text()
    panel.objective_combo.setCurrentIndex(panel.objective_combo.findData("pmedian"))
    assert panel.mode_k.isChecked() and panel.k_spin.isEnabled()
    assert not panel.budget_edit.isEnabled()


def test_siting_bad_budget_text(panel, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    panel.budget_edit.setText("banyak")
    assert panel.run_siting() is None and "banyak" in shown[0]


def test_scenario_compare_keeps_baseline(panel, qtbot):
    proj = panel.project
    fac_before = proj.facilities.copy()
    maps = []
    panel.comparison_ready.connect(maps.append)
    panel.push_scenario("Pustu C", pd.DataFrame([{
        "action": "upgrade_pustu", "fac_id": "pst2", "amount": 5e8}]))
    panel.push_scenario("Staf", pd.DataFrame([{"action": "add_nakes", "fac_id": "pst1",
                                               "count": 2, "role": "bidan"}]))
    assert panel.scenario_list.count() == 2
    panel.scenario_list.setCurrentRow(1)
    task = panel.compare_selected()
    qtbot.waitUntil(lambda: panel.compare_button.isEnabled(), timeout=30000)
    assert task.outcome == "finished"
    assert panel.outcome.name == "Staf" and panel.compare_model.rowCount() == 3
    assert "Staf" in panel.compare_label.text()
    assert len(maps) == 1 and "pop_newly_covered" in maps[0].columns
    pd.testing.assert_frame_equal(pd.DataFrame(proj.facilities), pd.DataFrame(fac_before))
    # the comparison is kept in the project for the report and the XLSX, as the CLI keeps it
    stored = scenario.stored_comparison(proj, "Staf")
    total = stored[stored["kecamatan_code"].isna()].iloc[0]
    assert total["gaps_closed"] == panel.outcome.total["gaps_closed"]
    assert total["cost"] == panel.outcome.total["cost"]
    # more staff brings nobody nearer: the cost per person says so instead of NaN
    assert total["pop_newly_covered"] == 0
    assert "tidak ada penduduk baru terjangkau" in panel.compare_label.text()
    panel.delete_selected_scenario()
    assert scenario.scenario_names(proj) == ["Pustu C"]
    assert not len(scenario.stored_comparison(proj, "Staf"))  # gone with its scenario
    panel.undo_stack.undo()
    assert scenario.scenario_names(proj) == ["Pustu C", "Staf"]
    assert len(scenario.stored_comparison(proj, "Staf")) == len(stored)
