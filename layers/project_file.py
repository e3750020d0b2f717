"""The project file: one GeoPackage holding every layer, the rules, meta facts and results;
saved atomically, read back, or recognised (:func:`is_project_file`); only a GeoPackage is ever
opened (``layers.safe_open``).  Fixed layer names (:data:`ilp_gis.model.LAYERS`), further tables
under their own names.

Saving the file a project was read from (or last saved to) writes only what changed, in place,
inside one SQLite transaction (``layers.gpkg_table``; changed rows only where few rows changed,
``layers.frame_diff``; a table other than a layer whose content digest, recorded beside it when
it was written, still matches is not written at all, ``layers.frame_digest``): a kill at any
moment leaves the previous or the new state, as SQLite's journal guarantees.  A new file, a
file changed by someone else meanwhile, or data that writer cannot store the way GDAL does is
written whole beside the target and moved over it.  Imports
``ilp_gis``, ``layers.atomic``, ``layers.gpkg_table``, ``layers.frame_diff``,
``layers.frame_digest`` and ``layers.safe_open``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from ilp_gis import __version__, model
from ilp_gis.errors import InputError, ProjectError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.project import Project, StoredTables
from layers import frame_diff, frame_digest, gpkg_table, safe_open
from layers.arrow_texts import text_objects
from layers.atomic import atomic_write, clean_stale_temporaries, join_group

_SPATIAL_TYPES = {"Polygon": "MultiPolygon", "Point": "Point", "LineString": "MultiLineString"}


def save_project(project: Project, path: str | Path | None = None, *,
                 progress=None) -> Path:
    """Write ``project`` to ``path`` (default: its own path) atomically and return the path;
    temporaries a killed earlier save left beside it are removed (``layers.atomic``)."""
    target, meta, frames, meta_frame = _what_to_save(project, path)
    stored = project.stored
    if _in_place_possible(stored, target):
        try:
            _save_in_place(project, target, frames, meta_frame, progress)
        except gpkg_table.Unsupported:
            pass  # rolled back: written whole below
        else:
            project.meta = meta
            return target
    frames += _unread_frames(stored, {name for name, _ in frames})
    frames.append(("meta", meta_frame))

    def write(tmp: Path) -> None:  # pyogrio creates the file; each frame is one more layer
        for i, (name, frame) in enumerate(frames):
            _write_frame(frame, tmp, name)
            if progress:
                progress((i + 1) / len(frames))

    atomic_write(target, write)
    project.meta = meta
    project.path = target
    project.dirty = False
    # inside all_or_nothing() the file is moved into place only when the group is done: the
    # next save then cannot know the file and writes it whole again
    project.stored = StoredTables(target, _signature(target),
                                  {name: frame for name, frame in frames if name != "meta"},
                                  {name: np.arange(1, len(frame) + 1, dtype=np.int64)
                                   for name, frame in frames if name != "meta"}
                                  ) if target.exists() else None
    return target


def _what_to_save(project: Project, path: str | Path | None):
    """The resolved target, the meta facts, the frames (layers, then tables) and the meta
    table a save of ``project`` writes."""
    target = Path(path or project.path or "")
    if not str(target) or target.is_dir():
        raise ProjectError(tr("project.no_path"))
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    meta = dict(project.meta)
    now = dt.datetime.now().isoformat(timespec="seconds")
    meta.setdefault(model.META_CREATED, now)
    meta[model.META_MODIFIED] = now
    meta[model.META_FORMAT_VERSION] = str(model.FORMAT_VERSION)
    meta[model.META_APP_VERSION] = __version__
    meta[model.META_RULES] = project.rules.text

    frames: list[tuple[str, object]] = [(name, project.layers[name]) for name in model.LAYERS
                                        if name != "meta" and name in project.layers]
    frames += [(name, frame) for name, frame in project.tables.items()]
    meta_frame = pd.DataFrame({"key": list(meta), "value": list(meta.values())})
    return target, meta, frames, meta_frame


def _in_place_possible(stored: StoredTables | None, target: Path) -> bool:
    """The file is the one the project was read from (or last saved to), unchanged since."""
    return stored is not None and stored.path == target and target.exists() \
        and stored.signature == _signature(target)


BESIDE_MIN_CELLS_ENV = "ILP_GIS_STORE_BESIDE_MIN_CELLS"  # another threshold (bench/ A/B)
BESIDE_MIN_CELLS = 1_000_000
"""From this many values to write, ``layers.store_beside.save_beside`` stores in a second
process (below it the child's start costs more than the overlap saves: the bundled sample
stores in process)."""


def _unread_frames(stored: StoredTables | None, kept: set[str]) -> list[tuple[str, object]]:
    """The tables the project was opened without and did not set again, read now from the file
    it was opened from (a save that writes the whole file must not lose them)."""
    if stored is None or not stored.unread - kept or not stored.path.exists():
        return []
    src = _gdal_name(stored.path)
    return [(name, _read_frame(src, name)[0]) for name in sorted(stored.unread - kept)]


def _signature(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _layout(name: str) -> tuple[str | None, bool]:
    """The declared geometry type of layer ``name`` and whether single geometries are
    promoted to multi ones (as :func:`_write_frame` writes it)."""
    spec = model.LAYERS.get(name)
    declared = _SPATIAL_TYPES.get(spec.geometry) if spec is not None else None
    return declared, spec is None or spec.geometry != "Point"


def _with_crs(frame):
    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns \
            and frame.crs is None:
        return frame.set_crs(model.WGS84)
    return frame


def _save_in_place(project: Project, target: Path, frames, meta_frame, progress) -> None:
    """Write what changed since ``project.stored`` into ``target`` in one transaction (committed
    now, or with the other writes of an ``all_or_nothing`` group)."""
    stored = project.stored
    con = sqlite3.connect(str(target), isolation_level=None, timeout=30)
    gpkg_table.register_functions(con)
    try:
        con.execute("PRAGMA synchronous = FULL")
        con.execute("BEGIN IMMEDIATE")
        in_file = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
        recorded = gpkg_table.digests(con)
        new_frames, new_ids = dict(stored.frames), dict(stored.row_ids)
        for i, (name, frame) in enumerate(frames):
            if stored.frames.get(name) is not frame or name not in in_file:
                new_ids[name] = _store_unless_same(con, name, frame, stored, in_file, recorded)
                new_frames[name] = frame
            if progress:
                progress((i + 1) / (len(frames) + 1))
        for name in in_file - {name for name, _ in frames} - {"meta"} - stored.unread:
            gpkg_table.drop_table(con, name)
            new_frames.pop(name, None)
            new_ids.pop(name, None)
        gpkg_table.write_table(con, "meta", meta_frame)
    except BaseException:
        con.rollback()
        con.close()
        raise

    def commit() -> None:
        try:
            con.execute("COMMIT")
        finally:
            con.close()
        project.path = target
        project.dirty = False
        project.stored = StoredTables(target, _signature(target), new_frames, new_ids,
                                      stored.unread - {name for name, _ in frames})

    def abort() -> None:
        con.rollback()
        con.close()

    if not join_group(commit, abort):
        commit()
    if progress:
        progress(1.0)


def _store_unless_same(con, name: str, frame, stored: StoredTables, in_file: set[str],
                       recorded: dict[str, str]):
    """Write table ``name`` unless the file holds it already as ``frame`` (its recorded
    content digest matches: a re-analysis whose results did not change writes nothing), and
    return the row ids of ``frame``'s rows.  Layers, which an edit changes a few rows at a
    time, are compared row by row instead (``_store_changes``)."""
    if name in model.LAYERS:
        return _store_changes(con, name, frame, stored, in_file)
    if name not in in_file or name.lower() not in recorded:
        # written whatever its digest: computed meanwhile in a helper thread (hashing and
        # WKB run without Python's interpreter lock, as SQLite's part of the write does)
        with ThreadPoolExecutor(max_workers=1) as helper:
            pending = helper.submit(frame_digest.digest, frame)
            ids = _store_changes(con, name, frame, stored, in_file)
            digest = pending.result()
        gpkg_table.set_digest(con, name, digest)
        return ids
    digest = frame_digest.digest(frame)
    if digest is not None and recorded.get(name.lower()) == digest:
        ids = stored.row_ids.get(name)
        if ids is None or len(ids) != len(frame):
            ids = gpkg_table.stored_fids(con, name)
        if len(ids) == len(frame):
            return ids
    ids = _store_changes(con, name, frame, stored, in_file)
    gpkg_table.set_digest(con, name, digest)
    return ids


def _store_changes(con, name: str, frame, stored: StoredTables, in_file: set[str]):
    """Write layer/table ``name`` into the open transaction: only its changed rows when the
    file holds the previous version in the same columns, else the whole table; return the
    row ids of ``frame``'s rows."""
    declared, promote = _layout(name)
    frame = _with_crs(frame)
    old = stored.frames.get(name)
    changes = None
    if old is not None and name in in_file and _same_columns(con, name, frame):
        changes = frame_diff.row_changes(old, frame, stored.row_ids[name])
    if changes is None:
        return gpkg_table.write_table(con, name, _storable(frame), geometry_type=declared,
                                      promote=promote)
    if len(changes.delete_fids) or len(changes.insert_positions):
        gpkg_table.delete_rows(con, name, changes.delete_fids)
        rows = _storable(frame.iloc[changes.insert_positions])
        gpkg_table.insert_rows(con, name, rows, changes.insert_fids, promote=promote)
        gpkg_table.touch(con, name)
    return changes.fids


