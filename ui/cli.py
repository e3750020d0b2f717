"""The ``ilp-gis`` command line.

Every sub-command lives in its own module ``ui/cli_<name>.py`` exposing::

    NAME = "analyze"                   # the sub-command
    HELP_KEY = "cli.analyze.help"      # i18n key of its one-line help
    def add_arguments(parser): ...     # its options (help texts through i18n.tr)
    def run(args) -> int: ...          # 0 ok, 1 bad input (raise InputError/ProjectError instead)
    INPUTS = (...); OUTPUTS = (...)    # its paths, checked before run (ui/cli_paths.py)

Heavy imports (geopandas, reportlab, Qt) happen inside ``run`` so ``--help`` stays fast and a
headless command never imports Qt.  Exit codes (:data:`EXIT_CODES`): 0 success, 1 bad input
with a clear message, 2 wrong usage (argparse), 3 internal error (one line on stderr, the trace
in the log file), 130 cancelled with Ctrl+C.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import sys
from collections.abc import Sequence

from ilp_gis import __version__
from ilp_gis.errors import Cancelled, IlpError
from ilp_gis.i18n import register_catalog, set_language, tr
from ui.cli_metavars import localise_metavars

# Order is the order shown in --help.
COMMAND_MODULES = (
    "ui.cli_sample",
    "ui.cli_import",
    "ui.cli_analyze",
    "ui.cli_report",
    "ui.cli_tables",
    "ui.cli_webmap",
    "ui.cli_period",
    "ui.cli_pws",
    "ui.cli_actions",
    "ui.cli_plan",
    "ui.cli_scenario",
    "ui.cli_db",
    "ui.cli_gui",
)

log = logging.getLogger("ilp_gis")

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL, EXIT_CANCELLED = 0, 1, 2, 3, 130
EXIT_CODES = (EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL, EXIT_CANCELLED)
_LOG_HANDLER: list[logging.Handler] = []  # the one file handler main() installed


def _early_language(argv: Sequence[str]) -> str:
    """Pick the language before argparse runs so --help itself is translated."""
    lang = os.environ.get("ILP_GIS_LANG", "id")
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
    return lang if lang in ("id", "en") else "id"


_ARGPARSE_ID = {
    "usage: ": "penggunaan: ",
    "positional arguments": "argumen posisi",
    "options": "opsi",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "show program's version number and exit": "tampilkan versi program lalu keluar",
    "the following arguments are required: %s": "argumen berikut wajib diisi: %s",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "expected one argument": "perlu satu nilai",
    "expected at least one argument": "perlu sedikitnya satu nilai",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "pilihan tidak sah: %(value)r (pilih dari %(choices)s)",
    "invalid %(type)s value: %(value)r": "nilai %(type)s tidak sah: %(value)r",
    "not allowed with argument %s": "tidak boleh bersama argumen %s",
    "one of the arguments %s is required": "salah satu argumen %s wajib diisi",
    "ambiguous option: %(option)s could match %(matches)s":
        "opsi ambigu: %(option)s bisa berarti %(matches)s",
}


def _argparse_gettext(text: str) -> str:
    from ilp_gis.i18n import get_language

    return _ARGPARSE_ID.get(text, text) if get_language() == "id" else text


argparse._ = _argparse_gettext  # argparse looks its messages up through this name


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # translated usage errors, exit 2
        self.print_usage(sys.stderr)
        self.exit(2, tr("cli.usage_error", prog=self.prog, message=message) + "\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ilp-gis", description=tr("cli.description"),
                     epilog=tr("cli.epilog"), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"ilp-gis {__version__}",
                        help=tr("cli.opt.version"))
    parser.add_argument("--lang", choices=("id", "en"), help=tr("cli.opt.lang"))
    parser.add_argument("--log-file", help=tr("cli.opt.log_file"))
    sub = parser.add_subparsers(dest="command", metavar=tr("cli.command"), parser_class=_Parser)
    for modname in COMMAND_MODULES:
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as exc:
            if exc.name == modname:  # sub-command not built yet
                continue
            raise
        p = sub.add_parser(mod.NAME, help=tr(mod.HELP_KEY), description=tr(mod.HELP_KEY))
        p.add_argument("--lang", choices=("id", "en"), help=tr("cli.opt.lang"),
                       default=argparse.SUPPRESS)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run, _inputs=getattr(mod, "INPUTS", ()),
                       _outputs=getattr(mod, "OUTPUTS", ()))
    localise_metavars(parser)  # one language of placeholders across every command
    return parser


def default_log_path():
    from pathlib import Path

    base = os.environ.get("LOCALAPPDATA") or os.environ.get("XDG_STATE_HOME")
    root = Path(base) if base else Path.home() / ".local" / "state"
    return root / "ilp-gis" / "ilp-gis.log"


def setup_logging(path=None) -> str | None:
    """Log to a rotating file for support (never fails the command if it cannot)."""
    from logging.handlers import RotatingFileHandler
    from pathlib import Path

    target = Path(path) if path else default_log_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(target, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    while _LOG_HANDLER:  # a second main() in one process (tests, the GUI) replaces the first
        old = _LOG_HANDLER.pop()
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    _LOG_HANDLER.append(handler)
    root.setLevel(logging.INFO)
    return str(target)


def main(argv: Sequence[str] | None = None) -> int:
    from ui.heap import limit_arenas

    limit_arenas()  # before any worker thread: national jobs' peak memory (ui.heap)
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(_early_language(argv))
    try:
        parser = build_parser()
    except Exception as exc:  # noqa: BLE001 - a broken installation: still one line, exit 3
        return _crash(exc, None)
    args = parser.parse_args(argv)
    if getattr(args, "lang", None):
        set_language(args.lang)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_USAGE
    from ui.cli_paths import check_output

    if getattr(args, "log_file", None):  # checked before anything, the log itself included
        try:
            check_output(args.log_file)
        except IlpError as exc:
            print(tr("cli.error", message=str(exc)), file=sys.stderr)
            return EXIT_INPUT
    log_path = setup_logging(getattr(args, "log_file", None))
    log.info("ilp-gis %s: %s", __version__, " ".join(_without_passwords(argv)))
    try:
        from ui.cli_paths import check_paths

        check_paths(args, args._inputs, args._outputs)
        return int(args._run(args) or 0)
    except Cancelled as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CANCELLED
    except IlpError as exc:
        log.warning("input error: %s", exc)
        print(tr("cli.error", message=str(exc)), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print(tr("error.cancelled"), file=sys.stderr)
        return EXIT_CANCELLED
    except OSError as exc:  # the system refused a file (disk full, permission, locked)
        if exc.filename is None:
            return _crash(exc, log_path)
        log.warning("file error", exc_info=True)
        print(tr("cli.error", message=tr("cli.os_error", file=str(exc.filename),
                                         why=exc.strerror or str(exc))), file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # noqa: BLE001 - the one place every other error ends
        return _crash(exc, log_path)


_PASSWORD = re.compile(r"(password\s*=\s*)('[^']*'|\S+)|(://[^/@:\s]*:)([^@/\s]*)(@)",
                       re.IGNORECASE)


def _without_passwords(argv: Sequence[str]) -> list[str]:
    """``argv`` as the log may keep it: a database password (``password=...`` or the one in
    ``postgresql://user:password@host``) replaced by ``***``."""
    def hide(m: re.Match) -> str:
        return f"{m.group(1)}***" if m.group(1) else f"{m.group(3)}***{m.group(5)}"

    return [_PASSWORD.sub(hide, str(a)) for a in argv]


def _crash(exc: BaseException, log_path: str | None) -> int:
    """An internal error: the trace goes to the log file, one line to the person."""
    log.error("unexpected error", exc_info=exc)
    what = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:200]}" \
        if str(exc).strip() else type(exc).__name__
    print(tr("cli.crash", what=what, log=log_path or "-"), file=sys.stderr)
    return EXIT_INTERNAL


