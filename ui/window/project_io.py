"""Project files of the main window: new, open, save (in a worker behind a modal progress
dialog), autosave and recovery copies, recent files, the unsaved-changes question on close.
A mixin of :class:`ui.window.main_window.MainWindow`; imports Qt, ``ilp_gis``,
``layers.project_file`` and ui.worker."""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QStandardPaths, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from ilp_gis import model
from ilp_gis.errors import ProjectError
from ilp_gis.i18n import format_date, register_catalog
from ilp_gis.project import Project
from ui import app as qtapp
from ui import gc_pause, heap
from ui.frame_memory import share_texts
from ui.qtext import plain, qtr
from ui.worker import Task, start

log = logging.getLogger("ilp_gis.ui")
MAX_RECENT = 8
FIRST_VIEW = ("kabupaten", "kecamatan", "desa")
"""The layers a project is shown with first; every other layer and table (facilities, roads,
results, ...) is read after the first paint in a worker (:meth:`ProjectFiles.load_rest`)."""


def recovery_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.AppLocalDataLocation)
    return Path(base or Path.home() / ".ilp-gis") / "recovery"


def recovery_path(project_path: Path | None) -> Path:
    """Where the autosave copy of ``project_path`` (or of an unsaved project) goes."""
    if project_path is None:
        return recovery_dir() / "tanpa-nama.recovery.gpkg"
    digest = hashlib.sha1(str(Path(project_path).resolve()).encode("utf-8")).hexdigest()[:10]
    return recovery_dir() / f"{Path(project_path).stem}-{digest}.recovery.gpkg"



def read_first_view(path: Path):
    """Start reading the layers a project is shown with first (:data:`FIRST_VIEW`) and
    building their map layers in a thread of its own, while the app is still starting; a
    future of (project, map layers) for :meth:`ProjectFiles.open_path`."""
    from concurrent.futures import ThreadPoolExecutor

    from layers.project_file import open_project
    from ui.map.layers import MapLayers

    def read():
        project = open_project(path, only=FIRST_VIEW)
        return project, MapLayers.prepare_project(project)

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ilp-first-view")
    future = pool.submit(read)
    pool.shutdown(wait=False)  # the thread ends with the read
    return future


