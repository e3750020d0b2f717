"""``ilp-gis db init|push|pull|status|checkout|checkin DATABASE ...``: the shared PostGIS store of a province.

``DATABASE`` is a libpq URL (``postgresql://server/basisdata``), a conninfo string
(``host=... dbname=...``) or a service name of ``.pg_service.conf`` (``--service-file`` names
another file); the password comes from libpq (``.pgpass``, ``PGPASSWORD``, the service file)
and is never written into a project.  ``checkout`` takes one kabupaten out for offline work
and ``checkin`` sends its edits back (conflicts listed, nothing written, until ``--keep``
settles them).  The work itself is in :mod:`layers.pgstore`."""

from __future__ import annotations

import os

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Input, Output

NAME = "db"
HELP_KEY = "cli.db.help"
INPUTS = (Input("project", when=lambda a: getattr(a, "db_command", None) in ("push", "checkin")),
          Input("service_file", when=lambda a: bool(getattr(a, "service_file", None))))
OUTPUTS = (Output("output", suffixes=(".gpkg",),
                  when=lambda a: getattr(a, "db_command", None) in ("pull", "checkout")),)


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar=tr("cli.db.command"),
                                parser_class=type(parser), required=True)
    init = sub.add_parser("init", help=tr("cli.db.init.help"), description=tr("cli.db.init.help"))
    push = sub.add_parser("push", help=tr("cli.db.push.help"), description=tr("cli.db.push.help"))
    pull = sub.add_parser("pull", help=tr("cli.db.pull.help"), description=tr("cli.db.pull.help"))
    status = sub.add_parser("status", help=tr("cli.db.status.help"),
                            description=tr("cli.db.status.help"))
    checkout = sub.add_parser("checkout", help=tr("cli.db.checkout.help"),
                              description=tr("cli.db.checkout.help"))
    checkin = sub.add_parser("checkin", help=tr("cli.db.checkin.help"),
                             description=tr("cli.db.checkin.help"))
    for p in (init, push, pull, status, checkout, checkin):
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
    checkout.add_argument("output", help=tr("cli.db.pull.output"))
    area = checkout.add_mutually_exclusive_group(required=True)
    area.add_argument("--kabupaten", metavar="PP.KK", help=tr("cli.db.checkout.kabupaten"))
    area.add_argument("--province", action="store_true", help=tr("cli.db.checkout.province"))
    checkin.add_argument("project", help=tr("cli.db.checkin.project"))
    checkin.add_argument("--keep", choices=("mine", "theirs", "merge"),
                         help=tr("cli.db.checkin.keep"))


def run(args) -> int:
    if args.service_file:
        os.environ["PGSERVICEFILE"] = str(args.service_file)
    from layers.pgstore.connection import connect

    with connect(args.database) as conn:
        return {"init": _init, "push": _push, "pull": _pull, "status": _status,
                "checkout": _checkout, "checkin": _checkin}[args.db_command](conn, args)


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


def _checkout(conn, args) -> int:
    from pathlib import Path

    from layers.pgstore.checkout import check_out
    from layers.pgstore.connection import safe_target
    from layers.project_file import save_project

    kabupaten = None if args.province else args.kabupaten
    project = check_out(conn, kabupaten, source=safe_target(args.database))
    out = save_project(project, Path(args.output))
    print(tr("cli.db.checkout.done_province", path=str(out)) if kabupaten is None else
          tr("cli.db.checkout.done", code=kabupaten, path=str(out)))
    return 0


def _checkin(conn, args) -> int:
    from pathlib import Path

    from ilp_gis.errors import InputError
    from layers.pgstore.checkout import check_in
    from layers.project_file import open_project, save_project

    path = Path(args.project)
    project = open_project(path)
    result = check_in(conn, project, keep=args.keep)
    if not result.applied:
        lines = "\n".join(_conflict_line(c) for c in result.conflicts)
        raise InputError(tr("cli.db.checkin.conflicts", n=len(result.conflicts),
                            file=str(path), conflicts=lines))
    save_project(project, path)  # the file now holds the store's new versions
    print(tr("cli.db.checkin.done", updated=result.updated, merged=result.merged,
             inserted=result.inserted, deleted=result.deleted, resolved=result.resolved))
    return 0


def _conflict_line(conflict) -> str:
    theirs = conflict.theirs or {}
    label = next((str(theirs[k]) for k in ("fac_id", "code", "budget_id", "name")
                  if theirs.get(k) not in (None, "")), str(conflict.rid))
    if conflict.mine is None:
        what = tr("cli.db.checkin.deleted_by_me")
    elif not theirs:
        what = tr("cli.db.checkin.deleted_by_them")
    else:
        what = "; ".join(tr("cli.db.checkin.field", column=c, mine=_short(conflict.mine[c]),
                            theirs=_short(theirs.get(c)))
                         for c in conflict.differing())
    return tr("cli.db.checkin.conflict", layer=conflict.layer, row=label, what=what)


def _short(value) -> str:
    if value is None:
        return "-"
    if hasattr(value, "geom_type"):
        return value.geom_type
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


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
