"""``ilp-gis pws import PROJECT.gpkg FILE`` reads a monthly PWS indicator table (CSV/XLSX,
long or wide) into the project; ``ilp-gis pws show PROJECT.gpkg --indicator K4 --month
"September 2026"`` prints the PWS of one indicator: desa ranked by achievement against the
expected (cumulative) line, with the four PWS classes."""

from __future__ import annotations

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Input, Output

NAME = "pws"
HELP_KEY = "cli.pws.help"
INPUTS = (Input("project"), Input("file", when=lambda a: a.action == "import"),
          Input("indicators", when=lambda a: getattr(a, "indicators", None)))
OUTPUTS = (Output("project", suffixes=(".gpkg",), when=lambda a: a.action == "import"),
           Output("out", suffixes=(".csv",), when=lambda a: getattr(a, "out", None)))


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar=tr("cli.pws.action"),
                                parser_class=type(parser))
    imp = sub.add_parser("import", help=tr("cli.pws.import"), description=tr("cli.pws.import"))
    imp.add_argument("project", metavar="PROJECT.gpkg", help=tr("cli.pws.opt.project"))
    imp.add_argument("file", metavar=tr("cli.pws.metavar.file"), help=tr("cli.pws.opt.file"))
    imp.add_argument("--indicator", metavar=tr("cli.pws.metavar.indicator"),
                     help=tr("cli.pws.opt.indicator_file"))
    imp.add_argument("--year", type=int, metavar=tr("cli.pws.metavar.year"),
                     help=tr("cli.pws.opt.year"))
    imp.add_argument("--sheet", metavar=tr("cli.pws.metavar.sheet"), help=tr("cli.pws.opt.sheet"))
    imp.add_argument("--indicators", metavar="FILE.toml", help=tr("cli.pws.opt.indicators"))
    show = sub.add_parser("show", help=tr("cli.pws.show"), description=tr("cli.pws.show"))
    show.add_argument("project", metavar="PROJECT.gpkg", help=tr("cli.pws.opt.project"))
    show.add_argument("--indicator", required=True, metavar=tr("cli.pws.metavar.indicator"),
                      help=tr("cli.pws.opt.indicator"))
    show.add_argument("--month", required=True, metavar=tr("cli.pws.metavar.month"),
                      help=tr("cli.pws.opt.month"))
    show.add_argument("--top", type=int, default=20, metavar="N", help=tr("cli.pws.opt.top"))
    show.add_argument("--out", "-o", metavar="FILE.csv", help=tr("cli.pws.opt.out"))
    show.add_argument("--indicators", metavar="FILE.toml", help=tr("cli.pws.opt.indicators"))


def run(args) -> int:
    from ilp_gis.monitoring.pws import load_indicators
    from layers.project_file import open_project

    inds = load_indicators(args.indicators)
    project = open_project(args.project)
    return _import(project, args, inds) if args.action == "import" else _show(project, args, inds)


def _import(project, args, inds) -> int:
    from ilp_gis.i18n import format_number
    from ilp_gis.monitoring import pws
    from layers.project_file import save_project
    from layers.pws_import import read_pws

    values, report = read_pws(args.file, project.desa, indicator=args.indicator,
                              year=args.year, sheet=args.sheet, indicators=inds)
    replaced = pws.add_values(project, values)
    project.append_import_report(report)
    save_project(project)
    lines = report[report["row"] > 0]
    counts = lines["status"].value_counts()
    print(tr("cli.pws.imported", values=format_number(len(values)),
             rows=format_number(len(lines)), path=str(project.path),
             indicators=", ".join(sorted(set(values["indicator"]))) or "–",
             months=format_number(values["period"].nunique())))
    if replaced:
        print(tr("cli.pws.replaced", n=format_number(replaced)))
    for status in ("doubtful", "skipped"):
        if counts.get(status):
            print(tr(f"cli.pws.{status}", n=format_number(int(counts[status]))))
    for msg in lines.loc[lines["status"] != "imported", ["row", "message"]].head(10).itertuples():
        print(f"  {tr('cli.pws.row', row=msg.row)}: {msg.message}")
    for msg in report.loc[report["row"] == 0, "message"].dropna():
        print(f"  {msg}")
    return 0


def _show(project, args, inds) -> int:
    from ilp_gis.i18n import format_number, format_percent
    from ilp_gis.monitoring import pws
    from layers.analysis_io import write_csv

    r = pws.ranking(project, args.indicator, args.month, inds)
    ind = inds.get(args.indicator)
    from ilp_gis.monitoring.periods import parse_period

    month = parse_period(args.month)
    print(tr("cli.pws.title", indicator=ind.label(), month=month.label(),
             expected=format_percent(r.attrs["expected"])))
    have = r["achievement"].notna()
    if not have.any():
        print(tr("cli.pws.no_data"))
    for row in r[have].head(args.top).itertuples():
        print(tr("cli.pws.line", rank=int(row.rank), desa=row.desa_name,
                 achievement=format_percent(row.achievement),
                 sasaran=format_number(row.sasaran) + (
                     f" ({tr('cli.pws.estimate')})" if row.sasaran_source == "estimasi" else ""),
                 cls=pws.class_label(row.pws_class)))
    missing = int((~have).sum())
    if missing:
        print(tr("cli.pws.missing", n=format_number(missing)))
    counts = r["pws_class"].value_counts()
    print(tr("cli.pws.classes", **{c: format_number(int(counts.get(c, 0))) for c in pws.CLASSES}))
    if args.out:
        out = r.assign(pws_class=r["pws_class"].map(lambda c: pws.class_label(c)),
                       sasaran=r["sasaran"].round(1))
        for c in ("achievement", "expected", "previous"):  # percent, one decimal
            out[c] = (out[c].astype(float) * 100).round(1)
        cols = ["rank", "desa_code", "desa_name", "kecamatan_code", "sasaran", "sasaran_source",
                "value", "cumulative", "achievement", "expected", "previous", "pws_class"]
        out = out[cols].rename(columns={c: tr(f"cli.pws.col.{c}") for c in cols})
        path = write_csv(out, __import__("pathlib").Path(args.out))
        print(tr("cli.written", path=str(path)))
    return 0


register_catalog("ui", "cli_pws")
