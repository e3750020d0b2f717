"""The sample's own file writers (GeoJSON, GeoPackage, XLSX, CSV, text), each through
:func:`layers.atomic.atomic_write` so a write killed half-way leaves no half-written file; CSV
and XLSX cells through ``layers.safe_cells`` (no formula, no crash on control characters).
Imports numpy, pandas, geopandas, shapely, openpyxl, pyogrio, ``layers.atomic`` and
``layers.safe_cells``.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.atomic import atomic_write
from layers.safe_cells import csv_frame, text_cell, xlsx_value

_GEOJSON_HEAD = ('{\n"type": "FeatureCollection",\n"name": "NAME",\n"crs": { "type": "name", '
                 '"properties": { "name": "urn:ogc:def:crs:OGC:1.3:CRS84" } },\n"features": [\n')


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write a GeoJSON FeatureCollection (WGS 84, 6 decimals ≈ 0.1 m), fast at large scales:
    geometries through shapely's vectorised ``to_geojson``, attributes through pandas."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    geoms = shapely.transform(geoms, lambda c: np.round(c, 6))
    gj = shapely.to_geojson(geoms)
    gj = np.where(pd.isna(gj), "null", gj)
    props = pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_json(
        orient="records", lines=True, force_ascii=False, double_precision=10)
    props = props.rstrip("\n").split("\n") if len(frame) else []
    name = path.stem

    def write(tmp: Path) -> None:
        with open(tmp, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(_GEOJSON_HEAD.replace("NAME", name))
            fh.write(",\n".join(f'{{ "type": "Feature", "properties": {p}, "geometry": {g} }}'
                                for p, g in zip(props, gj, strict=True)))
            fh.write("\n]\n}\n")

    return atomic_write(path, write)


def write_gpkg(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write a GeoPackage layer named like the file (WGS 84; coordinates rounded to 6 decimals
    like the GeoJSON sources, so both spellings hold the same data)."""
    import pyogrio

    geoms = np.asarray(frame.geometry.values, dtype=object)
    out = frame.set_geometry(gpd.GeoSeries(shapely.transform(geoms, lambda c: np.round(c, 6)),
                                           index=frame.index, crs=frame.crs))
    return atomic_write(path, lambda tmp: pyogrio.write_dataframe(
        out, tmp, layer=path.stem, driver="GPKG", promote_to_multi=False))


def write_xlsx(frame: pd.DataFrame, path: Path, sheet: str, date_cols=()) -> Path:
    """Write ``frame`` as one bold-headed sheet (``date_cols`` shown DD/MM/YYYY)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet
    ws.append([text_cell(ws, str(c)) for c in frame.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        ws.append([xlsx_value(ws, _xlsx_value(v)) for v in row])
    for col in date_cols:
        j = list(frame.columns).index(col) + 1
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            cell.number_format = "DD/MM/YYYY"
    ws.freeze_panes = "A2"
    for j, col in enumerate(frame.columns, start=1):
        ws.column_dimensions[ws.cell(1, j).column_letter].width = max(10, min(40, len(col) + 4))
    return atomic_write(path, wb.save)


def _xlsx_value(v):
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def write_csv(frame: pd.DataFrame, path: Path, **options) -> Path:
    """Write ``frame`` without its index (``options`` go to :meth:`pandas.DataFrame.to_csv`)."""
    safe = csv_frame(frame)
    return atomic_write(path, lambda tmp: safe.to_csv(tmp, index=False, **options))


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text with the platform's line ends."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
