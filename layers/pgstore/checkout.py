"""Offline work on one kabupaten: :func:`check_out` pulls its rows into a project (saved as a
GeoPackage) that remembers every row's store id (column ``store_rid``) and the version and
values it was taken at (table ``store_checkout``); :func:`check_in` sends back what was changed,
added or deleted since, in one transaction.  A row someone else changed meanwhile is a conflict:
by default nothing is written and every conflict is listed; with ``keep`` (mine, theirs or
merge) they are settled and the rest applied, or with ``choices`` field by field (the conflict
dialog of the desktop app).  The whole province (``kabupaten`` None, for a province analyst) is
checked out the same way.  Nothing is lost either way: the check-out file
keeps its edits until a check-in succeeds.  Imports ``psycopg`` and ``layers.pgstore``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from ilp_gis.i18n import register_catalog, tr
from ilp_gis.project import Project
from layers.pgstore.connection import ConnectionLost, StoreError
from layers.pgstore.edits import (
    GEOMETRY,
    MERGE,
    EditConflict,
    delete_row,
    edit_row,
    plain,
    resolve,
)
from layers.pgstore.pull import META_KABUPATEN, WKB, pull_project, stored_layers
from layers.pgstore.push import (
    CHECKOUT_TABLE,
    KABUPATEN_SCOPED,
    ROW_ID,
    facility_kabupaten,
    kabupaten_codes,
    promote_to_multi,
)
from layers.pgstore.schema import check_version

PROVINCE = "*"
"""``store_kabupaten`` of a check-out of the whole province."""
WHOLE_ROW = "*"
"""The one "field" of a conflict where a side deleted the row: keep mine (my deletion, or my
row inserted again) or keep theirs."""


class _Abort(Exception):
    """Conflicts without a ``keep``: roll the whole check-in back."""


@dataclass
class CheckIn:
    """What a check-in did: rows ``updated`` (``merged`` of them: someone else changed other
    columns of the row meanwhile), ``inserted``, ``deleted`` and ``resolved``, and the
    ``conflicts`` found (both sides changed one column; written only when a ``keep`` settled
    them)."""

    updated: int = 0
    merged: int = 0
    inserted: int = 0
    deleted: int = 0
    resolved: int = 0
    conflicts: list[EditConflict] = field(default_factory=list)
    applied: bool = False


def row_values(frame, i: int) -> dict:
    """Row ``i`` of ``frame`` as plain values; the geometry as hex WKB under ``geometry``."""
    return rows_values(frame.iloc[[i]])[0]


def rows_values(frame) -> list[dict]:
    """Every row of ``frame`` as :func:`row_values` gives it, a column at a time (a
    kabupaten's thousands of rows in well under a second)."""
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    columns = []
    for col in frame.columns:
        if col == ROW_ID:
            continue
        if col == geometry:
            geoms = promote_to_multi(np.asarray(frame.geometry.values, dtype=object))
            columns.append((GEOMETRY, shapely.to_wkb(geoms, hex=True).tolist()))
        else:
            columns.append((str(col), _plain_column(frame[col])))
    return [{name: values[i] for name, values in columns} for i in range(len(frame))]


def _plain_column(series: pd.Series) -> list:
    """:func:`plain` of every cell, numbers of a numeric column at once."""
    dtype = series.dtype
    if pd.api.types.is_float_dtype(dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan).tolist()
        return [None if v != v else v for v in values]
    if pd.api.types.is_integer_dtype(dtype) and not series.hasnans:
        return series.to_numpy(dtype=np.int64).tolist()
    return [v if v.__class__ is str else plain(v) for v in series.tolist()]


def rows_json(frame, wkb: list | None = None) -> list[str]:
    """``json.dumps(row, ensure_ascii=False)`` of every row of :func:`rows_values`, the same
    text, made a column at a time (a province's 30,000 rows of snapshot in a fraction of a
    second instead of one encoder call and one dict per row).  ``wkb``: the geometry's WKB as
    the store sent it (multi kinds already), used instead of writing it again when it is 2D
    little-endian WKB, which is what writing it again would give."""
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    columns = []
    for col in frame.columns:
        if col == ROW_ID:
            continue
        if col == geometry:
            columns.append((GEOMETRY, _geometry_json(frame.geometry.values, wkb)))
        else:
            columns.append((str(col), _json_column(frame[col])))
    if not columns:
        return ["{}"] * len(frame)
    template = "{" + ", ".join((_encode_str(name) + ": ").replace("%", "%%") + "%s"
                               for name, _ in columns) + "}"
    return [template % row for row in zip(*(texts for _, texts in columns), strict=True)]


_NULL = "null"
_encode_str = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses


def _geometry_json(geoms, wkb: list | None) -> list[str]:
    if wkb is not None and len(wkb) == len(geoms) and _plain_wkb(geoms, wkb):
        return [_NULL if b is None else f'"{b.hex().upper()}"' for b in wkb]
    return [_NULL if h is None else f'"{h}"' for h in _multi_wkb_hex(geoms)]


def _plain_wkb(geoms, wkb: list) -> bool:
    """Whether ``wkb`` is what :func:`_multi_wkb_hex` would write for ``geoms``: little-endian,
    2D, multi kinds (or single points), none empty."""
    arr = np.asarray(geoms, dtype=object)
    kinds = shapely.get_type_id(arr)
    if ((kinds == 1) | (kinds == 3) | (kinds > 7)).any() or shapely.has_z(arr).any() \
            or shapely.is_empty(arr).any():
        return False
    return all(b is None or b[0] == 1 for b in wkb) and \
        all((b is None) == (k < 0) for b, k in zip(wkb, kinds.tolist(), strict=True))


def _multi_wkb_hex(geoms) -> list:
    """Hex WKB of :func:`promote_to_multi` of ``geoms`` (only the single-part or empty ones
    go through it: what the store gave back is multi already)."""
    arr = np.asarray(geoms, dtype=object)
    kinds = shapely.get_type_id(arr)
    promote = (kinds == 1) | (kinds == 3) | shapely.is_empty(arr)  # LineString, Polygon
    if promote.any():
        arr = arr.copy()
        arr[promote] = promote_to_multi(arr[promote])
    return shapely.to_wkb(arr, hex=True).tolist()


def _json_column(series: pd.Series) -> list[str]:
    """The JSON text of :func:`_plain_column`'s value of every cell."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        missing = series.isna().to_numpy()
        truth = series.fillna(False).to_numpy(dtype=bool)
        return np.where(missing, _NULL, np.where(truth, "true", "false")).tolist()
    if pd.api.types.is_float_dtype(dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        texts = list(map(float.__repr__, values.tolist()))
        for i in np.flatnonzero(~np.isfinite(values)).tolist():
            v = values[i]
            texts[i] = _NULL if v != v else ("Infinity" if v > 0 else "-Infinity")
        return texts
    if pd.api.types.is_integer_dtype(dtype) and not series.hasnans:
        return list(map(int.__repr__, series.to_numpy(dtype=np.int64).tolist()))
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind in ("string", "empty"):  # texts and missing cells only
        missing = series.isna().to_numpy()
        texts = list(map(_encode_str, series.where(~missing, "").tolist()))
        for i in np.flatnonzero(missing).tolist():
            texts[i] = _NULL
        return texts
    return [_encode_str(v) if v.__class__ is str else _json_value(plain(v))
            for v in series.tolist()]


def _json_value(value) -> str:
    if value is None:
        return _NULL
    if isinstance(value, str):
        return _encode_str(value)
    return json.dumps(value)


def check_out(conn: psycopg.Connection, kabupaten: str | None, *, source: str = "",
              step=None) -> Project:
    """The rows of ``kabupaten`` (and the province-level layers whole; every row when
    ``kabupaten`` is None) with what a later :func:`check_in` needs to find what changed.
    ``step``: progress, as :func:`~layers.pgstore.pull.pull_project` takes it."""
    project = pull_project(conn, kabupaten=kabupaten, source=source, with_version=True,
                           step=step)
    if kabupaten is None:
        project.meta[META_KABUPATEN] = PROVINCE
    base = []
    for name in KABUPATEN_SCOPED:
        frame = project.layers.get(name)
        if frame is None:
            continue
        rids, versions = frame.pop("_rid"), frame.pop("_row_version")
        wkb = frame.pop(WKB).tolist() if WKB in frame.columns else None
        base.append(pd.DataFrame({"layer": name, "rid": rids.to_numpy(dtype=np.int64),
                                  "version": versions.to_numpy(dtype=np.int64),
                                  "base": rows_json(frame, wkb)}))
        frame.insert(0, ROW_ID, rids.astype("Int64"))
        project.layers[name] = frame
    project.tables[CHECKOUT_TABLE] = pd.concat(base, ignore_index=True) if base else \
        pd.DataFrame({"layer": pd.Series(dtype=object), "rid": pd.Series(dtype="int64"),
                      "version": pd.Series(dtype="int64"), "base": pd.Series(dtype=object)})
    return project


def is_checkout(project: Project) -> bool:
    return CHECKOUT_TABLE in project.tables and bool(project.meta.get(META_KABUPATEN))


def conflict_key(conflict: EditConflict) -> tuple[str, int, int | None]:
    """What a choice about ``conflict`` was made on: layer, row and the version theirs had (a
    row changed again since is a new conflict, to be looked at again)."""
    theirs = conflict.theirs
    return (conflict.layer, conflict.rid,
            None if theirs is None else int(theirs["_row_version"]))


def check_in(conn: psycopg.Connection, project: Project, *, keep: str | None = None,
             choices: dict[tuple, list[str]] | None = None) -> CheckIn:
    """Send the edits of a checked-out ``project`` back (see the module doc).  ``choices``
    settles conflicts one by one: :func:`conflict_key` → the differing fields where mine wins
    (the others keep theirs; :data:`WHOLE_ROW` for a deleted row); a conflict without a choice
    (new, or changed again since) stops the check-in like one without ``keep``.  On success
    the project is updated to the store's new versions, ready for more offline work."""
    if not is_checkout(project):
        raise StoreError(tr("pgstore.checkout.not_checkout"))
    check_version(conn)
    stored = {name: (geometry_type, [c for c, _, _ in columns])
              for name, geometry_type, columns in stored_layers(conn)}
    base = project.tables[CHECKOUT_TABLE]
    result = CheckIn()
    try:
        with conn.transaction():
            for name in sorted(KABUPATEN_SCOPED):
                if name in stored and (name in project.layers or (base["layer"] == name).any()):
                    _check_in_layer(conn, project, name, stored[name], base, result)
            chosen = choices or {}
            if keep is None and any(conflict_key(c) not in chosen for c in result.conflicts):
                raise _Abort
            for conflict in result.conflicts:
                if conflict_key(conflict) in chosen:
                    _settle(conn, conflict, chosen[conflict_key(conflict)])
                else:
                    resolve(conn, conflict, keep)
                result.resolved += 1
    except _Abort:
        conn.rollback()
        result.updated = result.merged = result.inserted = result.deleted = 0
        return result
    except (psycopg.OperationalError, ConnectionLost) as exc:
        # also when a single edit inside the check-in lost the connection: the whole
        # check-in was rolled back, which the single edit's own message would not say
        cause = exc.__cause__ if isinstance(exc, ConnectionLost) and exc.__cause__ else exc
        raise ConnectionLost(tr("pgstore.checkout.lost", why=str(cause).strip())) from exc
    result.applied = True
    _refresh(conn, project)
    return result


def _check_in_layer(conn, project: Project, name: str, spec, base, result: CheckIn) -> None:
    geometry_type, columns = spec
    frame = project.layers.get(name)
    taken = {int(r): (int(v), json.loads(b)) for r, v, b in
             base.loc[base["layer"] == name, ["rid", "version", "base"]].itertuples(index=False)}
    seen: set[int] = set()
    by_facility = facility_kabupaten(project) if name == "budget" else None
    if frame is not None:
        extra = [c for c in frame.columns if c not in columns and c != ROW_ID
                 and not (isinstance(frame, gpd.GeoDataFrame) and c == frame.geometry.name)
                 and frame[c].notna().any()]
        if extra:
            raise StoreError(tr("pgstore.checkout.new_column", layer=name,
                                column=", ".join(map(str, extra))))
        rids = frame[ROW_ID] if ROW_ID in frame.columns else pd.Series([pd.NA] * len(frame))
        every_row = rows_values(frame)
        for i in range(len(frame)):
            mine = every_row[i]
            mine = {c: v for c, v in mine.items() if c in columns or c == GEOMETRY}
            rid = rids.iat[i]
            if pd.isna(rid) or int(rid) not in taken:
                _insert(conn, name, frame.iloc[[i]], mine, by_facility)
                result.inserted += 1
                continue
            rid = int(rid)
            seen.add(rid)
            version, before = taken[rid]
            changes = {c: v for c, v in mine.items() if before.get(c) != v}
            if not changes:
                continue
            live = {c: (_geometry(v) if c == GEOMETRY else v) for c, v in changes.items()}
            try:
                edit_row(conn, name, rid, version, live)
                result.updated += 1
            except EditConflict as conflict:
                settled, contested = _merge_if_apart(conn, conflict, changes, before, live)
                if settled is not None:
                    result.updated += settled
                    result.merged += settled
                    continue
                conflict.mine = live
                conflict.contested = contested
                conflict.mine_row = {c: (_geometry(v) if c == GEOMETRY else v)
                                     for c, v in mine.items()}
                result.conflicts.append(conflict)
    for rid, (version, _) in taken.items():
        if rid in seen:
            continue
        try:
            delete_row(conn, name, rid, version)
            result.deleted += 1
        except EditConflict as conflict:
            result.conflicts.append(conflict)


def _settle(conn, conflict: EditConflict, mine_wins: list[str]) -> None:
    """One conflict settled field by field: my value where the field is in ``mine_wins``,
    theirs elsewhere; a row one side deleted: :data:`WHOLE_ROW` in ``mine_wins`` keeps my
    deletion or puts my row back (as a new row), otherwise theirs stands."""
    mine_row = WHOLE_ROW in mine_wins
    if conflict.mine is None or conflict.theirs is None:
        if not mine_row:
            return
        if conflict.mine is None:
            resolve(conn, conflict, MERGE)  # my deletion
            return
        values = dict(conflict.mine_row or conflict.mine)
        if values.get(GEOMETRY) is not None:
            values[GEOMETRY] = shapely.to_wkb(values[GEOMETRY], hex=True)
        _insert(conn, conflict.layer, pd.DataFrame([values]), values)
        return
    asked = set(conflict.asked())
    fields = [c for c in conflict.fields() if c not in asked or c in mine_wins]
    resolve(conn, conflict, MERGE, fields=fields)


def _merge_if_apart(conn, conflict: EditConflict, changes: dict, before: dict,
                    live: dict) -> tuple[int | None, list[str] | None]:
    """A row changed by both sides: 0 when theirs already holds my changes, 1 when they
    changed only other columns (mine are written over theirs), None for a real conflict;
    with the columns both sides changed to different values."""
    theirs = conflict.theirs
    if theirs is None:
        return None, None
    geom = _stored_geometry(conn, conflict.layer, conflict.rid) if GEOMETRY in changes else None

    def now(col):
        return geom if col == GEOMETRY else plain(theirs.get(col))

    if all(_same(now(c), v) for c, v in changes.items()):
        return 0, []
    if all(_same(now(c), before.get(c)) for c in changes):
        edit_row(conn, conflict.layer, conflict.rid, int(theirs["_row_version"]), live)
        return 1, []
    return None, [c for c, v in changes.items()
                  if not _same(now(c), v) and not _same(now(c), before.get(c))]


def _same(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a == b or a.upper() == b.upper()  # hex WKB from the server is lower case
    return a == b


def _stored_geometry(conn, layer: str, rid: int) -> str | None:
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT encode(ST_AsBinary(geom), 'hex') FROM {} WHERE _rid = %s")
                    .format(sql.Identifier(layer)), (rid,))
        row = cur.fetchone()
    return None if row is None else row[0]


def _geometry(wkb_hex):
    return None if wkb_hex is None else shapely.from_wkb(wkb_hex)


def _insert(conn, name: str, row_frame, values: dict, facility_kab: dict | None = None) -> None:
    kab = kabupaten_codes(name, row_frame, facility_kab).iat[0]
    cols = [c for c in values if c != GEOMETRY]
    names = [sql.Identifier("_kab")] + [sql.Identifier(c) for c in cols]
    marks = [sql.Placeholder()] * (len(cols) + 1)
    params = [kab] + [values[c] for c in cols]
    if GEOMETRY in values:
        names.append(sql.Identifier("geom"))
        marks.append(sql.SQL("ST_GeomFromWKB(decode(%s, 'hex'), 4326)"))
        params.append(values[GEOMETRY])
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                sql.Identifier(name), sql.SQL(", ").join(names), sql.SQL(", ").join(marks)),
                params)
    except psycopg.errors.InsufficientPrivilege as exc:
        raise StoreError(tr("pgstore.checkout.insert_refused", layer=name,
                            code=kab or "-")) from exc


def _refresh(conn, project: Project) -> None:
    """The checked-out project as the store has it now (after a successful check-in)."""
    kabupaten = project.meta[META_KABUPATEN]
    fresh = check_out(conn, None if kabupaten == PROVINCE else kabupaten,
                      source=project.meta.get("store_source", ""))
    project.layers.update({n: f for n, f in fresh.layers.items()})
    project.tables[CHECKOUT_TABLE] = fresh.tables[CHECKOUT_TABLE]
    project.dirty = True


register_catalog("layers", "pgstore.checkout")
