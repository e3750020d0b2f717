"""The project a command reads: a GeoPackage named on the command line, or the shared store
(``--db DATABASE [--kabupaten PP.KK] [--service-file F]``: the whole province, or one
kabupaten's rows with the province-level layers, as ``ilp-gis db pull`` reads it).

One helper for ``analyze``, ``report``, ``tables`` and ``webmap``: the same options, the same
refusals (no source or two, ``--kabupaten`` without ``--db``) and the same reading.  The store
is only read, never written."""

from __future__ import annotations

import os

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Input

register_catalog("ui", "cli_source")

SOURCE_INPUTS = (Input("project"),
                 Input("service_file", when=lambda a: bool(getattr(a, "service_file", None))))
"""The files of the source a command reads (checked before any work, as every input)."""


def add_source_arguments(parser, project_help: str, db_help: str | None = None) -> None:
    """The positional ``PROJECT.gpkg`` (optional) and ``--db``, ``--kabupaten``,
    ``--service-file``; ``project_help`` (and ``db_help`` when given) the command's own help
    texts."""
    parser.add_argument("project", metavar="PROJECT.gpkg", nargs="?", help=project_help)
    parser.add_argument("--db", dest="database", help=db_help or tr("cli.source.opt.db"))
    parser.add_argument("--kabupaten", metavar="PP.KK", help=tr("cli.source.opt.kabupaten"))
    parser.add_argument("--service-file", help=tr("cli.source.opt.service_file"))


def check_source(args) -> None:
    """Refuse a missing or double source and ``--kabupaten`` without ``--db``
    (:class:`~ilp_gis.errors.InputError`, before any work)."""
    from ilp_gis.errors import InputError

    if (args.project is None) == (args.database is None):
        raise InputError(tr("cli.source.project_or_db"))
    if args.database is None and args.kabupaten:
        raise InputError(tr("cli.source.kabupaten_needs_db"))


def from_store(args) -> bool:
    return getattr(args, "database", None) is not None


def pull_from_store(args, *, skip_tables=()):
    """The project of the store ``args.database`` (the province, or ``args.kabupaten``'s part);
    ``skip_tables`` are not read (see :func:`layers.pgstore.pull.pull_project`)."""
    from layers.pgstore.connection import connect, safe_target
    from layers.pgstore.pull import pull_project

    if getattr(args, "service_file", None):
        os.environ["PGSERVICEFILE"] = str(args.service_file)
    with connect(args.database) as conn:
        return pull_project(conn, kabupaten=args.kabupaten,
                            source=safe_target(args.database), skip_tables=skip_tables)


def open_source(args, *, skip_layers=(), skip_tables=()):
    """The project of ``args`` after :func:`check_source`: the file (``skip_layers`` and
    ``skip_tables`` left unread, see :func:`layers.project_file.open_project`) or the store
    (every layer read: ``skip_tables`` only)."""
    from layers.project_file import open_project

    check_source(args)
    if from_store(args):
        return pull_from_store(args, skip_tables=skip_tables)
    return open_project(args.project, skip_layers=skip_layers, skip_tables=skip_tables)


def open_source_started(args, *, skip_layers=(), skip_tables=()):
    """:func:`open_source` started in a helper thread: returns at once a future whose
    ``result()`` is the project (or raises what opening raised), so the caller can import
    what it needs next while the file is read."""
    from concurrent.futures import ThreadPoolExecutor

    helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="open-project")
    try:
        return helper.submit(open_source, args, skip_layers=skip_layers,
                             skip_tables=skip_tables)
    finally:
        helper.shutdown(wait=False)  # the thread ends once the project is read


def open_with_result(args, unread_layers=()):
    """``(project, stored result or None)`` for a command that shows the analysis: the stored
    results when the project holds them with the inputs they were made with (``unread_layers``
    then left unread from a file), else every layer and ``None`` (the caller analyses in
    memory; nothing is stored).  A kabupaten read from the store never holds results (they
    are the province's), so its analysis always runs in memory."""
    from ilp_gis.inputs import Inventory
    from reports.source import stored_result

    project = open_source(args, skip_layers=unread_layers)
    result = stored_result(project)
    if result is None or Inventory.from_summary(result.summary) is None:
        if not from_store(args) and unread_layers:
            project = open_source(args)  # the layers left unread are needed now
        return project, None
    return project, result
