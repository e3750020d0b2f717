"""Road files read into the roads layer (lines only, road classes named, ferry crossing times),
optionally in a background thread while the facility files are read.
May import ``ilp_gis``, ``layers.readers``/``columns`` and ``.report``/``.cells``.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import Future
from concurrent.futures import wait as wait_futures
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ilp_gis import model
from ilp_gis.errors import Cancelled
from ilp_gis.i18n import language, register_catalog, tr
from ilp_gis.speed.threads import in_background
from layers import readers
from layers.columns import detect_columns
from layers.importing.cells import _distinct_texts, _numbers, _objects
from layers.importing.report import _FileLog

_ROAD_CLASSES = {
    "arteri": "arteri", "jalan arteri": "arteri", "trunk": "arteri", "primary": "arteri",
    "motorway": "arteri", "jalan nasional": "arteri", "nasional": "arteri",
    "kolektor": "kolektor", "jalan kolektor": "kolektor", "secondary": "kolektor",
    "provinsi": "kolektor", "jalan provinsi": "kolektor",
    "lokal": "lokal", "jalan lokal": "lokal", "tertiary": "lokal", "kabupaten": "lokal",
    "jalan kabupaten": "lokal", "unclassified": "lokal",
    "lingkungan": "lingkungan", "jalan lingkungan": "lingkungan", "residential": "lingkungan",
    "jalan desa": "lingkungan", "desa": "lingkungan", "service": "lingkungan",
    "setapak": "setapak", "jalan setapak": "setapak", "path": "setapak", "footway": "setapak",
    "track": "setapak", "jalan setapak jalan tanah": "setapak",
    "ferry": "ferry", "penyeberangan": "ferry", "kapal": "ferry", "perahu": "ferry",
}


def _read_roads(path: Path, overrides: dict | None, logs: list, stop=None):
    res = readers.read_vector(path, prefer=("roads", "jalan"))
    if stop is not None and stop.is_set():
        raise Cancelled()
    gdf = res.frame
    mapping = detect_columns([c for c in gdf.columns if c != gdf.geometry.name], "roads",
                             overrides, file=path.name)
    log = _FileLog(path.name, "roads", res.row_numbers)
    logs.append(log)
    log.add_notes(res)
    n = len(gdf)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    tid = shapely.get_type_id(geoms)
    line = (tid == 1) | (tid == 5)  # LineString, MultiLineString
    keep = ~empty & line
    for i in np.flatnonzero(empty):
        log.add(i, "skipped", "empty_geometry", tr("import.problem.empty_geometry"))
    for i in np.flatnonzero(~empty & ~line):
        log.add(i, "skipped", "not_line", tr("import.problem.not_line",
                                             kind=geoms[i].geom_type))
    c = mapping.get("road_class")
    # each distinct value read once (a national road file has about a million rows)
    texts, index = _distinct_texts(gdf[c]) if c else ([None], np.zeros(n, dtype=np.int64))
    known = [_ROAD_CLASSES.get(re.sub(r"[^a-z ]+", " ", t.lower()).strip()) if t else None
             for t in texts]
    unknown = np.array([k is None for k in known], dtype=bool)
    for i in np.flatnonzero(unknown[index] & keep):
        t = texts[index[i]]
        log.add(i, "doubtful", "unknown_road_class",
                tr("import.problem.unknown_road_class", value=t or "–"), t or "")
    classes = np.array([k if k is not None else (t.lower() if t else None)
                        for k, t in zip(known, texts, strict=True)], dtype=object)[index]
    c = mapping.get("name")
    if c:
        texts, index = _distinct_texts(gdf[c])
        names = np.array(texts, dtype=object)[index]
    else:
        names = [None] * n
    c = mapping.get("crossing_minutes")
    crossing = _numbers(gdf[c], log, c) if c else np.full(n, np.nan)
    if not keep.all():
        classes, names, crossing, geoms = (np.asarray(a, dtype=a_t)[keep] for a, a_t in (
            (classes, object), (names, object), (crossing, float), (geoms, object)))
    out = gpd.GeoDataFrame({"road_class": _objects(classes), "name": _objects(names),
                            "crossing_minutes": crossing},
                           geometry=gpd.GeoSeries(geoms, crs=model.WGS84), crs=model.WGS84)
    return out, mapping


class _RoadsReader:
    """The roads file read in a background thread while the facility files are read (a
    national road file is the largest input and needs nothing from the others).  Started at
    the roads' turn, after the boundaries: most of the reading holds the GIL, and measured on
    two cores this overlaps best with the facility tables (whose CSV parsing releases it).

    :meth:`result` waits for it and returns ``(frame, mapping, log)`` or raises the reader's
    own error (the same :class:`InputError` the sequential read would raise).  :meth:`stop`
    asks it to give up at its next step and waits for it; the import never returns while the
    roads are still being read.  Messages are made in the import's language (languages are
    per thread).
    """

    def __init__(self, path: Path, overrides: dict | None, lang: str) -> None:
        self.path = path
        self._args = (overrides, lang)
        self._stop = threading.Event()
        self._future: Future | None = None

    def start(self) -> None:
        self._future = in_background(self.roads, *self._args)  # thread "ilp-roads"

    def roads(self, overrides, lang) -> tuple:
        with language(lang):
            holder: list = []
            frame, mapping = _read_roads(self.path, overrides, holder, self._stop)
            return frame, mapping, holder[0]

    def result(self) -> tuple:
        return self._future.result()

    def failed(self) -> BaseException | None:
        """Wait for the thread; its error, if any."""
        return self._future.exception()

    def stop(self) -> None:
        self._stop.set()
        if self._future is not None:
            wait_futures([self._future])


register_catalog("layers", "importing.roads")
