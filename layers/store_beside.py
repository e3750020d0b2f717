"""A save of an analysis' results by a second process while the command writes its output
files (``layers.store_handover``, ``layers.store_worker``): :func:`save_beside`, and
:class:`EarlySave`, which starts that process while the analysis still runs and hands it the
tables that are ready first (the network's), so that its start-up and their storing run beside
the rest of the analysis.  The same tables, values, digests and single transaction as
``layers.project_file.save_project``, committed with the enclosing ``all_or_nothing`` group.
Split from ``layers.project_file`` (whose save helpers it uses).  Imports numpy, ``ilp_gis``,
``layers.atomic``, ``layers.frame_digest``, ``layers.gpkg_table``, ``layers.project_file``,
``layers.store_handover``, ``layers.store_worker`` and the standard library.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import numpy as np

from ilp_gis import model
from ilp_gis.errors import ProjectError
from ilp_gis.i18n import tr
from ilp_gis.project import Project, StoredTables
from layers import frame_digest, gpkg_table, project_file, store_handover, store_worker
from layers.atomic import in_group, join_group


def _beside_min_cells() -> int:
    try:
        return int(os.environ.get(project_file.BESIDE_MIN_CELLS_ENV, ""))
    except ValueError:
        return project_file.BESIDE_MIN_CELLS


def _cells(frame) -> int:
    return len(frame) * max(1, len(frame.columns))


class Saving:
    """A save started by :func:`save_beside`.  :meth:`wait` returns when every table is
    written (the transaction still open) and returns the child's figures (empty when the save
    ran in process); the enclosing ``all_or_nothing`` block commits or rolls it back."""

    def __init__(self, project: Project, child=None, finish=None, extra=None) -> None:
        self._project, self._child, self._finish = project, child, finish
        self.in_child = child is not None
        self.figures: dict = {}
        self._extra = dict(extra or {})  # figures of the parent's side (EarlySave)

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None else None

    def wait(self) -> dict:
        if self._child is None:
            return self.figures
        child = self._child
        try:
            self.figures = {**child.wait(), **self._extra}
        except (gpkg_table.Unsupported, store_worker.FileChanged):
            # the child wrote nothing (told to give up when a table could not be handed
            # over): saved in process as before (whole when the file changed meanwhile or
            # holds what that writer cannot store)
            self._child = None
            project_file.save_project(self._project)
        except store_handover.StoreFailed as exc:
            raise ProjectError(tr("project.store_lost", file=str(self._project.path))) from exc
        return self.figures

    def _commit(self) -> None:
        self.wait()
        if self._child is not None:
            try:
                self._child.commit()
            except store_handover.StoreFailed as exc:  # died before its COMMIT landed
                raise ProjectError(tr("project.store_lost",
                                      file=str(self._project.path))) from exc
            self._finish()

    def _abort(self) -> None:
        if self._child is not None:
            self._child.abort()


@dataclasses.dataclass(frozen=True)
class _FileFacts:
    """What the save's decisions read from the project file, read once before a store
    process takes the file (once its transaction spills pages into the file, it holds the
    file's exclusive lock: no other connection could read it): the tables it lists, their
    columns and geometry column, the valid recorded digests, and the fids of each table
    with a digest (a table left as it is keeps them)."""

    in_file: set
    columns: dict  # name → [column names]
    geometry: dict  # name → geometry column or None
    recorded: dict  # lower-case name → digest
    fids: dict  # name → fids in increasing order

    @classmethod
    def read(cls, target: Path) -> _FileFacts:
        with closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as con:
            in_file = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
            recorded = gpkg_table.digests(con)
            return cls(in_file, {n: gpkg_table.columns(con, n) for n in in_file},
                       {n: gpkg_table.geometry_column(con, n) for n in in_file}, recorded,
                       {n: gpkg_table.stored_fids(con, n) for n in in_file
                        if n.lower() in recorded and n not in model.LAYERS})

    def same_columns(self, name: str, frame) -> bool:
        return project_file.columns_match(self.columns.get(name, []), self.geometry.get(name),
                                          frame)


def _target(project: Project) -> Path | None:
    """The file an in-place save of ``project`` writes, when such a save is possible."""
    if not project.path:
        return None
    target = Path(project.path).resolve()
    return target if project_file._in_place_possible(project.stored, target) else None


class EarlySave:
    """The store process of ``project``'s results started while the analysis still runs
    (``ilp-gis analyze``).  :meth:`hand` gives it tables as they are made (each decided as
    :func:`save_beside` decides: one whose recorded digest matches is kept, the others are
    dumped, their WKB computed once for the digest and the dump); the child stores them while
    the analysis goes on.  Started only for a project whose tables are stored beside (large
    enough, in place, two cores); :func:`save_beside` hands over the rest, or :meth:`abort`
    (the analysis failed; never raises) rolls it back."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.child: store_handover.ChildStore | None = None
        self.handed: dict[str, object] = {}  # name → the frame handed over (written or kept)
        self.kept: dict[str, np.ndarray] = {}  # name → row ids of a table left as it is
        self.cells = 0
        self.made: dict | None = None  # the network's tables (``store_result(made=...)``)
        self.facts: _FileFacts | None = None  # read before the child took the file
        self.spent = [0.0, 0.0]  # wall and CPU seconds the analysis spent on the hand-over

    def stages(self) -> dict:
        """The analysis stages (``analyze(stages=...)``) that hand their tables over as
        soon as they are made: the network (``ilp_gis.analysis.network_tables``), built
        before the coverage, gaps and summary stages."""
        from ilp_gis.analysis import network_tables
        from ilp_gis.network import build_network

        def network(*args, **kwargs):
            net = build_network(*args, **kwargs)
            wall, cpu = time.perf_counter(), time.process_time()
            self.made = network_tables(net.edges, net.graph)
            self.hand(self.made)
            self.spent[0] += time.perf_counter() - wall
            self.spent[1] += time.process_time() - cpu
            return net

        return {"build_network": network}

    def hand(self, tables: dict) -> None:
        """Hand ``tables`` (name → frame; result tables, never layers) over now, starting the
        child when they hold at least the values from which a save runs beside; otherwise
        they are left to :func:`save_beside`."""
        project = self.project
        target = _target(project)
        if target is None or (os.cpu_count() or 1) < 2 or any(n in model.LAYERS for n in tables):
            return
        if self.child is None and sum(map(_cells, tables.values())) < _beside_min_cells():
            return
        try:
            facts = self.facts or _FileFacts.read(target)
            decided = [(name, frame, _kept_or_digest(facts, project.stored, name, frame))
                       for name, frame in tables.items()]
            if self.child is None:
                self.facts = facts
                self.child = store_handover.ChildStore()
                self.child.begin(target, project.stored.signature)
            for name, frame, (ids, digest, wkb) in decided:
                if ids is not None:
                    self.kept[name] = ids
                else:
                    _dump(self.child, frame, name, f"e{len(self.handed)}.arrow",
                          digest=digest, record=True, wkb=wkb)
                    self.cells += _cells(frame)
                self.handed[name] = frame
        except gpkg_table.Unsupported:
            self.abort()  # everything stored later as without an early start
        except BaseException:
            self.abort()
            raise

    def with_group(self) -> None:
        """Inside ``all_or_nothing()``: rolled back when the group fails before
        :func:`save_beside` took the child over (harmless after)."""
        join_group(lambda: None, self.abort)

    def abort(self) -> None:
        if self.child is not None:
            self.child.abort()
        self.child = None
        self.handed.clear()
        self.kept.clear()
        self.cells = 0
        self.facts = None


def _digest_of(frame, digest):
    """The digest to record for ``frame``: ``digest`` when known, else a function of the WKB
    of its geometry column and of the Arrow texts of its columns (converted once for the
    digest and the dump)."""
    return digest if digest is not None else (
        lambda wkb, texts=None, frame=frame: frame_digest.digest(frame, wkb=wkb, texts=texts))


def _dump(child, frame, name: str, file: str, *, digest, record: bool, wkb):
    """Hand ``frame`` over to ``child`` as table ``name`` (written as ``file``)."""
    declared, promote = project_file._layout(name)
    changed: set = set()
    storable = project_file._storable(project_file._with_crs(frame), changed)
    child.send_table(store_handover.dump_table(
        storable, name, child.folder, file, geometry_type=declared, promote=promote,
        digest=_digest_of(frame, digest) if record else None, record_digest=record, wkb=wkb,
        same={c for c in frame.columns if c not in changed}))


def _raw_wkb(frame):
    """The WKB :func:`layers.frame_digest.digest` and the dump both read (None without a
    geometry column)."""
    geom = gpkg_table._geom_name(frame)
    if geom is None:
        return None
    import shapely

    return shapely.to_wkb(np.asarray(frame[geom].values, dtype=object), byte_order=1,
                          flavor="iso")


def _kept_or_digest(facts: _FileFacts, stored: StoredTables, name: str, frame):
    """``(row ids, None, None)`` when the file holds table ``name`` as ``frame`` already (its
    recorded digest matches), else ``(None, digest or None, WKB or None)``: the digest computed
    to compare it (recorded when it is written) and the WKB it was computed from."""
    if name in model.LAYERS or name not in facts.in_file or name.lower() not in facts.recorded:
        return None, None, None
    wkb = _raw_wkb(frame)
    digest = frame_digest.digest(frame, wkb=wkb)
    if digest is not None and facts.recorded[name.lower()] == digest:
        ids = stored.row_ids.get(name)
        if ids is None or len(ids) != len(frame):
            ids = facts.fids.get(name)
        if ids is not None and len(ids) == len(frame):
            return ids, None, None
    return None, digest, wkb


def save_beside(project: Project, early: EarlySave | None = None) -> Saving:
    """Inside ``all_or_nothing()``: save ``project`` to its own file while the caller goes on
    (writing its other files), and return the :class:`Saving`.  When the save writes only
    whole tables into the file the project was read from (the results of an analysis) and
    they hold at least ``project_file.BESIDE_MIN_CELLS`` values, a second process writes them
    (``layers.store_handover``; ``early``: the one started during the analysis, given some
    tables already): the same tables, values, digests and single transaction as
    ``save_project``, committed when the whole group is.  Otherwise the save runs in process
    before this returns, as ``save_project`` does."""
    target, meta, frames, meta_frame = project_file._what_to_save(project, None)
    stored = project.stored
    handed = dict(early.handed) if early is not None and early.child is not None else {}
    # with a store process started early, the file is the one it checked under its lock (its
    # spilled pages may have changed the file's size and time since)
    in_place = stored is not None and stored.path == target if handed \
        else project_file._in_place_possible(stored, target)
    plan = _whole_writes(project, frames, handed, early.facts if handed else
                         _FileFacts.read(target)) if in_place and in_group() else None
    child = early.child if handed else None
    if plan is None or (child is None and (plan.cells < _beside_min_cells()
                                           or (os.cpu_count() or 1) < 2)):
        # one core: the two processes would only take turns
        if early is not None:
            early.abort()
        project_file.save_project(project)
        return Saving(project)
    writes, drops = plan.writes, plan.drops
    kept = {**plan.kept, **early.kept} if handed else plan.kept
    written_early = [(n, f) for n, f in handed.items() if n not in kept]
    try:
        if child is None:
            child = store_handover.ChildStore()
            child.begin(target, stored.signature)
        for i, (name, frame, record) in enumerate(writes):
            _dump(child, frame, name, f"t{i}.arrow", digest=plan.digests.get(name),
                  record=record, wkb=plan.wkb.get(name))
        child.end(drops, store_handover.dump_table(meta_frame, "meta", child.folder,
                                                   "meta.arrow", geometry_type=None,
                                                   promote=True))
    except gpkg_table.Unsupported:
        child.abort()
        if early is not None:
            early.abort()
        project_file.save_project(project)
        return Saving(project)
    except BaseException:
        child.abort()
        raise

    def finish() -> None:
        new_frames, new_ids = dict(stored.frames), dict(stored.row_ids)
        for name, frame in [(n, f) for n, f, _ in writes] + written_early:
            new_frames[name] = frame
            new_ids[name] = np.arange(1, len(frame) + 1, dtype=np.int64)
        for name, ids in kept.items():
            new_frames[name] = dict(frames)[name]
            new_ids[name] = ids
        for name in drops:
            new_frames.pop(name, None)
            new_ids.pop(name, None)
        project.meta = meta
        project.path = target
        project.dirty = False
        project.stored = StoredTables(target, project_file._signature(target), new_frames,
                                      new_ids, stored.unread - {name for name, _ in frames})

    saving = Saving(project, child, finish, None if early is None else {
        "early_hand_over_wall_s": round(early.spent[0], 3),
        "early_hand_over_cpu_s": round(early.spent[1], 3)})
    join_group(saving._commit, saving._abort)
    return saving


@dataclasses.dataclass
class _WholeWrites:
    writes: list  # (name, frame, whether its digest is recorded), in the save's order
    kept: dict  # name → row ids of a table left as it is (its recorded digest matches)
    digests: dict  # name → the digest computed to compare (recorded when written)
    wkb: dict  # name → the WKB that digest was computed from (the dump reuses it)
    drops: list  # tables removed
    cells: int  # values written


def _whole_writes(project: Project, frames, handed: dict, facts: _FileFacts
                  ) -> _WholeWrites | None:
    """What an in-place save of ``frames`` writes when it writes only whole tables, as
    ``_save_in_place`` decides (the tables in ``handed``, name → frame, were handed over by
    an :class:`EarlySave`); None when a table would be compared row by row (an edited
    layer)."""
    stored = project.stored
    writes, kept, digests, wkbs, cells = [], {}, {}, {}, 0
    in_file = facts.in_file
    for name, frame in frames:
        if handed.get(name) is frame:
            continue
        if name in handed:  # set again since it was handed over
            return None
        if stored.frames.get(name) is frame and name in in_file:
            continue
        diffable = stored.frames.get(name) is not None and name in in_file \
            and facts.same_columns(name, frame)
        ids, digest, wkb = _kept_or_digest(facts, stored, name, frame)
        if ids is not None:
            kept[name] = ids
            continue
        if digest is not None:
            digests[name], wkbs[name] = digest, wkb
        if diffable:
            return None
        writes.append((name, frame, name not in model.LAYERS))
        cells += _cells(frame)
    drops = sorted(in_file - {name for name, _ in frames} - {"meta"} - stored.unread)
    return _WholeWrites(writes, kept, digests, wkbs, drops, cells)