class ProjectFiles:
    """Opening, saving, autosaving and recovering the window's project."""

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; True when it is fine to go on."""
        if not (self.state.project.dirty or not self.undo_stack.isClean()):
            return True
        answer = QMessageBox.question(
            self, qtr("ui.unsaved.title"), qtr("ui.unsaved.text", name=self.state.project.title),
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer == QMessageBox.Save:
            return self.save()
        return answer == QMessageBox.Discard

    def set_project(self, project: Project, result=None, *, loading: bool = False) -> None:
        """Show ``project``; with ``loading``, the layers it was opened without are read in the
        background next (:meth:`load_rest`) and the stored result comes with them."""
        self.cancel_tasks()
        self.undo_stack.clear()
        self.state.set_project(project, result)
        if loading:
            self.load_rest()
        elif result is None and project.has("desa"):
            stored = self.state.stored_result()
            if stored is not None:
                self.state.set_result(stored)
            else:
                self.schedule_analysis()
        self._update_title()

    def new_project(self) -> None:
        if self.maybe_save():
            self.set_project(Project())

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self, plain(qtr("ui.act.open")), self._last_dir(),
                                              qtr("ui.filter.project"))
        if path:
            self.open_path(path)

    def _last_dir(self) -> str:
        recent = self.recent_files()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def open_path(self, path: str | Path, *, check_recovery: bool = True,
                  wait: bool = False, reading=None) -> Task | None:
        """Open a project file in a worker; a recovery copy newer than the file is offered.

        ``reading``: a future of :func:`read_first_view` of ``path`` started earlier (while
        the app was still starting), taken instead of reading the file again."""
        from layers.project_file import open_project

        path = Path(path)
        source, recovered = path, False
        rec = recovery_path(path)
        if check_recovery and rec.exists() and path.exists() and \
                rec.stat().st_mtime > path.stat().st_mtime:
            when = time.localtime(rec.stat().st_mtime)
            import datetime as dt

            stamp = dt.datetime(*when[:6])
            answer = QMessageBox.question(
                self, qtr("ui.recovery.title"),
                qtr("ui.recovery.text", name=path.name, when=f"{format_date(stamp)} "
                    f"{stamp:%H:%M}"), QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
            if answer == QMessageBox.Yes:
                source, recovered = rec, True

        def job(progress=None, is_cancelled=None):
            from ilp_gis.jobs import checkpoint

            checkpoint(progress, is_cancelled, 0.05, qtr("ui.open.reading"))
            # the areas first: the map is painted while the rest is read (load_rest)
            if reading is not None and source == path and not wait:
                return reading.result()
            project = open_project(source, only=None if wait else FIRST_VIEW)
            checkpoint(progress, is_cancelled, 0.7)
            return project, None if wait else prepare(project, size)

        prepare = type(self.canvas.renderer).prepare_project
        size = (self.canvas.width(), self.canvas.height())

        def done(value, waited: int = 0) -> None:
            handle = self.windowHandle()
            if not wait and self.isVisible() and handle is not None and \
                    not handle.isExposed() and waited < 300:
                # the window is not on screen yet (read while it was being built): show the
                # project once it is, so that the map paints before the panels fill in
                QTimer.singleShot(10, lambda: done(value, waited + 1))
                return
            project, built = value
            if built is not None:  # its areas placed and simplified in the worker
                self.canvas.renderer.offer_project(project, built)
            if recovered:
                project.path = path.resolve()
                project.dirty = True
            self.set_project(project, loading=not wait)
            self.add_recent(path)
            self.statusBar().showMessage(qtr("ui.open.done", name=path.name), 4000)

        if wait:
            done(job())
            return None
        gc_pause.hold()  # released when the task is done (ui.gc_pause)
        task = self.run_task("open", job, qtr("ui.open.label", name=path.name), on_done=done)
        task.done.connect(gc_pause.release)
        return task

    def load_rest(self) -> Task | None:
        """Read the layers and tables the shown project was opened without, its stored result
        and their map layers in a worker, then show them (the status bar says what is still
        loading); the analysis runs afterwards when no result is stored."""
        from layers.project_file import adopt_unread, read_unread

        project = self.state.project
        if project.stored is None or not project.stored.unread:
            return None
        renderer = self.canvas.renderer
        prepare = renderer.preparer()
        tol = self.canvas.band()

        def job(progress=None, is_cancelled=None):
            from ilp_gis.jobs import checkpoint

            checkpoint(progress, is_cancelled, 0.05, qtr("ui.open.loading_rest"))
            read = read_unread(project)
            for frame in read.frames.values():  # equal texts one object (ui.frame_memory)
                share_texts(frame)
            checkpoint(progress, is_cancelled, 0.6, qtr("ui.open.loading_result"))
            whole = project.snapshot()
            for name, frame in read.frames.items():
                (whole.layers if name in model.LAYERS else whole.tables)[name] = frame
            result = self.state.stored_result(whole) if whole.has("desa") else None
            checkpoint(progress, is_cancelled, 0.8, qtr("ui.open.loading_map"))
            built = prepare(read.frames, result, tol)
            heap.trim()  # the reading's freed buffers back to the system
            return read, result, built

        def done(value) -> None:
            read, result, built = value
            if self.state.project is not project:
                return  # another project was opened meanwhile
            renderer.offer(built)
            for name in adopt_unread(project, read):
                project.changed.emit(name)  # every view takes the layer in
            if result is not None:
                self.state.set_result(result)
            elif project.has("desa"):
                self.schedule_analysis()
            self.statusBar().showMessage(qtr("ui.open.done", name=project.path.name
                                             if project.path else project.title), 4000)

        gc_pause.hold()  # a nation's layers read without full collections (ui.gc_pause)
        task = self.run_task("load", job, qtr("ui.open.loading_label"), on_done=done)
        task.done.connect(gc_pause.release)
        return task

    def still_loading(self) -> bool:
        """True while layers of the shown project are still being read, or were not read
        (the file changed meanwhile): edits and saves wait, so none is lost."""
        if self.tasks.get("load") is not None:
            return True
        stored = self.state.project.stored
        return stored is not None and bool(stored.unread & set(model.LAYERS))

    def offer_untitled_recovery(self) -> bool:
        """At start: offer the recovery copy of a never-saved project, if one was left."""
        from layers.project_file import open_project

        rec = recovery_path(None)
        if not rec.exists():
            return False
        answer = QMessageBox.question(self, qtr("ui.recovery.title"),
                                      qtr("ui.recovery.untitled"),
                                      QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
        if answer != QMessageBox.Yes:
            rec.unlink(missing_ok=True)
            return False
        try:
            project = open_project(rec)
        except ProjectError as exc:
            qtapp.show_error(self, exc)
            return False
        project.path = None
        project.dirty = True
        self.set_project(project)
        return True

    def save(self) -> bool:
        if self.still_loading():  # the file keeps what is not read yet; save once it is
            self.statusBar().showMessage(qtr("ui.open.wait_loading"), 5000)
            return False
        if self.in_store():  # a project opened from the shared store is saved back there
            return self.save_to_store()
        if self.state.project.path is None:
            return self.save_as()
        return self._save_to(self.state.project.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, plain(qtr("ui.act.save_as")),
                                              str(Path(self._last_dir()) / "proyek.gpkg"),
                                              qtr("ui.filter.project"))
        if not path:
            return False
        if not path.lower().endswith(".gpkg"):
            path += ".gpkg"
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        """Save to ``path`` in a worker (a national project takes many seconds) behind a modal
        progress dialog, so the window keeps painting; returns whether it was saved."""
        from layers.project_file import save_project

        try:
            if self.state.result is not None and self.state.result_is_current:
                from ilp_gis.analysis import store_result

                store_result(self.state.project, self.state.result)
        except Exception as exc:  # noqa: BLE001 - shown to the person, nothing lost
            qtapp.show_error(self, ProjectError(qtr("ui.save.failed", file=str(path),
                                                    why=str(exc))))
            return False
        snap = self.state.snapshot()
        revision, undo_index = self.state.revision, self.undo_stack.index()
        outcome: dict[str, Any] = {}
        task = Task(lambda progress=None, is_cancelled=None: save_project(snap, path,
                                                                          progress=progress),
                    label=qtr("ui.save.label", name=path.name))
        dialog = QProgressDialog(task.label, "", 0, 1000, self)
        dialog.setCancelButton(None)  # the save is atomic; it is never left half-done
        dialog.setWindowModality(Qt.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        loop = QEventLoop()
        task.progress.connect(lambda f, _m: dialog.setValue(int(f * 1000)))
        task.finished.connect(lambda _v: outcome.setdefault("saved", True))
        task.failed.connect(lambda exc, _tb: outcome.setdefault("error", exc))
        task.done.connect(loop.quit)
        start(task)
        if "saved" not in outcome and "error" not in outcome:
            loop.exec()
        dialog.close()
        dialog.deleteLater()
        exc = outcome.get("error")
        if exc is not None:
            qtapp.show_error(self, exc if isinstance(exc, ProjectError) else
                             ProjectError(qtr("ui.save.failed", file=str(path), why=str(exc))))
            return False
        # what the file now holds: the next save writes only what changes from here
        self.state.project.adopt_stored(snap)
        if self.state.revision == revision and self.undo_stack.index() == undo_index:
            self.undo_stack.setClean()
            self.state.mark_saved()
        self.state.project.path = path
        self.state.project.meta.update(snap.meta)  # created / modified / format version
        self.add_recent(path)
        recovery_path(path).unlink(missing_ok=True)
        recovery_path(None).unlink(missing_ok=True)
        self.statusBar().showMessage(qtr("ui.save.done", name=path.name), 4000)
        self._update_title()
        return True

    def autosave(self, *, wait: bool = False) -> Path | None:
        """Write a recovery copy of unsaved work (in a worker; the project stays unsaved)."""
        if not (self.state.project.dirty or not self.undo_stack.isClean()):
            return None
        from layers.project_file import save_project

        snap = self.state.snapshot()
        target = recovery_path(self.state.project.path)

        def job(progress=None, is_cancelled=None):
            target.parent.mkdir(parents=True, exist_ok=True)
            return save_project(snap, target, progress=progress)

        if wait:
            return job()
        self.run_task("autosave", job, qtr("ui.autosave.label"),
                      on_done=lambda p: self.statusBar().showMessage(qtr("ui.autosave.done"), 3000),
                      on_error=lambda exc, tb: log.warning("autosave failed: %s", exc))
        return target

    def recent_files(self) -> list[str]:
        value = qtapp.settings().value("recent", []) or []
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value]

    def add_recent(self, path: Path) -> None:
        p = str(Path(path).resolve())
        items = [p] + [r for r in self.recent_files() if r != p]
        qtapp.settings().setValue("recent", items[:MAX_RECENT])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        if not files:
            a = self.recent_menu.addAction(qtr("ui.menu.recent_empty"))
            a.setEnabled(False)
        for i, f in enumerate(files):
            a = self.recent_menu.addAction(f"&{i + 1} {Path(f).name}")
            a.setToolTip(f)
            a.triggered.connect(lambda _c=False, f=f: self.maybe_save() and self.open_path(f))

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.maybe_save():
            self.shutdown()
            if not (self.state.project.dirty or not self.undo_stack.isClean()):
                recovery_path(self.state.project.path).unlink(missing_ok=True)
            event.accept()
        else:
            event.ignore()


register_catalog("ui", "window.project_io")
