"""Bulk loading of a SQLite R*Tree (a GeoPackage spatial index) from bounding boxes: the tree is
packed in memory (sort-tile-recursive) and its nodes written straight into the index's
``_node``, ``_parent`` and ``_rowid`` tables, as GDAL's own bulk loader does; inserting
hundreds of thousands of boxes one by one into the virtual table takes ten times longer.

The node layout is SQLite's (``ext/rtree``): a 2-byte depth (root only) and 2-byte cell count,
then cells of an 8-byte id and four 32-bit floats (minx, maxx, miny, maxy), all big-endian; the
boxes are rounded outwards to float32 as SQLite rounds them.  ``SELECT rtreecheck(...)`` accepts
what this writes (tested).  Imports numpy, ``layers.sqlite_rows`` and the standard library.
"""

from __future__ import annotations

import math
import sqlite3

import numpy as np

from layers.sqlite_rows import insert_columns


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _outward_f32(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo32, hi32 = lo.astype(np.float32), hi.astype(np.float32)
    lo32 = np.where(lo32.astype(np.float64) > lo, np.nextafter(lo32, np.float32(-np.inf)), lo32)
    hi32 = np.where(hi32.astype(np.float64) < hi, np.nextafter(hi32, np.float32(np.inf)), hi32)
    return lo32, hi32


def _pack(boxes: np.ndarray, fanout: int) -> np.ndarray:
    """Sort-tile-recursive order of ``boxes``: consecutive runs of ``fanout`` in the returned
    order are the members of one node (the last run may be shorter)."""
    n = len(boxes)
    leaves = math.ceil(n / fanout)
    slices = max(1, math.ceil(math.sqrt(leaves)))
    cx = (boxes[:, 0] + boxes[:, 1]) / 2
    cy = (boxes[:, 2] + boxes[:, 3]) / 2
    order = np.argsort(cx, kind="stable")
    per_slice = math.ceil(n / slices / fanout) * fanout
    # within each vertical slice by y (ties in x order): one sort on (slice, y, x rank)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return np.lexsort((rank, cy, rank // per_slice))


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
    level_boxes = np.column_stack([lo_x, hi_x, lo_y, hi_y]).astype(np.float32)
    level_ids = ids
    levels: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # order, ids, boxes
    while True:
        order = _pack(level_boxes.astype(np.float64), fanout)
        levels.append((order, level_ids, level_boxes))
        count = math.ceil(len(order) / fanout)
        if count == 1:
            break
        starts = np.arange(0, len(order), fanout)
        members = level_boxes[order]
        level_boxes = np.column_stack([np.minimum.reduceat(members[:, 0], starts),
                                       np.maximum.reduceat(members[:, 1], starts),
                                       np.minimum.reduceat(members[:, 2], starts),
                                       np.maximum.reduceat(members[:, 3], starts)])
        level_ids = np.arange(count, dtype=np.int64)  # placeholders, numbered below
    # number the nodes top-down: the root is 1
    numbers: list[np.ndarray] = [None] * len(levels)  # type: ignore[list-item]
    next_no = 1
    for depth in range(len(levels) - 1, -1, -1):
        count = math.ceil(len(levels[depth][0]) / fanout)
        numbers[depth] = np.arange(next_no, next_no + count, dtype=np.int64)
        next_no += count
    cell = np.dtype([("id", ">i8"), ("box", ">f4", (4,))])
    node_rows: list[tuple[int, bytes]] = []
    parent_ids, parent_nodes = [], []
    leaf_of = np.empty(len(ids), dtype=np.int64)  # the leaf node of each id
    for depth, (order, member_ids, member_boxes) in enumerate(levels):
        count = len(numbers[depth])
        node_of = numbers[depth][np.arange(len(order)) // fanout]  # per member, in order
        cells = np.zeros(count * fanout, dtype=cell)
        cells["id"][:len(order)] = member_ids[order] if depth == 0 \
            else numbers[depth - 1][order]
        cells["box"][:len(order)] = member_boxes[order]
        nodes = np.zeros((count, size), dtype=np.uint8)
        nodes[:, 4:4 + 24 * fanout] = cells.view(np.uint8).reshape(count, 24 * fanout)
        filled = np.bincount(np.arange(len(order)) // fanout, minlength=count)
        nodes[:, 2] = filled >> 8
        nodes[:, 3] = filled & 0xFF
        if count == 1 and depth == len(levels) - 1:  # the root holds the tree's depth
            nodes[0, 0:2] = np.frombuffer((len(levels) - 1).to_bytes(2, "big"), np.uint8)
        data = nodes.tobytes()
        node_rows.extend(zip(numbers[depth].tolist(),
                             [data[k * size:(k + 1) * size] for k in range(count)], strict=True))
        if depth == 0:
            leaf_of[order] = node_of
        else:
            parent_ids.append(numbers[depth - 1][order])
            parent_nodes.append(node_of)
    con.execute(f"DELETE FROM {node_table}")
    con.executemany(f"INSERT INTO {node_table} VALUES (?, ?)", node_rows)
    if parent_ids:
        insert_columns(con, f"INSERT INTO {parent_table} VALUES",
                       [[np.concatenate(parent_ids).tolist(),
                         np.concatenate(parent_nodes).tolist()]])
    order = np.argsort(ids, kind="stable")  # appended in key order: no B-tree page splits
    insert_columns(con, f"INSERT INTO {rowid_table} (rowid, nodeno) VALUES",
                   [[ids[order].tolist(), leaf_of[order].tolist()]])
