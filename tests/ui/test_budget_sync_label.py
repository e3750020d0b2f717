"""Issue 17: the budget-sync tab never says "run the analysis first" while an analysis is loaded
— not for a project opened with its stored analysis, not after the analysis ran in the window,
not after the language changed (the planning panel is rebuilt then), and while the analysis is
still running it says the sync follows."""

from __future__ import annotations

import pandas as pd

from ilp_gis.analysis import analyze, store_result
from ilp_gis.i18n import tr

RUN_FIRST_ID = "Jalankan analisis dulu"
RUN_FIRST_EN = "Run the analysis first"


def _with_budget(project):
    project.set_layer("budget", pd.DataFrame({
        "budget_id": ["A1"], "source": ["dak_fisik"], "year": [2026],
        "activity": ["build_pustu"], "target_desa": ["35.07.01.2003"], "amount": [1.5e9],
        "status": ["usulan"]}))
    return project


def _wait_idle(qtbot, win, timeout=60000):
    qtbot.waitUntil(lambda: not win.busy() and not win.analysis_timer.isActive(), timeout=timeout)


def _sync_text(win) -> str:
    return win.planning_panel.sync_label.text()


def test_window_built_with_a_loaded_analysis_shows_the_sync(qtbot, tiny_project,
                                                             isolated_settings, shown_errors):
    from ui.state import AppState
    from ui.window.main_window import MainWindow

    project = _with_budget(tiny_project)
    state = AppState(project, load_result_fn=lambda p: None)
    state.set_result(analyze(project))
    win = MainWindow(state, autosave_minutes=0)
    text = _sync_text(win)
    assert RUN_FIRST_ID not in text
    # the one budget line funds the Pustu of the desa without one: 1 action funded
    assert win.planning_panel.sync is not None
    assert win.planning_panel.sync.action_counts["funded"] == 1
    assert "1 didanai" in text
    win.set_language("en")
    try:
        assert RUN_FIRST_EN not in _sync_text(win) and "1 funded" in _sync_text(win)
    finally:
        win.set_language("id")
    assert RUN_FIRST_ID not in _sync_text(win)
    assert shown_errors == []
    win.state.project.dirty = False
    win.undo_stack.setClean()
    win.close()
    win.deleteLater()


def test_opened_project_with_stored_analysis_shows_the_sync(qtbot, window, tiny_project,
                                                             tmp_path, shown_errors):
    from layers.project_file import save_project

    project = _with_budget(tiny_project)
    store_result(project, analyze(project))
    path = tmp_path / "dianalisis.gpkg"
    save_project(project, path)
    window.state._load_result_fn = None  # read the stored analysis as the app does
    window.open_path(path, wait=True)
    assert window.state.result is not None
    assert not window.analysis_timer.isActive()  # the stored analysis is used, not re-run
    assert RUN_FIRST_ID not in _sync_text(window)
    assert window.planning_panel.sync.action_counts["funded"] == 1
    assert shown_errors == []


def test_analysis_run_in_the_window_replaces_the_pending_line(qtbot, window, tiny_project,
                                                              shown_errors):
    from ilp_gis.project import Project

    window.state._analyze_fn = analyze
    project = _with_budget(Project(layers=dict(tiny_project.layers), meta=dict(tiny_project.meta)))
    window.set_project(project)  # no stored analysis: the analysis is scheduled
    assert window.state.result is None and window.analysis_pending()
    assert _sync_text(window) == tr("planning.sync.pending")
    window.run_analysis()
    assert _sync_text(window) == tr("planning.sync.pending")
    _wait_idle(qtbot, window)
    assert window.state.result is not None
    assert RUN_FIRST_ID not in _sync_text(window)
    assert window.planning_panel.sync.action_counts["funded"] == 1
    assert shown_errors == []


def test_without_desa_the_tab_still_asks_for_the_analysis(qtbot, window, shown_errors):
    from ilp_gis.project import Project

    window.set_project(Project())
    assert not window.analysis_pending()
    assert _sync_text(window) == tr("planning.sync.no_result")
