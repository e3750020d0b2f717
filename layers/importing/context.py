"""Context layers: the provinces and kabupaten/kota around the district, read once so the
locator inset of a printed map can show the district inside its province with its neighbours.
Never analysed.  May import ``ilp_gis``, ``layers.readers``/``columns`` and the importer's
``.areas``/``.cells``/``.report``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ilp_gis import codes, model
from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from layers.columns import ColumnMapping
from layers.importing.areas import read_area_layer
from layers.importing.cells import _objects, _texts

LEVELS = (codes.PROVINSI, codes.KABUPATEN)

_LEVEL_WORDS = {"provinsi": codes.PROVINSI, "propinsi": codes.PROVINSI,
                "province": codes.PROVINSI, "prov": codes.PROVINSI,
                "kabupaten": codes.KABUPATEN, "kota": codes.KABUPATEN,
                "kabupaten/kota": codes.KABUPATEN, "kab": codes.KABUPATEN,
                "kabkota": codes.KABUPATEN, "regency": codes.KABUPATEN, "city": codes.KABUPATEN}


def read_context(path: Path, overrides: dict | None, log_holder: list,
                 file_label: str) -> tuple[gpd.GeoDataFrame, ColumnMapping]:
    """One context file (any polygon layer GDAL reads) as rows of :data:`model.CONTEXT`.

    The level of each feature comes from a level column (``tingkat``: provinsi / kabupaten)
    when there is one, else from the shape of its Kemendagri code (``15`` a provinsi,
    ``15.03`` a kabupaten/kota).  A feature whose level cannot be told, or is below a
    kabupaten, is skipped with its report line; nothing is dropped without one.
    """
    gdf, mapping, log, geoms, keep = read_area_layer(path, "context", overrides, log_holder,
                                                     file_label)
    n = len(gdf)
    names = _texts(gdf[mapping.fields["name"]].tolist())
    code_col = mapping.get("code")
    results = codes.normalize_many(gdf[code_col].tolist(), system=codes.KEMENDAGRI) \
        if code_col else [None] * n
    level_col = mapping.get("level")
    declared = _texts(gdf[level_col].tolist()) if level_col else [None] * n
    parent_col = mapping.get("parent_code")
    parents = codes.normalize_many(gdf[parent_col].tolist(), system=codes.KEMENDAGRI) \
        if parent_col and parent_col != code_col else [None] * n
    kind_col = mapping.get("kind")
    kinds = _texts(gdf[kind_col].tolist()) if kind_col else [None] * n

    level: list[str | None] = [None] * n
    code: list[str | None] = [None] * n
    parent: list[str | None] = [None] * n
    for i in range(n):
        r = results[i]
        if r is not None and r.ok:
            code[i] = r.code
        lvl = _LEVEL_WORDS.get((declared[i] or "").strip().lower())
        if lvl is None and r is not None and r.ok:
            lvl = r.level
        if not keep[i]:
            continue
        if names[i] is None:
            keep[i] = False
            log.add(i, "skipped", "missing_name", tr("import.context.no_name"))
            continue
        if lvl not in LEVELS:
            keep[i] = False
            shown = declared[i] or (r.original if r is not None else None) or ""
            log.add(i, "skipped", "context_level", tr("import.context.level", value=shown),
                    shown)
            continue
        level[i] = lvl
        p = parents[i]
        if lvl == codes.KABUPATEN:
            if p is not None and p.ok and p.level == codes.PROVINSI:
                parent[i] = p.code
            elif code[i] is not None and r.level == codes.KABUPATEN:
                parent[i] = codes.parent_code(code[i], r.system, codes.PROVINSI)
    frame = pd.DataFrame({"level": _objects(level), "code": _objects(code),
                          "name": _objects(names), "parent_code": _objects(parent),
                          "kind": _objects(kinds)})
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=model.WGS84),
                           crs=model.WGS84)
    out = out[keep].reset_index(drop=True)
    if not len(out):
        raise InputError(tr("import.no_usable_features"), file=path.name)
    return model.conform(out, model.CONTEXT), mapping


def merge_context(old: gpd.GeoDataFrame | None, new: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The project's context layer after an import: the levels in ``new`` replace the same
    levels of ``old`` (a kabupaten file given again replaces the kabupaten, provinces stay)."""
    if old is None or not len(old):
        return new
    kept = old[~old["level"].isin(set(new["level"]))]
    out = pd.concat([kept, new], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=model.WGS84)


register_catalog("layers", "importing.context")
