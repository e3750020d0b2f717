"""Conventions for long work: plain functions with ``progress`` and ``is_cancelled`` callbacks.

``progress(fraction, message=None)`` gets 0.0..1.0; ``is_cancelled()`` returns True when the
person pressed Cancel.  Long functions call :func:`checkpoint` between steps.  The desktop app
wraps such a function in a worker thread; the command line shows a terminal progress bar.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future

from ilp_gis.errors import Cancelled

ProgressFn = Callable[..., None]
CancelFn = Callable[[], bool]


def checkpoint(progress: ProgressFn | None, is_cancelled: CancelFn | None,
               fraction: float, message: str | None = None) -> None:
    """Report progress and stop with :class:`Cancelled` when asked to."""
    if is_cancelled is not None and is_cancelled():
        raise Cancelled()
    if progress is not None:
        progress(max(0.0, min(1.0, fraction)), message)


def sub_progress(progress: ProgressFn | None, start: float, end: float) -> ProgressFn | None:
    """Map a sub-task's 0..1 onto ``start..end`` of the parent's progress."""
    if progress is None:
        return None

    def inner(fraction: float, message: str | None = None) -> None:
        progress(start + (end - start) * max(0.0, min(1.0, fraction)), message)

    return inner


_SWITCH = {"active": 0, "saved": None}
_SWITCH_LOCK = threading.Lock()
_FAST_SWITCH_S = 0.0005


def _fast_switching(on: bool) -> None:
    """While background work runs, let threads take turns every 0.5 ms instead of 5 ms.

    Background work is numpy/scipy/PROJ calls that release the GIL, with a line of Python
    between them; with a busy caller each of those lines waited up to the 5 ms switch interval
    for the GIL (a road graph build took 4.4 s instead of 1.8 s).  Restored when the last
    background job ends.
    """
    with _SWITCH_LOCK:
        if on:
            _SWITCH["active"] += 1
            if _SWITCH["active"] == 1:
                _SWITCH["saved"] = sys.getswitchinterval()
                sys.setswitchinterval(min(_SWITCH["saved"], _FAST_SWITCH_S))
        else:
            _SWITCH["active"] -= 1
            if _SWITCH["active"] == 0 and _SWITCH["saved"] is not None:
                sys.setswitchinterval(_SWITCH["saved"])


def in_background(fn, *args) -> Future:
    """Run ``fn(*args)`` in a fresh daemon thread; its result (or error) comes from the Future.

    numpy sorting, scipy's KD-tree and PROJ release the GIL, so such work uses the second core
    while the caller goes on.  A plain thread per call (not a pool): PROJ keeps per-thread state.
    """
    fut: Future = Future()

    def run() -> None:
        if not fut.set_running_or_notify_cancel():
            return
        _fast_switching(True)
        try:
            fut.set_result(fn(*args))
        except BaseException as exc:  # handed to whoever asks for the result
            fut.set_exception(exc)
        finally:
            _fast_switching(False)

    threading.Thread(target=run, name=f"ilp-{getattr(fn, '__name__', 'work')}",
                     daemon=True).start()
    return fut
