"""The second process that stores result tables into a project file while the command that
made them writes its output files (``layers.store_handover`` starts it and hands the tables
over): Python's sqlite3 binding spends ~0.3 µs per stored value holding the interpreter lock,
so at national scale (~16 million values) the store and the writers take turns in one process
but run side by side in two.

The child reads each table from an Arrow IPC file in a private temporary folder (memory
mapped: nothing is copied until a batch of rows is bound), writes every table of the plan
into the project file inside ONE SQLite transaction (the tables, spatial indexes, triggers and
bookkeeping rows ``layers.gpkg_table`` writes in process, and the same content digests), says
so, and then waits for the parent's word: it commits on "commit" and rolls back on anything
else, on a closed pipe (the parent died) and on any error (which it sends back).  A kill of
either process at any moment leaves the file as it was, or as committed: SQLite's journal
guarantees it.  Imports numpy, pyarrow, ``layers.gpkg_sql`` and the standard library (no
pandas, shapely, geopandas, networkx or analysis code).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from layers import gpkg_sql

BOUNDS = ("b0", "b1", "b2", "b3")  # minx, miny, maxx, maxy of each geometry (NaN: none)


@dataclass(frozen=True)
class TableSpec:
    """One table to write whole: ``file`` in the hand-over folder holds its columns as
    ``c0``, ``c1``, ... (SQL ``types``, stored under ``names``) and, when ``gtype`` is set,
    the geometry parts ``wkb``, ``gid`` (type id), ``gempty`` and :data:`BOUNDS`."""

    name: str
    file: str
    names: list[str]
    types: list[str]
    rows: int
    gtype: str | None = None
    promote: bool = True
    digest: str | None = None  # recorded beside the table when ``record_digest``
    record_digest: bool = False


@dataclass(frozen=True)
class Plan:
    """The first message: the project file to write into, only when it still has
    ``signature`` (size, mtime in ns) once the transaction holds the write lock.  Then come
    the :class:`TableSpec` of each table to write, in the save's order, each as soon as its
    file is written (the child stores one table while the parent converts the next), and
    last :class:`End`."""

    target: str
    signature: tuple[int, int]
    folder: str
    started: float = field(default=0.0)  # time.time() when the parent started the child


@dataclass(frozen=True)
class End:
    """The last message of a plan: the tables to remove, then the meta table to write."""

    drops: list[str]
    meta: TableSpec


class _ParentGone(Exception):
    """The pipe to the parent closed: its command failed or it was killed."""


class FileChanged(Exception):
    """The project file was changed by someone else after the parent planned the store."""


def arrow_values(arr: pa.Array) -> list:
    """The column as the Python values sqlite3 binds (None for every missing value), as
    ``gpkg_table`` binds a pandas column of the same values."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    kind = arr.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind) \
            or not arr.null_count:
        return arr.to_numpy(zero_copy_only=False).tolist()
    out = arr.fill_null(False if pa.types.is_boolean(kind) else 0).to_numpy(
        zero_copy_only=False).tolist()
    for i in np.flatnonzero(arr.is_null().to_numpy(zero_copy_only=False)).tolist():
        out[i] = None
    return out


def _batches(reader, spec: TableSpec):
    """The rows of ``reader``'s record batches as ``gpkg_sql.create_table`` inserts them:
    columns fid (1..n), geometry blob, the table's columns."""
    fid = 1
    for k in range(reader.num_record_batches):
        batch = reader.get_batch(k)
        n = batch.num_rows
        if not n:
            continue
        cols: list[list] = [list(range(fid, fid + n))]
        fid += n
        if spec.gtype:
            bounds = np.column_stack([batch.column(b).to_numpy(zero_copy_only=False)
                                      for b in BOUNDS])
            cols.append(gpkg_sql.assemble_blobs(
                batch.column("wkb").to_numpy(zero_copy_only=False).tolist(),
                batch.column("gid").to_numpy(zero_copy_only=False),
                batch.column("gempty").to_numpy(zero_copy_only=False), bounds,
                promote=spec.promote))
        cols += [arrow_values(batch.column(f"c{i}")) for i in range(len(spec.names))]
        yield cols


def write_spec(con: sqlite3.Connection, folder: str, spec: TableSpec) -> None:
    """Write the table of ``spec`` into the open transaction (dropped first when present)."""
    with pa.memory_map(str(Path(folder) / spec.file)) as source:
        reader = ipc.open_file(source)
        bounds = None
        if spec.gtype:
            table = reader.read_all()
            bounds = np.column_stack([table.column(b).to_numpy() for b in BOUNDS]) \
                if spec.rows else np.zeros((0, 4))
            del table
        gpkg_sql.create_table(con, spec.name, spec.names, spec.types, spec.gtype, spec.rows,
                                _batches(reader, spec), bounds)
        del reader
    if spec.record_digest:
        gpkg_sql.set_digest(con, spec.name, spec.digest)


