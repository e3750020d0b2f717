"""The project file: one GeoPackage holding every layer, the rules, meta facts and results;
saved atomically (written beside the target, then moved over it), read back, or recognised
(:func:`is_project_file`); only a GeoPackage is ever opened (``layers.safe_open``).  Fixed layer
names (:data:`ilp_gis.model.LAYERS`), further tables under their own names.  Imports
``ilp_gis``, ``layers.atomic`` and ``layers.safe_open``."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from ilp_gis import __version__, model
from ilp_gis.errors import InputError, ProjectError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.project import Project
from layers import safe_open
from layers.atomic import atomic_write, clean_stale_temporaries

_SPATIAL_TYPES = {"Polygon": "MultiPolygon", "Point": "Point", "LineString": "MultiLineString"}


def save_project(project: Project, path: str | Path | None = None, *,
                 progress=None) -> Path:
    """Write ``project`` to ``path`` (default: its own path) atomically and return the path;
    temporaries a killed earlier save left beside it are removed (``layers.atomic``)."""
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
    frames.append(("meta", pd.DataFrame({"key": list(meta), "value": list(meta.values())})))

    def write(tmp: Path) -> None:  # pyogrio creates the file; each frame is one more layer
        for i, (name, frame) in enumerate(frames):
            _write_frame(frame, tmp, name)
            if progress:
                progress((i + 1) / len(frames))

    atomic_write(target, write)
    project.meta = meta
    project.path = target
    project.dirty = False
    return target


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


def _storable(frame):
    """GeoPackage columns must be plain: yes/no values → BOOLEAN, dates → ISO text, other
    mixed objects → text."""
    out = frame.copy()
    geom_name = out.geometry.name if isinstance(out, gpd.GeoDataFrame) else None
    for col in out.columns:
        if col == geom_name:
            continue
        s = out[col]
        if isinstance(s.dtype, pd.BooleanDtype):
            continue  # written as a GeoPackage BOOLEAN (empty cells stay empty)
        elif s.dtype == object:
            non_null = s.dropna()
            if len(non_null) and all(isinstance(v, bool | np.bool_) for v in non_null):
                out[col] = s.astype("boolean")  # a GeoPackage BOOLEAN column, never "False"
            elif len(non_null) and not all(isinstance(v, str) for v in non_null.head(1000)):
                out[col] = s.map(lambda v: None if v is None or (isinstance(v, float) and v != v)
                                 else (v.isoformat() if hasattr(v, "isoformat") else str(v)))
    return out


def open_project(path: str | Path) -> Project:
    """Read a project file written by :func:`save_project`.

    A missing, damaged or newer file raises :class:`ProjectError` with a message that names it.
    """
    path = Path(path)
    if not path.exists():
        raise ProjectError(tr("project.missing", file=str(path)))
    src = _gdal_name(path)
    try:
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
        for name in sorted(names - {"meta"}):
            frame = _read_frame(src, name)
            if name in model.LAYERS:
                layers[name] = frame
            else:
                tables[name] = frame
    except ProjectError:
        raise
    except Exception as exc:  # pyogrio/GDAL errors on a damaged file
        raise ProjectError(tr("project.damaged", file=str(path), why=str(exc))) from exc
    project = Project(layers=layers, tables=tables, meta=meta, path=path.resolve())
    project.rules_from_meta()
    project.dirty = False
    clean_stale_temporaries(path)  # what a killed save of this project left beside it
    return project


def is_project_file(path: str | Path) -> bool:
    """True when ``path`` is a GeoPackage with the ``meta`` table :func:`save_project` writes."""
    try:
        _gdal_name(Path(path))
        return "meta" in _table_names(Path(path))
    except (sqlite3.DatabaseError, ProjectError):
        return False


def _gdal_name(path: Path) -> str:
    """The name pyogrio opens ``path`` by, once its content proved it a GeoPackage."""
    try:
        return safe_open.gdal_source(path, safe_open.PROJECT)
    except InputError as exc:
        raise ProjectError(tr("project.damaged", file=str(path),
                              why=exc.context.get("reason", str(exc)))) from exc


def _table_names(path: Path) -> set[str]:
    """The tables a GeoPackage lists in its contents (sqlite3.DatabaseError if it is none)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        rows = con.execute("SELECT table_name FROM gpkg_contents").fetchall()
    return {r[0] for r in rows}


def _read_frame(path: str, layer: str):
    info = pyogrio.read_info(path, layer=layer)
    if info.get("geometry_type") in (None, "Unknown") and not info.get("crs"):
        frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
    else:
        frame = pyogrio.read_dataframe(path, layer=layer, use_arrow=True)
        if "fid" in frame.columns:
            frame = frame.drop(columns="fid")
    spec = model.LAYERS.get(layer)
    if spec is not None:
        for col in spec.columns:
            if col.dtype == "bool" and col.name in frame.columns:
                frame[col.name] = frame[col.name].astype("Int8").astype("boolean")
    for name, dtype in zip(info.get("fields", ()), info.get("dtypes", ()), strict=False):
        # a BOOLEAN column with empty cells reads as objects or floats: booleans again
        if dtype == "bool" and name in frame.columns and frame[name].dtype != bool:
            frame[name] = frame[name].astype("boolean")
        elif layer.startswith("result_") and name in frame.columns and dtype == "object":
            _old_boolean_text(frame, name)
    return frame


_OLD_BOOLEAN_TEXT = {"True": True, "False": False, "<NA>": None}


def _old_boolean_text(frame, name: str) -> None:
    """Result tables of projects saved before yes/no columns were stored as BOOLEAN hold the
    text "True"/"False"/"<NA>" (and "False" reads as true): read such a column as booleans."""
    values = frame[name]
    present = set(values.dropna().unique())
    if present and present <= _OLD_BOOLEAN_TEXT.keys():
        frame[name] = values.map(_OLD_BOOLEAN_TEXT).astype("boolean")


register_catalog("layers", "project_file")
