"""The C heap limit (ui.heap): one malloc arena for the whole process on glibc, nothing
elsewhere, the user's own MALLOC_ARENA_MAX kept."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys

import pytest

from ui import heap


def _glibc() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    return hasattr(ctypes.CDLL(None), "gnu_get_libc_version")


# a child that starts four threads which each take C heap memory and stay alive together, then
# prints glibc's heap statistics (one "Arena N:" block per arena) on its stderr
_CHILD = """
import ctypes, sys, threading
sys.path.insert(0, {repo!r})
from ui.heap import limit_arenas
if {limit}:
    assert limit_arenas()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
held = threading.Barrier(5)
def work():
    libc.malloc(4000)  # a thread's first malloc picks (or makes) its arena
    held.wait()
    held.wait()
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads:
    t.start()
held.wait()
libc.malloc_stats()
held.wait()
"""


def _arenas(limit: bool) -> int:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    done = subprocess.run([sys.executable, "-c", _CHILD.format(repo=repo, limit=limit)],
                          env=env, capture_output=True, text=True, timeout=60, check=True)
    return done.stderr.count("Arena ")


@pytest.mark.skipif(not _glibc(), reason="glibc's malloc only")
def test_threads_share_one_arena_once_limited():
    assert _arenas(limit=False) >= 2  # the default: a new arena per thread
    assert _arenas(limit=True) == 1


def test_left_alone_off_linux(monkeypatch):
    monkeypatch.setattr(heap.sys, "platform", "win32")
    assert heap.limit_arenas() is False


def test_the_users_own_setting_is_kept(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert heap.limit_arenas() is False


def test_the_command_line_sets_it_first(monkeypatch):
    from ui import cli

    called = []
    monkeypatch.setattr(heap, "limit_arenas", lambda: called.append(True) or True)
    assert cli.main([]) == cli.EXIT_USAGE  # no command: the help, after the limit
    assert called == [True]
