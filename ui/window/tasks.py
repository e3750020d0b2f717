"""Long work of the main window: tasks by kind (a newer one cancels the older), the progress bar
and Cancel button, shutdown, and the analysis (debounced, re-run when an edit came in).
A mixin of :class:`ui.window.main_window.MainWindow`; imports ui.worker and ilp_gis.i18n."""

from __future__ import annotations

from collections.abc import Callable

from ilp_gis.i18n import register_catalog
from ui import app as qtapp
from ui.qtext import qtr
from ui.worker import Task, start


class WindowTasks:
    """Tasks with progress and cancel, and the analysis run."""

    def run_task(self, kind: str, fn: Callable, label: str, *, on_done: Callable | None = None,
                 on_error: Callable | None = None, on_cancel: Callable | None = None) -> Task:
        old = self.tasks.get(kind)
        if old is not None and old.running:
            old.cancel()
        task = Task(fn, label=label)
        self.tasks[kind] = task
        task.progress.connect(lambda f, m, t=task: self._on_progress(t, f, m))
        if on_done:
            task.finished.connect(on_done)
        task.failed.connect(on_error or (lambda exc, tb: qtapp.show_error(self, exc, tb)))
        if on_cancel:
            task.cancelled.connect(on_cancel)
        task.cancelled.connect(lambda: self.statusBar().showMessage(qtr("error.cancelled"), 4000))
        task.done.connect(lambda k=kind, t=task: self._on_task_done(k, t))
        self.progress.setValue(0)
        self.progress.setFormat(f"{label} %p%")
        self.progress.show()
        self.cancel_button.show()
        start(task)
        return task

    def _on_progress(self, task: Task, fraction: float, message: str) -> None:
        if self.tasks.get("analysis") is task or task in self.tasks.values():
            self.progress.setValue(int(fraction * 1000))
            if message:
                self.statusBar().showMessage(f"{task.label}: {message}")

    def _on_task_done(self, kind: str, task: Task) -> None:
        if self.tasks.get(kind) is task:
            del self.tasks[kind]
        if not any(t.running for t in self.tasks.values()):
            self.progress.hide()
            self.cancel_button.hide()

    def cancel_tasks(self) -> None:
        self.analysis_timer.stop()
        for t in self.tasks.values():
            t.cancel()

    def shutdown(self) -> None:
        """Stop timers and work (cancel, then wait for the workers to return)."""
        from ui.worker import wait_all

        self.autosave_timer.stop()
        self.cancel_tasks()
        wait_all(15.0)

    def busy(self) -> bool:
        """True until every task's result has been handled in the UI thread: a task leaves
        ``tasks`` only in ``_on_task_done``, which Qt delivers after its ``finished`` handler
        (a worker's own ``running``/``outcome`` flags change before that)."""
        return bool(self.tasks)

    def schedule_analysis(self) -> None:
        self.analysis_timer.start()
        self._hint_analysis_pending()

    def run_analysis(self) -> None:
        self.analysis_timer.stop()
        if not self.state.project.has("desa"):
            self.statusBar().showMessage(qtr("ui.analysis.no_desa"), 6000)
            return
        job = self.state.analysis_job()
        task = self.run_task("analysis", job, qtr("ui.analysis.label"),
                             on_done=self._on_analysis_done)
        task.done.connect(self._hint_analysis_pending)
        self._hint_analysis_pending()

    def analysis_pending(self) -> bool:
        """True while an analysis is scheduled or running."""
        timer = getattr(self, "analysis_timer", None)
        task = self.tasks.get("analysis")
        return bool(timer is not None and timer.isActive()) or bool(task is not None
                                                                    and task.running)

    def _hint_analysis_pending(self) -> None:
        panel = getattr(self, "_planning_panel", None)  # none yet: built with the hint
        if panel is not None:
            panel.show_analysis_pending(self.analysis_pending())

    def _on_analysis_done(self, value) -> None:
        revision, result = value
        if not self.state.set_result(result, revision):
            self.schedule_analysis()  # an edit came in meanwhile: analyse the newest data

    def _on_result(self) -> None:
        res = self.state.result
        if res is not None:
            n = len(res.gaps) if res.gaps is not None else 0
            self.statusBar().showMessage(qtr("ui.analysis.done", gaps=n), 5000)


register_catalog("ui", "window.tasks")
