"""Writing what changed between two periods (:class:`ilp_gis.monitoring.history.Comparison`)
to a CSV a spreadsheet opens: one row per desa, headers in the UI language, yes/no in words,
missing cells left empty (never 0)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ilp_gis.i18n import register_catalog, tr
from layers import symbology  # noqa: F401  (registers the gap labels used below)
from layers.analysis_io import write_csv

_COLUMNS = ("desa_code", "desa_name", "kecamatan_code", "pustu_opened", "pustu_closed",
            "n_pustu_before", "n_pustu_after", "n_posyandu_before", "n_posyandu_after",
            "posyandu_deficit_before", "posyandu_deficit_after", "gap_count_before",
            "gap_count_after", "gaps_closed", "gaps_opened", "population_before",
            "population_after", "pop_within_pustu_km_before", "pop_within_pustu_km_after")


def comparison_frame(comparison) -> pd.DataFrame:
    d = comparison.desa
    out = pd.DataFrame({c: d[c] for c in _COLUMNS if c in d.columns})
    for c in out.columns:  # counts print as counts (2, not 2.0); missing stays empty
        v = out[c]
        if v.dtype.kind == "f" and bool(((v % 1 == 0) | v.isna()).all()):
            out[c] = v.astype("Int64")
    for c in ("pustu_opened", "pustu_closed"):
        out[c] = out[c].map({True: tr("common.yes"), False: tr("common.no")})
    for c in ("gaps_closed", "gaps_opened"):
        out[c] = out[c].map(lambda s: "; ".join(tr(f"gap.{k}") for k in s.split(";")) if s
                            else "")
    label = {c: tr(f"history.col.{c}", before=comparison.before.label(),
                   after=comparison.after.label()) for c in out.columns}
    return out.rename(columns=label)


def write_comparison_csv(comparison, path: str | Path) -> Path:
    return write_csv(comparison_frame(comparison), Path(path))


register_catalog("layers", "monitoring_io")
