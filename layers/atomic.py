"""Atomic file writes: write beside the target, flush to disk, then move over it.

Every output of ilp-gis (project file, reports, tables, web map, analysis outputs) goes through
:func:`atomic_write`, so a write killed half-way leaves the previous file intact and no
half-written file behind.  ``os.replace`` is atomic on Windows and POSIX alike.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` for a fresh temporary path beside ``path`` (same suffix, so format
    drivers recognise it; the file does not exist yet), then fsync and move it over ``path``.

    On any exception (including KeyboardInterrupt) the temporary file is removed and the
    exception propagates; ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.saving-", suffix=path.suffix,
                                dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would surprise people sharing the output
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str, *, newline: str = "") -> Path:
    """:func:`atomic_write` for UTF-8 text."""
    def write(tmp: Path) -> None:
        with open(tmp, "x", encoding="utf-8", newline=newline) as fh:
            fh.write(text)

    return atomic_write(path, write)
