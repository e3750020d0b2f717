"""What a shared store holds, for ``ilp-gis db status`` and the GUI: its schema version, the
connected user's rights (province or the kabupaten of its team) and the rows of every stored
table; the kabupaten it holds (:func:`stored_kabupaten`, what the GUI offers to open).
Imports ``psycopg`` and ``layers.pgstore``."""

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


def stored_kabupaten(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """``(code, name)`` of every kabupaten of the stored project, by code (the name is the
    code when the layer has no ``name``); empty when there is no kabupaten layer."""
    layers = {name: [c for c, _, _ in columns] for name, _, columns in stored_layers(conn)}
    if "kabupaten" not in layers:
        return []
    name = sql.Identifier("name") if "name" in layers["kabupaten"] else sql.Identifier("_kab")
    with reading(conn) as cur:
        cur.execute(sql.SQL("SELECT _kab, min({}) FROM {} WHERE _kab IS NOT NULL"
                            " GROUP BY _kab ORDER BY _kab").format(
            name, sql.Identifier("kabupaten")))
        return [(str(code), str(label) if label is not None else str(code))
                for code, label in cur.fetchall()]
