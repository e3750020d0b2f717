"""The desktop app saves through the same in-place path as the command line: after one
facility edit only that layer's changed row (and the meta facts) is written into the file,
and the rows nobody touched keep their place in it."""

from __future__ import annotations

import sqlite3

import shapely

import layers.gpkg_table as gpkg_table
from layers.project_file import open_project


def _spy(monkeypatch) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []
    for fn in ("write_table", "insert_rows", "delete_rows"):
        real = getattr(gpkg_table, fn)

        def spy(con, table, *args, _real=real, _fn=fn, **kwargs):
            calls.append((_fn, table))
            return _real(con, table, *args, **kwargs)

        monkeypatch.setattr(gpkg_table, fn, spy)
    return calls


def _rows(path, table: str) -> dict[int, tuple]:
    with sqlite3.connect(path) as con:
        return {r[0]: r[1:] for r in con.execute(f'SELECT fid, fac_id, geom FROM "{table}"')}


def _last_change(path) -> dict[str, str]:
    with sqlite3.connect(path) as con:
        return dict(con.execute("SELECT table_name, last_change FROM gpkg_contents"))


def test_gui_save_after_one_edit_writes_only_that_row(qtbot, window, tmp_path, monkeypatch):
    from ui import commands

    target = tmp_path / "proyek.gpkg"
    assert window._save_to(target)
    st = window.state
    assert st.project.stored is not None and st.project.stored.path == target.resolve()
    before_rows, before_change = _rows(target, "facilities"), _last_change(target)
    calls = _spy(monkeypatch)

    assert window.push(lambda: commands.move_facility(st, "psy3", 112.666, -8.088))
    window.analysis_timer.stop()  # the figures are not re-analysed: only the edit is saved
    assert window._save_to(target)
    assert calls == [("delete_rows", "facilities"), ("insert_rows", "facilities"),
                     ("write_table", "meta")]
    after_rows, after_change = _rows(target, "facilities"), _last_change(target)
    changed = {fid for fid in before_rows.keys() | after_rows.keys()
               if before_rows.get(fid) != after_rows.get(fid)}
    assert len(changed) == 1 and before_rows.keys() == after_rows.keys()  # same row id
    assert after_rows[changed.pop()][0] == "psy3"
    assert {t for t in before_change if before_change[t] != after_change[t]} \
        <= {"facilities", "meta"}
    back = open_project(target)
    moved = back.facilities.set_index("fac_id").geometry["psy3"]
    assert moved.equals(shapely.Point(112.666, -8.088))
    assert not window.isWindowModified() and not st.project.dirty

    # nothing changed since: the next save writes only the meta facts
    calls.clear()
    assert window._save_to(target)
    assert calls == [("write_table", "meta")]
