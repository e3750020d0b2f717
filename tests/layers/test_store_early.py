"""The store process started during the analysis (``layers.store_beside.EarlySave``): the
network's tables it is handed while the analysis runs are stored as the in-process store
stores them; an analysis that fails after the start leaves the file as it was (and free to
write); a re-analysis whose network did not change keeps those tables unwritten; text
columns handed over carry the values the in-process writer binds."""

from __future__ import annotations

import shutil
import sqlite3

import numpy as np
import pandas as pd
import pytest

import layers.project_file as project_file
from ilp_gis.analysis import analyze, store_result
from ilp_gis.results import RESULT_TABLES
from layers import gpkg_table, store_handover
from layers.atomic import all_or_nothing
from layers.project_file import open_project, release
from layers.store_beside import EarlySave, save_beside
from tests.layers.test_project_save_in_place import _check_file
from tests.layers.test_store_beside import _file_content, _last_changes

NETWORK = {RESULT_TABLES["edges"], RESULT_TABLES["nodes"]}


def _analyze_and_store(path, *, early: bool):
    """``ilp-gis analyze``'s open, analysis and store of ``path``; the EarlySave (None for
    the in-process store) and what it held before the save took it over."""
    project = open_project(path, skip_tables=RESULT_TABLES.values())
    saver = EarlySave(project) if early else None
    result = analyze(project, done_with=lambda names: release(project, names),
                     stages=saver.stages() if saver else None)
    seen = {}
    if saver is not None:
        seen = {"child": saver.child is not None, "handed": set(saver.handed),
                "kept": set(saver.kept)}
    with all_or_nothing():
        if saver is not None:
            saver.with_group()
        store_result(project, result, made=saver.made if saver else None)
        saving = save_beside(project, saver)
        assert saving.in_child == early
        saving.wait()
    return seen


@pytest.fixture
def base(sample_project_path, tmp_path):
    path = tmp_path / "base.gpkg"
    shutil.copyfile(sample_project_path, path)
    return path


def test_network_tables_handed_over_during_the_analysis_are_stored_as_in_process(
        base, tmp_path, monkeypatch):
    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 10 ** 12)
    alone = tmp_path / "alone.gpkg"
    shutil.copyfile(base, alone)
    _analyze_and_store(alone, early=False)
    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0)
    seen = _analyze_and_store(base, early=True)
    assert seen == {"child": True, "handed": NETWORK, "kept": set()}
    _check_file(base)
    a, b = _file_content(alone), _file_content(base)
    assert a.keys() == b.keys()
    for name in a:  # the tables, their bookkeeping rows in the same order, the digests
        assert a[name] == b[name], name


def test_an_analysis_failing_after_the_early_start_leaves_the_file_as_it_was(base,
                                                                          monkeypatch):
    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0)
    before = _file_content(base)
    project = open_project(base, skip_tables=RESULT_TABLES.values())
    saver = EarlySave(project)

    def fails(*args, **kwargs):
        raise RuntimeError("the coverage stage failed")

    stages = {**saver.stages(), "coe_units": fails}
    with pytest.raises(RuntimeError, match="coverage stage failed"):
        try:
            analyze(project, stages=stages)
        except BaseException:
            saver.abort()
            raise
    assert saver.child is None and not saver.handed
    assert _file_content(base) == before
    with sqlite3.connect(base, timeout=0.5) as con:  # nobody holds the file any more
        con.execute("BEGIN IMMEDIATE")
        con.rollback()


def test_a_failing_group_before_the_save_took_the_child_over_rolls_it_back(base,
                                                                          monkeypatch):
    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0)
    before = _file_content(base)
    project = open_project(base, skip_tables=RESULT_TABLES.values())
    saver = EarlySave(project)
    result = analyze(project, stages=saver.stages())
    child = saver.child
    with pytest.raises(RuntimeError, match="result tables"):
        with all_or_nothing():
            saver.with_group()
            store_result(project, result, made=saver.made)
            raise RuntimeError("the result tables could not be made")
    assert not child._proc.is_alive()
    assert _file_content(base) == before


def test_a_reanalysis_with_the_same_network_keeps_its_tables(base, monkeypatch):
    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0)
    _analyze_and_store(base, early=True)
    first = _last_changes(base)
    seen = _analyze_and_store(base, early=True)  # the same input: the same results
    assert seen == {"child": True, "handed": NETWORK, "kept": NETWORK}
    again = _last_changes(base)
    assert {n: again[n] for n in RESULT_TABLES.values() if n in first} == \
        {n: first[n] for n in RESULT_TABLES.values() if n in first}
    _check_file(base)
    reread = open_project(base)
    assert len(reread.tables[RESULT_TABLES["nodes"]]) > 0


@pytest.mark.parametrize("values", [
    [None, np.nan, pd.NA, "a", "", "ü \x00 '"], [None, None], [np.nan], [], ["x"] * 5])
def test_text_columns_hand_over_the_values_the_in_process_writer_binds(values):
    series = pd.Series(values, dtype=object, name="t")
    assert store_handover.arrow_column(series).to_pylist() == gpkg_table._values(series)


@pytest.mark.parametrize("values", [["a", 1], ["a", b"b"], ["a", 2.5], ["a", pd.NaT]])
def test_a_column_not_all_text_is_not_handed_over(values):
    with pytest.raises(gpkg_table.Unsupported):
        store_handover.arrow_column(pd.Series(values, dtype=object, name="t"))
