"""The parent's side of storing tables in a second process (``layers.store_worker``): start
the child (``spawn``, as on Windows: it imports only what the store needs), hand each table
over as an Arrow IPC file in a private temporary folder (numbers and Arrow texts as their
buffers, other texts converted once, geometries as WKB with their type, emptiness and bounds:
the child assembles the GeoPackage blobs), then wait for the child's word and tell it to
commit or roll back.  The values the child binds are those ``layers.gpkg_table`` binds for the
same frame in process (tested table by table).  Imports numpy, pandas, pyarrow, shapely,
``layers.gpkg_table``, ``layers.store_worker`` and the standard library.
"""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import sys
import tempfile
import time
import types
from contextlib import closing, contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc
from pandas.api import types as ptypes

from layers import gpkg_sql, gpkg_table, store_worker
from layers.gpkg_table import Unsupported

_BATCH = gpkg_table._ROWS_PER_BATCH


class StoreFailed(Exception):
    """The child stopped without a word (killed, crashed): nothing was stored."""


def arrow_column(series: pd.Series) -> pa.Array:
    """``series`` as an Arrow array of the values ``gpkg_table`` binds for it (missing: null);
    :class:`Unsupported` for a column that writer would refuse or store another way."""
    dtype = series.dtype
    try:
        if isinstance(dtype, pd.StringDtype):
            arr = pa.array(series.array)
            arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
            return arr.cast(pa.large_string()) if pa.types.is_null(arr.type) else arr
        if dtype.kind == "O" and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
            # texts and missing values only (None, NaN, NA: missing as ``isna`` says), as the
            # in-process writer accepts; the missing ones found by Arrow, not by a pass of
            # their own
            values = series.to_numpy(dtype=object)
            if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
                raise Unsupported(f"column {series.name!r}: not all text")
            return pa.array(values, type=pa.large_string(), from_pandas=True)
        missing = series.isna().to_numpy()
        if isinstance(dtype, pd.api.extensions.ExtensionDtype):
            if ptypes.is_integer_dtype(dtype) or ptypes.is_bool_dtype(dtype):
                values = series.to_numpy(dtype="int64" if ptypes.is_integer_dtype(dtype)
                                         else bool, na_value=0)
                return pa.array(values, mask=missing)
            if ptypes.is_float_dtype(dtype):
                return pa.array(series.to_numpy(dtype="float64", na_value=np.nan),
                                mask=missing)
            raise Unsupported(f"column {series.name!r}: dtype {dtype}")
        if dtype.kind in "biuf":
            values = series.to_numpy()
            return pa.array(values, mask=missing if dtype.kind == "f" and missing.any()
                            else None)
        raise Unsupported(f"column {series.name!r}: dtype {dtype}")
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
        raise Unsupported(f"column {series.name!r}: {exc}") from exc


def dump_table(frame: pd.DataFrame, name: str, folder: Path, file: str, *,
               geometry_type: str | None, promote: bool, digest=None,
               record_digest: bool = False, wkb=None,
               same: set | None = None) -> store_worker.TableSpec:
    """Write ``frame`` (storable: ``layers.project_file._storable``) for the child as
    ``folder/file`` and return its spec.  ``digest``: the digest to record, or a function of
    the WKB of the geometry column as given (None without one) that computes it; ``wkb``:
    that WKB when the caller has it already (computed once for a digest and the dump).
    ``same``: the columns of ``frame`` holding the values of the frame the digest is of; a
    ``digest`` function is then also given their Arrow texts (converted once)."""
    names, types = gpkg_table.column_types(frame)
    geom_name = gpkg_table._geom_name(frame)
    cols = {f"c{i}": arrow_column(frame[c]) for i, c in enumerate(names)}
    gtype = None
    raw_wkb = None
    if geom_name:
        gpkg_table._check_crs(frame)
        geoms = np.asarray(frame[geom_name].values, dtype=object)
        parts = gpkg_table.geometry_parts(geoms, promote=promote, wkb=wkb)
        gtype = gpkg_table.geometry_type_name(geoms, geometry_type, promote)
        raw_wkb = parts.raw_wkb
        cols["wkb"] = pa.array(parts.wkb, type=pa.large_binary())
        cols["gid"] = pa.array(parts.ids.astype(np.int8))
        cols["gempty"] = pa.array(parts.empty)
        for k, b in enumerate(store_worker.BOUNDS):
            cols[b] = pa.array(np.ascontiguousarray(parts.bounds[:, k]))
    if callable(digest):
        if same is None:
            digest = digest(raw_wkb)
        else:
            digest = digest(raw_wkb, {c: cols[f"c{i}"] for i, c in enumerate(names)
                                      if c in same and types[i] == "TEXT"})
    table = pa.table(cols) if cols else pa.table({"_": pa.nulls(len(frame))})
    with ipc.new_file(str(folder / file), table.schema) as out:
        out.write_table(table, max_chunksize=_BATCH)
    return store_worker.TableSpec(name, file, names, types, len(frame), gtype, promote,
                                  digest, record_digest)