def _same_columns(con, name: str, frame) -> bool:
    return columns_match(gpkg_table.columns(con, name), gpkg_table.geometry_column(con, name),
                         frame)


def columns_match(stored: list, stored_geometry: str | None, frame) -> bool:
    """Whether a table stored with the columns ``stored`` (its geometry column
    ``stored_geometry``) holds ``frame``'s columns in its order, so that only changed rows need
    writing."""
    geom = gpkg_table._geom_name(frame)
    want = ["fid"] + (["geom"] if geom else []) + [c for c in frame.columns if c != geom]
    return [c.lower() for c in stored] == [c.lower() for c in want] \
        and (stored_geometry == "geom") == bool(geom)


def _write_frame(frame, path: Path, layer: str) -> None:
    frame = _storable(frame)
    kwargs = {"driver": "GPKG", "layer": layer, "append": path.exists()}
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        spec = model.LAYERS.get(layer)
        if spec is not None and spec.geometry in _SPATIAL_TYPES:
            kwargs["geometry_type"] = _SPATIAL_TYPES[spec.geometry]
        kwargs["promote_to_multi"] = spec is None or spec.geometry != "Point"
        if frame.crs is None:
            frame = frame.set_crs(model.WGS84)
        pyogrio.write_dataframe(frame, path, **kwargs)
    else:
        pyogrio.write_dataframe(pd.DataFrame(frame), path, **kwargs)


