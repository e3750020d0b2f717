"""Where facilities lie: the desa a row declares (by code or name), rows with rejected
coordinates placed in their declared desa, point-in-polygon desa/kecamatan codes, and the
outside-boundaries and declared-desa checks.  May import ``ilp_gis`` and ``.report``/``.cells``/
``.names``.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ilp_gis import codes, model
from ilp_gis.geo import inner_points, project, utm_crs
from ilp_gis.i18n import register_catalog, tr
from layers.importing.cells import _obj, _objects
from layers.importing.names import _norm_name
from layers.importing.report import _FileLog

_CODE_LIKE = re.compile(r"\s*\d[\d.\s]{5,}\d\s*")


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
        if code is None and name is not None and _CODE_LIKE.fullmatch(str(name)):
            code = name  # a desa column holding codes ("35.07.02.2002")
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
    """Rows without a usable coordinate: placed at the inner point of the desa they name
    (location quality ``desa``, ``desa_code`` set), else kept without a position (``unknown``,
    empty geometry).  No row is dropped; every such row gets its report line here."""
    todo = np.flatnonzero(pd.notna(fac["_coord_problem"]).to_numpy())
    fac = fac.copy(deep=False)  # columns replaced below, the rest shared
    if "desa_code" not in fac.columns:
        fac["desa_code"] = _objects([None] * len(fac), fac.index)
    if not len(todo):
        return fac
    find = _shared_lookup(desa, lookup) if desa is not None and len(desa) else None
    inner: dict[int, object] = {}
    dnames = desa["name"].to_numpy(dtype=object) if desa is not None else None
    dcodes = desa["code"].to_numpy(dtype=object) if desa is not None else None
    geoms = fac.geometry.to_numpy().copy()
    lon = fac["_lon"].to_numpy().copy()
    lat = fac["_lat"].to_numpy().copy()
    quality = fac["location_quality"].to_numpy(dtype=object).copy()
    placed_code = fac["desa_code"].to_numpy(dtype=object).copy()
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
        said = declared if declared is not None else dcode
        j, notes = find(dcode, declared, dkec[k]) if find is not None and said is not None \
            else (None, [])
        for note in notes:
            log.add(pos, *note)
        lead = msg + "; " if msg else ""
        if j is None:
            geoms[i] = None
            lon[i] = lat[i] = np.nan
            quality[i] = model.LocationQuality.UNKNOWN.value
            why = tr("import.problem.desa_not_found", desa=said) if said is not None else \
                tr("import.problem.no_desa_given")
            log.add(pos, "doubtful", kind + ";location_unknown",
                    lead + why + "; " + tr("import.problem.kept_without_location"), orig)
            continue
        if j not in inner:
            inner[j] = inner_points(dgeoms[j:j + 1])[0]
        pt = inner[j]
        geoms[i] = pt
        lon[i], lat[i] = pt.x, pt.y
        quality[i] = model.LocationQuality.DESA.value
        placed_code[i] = dcodes[j]
        status = "imported" if kind == "no_coordinate_columns" else "doubtful"
        log.add(pos, status, kind + ";located_by_desa",
                lead + tr("import.problem.located_by_desa", desa=dnames[j]), orig)
    fac["_lon"], fac["_lat"] = lon, lat
    fac["location_quality"] = _objects(quality, fac.index)
    fac["desa_code"] = _objects(placed_code, fac.index)
    return fac.set_geometry(gpd.GeoSeries(geoms, crs=model.WGS84, index=fac.index))


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
        if any("outside_study_area" in e[1] or "location_unknown" in e[1] for e in found):
            continue  # already reported as outside the study area, or without a position
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


def _kecamatan_matcher(kecamatan: gpd.GeoDataFrame):
    """``match(name) -> position or None``: the kecamatan a written name means — the same
    name once reduced, else the one clearly closest spelling ("Madiangin", "Mandangin" →
    Mandiangin; not Mandiangin Timur)."""
    import difflib

    names = [_norm_name(v) for v in kecamatan["name"].to_numpy(object)]
    by_name: dict[str, list[int]] = {}
    for i, nm in enumerate(names):
        by_name.setdefault(nm, []).append(i)
    cache: dict[str, int | None] = {}

    def match(text) -> int | None:
        said = _norm_name(text)
        if not said:
            return None
        if said not in cache:
            found = by_name.get(said, [])
            if len(found) == 1:
                cache[said] = found[0]
            else:
                scores = sorted(((difflib.SequenceMatcher(None, said, nm).ratio(), i)
                                 for i, nm in enumerate(names) if nm), reverse=True)
                best = scores[0] if scores else (0.0, None)
                second = scores[1][0] if len(scores) > 1 else 0.0
                cache[said] = best[1] if best[0] >= 0.85 and best[0] - second >= 0.05 \
                    else None
        return cache[said]

    return match


def _check_kecamatan(fac: gpd.GeoDataFrame, kecamatan: gpd.GeoDataFrame | None,
                     logs: list[_FileLog], new: np.ndarray) -> np.ndarray:
    """Facilities whose point lies in another kecamatan than the row says (its kecamatan
    column or the "Kec. …" of its address; for a Puskesmas named after a kecamatan, its name):
    each a doubtful report line with the distance to the border.  Returns the declared
    kecamatan code per row (``None`` where none was said or found): the working area follows
    a kecamatan the row declares, never one read from the name alone."""
    n = len(fac)
    out = np.full(n, None, dtype=object)
    if kecamatan is None or not len(kecamatan) or "code" not in kecamatan.columns:
        return out
    match = _kecamatan_matcher(kecamatan)
    kcodes = kecamatan["code"].to_numpy(object)
    knames = kecamatan["name"].to_numpy(object)
    decl = _obj(fac, "_decl_kec")
    names = _obj(fac, "name")
    types = _obj(fac, "type")
    located = _obj(fac, "kecamatan_code")
    quality = _obj(fac, "location_quality")
    has_pt = np.array([q in (model.LocationQuality.EXACT.value,
                             model.LocationQuality.FIXED.value) for q in quality], dtype=bool)
    said_by = np.full(n, None, dtype=object)
    said = np.full(n, -1, dtype=np.int64)
    for i in np.flatnonzero(new):
        j = match(decl[i]) if decl[i] is not None else None
        if j is not None:
            said[i], said_by[i] = j, "column"
            out[i] = kcodes[j]
        elif types[i] == model.FacilityType.PUSKESMAS.value and names[i] is not None:
            j = match(names[i])
            if j is not None and _norm_name(names[i]) == _norm_name(knames[j]):
                said[i], said_by[i] = j, "name"
    check = np.flatnonzero((said >= 0) & has_pt & new)
    if not len(check):
        return out
    pos_of = {c: k for k, c in enumerate(kcodes)}
    bad = [i for i in check if located[i] is None or pos_of.get(located[i]) != said[i]]
    if not bad:
        return out
    crs = utm_crs(kecamatan)
    kgeoms = np.asarray(project(kecamatan.geometry, crs).values, dtype=object)
    pts = np.asarray(project(fac.geometry.iloc[bad], crs).values, dtype=object)
    files, poss = fac["_file"].to_numpy(), fac["_pos"].to_numpy()
    has_address = "_decl_from_address" in fac.columns
    from_address = _obj(fac, "_decl_from_address") if has_address else np.full(n, None)
    for k, i in enumerate(bad):
        j = int(said[i])
        away_m = float(shapely.distance(pts[k], kgeoms[j]))
        if away_m < 1.0:
            continue  # also inside the kecamatan it names (overlapping boundaries): no conflict
        away = round(away_m)
        by = "name" if said_by[i] == "name" else \
            ("address" if from_address[i] else "column")
        by_text = tr(f"import.problem.kecamatan_said_by.{by}")
        here = pos_of.get(located[i]) if located[i] is not None else None
        follows = "" if by == "name" else "; " + tr("import.problem.working_area_follows",
                                                    declared=knames[j])
        if here is None:
            msg = tr("import.problem.kecamatan_outside", said=by_text, declared=knames[j],
                     away=away, follows=follows)
        else:
            inside = round(float(shapely.distance(pts[k], kgeoms[here].boundary)))
            msg = tr("import.problem.kecamatan_mismatch", found=knames[here], inside=inside,
                     said=by_text, declared=knames[j], away=away, follows=follows)
        logs[int(files[i])].add(int(poss[i]), "doubtful", "kecamatan_mismatch", msg,
                                knames[j])
    return out


register_catalog("layers", "importing.placement")
