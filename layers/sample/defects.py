"""Deliberate defects in the raw sources: which rows get one (one defect a row) and how the
values are misspelt, collected for the DEFECTS.csv manifest.

Imports numpy, pandas, ``layers.atomic`` and ``layers.safe_cells``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from layers.atomic import atomic_write
from layers.safe_cells import csv_text


class Defects:
    """Collects the deliberate defects written into the sources (the DEFECTS.csv manifest)."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, file: str, rows, kind: str, detail: str = "") -> None:
        """``rows``: 0-based frame rows; the manifest names them as the import report does
        (a table's spreadsheet row, header row 1; a GIS layer's feature number)."""
        first = 2 if Path(file).suffix.lower() in (".csv", ".xlsx", ".xlsm", ".txt") else 1
        for r in np.atleast_1d(rows):
            self.rows.append({"file": file, "row": int(r) + first, "kind": kind,
                              "detail": detail})

    def table(self, rng, file: str, n: int) -> TableDefects:
        """The defects of one source table of ``n`` rows."""
        return TableDefects(self, rng, file, n)

    def write(self, path: Path) -> Path:
        """Write the manifest: one CSV row a defect (file, row, kind, detail)."""
        def write(tmp: Path) -> None:
            with open(tmp, "x", newline="", encoding="utf-8") as fh:
                w = csv.DictWriter(fh, fieldnames=["file", "row", "kind", "detail"])
                w.writeheader()
                w.writerows({k: csv_text(v) for k, v in row.items()} for row in self.rows)

        return atomic_write(path, write)


class TableDefects:
    """Rows of one table chosen for defects, each row carrying at most one."""

    def __init__(self, defects: Defects, rng, file: str, n: int) -> None:
        self.defects, self.rng, self.file, self.n = defects, rng, file, n
        self.used: set[int] = set()

    def rows(self, rate: float, minimum: int) -> np.ndarray:
        """About ``rate`` of the rows (at least ``minimum``) not chosen before."""
        return pick(self.rng, np.arange(self.n), n_defects(self.n, rate, minimum), self.used)

    def mark(self, rate: float, minimum: int, kind: str, detail: str = "") -> np.ndarray:
        """:meth:`rows`, listed in the manifest as ``kind``."""
        r = self.rows(rate, minimum)
        self.defects.add(self.file, r, kind, detail)
        return r

    def swap(self, table: pd.DataFrame, rate: float, minimum: int, lat: str, lon: str) -> None:
        """Swap latitude and longitude in some rows (``swapped_coordinates``)."""
        r = self.mark(rate, minimum, "swapped_coordinates")
        table.loc[r, [lat, lon]] = table.loc[r, [lon, lat]].to_numpy()


def pick(rng, pool: np.ndarray, k: int, used: set) -> np.ndarray:
    """``k`` distinct row positions from ``pool`` not used yet by another defect (so each row
    carries one defect and DEFECTS.csv stays unambiguous)."""
    pool = np.asarray(pool)
    if used:
        pool = pool[~np.isin(pool, np.fromiter(used, dtype=int, count=len(used)))]
    k = min(k, len(pool))
    out = rng.choice(pool, k, replace=False) if k else np.empty(0, dtype=int)
    used.update(int(v) for v in out)
    return np.sort(out)


def without_dots(codes) -> list[str]:
    """Area codes that lost their dots (``53.10.01.2001`` → ``5310012001``)."""
    return [c.replace(".", "") for c in codes]


def lost_leading_zeros(codes) -> list[str]:
    """Area codes whose parts lost their leading zeros, as in Excel (``53.1.1.2001``)."""
    return [".".join(str(int(p)) for p in c.split(".")) for c in codes]


def n_defects(n: int, rate: float, minimum: int) -> int:
    """How many of ``n`` rows get a defect: about ``rate`` of them, at least ``minimum``."""
    return int(min(n, max(minimum, round(n * rate))))


def dms(value: float, pos: str, neg: str) -> str:
    """A coordinate as degree-minute-second text (``8°37'12.0"S``)."""
    hemi = pos if value >= 0 else neg
    v = abs(value)
    d = int(v)
    m = int((v - d) * 60)
    s = (v - d - m / 60) * 3600
    return f"{d}°{m:02d}'{s:04.1f}\"{hemi}"


def comma(values, decimals: int = 6) -> np.ndarray:
    """Numbers written the Indonesian way: comma decimals, as text."""
    arr = np.asarray(values, dtype=float)
    out = np.char.replace(np.char.mod(f"%.{decimals}f", arr), ".", ",").astype(object)
    out[~np.isfinite(arr)] = ""
    return out