def _storable(frame, changed: set | None = None):
    """GeoPackage columns must be plain: yes/no values → BOOLEAN, dates → ISO text, other
    mixed objects → text; a NUL character is removed from every text (no text holds one
    legitimately, and GDAL's reader would end the text there: the file and every reader
    agree on what was stored).  ``changed``: receives the names of the columns converted
    (the others hold ``frame``'s own values)."""
    out = frame.copy(deep=False)  # copy-on-write: only the columns converted below are new
    geom_name = out.geometry.name if isinstance(out, gpd.GeoDataFrame) else None
    for col in out.columns:
        if col == geom_name:
            continue
        s = out[col]
        if isinstance(s.dtype, pd.BooleanDtype):
            continue  # written as a GeoPackage BOOLEAN (empty cells stay empty)
        elif isinstance(s.dtype, pd.StringDtype):
            new = _without_nul(s)
        elif s.dtype == object:
            head = _present_head(s, 1000)
            if len(head) and all(isinstance(v, bool | np.bool_) for v in head) and all(
                    isinstance(v, bool | np.bool_) for v in s.dropna()):
                new = s.astype("boolean")  # a GeoPackage BOOLEAN column, never "False"
            elif len(head) and not all(isinstance(v, str) for v in head):
                new = _without_nul(s.map(
                    lambda v: None if v is None or (isinstance(v, float) and v != v)
                    else (v.isoformat() if hasattr(v, "isoformat") else str(v))))
            else:
                new = _without_nul(s)
        else:
            continue
        if new is not s:
            out[col] = new
            if changed is not None:
                changed.add(col)
    return out


