"""Run plain functions ``fn(progress=None, is_cancelled=None)`` off the UI thread.

A :class:`Task` lives in the UI thread; its function runs in Qt's global thread pool.  The
worker only calls the task's Qt signals (delivered to the UI thread as queued calls) and never
touches a widget.  ``cancel()`` sets a flag the function polls through ``is_cancelled``
(``ilp_gis.jobs.checkpoint`` raises :class:`~ilp_gis.errors.Cancelled`).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

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


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread
        self.task.run_here()


def start(task: Task, pool: QThreadPool | None = None) -> Task:
    """Queue ``task`` on the thread pool and return it."""
    (pool or QThreadPool.globalInstance()).start(_Runnable(task))
    return task
