"""The stages of an analysis kept or patched after a facility edit (``ilp_gis.incremental``):
each stands for the function of :func:`ilp_gis.analysis.analyze` of the same name and gives
exactly what that function would, reusing the last run's result where the edit cannot reach
it and patching only the rows it can.

* ``strata_check`` (one row per Posyandu, each from its own row): rows of the edited Posyandu
  made again, the others kept; the table kept whole when no Posyandu was edited.
* ``lokus_check`` (per kabupaten, from its Puskesmas): kept when no Puskesmas was edited.
* ``coe_units`` (the designated COE units): kept when the edit touches no designated
  facility, no parent or child of one and no link of theirs.
* ``find_gaps``: the whole table made again.  The splice of ``ilp_gis.incremental_gaps``
  (the rows of the desa, kecamatan and facilities the edit reaches made again and put into
  the last run's table) is tried from :data:`GAPS_LOCAL_MIN_DESA` desa: its comparisons of
  every desa and facility row and its rebuild of the whole table cost as much as the table
  at every measured size, so by default it is not tried.
* ``build_network`` (links, graph, findings): kept when the edit changed facilities in place
  (none added or removed) and none of the columns the network reads (:data:`NETWORK_READS`:
  id, type, position, desa, kecamatan, name, parent, location quality...) of any row; an
  edit of staff, kader, capacity or COE figures keeps it.

Imports geopandas, numpy, pandas and ``ilp_gis`` (coe, column_compare, gaps, incremental_gaps,
lokus, model, network, posyandu).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from geopandas.array import GeometryDtype

from ilp_gis import model
from ilp_gis.column_compare import same_values

PUSKESMAS, PUSTU, POSYANDU = (t.value for t in model.FacilityType)
# every facility column ``ilp_gis.network.build_network`` and the travel fields it is given
# (``ilp_gis.coverage.serving_mask``) read
NETWORK_READS = ("fac_id", "type", "x", "y", "desa_code", "kecamatan_code", "positioned",
                 "location_quality", "name", "parent_id", "parent_name", "fac_id_given",
                 "inside", "geom_wgs84", "precursor")
# the gap splice is tried from this many desa: none, as measured with
# ``bench/bench_incremental.py --gaps both`` (mean CPU of find_gaps after an edit, spliced
# against whole): 284 desa 0.102 / 0.105 s, 3,533 desa 0.126 / 0.141 s, 86,835 desa
# 2.00 / 1.65 s (a loaded machine); a gain of a tenth at most, a loss nationally
GAPS_LOCAL_MIN_DESA = 1_000_000_000


@dataclass
class Change:
    """The facilities an edit changed: their ids (added, changed or removed) and their
    prepared rows before (``old``) and after (``new``) it."""

    ids: frozenset
    old: pd.DataFrame
    new: pd.DataFrame

    @property
    def types(self) -> set:
        return set(self.old["type"].tolist()) | set(self.new["type"].tolist())


def sorted_splice(old: pd.DataFrame, key: str, drop, rows: pd.DataFrame, *,
                  infer: bool = False) -> pd.DataFrame:
    """``old`` (sorted by its unique ``key``) without the rows whose key is in ``drop``, with
    ``rows`` put in at their place in the key order; a new frame of ``old``'s columns.  With
    ``infer``, its text columns get the dtype a frame built from all their values would
    (as a stage building its table from object arrays gives them)."""
    keys = old[key].to_numpy(object)
    keep = ~pd.Series(keys, dtype=object).isin(list(drop)).to_numpy() if len(drop) else \
        np.ones(len(old), dtype=bool)
    kept_at = np.flatnonzero(keep)
    if not len(rows) or not len(kept_at):
        kept = old.iloc[kept_at] if not keep.all() else old
        if not len(rows):
            return _inferred(kept.reset_index(drop=True)) if infer else \
                kept.reset_index(drop=True)
    else:  # the dropped rows are skipped by the one take below (no copy of the kept ones)
        kept = old
    rows = rows.sort_values(key, kind="stable")
    settled: list = []  # text columns whose inferred dtype is known without a rebuild
    if infer:
        rows, settled = _text_kept(old, rows)
    at = np.searchsorted(keys[kept_at] if kept is old else kept[key].to_numpy(object),
                         rows[key].to_numpy(object))
    both = pd.concat([kept.reset_index(drop=True), rows[list(old.columns)].reset_index(
        drop=True)], ignore_index=True)
    src = kept_at if kept is old else np.arange(len(kept))  # the kept rows in ``both``
    n = len(src)
    # positions: old row i goes after the new rows inserted before it
    order = np.empty(n + len(rows), dtype=np.int64)
    old_pos = np.arange(n) + np.searchsorted(at, np.arange(n), side="right")
    new_pos = at + np.arange(len(rows))
    order[old_pos] = src
    order[new_pos] = len(kept) + np.arange(len(rows))
    out = both.iloc[order].reset_index(drop=True)
    return _inferred(out, settled) if infer else out


def _text_kept(old: pd.DataFrame, rows: pd.DataFrame):
    """``rows`` with the text columns of ``old`` (Arrow text, so some value is text and none
    is of another kind) in that dtype where their own values are text or missing, and the
    names of those columns: text and missing values together infer to the same text dtype,
    without building the whole column again."""
    settled = []
    cast = {}
    for c, t in old.dtypes.items():
        if not isinstance(t, pd.StringDtype) or c not in rows:
            continue
        r = rows[c]
        if r.dtype == t or r.isna().all() or (r.dtype == object and all(
                isinstance(v, str) or v is None or (isinstance(v, float) and v != v)
                for v in r.tolist())):
            settled.append(c)
            if r.dtype != t:
                cast[c] = t
    return (rows.astype(cast) if cast else rows), settled


def patched(old: pd.DataFrame, key: str, rows: pd.DataFrame) -> tuple | None:
    """``old`` (sorted by its unique ``key``, a fresh index) with each of ``rows`` put in the
    place of the row of the same key, and those positions; only the columns whose values
    changed are copied (the others are shared: copy-on-write).  None when some key of ``rows``
    is not in ``old`` (or repeated), or a column of ``rows`` has another dtype (then only
    :func:`sorted_splice` gives what a frame built whole would)."""
    keys = old[key].to_numpy(object)
    new_keys = rows[key].to_numpy(object)
    if not len(keys) or len(set(new_keys.tolist())) != len(new_keys) or not isinstance(
            old.index, pd.RangeIndex) or old.index.start != 0 or old.index.step != 1:
        return None
    try:
        at = np.searchsorted(keys, new_keys)
    except TypeError:  # keys of several kinds
        return None
    if (at >= len(keys)).any() or not (keys[at] == new_keys).all():
        return None
    cols = list(old.columns)
    if not set(cols) <= set(rows.columns) or any(rows[c].dtype != old[c].dtype for c in cols):
        return None
    rows = rows.reset_index(drop=True)
    out = old.copy(deep=False)
    for c in cols:
        geometry = isinstance(old[c].dtype, GeometryDtype)  # always written: exact shapes
        if not geometry and same_values(old[c].iloc[at].reset_index(drop=True), rows[c]).all():
            continue
        a = old[c]
        values = a.array.copy() if isinstance(a.dtype, pd.api.extensions.ExtensionDtype) \
            else a.to_numpy(copy=True)
        values[at] = rows[c].array if isinstance(a.dtype, pd.api.extensions.ExtensionDtype) \
            else rows[c].to_numpy()
        # a Series of the column's own dtype: an object array of text would be inferred as text
        out[c] = values if isinstance(values, pd.api.extensions.ExtensionArray) else pd.Series(
            values, index=out.index, dtype=a.dtype, copy=False)
    return out, at


def _inferred(frame: pd.DataFrame, settled=()) -> pd.DataFrame:
    """``frame`` with its object and text columns built again from their values (but the
    ``settled`` ones that still hold some text: their dtype is the one inferred)."""
    text = [c for c, t in frame.dtypes.items()
            if (pd.api.types.is_object_dtype(t) or isinstance(t, pd.StringDtype))
            and not (c in settled and frame[c].notna().any())]
    if not text:
        return frame
    cols = {c: _objects(frame[c]) if c in text else frame[c].array for c in frame.columns}
    return pd.DataFrame(cols, index=frame.index)


def _objects(column: pd.Series) -> np.ndarray:
    """The values of ``column`` as objects; the missing ones of a text column as None (what
    the stages put in their object arrays: Arrow text keeps no difference of None and NaN)."""
    values = column.to_numpy(object)
    if isinstance(column.dtype, pd.StringDtype):
        values[column.isna().to_numpy(bool)] = None
    return values


@dataclass
class StageCache:
    """The last run's stage results and what they were made from."""

    change: Change | None = None  # the edit since the last run (None: unknown, run in full)
    rules: object = None
    last: dict = field(default_factory=dict)
    local_gaps: bool = False  # the last run's gaps were spliced (ilp_gis.incremental_gaps)
    gaps_min_desa: int = GAPS_LOCAL_MIN_DESA  # the splice is tried from this many desa
    gaps_cpu: float = 0.0  # CPU seconds of the last run's find_gaps stage (this thread)

    def stages(self) -> dict:
        return {"strata_check": self.strata_check, "lokus_check": self.lokus_check,
                "coe_units": self.coe_units, "build_network": self.build_network,
                "find_gaps": self.find_gaps}

    def _kept(self, name: str, rules, *inputs):
        """The last result of stage ``name`` when made with these rules and inputs (by
        identity), else None."""
        last = self.last.get(name)
        if last is None or self.change is None or rules is not self.rules:
            return None
        if len(last[0]) != len(inputs) or any(a is not b for a, b in zip(
                last[0], inputs, strict=True)):
            return None
        return last[1]

    def strata_check(self, fac, rules):
        from ilp_gis.posyandu import strata_check

        old = self._kept("strata", rules)
        if old is None:
            out = strata_check(fac, rules)
        elif POSYANDU not in self.change.types:
            out = old
        else:
            new = fac.iloc[np.flatnonzero(pd.Series(fac["fac_id"].to_numpy(object)).isin(
                list(self.change.ids)).to_numpy())]
            out = sorted_splice(old, "fac_id", self.change.ids, strata_check(new, rules),
                                infer=True)
        self.last["strata"] = ((), out)
        return out

    def lokus_check(self, fac, rules, names=None):
        from ilp_gis.lokus import lokus_check

        old = self._kept("lokus", rules)
        if old is not None and PUSKESMAS not in self.change.types and \
                names == self.last["lokus"][2]:
            out = old
        else:
            out = lokus_check(fac, rules, names)
        self.last["lokus"] = ((), out, names)
        return out

    def coe_units(self, fac, edges, indicators, threshold, assessment=None):
        from ilp_gis.coe import coe_units

        reach = _coe_reach(fac, edges)
        old = self._kept("coe", rules=self.rules)
        if old is not None and self.last["coe"][2] == (threshold, indicators) and \
                self.last["coe"][4] is assessment and \
                self.last["coe"][3] == reach and not (
                    self.change.ids & (reach[2] | self.last["coe"][3][2])):
            out = old
        else:
            out = coe_units(fac, edges, indicators, threshold, assessment)
        self.last["coe"] = ((), out, (threshold, indicators), reach, assessment)
        return out


    def find_gaps(self, desa, kec, fac, checks, problems, rules, *, lang=None, inputs=None):
        from ilp_gis.gaps import find_gaps
        from ilp_gis.incremental_gaps import local_gaps

        def find(d, k, f, c, p):
            return find_gaps(d, k, f, c, p, rules, lang=lang, inputs=inputs)

        cpu = time.thread_time()
        last = self.last.get("gaps")
        what = (lang, dict(inputs.present) if inputs is not None else None)
        out = None
        if last is not None and self.change is not None and rules is self.rules and \
                last["what"] == what and len(desa) >= self.gaps_min_desa:
            out = local_gaps(last, desa, kec, fac, checks, problems, self.change.ids, find)
        self.local_gaps = out is not None
        if out is None:
            out = find(desa, kec, fac, checks, problems)
        self.last["gaps"] = {"what": what, "desa": desa, "kec": kec, "fac": fac,
                             "checks": checks, "problems": problems, "gaps": out}
        self.gaps_cpu = time.thread_time() - cpu
        return out

    def build_network(self, fac, *, rules, road=None, fields=None, lang=None):
        from ilp_gis.network import Network, build_network

        last = self.last.get("network")
        if last is not None and self.change is not None and rules is self.rules and \
                last[1] is road and last[2] == lang and (road is None) == (fields is None) \
                and _network_unchanged(last[0], fac, self.change.ids):
            net = last[3]
        else:
            built = build_network(fac, rules=rules, road=road, fields=fields, lang=lang)
            net = (built.graph, built.edges, built.problems)
        self.last["network"] = (fac, road, lang, net)
        # a new Network each run: the analysis puts its own checked findings in its place
        return Network(graph=net[0], edges=net[1], problems=net[2])


