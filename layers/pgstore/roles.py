"""Team roles of the shared store: a login role per kabupaten team (member of ``ilp_team``,
listed with its kabupaten in ``ilp_team_kabupaten``) or for the province (member of
``ilp_province``).  What a role may write is enforced by the database's row-level security
(``ilp_may_edit``), not by this client.  Imports ``psycopg`` and ``layers.pgstore``."""

from __future__ import annotations

import re

import psycopg
from psycopg import sql

from ilp_gis.i18n import register_catalog, tr
from layers.pgstore.connection import StoreError, reading

_KAB = re.compile(r"^\d{2}\.\d{2}$")


def add_role(conn: psycopg.Connection, role: str, *, kabupaten: str | None = None,
             password: str | None = None) -> None:
    """Create (or update) login role ``role``: a team of ``kabupaten`` (``PP.KK``), or a
    province analyst when ``kabupaten`` is None.  Needs a user allowed to create roles."""
    if kabupaten is not None and not _KAB.match(kabupaten):
        raise StoreError(tr("pgstore.roles.bad_kabupaten", code=kabupaten))
    group = "ilp_province" if kabupaten is None else "ilp_team"
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            verb = "ALTER" if cur.fetchone() else "CREATE"
            statement = sql.SQL(verb + " ROLE {} LOGIN").format(sql.Identifier(role))
            if password is not None:
                statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
            cur.execute(statement)
            cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group),
                                                          sql.Identifier(role)))
            if kabupaten is not None:
                cur.execute("INSERT INTO ilp_team_kabupaten (role_name, kabupaten_code)"
                            " VALUES (%s, %s) ON CONFLICT DO NOTHING", (role, kabupaten))
    except psycopg.Error as exc:
        raise StoreError(tr("pgstore.roles.failed", role=role, why=str(exc).strip())) from exc


def role_scope(conn: psycopg.Connection) -> tuple[str, bool, list[str]]:
    """``(user, is province, kabupaten codes the user's team edits)`` of this connection."""
    with reading(conn) as cur:
        cur.execute("SELECT session_user, pg_has_role(session_user, 'ilp_province', 'MEMBER')")
        user, province = cur.fetchone()
        cur.execute("SELECT kabupaten_code FROM ilp_team_kabupaten WHERE role_name = session_user"
                    " ORDER BY 1")
        codes = [r[0] for r in cur]
    return str(user), bool(province), codes


register_catalog("layers", "pgstore.roles")
