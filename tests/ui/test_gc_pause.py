"""The garbage collector is held off while a project is read and runs again afterwards, with
what was read set aside (issue 16: full collections over a nation's objects froze the
window for seconds)."""

from __future__ import annotations

import gc

from ui import gc_pause


def test_holds_nest_and_the_last_release_freezes_and_enables(monkeypatch):
    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    assert gc.isenabled() and not gc_pause.held()
    gc_pause.hold()
    gc_pause.hold()
    assert not gc.isenabled() and gc_pause.held()
    gc_pause.release()
    assert not gc.isenabled() and frozen == []
    gc_pause.release()
    assert gc.isenabled() and frozen == [1] and not gc_pause.held()
    gc_pause.release()  # one release too many changes nothing
    assert gc.isenabled() and frozen == [1]


def test_opening_a_project_in_the_window_holds_the_collector_until_loaded(
        qtbot, window, tmp_path, monkeypatch):
    from layers.project_file import save_project

    monkeypatch.setattr(gc, "freeze", lambda: None)
    path = save_project(window.state.project, tmp_path / "p.gpkg")
    seen = []
    real = gc_pause.hold
    monkeypatch.setattr(gc_pause, "hold", lambda: seen.append(1) or real())
    window.open_path(path, check_recovery=False)
    assert seen and not gc.isenabled()
    qtbot.waitUntil(lambda: not window.busy(), timeout=20000)
    assert gc.isenabled() and not gc_pause.held()
    assert len(window.state.project.facilities) > 0