def _present_head(s: pd.Series, n: int) -> list:
    """The first ``n`` values of ``s`` that are not missing (``s.dropna().head(n)``), found
    from its start: a national text column is not copied whole to look at its head."""
    values = s.to_numpy(dtype=object)
    out: list = []
    step = max(n, 4096)
    for start in range(0, len(values), step):
        part = values[start:start + step]
        out += part[~pd.isna(part)].tolist()
        if len(out) >= n:
            return out[:n]
    return out


def _without_nul(s: pd.Series) -> pd.Series:
    """The text column without NUL characters (the same column when it holds none)."""
    if not len(s) or not _may_hold_nul(s):
        return s
    texts = s.map(lambda v: v.replace("\x00", "") if isinstance(v, str) else v)
    return texts.astype(s.dtype) if isinstance(s.dtype, pd.StringDtype) else texts


def open_project(path: str | Path, *, skip_tables: Iterable[str] = (),
                 skip_layers: Iterable[str] = (), only: Iterable[str] | None = None) -> Project:
    """Read a project file written by :func:`save_project`.

    Tables named in ``skip_tables`` (never layers, never ``meta``) are not read: for a caller
    that replaces them before it saves (``ilp-gis analyze`` and the stored results); a save
    keeps the file's copy of each one not set again.  Layers named in ``skip_layers`` are
    left unread as if :func:`release` had let them go (``project.has`` says no; a save keeps
    the file's copy): for a command that never reads them (``ilp-gis tables`` and the roads).
    A missing, damaged or newer file raises :class:`ProjectError` with a message that names it.
    """
    path = Path(path)
    if not path.exists():
        raise ProjectError(tr("project.missing", file=str(path)))
    src = _gdal_name(path)
    try:
        _recover(path)
        names = _table_names(path)
    except sqlite3.DatabaseError as exc:
        raise ProjectError(tr("project.damaged", file=str(path), why=str(exc))) from exc
    if "meta" not in names:
        raise ProjectError(tr("project.not_ilp", file=str(path)))
    try:
        meta_df = pyogrio.read_dataframe(src, layer="meta", read_geometry=False)
        meta = {str(k): ("" if v is None else str(v)) for k, v in zip(meta_df["key"],
                                                                       meta_df["value"],
                                                                       strict=True)}
        version = int(meta.get(model.META_FORMAT_VERSION, "0") or 0)
        if version > model.FORMAT_VERSION:
            raise ProjectError(tr("project.too_new", file=str(path), version=str(version),
                                  supported=str(model.FORMAT_VERSION)))
        layers: dict[str, object] = {}
        tables: dict[str, object] = {}
        row_ids: dict[str, np.ndarray] = {}
        unread = (frozenset(names & set(skip_tables)) - set(model.LAYERS)
                  | frozenset(names & set(skip_layers) & set(model.LAYERS))) - {"meta"}
        if only is not None:
            unread |= frozenset(names - set(only) - {"meta"})
        layouts = _layouts(path)
        wanted = sorted(names - {"meta"} - unread)
        # two layers at a time, the largest first: pyogrio's Arrow reader lets go of Python's
        # interpreter lock while GDAL reads, so one layer is read while another is turned into
        # a frame and conformed to its spec (its texts made Python objects)
        sizes = _feature_counts(path)
        with ThreadPoolExecutor(max_workers=2) as readers:
            pending = {name: readers.submit(_read_conformed, src, name, layouts.get(name))
                       for name in sorted(wanted, key=lambda n: -sizes.get(n, 0))}
            for name in wanted:
                frame, row_ids[name] = pending[name].result()
                if name in model.LAYERS:
                    layers[name] = frame
                else:
                    tables[name] = frame
    except ProjectError:
        raise
    except Exception as exc:  # pyogrio/GDAL errors on a damaged file
        raise ProjectError(tr("project.damaged", file=str(path), why=str(exc))) from exc
    project = Project(tables=tables, meta=meta, path=path.resolve())
    project.layers.update(layers)  # conformed to their specs as they were read
    project.rules_from_meta()
    project.dirty = False
    project.stored = StoredTables(path.resolve(), _signature(path),
                                  {**project.tables, **project.layers}, row_ids, unread)
    clean_stale_temporaries(path)  # what a killed save of this project left beside it
    return project


