"""What the importer would read from a file (the detected column mapping and its first rows),
for a mapping editor.  May import ``layers.readers``/``columns``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from layers import readers
from layers.columns import detect_columns


def preview_columns(path, role: str, overrides: dict[str, str] | None = None, *,
                    sheet: str | None = None, rows: int = 5):
    """What the importer would read from ``path`` as ``role``: the detected
    :class:`~layers.columns.ColumnMapping` (after ``overrides``) and the first ``rows`` rows —
    for a mapping editor that lets the planner check and change the guesses before importing."""
    path = Path(path)
    if role == "facilities" and not readers.is_vector(path):
        res = readers.read_table(path, sheet=sheet)
        headers = list(res.frame.columns)
    else:
        res = readers.read_vector(path, prefer=(role,))
        headers = [c for c in res.frame.columns if c != res.frame.geometry.name]
    mapping = detect_columns(headers, role, overrides, file=path.name)
    return mapping, pd.DataFrame(res.frame[headers].head(rows))
