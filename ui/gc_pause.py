"""Python's cyclic garbage collector held off while a project is read, then its objects set
aside: a national project's millions of Python objects made a full collection take seconds,
and a worker that started one held the GIL (the window froze) — after the load, every later
full collection walked all of them again.  Reference counting still frees everything that is
no longer used; only reference cycles wait for the collector.  No Qt."""

from __future__ import annotations

import gc
import threading

_LOCK = threading.Lock()
_HELD = 0


def hold() -> None:
    """Hold the collector off (nested: each :func:`hold` needs one :func:`release`)."""
    global _HELD
    with _LOCK:
        _HELD += 1
        gc.disable()


def release() -> None:
    """One hold less; after the last, the objects alive now are moved out of the collector's
    generations (``gc.freeze``: they were read to stay) and the collector runs again."""
    global _HELD
    with _LOCK:
        if _HELD == 0:
            return
        _HELD -= 1
        if _HELD == 0:
            gc.freeze()
            gc.enable()


def held() -> bool:
    return _HELD > 0
