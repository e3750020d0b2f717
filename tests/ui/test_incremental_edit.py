"""The window re-analyses a facility edit incrementally (``ilp_gis.incremental``, the default
analysis of :class:`ui.state.AppState`) and its dashboard shows the figures of a full analysis
of the edited project."""

from __future__ import annotations

import pytest

from ilp_gis.analysis import analyze

from .conftest import make_project


@pytest.fixture
def state():
    """The window's state with its own default analysis (incremental), nothing analysed yet."""
    from ui.state import AppState

    return AppState(make_project(), load_result_fn=lambda _p: None)


def _wait_idle(qtbot, win, timeout=60000):
    qtbot.waitUntil(lambda: not win.busy() and not win.analysis_timer.isActive(),
                    timeout=timeout)


def _cards(win) -> dict[str, tuple[str, str]]:
    return {c.title.text(): (c.value.text(), c.detail.text()) for c in win.dashboard.cards}


def test_an_added_pustu_updates_the_dashboard_through_the_incremental_analysis(qtbot, window):
    from ui import commands
    from ui.dashboard import kpis
    from ui.qtext import qtr

    win, st = window, window.state
    win.run_analysis()
    _wait_idle(qtbot, win)
    inc = st.analyze_fn.__self__
    title = qtr("ui.dash.k.desa_pustu")
    before = _cards(win)[title]
    # the hand-made district: 6 desa; A and D host a Puskesmas (no Pustu needed), B has a
    # Pustu, C, E and F have none: 3 desa without; a Pustu put in C leaves 2
    assert st.result.summary["desa_without_pustu"] == 3
    assert win.push(lambda: commands.add_facility(
        st, {"lon": 112.60 + 2.5 * 0.03, "lat": -8.10 + 0.5 * 0.03, "type": "pustu",
             "name": "Pustu C", "parent_id": "pkm1"}))
    _wait_idle(qtbot, win)  # the edit schedules the analysis itself
    assert st.result_is_current
    assert inc.stats.incremental  # the boundaries, roads and people were reused
    assert inc.stats.prepared == 1  # only the new facility was prepared
    full = analyze(st.project)
    assert st.result.summary["desa_without_pustu"] == 2 == full.summary["desa_without_pustu"]
    after = _cards(win)[title]
    assert after != before
    expected = {qtr(k): (v, d) for k, v, d, _s in kpis(full, rules=st.project.rules)}
    assert _cards(win) == expected  # every card as a full analysis gives it
