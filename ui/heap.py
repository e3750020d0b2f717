"""The process's C heap: at most a few malloc arenas on Linux.

glibc's malloc gives each thread that allocates at the same time as another its own arena (up to
eight per CPU).  The national jobs read layers, build the road graph and fill the desktop app's
panels in threads, and each arena keeps the memory its thread freed for itself: the national
``analyze`` peaked at 3.2 GB with the default and 2.4 GB with one arena, with no more CPU time.
:func:`limit_arenas` sets the limit through ``mallopt`` before the first worker thread starts.
Windows and macOS heaps work another way and are left alone; so is a limit the user set in
``MALLOC_ARENA_MAX``.  Imports the standard library only.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 1
"""Arenas for the whole process: every thread takes memory from the main one (national
``analyze``: 2.4 GB peak with one, 2.8 GB with two, 3.2 GB with glibc's default)."""


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Limit glibc's malloc to ``arenas`` arenas; True when the limit was set."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # a C library without mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return mallopt(M_ARENA_MAX, arenas) == 1


def trim() -> bool:
    """Hand the memory glibc's malloc keeps free at the top of its heaps and in whole free
    pages back to the system (``malloc_trim``: a nation's layers read leave ~100-170 MB of
    freed reading buffers); True when it was asked.  Elsewhere nothing is done."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        malloc_trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # a C library without malloc_trim
        return False
    malloc_trim.argtypes = [ctypes.c_size_t]
    malloc_trim.restype = ctypes.c_int
    malloc_trim(0)
    return True
