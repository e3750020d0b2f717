"""Where facilities lie: the desa a row declares (by code or name), rows with rejected
coordinates placed in their declared desa, point-in-polygon desa/kecamatan codes, and the
outside-boundaries and declared-desa checks.  May import ``ilp_gis`` and ``.report``/``.cells``/
``.names``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ilp_gis import codes, model
from ilp_gis.geo import inner_points
from ilp_gis.i18n import register_catalog, tr
from layers.importing.cells import _obj
from layers.importing.names import _norm_name
from layers.importing.report import _FileLog


def desa_code_index(desa: gpd.GeoDataFrame) -> dict[str, int]:
    """``{code: position}`` for both code columns of the desa layer (Kemendagri ``code`` and
    BPS ``code_bps``; the two spellings never collide, and neither is converted into the
    other); the first desa holding a code is the one kept."""
    n = len(desa)
    bps = desa["code_bps"].to_numpy(dtype=object) if "code_bps" in desa.columns \
        else np.full(n, None, dtype=object)
    values = np.concatenate([desa["code"].to_numpy(dtype=object), bps])
    at = np.concatenate([np.arange(n), np.arange(n)])
    ok = np.fromiter((v.__class__ is str and v != "" for v in values), dtype=bool,
                     count=len(values))
    keys = pd.Index(values[ok], dtype=object)
    first = ~keys.duplicated(keep="first")  # the first desa holding a code is the one kept
    return dict(zip(keys[first].tolist(), at[ok][first].tolist(), strict=True))


def _desa_lookup(desa: gpd.GeoDataFrame):
    """``find(code, name, kecamatan) -> (row or None, notes)``: the desa a facility row declares,
    by its code (either system, any spelling; plain digits tried as Kemendagri too) or else by
    its name (narrowed by the kecamatan name when several desa share it).  ``notes`` are
    ``(status, kind, message, original)`` about how the code was read."""
    by_code = desa_code_index(desa)
    by_name: dict[str, list[int]] = {}
    for i, nm in enumerate(desa["name"]):
        by_name.setdefault(_norm_name(nm), []).append(i)
    kec_names = [_norm_name(v) for v in desa["kecamatan_name"]]

    def find(code: str | None, name: str | None = None, kecamatan: str | None = None):
        notes: list[tuple[str, str, str, str]] = []
        if code is not None:
            for system in (None, codes.KEMENDAGRI):
                r = codes.normalize_code(code, system=system, level=codes.DESA)
                if r.ok and r.code in by_code:
                    fixes = [p for p in r.problems if p in codes.FIXED_PROBLEMS]
                    if fixes:
                        notes.append(("fixed", "code_" + fixes[0], r.message(), code))
                    return by_code[r.code], notes
            notes.append(("doubtful", "declared_code_unknown",
                          tr("import.problem.declared_code_unknown", code=code), code))
        if name is not None:
            found = by_name.get(_norm_name(name), [])
            if len(found) > 1 and kecamatan:
                found = [i for i in found if kec_names[i] == _norm_name(kecamatan)]
            if len(found) == 1:
                return found[0], notes
        return None, notes

    return find


def _shared_lookup(desa: gpd.GeoDataFrame, holder: list | None):
    """:func:`_desa_lookup` built once per import (``holder`` keeps it between the steps)."""
    if holder is None:
        return _desa_lookup(desa)
    if not holder or holder[0][0] is not desa:
        holder[:] = [(desa, _desa_lookup(desa))]
    return holder[0][1]


def _place_by_declared_desa(fac: gpd.GeoDataFrame, desa: gpd.GeoDataFrame | None,
                            logs: list[_FileLog], lookup: list | None = None
                            ) -> gpd.GeoDataFrame:
    """Rows whose coordinates were rejected but that name their desa: placed at the desa's
    inner point (doubtful), else skipped.  Every such row gets its report line here."""
    todo = np.flatnonzero(pd.notna(fac["_coord_problem"]).to_numpy())
    if not len(todo):
        return fac
    keep = np.ones(len(fac), dtype=bool)
    find = _shared_lookup(desa, lookup) if desa is not None and len(desa) else None
    inner = None
    dnames = desa["name"].to_numpy(dtype=object) if desa is not None else None
    geoms = fac.geometry.to_numpy().copy()
    lon = fac["_lon"].to_numpy().copy()
    lat = fac["_lat"].to_numpy().copy()
    cp, dd, dk, dkec = (_obj(fac, c, todo) for c in ("_coord_problem", "declared_desa",
                                                          "_decl_code", "_decl_kec"))
    dgeoms = np.asarray(desa.geometry.values, dtype=object) if desa is not None else None
    files, poss = fac["_file"].to_numpy(), fac["_pos"].to_numpy()
    for k, i in enumerate(todo):
        kind, msg, orig = cp[k]
        declared = dd[k]
        dcode = dk[k]
        log = logs[int(files[i])]
        pos = int(poss[i])
        j, notes = find(dcode, declared, dkec[k]) if find is not None else \
            (None, [])
        for note in notes:
            log.add(pos, *note)
        if j is None:
            declared = declared or dcode
            log.add(pos, "skipped", kind, msg + "; " + tr("import.problem.desa_not_found",
                                                          desa=declared), orig)
            keep[i] = False
            continue
        if inner is None:
            inner = {}
        if j not in inner:
            inner[j] = inner_points(dgeoms[j:j + 1])[0]
        pt = inner[j]
        geoms[i] = pt
        lon[i], lat[i] = pt.x, pt.y
        log.add(pos, "doubtful", kind + ";located_by_desa",
                msg + "; " + tr("import.problem.located_by_desa", desa=dnames[j]),
                orig)
    fac = fac.copy(deep=False)  # columns replaced below, the rest shared
    fac["_lon"], fac["_lat"] = lon, lat
    fac = fac.set_geometry(gpd.GeoSeries(geoms, crs=model.WGS84, index=fac.index))
    return fac if keep.all() else fac[keep].reset_index(drop=True)


def locate_facilities(fac: gpd.GeoDataFrame, desa: gpd.GeoDataFrame | None,
                      kecamatan: gpd.GeoDataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Desa and kecamatan code of each facility point (vectorised point-in-polygon on an STR
    tree); ``None`` where a point lies in no polygon.  Points on a shared border take the
    first polygon."""
    n = len(fac)
    desa_code = np.full(n, None, dtype=object)
    kec_code = np.full(n, None, dtype=object)
    pts = np.asarray(fac.geometry.values, dtype=object)
    if desa is not None and len(desa):
        # asked the other way round — which points does each desa contain — every polygon is
        # prepared once: the same pairs as points within polygons, found about twice as fast
        tree = shapely.STRtree(pts)
        dst, src = tree.query(np.asarray(desa.geometry.values, dtype=object),
                              predicate="contains")
        if len(src):
            order = np.lexsort((dst, src))
            src, dst = src[order], dst[order]
            first = np.unique(src, return_index=True)[1]
            src, dst = src[first], dst[first]
            desa_code[src] = desa["code"].to_numpy()[dst]
            if "kecamatan_code" in desa.columns:
                kec_code[src] = desa["kecamatan_code"].to_numpy()[dst]
    if kecamatan is not None and len(kecamatan):
        todo = np.flatnonzero(pd.isna(kec_code))
        if len(todo):
            tree = shapely.STRtree(np.asarray(kecamatan.geometry.values, dtype=object))
            src, dst = tree.query(pts[todo], predicate="within")
            if len(src):
                first = np.unique(src, return_index=True)[1]
                src, dst = src[first], dst[first]
                kec_code[todo[src]] = kecamatan["code"].to_numpy()[dst]
    return desa_code, kec_code


