"""Atomic file writes: write beside the target, flush to disk, then move over it.

Every output of ilp-gis (project file, reports, tables, web map, analysis outputs) goes through
:func:`atomic_write`, so a write killed half-way leaves the previous file intact and no
half-written file behind.  ``os.replace`` is atomic on Windows and POSIX alike.  Several
writes of one command move into place together or not at all (:func:`all_or_nothing`).  A write
killed outright (power cut, kill -9) cannot remove its temporary; the next write or open of the
same target does (:func:`clean_stale_temporaries`).  A write that is atomic by other means (a
SQLite transaction on the project file) joins such a group with :func:`join_group`: it is
committed first when the group succeeds, rolled back when it fails.  Imports the standard
library only.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

STALE_AFTER_S = 60.0
"""A temporary whose owner is gone is removed only when nothing touched it for this long (a
writer on another computer sharing the folder keeps touching its file while it writes)."""

_SIDECARS = ("", "-journal", "-wal", "-shm")  # SQLite/GeoPackage files beside a temporary
_ACTIVE: set[str] = set()  # temporaries this process is writing now
_ACTIVE_LOCK = threading.Lock()


def _temp_prefix(path: Path) -> str:
    return f".{path.stem}.saving-"


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` for a fresh temporary path beside ``path`` (same suffix, so format
    drivers recognise it; the file does not exist yet), then fsync and move it over ``path``.

    On any exception (including KeyboardInterrupt) the temporary file is removed and the
    exception propagates; ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(path)
    # the owner's process id is in the name, so a later write can tell a dead save's leftover
    fd, name = tempfile.mkstemp(prefix=f"{_temp_prefix(path)}{os.getpid()}-",
                                suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    with _ACTIVE_LOCK:
        _ACTIVE.add(tmp.name)
    tmp.unlink()
    pending = getattr(_GROUP, "pending", None)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would surprise people sharing the output
        if pending is not None:  # inside all_or_nothing(): moved when the whole group is done
            pending.append((tmp, path))
            return path
        os.replace(tmp, path)
    except BaseException:
        _remove_temp(tmp)
        raise
    finally:
        if pending is None:
            with _ACTIVE_LOCK:
                _ACTIVE.discard(tmp.name)
    return path


def _remove_temp(tmp: Path) -> None:
    for side in _SIDECARS:
        Path(f"{tmp}{side}").unlink(missing_ok=True)
    with _ACTIVE_LOCK:
        _ACTIVE.discard(tmp.name)


_GROUP = threading.local()


@contextmanager
def all_or_nothing():
    """Every :func:`atomic_write` in this block (this thread) writes its temporary, and the
    files are moved into place only when the whole block succeeded; on any exception none is
    (a command that fails half-way leaves no project saved without its report).  Nested blocks
    join the outermost one."""
    if getattr(_GROUP, "pending", None) is not None:
        yield
        return
    pending: list[tuple[Path, Path]] = []
    joined: list[tuple[Callable[[], None], Callable[[], None]]] = []
    _GROUP.pending, _GROUP.joined = pending, joined
    try:
        yield
    except BaseException:
        for tmp, _ in pending:
            _remove_temp(tmp)
        for _, abort in joined:
            abort()
        raise
    finally:
        _GROUP.pending = _GROUP.joined = None
    try:
        while joined:
            commit, _ = joined.pop(0)
            commit()
    except BaseException:
        for _, abort in joined:
            abort()
        for tmp, _ in pending:
            _remove_temp(tmp)
        raise
    try:
        for i, (tmp, path) in enumerate(pending):
            os.replace(tmp, path)
            _remove_temp(tmp)  # only its sidecars and the active mark are left
            pending[i] = (tmp, None)
    except BaseException:
        for tmp, path in pending:
            if path is not None:
                _remove_temp(tmp)
        raise


def join_group(commit: Callable[[], None], abort: Callable[[], None]) -> bool:
    """Inside :func:`all_or_nothing`: have ``commit`` called when the whole group succeeded
    (before its files are moved into place) or ``abort`` when it failed, and return True;
    outside one return False (the caller commits at once)."""
    joined = getattr(_GROUP, "joined", None)
    if joined is None:
        return False
    joined.append((commit, abort))
    return True


def in_group() -> bool:
    """Whether this thread runs inside an :func:`all_or_nothing` block."""
    return getattr(_GROUP, "joined", None) is not None


def clean_stale_temporaries(path: str | Path) -> list[Path]:
    """Remove what killed writes of ``path`` left beside it and return what was removed.

    Only names of our own pattern for this very target are considered
    (``.<stem>.saving-<pid>-<random><suffix>`` and its ``-journal``/``-wal``/``-shm``, or the
    older ``.<stem>.saving-<random><suffix>``), never ``path`` itself; one is removed when its
    owning process is gone (or unknown) and it was not modified for :data:`STALE_AFTER_S`
    seconds before this call.  Files that cannot be removed are left (never an error).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    pattern = re.compile(re.escape(_temp_prefix(path)) + r"(?:(\d+)-)?[A-Za-z0-9_]+"
                         + re.escape(path.suffix) + r"(?:-journal|-wal|-shm)?")
    cutoff = time.time() - STALE_AFTER_S
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or entry.name == path.name:
            continue
        base = entry.name
        for side in _SIDECARS[1:]:
            base = base.removesuffix(side) if base.endswith(path.suffix + side) else base
        pid = int(match.group(1)) if match.group(1) else None
        if pid is not None and _owner_alive(pid, base):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or entry.stat().st_mtime > cutoff:
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def _owner_alive(pid: int, name: str) -> bool:
    if pid == os.getpid():
        with _ACTIVE_LOCK:
            return name in _ACTIVE
    return _pid_alive(pid)


def _pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs (only asks; never signals or stops it)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill would terminate the process on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return bool(ok) and code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def atomic_write_text(path: str | Path, text: str, *, newline: str = "") -> Path:
    """:func:`atomic_write` for UTF-8 text."""
    def write(tmp: Path) -> None:
        with open(tmp, "x", encoding="utf-8", newline=newline) as fh:
            fh.write(text)

    return atomic_write(path, write)
