"""Versioned schema of the shared store: the numbered SQL files of ``migrations/``
(``0001_base.sql``, ...) are applied in order, each in the same transaction as the row that
records it in ``ilp_schema_version``; a store newer than this client is refused with a clear
message (:func:`check_version`).  Imports ``psycopg`` and ``layers.pgstore.connection``."""

from __future__ import annotations

import re
from importlib import resources

import psycopg

from ilp_gis.i18n import register_catalog, tr
from layers.pgstore.connection import StoreError, reading

_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """``(version, file name, SQL text)`` of every bundled migration, in order."""
    folder = resources.files("layers.pgstore") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


SUPPORTED_VERSION = max(v for v, _, _ in migrations())
"""The newest schema this client knows."""


def schema_version(conn: psycopg.Connection) -> int | None:
    """The store's schema version, or None when the database holds no ilp-gis store yet."""
    with reading(conn) as cur:
        cur.execute("SELECT to_regclass('public.ilp_schema_version') IS NOT NULL")
        if not cur.fetchone()[0]:
            return None
        cur.execute("SELECT max(version) FROM ilp_schema_version")
        value = cur.fetchone()[0]
    return None if value is None else int(value)


def check_version(conn: psycopg.Connection) -> int:
    """The store's version; a missing store or one newer than this client raises StoreError."""
    version = schema_version(conn)
    if version is None:
        raise StoreError(tr("pgstore.schema.missing"))
    if version > SUPPORTED_VERSION:
        raise StoreError(tr("pgstore.schema.too_new", version=version,
                            supported=SUPPORTED_VERSION))
    if version < SUPPORTED_VERSION:
        raise StoreError(tr("pgstore.schema.too_old", version=version,
                            supported=SUPPORTED_VERSION))
    return version


def migrate(conn: psycopg.Connection) -> list[int]:
    """Bring the store to :data:`SUPPORTED_VERSION`; returns the versions applied now.  All of
    it is one transaction: a failure leaves the store as it was."""
    applied: list[int] = []
    try:
        with conn.transaction():
            with conn.cursor() as cur:
                # one migrating client at a time
                cur.execute("SELECT pg_advisory_xact_lock(hashtext('ilp_gis.migrate'))")
                cur.execute("CREATE TABLE IF NOT EXISTS ilp_schema_version ("
                            " version integer PRIMARY KEY,"
                            " applied_at timestamptz NOT NULL DEFAULT now(),"
                            " file text NOT NULL)")
                cur.execute("GRANT SELECT ON ilp_schema_version TO PUBLIC")
            current = schema_version(conn) or 0
            if current > SUPPORTED_VERSION:
                raise StoreError(tr("pgstore.schema.too_new", version=current,
                                    supported=SUPPORTED_VERSION))
            for version, name, text in migrations():
                if version <= current:
                    continue
                with conn.cursor() as cur:
                    cur.execute(text.encode("utf-8"))
                    cur.execute("INSERT INTO ilp_schema_version (version, file) VALUES (%s, %s)",
                                (version, name))
                applied.append(version)
    except psycopg.Error as exc:
        raise StoreError(tr("pgstore.schema.failed", why=str(exc).strip())) from exc
    return applied


register_catalog("layers", "pgstore.schema")
