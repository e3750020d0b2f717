"""One per-desa table into the desa layer: read (CSV/XLSX through ``layers.readers``), its
columns found (``layers.columns``, role ``desa_data``, ``--map desa_data.FIELD=COLUMN``) or
derived (PODES raw layout, :mod:`.layouts`), its figures read (:mod:`.values`), its rows
joined to their desa (:mod:`.match`) and written into the desa columns of ``ilp_gis.model``;
then the table's facility counts compared with the facility list the analysis will use for
the same desa (``ilp_gis.desa_counts``).  May import ``ilp_gis`` and ``layers``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ilp_gis import codes, desa_counts, model
from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from layers import readers
from layers.columns import detect_columns
from layers.importing.cells import _texts
from layers.importing.desa_data.layouts import compose_codes, derived_code_column, sum_parts
from layers.importing.desa_data.match import DesaKeys, RowKeys, desa_without_row, match_rows
from layers.importing.desa_data.values import read_field, summed
from layers.importing.report import _FileLog

KEY_FIELDS = ("code", "code_bps", "name", "kecamatan_code", "kecamatan_name", "kabupaten_code",
              "kabupaten_name")
FIGURE_FIELDS = tuple(f for f in model.DESA.column_names if f not in (
    "code", "code_bps", "code_original", "name", "kind", "kecamatan_code", "kecamatan_name",
    "population_source", "desa_data_source"))
"""Desa columns a table may fill."""


def read_desa_table(path: Path, desa: pd.DataFrame, overrides: dict | None, logs: list,
                    *, keys: DesaKeys | None = None, kabupaten: pd.DataFrame | None = None,
                    sheet: str | None = None,
                    header_row: int | None = None, file_key: str | None = None):
    """Read one table and join it: ``(figures, positions, mapping)`` where ``figures`` maps
    each desa field the table gives to its values per row and ``positions`` holds each row's
    desa (-1: none).  Its report lines go to a new :class:`_FileLog` appended to ``logs``."""
    res = readers.read_table(path, sheet=sheet, header_row=header_row)
    raw = res.frame
    headers = [str(c) for c in raw.columns]
    mapping = detect_columns(headers, "desa_data", overrides, file=path.name)
    code_parts = derived_code_column(headers, mapping)
    sums = sum_parts(headers, mapping)
    given = [f for f in mapping.fields if f not in KEY_FIELDS]
    if not (set(mapping.fields) & {"code", "code_bps", "name"}) and code_parts is None:
        raise InputError(tr("desa_data.no_key_column", columns=", ".join(headers)),
                         file=path.name)
    if not given and not sums:
        raise InputError(tr("desa_data.no_figure_column", columns=", ".join(headers)),
                         file=path.name)
    log = _FileLog(file_key or path.name, "desa_data", res.row_numbers)
    logs.append(log)
    log.add_notes(res)
    for row, msg in res.bad_rows.items():
        idx = np.flatnonzero(log.rows == row)
        if len(idx):
            log.add(idx[0], "fixed", "too_many_fields", msg)
    n = len(raw)
    texts = list if res.clean_text else _texts

    def column(f: str) -> list:
        c = mapping.get(f)
        return texts(raw[c].tolist()) if c else [None] * n

    code_bps = column("code_bps")
    if code_parts is not None:
        code_bps = compose_codes([texts(raw[c].tolist()) for c in code_parts]).tolist()
        mapping.fields["code_bps"] = "+".join(code_parts)
        mapping.systems["code_bps"] = codes.BPS
        log.add_file("imported", "podes_code_parts",
                     tr("desa_data.code_parts", columns=" + ".join(code_parts)))
    rows = RowKeys(code=column("code"), code_bps=code_bps, name=column("name"),
                   kecamatan_name=column("kecamatan_name"),
                   kecamatan_code=column("kecamatan_code"),
                   code_system=mapping.systems.get("code"),
                   kabupaten_name=column("kabupaten_name"),
                   kabupaten_code=column("kabupaten_code"))
    figures: dict[str, np.ndarray] = {}
    for f in given:
        figures[f] = read_field(f, raw[mapping.fields[f]].tolist(), log, mapping.fields[f])
    for f, parts in sums.items():
        figures[f] = summed([read_field(f, raw[c].tolist(), log, c) for c in parts])
        mapping.fields[f] = "+".join(parts)
        log.add_file("imported", "summed_columns",
                     tr("desa_data.summed", field=f, columns=" + ".join(parts)))
    keys = keys if keys is not None else DesaKeys(desa, kabupaten)
    pos, _how = match_rows(keys, rows, log)
    desa_without_row(keys, pos, log)
    return figures, pos, mapping


def apply_figures(desa: pd.DataFrame, figures: dict[str, np.ndarray], pos: np.ndarray,
                  file: str) -> pd.DataFrame:
    """``desa`` with the table's figures written into the desa its rows joined to (a figure
    the table leaves missing keeps the desa's value), ``population_source`` ``table`` where
    the table gave the population, and the file named in ``desa_data_source``."""
    out = model.conform(desa, model.DESA).copy()
    ok = pos >= 0
    at = pos[ok]
    for f, values in figures.items():
        col = out[f].to_numpy(dtype=float, na_value=np.nan).copy()
        v = np.asarray(values, dtype=float)[ok]
        have = np.isfinite(v)
        col[at[have]] = v[have]
        out[f] = col
        if f == "population":
            src = out["population_source"].to_numpy(dtype=object).copy()
            src[at[have]] = "table"
            out["population_source"] = pd.Series(src, index=out.index, dtype=object)
    src = out["desa_data_source"].to_numpy(dtype=object).copy()
    for j in np.unique(at):
        names = [s for s in str(src[j]).split("; ") if s] if isinstance(src[j], str) else []
        if file not in names:
            names.append(file)
        src[j] = "; ".join(names)
    out["desa_data_source"] = pd.Series(src, index=out.index, dtype=object)
    return out


def compare_with_facilities(desa: pd.DataFrame, facilities: pd.DataFrame | None,
                            pos: np.ndarray, log: _FileLog) -> None:
    """Where the table's Pustu/Posyandu counts meet a facility list for the same kabupaten:
    a line on each row whose count differs, and one line per type saying which source the
    analysis uses for how many desa (``ilp_gis.desa_counts``)."""
    if facilities is None or not len(facilities):
        return
    t = facilities["type"].astype(object).where(facilities["type"].notna(), "").to_numpy(object)
    t = np.where(np.isin(t, model.PUSTU_PRECURSORS), desa_counts.PUSTU, t)
    pre = facilities["precursor"].fillna(False).astype(bool).to_numpy() \
        if "precursor" in facilities else np.zeros(len(facilities), bool)
    dcode = desa["code"].to_numpy(object)
    index = pd.Index(dcode)
    fpos = index.get_indexer(pd.Index(facilities["desa_code"].astype(object)))
    nd = len(desa)

    def count(mask):
        return np.bincount(fpos[mask & (fpos >= 0)], minlength=nd).astype(float)

    points = {desa_counts.PUSTU: count(t == desa_counts.PUSTU),
              "precursor": count((t == desa_counts.PUSTU) & pre),
              desa_counts.POSYANDU: count(t == desa_counts.POSYANDU)}
    dkab = desa_counts.kabupaten_keys(desa["kecamatan_code"].to_numpy(object))
    fkab = desa_counts.facility_kabupaten(
        dcode, dkab, facilities["desa_code"].to_numpy(object),
        facilities["kecamatan_code"].to_numpy(object))
    loaded = {ft: desa_counts.loaded_for_kabupaten(dkab, t, fkab, ft)
              for ft in (desa_counts.PUSTU, desa_counts.POSYANDU)}
    chosen = desa_counts.choose(desa, points, loaded)
    row_of = {int(j): i for i, j in enumerate(pos) if j >= 0}
    for ftype in (desa_counts.PUSTU, desa_counts.POSYANDU):
        src = chosen[f"{ftype}_count_source"].to_numpy(object)
        joined = np.zeros(nd, dtype=bool)
        joined[pos[pos >= 0]] = True
        if not (loaded[ftype] & joined).any():
            continue
        label = tr(f"facility.{ftype}")
        table = chosen[f"n_{ftype}_table"].to_numpy(float)
        full = points[ftype] - (points["precursor"] if ftype == desa_counts.PUSTU else 0)
        n_diff = 0
        for j in np.flatnonzero(joined & (src == "points") & np.isfinite(table)
                                & (table != full)):
            n_diff += 1
            log.add(row_of[int(j)], "doubtful", "count_differs_from_list",
                    tr("desa_data.count_differs", type=label, table=f"{table[j]:g}",
                       points=f"{full[j]:g}"))
        log.add_file("imported", "count_source",
                     tr("desa_data.count_source", type=label,
                        points=int((joined & (src == "points")).sum()),
                        table=int((joined & (src == "table")).sum()), differ=n_diff))


register_catalog("layers", "importing.desa_data.join")
