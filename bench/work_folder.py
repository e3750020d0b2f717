"""The folder a bench script works in: the one given with ``--work`` (kept afterwards), else a
temporary one removed when the script is done.  Standard library only."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def work_folder(given: Path | None, prefix: str) -> Iterator[Path]:
    work = given or Path(tempfile.mkdtemp(prefix=prefix))
    work.mkdir(parents=True, exist_ok=True)
    try:
        yield work
    finally:
        if given is None:
            shutil.rmtree(work, ignore_errors=True)
