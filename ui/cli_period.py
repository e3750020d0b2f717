"""``ilp-gis period save|list|compare|delete PROJECT.gpkg ...``: keep the stored analysis as
the figures of a reporting period ("Triwulan III 2026"), list the kept periods, say what changed
between two of them, or remove one.  The history lives in the project file as ordinary tables
(see :mod:`ilp_gis.monitoring.history`)."""

from __future__ import annotations

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Input, Output

NAME = "period"
HELP_KEY = "cli.period.help"
INPUTS = (Input("project"),)
OUTPUTS = (Output("project", suffixes=(".gpkg",), when=lambda a: a.action in ("save", "delete")),
           Output("out", suffixes=(".csv",), when=lambda a: getattr(a, "out", None)))


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar=tr("cli.period.action"),
                                parser_class=type(parser))
    save = sub.add_parser("save", help=tr("cli.period.save"), description=tr("cli.period.save"))
    save.add_argument("project", metavar="PROJECT.gpkg", help=tr("cli.period.opt.project"))
    save.add_argument("--period", required=True, metavar=tr("cli.period.metavar"),
                      help=tr("cli.period.opt.period"))
    save.add_argument("--note", default="", help=tr("cli.period.opt.note"))
    save.add_argument("--replace", action="store_true", help=tr("cli.period.opt.replace"))
    lst = sub.add_parser("list", help=tr("cli.period.list"), description=tr("cli.period.list"))
    lst.add_argument("project", metavar="PROJECT.gpkg", help=tr("cli.period.opt.project"))
    cmp_ = sub.add_parser("compare", help=tr("cli.period.compare"),
                          description=tr("cli.period.compare"))
    cmp_.add_argument("project", metavar="PROJECT.gpkg", help=tr("cli.period.opt.project"))
    cmp_.add_argument("before", metavar=tr("cli.period.metavar"), help=tr("cli.period.opt.before"))
    cmp_.add_argument("after", metavar=tr("cli.period.metavar"), help=tr("cli.period.opt.after"))
    cmp_.add_argument("--out", "-o", metavar="FILE.csv", help=tr("cli.period.opt.out"))
    dele = sub.add_parser("delete", help=tr("cli.period.delete"),
                          description=tr("cli.period.delete"))
    dele.add_argument("project", metavar="PROJECT.gpkg", help=tr("cli.period.opt.project"))
    dele.add_argument("--period", required=True, metavar=tr("cli.period.metavar"),
                      help=tr("cli.period.opt.period"))


def run(args) -> int:
    from layers.project_file import open_project

    project = open_project(args.project)
    return {"save": _save, "list": _list, "compare": _compare, "delete": _delete}[args.action](
        project, args)


def _save(project, args) -> int:
    from ilp_gis.analysis import load_result
    from ilp_gis.errors import InputError
    from ilp_gis.monitoring import history
    from ilp_gis.monitoring.periods import parse_period
    from layers.project_file import save_project

    parse_period(args.period)  # a bad period is named before anything else
    result = load_result(project)
    if result is None:
        raise InputError(tr("cli.period.no_analysis", path=str(args.project)))
    p = history.freeze(project, result, args.period, note=args.note, replace=args.replace)
    save_project(project)
    print(tr("cli.period.saved", period=p.label(), path=str(project.path)))
    return 0


def _list(project, args) -> int:
    from ilp_gis.monitoring import history

    kept = history.periods(project)
    if not kept:
        print(tr("cli.period.none"))
        return 0
    t = project.tables[history.PERIODS_TABLE].set_index("period")
    for p in kept:
        row = t.loc[p.code]
        note = row.get("note")
        print(tr("cli.period.row", code=p.code, label=p.label(), saved=str(row.get("saved_at")),
                 note=f" — {note}" if isinstance(note, str) and note else ""))
    return 0


def _delete(project, args) -> int:
    from ilp_gis.monitoring import history
    from layers.project_file import save_project

    p = history.delete(project, args.period)
    save_project(project)
    print(tr("cli.period.deleted", period=p.label(), path=str(project.path)))
    return 0


def _compare(project, args) -> int:
    from ilp_gis.i18n import format_number
    from ilp_gis.monitoring import history

    c = history.compare(project, args.before, args.after)
    k = c.kabupaten
    print(tr("cli.period.compare.title", before=c.before.label(), after=c.after.label()))
    for fig in ("n_pustu", "n_posyandu", "gap_count"):
        b, a = k.get(f"{fig}_before"), k.get(f"{fig}_after")
        change = None if a is None or b is None else a - b
        print(tr("cli.period.compare.figure", figure=tr(f"cli.period.figure.{fig}"),
                 before=format_number(b), after=format_number(a),
                 change=("+" if change and change > 0 else "") + format_number(change)))
    print(tr("cli.period.compare.pustu", opened=format_number(k.get("pustu_opened")),
             closed=format_number(k.get("pustu_closed"))))
    print(tr("cli.period.compare.gaps", closed=format_number(k.get("gap_kinds_closed")),
             opened=format_number(k.get("gap_kinds_opened"))))
    moved = c.strata
    ups = sum(int(moved.iat[i, j]) for i in range(len(moved.index))
              for j in range(len(moved.columns))
              if moved.index[i] != moved.columns[j] and "–" not in (moved.index[i],
                                                                    moved.columns[j]))
    print(tr("cli.period.compare.strata", n=format_number(ups)))
    opened = c.desa[c.desa["pustu_opened"]]
    for name in opened["desa_name"].head(20):
        print("  " + tr("cli.period.compare.opened_in", desa=name))
    if args.out:
        from layers.atomic import all_or_nothing
        from layers.monitoring_io import write_comparison_csv

        with all_or_nothing():
            path = write_comparison_csv(c, args.out)
        print(tr("cli.written", path=str(path)))
    return 0


register_catalog("ui", "cli_period")
