"""The data tables sort and filter on whole columns in their model (issue 16: a national gap
table through a proxy's per-row Python calls froze the window): the order a proxy's sort role
gave — numbers by value, texts by text, missing cells first ascending and last descending,
ties kept in frame order — and keys, rows and frame positions that follow it."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt

from ui.table_model import KEY_ROLE, DataFrameModel, FilterProxy


def _model():
    frame = pd.DataFrame({"gap_id": ["g1", "g2", "g3", "g4", "g5"],
                          "kind": ["no_pustu", "kader_deficit", "no_pustu", None, "no_pustu"],
                          "score": [0.5, float("nan"), 0.9, 0.5, 0.1],
                          "desa_name": ["Cempaka", None, "alpha", "Bakti", "Bakti"]})
    model = DataFrameModel(frame, "gaps")
    proxy = FilterProxy()
    proxy.setSourceModel(model)
    return frame, model, proxy


def _keys(proxy) -> list[str]:
    return [proxy.data(proxy.index(r, 0), KEY_ROLE) for r in range(proxy.rowCount())]


def test_numbers_sorted_both_ways_missing_below_every_value(qtbot):
    _frame, model, proxy = _model()
    proxy.sort(2, Qt.AscendingOrder)
    assert _keys(proxy) == ["g2", "g5", "g1", "g4", "g3"]  # 0.5 twice: g1 before g4
    proxy.sort(2, Qt.DescendingOrder)
    assert _keys(proxy) == ["g3", "g1", "g4", "g5", "g2"]  # ties still in frame order
    assert model.row_of("g3") == 0 and model.source_row("g3") == 2
    assert model.raw(0, 2) == 0.9
    proxy.sort(-1)
    assert _keys(proxy) == ["g1", "g2", "g3", "g4", "g5"]


def test_texts_sorted_by_text_missing_first(qtbot):
    _frame, _model_, proxy = _model()
    proxy.sort(3, Qt.AscendingOrder)  # "B" < "C" < "a" as Python compares texts
    assert _keys(proxy) == ["g2", "g4", "g5", "g1", "g3"]


def test_column_filter_keeps_the_sort_and_a_new_frame_keeps_both(qtbot):
    frame, model, proxy = _model()
    proxy.sort(2, Qt.AscendingOrder)
    proxy.set_column_filter("kind", {"no_pustu"})
    assert _keys(proxy) == ["g5", "g1", "g3"]
    assert model.row_of("g2") is None and model.source_row("g2") == 1
    model.set_frame(frame.iloc[::-1].reset_index(drop=True), "gaps")
    assert _keys(proxy) == ["g5", "g1", "g3"]
    proxy.set_column_filter("kind", None)
    proxy.set_search("bakti")  # the search still reads every shown text
    assert sorted(_keys(proxy)) == ["g4", "g5"]


def test_cells_are_made_a_block_at_a_time_as_they_are_shown(qtbot):
    from ui import table_model

    frame = pd.DataFrame({"gap_id": [f"g{i}" for i in range(1200)],
                          "score": [i / 7 for i in range(1200)]})
    model = DataFrameModel(frame, "gaps")
    assert model.data(model.index(3, 1)) == model.data(model.index(3, 1), Qt.DisplayRole)
    assert list(model._cells[1]) == [0] and model._cells[0] == {}  # one block of one column
    assert model.raw(1100, 1) == frame["score"].iloc[1100]
    assert sorted(model._cells[1]) == [0, 1100 // table_model._BLOCK]
    model.sort_rows(1, descending=True)
    assert model.raw(0, 1) == frame["score"].iloc[-1] and model.raw(0, 0) == "g1199"
