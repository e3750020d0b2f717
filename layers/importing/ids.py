"""Facility ids: the source's code where present and unique, else a stable generated id
(type prefix + a hash of type, name and position); clashes get a ``-2``, ``-3``... suffix.
May import ``ilp_gis`` and ``.report``/``.cells``.
"""

from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_gis.i18n import register_catalog, tr
from layers.importing.cells import _distinct_texts, _obj
from layers.importing.report import _FileLog


def _fac_ids(fac: gpd.GeoDataFrame, logs: list[_FileLog], taken: set[str]) -> list[str]:
    """Source codes where present and unique, else stable generated ids
    (``TYP-`` + a hash of type, name and position rounded to about a metre)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts, index = _distinct_texts(pd.Series(_obj(fac, "code"), dtype=object))
    base = np.array(texts, dtype=object)[index]
    need = np.array([t is None for t in texts], dtype=bool)[index]
    if need.any():
        rows = np.flatnonzero(need)
        types = [str(t) for t in _obj(fac, "type")[rows]]
        # lower case as Arrow does it (the ids were always made that way); for ASCII text
        # Python's lower() is the same
        names = [str(v) for v in _obj(fac, "name")[rows]]
        other = [k for k, v in enumerate(names) if not v.isascii()]
        lowered = pc.utf8_lower(pa.array([names[k] for k in other], type=pa.string())
                                ).to_pylist() if other else []
        names = [v.lower() for v in names]
        for k, v in zip(other, lowered, strict=True):
            names[k] = v
        lon = fac["_lon"].to_numpy(dtype=float)[rows]
        lat = fac["_lat"].to_numpy(dtype=float)[rows]
        ok = np.isfinite(lon) & np.isfinite(lat)
        xs = np.round(np.where(ok, lon, 0.0) * 1e5).astype(np.int64).astype(object)
        ys = np.round(np.where(ok, lat, 0.0) * 1e5).astype(np.int64).astype(object)
        if not ok.all():  # kept without a position: the row's own text and place say who it is
            where = _obj(fac, "declared_desa")[rows]
            xs[~ok] = "-"
            ys[~ok] = [f"{w}#{int(p)}" for w, p in zip(where[~ok], fac["_pos"].to_numpy()[
                rows][~ok], strict=True)]
        xs, ys = xs.tolist(), ys.tolist()
        sha1 = hashlib.sha1
        prefixes = {t: t[:3].upper() + "-" for t in set(types)}
        base[rows] = [prefixes[t] + sha1(f"{t}|{nm}|{x}|{y}".encode()).hexdigest()[:10]
                      for t, nm, x, y in zip(types, names, xs, ys, strict=True)]
    ids = base.copy()
    clash = np.zeros(len(base), dtype=bool)  # used before: an earlier row's or a kept id
    seen = set(taken)
    for i, b in enumerate(base.tolist()):
        if b in seen:
            clash[i] = True
        else:
            seen.add(b)
    if clash.any():
        used = set(taken) | set(base[~clash])
        files = fac["_file"].to_numpy()
        poss = fac["_pos"].to_numpy()
        for i in np.flatnonzero(clash):
            k = 2
            fid = f"{base[i]}-{k}"
            while fid in used:
                k += 1
                fid = f"{base[i]}-{k}"
            used.add(fid)
            ids[i] = fid
            if not need[i]:
                logs[int(files[i])].add(int(poss[i]), "doubtful", "duplicate_code",
                                        tr("import.problem.duplicate_fac_code", code=base[i],
                                           fac_id=fid), base[i])
    return list(ids)


register_catalog("layers", "importing.ids")
