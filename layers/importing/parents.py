"""Parent facilities: ``parent_id`` from the parent a row names (an id or code, else the name of
a facility of a parent tier, nearest in the same kecamatan first).
May import ``ilp_gis`` and ``.report``/``.cells``/``.names``.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_gis.i18n import register_catalog, tr
from layers.importing.cells import _obj
from layers.importing.names import _norm_names
from layers.importing.report import _FileLog


def _resolve_parents(fac: gpd.GeoDataFrame, logs: list[_FileLog], new: np.ndarray) -> list:
    """``parent_id`` from the parent written in the row: a facility id/code, else the name of a
    facility of a parent tier — the one in the same kecamatan, else the nearest, when several
    share the name (vectorised joins; the name match ignores case, punctuation and type words)."""
    n = len(fac)
    ids = _obj(fac, "fac_id")
    out = _obj(fac, "parent_id").copy()
    pn = _obj(fac, "parent_name")
    todo = np.flatnonzero(new & ~pd.isna(pn))
    if not len(todo):
        return list(out)
    files = fac["_file"].to_numpy()
    poss = fac["_pos"].to_numpy()
    codes_ = _obj(fac, "code")
    with_code = np.flatnonzero(pd.notna(codes_))[::-1]  # reversed: the first row keeps a code
    by_key: dict[str, int] = dict(zip(map(str, codes_[with_code]), with_code.tolist(),
                                      strict=True))
    by_key.update(zip(map(str, ids), range(n), strict=True))
    pstr = [str(p).strip() for p in pn[todo]]
    hit = np.fromiter(map(by_key.get, pstr, itertools.repeat(-1)), dtype=np.int64,
                      count=len(pstr))
    direct = (hit >= 0) & (hit != todo)
    out[todo[direct]] = ids[hit[direct]]

    types = _obj(fac, "type")
    kec = _obj(fac, "kecamatan_code")
    xs = fac.geometry.x.to_numpy()
    ys = fac.geometry.y.to_numpy()
    rest = todo[~direct]
    tiers = {"pustu": ("puskesmas",), "posyandu": ("pustu", "puskesmas")}
    parent_rows = np.flatnonzero(np.isin(types, ["puskesmas", "pustu"]))
    # names and kecamatan joined as integer codes of one factorisation (equal text, equal
    # code; a missing kecamatan matches a missing one, as a join on the text does)
    nc = len(rest)
    keys, _ = pd.factorize(pd.Series(_norm_names([pstr[k] for k in np.flatnonzero(~direct)])
                                     + _norm_names(_obj(fac, "name")[parent_rows]),
                                     dtype=object))
    kecs, _ = pd.factorize(pd.Series(np.concatenate([kec[rest], kec[parent_rows]]),
                                     dtype=object), use_na_sentinel=True)
    child = pd.DataFrame({"c": rest, "key": keys[:nc], "ctype": types[rest], "kec": kecs[:nc]})
    cand = pd.DataFrame({"p": parent_rows, "key": keys[nc:], "ptype": types[parent_rows],
                         "kec": kecs[nc:]})
    resolved = np.full(n, -1, dtype=np.int64)
    ambiguous = np.zeros(n, dtype=bool)
    for step in (0, 1):
        for ctype, ptypes in tiers.items():
            for pt in ptypes:
                ch = child[(child["ctype"] == ctype) & (resolved[child["c"].to_numpy()] < 0)]
                if not len(ch):
                    continue
                cd = cand[cand["ptype"] == pt]
                on = ["key", "kec"] if step == 0 else ["key"]
                m = ch.merge(cd.drop(columns="kec") if step else cd, on=on, how="inner")
                if not len(m):
                    continue
                ci = m["c"].to_numpy()
                pi = m["p"].to_numpy()
                d2 = (xs[ci] - xs[pi]) ** 2 + (ys[ci] - ys[pi]) ** 2
                m = m.assign(d2=d2).sort_values(["c", "d2"], kind="stable")
                counts = m.groupby("c", sort=False).size()
                best = m.drop_duplicates("c", keep="first")
                resolved[best["c"].to_numpy()] = best["p"].to_numpy()
                if step == 0:
                    multi = counts[counts > 1].index.to_numpy()
                    ambiguous[multi] = True
    found = (resolved[rest] >= 0) & (resolved[rest] != rest)
    out[rest[found]] = ids[resolved[rest[found]]]
    out[rest[~found]] = None
    for i in rest[(found & ambiguous[rest]) | ~found]:  # only these rows get a report line
        p = str(pn[i]).strip()
        if resolved[i] >= 0 and resolved[i] != i:
            logs[int(files[i])].add(int(poss[i]), "doubtful", "parent_ambiguous",
                                    tr("import.problem.parent_ambiguous", parent=p), p)
        else:
            logs[int(files[i])].add(int(poss[i]), "doubtful", "parent_not_found",
                                    tr("import.problem.parent_not_found", parent=p), p)
    return list(out)


register_catalog("layers", "importing.parents")