@dataclasses.dataclass(frozen=True)
class UnreadFrames:
    """Layers/tables of a project file read after the project was opened without them
    (:func:`read_unread`), to be taken in by :func:`adopt_unread`."""

    stored: StoredTables  # what the file held when they were read
    frames: dict[str, object]
    row_ids: dict[str, np.ndarray]


def read_unread(project: Project, names: Iterable[str] | None = None) -> UnreadFrames:
    """Read from the project's file the layers/tables it was opened without (all of them, or
    those of ``names``), conformed as :func:`open_project` would.  Touches no state of the
    project: safe in a worker thread while the project is shown."""
    stored = project.stored
    if stored is None:
        return UnreadFrames(StoredTables(Path(), (0, 0)), {}, {})
    wanted = sorted(stored.unread if names is None else stored.unread & set(names))
    frames: dict[str, object] = {}
    row_ids: dict[str, np.ndarray] = {}
    if not wanted:
        return UnreadFrames(stored, frames, row_ids)
    try:
        if _signature(stored.path) != stored.signature:
            raise ProjectError(tr("project.changed_meanwhile", file=str(stored.path)))
        src = _gdal_name(stored.path)
        for name in wanted:
            frame, row_ids[name] = _read_frame(src, name)
            spec = model.LAYERS.get(name)
            frames[name] = model.conform(frame, spec) if spec is not None else frame
    except ProjectError:
        raise
    except Exception as exc:  # pyogrio/GDAL errors on a damaged file
        raise ProjectError(tr("project.damaged", file=str(stored.path), why=str(exc))) from exc
    return UnreadFrames(stored, frames, row_ids)


def adopt_unread(project: Project, read: UnreadFrames) -> list[str]:
    """Take the frames of :func:`read_unread` into ``project`` as if read when it was opened
    and return their names; none when the project's file was saved or replaced meanwhile (a
    frame set meanwhile is kept as set)."""
    stored = project.stored
    if stored is None or stored is not read.stored:
        return []
    taken = [n for n in read.frames if n in stored.unread and n not in project.layers
             and n not in project.tables]
    for name in taken:
        held = project.layers if name in model.LAYERS else project.tables
        held[name] = read.frames[name]
    if taken:
        project.stored = dataclasses.replace(
            stored, frames={**stored.frames, **{n: read.frames[n] for n in taken}},
            row_ids={**stored.row_ids, **{n: read.row_ids[n] for n in taken}},
            unread=stored.unread - set(taken))
    return taken


def release(project: Project, names: Iterable[str]) -> list[str]:
    """Let go of the in-memory frames of the layers/tables ``names`` that are unchanged since
    the file was read or saved, and return those let go: a later save keeps the file's copy of
    each (as for tables :func:`open_project` left unread).  For a command that no longer needs
    them (``ilp-gis analyze`` and the roads once the travel network is built)."""
    stored = project.stored
    if stored is None:
        return []
    gone = []
    for name in names:
        held = project.layers if name in project.layers else project.tables
        frame = held.get(name)
        if frame is not None and stored.frames.get(name) is frame \
                and name not in project.unsaved:
            del held[name]
            gone.append(name)
    if gone:
        project.stored = dataclasses.replace(
            stored, frames={k: v for k, v in stored.frames.items() if k not in gone},
            row_ids={k: v for k, v in stored.row_ids.items() if k not in gone},
            unread=stored.unread | set(gone))
    return gone


