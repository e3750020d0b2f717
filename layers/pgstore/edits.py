"""Edits on the shared store with optimistic concurrency: every row carries ``_row_version``
(raised by a trigger on each update); an edit names the version it was made on and is refused
with an :class:`EditConflict` (mine, theirs) when someone changed the row meanwhile, never a
silent overwrite.  Every change lands in ``ilp_audit`` (who, when, before, after) through a
trigger; :func:`history` reads a row's trail.  Imports ``psycopg`` and ``layers.pgstore``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from ilp_gis.i18n import register_catalog, tr
from layers.pgstore.connection import StoreError
from layers.pgstore.pull import stored_layers
from layers.pgstore.push import STORE_COLUMNS


@dataclass
class EditConflict(StoreError):
    """The row changed (or vanished) since version ``expected``: ``mine`` are the changes
    asked for, ``theirs`` the row as it is now (None when deleted)."""

    layer: str
    rid: int
    expected: int
    mine: dict = field(default_factory=dict)
    theirs: dict | None = None

    def __post_init__(self) -> None:
        StoreError.__init__(self, tr("pgstore.edits.conflict", layer=self.layer, rid=self.rid,
                                     version=self.expected))


def _columns(conn: psycopg.Connection, layer: str) -> set[str]:
    for name, _, columns in stored_layers(conn):
        if name == layer:
            return {c for c, _, _ in columns}
    raise StoreError(tr("pgstore.edits.no_layer", layer=layer))


def read_row(conn: psycopg.Connection, layer: str, rid: int) -> dict | None:
    """The row ``rid`` of ``layer`` as a dict (without geometry), None when absent."""
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT to_jsonb(t) - 'geom' FROM {} t WHERE _rid = %s").format(
            sql.Identifier(layer)), (rid,))
        row = cur.fetchone()
    return None if row is None else row[0]


def find_rid(conn: psycopg.Connection, layer: str, column: str, value) -> tuple[int, int] | None:
    """``(_rid, _row_version)`` of the first row whose ``column`` equals ``value``."""
    if column not in _columns(conn, layer):
        raise StoreError(tr("pgstore.edits.no_column", layer=layer, column=column))
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT _rid, _row_version FROM {} WHERE {} = %s ORDER BY _rid"
                            " LIMIT 1").format(sql.Identifier(layer), sql.Identifier(column)),
                    (value,))
        row = cur.fetchone()
    conn.rollback()
    return None if row is None else (int(row[0]), int(row[1]))


def edit_row(conn: psycopg.Connection, layer: str, rid: int, expected_version: int,
             changes: dict) -> int:
    """Apply ``changes`` (column → value) to row ``rid`` if it is still at
    ``expected_version``; returns the new version.  A changed or deleted row raises
    :class:`EditConflict`; a row the user's role may not write raises StoreError (the
    database's row-level security refuses it)."""
    allowed = _columns(conn, layer)
    unknown = [c for c in changes if c not in allowed or c in STORE_COLUMNS]
    if unknown:
        raise StoreError(tr("pgstore.edits.no_column", layer=layer, column=", ".join(unknown)))
    if not changes:
        return expected_version
    table = sql.Identifier(layer)
    sets = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in changes)
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(sql.SQL("UPDATE {} SET {} WHERE _rid = %s AND _row_version = %s"
                                " RETURNING _row_version").format(table, sets),
                        (*changes.values(), rid, expected_version))
            row = cur.fetchone()
            if row is None:
                cur.execute(sql.SQL("SELECT _row_version, ilp_may_edit(_kab) FROM {}"
                                    " WHERE _rid = %s").format(table), (rid,))
                now = cur.fetchone()
                if now is not None and not now[1]:
                    raise StoreError(tr("pgstore.edits.refused", layer=layer, rid=rid))
                theirs = read_row(conn, layer, rid)
                raise EditConflict(layer, rid, expected_version, dict(changes), theirs)
            return int(row[0])
    except psycopg.errors.InsufficientPrivilege as exc:
        raise StoreError(tr("pgstore.edits.refused", layer=layer, rid=rid)) from exc
    except psycopg.OperationalError as exc:
        raise StoreError(tr("pgstore.edits.lost", why=str(exc).strip())) from exc


def history(conn: psycopg.Connection, layer: str, rid: int) -> list[dict]:
    """The audit trail of one row, oldest first: ``at``, ``who``, ``op``, ``before``,
    ``after`` and ``changed`` (the columns whose value differs)."""
    with conn.cursor() as cur:
        cur.execute("SELECT at, who, op, before, after FROM ilp_audit"
                    " WHERE layer = %s AND row_id = %s ORDER BY id", (layer, rid))
        rows = cur.fetchall()
    conn.rollback()
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
