"""``ilp-gis db init|push|pull|status DATABASE ...``: the shared PostGIS store of a province.

``DATABASE`` is a libpq URL (``postgresql://server/basisdata``), a conninfo string
(``host=... dbname=...``) or a service name of ``.pg_service.conf`` (``--service-file`` names
another file); the password comes from libpq (``.pgpass``, ``PGPASSWORD``, the service file)
and is never written into a project.  The work itself is in :mod:`layers.pgstore`."""

from __future__ import annotations

import os

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Input, Output

NAME = "db"
HELP_KEY = "cli.db.help"
INPUTS = (Input("project", when=lambda a: getattr(a, "db_command", None) == "push"),
          Input("service_file", when=lambda a: bool(getattr(a, "service_file", None))))
OUTPUTS = (Output("output", suffixes=(".gpkg",),
                  when=lambda a: getattr(a, "db_command", None) == "pull"),)


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar=tr("cli.db.command"),
                                parser_class=type(parser), required=True)
    init = sub.add_parser("init", help=tr("cli.db.init.help"), description=tr("cli.db.init.help"))
    push = sub.add_parser("push", help=tr("cli.db.push.help"), description=tr("cli.db.push.help"))
    pull = sub.add_parser("pull", help=tr("cli.db.pull.help"), description=tr("cli.db.pull.help"))
    status = sub.add_parser("status", help=tr("cli.db.status.help"),
                            description=tr("cli.db.status.help"))
    for p in (init, push, pull, status):
        p.add_argument("database", help=tr("cli.db.database"))
        p.add_argument("--service-file", help=tr("cli.db.service_file"))
    init.add_argument("--team", action="append", default=[], metavar="PERAN=PP.KK",
                      help=tr("cli.db.init.team"))
    init.add_argument("--province", action="append", default=[], metavar="PERAN",
                      help=tr("cli.db.init.province"))
    push.add_argument("project", help=tr("cli.db.push.project"))
    push.add_argument("--replace", action="store_true", help=tr("cli.db.push.replace"))
    pull.add_argument("output", help=tr("cli.db.pull.output"))
    pull.add_argument("--kabupaten", metavar="PP.KK", help=tr("cli.db.pull.kabupaten"))


def run(args) -> int:
    if args.service_file:
        os.environ["PGSERVICEFILE"] = str(args.service_file)
    from layers.pgstore.connection import connect

    with connect(args.database) as conn:
        return {"init": _init, "push": _push, "pull": _pull, "status": _status}[
            args.db_command](conn, args)


def _init(conn, args) -> int:
    from ilp_gis.errors import InputError
    from layers.pgstore.roles import add_role
    from layers.pgstore.schema import SUPPORTED_VERSION, migrate

    teams = []
    for item in args.team:
        role, sep, code = item.partition("=")
        if not sep or not role.strip():
            raise InputError(tr("cli.db.init.bad_team", value=item))
        teams.append((role.strip(), code.strip()))
    applied = migrate(conn)
    print(tr("cli.db.init.done", version=SUPPORTED_VERSION,
             applied=", ".join(map(str, applied)) or "-"))
    for role, code in teams:
        add_role(conn, role, kabupaten=code)
        print(tr("cli.db.init.role_team", role=role, code=code))
    for role in args.province:
        add_role(conn, role)
        print(tr("cli.db.init.role_province", role=role))
    return 0


def _push(conn, args) -> int:
    from pathlib import Path

    from layers.pgstore.push import push_project
    from layers.project_file import open_project
    from ui.progress import TerminalProgress

    project = open_project(Path(args.project))
    bar = TerminalProgress(tr("cli.db.push.progress"))
    try:
        counts = push_project(conn, project, replace=args.replace, progress=bar)
    finally:
        bar.done()
    print(tr("cli.db.push.done", tables=len(counts), rows=sum(counts.values())))
    return 0


def _pull(conn, args) -> int:
    from pathlib import Path

    from layers.pgstore.connection import safe_target
    from layers.pgstore.pull import pull_project
    from layers.project_file import save_project

    project = pull_project(conn, kabupaten=args.kabupaten, source=safe_target(args.database))
    out = save_project(project, Path(args.output))
    print(tr("cli.written", path=str(out)))
    return 0


def _status(conn, args) -> int:
    from layers.pgstore.status import store_status

    status = store_status(conn)
    print(tr("cli.db.status.version", version=status.version, supported=status.supported))
    scope = ", ".join(status.kabupaten) or "-"
    print(tr("cli.db.status.user", user=status.user,
             scope=tr("cli.db.status.province") if status.province else scope))
    if not status.rows:
        print(tr("cli.db.status.empty"))
    for name, count in status.rows.items():
        print(tr("cli.db.status.layer", layer=name, rows=count))
    return 0


register_catalog("ui", "cli_db")
