"""A national area tree (issue 16) makes its kabupaten and kecamatan rows a batch per turn
of the event loop, so the window keeps answering: the rows, figures and selection end up as
the tree made at once has them, and a newer build stops the older one's batches."""

from __future__ import annotations

from ilp_gis.analysis import analyze
from ui import desa_tree


def _texts(tree) -> list:
    out = []

    def visit(item, depth):
        out.append((depth, [item.text(i) for i in range(5)]))
        for i in range(item.childCount()):
            visit(item.child(i), depth + 1)

    for i in range(tree.topLevelItemCount()):
        visit(tree.topLevelItem(i), 0)
    return out


def test_batched_rows_equal_the_rows_made_at_once(qtbot, window, monkeypatch):
    panel = window.desa_tree
    window.state.set_result(analyze(window.state.project))
    panel.fill_all()
    expected = _texts(panel.tree)
    summary = panel.summary.text()
    kec1 = panel.tree.topLevelItem(0).child(0)
    codes = panel._codes(kec1)
    assert len(codes) == kec1.childCount() == 3
    monkeypatch.setattr(desa_tree, "ASYNC_DESA", 1)  # this district counts as national
    monkeypatch.setattr(desa_tree, "ROWS_PER_TURN", 1)  # one kabupaten row and more per turn
    panel.rebuild(force=True)
    qtbot.waitUntil(lambda: panel.summary.text() == summary, timeout=10000)
    panel.fill_all()
    assert _texts(panel.tree) == expected
    assert panel._codes(panel.tree.topLevelItem(0).child(0)) == codes
    window.state.select("desa", [codes[1]])
    assert panel.desa_items[codes[1]].isSelected()


def test_batches_over_several_kabupaten_and_a_newer_build_stops_them(qtbot, window,
                                                                     monkeypatch):
    panel = window.desa_tree
    desa = window.state.project.desa.copy()
    # the second half of the desa in a second kabupaten ("99.01"): two kabupaten rows
    half = desa.index[len(desa) // 2:]
    desa.loc[half, "kecamatan_code"] = "99.01." + desa.loc[half, "kecamatan_code"].str[6:]
    plan = panel._plan(desa, None, False, None, None)
    assert len(plan["rows"]) == 2
    panel._show(plan)
    expected = _texts(panel.tree)
    monkeypatch.setattr(desa_tree, "ROWS_PER_TURN", 1)
    batches = []
    real = desa_tree.DesaTree._make_rows
    monkeypatch.setattr(desa_tree.DesaTree, "_make_rows",
                        lambda self, p, a, b: batches.append((a, b)) or real(self, p, a, b))
    key = panel._built_for
    panel._show(plan, key)
    assert batches == [(0, 1)] and panel.tree.topLevelItemCount() == 1  # the rest comes later
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 2, timeout=5000)
    assert batches == [(0, 1), (1, 2)] and _texts(panel.tree) == expected
    panel._show(plan, key)
    panel._built_for = ("another project",)  # a newer build came: the batches stop
    qtbot.wait(50)
    assert panel.tree.topLevelItemCount() == 1 and batches[-1] == (0, 1)
