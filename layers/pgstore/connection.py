"""Opening the shared store: a libpq URL (``postgresql://host/db``), a conninfo string
(``host=... dbname=...``) or a service name of ``.pg_service.conf``; the password comes from
libpq (``.pgpass``, ``PGPASSWORD``, the service file) or is typed in (:class:`StoreLogin`, kept
in memory only) and is never stored in a project (:func:`safe_target`).  Imports ``psycopg``
and ``ilp_gis``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ilp_gis.errors import ProjectError
from ilp_gis.i18n import register_catalog, tr


class StoreError(ProjectError):
    """The shared store refused or failed; the message says what and what to do."""


class ConnectionLost(StoreError):
    """The connection broke in the middle of a transaction (a server restart, a network cut):
    the server rolled it back, nothing of it is stored, the same step can simply be retried.
    A caller inside a larger step (a check-in) says so in its own words."""


class PasswordNeeded(StoreError):
    """The server asks for a password: none was given (``wrong`` False) or the one given was
    refused (``wrong`` True).  The desktop app asks for it; the command line says so."""

    def __init__(self, message: str, *, wrong: bool, user: str = "") -> None:
        super().__init__(message)
        self.wrong = wrong
        self.user = user


def conninfo(target: str) -> str:
    """The libpq conninfo for ``target``: a URL or ``key=value`` string as given, otherwise the
    name of a service in ``.pg_service.conf``."""
    target = target.strip()
    if not target:
        raise StoreError(tr("pgstore.no_target"))
    if "://" in target or "=" in target:
        try:
            conninfo_to_dict(target)
        except psycopg.ProgrammingError as exc:
            raise StoreError(tr("pgstore.bad_target", target=safe_target(target),
                                why=str(exc))) from exc
        return target
    return make_conninfo(service=target)


def safe_target(target: str) -> str:
    """``target`` without its password: what a project may remember and a message may show."""
    try:
        parts = conninfo_to_dict(conninfo(target) if "://" not in target and "=" not in target
                                 else target)
    except (psycopg.ProgrammingError, StoreError):
        return "?"
    parts.pop("password", None)
    return make_conninfo(**{k: v for k, v in parts.items() if v is not None})


def connect(target: str, **kwargs) -> psycopg.Connection:
    """A connection to the store (not in autocommit: every command is one transaction)."""
    info = conninfo(target)
    try:
        return psycopg.connect(info, connect_timeout=10, **kwargs)
    except psycopg.OperationalError as exc:
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        wrong = _password_refused(exc, bool(kwargs.get("password")))
        if wrong is not None:
            user = str(kwargs.get("user") or conninfo_to_dict(info).get("user") or "")
            raise PasswordNeeded(tr("pgstore.password_wrong" if wrong else
                                    "pgstore.password_needed", target=safe_target(target),
                                    user=user or "?"), wrong=wrong, user=user) from exc
        raise StoreError(tr("pgstore.cannot_connect", target=safe_target(target),
                            why=why)) from exc


def _password_refused(exc: psycopg.OperationalError, given: bool) -> bool | None:
    """None when the failure was not about the password; False when the server asked for one
    and none was there (libpq's own test), True when the one given was refused."""
    pgconn = getattr(exc, "pgconn", None)
    if pgconn is not None and pgconn.needs_password:
        return False
    text = str(exc).lower()
    if "no password supplied" in text:
        return False
    used = bool(pgconn.used_password) if pgconn is not None else given
    if used and "password authentication failed" in text:
        return True
    return None


@dataclass(frozen=True)
class StoreLogin:
    """How a session reaches the store: ``target`` (URL, conninfo or service name), an optional
    ``.pg_service.conf`` elsewhere, user and password typed in.  Lives in memory only; what a
    project or a message may show is :meth:`label` (never the password)."""

    target: str
    user: str = ""
    password: str = field(default="", repr=False)
    service_file: str = ""

    def connect(self) -> psycopg.Connection:
        if self.service_file:
            os.environ["PGSERVICEFILE"] = self.service_file
        extra = {}
        if self.user:
            extra["user"] = self.user
        if self.password:
            extra["password"] = self.password
        return connect(self.target, **extra)

    def source(self) -> str:
        """The connection without password, with the user typed in."""
        text = safe_target(self.target)
        if self.user and text != "?":
            parts = conninfo_to_dict(text)
            parts["user"] = self.user
            text = make_conninfo(**parts)
        return text

    def label(self) -> str:
        """A short name of the store: its service or database name."""
        if "://" not in self.target and "=" not in self.target:
            return self.target.strip()
        try:
            parts = conninfo_to_dict(self.target)
        except psycopg.ProgrammingError:
            return "?"
        return str(parts.get("service") or parts.get("dbname") or parts.get("host") or "?")


@contextmanager
def reading(conn: psycopg.Connection) -> Iterator[psycopg.Cursor]:
    """A cursor for a read that leaves ``conn`` as it found it: a transaction the read opened
    is ended, one the caller had open stays open (so later writes commit where they should)."""
    idle = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    try:
        with conn.cursor() as cur:
            yield cur
    finally:
        if idle and not conn.closed:
            conn.rollback()


register_catalog("layers", "pgstore.connection")