_ENDING_AT_ONCE: list[bool] = []  # set by entry(): the process ends right after the command
_HELD: list[object] = []  # what a command left to the end of the process (hold_until_exit)


def hold_until_exit(*objects: object) -> None:
    """Keep ``objects`` (a command's project and results) alive until the process ends, when
    it ends at once after the command (:func:`entry`): freeing a national project's millions
    of Python objects one by one costs seconds nobody needs.  Called in-process (tests, the
    desktop app), nothing is held."""
    if _ENDING_AT_ONCE:
        _HELD.extend(objects)


def entry() -> None:
    """The ``ilp-gis`` program (``python -m ui.cli``): :func:`main`, then the process ends at
    once with its exit code, its output flushed and the log closed, and what the command
    held handed back to the system whole instead of freed object by object.  Every file a
    command writes is closed (and synced) before the command returns."""
    _ENDING_AT_ONCE.append(True)
    if getattr(sys, "frozen", False):  # a bundled Windows program: its store process
        import multiprocessing  # (layers.store_handover) starts through this executable

        multiprocessing.freeze_support()
    rc = main()  # argparse's own exits (--help, usage errors) end the usual way
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    logging.shutdown()
    os._exit(rc)


register_catalog("ui", "cli")


if __name__ == "__main__":  # pragma: no cover
    entry()
