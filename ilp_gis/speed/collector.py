"""Python's cycle collector held off for a stretch of work that makes many objects none of
which can form a cycle (rows bound into SQLite, a re-analysis after an edit): reference
counting frees them all the same, and full collections that walk every object of the process
are saved.  A collector held off by someone else stays off.  Imports the standard library only
(the store process imports it without pandas)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def held_off(hold: bool = True) -> Iterator[None]:
    """The collector off inside the block when ``hold``; on again after it only when it was on
    before."""
    was = hold and gc.isenabled()
    if was:
        gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
