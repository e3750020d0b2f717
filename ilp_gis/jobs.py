"""Conventions for long work: ``progress(fraction, message=None)`` and ``is_cancelled()``
callbacks, :func:`checkpoint` between steps and :func:`sub_progress` for a part of the work.
Imports only ``ilp_gis.errors``.
"""

from __future__ import annotations

from collections.abc import Callable

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
