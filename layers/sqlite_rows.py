"""Many rows inserted into a SQLite table at a time: one ``INSERT ... VALUES (...), (...)``
statement binds a few hundred rows, which costs a third less than one statement per row
(``executemany``) for the same values.  Used by the GeoPackage writers
(``layers.gpkg_table``, ``layers.gpkg_rtree``).  Imports the standard library only (and its collector helper)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ilp_gis.speed.collector import held_off

ROWS_PER_STATEMENT = 256


def insert_columns(con: sqlite3.Connection, head: str, batches: Iterable[list[list]]) -> None:
    """Run ``head`` (``INSERT INTO t (...) VALUES``) for every row of ``batches`` (each a
    list of equally long columns): many rows per statement, which binds the same values as
    one statement per row at a third less cost."""
    limit = con.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    prepared: dict[int, str] = {}
    with held_off():  # millions of row values, none of them in a cycle
        for cols in batches:
            width, n = len(cols), len(cols[0]) if cols else 0
            if not n:
                continue
            per = max(1, min(ROWS_PER_STATEMENT, limit // width))
            if any(len(col) != n for col in cols):
                raise ValueError("columns of different lengths")
            flat = [None] * (n * width)  # row after row: each column every width-th value
            for i, col in enumerate(cols):
                flat[i::width] = col
            for start in range(0, n, per):
                rows = min(per, n - start)
                sql = prepared.get(rows)
                if sql is None:
                    one = "(" + ", ".join("?" * width) + ")"
                    sql = prepared[rows] = f"{head} {', '.join([one] * rows)}"
                con.execute(sql, flat[start * width:(start + rows) * width])
