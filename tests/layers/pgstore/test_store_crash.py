"""A client killed with SIGKILL in the middle of a push or of a check-in leaves no partial
write (the server rolls the open transaction back), and the same command can simply be run
again; a server restart during a push or a check-in ends it with a clear message, nothing
stored, and a retry succeeds.

No step depends on timing: a child says (one line on its stdout) when it is inside the open
transaction with rows written, and then holds there until the parent lets it go (one line on
its stdin) or kills it; every wait is bounded but generous (a loaded machine is slow, not
wrong)."""

from __future__ import annotations

import os
import select
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
WAIT = 600.0
"""The bound of every wait on a child or the server (seconds): far above any normal run, so
only a hang fails it."""

# The child pushes the project and, once the first tables are written inside the transaction,
# says so and (with "hold") waits for a line on its stdin: the parent kills it there, or
# restarts the server under it and then lets it go on to meet the broken connection.
CHILD = """
import sys
from layers.pgstore.connection import StoreError, connect
from layers.pgstore.push import push_project
from layers.project_file import open_project
project = open_project(sys.argv[2])
calls = []
def progress(fraction, *_):
    calls.append(fraction)
    if len(calls) == 3 and sys.argv[3] == "hold":
        print("HALFWAY", flush=True)
        sys.stdin.readline()
try:
    with connect(sys.argv[1]) as conn:
        push_project(conn, project, replace=True, progress=progress)
except StoreError as exc:
    print("ERROR", exc, flush=True)
    sys.exit(1)
print("DONE", flush=True)
"""


