"""Edits on the shared store with optimistic concurrency: every row carries ``_row_version``
(raised by a trigger on each update); an edit names the version it was made on and is refused
with an :class:`EditConflict` (mine, theirs) when someone changed the row meanwhile, never a
silent overwrite; :func:`resolve` settles one (keep mine, keep theirs, merge fields).  Every
change lands in ``ilp_audit`` (who, when, before, after) through a trigger; :func:`history`
reads a row's trail.  Imports ``psycopg`` and ``layers.pgstore``."""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from ilp_gis.i18n import register_catalog, tr
from layers.pgstore.connection import ConnectionLost, StoreError, reading
from layers.pgstore.pull import stored_layers
from layers.pgstore.push import STORE_COLUMNS, promote_to_multi

GEOMETRY = "geometry"
"""The key of a geometry change (a shapely geometry in WGS84)."""
KEEP_MINE, KEEP_THEIRS, MERGE = "mine", "theirs", "merge"


@dataclass(eq=False)
class EditConflict(StoreError):
    """The row changed (or vanished) since version ``expected``: ``mine`` are the changes
    asked for (None: I deleted the row), ``theirs`` the row as it is now (None when deleted),
    ``mine_row`` my whole row when the edit came from a check-out, ``contested`` the columns
    both sides changed to different values (known for a check-out, where the values taken
    are kept)."""

    layer: str
    rid: int
    expected: int
    mine: dict | None = field(default_factory=dict)
    theirs: dict | None = None
    mine_row: dict | None = None
    contested: list[str] | None = None

    def __post_init__(self) -> None:
        StoreError.__init__(self, tr("pgstore.edits.conflict", layer=self.layer, rid=self.rid,
                                     version=self.expected))

    def fields(self) -> list[str]:
        """The columns my edit changes, in order."""
        return list(self.mine or {})

    def differing(self) -> list[str]:
        """The columns where my value differs from theirs now."""
        if self.mine is None or self.theirs is None:
            return self.fields()
        return [c for c, v in self.mine.items()
                if c == GEOMETRY or plain(self.theirs.get(c)) != plain(v)]

    def asked(self) -> list[str]:
        """The columns a person must choose for: both sides changed them (when known),
        otherwise every column where mine differs from theirs."""
        return self.differing() if self.contested is None else list(self.contested)


