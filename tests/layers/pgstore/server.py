"""A throwaway PostgreSQL + PostGIS cluster for the store tests: ``initdb`` and ``pg_ctl`` of the
Debian packages, owned by a non-root user, listening only on a Unix socket in a temporary folder
(no TCP port).  Run as root, the cluster belongs to the ``postgres`` system user (or a user this
helper creates when there is none): the server refuses to run as root.  Test code only: the
product never starts a server."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

PG_BIN_CANDIDATES = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin",
                     "/usr/lib/postgresql/17/bin")
ADMIN = "ilp_admin"
TEMPLATE = "ilp_template"
PORT = 54329  # only names the socket file inside the private folder
TEST_USER = "ilp-pgtest"


class NoServer(RuntimeError):
    """No PostgreSQL server could be started here; the message says why."""


def pg_bin() -> Path:
    """The folder with ``initdb`` and ``pg_ctl`` (``ILP_GIS_PG_BIN`` overrides)."""
    candidates = [os.environ["ILP_GIS_PG_BIN"]] if os.environ.get("ILP_GIS_PG_BIN") else []
    candidates += list(PG_BIN_CANDIDATES)
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise NoServer("no PostgreSQL server binaries (initdb, pg_ctl) found; install the Debian "
                   "packages postgresql-15 and postgresql-15-postgis-3 (or set ILP_GIS_PG_BIN)")


def _server_user() -> str | None:
    """The user the server runs as: None (this user) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", TEST_USER):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    TEST_USER], check=True, capture_output=True)
    return TEST_USER


@dataclass
class Cluster:
    """A running cluster; :meth:`url` gives a libpq conninfo for a database and user."""

    root: Path
    bin: Path
    user: str | None

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    def url(self, dbname: str = "postgres", user: str = ADMIN) -> str:
        return f"host={self.socket_dir} port={PORT} dbname={dbname} user={user}"

    def _run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([str(a) for a in args], user=self.user, capture_output=True,
                              text=True, **kwargs)

    def start(self) -> None:
        self.socket_dir.mkdir()
        if self.user:
            info = pwd.getpwnam(self.user)
            for path in (self.root, self.socket_dir):
                os.chown(path, info.pw_uid, info.pw_gid)
        out = self._run(self.bin / "initdb", "-D", self.data, "-U", ADMIN, "--auth=trust",
                        "--encoding=UTF8", "--no-locale", "--no-sync")
        if out.returncode:
            raise NoServer(f"initdb failed: {(out.stderr or out.stdout).strip()[-300:]}")
        options = (f"-k {self.socket_dir} -p {PORT} -c listen_addresses='' -c fsync=off"
                   " -c max_connections=60 -c shared_buffers=32MB")
        out = self._run(self.bin / "pg_ctl", "-D", self.data, "-o", options, "-l",
                        self.root / "server.log", "-w", "-t", "60", "start")
        if out.returncode:
            log = (self.root / "server.log")
            tail = log.read_text(errors="replace")[-300:] if log.exists() else ""
            raise NoServer(f"pg_ctl start failed: {(out.stderr or out.stdout).strip()} {tail}")

    def stop(self) -> None:
        if self.data.exists():
            self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def restart(self) -> None:
        """Stop at once (as a crash would) and start again on the same data."""
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        options = (f"-k {self.socket_dir} -p {PORT} -c listen_addresses='' -c fsync=off"
                   " -c max_connections=60 -c shared_buffers=32MB")
        out = self._run(self.bin / "pg_ctl", "-D", self.data, "-o", options, "-l",
                        self.root / "server.log", "-w", "-t", "60", "start")
        if out.returncode:
            raise NoServer(f"pg_ctl restart failed: {out.stderr.strip()}")

    def require_password(self, role: str) -> None:
        """From now on ``role`` logs in only with its password (scram-sha-256); every other
        role stays trusted.  Waits until the server applies it."""
        import time

        import psycopg

        hba = self.data / "pg_hba.conf"
        hba.write_text(f"local all {role} scram-sha-256\n" + hba.read_text())
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")
        for _ in range(100):
            try:
                psycopg.connect(self.url(user=role), connect_timeout=5).close()
            except psycopg.OperationalError:
                return
            time.sleep(0.05)
        raise NoServer(f"the server did not start asking {role} for a password")

    def new_database(self) -> str:
        """A fresh database with PostGIS (a copy of the template); returns its name."""
        import psycopg
        from psycopg import sql

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(TEMPLATE)))
        return name


def start_cluster() -> Cluster:
    """Start a throwaway cluster with a PostGIS template database, or raise NoServer."""
    binary = pg_bin()
    try:
        import psycopg
    except ImportError as exc:
        raise NoServer("the client library psycopg is not installed (pip install -e .)") from exc
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="ilp-pg-"))
    cluster = Cluster(root, binary, user)
    try:
        cluster.start()
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        with psycopg.connect(cluster.url(TEMPLATE), autocommit=True) as conn:
            try:
                conn.execute("CREATE EXTENSION postgis")
            except psycopg.Error as exc:
                raise NoServer("PostGIS is not installed for this server (Debian package "
                               f"postgresql-15-postgis-3): {str(exc).strip()}") from exc
    except BaseException:
        cluster.stop()
        raise
    return cluster