def _signature(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


def _peak_mb() -> float | None:
    """This process's peak resident memory in MB (Linux: its own high-water mark; the
    rusage figure would include the parent's memory at the fork that started it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


class Flusher:
    """Has the disk take what SQLite has written into the project file so far (the pages a
    large transaction spills from its cache) in a helper thread while the next tables are
    stored, so that the COMMIT's own sync finds little left to write.  The data a COMMIT makes
    durable is the same; a kill at any moment still leaves the journal to roll back.  Its
    descriptor is closed only after SQLite's connection (on POSIX, closing any descriptor of
    a file drops the process's locks on it)."""

    def __init__(self, path: str) -> None:
        try:
            self._fd: int | None = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        except OSError:
            self._fd = None
        self._thread: threading.Thread | None = None

    def flush(self) -> None:
        """Start a sync of the file unless one is running."""
        if self._fd is None or (self._thread is not None and self._thread.is_alive()):
            return
        self._thread = threading.Thread(target=self._sync, name="ilp-gis-flush", daemon=True)
        self._thread.start()

    def _sync(self) -> None:
        try:
            os.fsync(self._fd)
        except OSError:
            pass  # only a head start: the COMMIT syncs the file itself

    def close(self) -> None:
        if self._thread is not None:
            self._thread.join()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def store(plan: Plan, receive, flusher: Flusher | None = None) -> sqlite3.Connection | None:
    """Open the project file, take its write lock and write what ``receive()`` hands over
    (table specs, then :class:`End`) into one transaction; return the connection with the
    transaction open, or None when the parent gave up (a None message: rolled back).  Rolled
    back and closed on any error.  ``flusher``: started after each table."""
    con = sqlite3.connect(plan.target, isolation_level=None, timeout=30)
    try:
        gpkg_sql.register_functions(con)
        con.execute("PRAGMA synchronous = FULL")
        con.execute("BEGIN IMMEDIATE")
        if _signature(plan.target) != tuple(plan.signature):
            raise FileChanged(plan.target)
        while True:
            message = receive()
            if message is None:
                con.rollback()
                con.close()
                return None
            if isinstance(message, End):
                break
            write_spec(con, plan.folder, message)
            if flusher is not None:
                flusher.flush()
        for name in message.drops:
            gpkg_sql.drop_table(con, name)
        write_spec(con, plan.folder, message.meta)
    except BaseException:
        if con.in_transaction:
            con.rollback()
        con.close()
        raise
    return con


def _sendable(exc: BaseException) -> BaseException:
    """``exc`` if it survives a trip through the pipe, else a RuntimeError with its text."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any exception that does not pickle back
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def serve(conn) -> None:
    """The child's whole life: receive the plan (None: nothing to do) and the tables, store
    them, send ("stored", figures) or ("failed", exception), then commit on the word
    "commit" and send ("committed", None); roll back on any other word or a closed pipe.
    The hand-over folder is removed once everything was read, or when the parent is gone
    (after a failure the parent removes it: it may still be writing into it)."""
    ready = time.time()
    try:
        plan = conn.recv()
    except (EOFError, OSError):
        return
    if plan is None:
        return
    def receive():
        try:
            return conn.recv()
        except (EOFError, OSError) as exc:
            raise _ParentGone from exc

    con = None
    flusher = Flusher(plan.target)
    try:
        try:
            wall, cpu = time.perf_counter(), time.process_time()
            con = store(plan, receive, flusher)
            if con is None:
                return
            figures = {"start_up_s": round(ready - plan.started, 3) if plan.started else None,
                       "store_wall_s": round(time.perf_counter() - wall, 3),
                       "store_cpu_s": round(time.process_time() - cpu, 3),
                       "peak_mb": _peak_mb()}
            shutil.rmtree(plan.folder, ignore_errors=True)  # read: no longer needed
        except _ParentGone:  # nothing was committed; nobody else removes the folder
            shutil.rmtree(plan.folder, ignore_errors=True)
            return
        except BaseException as exc:  # noqa: BLE001 - every failure goes to the parent
            conn.send(("failed", _sendable(exc)))
            return
        conn.send(("stored", figures))
        flusher.flush()  # the last tables, while the parent finishes its files
        try:
            word = conn.recv()
        except (EOFError, OSError):  # the parent is gone: its command failed
            word = None
        if word != "commit":
            con.rollback()
            return
        try:
            con.execute("COMMIT")
        except BaseException as exc:  # noqa: BLE001
            if con.in_transaction:
                con.rollback()
            conn.send(("failed", _sendable(exc)))
            return
        con.close()
        con = None
        conn.send(("committed", None))
    except (EOFError, OSError, BrokenPipeError):
        pass  # the parent is gone; an open transaction is rolled back below
    finally:
        if con is not None:
            if con.in_transaction:
                con.rollback()
            con.close()
        flusher.close()
        conn.close()