def _network_unchanged(old, new, ids) -> bool:
    """Are the facilities ``new`` the same as ``old`` (the frames the network was built
    from) in every column the network reads, when only the rows of ``ids`` can differ?"""
    if len(old) != len(new) or list(old.columns) != list(new.columns):
        return False
    cols = [c for c in NETWORK_READS if c in new.columns]
    if new.geometry.name not in cols:
        cols.append(new.geometry.name)
    rows = np.flatnonzero(pd.Series(new["fac_id"].to_numpy(object)).isin(list(ids)).to_numpy())
    old_rows = np.flatnonzero(pd.Series(old["fac_id"].to_numpy(object)).isin(
        list(ids)).to_numpy())
    if len(rows) != len(ids) or not np.array_equal(rows, old_rows):
        return False  # a facility added or removed: the rows moved
    for c in cols:
        a = new[c].iloc[rows].reset_index(drop=True)
        b = old[c].iloc[rows].reset_index(drop=True)
        if c == new.geometry.name or c == "geom_wgs84":
            import shapely

            x = np.asarray(a.values, dtype=object)
            y = np.asarray(b.values, dtype=object)
            if not ((shapely.is_missing(x) & shapely.is_missing(y))
                    | shapely.equals_exact(x, y, 0.0)).all():
                return False
        elif a.dtype != b.dtype or not same_values(a, b).all():
            return False
    return True


def _coe_reach(fac, edges):
    """What ``coe_units`` reads: the designated facilities, the links into and out of them
    (sorted) and every facility those touch."""
    flag = fac["coe"].astype("boolean").fillna(False).to_numpy(bool) if "coe" in fac \
        else np.zeros(len(fac), bool)
    flagged = frozenset(fac["fac_id"].to_numpy(object)[flag].tolist())
    links: tuple = ()
    if flagged and edges is not None and len(edges):
        e = edges.dropna(subset=["parent_id", "child_id"])
        touch = e["parent_id"].isin(list(flagged)) | e["child_id"].isin(list(flagged))
        e = e[touch.to_numpy()]
        links = tuple(sorted(zip(e["parent_id"].tolist(), e["child_id"].tolist(),
                                 strict=True), key=str))
    ids = set(flagged)
    for p, c in links:
        ids.update((p, c))
    return flagged, links, frozenset(ids)