def _child(tmp_path, url: str, project: Path, mode: str) -> subprocess.Popen:
    """A push of ``project``; ``mode`` "hold" stops it inside the transaction (see CHILD)."""
    script = tmp_path / "child_push.py"
    script.write_text(CHILD, "utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO), ILP_GIS_LANG="id")
    return subprocess.Popen([sys.executable, str(script), url, str(project), mode],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)


def _wait_for(proc: subprocess.Popen, word: str) -> str:
    """The child's first line, which must say ``word`` (bounded: a child that hangs before
    it fails the test instead of blocking it)."""
    ready, _, _ = select.select([proc.stdout], [], [], WAIT)
    if not ready:
        proc.kill()
        raise AssertionError(f"the child did not say {word} within {WAIT:.0f} s")
    line = proc.stdout.readline()
    if word not in line:
        proc.kill()
        raise AssertionError(line + proc.stderr.read())
    return line


def _go_on(proc: subprocess.Popen) -> tuple[str, str]:
    """Let a holding child go on; its whole output once it has ended."""
    return proc.communicate("go\n", timeout=WAIT)


def _finish(proc: subprocess.Popen) -> tuple[int, str]:
    """Run a child that does not hold to its end: (exit code, its output for a failure)."""
    out, err = proc.communicate(timeout=WAIT)  # read as it runs: a full pipe never stalls it
    return proc.returncode, out + err


def _backends(url: str) -> int:
    """Client connections to the test database other than this one (the server's own
    workers, such as autovacuum, left out: they come and go on their own)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname ="
                            " current_database() AND pid <> pg_backend_pid()"
                            " AND backend_type = 'client backend'").fetchone()[0]


def _until_no_backends(url: str) -> None:
    """Wait (bounded) until the server has noticed a killed client and rolled its
    transaction back."""
    deadline = time.monotonic() + WAIT
    while _backends(url) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _backends(url) == 0


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
    proc = _child(tmp_path, store_url, sample_project_path, "hold")
    try:
        _wait_for(proc, "HALFWAY")  # held inside the transaction until killed
        assert _backends(store_url) == 1  # its connection, the transaction still open
        assert _tables(store_url) == before  # the half-written tables are not visible
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL  # killed there, not ended on its own
    _until_no_backends(store_url)  # the server noticed the dead client and rolled back
    assert _tables(store_url) == before
    with psycopg.connect(store_url) as conn:
        pushes = conn.execute("SELECT count(*) FROM ilp_audit WHERE op = 'push'").fetchone()[0]
    assert pushes == (1 if first else 0)
    if first:
        with connect(store_url) as conn:
            assert len(pull_project(conn).desa) == 3
    code, output = _finish(_child(tmp_path, store_url, sample_project_path, "run"))
    assert code == 0, output  # the safe retry
    with connect(store_url) as conn:
        assert len(pull_project(conn).facilities) == len(open_project(sample_project_path)
                                                         .facilities)


def test_a_server_restart_during_a_push_is_a_clear_message_and_a_safe_retry(
        pg_cluster, store_url, sample_project_path, tmp_path):
    proc = _child(tmp_path, store_url, sample_project_path, "hold")
    try:
        _wait_for(proc, "HALFWAY")
        pg_cluster.restart()  # under the held transaction; then its next statement
        out, err = _go_on(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, out + err
    assert "terputus saat mengunggah" in out and "tidak ada yang tersimpan" in out
    assert "Traceback" not in err
    assert _tables(store_url) == set()
    code, output = _finish(_child(tmp_path, store_url, sample_project_path, "run"))
    assert code == 0, output
    assert {"desa", "facilities", "roads"} <= _tables(store_url)


# The child checks in offline edits of two facilities; after the first is written inside the
# check-in's transaction it says so and (with "hold") waits for a line on its stdin: the
# parent kills it there, or restarts the server and lets it go on.  Its messages are in the
# language argv[3].
CHECKIN_CHILD = """
import sys
from ilp_gis.i18n import set_language
from layers.pgstore import checkout
from layers.pgstore.connection import StoreError, connect
set_language(sys.argv[3])
real = checkout.edit_row
held = []
def edit_row(*args, **kwargs):
    version = real(*args, **kwargs)
    if sys.argv[2] == "hold" and not held:
        held.append(1)
        print("HALFWAY", flush=True)
        sys.stdin.readline()
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


def _check_in_child(tmp_path, url: str, mode: str, lang: str = "id") -> subprocess.Popen:
    script = tmp_path / "child_checkin.py"
    script.write_text(CHECKIN_CHILD, "utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, str(script), url, mode, lang],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)


def _retry_checks_in_whole(tmp_path, team_url: str, admin_url: str, before: dict) -> None:
    code, output = _finish(_check_in_child(tmp_path, team_url, "run"))
    assert code == 0, output
    assert output.split()[-2:] == ["DONE", "2"]
    after = _names(admin_url)
    assert (after["a1"], after["a2"], after["b1"]) == ("Sumber Baru", "Kidul Baru",
                                                       before["b1"])
    assert _updates(admin_url) == 2


def test_a_client_killed_mid_check_in_leaves_no_partial_write(pg_cluster, store_url, tmp_path):
    urls, _ = pushed_with_roles(pg_cluster, store_url, {"a": KAB_A})
    before = _names(store_url)
    proc = _check_in_child(tmp_path, urls["a"], "hold")
    try:
        _wait_for(proc, "HALFWAY")
        assert _names(store_url) == before  # the first edit is written but not visible
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    _until_no_backends(store_url)
    assert _names(store_url) == before and _updates(store_url) == 0
    _retry_checks_in_whole(tmp_path, urls["a"], store_url, before)


CHECKIN_LOST = {
    "id": ("terputus di tengah check-in", "tidak ada perubahan yang dikirim",
           "GeoPackage Anda tetap seperti semula", "ulangi check-in yang sama"),
    "en": ("lost in the middle of the check-in", "nothing was checked in",
           "your GeoPackage is unchanged", "run the same check-in again"),
}
"""What the check-in's own message says after a lost connection, in each language."""


@pytest.mark.parametrize("lang", sorted(CHECKIN_LOST))
def test_a_server_restart_during_a_check_in_is_a_clear_message_and_a_safe_retry(
        pg_cluster, store_url, tmp_path, lang):
    urls, _ = pushed_with_roles(pg_cluster, store_url, {"a": KAB_A})
    before = _names(store_url)
    proc = _check_in_child(tmp_path, urls["a"], "hold", lang)
    try:
        _wait_for(proc, "HALFWAY")
        pg_cluster.restart()  # under the held check-in; then its next edit
        out, err = _go_on(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, out + err
    assert out.startswith("ERROR") and "Traceback" not in err, out + err
    for words in CHECKIN_LOST[lang]:  # the check-in's message, not the single edit's
        assert words in out, out
    assert "tidak tersimpan dan dapat dicoba" not in out and "can be retried" not in out
    assert _names(store_url) == before and _updates(store_url) == 0
    _retry_checks_in_whole(tmp_path, urls["a"], store_url, before)
