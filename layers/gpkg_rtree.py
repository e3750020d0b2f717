"""Bulk loading of a SQLite R*Tree (a GeoPackage spatial index) from bounding boxes: the tree is
packed in memory (sort-tile-recursive) and its nodes written straight into the index's
``_node``, ``_parent`` and ``_rowid`` tables, as GDAL's own bulk loader does; inserting
hundreds of thousands of boxes one by one into the virtual table takes ten times longer.

The node layout is SQLite's (``ext/rtree``): a 2-byte depth (root only) and 2-byte cell count,
then cells of an 8-byte id and four 32-bit floats (minx, maxx, miny, maxy), all big-endian; the
boxes are rounded outwards to float32 as SQLite rounds them.  ``SELECT rtreecheck(...)`` accepts
what this writes (tested).  Imports numpy and the standard library.
"""

from __future__ import annotations

import math
import sqlite3

import numpy as np


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _outward_f32(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo32, hi32 = lo.astype(np.float32), hi.astype(np.float32)
    lo32 = np.where(lo32.astype(np.float64) > lo, np.nextafter(lo32, np.float32(-np.inf)), lo32)
    hi32 = np.where(hi32.astype(np.float64) < hi, np.nextafter(hi32, np.float32(np.inf)), hi32)
    return lo32, hi32


def _pack(ids: np.ndarray, boxes: np.ndarray, fanout: int) -> list[np.ndarray]:
    """Sort-tile-recursive order: the index order of ``boxes`` grouped into runs of
    ``fanout`` (one run per node)."""
    n = len(ids)
    leaves = math.ceil(n / fanout)
    slices = max(1, math.ceil(math.sqrt(leaves)))
    cx = (boxes[:, 0] + boxes[:, 1]) / 2
    cy = (boxes[:, 2] + boxes[:, 3]) / 2
    order = np.argsort(cx, kind="stable")
    per_slice = slices and math.ceil(n / slices / fanout) * fanout
    parts = []
    for start in range(0, n, per_slice):
        chunk = order[start:start + per_slice]
        parts.append(chunk[np.argsort(cy[chunk], kind="stable")])
    order = np.concatenate(parts) if parts else order
    return [order[i:i + fanout] for i in range(0, n, fanout)]


def bulk_load(con: sqlite3.Connection, rtree: str, ids: np.ndarray, boxes: np.ndarray) -> None:
    """Fill the empty R*Tree ``rtree`` (just created, 2-D) with ``ids`` and ``boxes`` (n, 4:
    minx, maxx, miny, maxy)."""
    ids = np.asarray(ids, dtype=np.int64)
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if not len(ids):
        return
    node_table, parent_table, rowid_table = (_quote(f"{rtree}_{s}")
                                             for s in ("node", "parent", "rowid"))
    size = con.execute(f"SELECT length(data) FROM {node_table} WHERE nodeno = 1").fetchone()[0]
    fanout = (size - 4) // 24
    lo_x, hi_x = _outward_f32(boxes[:, 0], boxes[:, 1])
    lo_y, hi_y = _outward_f32(boxes[:, 2], boxes[:, 3])
    level_ids, level_boxes = ids, np.column_stack([lo_x, hi_x, lo_y, hi_y]).astype(np.float32)
    levels: list[tuple[list[np.ndarray], np.ndarray, np.ndarray]] = []
    while True:
        groups = _pack(level_ids, level_boxes.astype(np.float64), fanout)
        levels.append((groups, level_ids, level_boxes))
        if len(groups) == 1:
            break
        level_boxes = np.array([[level_boxes[g, 0].min(), level_boxes[g, 1].max(),
                                 level_boxes[g, 2].min(), level_boxes[g, 3].max()]
                                for g in groups], dtype=np.float32)
        level_ids = np.arange(len(groups), dtype=np.int64)  # placeholders, numbered below
    # number the nodes top-down: the root is 1
    numbers: list[np.ndarray] = [None] * len(levels)  # type: ignore[list-item]
    next_no = 1
    for depth in range(len(levels) - 1, -1, -1):
        count = len(levels[depth][0])
        numbers[depth] = np.arange(next_no, next_no + count, dtype=np.int64)
        next_no += count
    cell = np.dtype([("id", ">i8"), ("box", ">f4", (4,))])
    node_rows, parent_rows = [], []
    leaf_of = np.empty(len(ids), dtype=np.int64)  # the leaf node of each id
    for depth, (groups, member_ids, member_boxes) in enumerate(levels):
        child_numbers = None if depth == 0 else numbers[depth - 1]
        for k, g in enumerate(groups):
            nodeno = int(numbers[depth][k])
            cells = np.zeros(len(g), dtype=cell)
            cells["id"] = member_ids[g] if child_numbers is None else child_numbers[g]
            cells["box"] = member_boxes[g]
            head = (len(levels) - 1 if nodeno == 1 else 0).to_bytes(2, "big")
            data = head + len(g).to_bytes(2, "big") + cells.tobytes()
            node_rows.append((nodeno, data + bytes(size - len(data))))
            if child_numbers is None:
                leaf_of[g] = nodeno
            else:
                parent_rows.extend(zip(child_numbers[g].tolist(), [nodeno] * len(g),
                                       strict=True))
    con.execute(f"DELETE FROM {node_table}")
    con.executemany(f"INSERT INTO {node_table} VALUES (?, ?)", node_rows)
    con.executemany(f"INSERT INTO {parent_table} VALUES (?, ?)", parent_rows)
    order = np.argsort(ids, kind="stable")  # appended in key order: no B-tree page splits
    con.executemany(f"INSERT INTO {rowid_table} (rowid, nodeno) VALUES (?, ?)",
                    zip(ids[order].tolist(), leaf_of[order].tolist(), strict=True))