def is_project_file(path: str | Path) -> bool:
    """True when ``path`` is a GeoPackage with the ``meta`` table :func:`save_project` writes."""
    try:
        _gdal_name(Path(path))
        return "meta" in _table_names(Path(path))
    except (sqlite3.DatabaseError, ProjectError):
        return False


def feature_count(path: str | Path, layer: str) -> int | None:
    """How many rows ``layer`` of the project file ``path`` holds, counted by SQLite without
    reading a feature; None when the file is no project or has no such table."""
    if not is_project_file(path) or layer not in _table_names(Path(path)):
        return None
    with closing(sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)) as con:
        return int(con.execute(f"SELECT count(*) FROM {gpkg_table.quote(layer)}").fetchone()[0])


def _gdal_name(path: Path) -> str:
    """The name pyogrio opens ``path`` by, once its content proved it a GeoPackage."""
    try:
        return safe_open.gdal_source(path, safe_open.PROJECT)
    except InputError as exc:
        raise ProjectError(tr("project.damaged", file=str(path),
                              why=exc.context.get("reason", str(exc)))) from exc


def _recover(path: Path) -> None:
    """Roll back what a save killed half-way left in SQLite's journal beside the file (a
    read-only connection, as GDAL opens it, would refuse the file instead)."""
    if not Path(f"{path}-journal").exists():
        return
    try:
        con = sqlite3.connect(str(path), timeout=30)
    except sqlite3.Error:
        return
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        pass  # a read-only file or folder: the reader reports what it finds
    finally:
        con.close()