def _check_locations(fac: gpd.GeoDataFrame, desa: gpd.GeoDataFrame | None,
                     kecamatan: gpd.GeoDataFrame | None, kabupaten, logs: list[_FileLog],
                     new: np.ndarray, lookup: list | None = None) -> None:
    """Point-outside and declared-desa checks for the newly imported rows (``new`` mask)."""
    has_bounds = any(x is not None and len(x) for x in (desa, kecamatan, kabupaten))
    if not has_bounds:
        return
    dc = _obj(fac, "desa_code")
    kc = _obj(fac, "kecamatan_code")
    files = fac["_file"].to_numpy()
    poss = fac["_pos"].to_numpy()
    if desa is not None and len(desa):
        outside = pd.isna(dc)
    elif kecamatan is not None and len(kecamatan):
        outside = pd.isna(kc)
    else:
        tree = shapely.STRtree(np.asarray(kabupaten.geometry.values, dtype=object))
        src, _ = tree.query(np.asarray(fac.geometry.values, dtype=object), predicate="within")
        outside = np.ones(len(fac), dtype=bool)
        outside[src] = False
    lon = fac["_lon"].to_numpy()
    lat = fac["_lat"].to_numpy()
    for i in np.flatnonzero(outside & new):
        log = logs[int(files[i])]
        found = log.entries.get(int(poss[i]), [])
        if any("outside_study_area" in e[1] for e in found):
            continue  # already reported as outside the study area
        log.add(int(poss[i]), "doubtful", "outside_boundaries",
                tr("import.problem.outside_boundaries", lon=f"{lon[i]:.6f}", lat=f"{lat[i]:.6f}"))
    if desa is None or not len(desa):
        return
    dnames = dict(zip(desa["code"], desa["name"], strict=False))
    dcode_arr = desa["code"].to_numpy(dtype=object)

    def find(code, name):
        return _shared_lookup(desa, lookup)(code, name)
    declared = _obj(fac, "declared_desa")
    dcodes = _obj(fac, "_decl_code")
    placed = ~pd.isna(_obj(fac, "_coord_problem"))
    todo = new & ~pd.isna(dc) & (~pd.isna(declared) | ~pd.isna(dcodes)) & ~placed
    # declared names: compared in bulk with the name of the desa the point lies in
    by_name = todo & pd.isna(dcodes)
    if by_name.any():
        dnorm = {c: _norm_name(nm) for c, nm in dnames.items()}
        idx = np.flatnonzero(by_name)
        index, uniques = pd.factorize(pd.Series(declared[idx], dtype=object))
        said = np.array([_norm_name(str(v)) for v in uniques] + [None],
                        dtype=object)[index]  # each distinct name once
        there = pd.Series(dc[idx], dtype=object).map(dnorm).to_numpy(dtype=object)
        agree_name = said == there
        todo = todo & ~by_name
        todo[idx[~agree_name]] = True  # only the disagreeing rows go on
    # declared codes already clean (Kemendagri, desa level) that name a known desa: compared in
    # bulk; only other spellings and the disagreeing rows go through the general reader
    with_code = np.flatnonzero(todo & ~pd.isna(dcodes))
    if len(with_code):
        said = dcodes[with_code]
        clean = codes.clean_mask(said, level=codes.DESA)
        first_code = pd.Index(dcode_arr).drop_duplicates()
        known = clean & first_code.get_indexer(
            pd.Index(np.where(clean, said, None).astype(object))) >= 0
        agree = known & (said == dc[with_code])
        todo[with_code[agree]] = False
    code_cache: dict[str, tuple] = {}
    for i in np.flatnonzero(todo):
        code = dcodes[i]
        if code is not None:
            code = str(code)
            if code not in code_cache:
                code_cache[code] = find(code, None)
            j, notes = code_cache[code]
            for note in notes:
                logs[int(files[i])].add(int(poss[i]), *note)
            if j is None:
                continue
            agree = dcode_arr[j] == dc[i]
            shown = code
        else:
            shown = str(declared[i])
            agree = False  # found above
        if not agree:
            logs[int(files[i])].add(
                int(poss[i]), "doubtful", "declared_desa_mismatch",
                tr("import.problem.declared_desa_mismatch", declared=shown,
                   found=f"{dnames.get(dc[i]) or '–'} ({dc[i]})"), shown)


register_catalog("layers", "importing.placement")
