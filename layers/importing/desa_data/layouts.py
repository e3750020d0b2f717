"""Table layouts whose fields need more than one column: the BPS PODES raw layout (the desa
code split over R101 provinsi, R102 kabupaten, R103 kecamatan, R104 desa; families as
R401A1 + R401A2 + R401B) and the readable PODES layout without its derived total (families as
the three ``keluarga_*`` columns).  The single columns of every layout are synonyms in
``layers.columns`` (``desa_data`` role).  May import ``ilp_gis`` and ``layers.columns``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from layers.columns import ColumnMapping, norm_header

CODE_PARTS = (("r101", 2), ("r102", 2), ("r103", 3), ("r104", 3))
"""PODES raw: the BPS desa code as four columns and their widths (15 · 03 · 010 · 001)."""


@dataclass(frozen=True)
class Sum:
    """A field read as the sum of several columns (each a count)."""

    field: str
    parts: tuple[str, ...]  # normalised headers


SUMS = (Sum("families", ("r401a1", "r401a2", "r401b")),
        Sum("families", ("keluarga_listrik_pln", "keluarga_listrik_nonpln",
                         "keluarga_tanpa_listrik")))
"""Families by electricity source (PODES: families, not persons), tried in order."""


def derived_code_column(headers, mapping: ColumnMapping) -> tuple[str, ...] | None:
    """The four PODES raw code columns (actual headers) when the table has them and no
    column was found or given for ``code_bps``."""
    if "code_bps" in mapping.fields or "code_bps" in mapping.overridden:
        return None
    by_norm = {norm_header(h): h for h in headers}
    found = tuple(by_norm.get(n) for n, _ in CODE_PARTS)
    return found if all(found) else None


def compose_codes(columns: list[list]) -> np.ndarray:
    """BPS desa codes from the four raw parts (``"15", "03", "010", "001"`` →
    ``"1503010001"``; Excel numbers such as 3.0 padded); None where a part is not a
    whole number that fits its width."""
    n = len(columns[0])
    out = np.full(n, None, dtype=object)
    parts = []
    for col, (_, width) in zip(columns, CODE_PARTS, strict=True):
        text = []
        for v in col:
            t = None
            if v is not None:
                s = str(v).strip()
                if s.endswith(".0"):
                    s = s[:-2]
                if s.isdigit() and len(s.lstrip("0") or "0") <= width:
                    t = s.zfill(width)[-width:]
            text.append(t)
        parts.append(text)
    for i in range(n):
        p = [parts[k][i] for k in range(4)]
        if all(p):
            out[i] = "".join(p)
    return out


def sum_parts(headers, mapping: ColumnMapping) -> dict[str, tuple[str, ...]]:
    """``{field: (header, ...)}`` for the fields of :data:`SUMS` the table has the parts of
    and no single column (or override) gave."""
    by_norm = {norm_header(h): h for h in headers}
    out: dict[str, tuple[str, ...]] = {}
    for s in SUMS:
        if s.field in mapping.fields or s.field in mapping.overridden or s.field in out:
            continue
        found = tuple(by_norm.get(p) for p in s.parts)
        if all(found):
            out[s.field] = found
    return out


