"""The network tree of a national network (issue 16): worked out in a worker thread and its
rows made when opened, found by the filter or selected on the map — with the very texts,
counts, colours and tooltips the tree made at once shows (the hand-made COE district:
Puskesmas A, B, X with their Pustu and Posyandu; see ``tests.ilp_gis.test_coe``)."""

from __future__ import annotations

from ilp_gis.analysis import analyze
from tests.ilp_gis.test_coe import district
from ui import network_tree
from ui.network_tree import NetworkTree
from ui.state import AppState


def _state():
    project = district()
    st = AppState(project, analyze_fn=analyze, load_result_fn=lambda p: None)
    st.set_result(analyze(project))
    return st


def _rows(tree) -> dict:
    """key -> (depth, texts, tooltip, foreground, background, parent key) of every made row."""
    out = {}

    def visit(item, depth, parent):
        key = item.data(0, network_tree.KEY_ROLE)
        out[key or item.text(0)] = (depth, [item.text(i) for i in range(3)], item.toolTip(0),
                                    item.foreground(0).color().name(),
                                    item.background(0).style(), parent)
        for i in range(item.childCount()):
            visit(item.child(i), depth + 1, key)

    for i in range(tree.topLevelItemCount()):
        visit(tree.topLevelItem(i), 0, None)
    return out


def _lazy_tree(qtbot, monkeypatch, st) -> NetworkTree:
    monkeypatch.setattr(network_tree, "ASYNC_NODES", 1)  # this district counts as national
    tree = NetworkTree(st)
    qtbot.addWidget(tree)
    qtbot.waitUntil(lambda: tree.tree.topLevelItemCount() > 0, timeout=10000)
    return tree


def test_lazy_tree_shows_what_the_whole_tree_shows(qtbot, monkeypatch):
    st = _state()
    whole = NetworkTree(st)  # 10 facilities: every row made at once
    qtbot.addWidget(whole)
    expected = _rows(whole.tree)
    tree = _lazy_tree(qtbot, monkeypatch, st)
    assert tree.summary.text() == whole.summary.text()
    tops = {k for k, v in _rows(tree.tree).items() if v[0] == 0}
    assert tops == {k for k, v in expected.items() if v[0] == 0}
    # the three Puskesmas are opened at start (at most 12): their Pustu are made, no Posyandu
    made = _rows(tree.tree)
    assert {v[0] for v in made.values()} == {0, 1}
    assert "PY_A2" not in tree.items
    tree.fill_all()
    assert _rows(tree.tree) == expected


def test_rows_are_made_when_opened_selected_or_found(qtbot, monkeypatch):
    st = _state()
    tree = _lazy_tree(qtbot, monkeypatch, st)
    pustu = tree.items["PT_A2"]
    assert pustu.childCount() == 0 and "PY_A2" not in tree.items
    pustu.setExpanded(True)  # opened: its Posyandu are made
    assert {pustu.child(i).data(0, network_tree.KEY_ROLE)
            for i in range(pustu.childCount())} == {"PY_A1b", "PY_A2"}
    tree2 = _lazy_tree(qtbot, monkeypatch, st)
    st.select("facilities", ["PY_A2"])  # selected on the map: its row is made and shown
    item = tree2.items["PY_A2"]
    assert item.isSelected() and item.parent().isExpanded()
    tree3 = _lazy_tree(qtbot, monkeypatch, _state())
    fac = tree3.state.project.facilities
    name = fac.loc[fac["fac_id"] == "PY_A1b", "name"].iloc[0]
    assert "PY_A1b" not in tree3.items  # under a Pustu not opened yet
    tree3.filter.setText(name)
    found = tree3.items["PY_A1b"]
    assert not found.isHidden() and found.parent().isExpanded()
    tree3.filter.clear()
    assert not any(it.isHidden() for it in tree3.items.values())


def test_top_rows_made_a_batch_at_a_time_end_as_the_tree_made_at_once(qtbot, monkeypatch):
    st = _state()
    whole = NetworkTree(st)
    qtbot.addWidget(whole)
    monkeypatch.setattr(network_tree, "ROW_BATCH", 1)  # one top row per event-loop turn
    seen = []
    batch = NetworkTree._next_rows

    def counted(self, *a):
        seen.append(self.tree.topLevelItemCount())
        return batch(self, *a)

    monkeypatch.setattr(NetworkTree, "_next_rows", counted)
    tree = _lazy_tree(qtbot, monkeypatch, st)
    qtbot.waitUntil(lambda: not tree.rows_pending, timeout=10000)
    assert seen == [0, 1, 2, 3]  # three Puskesmas, one per turn, then the summary
    assert tree.summary.text() == whole.summary.text()
    assert {k for k, v in _rows(tree.tree).items() if v[0] == 0} == \
        {k for k, v in _rows(whole.tree).items() if v[0] == 0}


def test_batches_of_an_older_tree_stop_when_it_is_cleared(qtbot, monkeypatch):
    st = _state()
    tree = _lazy_tree(qtbot, monkeypatch, st)
    qtbot.waitUntil(lambda: not tree.rows_pending, timeout=10000)
    monkeypatch.setattr(network_tree, "ROW_BATCH", 1)
    tree._show(tree._plan_data, lazy=True)  # the first top row made, two to come
    assert tree.rows_pending and tree.tree.topLevelItemCount() == 1
    tree._clear()
    qtbot.wait(50)  # the batches still due find the tree cleared
    assert tree.tree.topLevelItemCount() == 0 and not tree.rows_pending