def plain(value):
    """A cell as JSON-like Python (None for every kind of missing) so values from a
    GeoPackage, pandas and the database compare equal when they mean the same."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return None if math.isnan(value) else float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if isinstance(value, str) else str(value)


def _layer(conn: psycopg.Connection, layer: str) -> tuple[str | None, set[str]]:
    for name, geometry_type, columns in stored_layers(conn):
        if name == layer:
            return geometry_type, {c for c, _, _ in columns}
    raise StoreError(tr("pgstore.edits.no_layer", layer=layer))


def read_row(conn: psycopg.Connection, layer: str, rid: int) -> dict | None:
    """The row ``rid`` of ``layer`` as a dict (without geometry), None when absent."""
    with reading(conn) as cur:
        cur.execute(sql.SQL("SELECT to_jsonb(t) - 'geom' FROM {} t WHERE _rid = %s").format(
            sql.Identifier(layer)), (rid,))
        row = cur.fetchone()
    return None if row is None else row[0]


def read_geometry(conn: psycopg.Connection, layer: str, rid: int):
    """The geometry of row ``rid`` of ``layer`` (a shapely geometry in WGS84), None when the
    row or its geometry is absent."""
    with reading(conn) as cur:
        cur.execute(sql.SQL("SELECT ST_AsBinary(geom) FROM {} WHERE _rid = %s").format(
            sql.Identifier(layer)), (rid,))
        row = cur.fetchone()
    return None if row is None or row[0] is None else shapely.from_wkb(bytes(row[0]))


def find_rid(conn: psycopg.Connection, layer: str, column: str, value) -> tuple[int, int] | None:
    """``(_rid, _row_version)`` of the first row whose ``column`` equals ``value``."""
    if column not in _layer(conn, layer)[1]:
        raise StoreError(tr("pgstore.edits.no_column", layer=layer, column=column))
    with reading(conn) as cur:
        cur.execute(sql.SQL("SELECT _rid, _row_version FROM {} WHERE {} = %s ORDER BY _rid"
                            " LIMIT 1").format(sql.Identifier(layer), sql.Identifier(column)),
                    (value,))
        row = cur.fetchone()
    return None if row is None else (int(row[0]), int(row[1]))


def _assignments(layer: str, geometry_type: str | None, allowed: set[str], changes: dict):
    unknown = [c for c in changes if c != GEOMETRY and (c not in allowed or c in STORE_COLUMNS)]
    if unknown or (GEOMETRY in changes and not geometry_type):
        raise StoreError(tr("pgstore.edits.no_column", layer=layer,
                            column=", ".join(unknown or [GEOMETRY])))
    parts, values = [], []
    for col, value in changes.items():
        if col == GEOMETRY:
            geom = promote_to_multi(np.array([value], dtype=object))[0] \
                if geometry_type.startswith("Multi") else value
            parts.append(sql.SQL("geom = ST_GeomFromWKB(%s, 4326)"))
            values.append(None if geom is None else shapely.to_wkb(geom))
        else:
            parts.append(sql.SQL("{} = %s").format(sql.Identifier(col)))
            values.append(plain(value))
    return sql.SQL(", ").join(parts), values


def edit_row(conn: psycopg.Connection, layer: str, rid: int, expected_version: int,
             changes: dict) -> int:
    """Apply ``changes`` (column → value; ``geometry`` → a shapely geometry) to row ``rid``
    if it is still at ``expected_version``; returns the new version.  A changed or deleted row
    raises :class:`EditConflict`; a row the user's role may not write raises StoreError (the
    database's row-level security refuses it).  Inside a caller's transaction it is a
    savepoint, otherwise its own transaction."""
    geometry_type, allowed = _layer(conn, layer)
    sets, values = _assignments(layer, geometry_type, allowed, changes)
    if not changes:
        return expected_version
    table = sql.Identifier(layer)
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(sql.SQL("UPDATE {} SET {} WHERE _rid = %s AND _row_version = %s"
                                " RETURNING _row_version").format(table, sets),
                        (*values, rid, expected_version))
            row = cur.fetchone()
            if row is None:
                _refused_or_conflict(conn, layer, rid, expected_version, dict(changes))
            return int(row[0])
    except psycopg.errors.InsufficientPrivilege as exc:
        raise StoreError(tr("pgstore.edits.refused", layer=layer, rid=rid)) from exc
    except psycopg.OperationalError as exc:
        raise ConnectionLost(tr("pgstore.edits.lost", why=str(exc).strip())) from exc


def delete_row(conn: psycopg.Connection, layer: str, rid: int, expected_version: int) -> None:
    """Delete row ``rid`` if it is still at ``expected_version`` (gone already: nothing to
    do); a row changed meanwhile raises :class:`EditConflict` with ``mine`` None."""
    _layer(conn, layer)
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(sql.SQL("DELETE FROM {} WHERE _rid = %s AND _row_version = %s"
                                " RETURNING _rid").format(sql.Identifier(layer)),
                        (rid, expected_version))
            if cur.fetchone() is None and read_row(conn, layer, rid) is not None:
                _refused_or_conflict(conn, layer, rid, expected_version, None)
    except psycopg.errors.InsufficientPrivilege as exc:
        raise StoreError(tr("pgstore.edits.refused", layer=layer, rid=rid)) from exc


def _refused_or_conflict(conn, layer: str, rid: int, expected: int, mine: dict | None):
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT ilp_may_edit(_kab) FROM {} WHERE _rid = %s").format(
            sql.Identifier(layer)), (rid,))
        now = cur.fetchone()
    if now is not None and not now[0]:
        raise StoreError(tr("pgstore.edits.refused", layer=layer, rid=rid))
    raise EditConflict(layer, rid, expected, mine, read_row(conn, layer, rid))


def resolve(conn: psycopg.Connection, conflict: EditConflict, keep: str, *,
            fields: list[str] | None = None) -> int | None:
    """Settle ``conflict``: ``theirs`` keeps the row as it is now; ``mine`` writes my whole
    edit (my whole row when it came from a check-out); ``merge`` writes only ``fields`` of mine
    (default: the columns I changed) over theirs.  Returns the row's version afterwards (None
    when deleted); someone changing the row again meanwhile raises a new conflict."""
    if keep not in (KEEP_MINE, KEEP_THEIRS, MERGE):
        raise ValueError(keep)
    theirs = conflict.theirs
    if keep == KEEP_THEIRS:
        return None if theirs is None else int(theirs["_row_version"])
    if conflict.mine is None:  # I deleted it
        if theirs is not None:
            delete_row(conn, conflict.layer, conflict.rid, int(theirs["_row_version"]))
        return None
    if theirs is None:
        raise StoreError(tr("pgstore.edits.gone", layer=conflict.layer, rid=conflict.rid))
    if keep == KEEP_MINE:
        changes = dict(conflict.mine_row or conflict.mine)
    else:
        chosen = conflict.fields() if fields is None else fields
        changes = {c: conflict.mine[c] for c in chosen if c in conflict.mine}
    return edit_row(conn, conflict.layer, conflict.rid, int(theirs["_row_version"]), changes)


def history(conn: psycopg.Connection, layer: str, rid: int) -> list[dict]:
    """The audit trail of one row, oldest first: ``at``, ``who``, ``op``, ``before``,
    ``after`` and ``changed`` (the columns whose value differs)."""
    with reading(conn) as cur:
        cur.execute("SELECT at, who, op, before, after FROM ilp_audit"
                    " WHERE layer = %s AND row_id = %s ORDER BY id", (layer, rid))
        rows = cur.fetchall()
    out = []
    for at, who, op, before, after in rows:
        before = json.loads(before) if isinstance(before, str) else before
        after = json.loads(after) if isinstance(after, str) else after
        keys = set(before or {}) | set(after or {})
        changed = sorted(k for k in keys - {"_row_version"}
                         if (before or {}).get(k) != (after or {}).get(k))
        out.append({"at": at, "who": str(who), "op": op, "before": before, "after": after,
                    "changed": changed})
    return out


register_catalog("layers", "pgstore.edits")
