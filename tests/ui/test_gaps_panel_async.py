"""A national gap list (issue 16) is made in a worker thread: the panel then shows the very
rows, order and filter choices the list made at once shows; a newer result's list wins."""

from __future__ import annotations

from ui import gaps_panel
from ui.table_model import KEY_ROLE


def _shown(panel):
    proxy = panel.proxy
    keys = [proxy.data(proxy.index(r, 0), KEY_ROLE) for r in range(proxy.rowCount())]
    kinds = [panel.kind_box.itemText(i) for i in range(panel.kind_box.count())]
    kecs = [panel.kec_box.itemText(i) for i in range(panel.kec_box.count())]
    return keys, kinds, kecs


def test_the_list_made_in_a_worker_equals_the_list_made_at_once(qtbot, window, monkeypatch):
    panel = window.gaps_panel
    assert panel.model.rowCount() == len(window.state.result.gaps) > 0
    expected = _shown(panel)
    monkeypatch.setattr(gaps_panel, "ASYNC_GAPS", 1)  # this district's gaps count as a nation's
    result = window.state.result
    window.state.set_result(None)
    assert panel.model.rowCount() == 0
    window.state.set_result(result)
    assert panel.model.rowCount() == 0  # still being made
    qtbot.waitUntil(lambda: panel.model.rowCount() == len(result.gaps), timeout=10000)
    assert _shown(panel) == expected


def test_a_newer_result_wins_over_a_list_still_being_made(qtbot, window, monkeypatch):
    panel = window.gaps_panel
    monkeypatch.setattr(gaps_panel, "ASYNC_GAPS", 1)
    result = window.state.result
    window.state.set_result(result)  # a list being made for this result ...
    window.state.set_result(None)  # ... and a newer (empty) result came meanwhile
    qtbot.wait(300)
    assert panel.model.rowCount() == 0 and panel._built_for is None