@contextmanager
def _without_main_module():
    """While the child is started: a spawned child imports the parent's main module again
    (a script without a ``__main__`` guard would run a second time in it); the store needs
    none of it, so the child is told of no main module at all."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


class ChildStore:
    """One store in a child process.  :meth:`start` boots the child at once (it imports
    while the parent converts the tables); :meth:`begin`, :meth:`send_table` (each table as soon as
    its file is written: the child stores it while the next one is converted) and
    :meth:`end` hand the tables over; :meth:`wait` returns when everything is written (raises what the child raised);
    :meth:`commit` or :meth:`abort` end it."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.folder = Path(tempfile.mkdtemp(prefix="ilp-gis-store-"))  # private: mode 0700
        self._conn, child = ctx.Pipe()
        self._started = time.time()
        self._proc = ctx.Process(target=store_worker.serve, args=(child,), daemon=True,
                                 name="ilp-gis-store")
        try:
            with _without_main_module():
                self._proc.start()
        finally:
            child.close()  # only the child holds its end: its death closes the pipe
        self.figures: dict = {}
        self._state = "started"
        self._broken = False
        self._target: Path | None = None
        self._digests: dict[str, str | None] = {}  # the digest recorded with each table

    @property
    def pid(self) -> int | None:
        return self._proc.pid

    def begin(self, target: Path, signature: tuple[int, int]) -> None:
        """Have the child take the file's write lock (the tables follow one by one)."""
        self._target = Path(target)
        self._send(store_worker.Plan(str(target), tuple(signature), str(self.folder),
                                     self._started))
        self._state = "planning"

    def send_table(self, spec: store_worker.TableSpec) -> None:
        """The table of ``spec`` is written in the folder: the child may store it."""
        if spec.record_digest:
            self._digests[spec.name.lower()] = spec.digest
        self._send(spec)

    def end(self, drops: list[str], meta: store_worker.TableSpec) -> None:
        self._send(store_worker.End(drops, meta))
        self._state = "storing"

    def _send(self, message) -> None:
        """Send to the child; a child that stopped (it failed: its word is in the pipe, or it
        died) is not written to again, and :meth:`wait` reports it."""
        if self._broken:
            return
        try:
            self._conn.send(message)
        except (OSError, EOFError):
            self._broken = True

    def _receive(self):
        try:
            return self._conn.recv()
        except (OSError, EOFError) as exc:
            raise StoreFailed(str(exc)) from exc

    def wait(self) -> dict:
        """Block until the child has written every table (the transaction still open) and
        return its figures; raise what it raised, or :class:`StoreFailed`."""
        if self._state in ("storing", "planning"):
            self._state = "failed"
            kind, value = self._receive()
            if kind == "failed":
                self._finish()
                raise value
            self.figures = value
            self._state = "stored"
        if self._state != "stored":
            raise StoreFailed(self._state)
        return self.figures

    def commit(self) -> None:
        self.wait()
        self._state = "failed"
        self._send("commit")
        try:
            kind, value = self._receive()
        except StoreFailed:
            self._finish()
            if not self._landed():
                raise
            kind = "committed"  # the child died after its COMMIT, before its word
        else:
            self._finish()
        if kind == "failed":
            raise value
        self._state = "committed"

    def _landed(self) -> bool:
        """Whether the file holds what this store wrote: every table's recorded digest is the
        one handed over with it (the tables written are those whose digest differed).
        Opening the file read-write first rolls back the journal of a COMMIT cut short."""
        if self._target is None or not self._digests or None in self._digests.values():
            return False
        try:
            with closing(sqlite3.connect(self._target, timeout=10)) as con:
                found = gpkg_sql.digests(con)
        except sqlite3.Error:
            return False
        return all(found.get(name) == digest for name, digest in self._digests.items())

    def abort(self) -> None:
        """Have the child roll back (or never start) and end; never raises."""
        try:
            if self._state in ("started", "planning"):
                self._conn.send(None)
            elif self._state in ("storing", "stored"):
                self._conn.send("rollback")
        except (OSError, EOFError, ValueError):
            pass
        self._state = "aborted"
        self._finish()

    def _finish(self) -> None:
        self._proc.join(timeout=60)
        if self._proc.is_alive():  # pragma: no cover - a child that hangs on its rollback
            self._proc.kill()
            self._proc.join()
        self._conn.close()
        shutil.rmtree(self.folder, ignore_errors=True)
