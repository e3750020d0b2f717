"""What a shared store holds, for ``ilp-gis db status`` and the GUI: its schema version, the
connected user's rights (province or the kabupaten of its team) and the rows of every stored
table.  Imports ``psycopg`` and ``layers.pgstore``."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from layers.pgstore.connection import reading
from layers.pgstore.pull import stored_layers
from layers.pgstore.roles import role_scope
from layers.pgstore.schema import SUPPORTED_VERSION, check_version


@dataclass
class StoreStatus:
    version: int
    supported: int
    user: str
    province: bool
    kabupaten: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def store_status(conn: psycopg.Connection) -> StoreStatus:
    """The status of the store behind ``conn`` (a missing or newer schema raises StoreError)."""
    version = check_version(conn)
    user, province, codes = role_scope(conn)
    rows: dict[str, int] = {}
    with reading(conn) as cur:
        for name, _, _ in stored_layers(conn):
            cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name)))
            rows[name] = int(cur.fetchone()[0])
    return StoreStatus(version, SUPPORTED_VERSION, user, province, codes, rows)
