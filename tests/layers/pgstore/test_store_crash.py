"""A client killed with SIGKILL in the middle of a push or of a check-in leaves no partial
write (the server rolls the open transaction back), and the same command can simply be run
again; a server restart during a push or a check-in ends it with a clear message, nothing
stored, and a retry succeeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from layers.pgstore.connection import connect
from layers.pgstore.pull import pull_project
from layers.pgstore.push import push_project
from layers.project_file import open_project
from tests.layers.pgstore.store_fixtures import KAB_A, pushed_with_roles

REPO = Path(__file__).resolve().parents[3]

# The child pushes the project and, once the first tables are written inside the transaction,
# says so and waits: the parent then kills it or restarts the server under it.
CHILD = """
import sys, time
from layers.pgstore.connection import StoreError, connect
from layers.pgstore.push import push_project
from layers.project_file import open_project
project = open_project(sys.argv[2])
calls = []
def progress(fraction, *_):
    calls.append(fraction)
    if len(calls) == 3:
        print("HALFWAY", flush=True)
        time.sleep(float(sys.argv[3]))
try:
    with connect(sys.argv[1]) as conn:
        push_project(conn, project, replace=True, progress=progress)
except StoreError as exc:
    print("ERROR", exc, flush=True)
    sys.exit(1)
print("DONE", flush=True)
"""


def _child(tmp_path, url: str, project: Path, wait: float) -> subprocess.Popen:
    script = tmp_path / "child_push.py"
    script.write_text(CHILD, "utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO), ILP_GIS_LANG="id")
    return subprocess.Popen([sys.executable, str(script), url, str(project), str(wait)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=REPO)


def _wait_for(proc: subprocess.Popen, word: str) -> str:
    line = proc.stdout.readline()
    assert word in line, line + proc.stderr.read()
    return line


def _backends(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname ="
                            " current_database() AND pid <> pg_backend_pid()").fetchone()[0]


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {t for (t,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename NOT LIKE 'ilp\\_%' AND tablename <> 'spatial_ref_sys'")}


@pytest.mark.parametrize("first", [False, True], ids=["empty store", "replacing a project"])
def test_a_client_killed_mid_push_leaves_no_partial_write(store_url, sample_project_path,
                                                          tmp_path, first):
    before = set()
    if first:
        small = open_project(sample_project_path)
        small.layers = {"desa": small.desa.head(3)}
        with connect(store_url) as conn:
            push_project(conn, small)
        before = _tables(store_url)
    proc = _child(tmp_path, store_url, sample_project_path, 60)
    try:
        _wait_for(proc, "HALFWAY")
        assert _tables(store_url) == before  # the half-written tables are not visible
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.monotonic() + 30
    while _backends(store_url) and time.monotonic() < deadline:
        time.sleep(0.1)  # the server notices the dead client and rolls its transaction back
    assert _backends(store_url) == 0
    assert _tables(store_url) == before
    with psycopg.connect(store_url) as conn:
        pushes = conn.execute("SELECT count(*) FROM ilp_audit WHERE op = 'push'").fetchone()[0]
    assert pushes == (1 if first else 0)
    if first:
        with connect(store_url) as conn:
            assert len(pull_project(conn).desa) == 3
    proc = _child(tmp_path, store_url, sample_project_path, 0)  # the safe retry
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    with connect(store_url) as conn:
        assert len(pull_project(conn).facilities) == len(open_project(sample_project_path)
                                                         .facilities)


def test_a_server_restart_during_a_push_is_a_clear_message_and_a_safe_retry(
        pg_cluster, store_url, sample_project_path, tmp_path):
    proc = _child(tmp_path, store_url, sample_project_path, 3)
    try:
        _wait_for(proc, "HALFWAY")
        pg_cluster.restart()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, out + err
    assert "terputus saat mengunggah" in out and "tidak ada yang tersimpan" in out
    assert "Traceback" not in err
    assert _tables(store_url) == set()
    proc = _child(tmp_path, store_url, sample_project_path, 0)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert {"desa", "facilities", "roads"} <= _tables(store_url)


# The child checks in offline edits of two facilities; after the first is written inside the
# check-in's transaction it says so and waits: the parent kills it there.
CHECKIN_CHILD = """
import sys, time
from layers.pgstore import checkout
from layers.pgstore.connection import StoreError, connect
real = checkout.edit_row
def edit_row(*args, **kwargs):
    version = real(*args, **kwargs)
    print("HALFWAY", flush=True)
    time.sleep(float(sys.argv[2]))
    return version
checkout.edit_row = edit_row
with connect(sys.argv[1]) as conn:
    project = checkout.check_out(conn, "35.07")
fac = project.layers["facilities"]
fac.loc[fac["fac_id"] == "a1", "name"] = "Sumber Baru"
fac.loc[fac["fac_id"] == "a2", "name"] = "Kidul Baru"
try:
    with connect(sys.argv[1]) as conn:
        result = checkout.check_in(conn, project)
except StoreError as exc:
    print("ERROR", exc, flush=True)
    sys.exit(1)
print("DONE", result.updated, flush=True)
"""


def _names(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT fac_id, name FROM facilities").fetchall())


def _updates(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM ilp_audit WHERE op = 'update'").fetchone()[0]


def _check_in_child(tmp_path, url: str, wait: float) -> subprocess.Popen:
    script = tmp_path / "child_checkin.py"
    script.write_text(CHECKIN_CHILD, "utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO), ILP_GIS_LANG="id")
    return subprocess.Popen([sys.executable, str(script), url, str(wait)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=REPO)


def _retry_checks_in_whole(tmp_path, team_url: str, admin_url: str, before: dict) -> None:
    proc = _check_in_child(tmp_path, team_url, 0)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    assert out.split()[-2:] == ["DONE", "2"]
    after = _names(admin_url)
    assert (after["a1"], after["a2"], after["b1"]) == ("Sumber Baru", "Kidul Baru",
                                                       before["b1"])
    assert _updates(admin_url) == 2


def test_a_client_killed_mid_check_in_leaves_no_partial_write(pg_cluster, store_url, tmp_path):
    urls, _ = pushed_with_roles(pg_cluster, store_url, {"a": KAB_A})
    before = _names(store_url)
    proc = _check_in_child(tmp_path, urls["a"], 60)
    try:
        _wait_for(proc, "HALFWAY")
        assert _names(store_url) == before  # the first edit is written but not visible
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.monotonic() + 30
    while _backends(store_url) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _backends(store_url) == 0
    assert _names(store_url) == before and _updates(store_url) == 0
    _retry_checks_in_whole(tmp_path, urls["a"], store_url, before)


def test_a_server_restart_during_a_check_in_is_a_clear_message_and_a_safe_retry(
        pg_cluster, store_url, tmp_path):
    urls, _ = pushed_with_roles(pg_cluster, store_url, {"a": KAB_A})
    before = _names(store_url)
    proc = _check_in_child(tmp_path, urls["a"], 3)
    try:
        _wait_for(proc, "HALFWAY")
        pg_cluster.restart()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, out + err
    assert out.startswith("ERROR") and "Traceback" not in err, out + err
    assert "terputus" in out and "tersimpan" in out  # connection lost, nothing stored
    assert _names(store_url) == before and _updates(store_url) == 0
    _retry_checks_in_whole(tmp_path, urls["a"], store_url, before)
