"""Facility lists (CSV/XLSX tables or GIS points) read into facility rows: coordinates, types
(from the type column or the name), names, declared desa, figures, levels, flags and dates, each
problem on its row's report line.  May import ``ilp_gis``, ``layers.readers``/``columns`` and
``.report``/``.cells``/``.facility_types``.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ilp_gis import coords, model
from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.model import FacilityType
from layers import readers
from layers.columns import ColumnMapping, detect_columns, require
from layers.importing.cells import (
    _booleans,
    _dates,
    _levels,
    _numbers,
    _object_array,
    _plain_numbers,
    _text,
    _texts,
)
from layers.importing.facility_types import _GENERIC_TYPE_COLUMNS, facility_types
from layers.importing.report import _FileLog

_KEC_IN_ADDRESS = re.compile(r"(?:^|[\s,.;(])kec(?:amatan|\.)?\s*[.:]?\s+([^,;()]+)",
                             re.IGNORECASE)


def kecamatan_in_address(address: str | None) -> str | None:
    """The kecamatan an address names ("..., Kec. Ngajum" → "Ngajum"), else ``None``."""
    if not isinstance(address, str):
        return None
    found = _KEC_IN_ADDRESS.findall(address)
    if not found:
        return None
    name = re.split(r"\s+(?:kab(?:upaten|\.)?|kota|prov(?:insi|\.)?)\b", found[-1].strip(),
                    flags=re.IGNORECASE)[0].strip(" .")
    return name or None


def _explain_empty_coordinates(probs: list, res, rows: np.ndarray, mapping) -> None:
    """Name the real reason of coordinates that read as empty when the table reader knows it
    (a formula without a saved value, a row written with another delimiter)."""
    if not res.unsaved_formulas and not res.mixed_rows:
        return
    where = {int(r): i for i, r in enumerate(rows)}
    coord_cols = {mapping.fields["lat"], mapping.fields["lon"]}
    for row, cols in res.unsaved_formulas.items():
        i = where.get(row)
        if i is not None and coord_cols & set(cols):
            probs[i] = coords.explain_missing(probs[i], "formula_without_value")
    for row in res.mixed_rows:
        i = where.get(row)
        if i is not None:
            probs[i] = coords.explain_missing(probs[i], "mixed_delimiter")


def _read_facilities(path: Path, declared: tuple[FacilityType, bool] | None,
                     overrides: dict | None, area_bbox, logs: list,
                     sheet: str | None = None, header_row: int | None = None
                     ) -> tuple[gpd.GeoDataFrame, ColumnMapping]:
    vector = readers.is_vector(path)
    res = readers.read_vector(path) if vector else readers.read_table(
        path, sheet=sheet, header_row=header_row)
    raw = res.frame
    headers = [c for c in raw.columns if not (vector and c == raw.geometry.name)]
    mapping = detect_columns(headers, "facilities", overrides, file=path.name)
    no_coords = not vector and ("lat" not in mapping.fields or "lon" not in mapping.fields)
    try:
        require(mapping, headers, file=path.name)
        if no_coords and mapping.get("declared_desa") is None \
                and mapping.get("declared_desa_code") is None:
            raise InputError(tr("import.no_coordinates_no_desa",
                                columns=", ".join(str(h) for h in headers)), file=path.name)
    except InputError as exc:
        if res.header_hint is None:
            raise
        raise InputError(f"{exc} — {res.header_hint}") from exc
    texts = list if res.clean_text else _texts  # CSV cells are already clean text
    log = _FileLog(path.name, "facilities", res.row_numbers)
    logs.append(log)
    log.add_notes(res)
    for row, msg in res.bad_rows.items():
        idx = np.flatnonzero(log.rows == row)
        if len(idx):
            log.add(idx[0], "fixed", "too_many_fields", msg)
    n = len(raw)
    keep = np.ones(n, dtype=bool)

    # coordinates
    if vector:
        geoms = np.asarray(raw.geometry.values, dtype=object)
        missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        gtypes = np.array([g.geom_type if g is not None else "" for g in geoms], dtype=object)
        not_point = ~missing & (gtypes != "Point")
        pts = geoms.copy()
        for i in np.flatnonzero(not_point):
            pts[i] = geoms[i].point_on_surface() if gtypes[i] != "MultiPoint" else \
                shapely.get_geometry(geoms[i], 0)
            log.add(i, "fixed", "not_point", tr("import.problem.not_point", kind=gtypes[i]))
        xs = np.full(n, np.nan)
        ys = np.full(n, np.nan)
        ok = ~missing
        if ok.any():
            xy = shapely.get_coordinates(pts[ok])
            xs[ok], ys[ok] = xy[:, 0], xy[:, 1]
        lon_raw, lat_raw = xs, ys
    elif no_coords:  # a register that names each facility's desa instead
        lon_raw = [None] * n
        lat_raw = [None] * n
        log.add_file("imported", "no_coordinate_columns", tr("import.no_coordinate_columns"))
    else:
        lon_raw = raw[mapping.fields["lon"]].tolist()
        lat_raw = raw[mapping.fields["lat"]].tolist()
    if not vector:  # columns of plain numbers (the usual case) parsed in one pass
        lon_num = _plain_numbers(pd.Series(lon_raw, dtype=object))
        lat_num = _plain_numbers(pd.Series(lat_raw, dtype=object))
        fixed = coords.fix_points(lon_raw if lon_num is None else lon_num,
                                  lat_raw if lat_num is None else lat_num, area_bbox=area_bbox)
    else:
        fixed = coords.fix_points(lon_raw, lat_raw, area_bbox=area_bbox)
    lon = fixed["lon"].to_numpy()
    lat = fixed["lat"].to_numpy()
    st = fixed["status"].to_numpy().copy()
    probs = fixed["problems"].tolist()
    if not vector and not no_coords:
        _explain_empty_coordinates(probs, res, log.rows, mapping)
    comma_rows = [i for i in range(n) if "comma_decimal" in probs[i]]
    if n and len(comma_rows) >= 0.5 * n:  # the whole file is written with comma decimals
        log.add_file("imported", "comma_decimal", tr("import.comma_file"))
        for i in comma_rows:
            probs[i] = tuple(p for p in probs[i] if p != "comma_decimal")
            if not probs[i]:
                st[i] = coords.OK
    flagged = np.flatnonzero(st != coords.OK)
    lon_l = lon_raw if isinstance(lon_raw, list) else list(lon_raw)
    lat_l = lat_raw if isinstance(lat_raw, list) else list(lat_raw)
    c = mapping.get("declared_desa")
    declared_desa = texts(raw[c].tolist()) if c else [None] * n
    c = mapping.get("declared_desa_code")
    decl_code = texts(raw[c].tolist()) if c else [None] * n
    coord_problem = np.full(n, None, dtype=object)
    quality = np.where(st == coords.FIXED, model.LocationQuality.FIXED.value,
                       model.LocationQuality.EXACT.value).astype(object)
    for i in flagged:
        if st[i] == coords.REJECTED:
            # kept: placed in its declared desa later (location quality "desa"), or kept
            # without a position ("unknown"); each gets its report line there
            if no_coords:
                coord_problem[i] = ("no_coordinate_columns", None, "")
            else:
                orig = f"{_text(lon_l[i]) or ''}, {_text(lat_l[i]) or ''}"
                coord_problem[i] = (";".join(probs[i]), coords.problems_message(
                    probs[i], lon=lon[i], lat=lat[i], original=orig), orig)
            continue
        orig = f"{_text(lon_l[i]) or ''}, {_text(lat_l[i]) or ''}"
        status = {"fixed": "fixed", "doubtful": "doubtful"}[st[i]]
        msg = coords.problems_message(probs[i], lon=lon[i], lat=lat[i], original=orig)
        log.add(i, status, ";".join(probs[i]), msg, orig)

    # names
    name_col = mapping.fields["name"]
    names = texts(raw[name_col].tolist())

    # types
    type_col = mapping.get("type")
    generic = type_col is not None and type_col.strip().lower() in _GENERIC_TYPE_COLUMNS
    type_values = raw[type_col].tolist() if type_col else [None] * n
    types = np.full(n, None, dtype=object)
    precursor = np.zeros(n, dtype=bool)
    type_original = texts(type_values)
    row_types, row_pre = facility_types(type_original)
    has_tv = np.array([t is not None for t in type_original], dtype=bool) & (not generic)
    unknown = has_tv & pd.isna(row_types)
    for i in np.flatnonzero(unknown & keep):
        log.add(i, "skipped", "unknown_type",
                tr("import.problem.unknown_type", value=type_original[i]), type_original[i])
    keep &= ~unknown
    known = has_tv & ~unknown
    types[known] = row_types[known]
    precursor[known] = row_pre[known]
    if declared is not None:
        conflict = known & (row_types != declared[0].value)
        for i in np.flatnonzero(conflict):
            log.add(i, "doubtful", "type_conflict",
                    tr("import.problem.type_conflict", value=type_original[i],
                       declared=declared[0].label), type_original[i])
        rest = ~has_tv
        types[rest] = declared[0].value
        precursor[rest] = declared[1]
        from_name = 0
    else:
        # no type in the row: the name may say it ("Posyandu Mawar", "Pustu Sukamaju")
        rest = np.flatnonzero(~has_tv)
        name_types, name_pre = facility_types([names[i] for i in rest])
        found = ~pd.isna(name_types)
        for k in np.flatnonzero(~found):
            i = rest[k]
            if keep[i]:
                log.add(i, "skipped", "unknown_type",
                        tr("import.problem.no_type", name=names[i] or "–"),
                        type_original[i] or "")
            keep[i] = False
        ok = rest[found]
        types[ok] = name_types[found]
        precursor[ok] = name_pre[found]
        if type_col is not None and not generic:  # a type column with empty cells
            for i in ok:
                log.add(i, "fixed", "type_from_name",
                        tr("import.problem.type_from_name", name=names[i],
                           type=FacilityType(types[i]).label))
            from_name = 0
        else:
            from_name = len(ok)
        for i in ok[np.equal(_object_array(type_original)[ok], None)]:
            type_original[i] = names[i]
    for i in np.flatnonzero(precursor & keep):
        log.add(i, "fixed", "pustu_precursor",
                tr("import.problem.pustu_precursor", value=type_original[i] or
                   (declared[0].value if declared else "")), type_original[i] or "")
    if from_name:
        log.add_file("imported", "type_from_name", tr("import.types_from_names", n=from_name))
    for i in np.flatnonzero(np.equal(_object_array(names), None) & keep):
        label = FacilityType(types[i]).label
        names[i] = tr("import.unnamed", type=label, row=int(log.rows[i]))
        log.add(i, "doubtful", "missing_name", tr("import.problem.missing_name",
                                                  name=names[i]))

    cols: dict[str, object] = {
        "code": texts(raw[mapping.fields["code"]].tolist()) if "code" in
        mapping.fields else [None] * n,
        "name": names, "type": types, "type_original": type_original,
        "precursor": precursor,
    }
    c = mapping.get("parent")
    cols["parent_name"] = texts(raw[c].tolist()) if c else [None] * n
    cols["declared_desa"] = [d if d is not None else k for d, k in
                             zip(declared_desa, decl_code, strict=True)]
    cols["_decl_code"] = decl_code
    c = mapping.get("declared_kecamatan")
    decl_kec = texts(raw[c].tolist()) if c else [None] * n
    from_address = np.zeros(n, dtype=bool)
    c = mapping.get("address")
    if c:  # "Jl. Ahmad Yani No.18, Kec. Ngajum": the kecamatan the address names
        from_address = np.array([k is None for k in decl_kec], dtype=bool)
        decl_kec = [k if k is not None else kecamatan_in_address(a)
                    for k, a in zip(decl_kec, texts(raw[c].tolist()), strict=True)]
        from_address &= np.array([k is not None for k in decl_kec], dtype=bool)
    cols["_decl_kec"] = decl_kec
    cols["_decl_from_address"] = from_address
    cols["_coord_problem"] = coord_problem
    cols["location_quality"] = quality
    for fld in ("nurses", "midwives", "nakes", "kader", "sessions_per_year", "capacity"):
        c = mapping.get(fld)
        cols[fld] = _numbers(raw[c], log, c) if c else np.full(n, np.nan)
    for fld in (*model.COE_COLUMNS, "program_coverage", "dana_sehat"):
        c = mapping.get(fld)
        cols[fld] = _numbers(raw[c], log, c, percent=True) if c else np.full(n, np.nan)
    c = mapping.get("level")
    cols["level"] = _levels(raw[c].tolist(), log) if c else [None] * n
    for fld in ("ilp_lokus", "coe"):
        c = mapping.get(fld)
        cols[fld] = _booleans(raw[c].tolist(), log, c) if c else [None] * n
    for fld in ("ilp_start", "lokus_sk_date"):
        c = mapping.get(fld)
        cols[fld] = _dates(raw[c].tolist(), log, c) if c else [None] * n
    c = mapping.get("lokus_sk_number")
    cols["lokus_sk_number"] = texts(raw[c].tolist()) if c else [None] * n
    # the kept rows only, each column built once (no copy of the whole frame to drop rows)
    sel = slice(None) if keep.all() else np.flatnonzero(keep)
    data = {}
    for k, v in cols.items():
        # (a view when every row is kept: nothing changes these arrays any more)
        arr = (v if isinstance(v, np.ndarray) else _object_array(v))[sel]
        if k in ("precursor", "ilp_lokus", "coe"):
            data[k] = pd.array(arr, dtype="boolean")
        elif arr.dtype == object:  # text columns stay object (no inferred string dtype)
            data[k] = pd.Series(arr, dtype=object, copy=False)
        else:
            data[k] = arr
    lon, lat = lon[sel], lat[sel]
    data["_lon"] = lon
    data["_lat"] = lat
    data["_pos"] = np.arange(n)[sel]
    data["_file"] = np.full(len(lon), len(logs) - 1, dtype=np.int64)
    gdf = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(lon, lat), crs=model.WGS84)
    return gdf, mapping


register_catalog("layers", "importing.facilities")