def _table_names(path: Path) -> set[str]:
    """The tables a GeoPackage lists in its contents (sqlite3.DatabaseError if it is none)."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        rows = con.execute("SELECT table_name FROM gpkg_contents").fetchall()
    return {r[0] for r in rows}


@dataclasses.dataclass(frozen=True)
class _Layout:
    """How a table is stored: whether it has a geometry column, and its BOOLEAN columns."""
    spatial: bool
    booleans: frozenset[str]


def _layouts(path: Path) -> dict[str, _Layout]:
    """The layout of every table the GeoPackage lists, read from its own bookkeeping in one
    query each (GDAL's per-layer information costs an open of the file per layer)."""
    out = {}
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        spatial = {r[0].lower() for r in con.execute(
            "SELECT table_name FROM gpkg_geometry_columns")}
        for (name,) in con.execute("SELECT table_name FROM gpkg_contents"):
            booleans = frozenset(r[1] for r in con.execute(
                f"PRAGMA table_info({gpkg_table.quote(name)})") if str(r[2]).upper() == "BOOLEAN")
            out[name] = _Layout(name.lower() in spatial, booleans)
    return out


def _gdal_layout(path: str, layer: str) -> _Layout:
    info = pyogrio.read_info(path, layer=layer)
    spatial = not (info.get("geometry_type") in (None, "Unknown") and not info.get("crs"))
    return _Layout(spatial, frozenset(
        name for name, dtype in zip(info.get("fields", ()), info.get("dtypes", ()), strict=False)
        if dtype == "bool"))


def _feature_counts(path: Path) -> dict[str, int]:
    """The feature count GDAL keeps of each table (``gpkg_ogr_contents``; none when the file
    has no such table)."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            return {str(name): int(count or 0) for name, count in con.execute(
                "SELECT table_name, feature_count FROM gpkg_ogr_contents")}
    except sqlite3.Error:
        return {}


def _read_conformed(path: str, layer: str, layout: _Layout | None = None):
    """:func:`_read_frame`, a layer conformed to its spec (``ilp_gis.model.conform``) as the
    project takes it in (which then finds nothing left to convert)."""
    frame, row_ids = _read_frame(path, layer, layout)
    spec = model.LAYERS.get(layer)
    if spec is None:
        return frame, row_ids
    clean = set()
    for col in spec.columns:  # texts as Python objects, None where missing (as conform
        # makes them), straight from Arrow's buffers
        if col.dtype == "str" and col.name in frame.columns and \
                isinstance(frame[col.name].dtype, pd.StringDtype) and \
                frame[col.name].dtype.storage == "pyarrow":
            frame[col.name] = pd.Series(text_objects(frame[col.name].array), index=frame.index,
                                        dtype=object)
            clean.add(col.name)
    return model.conform(frame, spec, clean_texts=clean), row_ids


def _read_frame(path: str, layer: str, layout: _Layout | None = None):
    """The layer's frame (row index 0..n-1) and the fid of each row (``layout``: how the
    table is stored, asked of GDAL when not given)."""
    layout = layout or _gdal_layout(path, layer)
    frame = pyogrio.read_dataframe(path, layer=layer, use_arrow=True, fid_as_index=True,
                                   read_geometry=layout.spatial)
    if "fid" in frame.columns:
        frame = frame.drop(columns="fid")
    row_ids = np.asarray(frame.index, dtype=np.int64)
    frame = frame.reset_index(drop=True)
    if not layout.spatial:
        frame = pd.DataFrame(frame)
        for name in frame.columns:  # an all-empty text column: empty objects (as GDAL's
            # row-by-row reader gave it, which attribute tables were read with before)
            if str(frame[name].dtype) == "str" and len(frame) and frame[name].isna().all():
                frame[name] = pd.Series([None] * len(frame), dtype=object)
    spec = model.LAYERS.get(layer)
    if spec is not None:
        for col in spec.columns:
            if col.dtype == "bool" and col.name in frame.columns:
                frame[col.name] = frame[col.name].astype("Int8").astype("boolean")
    for name in frame.columns:
        # a BOOLEAN column with empty cells reads as objects or floats: booleans again
        if name in layout.booleans and frame[name].dtype != bool:
            frame[name] = frame[name].astype("boolean")
        elif layer.startswith("result_") and (frame[name].dtype == object
                                                or str(frame[name].dtype) == "str"):
            _old_boolean_text(frame, name)
    return frame, row_ids


_OLD_BOOLEAN_TEXT = {"True": True, "False": False, "<NA>": None}


def _old_boolean_text(frame, name: str) -> None:
    """Result tables of projects saved before yes/no columns were stored as BOOLEAN hold the
    text "True"/"False"/"<NA>" (and "False" reads as true): read such a column as booleans."""
    values = frame[name]
    first = values.first_valid_index()
    if first is None or not isinstance(values[first], str) or \
            values[first] not in _OLD_BOOLEAN_TEXT:
        return  # the common case, decided by one value: a text column that is no yes/no
    present = set(values.dropna().unique())
    if present and present <= _OLD_BOOLEAN_TEXT.keys():
        frame[name] = values.map(_OLD_BOOLEAN_TEXT).astype("boolean")


def _may_hold_nul(s: pd.Series) -> bool:
    """Whether a text of ``s`` may hold a NUL: searched a column at a time (the bytes of
    Arrow's text buffers, or the texts joined), never value by value in Python."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        import pyarrow as pa

        texts = pa.array(s.array)
        chunks = texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]
        return any(_arrow_chunk_holds_nul(chunk) for chunk in chunks)
    texts = s.dropna().tolist()
    try:
        return "\x00" in "".join(texts)
    except TypeError:  # not all texts: looked at one by one
        return any(isinstance(v, str) and "\x00" in v for v in texts)


def _arrow_chunk_holds_nul(chunk) -> bool:
    """Whether a text of one Arrow text array holds a NUL: its data buffer's bytes between
    the first and the last offset scanned at memory speed (a NUL byte never occurs inside
    another UTF-8 character); Arrow's substring kernel for any other layout."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(chunk):
        return False
    offsets = {pa.string(): np.int32, pa.large_string(): np.int64}.get(chunk.type)
    buffers = chunk.buffers()
    if offsets is None or len(buffers) != 3 or buffers[1] is None:
        return bool(pc.any(pc.match_substring(chunk, "\x00")).as_py())
    if buffers[2] is None:
        return False  # every text empty or missing
    ends = np.frombuffer(buffers[1], dtype=offsets)[chunk.offset:chunk.offset + len(chunk) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8)[int(ends[0]):int(ends[-1])]
    return not data.all()


register_catalog("layers", "project_file")
