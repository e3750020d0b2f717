"""``ilp-gis gui [PROJECT.gpkg]``: the desktop app (Qt is imported only inside :func:`run`)."""

from __future__ import annotations

from pathlib import Path

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Output

NAME = "gui"
HELP_KEY = "cli.gui.help"
OUTPUTS = (Output("screenshot", suffixes=(".png",)),)


def add_arguments(parser) -> None:
    parser.add_argument("project", nargs="?", help=tr("cli.gui.opt.project"))
    parser.add_argument("--screenshot", metavar="FILE.png", help=tr("cli.gui.opt.screenshot"))
    parser.add_argument("--size", default="1500x950", help=tr("cli.gui.opt.size"))


def sample_project_path() -> Path | None:
    """The bundled sample district, next to the installed package or in the repository."""
    here = Path(__file__).resolve().parent
    for cand in (here / "resources" / "kabupaten_contoh.gpkg",
                 here.parent / "sample_data" / "kabupaten_contoh.gpkg"):
        if cand.exists():
            return cand
    return None


def run(args) -> int:
    import sys

    from ilp_gis.errors import InputError
    from ui import app as qtapp

    path = Path(args.project) if args.project else sample_project_path()
    if args.project and not path.exists():
        raise InputError(tr("cli.gui.missing", file=str(path)))
    lang = getattr(args, "lang", None)
    app = qtapp.make_app(sys.argv[:1], lang=lang, log_path=getattr(args, "log_file", None))
    reading = None
    if path is not None and not args.screenshot:  # read the areas while the window is built
        from ui.window.project_io import read_first_view

        reading = read_first_view(path)
    from ui.window.main_window import MainWindow

    window = MainWindow()
    if args.screenshot:
        return _screenshot(app, window, path, Path(args.screenshot), args.size)
    from ui.window import paint_probe

    probe = paint_probe.wanted()
    if probe:  # bench/bench_ui.py: the time to the first paint, pans and zoom out
        paint_probe.install(app, window, probe)
    window.show()
    if not window.offer_untitled_recovery():
        if path is not None:
            window.open_path(path, reading=reading)
        else:  # an installed copy without the repository's sample_data: make the sample
            window.set_project(_generated_sample())
    return app.exec()


def _generated_sample():
    """The fictional sample district, generated in memory (same seed as the bundled file)."""
    from layers.sample import generate_sample

    return generate_sample("kabupaten", seed=1)


def _screenshot(app, window, path: Path | None, out: Path, size: str) -> int:
    """Load the project, analyse it synchronously, render the window to ``out`` and exit."""
    from PySide6.QtCore import QEventLoop

    from layers.project_file import open_project

    w, _, h = size.partition("x")
    window.resize(int(w or 1500), int(h or 950))
    project = open_project(path) if path is not None else _generated_sample()
    if project is not None:
        window.set_project(project)
        window.analysis_timer.stop()
        if window.state.result is None:
            _rev, result = window.state.analysis_job()()
            window.state.set_result(result)
    window.show()
    for _ in range(5):
        app.processEvents(QEventLoop.AllEvents, 100)
    window.canvas.full_extent()
    app.processEvents()
    # the picture of the window as it is on screen once its layout has settled: no stray
    # dock tab bar (ui.window.docks), the map drawn for the final size
    window.settle_docks()
    app.processEvents(QEventLoop.AllEvents, 100)
    out.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(out))
    print(tr("cli.written", path=str(out)))
    window.state.project.dirty = False
    window.undo_stack.setClean()
    window.close()
    return 0 if ok else 1


register_catalog("ui", "cli_gui")
