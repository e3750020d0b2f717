"""The one thread policy for long work in ui/: a :class:`Task` (in the UI thread) runs a plain
``fn(progress=None, is_cancelled=None)`` in a worker thread that only emits the task's signals
and never touches a widget; :func:`start` gives it a thread of its own or a lane's long-lived
thread.  ``cancel()`` sets the flag ``is_cancelled`` polls.  Imports Qt and ``ilp_gis``."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from ilp_gis.errors import Cancelled

log = logging.getLogger(__name__)


class Task(QObject):
    """One piece of long work.  Signals arrive in the UI thread."""

    progress = Signal(float, str)
    finished = Signal(object)  # the function's return value
    failed = Signal(object, str)  # exception, formatted traceback
    cancelled = Signal()
    done = Signal()  # after any of finished/failed/cancelled

    def __init__(self, fn: Callable[..., Any], *, label: str = "", parent=None) -> None:
        super().__init__(parent)
        self.fn = fn
        self.label = label
        self._cancel = threading.Event()
        self.running = False
        self.outcome: str | None = None  # "finished" | "failed" | "cancelled"

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _report(self, fraction: float, message: str | None = None) -> None:
        if not self._cancel.is_set():
            self.progress.emit(float(fraction), message or "")

    def run_here(self) -> None:
        """Run synchronously in the calling thread (the runnable's body)."""
        self.running = True
        try:
            value = self.fn(progress=self._report, is_cancelled=self.is_cancelled)
            if self._cancel.is_set():
                raise Cancelled()
        except Cancelled:
            self.outcome = "cancelled"
            self.cancelled.emit()
        except BaseException as exc:  # reported to the UI thread, which shows it
            self.outcome = "failed"
            log.error("task %s failed", self.label, exc_info=exc)
            self.failed.emit(exc, "".join(traceback.format_exception(exc)))
        else:
            self.outcome = "finished"
            self.finished.emit(value)
        finally:
            self.running = False
            self.done.emit()


_LIVE: dict[Task, threading.Thread] = {}  # tasks stay alive until their function returned
_LANES: dict[str, ThreadPoolExecutor] = {}
VIEWS_LANE = "views"
"""The lane of the panels' national plans (area tree, network tree, gap list): one after
another on one thread, so that together they take one share of the GIL while the UI thread
paints the map, not three."""


def start(task: Task, *, lane: str | None = None) -> Task:
    """Run ``task`` in its own (daemon) thread and return it; with ``lane``, on that lane's one
    persistent Python thread instead (the lane's tasks run one after another).

    Python threads, not Qt's thread pool: PROJ keeps per-thread caches keyed by its context, and
    pool threads that get a new Python thread state per run crash there.  pyproj gives every
    thread its own PROJ context and binds every CRS object to the context of the thread that
    made it; work whose objects reach the UI thread while the worker lives on (the planning
    panel's) runs on a lane, whose thread and context never die.
    """
    if lane is not None:
        executor = _LANES.get(lane)
        if executor is None:
            executor = _LANES[lane] = ThreadPoolExecutor(max_workers=1,
                                                         thread_name_prefix=f"ilp-{lane}")
        executor.submit(task.run_here)
        return task
    thread = threading.Thread(target=task.run_here, name=f"ilp-task-{task.label}", daemon=True)
    _LIVE[task] = thread
    task.done.connect(lambda: _LIVE.pop(task, None))
    thread.start()
    return task


def work_out_after_slot(owner, work: Callable[[], Any], show: Callable[[Any], None], *,
                        label: str, lane: str = VIEWS_LANE) -> Task:
    """Run ``work()`` in a worker on ``lane`` and hand its value to ``show`` on the UI thread,
    unless ``owner._built_for`` changed meanwhile (a later project or result was asked for).
    The worker starts once the UI thread is through the slot that asked for it (started at
    once it would share the GIL with the rest of that slot: the other panels' filling), and
    not at all when ``owner._task`` (which keeps it alive until it reports) was replaced."""
    key = owner._built_for
    task = Task(lambda progress=None, is_cancelled=None: work(), label=label)
    task.finished.connect(lambda value: show(value) if owner._built_for is key else None)
    owner._task = task
    QTimer.singleShot(0, lambda: start(task, lane=lane) if owner._task is task else None)
    return task


def wait_all(timeout_s: float = 15.0) -> bool:
    """Wait until every running task has returned (used when the app closes)."""
    import time

    end = time.monotonic() + timeout_s
    for thread in list(_LIVE.values()):
        thread.join(max(0.0, end - time.monotonic()))
    return not any(t.is_alive() for t in _LIVE.values())
