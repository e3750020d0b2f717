"""Background threads for GIL-releasing work (numpy sorts, scipy KD-trees, PROJ transforms).

One interface, :func:`in_background`; the faster thread switching it needs while such work
runs is kept here and restored when the last background job ends.  Standard library only.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager

_SWITCH = {"active": 0, "saved": None}
_SWITCH_LOCK = threading.Lock()
_FAST_SWITCH_S = 0.0005


@contextmanager
def _fast_switching() -> Iterator[None]:
    """While background work runs, let threads take turns every 0.5 ms instead of 5 ms.

    Background work is numpy/scipy/PROJ calls that release the GIL, with a line of Python
    between them; with a busy caller each of those lines waited up to the 5 ms switch interval
    for the GIL.  The process's own interval comes back when the last background job ends,
    however that job ends.
    """
    with _SWITCH_LOCK:
        _SWITCH["active"] += 1
        if _SWITCH["active"] == 1:
            _SWITCH["saved"] = sys.getswitchinterval()
            sys.setswitchinterval(min(_SWITCH["saved"], _FAST_SWITCH_S))
    try:
        yield
    finally:
        with _SWITCH_LOCK:
            _SWITCH["active"] -= 1
            if _SWITCH["active"] == 0 and _SWITCH["saved"] is not None:
                sys.setswitchinterval(_SWITCH["saved"])
                _SWITCH["saved"] = None


def in_background(fn, *args) -> Future:
    """Run ``fn(*args)`` in a fresh daemon thread; its result (or error) comes from the Future.

    numpy sorting, scipy's KD-tree and PROJ release the GIL, so such work uses the second core
    while the caller goes on.  A plain thread per call (not a pool): PROJ keeps per-thread state.
    """
    fut: Future = Future()

    def run() -> None:
        if not fut.set_running_or_notify_cancel():
            return
        with _fast_switching():
            try:
                fut.set_result(fn(*args))
            except BaseException as exc:  # handed to whoever asks for the result
                fut.set_exception(exc)

    threading.Thread(target=run, name=f"ilp-{getattr(fn, '__name__', 'work')}",
                     daemon=True).start()
    return fut
