"""Fixtures of the store tests (a pytest plugin of the root conftest, so the desktop-app and
report tests use them too): one throwaway PostgreSQL + PostGIS cluster per test session
(:mod:`.server`) and a fresh database per test.  Without a server the tests skip with one line;
when the environment variable ``CI`` is set they fail instead (CI must run them)."""

from __future__ import annotations

import os

import pytest

from tests.layers.pgstore.server import NoServer, start_cluster

_NO_SERVER: list[str] = []


@pytest.fixture(scope="session")
def pg_cluster():
    if _NO_SERVER:
        _skip_or_fail(_NO_SERVER[0])
    try:
        cluster = start_cluster()
    except NoServer as exc:
        _NO_SERVER.append(str(exc))
        _skip_or_fail(str(exc))
    yield cluster
    cluster.stop()


def _skip_or_fail(why: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI needs the PostgreSQL store tests to run: {why}", pytrace=False)
    pytest.skip(f"no PostgreSQL + PostGIS server: {why}")


@pytest.fixture
def pg_url(pg_cluster) -> str:
    """The admin conninfo of a fresh database with PostGIS, not yet initialised for ilp-gis."""
    return pg_cluster.url(pg_cluster.new_database())


@pytest.fixture
def store_url(pg_url) -> str:
    """A fresh database with the ilp-gis schema applied."""
    from layers.pgstore.connection import connect
    from layers.pgstore.schema import migrate

    with connect(pg_url) as conn:
        migrate(conn)
    return pg_url
