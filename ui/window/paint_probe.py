"""The desktop app's speed probe (``bench/bench_ui.py`` runs ``ilp-gis gui PROJECT`` with the
environment variable ``ILP_GIS_PAINT_PROBE`` set): prints when the first map frame with the
project's areas was painted and quits (``first``), or then waits until every layer is loaded and
times what a person does on the map (``all``): pans of the zoomed map and the zoom out to the
whole area.  Prints ``probe <name> <value>`` lines (wall-clock seconds since the epoch, or
milliseconds); nothing is saved.  A mixin-free helper of :mod:`ui.cli_gui`; imports Qt."""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

from PySide6.QtCore import QTimer

try:  # the peak memory of the process (not on every platform)
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None

ENV = "ILP_GIS_PAINT_PROBE"
PANS = 20
LIMIT_MS = 20 * 60_000
BEAT_MS = 10  # the heartbeat's interval: a longer gap between two beats is a UI-thread block
BLOCK_MS = 100  # a block longer than this is counted


def peak_mb() -> float:
    """The process's peak resident memory so far in MB (NaN where the platform cannot say)."""
    if resource is None:
        return float("nan")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """The process's resident memory now in MB (NaN where the platform cannot say)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, AttributeError):
        return float("nan")


class MemorySteps:
    """The resident memory at each step of the loading: a step is the set of the window's
    tasks and panels' plans still running; its memory is taken when it ends."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float, float]] = []  # (what ran, rss MB at its end, peak)
        self.current: str | None = None

    def see(self, running: str) -> None:
        if running != self.current:
            if self.current is not None:
                self.steps.append((self.current, rss_mb(), peak_mb()))
            self.current = running

    def report(self) -> str:
        return "; ".join(f"{what or 'idle'} -> {rss:.0f} MB (peak {peak:.0f})"
                         for what, rss, peak in self.steps)


