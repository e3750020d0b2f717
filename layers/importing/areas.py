"""Boundary layers (kabupaten, kecamatan, desa) read into area frames: geometry repaired or
skipped, names, area codes normalised and checked, desa kinds and figures, and the kecamatan
of each desa.  May import ``ilp_gis``, ``layers.readers``/``columns`` and ``.report``/``.cells``/
``.placement``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ilp_gis import codes, model
from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.population import PopulationSource
from layers import readers
from layers.columns import ColumnMapping, detect_columns, require
from layers.importing.cells import _numbers, _objects, _text, _texts
from layers.importing.placement import locate_facilities
from layers.importing.report import _FileLog

_LEVEL_OF_ROLE = {"kabupaten": codes.KABUPATEN, "kecamatan": codes.KECAMATAN,
                  "desa": codes.DESA}


def _polygonal(geom):
    """The polygonal part of a geometry (None when there is none)."""
    if geom is None or geom.is_empty:
        return None
    gt = geom.geom_type
    if gt in ("Polygon", "MultiPolygon"):
        return geom
    if gt == "GeometryCollection":
        polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        if not polys:
            return None
        u = shapely.union_all(polys)
        return u if u.geom_type in ("Polygon", "MultiPolygon") else None
    return None


_POINT_IDS, _LINE_IDS = (0, 4), (1, 2, 5)  # shapely type ids: (Multi)Point, (Multi)LineString


def _check_layer_kind(geoms: np.ndarray, role: str, path: Path) -> None:
    """A layer without features, or of points or lines only, is not a boundary layer: one
    message for the file instead of every feature skipped."""
    tid = shapely.get_type_id(geoms)
    for ids, kind in ((_POINT_IDS, "points"), (_LINE_IDS, "lines")):
        if np.isin(tid, ids).all():
            raise InputError(tr(f"import.layer_of_{kind}", role=role), file=path.name)


def clean_area_geometries(geoms: np.ndarray, role: str, path: Path,
                          log: _FileLog) -> tuple[np.ndarray, np.ndarray]:
    """``(geometries, keep)`` of a boundary layer's features: valid (Multi)Polygons as they are,
    invalid ones repaired (``fixed``) or skipped, empty or non-polygonal ones skipped, each
    with its report line in ``log``.  A layer of points or lines only is refused whole."""
    n = len(geoms)
    keep = np.ones(n, dtype=bool)
    out_geoms = np.empty(n, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if (~empty).any():
        _check_layer_kind(geoms[~empty], role, path)
    valid = np.zeros(n, dtype=bool)
    valid[~empty] = shapely.is_valid(geoms[~empty])
    tid = shapely.get_type_id(geoms)
    clean = ~empty & valid & ((tid == 3) | (tid == 6))  # valid (Multi)Polygon: as they are
    out_geoms[clean] = geoms[clean]
    for i in np.flatnonzero(~clean):
        g = geoms[i]
        if empty[i]:
            keep[i] = False
            log.add(i, "skipped", "empty_geometry", tr("import.problem.empty_geometry"))
            continue
        if not valid[i]:
            why = shapely.is_valid_reason(g)
            g = _polygonal(shapely.make_valid(g))
            if g is None or g.is_empty:
                keep[i] = False
                log.add(i, "skipped", "invalid_geometry",
                        tr("import.problem.invalid_geometry_unrepairable", why=why))
                continue
            log.add(i, "fixed", "invalid_geometry_repaired",
                    tr("import.problem.invalid_geometry_repaired", why=why))
        else:
            pg = _polygonal(g)
            if pg is None:
                keep[i] = False
                log.add(i, "skipped", "not_polygon",
                        tr("import.problem.not_polygon", kind=g.geom_type))
                continue
            g = pg
        out_geoms[i] = g
    return out_geoms, keep


def read_area_layer(path: Path, role: str, overrides: dict | None, log_holder: list,
                    file_label: str, *, prefer: tuple[str, ...] = ()):
    """The common start of reading a polygon layer of ``role``: the features, their column
    mapping (required fields checked), the file's report log (appended to ``log_holder``) and
    the cleaned geometries with the features kept; a layer without features is refused."""
    res = readers.read_vector(path, prefer=prefer)
    gdf = res.frame
    mapping = detect_columns([c for c in gdf.columns if c != gdf.geometry.name], role,
                             overrides, file=path.name)
    require(mapping, list(gdf.columns), file=path.name)
    log = _FileLog(file_label, role, res.row_numbers)
    log_holder.append(log)
    log.add_notes(res)
    if len(gdf) == 0:
        raise InputError(tr("import.problem.no_rows"), file=path.name)
    geoms, keep = clean_area_geometries(np.asarray(gdf.geometry.values, dtype=object), role,
                                        path, log)
    return gdf, mapping, log, geoms, keep


def _read_areas(path: Path, role: str, overrides: dict | None, log_holder: list,
                lang_file: str) -> tuple[gpd.GeoDataFrame, ColumnMapping, _FileLog]:
    """One boundary layer of ``role``.  Area-code key: ``code`` holds the Kemendagri code when
    the source has one; otherwise the BPS code as written (never converted; the two are told
    apart by their shape, ``PP.KK.CC.DDDD`` against ten plain digits); otherwise a generated
    ``TANPA-KODE-<role>-<row>`` reported as doubtful."""
    gdf, mapping, log, out_geoms, keep = read_area_layer(path, role, overrides, log_holder,
                                                         lang_file, prefer=(role,))
    n = len(gdf)

    cols = {}
    name_col = mapping.get("name")
    names = _texts(gdf[name_col].tolist())
    for i, nm in enumerate(names):
        if nm is None and keep[i]:
            log.add(i, "doubtful", "missing_name", tr("import.problem.missing_area_name"))
    # codes
    level = _LEVEL_OF_ROLE[role]
    kem = [None] * n
    bps = [None] * n
    original = [None] * n
    for fld in ("code", "code_bps"):
        col = mapping.get(fld)
        if col is None:
            continue
        system = mapping.systems.get(fld)
        values = gdf[col].tolist()
        clean = codes.clean_mask(values, system=system, level=level)
        target = bps if system == codes.BPS else kem
        for i in np.flatnonzero(clean):  # already clean codes: kept as written
            v = values[i]
            original[i] = v if original[i] is None else f"{original[i]} | {v}"
            if target[i] is None:
                target[i] = v
        rest = np.flatnonzero(~clean)
        results = codes.normalize_many([values[i] for i in rest], system=system, level=level)
        for i, r in zip(rest, results, strict=True):
            if r.original is not None and original[i] is None:
                original[i] = r.original
            elif r.original is not None:
                original[i] = f"{original[i]} | {r.original}"
            if r.problems and r.problems != ("empty",) and keep[i]:
                st = r.status if r.ok else "doubtful"
                log.add(i, st, "code_" + r.problems[0], r.message(), r.original)
            if not r.ok:
                continue
            if r.system == codes.KEMENDAGRI and kem[i] is None:
                kem[i] = r.code
            elif r.system == codes.BPS and bps[i] is None:
                bps[i] = r.code
    has_code_col = mapping.get("code") is not None or mapping.get("code_bps") is not None
    key = []
    for i in range(n):
        k = kem[i] or bps[i]
        if k is None:
            k = f"TANPA-KODE-{role}-{log.rows[i]}"
            if keep[i] and has_code_col:
                log.add(i, "doubtful", "missing_code",
                        tr("import.problem.missing_code", key=k))
        key.append(k)
    if not has_code_col and n:
        log.add_file("doubtful", "no_code_column", tr("import.problem.no_code_column"))
    # duplicate codes
    seen: dict[str, int] = {}
    for i in range(n):
        if not keep[i] or key[i].startswith("TANPA-KODE"):
            continue
        if key[i] in seen:
            log.add(i, "doubtful", "duplicate_code",
                    tr("import.problem.duplicate_code", code=key[i],
                       row=int(log.rows[seen[key[i]]])), key[i])
        else:
            seen[key[i]] = i
    cols["code"] = key
    cols["code_bps"] = bps
    cols["code_original"] = original
    cols["name"] = [nm if nm is not None else k for nm, k in zip(names, key, strict=False)]

    def parent_of(i: int, lvl: str) -> str | None:
        if kem[i] is not None and codes.LEVELS.index(level) > codes.LEVELS.index(lvl):
            return codes.parent_code(kem[i], codes.KEMENDAGRI, lvl)
        if bps[i] is not None and codes.LEVELS.index(level) > codes.LEVELS.index(lvl):
            return codes.parent_code(bps[i], codes.BPS, lvl)
        return None

    if role == "kecamatan":
        col = mapping.get("kabupaten_code")
        given = codes.normalize_many(gdf[col].tolist()) if col else [None] * n
        cols["kabupaten_code"] = [(g.code if g is not None and g.ok else None)
                                  or parent_of(i, codes.KABUPATEN) for i, g in enumerate(given)]
    if role == "desa":
        col = mapping.get("kecamatan_code")
        given = codes.normalize_many(gdf[col].tolist(), system=mapping.systems.get(
            "kecamatan_code")) if col else [None] * n
        cols["kecamatan_code"] = [(g.code if g is not None and g.ok else None)
                                  or parent_of(i, codes.KECAMATAN) for i, g in enumerate(given)]
        col = mapping.get("kecamatan_name")
        cols["kecamatan_name"] = _texts(gdf[col].tolist()) if col else [None] * n
        kinds = []
        kcol = mapping.get("kind")
        kind_values = gdf[kcol].tolist() if kcol is not None else [None] * n
        for i in range(n):
            k = None
            kc = kem[i]
            if kc is not None and len(kc) == 13:  # Kemendagri desa: 1xxx kelurahan, 2xxx desa
                k = model.DesaKind.KELURAHAN.value if kc[9] == "1" else model.DesaKind.DESA.value
            elif kcol is not None:
                t = (_text(kind_values[i]) or "").lower()
                if "kel" in t:
                    k = model.DesaKind.KELURAHAN.value
                elif "desa" in t or "kampung" in t or "nagari" in t or "gampong" in t:
                    k = model.DesaKind.DESA.value
            kinds.append(k)
        cols["kind"] = kinds
        for fld in ("population", "dusun_count", "aki", "akb"):
            c = mapping.get(fld)
            cols[fld] = _numbers(gdf[c], log, c) if c else np.full(n, np.nan)
        cols["population_source"] = np.where(np.isfinite(cols["population"]),
                                             PopulationSource.BOUNDARY.value, None)
        c = mapping.get("stunting")
        cols["stunting"] = _numbers(gdf[c], log, c, percent=True) if c else \
            np.full(n, np.nan)
    if role in ("kabupaten", "kecamatan"):  # area totals, spread on request
        c = mapping.get("population")
        cols["population"] = _numbers(gdf[c], log, c) if c else np.full(n, np.nan)
    frame = pd.DataFrame({k: _objects(v) for k, v in cols.items()})
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(out_geoms, crs=model.WGS84),
                           crs=model.WGS84)
    out = out[keep].reset_index(drop=True)
    return out, mapping, log


def _complete_desa(project) -> None:
    """Kecamatan names on desa rows; desa without a kecamatan code (no code column) placed in
    their kecamatan by location."""
    d = project.desa.copy()
    kn = dict(zip(project.kecamatan["code"], project.kecamatan["name"], strict=False))
    miss = d["kecamatan_name"].isna()
    if miss.any():
        d.loc[miss, "kecamatan_name"] = d.loc[miss, "kecamatan_code"].map(kn)
    nocode = d["kecamatan_code"].isna()
    if nocode.any():
        pts = gpd.GeoDataFrame(geometry=gpd.GeoSeries(
            shapely.point_on_surface(np.asarray(d.geometry[nocode].values, dtype=object)),
            crs=model.WGS84))
        _, kc = locate_facilities(pts, None, project.kecamatan)
        d.loc[nocode, "kecamatan_code"] = kc
        d.loc[nocode, "kecamatan_name"] = pd.Series(kc, index=d.index[nocode]).map(kn)
    project.set_layer("desa", d)


register_catalog("layers", "importing.areas")