class Heartbeat:
    """A timer beating every ``BEAT_MS`` on the UI thread: the longest gap between two beats is
    the longest time the UI thread did not answer (what a person feels as a frozen window)."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(BEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.last = 0.0
        self.gaps: list[float] = []
        self.blocks: list[tuple[float, float]] = []  # (wall-clock start, milliseconds)

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def _beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self.last) * 1000)
        if self.gaps[-1] > BLOCK_MS:
            self.blocks.append((time.time() - (now - self.last), self.gaps[-1]))
        self.last = now

    def stop(self) -> None:
        self._beat()
        self.timer.stop()


class BlockSampler:
    """A thread that, while the heartbeat is late by more than ``BLOCK_MS``, samples the UI
    thread's Python stack every ``every_s``: the stacks seen most often are what blocks the
    window.  Printed to standard error by :meth:`report` (``ILP_GIS_PAINT_PROBE_STACKS=N``:
    the N most frequent stacks)."""

    def __init__(self, beat: Heartbeat, every_s: float = 0.05) -> None:
        self.beat = beat
        self.every_s = every_s
        self.ident = threading.main_thread().ident
        self.samples: Counter[tuple[str, ...]] = Counter()
        self.inclusive: Counter[str] = Counter()  # samples a function was on the stack in
        self.waits: Counter[str] = Counter()  # workers' stacks while the UI thread waits
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ilp-probe-sampler", daemon=True)

    def start(self) -> None:
        import gc

        self._thread.start()
        self._gc: list[tuple[int, float]] = []  # (generation, seconds) of each collection
        self._gc_start = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self._gc.append((info.get("generation", -1), time.perf_counter() - self._gc_start))

    def stop(self) -> None:
        import gc

        self._stop.set()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            if not self.beat.timer.isActive() or \
                    (time.perf_counter() - self.beat.last) * 1000 < BLOCK_MS:
                continue
            frames = sys._current_frames()
            frame = frames.get(self.ident)
            if frame is not None:
                stack = traceback.extract_stack(frame)
                self.samples[tuple(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                                   for f in stack[-14:])] += 1
                self.inclusive.update({f"{Path(f.filename).parent.name}/"
                                       f"{Path(f.filename).name} {f.name}" for f in stack})
                if stack and stack[-1].name == "run" and "cli_gui" in stack[-1].filename:
                    # the UI thread is in Qt's event loop yet does not answer: it waits for
                    # the GIL, which a worker holds; what the workers run then
                    for ident, other in frames.items():
                        if ident not in (self.ident, threading.get_ident()):
                            top = traceback.extract_stack(other)[-3:]
                            self.waits[" < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                                                  for f in reversed(top))] += 1

    def report(self, top: int) -> None:
        total = sum(self.samples.values())
        print(f"probe-stacks {total} samples of a blocked UI thread", file=sys.stderr)
        for gen in (0, 1, 2):
            times = [t for g, t in self._gc if g == gen]
            if times:
                print(f"    garbage collections of generation {gen}: {len(times)}, "
                      f"{sum(times):.2f} s in all, longest {max(times) * 1000:.0f} ms",
                      file=sys.stderr)
        print("    blocks (wall-clock start, ms): " + ", ".join(
            f"{t:.2f} {ms:.0f}" for t, ms in self.beat.blocks), file=sys.stderr)
        for name, n in self.inclusive.most_common(3 * top):
            print(f"    {n * self.every_s:6.2f} s  {name}", file=sys.stderr)
        if self.waits:
            print("probe-stacks the workers while the UI thread waited in its event loop:",
                  file=sys.stderr)
            for name, n in self.waits.most_common(2 * top):
                print(f"    {n * self.every_s:6.2f} s  {name}", file=sys.stderr)
        for stack, n in self.samples.most_common(top):
            print(f"--- {n} samples ({n * self.every_s:.2f} s)", file=sys.stderr)
            for line in stack:
                print(f"    {line}", file=sys.stderr)
        sys.stderr.flush()


def wanted() -> str | None:
    """``first`` or ``all`` when the probe is asked for, else None."""
    value = os.environ.get(ENV, "").strip().lower()
    return value if value in ("first", "all") else None


def install(app, window, mode: str) -> None:
    """Watch ``window``'s map and run the probe ``mode`` on it."""
    canvas = window.canvas
    seen = {"first": False}
    beat = Heartbeat()
    stacks = int(os.environ.get(ENV + "_STACKS", "0") or 0)
    sampler = BlockSampler(beat) if stacks > 0 else None
    memory = MemorySteps()

    def say(name: str, value: float) -> None:
        print(f"probe {name} {value:.3f}", flush=True)

    def quit_app() -> None:
        window.state.project.dirty = False
        window.undo_stack.setClean()
        window.close()
        app.quit()

    def on_render(_ms: float) -> None:
        desa = canvas.renderer.layers.get("desa")
        if seen["first"] or desa is None or not len(desa):
            return
        seen["first"] = True
        say("first_paint", time.time())
        say("first_paint_cpu_s", time.process_time())  # every thread of the process
        say("first_paint_peak_mb", peak_mb())
        beat.start()
        if sampler is not None:
            sampler.start()
        QTimer.singleShot(0, quit_app if mode == "first" else wait_loaded)

    panels = ("desa_tree", "network_tree", "gaps_panel")

    def views_pending() -> bool:  # a panel's national plan still being worked out or shown
        return any(getattr(getattr(window, name), "_task", None) is not None or
                   getattr(getattr(window, name), "rows_pending", False) for name in panels)

    def wait_loaded() -> None:
        memory.see("+".join([k for k, t in window.tasks.items() if t is not None] +
                            [n for n in panels if getattr(getattr(window, n), "_task", None)
                             is not None]))
        if window.busy() or window.analysis_pending() or views_pending():
            QTimer.singleShot(20, wait_loaded)
            return
        beat.stop()
        memory.see("")
        print(f"probe-memory resident memory by step: {memory.report()}", file=sys.stderr)
        if sampler is not None:
            sampler.stop()
            sampler.report(stacks)
        app.processEvents()
        canvas.repaint()  # the whole area with every layer: what the person now sees
        say("loaded", time.time())
        say("loaded_peak_mb", peak_mb())
        say("loaded_rss_mb", rss_mb())
        gaps = beat.gaps or [0.0]
        say("block_worst_ms", max(gaps))
        say("blocks_over_limit", sum(g > BLOCK_MS for g in gaps))
        say("blocks_total_ms", sum(g for g in gaps if g > BLOCK_MS))
        measure()
        quit_app()

    def measure() -> None:
        home = canvas.view
        say("home_render_ms", canvas.last_render_ms)
        kab = canvas.renderer.layers.get("kabupaten")
        if kab is not None and len(kab):  # the district nearest the middle of the map
            b = kab.bounds
            mid = ((b[:, 0] + b[:, 2]) / 2 - home.cx) ** 2 + ((b[:, 1] + b[:, 3]) / 2 - home.cy) ** 2
            i = int(min(range(len(kab)), key=lambda j: mid[j] if kab.valid[j] else float("inf")))
            t = time.perf_counter()
            canvas.zoom_to_features("kabupaten", [kab.keys[i]])
            canvas.repaint()
            say("zoom_in_ms", (time.perf_counter() - t) * 1000)
        frames, settled = [], []
        for k in range(PANS):
            step = 160 if k % 2 == 0 else -100
            t = time.perf_counter()
            canvas.pan_by_pixels(step, step / 2)
            canvas.repaint()  # the frame the person sees after the pan
            frames.append((time.perf_counter() - t) * 1000)
            app.processEvents()  # the view's own image, drawn after that frame
            canvas.repaint()
            settled.append((time.perf_counter() - t) * 1000)
        say("pans", len(frames))
        say("pan_mean_ms", statistics.mean(frames))
        say("pan_worst_ms", max(frames))
        say("pan_settled_mean_ms", statistics.mean(settled))
        t = time.perf_counter()
        canvas.full_extent()
        canvas.repaint()
        say("zoom_out_ms", (time.perf_counter() - t) * 1000)
        canvas.invalidate()  # the same view drawn afresh (no kept picture)
        t = time.perf_counter()
        canvas.repaint()
        say("zoom_out_redraw_ms", (time.perf_counter() - t) * 1000)

    canvas.rendered.connect(on_render)
    say("window_built", time.time())
    QTimer.singleShot(LIMIT_MS, quit_app)  # a project that never paints: give up
